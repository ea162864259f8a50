<?php
// Builds in one process leave memory_get_usage() and RSS flat (TAAP_SOAK_BUILDS, default 10 000;
// scripts/soak.sh runs 100 000).
declare(strict_types=1);

use PHPUnit\Framework\TestCase;
use Taap\PopToken;
use Taap\PrivateKey;

final class MemoryTest extends TestCase
{
    private static function rssKib(): int
    {
        preg_match('/^VmRSS:\s+(\d+) kB/m', file_get_contents('/proc/self/status'), $found);
        return (int) $found[1];
    }

    public function testManyBuildsKeepMemoryFlat(): void
    {
        $builds = (int) (getenv('TAAP_SOAK_BUILDS') ?: 10_000);
        $key = PrivateKey::fromFile(TAAP_KEYS . '/tmobile/readme-private-pkcs8.pem');
        $ehts = ['Content-Type' => 'application/json', 'uri' => '/a', 'http-method' => 'POST', 'body' => str_repeat('x', 512)];
        $run = function (int $count) use ($key, $ehts): void {
            for ($i = 0; $i < $count; $i++) {
                PopToken::decode(PopToken::build($key, $ehts));
            }
        };
        $run(intdiv($builds, 10));
        [$heap, $rss] = [memory_get_usage(), self::rssKib()];
        $run($builds);
        $grown = [memory_get_usage() - $heap, self::rssKib() - $rss];
        fwrite(STDERR, sprintf("\n%d builds: heap %+d bytes, RSS %+d KiB\n", $builds, ...$grown));
        $this->assertLessThanOrEqual(4096, $grown[0], 'the Zend heap grew');
        $this->assertLessThanOrEqual(2048, $grown[1], 'RSS grew');
    }
}
