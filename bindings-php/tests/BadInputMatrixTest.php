<?php
// The php-ext column of the bad-input matrix (tests/bad-input/, docs/security-testing.md): every
// case in its own PHP process (bad-input.php) with a time limit, so that a segfault or a hang is
// that cell's outcome; the column goes to <target dir>/bad-input/php-ext.jsonl.
declare(strict_types=1);

use PHPUnit\Framework\TestCase;

require_once __DIR__ . '/bad-input.php';

final class BadInputMatrixTest extends TestCase
{
    private const CASE_TIMEOUT_SECS = 60;
    private const COLUMN = 'php-ext';

    public function testEveryBadInputCaseGetsItsExpectedTypedOutcomeInABoundedTime(): void
    {
        $rows = [];
        $wrong = [];
        foreach (taap_bad_input_cases() as $case) {
            $expected = $case['columns'][self::COLUMN] ?? $case['expect'];
            [$outcome, $ms] = $this->cell($case['id']);
            $meets = $outcome === $expected || (str_starts_with($expected, 'n/a') && str_starts_with($outcome, 'n/a'));
            if (!$meets) {
                $wrong[] = "{$case['id']}: got $outcome, expected $expected";
            }
            $rows[] = json_encode(['id' => $case['id'], 'column' => self::COLUMN, 'outcome' => $outcome, 'expected' => $expected, 'ms' => $ms], JSON_THROW_ON_ERROR | JSON_UNESCAPED_SLASHES);
        }
        $target = getenv('CARGO_TARGET_DIR') ?: __DIR__ . '/../../target';
        @mkdir("$target/bad-input", 0777, true);
        file_put_contents("$target/bad-input/" . self::COLUMN . '.jsonl', implode("\n", $rows) . "\n");
        $this->assertSame([], $wrong);
        $this->assertCount(count(taap_bad_input_cases()), $rows);
    }

    /** @return array{0: string, 1: int} the outcome line, `hang`, or `crash: …` with the signal */
    private function cell(string $id): array
    {
        $started = hrtime(true);
        // The PHP memory limit is not what a case measures: 10 MiB inputs are held several times.
        $command = ['timeout', '--signal=KILL', (string) self::CASE_TIMEOUT_SECS, PHP_BINARY, '-n',
            '-d', 'extension=' . getenv('TAAP_PHP_EXT'), '-d', 'memory_limit=-1', __DIR__ . '/bad-input.php', $id];
        $process = proc_open($command, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
        $stdout = stream_get_contents($pipes[1]);
        $stderr = stream_get_contents($pipes[2]);
        $status = proc_close($process);
        $ms = intdiv(hrtime(true) - $started, 1_000_000);
        foreach (explode("\n", $stdout) as $line) {
            if (str_starts_with($line, TAAP_BAD_INPUT_PREFIX)) {
                return [substr($line, strlen(TAAP_BAD_INPUT_PREFIX)), $ms];
            }
        }
        if ($ms >= self::CASE_TIMEOUT_SECS * 1000) {
            return ['hang', $ms];
        }
        $last = trim((string) array_slice(explode("\n", trim($stderr)), -1)[0]);
        return [trim("crash: exit $status $last"), $ms];
    }
}
