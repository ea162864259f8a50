<?php
// PopToken::explain: a token explained against the request it was signed for and against others,
// field by field, and the same document as `taap doctor --json`.
declare(strict_types=1);

use PHPUnit\Framework\TestCase;
use Taap\PopToken;
use Taap\PrivateKey;
use Taap\PublicKey;

final class ExplainTest extends TestCase
{
    private const IAT = 1700000000;
    private const URL = 'https://api.t-mobile.com/commerce/v1/orders?account-number=0000000000';
    private const BEARER = 'Bearer s3cr3t-access-token';
    private const BODY = '{"orderId": 100}';
    private const HEADERS = ['Content-Type' => 'application/json', 'Authorization' => self::BEARER];

    private static function key(): PrivateKey
    {
        return PrivateKey::fromFile(TAAP_KEYS . '/tmobile/readme-private-pkcs8.pem');
    }

    private static function token(): string
    {
        return PopToken::forRequest(self::key(), 'POST', self::URL, self::HEADERS, self::BODY, ['iat' => self::IAT, 'jti' => 'jti-explain-1']);
    }

    /** The edts a token for this request would claim, computed by the signer itself. */
    private static function edtsOf(string $url, string $body): string
    {
        return PopToken::decode(PopToken::forRequest(self::key(), 'POST', $url, self::HEADERS, $body))->claims()['edts'];
    }

    public function testABodyWithATrailingNewlineIsExplainedFieldByField(): void
    {
        $sent = self::BODY . "\n";
        $token = self::token();
        $explanation = PopToken::explain($token, 'POST', self::URL, self::HEADERS, $sent, self::key()->publicKey(), self::IAT + 5);
        $claims = PopToken::decode($token)->claims();
        $reason = "the signer's body differs from the request's by a trailing newline";
        $this->assertSame([
            'valid' => false,
            'header' => ['alg' => 'RS256', 'typ' => 'JWT'],
            'claims' => $claims,
            'time' => ['now' => self::IAT + 5, 'expires_in' => 115, 'age' => 5, 'ok' => true, 'clock_offset' => null],
            'entries' => [
                ['name' => 'Content-Type', 'value' => 'application/json', 'bytes' => 16],
                ['name' => 'Authorization', 'value' => 'Bearer ****', 'bytes' => 26],
                ['name' => 'uri', 'value' => '/commerce/v1/orders?account-number=0000000000', 'bytes' => 45],
                ['name' => 'http-method', 'value' => 'POST', 'bytes' => 4],
                ['name' => 'body', 'value' => $sent, 'bytes' => 17],
            ],
            'edts' => ['claimed' => $claims['edts'], 'computed' => self::edtsOf(self::URL, $sent), 'matches' => false],
            'signature' => 'valid',
            'variant' => ['id' => 'body-trailing-newline', 'description' => $reason],
            'problems' => ["edts mismatch: $reason (body-trailing-newline)"],
        ], $explanation);
        $this->assertSame(['Content-Type', 'Authorization', 'uri', 'http-method', 'body'], $claims['ehts']);
    }

    public function testAnotherUrlWithoutAKeyMatchesNoVariant(): void
    {
        $other = 'https://api.t-mobile.com/commerce/v1/carts';
        $token = self::token();
        $explanation = PopToken::explain($token, 'POST', $other, self::HEADERS, self::BODY, null, self::IAT + 5);
        $this->assertSame(['name' => 'uri', 'value' => '/commerce/v1/carts', 'bytes' => 18], $explanation['entries'][2]);
        $claimed = PopToken::decode($token)->claims()['edts'];
        $this->assertSame(['claimed' => $claimed, 'computed' => self::edtsOf($other, self::BODY), 'matches' => false], $explanation['edts']);
        $this->assertSame('not-checked', $explanation['signature']);
        $this->assertNull($explanation['variant']);
        $this->assertSame(['edts mismatch: no known variant reproduces the signed values'], $explanation['problems']);
    }

    public function testTheRequestSignedIsValidAndAnotherKeyIsNot(): void
    {
        $token = self::token();
        $exact = PopToken::explain($token, 'POST', self::URL, self::HEADERS, self::BODY, self::key()->publicKey(), self::IAT + 5);
        $this->assertTrue($exact['valid']);
        $this->assertSame(['claimed' => $exact['claims']['edts'], 'computed' => $exact['claims']['edts'], 'matches' => true], $exact['edts']);
        $this->assertSame([], $exact['problems']);
        $stranger = PublicKey::fromFile(TAAP_KEYS . '/openssl/spki-public.pem');
        $wrongKey = PopToken::explain($token, 'POST', self::URL, self::HEADERS, self::BODY, $stranger, self::IAT + 5);
        $this->assertSame('invalid', $wrongKey['signature']);
        $this->assertSame(['the signature does not verify with this public key'], $wrongKey['problems']);
    }

    public function testAnExpiredTokenSaysByHowMuch(): void
    {
        $late = PopToken::explain(self::token(), 'POST', self::URL, self::HEADERS, self::BODY, now: self::IAT + 200);
        $this->assertSame(['now' => self::IAT + 200, 'expires_in' => -80, 'age' => 200, 'ok' => false, 'clock_offset' => -130], $late['time']);
        $this->assertSame(['the token expired 80 s ago'], $late['problems']);
    }

    public function testItIsTheDocumentTaapDoctorPrints(): void
    {
        $sent = self::BODY . "\n";
        $token = self::token();
        $taap = getenv('TAAP_BIN') ?: __DIR__ . '/../../target/release/taap';
        $command = [$taap, 'doctor', $token, '--method', 'POST', '--url', self::URL, '-H', 'Content-Type: application/json',
            '-H', 'Authorization: ' . self::BEARER, '--body', $sent, '--public-key', TAAP_KEYS . '/tmobile/readme-public.pem',
            '--now', (string) (self::IAT + 5), '--json'];
        $process = proc_open($command, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
        $printed = stream_get_contents($pipes[1]);
        $errors = stream_get_contents($pipes[2]);
        $this->assertSame(1, proc_close($process), "taap doctor exits 1 for a token the request does not match: $errors");
        $explanation = PopToken::explain($token, 'POST', self::URL, self::HEADERS, $sent, self::key()->publicKey(), self::IAT + 5);
        $this->assertSame(json_decode($printed, true, 512, JSON_THROW_ON_ERROR), $explanation);
    }

    public function testSecretsStayMasked(): void
    {
        $explanation = PopToken::explain(self::token(), 'POST', self::URL, self::HEADERS, self::BODY);
        $this->assertStringNotContainsString('s3cr3t', print_r($explanation, true) . json_encode($explanation));
    }

    public function testBadInputIsATypedException(): void
    {
        $this->assertSame('InvalidToken', taap_outcome(fn () => PopToken::explain('a.b', 'GET', self::URL)));
        $this->assertSame('InvalidToken', taap_outcome(fn () => PopToken::explain("\xff", 'GET', self::URL)));
        $this->assertSame('InvalidEhts', taap_outcome(fn () => PopToken::explain(self::token(), 'GET', 'ftp://h/x')));
        $this->assertSame('InvalidEhts', taap_outcome(fn () => PopToken::explain(self::token(), 'G E T', self::URL)));
        $this->assertSame('InvalidEhts', taap_outcome(fn () => PopToken::explain(self::token(), 'GET', self::URL, [['only-a-name']])));
    }
}
