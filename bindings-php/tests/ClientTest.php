<?php
// TaapClient against `taap serve` on a free loopback port: the v2 and v6 flows.
declare(strict_types=1);

use PHPUnit\Framework\TestCase;
use Taap\PrivateKey;
use Taap\TaapClient;

final class ClientTest extends TestCase
{
    private static $process;
    private static string $gateway;
    private static string $secret;

    public static function setUpBeforeClass(): void
    {
        $taap = getenv('TAAP_BIN') ?: __DIR__ . '/../../target/release/taap';
        self::$secret = 'php-secret-' . bin2hex(random_bytes(8));
        $log = tempnam(sys_get_temp_dir(), 'taap-php-gateway');
        $command = [$taap, 'serve', '--port', '0', '--client-id', 'php-client', '--client-secret-env', 'TAAP_PHP_SECRET',
            '--public-key', TAAP_KEYS . '/tmobile/readme-public.pem'];
        self::$process = proc_open($command, [1 => ['file', $log, 'w'], 2 => ['file', $log, 'a']], $pipes, null, ['TAAP_PHP_SECRET' => self::$secret] + getenv());
        for ($i = 0; $i < 300 && !preg_match('/^listening on (\S+)/m', (string) file_get_contents($log), $found); $i++) {
            usleep(100_000);
        }
        self::$gateway = $found[1] ?? self::fail('taap serve did not start: ' . file_get_contents($log));
    }

    public static function tearDownAfterClass(): void
    {
        proc_terminate(self::$process);
        proc_close(self::$process);
    }

    private function client(string $flavor): TaapClient
    {
        return new TaapClient([
            'clientId' => 'php-client',
            'clientSecret' => self::$secret,
            'key' => PrivateKey::fromFile(TAAP_KEYS . '/tmobile/readme-private-pkcs8.pem'),
            'server' => self::$gateway . "/oauth2/$flavor/tokens",
        ]);
    }

    public function testSignedCallsThroughBothTokenFlavours(): void
    {
        foreach (['v2', 'v6'] as $flavor) {
            $client = $this->client($flavor);
            $this->assertSame($flavor, $client->flavor());
            $body = '{"orderId": 100}';
            $response = $client->send('POST', self::$gateway . '/commerce/v1/orders', ['Content-Type' => 'application/json'], $body);
            $this->assertSame(201, $response->status, $flavor . ': ' . $response->body);
            $this->assertSame(100, json_decode($response->body, true)['order']['orderId']);
            $this->assertStringStartsWith('application/json', $response->header('content-type'));
            $this->assertIsArray($response->headers);
            $again = $client->send('GET', self::$gateway . '/iot-connectivity/v1/devices/8901260000000000019');
            $this->assertSame(200, $again->status, $again->body);
        }
    }

    public function testTheAccessTokenIsCachedAndRefreshedOnRequest(): void
    {
        $client = $this->client('v2');
        $first = $client->accessToken();
        $this->assertInstanceOf(Taap\AccessToken::class, $first);
        $this->assertSame($first->secret(), $client->accessToken()->secret(), 'the second call uses the cache');
        $claims = json_decode(base64_decode(strtr(explode('.', $first->secret())[1], '-_', '+/')), true);
        $this->assertSame('php-client', $claims['sub']);
        $this->assertSame(3600, $first->expiresIn());
        $this->assertSame('Bearer', $first->tokenType());
        $this->assertSame('success', $first->status());
        $this->assertGreaterThan(3500.0, $first->remaining());
        $this->assertNotNull($first->idToken());
        $fresh = $client->refreshAccessToken();
        $this->assertNotSame($first->secret(), $fresh->secret());
        $this->assertSame($fresh->secret(), $client->accessToken()->secret(), 'the refreshed token replaces the cached one');
        $dump = print_r($fresh, true) . var_export($fresh, true);
        ob_start();
        var_dump($fresh);
        $dump .= ob_get_clean();
        $this->assertStringNotContainsString($fresh->secret(), $dump);
        $this->assertStringNotContainsString((string) $fresh->idToken(), $dump);
    }

    public function testBadCredentialsAreAnOAuthException(): void
    {
        $client = new TaapClient([
            'clientId' => 'php-client', 'clientSecret' => 'wrong', 'maxRetries' => 0,
            'key' => PrivateKey::fromFile(TAAP_KEYS . '/tmobile/readme-private-pkcs8.pem'),
            'server' => self::$gateway . '/oauth2/v2/tokens',
        ]);
        $this->expectException(Taap\OAuthException::class);
        $client->send('GET', self::$gateway . '/commerce/v1/orders');
    }

    public function testTheApiNameChoosesTmobilesServer(): void
    {
        $key = PrivateKey::fromFile(TAAP_KEYS . '/tmobile/readme-private-pkcs8.pem');
        $v2 = new TaapClient(['clientId' => 'a', 'clientSecret' => 'b', 'key' => $key, 'api' => 'connectivity']);
        $v6 = new TaapClient(['clientId' => 'a', 'clientSecret' => 'b', 'key' => $key, 'api' => 'fraud-prevention']);
        $this->assertSame('https://naas.t-mobile.com/oauth2/v2/tokens', $v2->tokenUrl());
        $this->assertSame('https://api.t-mobile.com/oauth2/v6/tokens', $v6->tokenUrl());
        $this->expectException(Taap\ConfigException::class);
        new TaapClient(['clientId' => 'a', 'clientSecret' => 'b', 'key' => $key, 'api' => 'no-such-api']);
    }
}
