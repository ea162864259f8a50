<?php
// The README's examples, run the way Rust runs doctests. Every fenced block of
// bindings-php/README.md and of the root README's "PHP" section whose info string does not carry
// the word `fragment` after the language (```php fragment) is run, and a failing block fails the
// suite under its file and line (bindings-php/README.md:LINE, README.md:LINE) and first line:
//   - a ```php block as a script (`<?php` prepended when missing) in a folder holding
//     keys/private-key.pem and keys/public-key.pem (the README key pair `taap serve` knows) and a
//     Composer-style vendor/autoload.php that loads php/autoload.php, with TAAP_CLIENT_ID and
//     TAAP_SECRET set to the gateway's client and TAAP_LIB and TAAP_FFI_HEADER to the built
//     libtaap.so and taap_ffi.h, after every https://api.t-mobile.com and
//     https://naas.t-mobile.com became the gateway's address (both READMEs say so). A block using
//     Taap\Ffi runs without the extension (PHP's FFI only); every other block with it;
//   - a ```sh block under `bash -euo pipefail` from the repository root;
//   - any other block not marked `fragment` fails: it needs a runner or the mark.
// Prints "README examples: N run, M fragments" to stderr.
declare(strict_types=1);

use PHPUnit\Framework\TestCase;

final class ReadmeTest extends TestCase
{
    private const ROOT = __DIR__ . '/../..';
    /** What runs: each markdown file (relative to ROOT) and its one `## ` section, or null for all of it. */
    private const SOURCES = [['bindings-php/README.md', null], ['README.md', 'PHP']];

    private static $gateway;
    private static string $address;
    private static string $secret;
    private static string $folder;
    private static int $ran = 0;

    /**
     * The fenced blocks of every source, in order; `where` names the file, line and first line.
     *
     * @return list<array{file: string, lang: string, fragment: bool, line: int, first: string, text: string, where: string}>
     */
    public static function blocks(): array
    {
        $blocks = [];
        foreach (self::SOURCES as [$file, $section]) {
            foreach (self::fencedBlocks($file, $section) as $block) {
                $block['where'] = sprintf('%s:%d (```%s: %s)', $file, $block['line'], $block['lang'], $block['first']);
                $blocks[] = $block;
            }
        }
        return $blocks;
    }

    /**
     * The fenced blocks of one markdown file, or of its `## $section` (up to the next `## `
     * heading outside a block), with the file's own line numbers.
     *
     * @return list<array{file: string, lang: string, fragment: bool, line: int, first: string, text: string}>
     */
    private static function fencedBlocks(string $file, ?string $section): array
    {
        $blocks = [];
        $open = null;
        $inSection = $section === null;
        $found = false;
        foreach (file(self::ROOT . '/' . $file, FILE_IGNORE_NEW_LINES) as $index => $line) {
            if ($open === null && $section !== null && str_starts_with($line, '## ')) {
                $inSection = $line === "## $section";
                $found = $found || $inSection;
            } elseif ($open === null && str_starts_with($line, '```')) {
                $words = preg_split('/\s+/', trim(substr($line, 3)), -1, PREG_SPLIT_NO_EMPTY);
                $open = ['file' => $file, 'lang' => $words[0] ?? 'text', 'fragment' => in_array('fragment', array_slice($words, 1), true),
                    'line' => $index + 1, 'first' => '', 'text' => ''];
            } elseif ($open !== null && preg_match('/^```\s*$/', $line)) {
                if ($inSection) {
                    $blocks[] = $open;
                }
                $open = null;
            } elseif ($open !== null) {
                $open['text'] .= $line . "\n";
                if ($open['first'] === '' && trim($line) !== '') {
                    $open['first'] = trim($line);
                }
            }
        }
        if ($open !== null) {
            throw new RuntimeException("$file:{$open['line']}: the fence opened here is never closed");
        }
        if ($section !== null && !$found) {
            throw new RuntimeException("$file has no section '## $section'");
        }
        return $blocks;
    }

    /** @return array<string, array{0: array}> every block to run, named by its README line and first line */
    public static function examples(): array
    {
        $examples = [];
        foreach (self::blocks() as $block) {
            if (!$block['fragment']) {
                $examples[$block['where']] = [$block];
            }
        }
        return $examples;
    }

    public static function setUpBeforeClass(): void
    {
        self::$folder = sys_get_temp_dir() . '/taap-php-readme-' . bin2hex(random_bytes(6));
        mkdir(self::$folder . '/keys', 0700, true);
        mkdir(self::$folder . '/vendor');
        copy(TAAP_KEYS . '/tmobile/readme-private-pkcs8.pem', self::$folder . '/keys/private-key.pem');
        copy(TAAP_KEYS . '/tmobile/readme-public.pem', self::$folder . '/keys/public-key.pem');
        file_put_contents(self::$folder . '/vendor/autoload.php',
            "<?php\nrequire " . var_export(realpath(__DIR__ . '/../php/autoload.php'), true) . ";\n");

        $taap = getenv('TAAP_BIN') ?: self::ROOT . '/target/release/taap';
        self::$secret = 'php-readme-' . bin2hex(random_bytes(8));
        $log = self::$folder . '/gateway.log';
        $command = [$taap, 'serve', '--port', '0', '--client-id', 'php-readme', '--client-secret-env', 'TAAP_PHP_README_SECRET',
            '--public-key', TAAP_KEYS . '/tmobile/readme-public.pem'];
        self::$gateway = proc_open($command, [1 => ['file', $log, 'w'], 2 => ['file', $log, 'a']], $pipes, null,
            ['TAAP_PHP_README_SECRET' => self::$secret] + getenv());
        for ($i = 0; $i < 300 && !preg_match('/^listening on (\S+)/m', (string) file_get_contents($log), $found); $i++) {
            usleep(100_000);
        }
        self::$address = $found[1] ?? throw new RuntimeException('taap serve did not start: ' . file_get_contents($log));
    }

    public static function tearDownAfterClass(): void
    {
        proc_terminate(self::$gateway);
        proc_close(self::$gateway);
        exec('rm -rf ' . escapeshellarg(self::$folder));
        $fragments = count(array_filter(self::blocks(), static fn (array $block) => $block['fragment']));
        fwrite(STDERR, sprintf("\nREADME examples: %d run, %d fragments\n", self::$ran, $fragments));
    }

    public function testTheReadmeHasExamples(): void
    {
        $this->assertNotEmpty(self::examples(), 'bindings-php/README.md has no block to run');
    }

    /** @dataProvider examples */
    public function testExample(array $block): void
    {
        $where = $block['where'];
        $name = 'example-' . preg_replace('/[^A-Za-z0-9]+/', '-', $block['file']) . '-' . $block['line'];
        $text = $block['text'];
        $environment = getenv();
        switch ($block['lang']) {
            case 'php':
                $text = str_replace(['https://api.t-mobile.com', 'https://naas.t-mobile.com'], self::$address, $text);
                if (!str_starts_with(ltrim($text), '<?php')) {
                    $text = "<?php\n" . $text;
                }
                $script = self::$folder . "/$name.php";
                file_put_contents($script, $text);
                $php = [PHP_BINARY];
                if (!str_contains($text, 'Taap\\Ffi\\')) {
                    array_push($php, '-d', 'extension=' . (getenv('TAAP_PHP_EXT') ?: self::ROOT . '/target/release/libtaap_php.so'));
                }
                $command = [...$php, $script];
                $folder = self::$folder;
                $environment = ['TAAP_CLIENT_ID' => 'php-readme', 'TAAP_SECRET' => self::$secret,
                    'TAAP_LIB' => getenv('TAAP_LIB') ?: self::ROOT . '/target/release/libtaap.so',
                    'TAAP_FFI_HEADER' => realpath(self::ROOT . '/bindings-c/include/taap_ffi.h')] + $environment;
                break;
            case 'sh':
                $script = self::$folder . "/$name.sh";
                file_put_contents($script, $text);
                $command = ['bash', '-euo', 'pipefail', $script];
                $folder = realpath(self::ROOT);
                break;
            default:
                $this->fail("$where: no runner for ```{$block['lang']} blocks; mark it ```{$block['lang']} fragment");
        }
        $process = proc_open($command, [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['redirect', 1]], $pipes, $folder, $environment);
        $output = stream_get_contents($pipes[1]);
        fclose($pipes[1]);
        $status = proc_close($process);
        self::$ran++;
        $this->assertSame(0, $status, "$where failed (exit $status):\n$output");
    }
}
