<?php
// Taap\Ffi\FfiPopToken, the route for hosts that cannot load the extension: libtaap.so through
// PHP's FFI, checked against the official builder's vectors and the extension's validator.
declare(strict_types=1);

use PHPUnit\Framework\TestCase;
use Taap\Ffi\FfiException;
use Taap\Ffi\FfiPopToken;

final class FfiTest extends TestCase
{
    protected function setUp(): void
    {
        if (!extension_loaded('ffi')) {
            $this->fail('PHP FFI is not loaded: install php-cli with its ffi module (bash scripts/setup.sh)');
        }
    }

    public function testTokensAreByteIdenticalToTheOfficialBuilder(): void
    {
        $cases = array_filter(
            taap_vectors('tokens.json')['cases'],
            // C strings end at NUL: such vectors are the extension's (VectorsTest).
            static fn (array $case) => !str_contains(json_encode($case['ehts']), '\u0000'),
        );
        $this->assertGreaterThanOrEqual(50, count($cases));
        foreach ($cases as $case) {
            $signer = FfiPopToken::fromFile(TAAP_KEYS . '/' . $case['key'], $case['password']);
            $ehts = [];
            foreach ($case['ehts'] as [$name, $value]) {
                $ehts[$name] = $value;
            }
            $options = ['ttl' => $case['ttl_secs'], 'iat' => $case['iat'], 'jti' => $case['jti']];
            $this->assertSame($case['token'], $signer->build($ehts, $options), $case['name']);
        }
    }

    public function testForRequestSignsWhatTheExtensionValidates(): void
    {
        $pem = file_get_contents(TAAP_KEYS . '/tmobile/readme-private-pkcs8.pem');
        $body = "{\"orderId\": 100}\0binary\xff";
        $token = FfiPopToken::fromPem($pem)->forRequest('POST', 'https://api.t-mobile.com/commerce/v1/orders?account-number=0000000000', ['Content-Type' => 'application/json'], $body);
        $validator = new Taap\PopTokenValidator();
        $decoded = $validator->validate($token, Taap\PrivateKey::fromPem($pem)->publicKey(), [
            'Content-Type' => 'application/json',
            'uri' => '/commerce/v1/orders?account-number=0000000000',
            'http-method' => 'POST',
            'body' => $body,
        ]);
        $this->assertSame(['Content-Type', 'uri', 'http-method', 'body'], $decoded->claims()['ehts']);
    }

    public function testErrorsNameTheStatusAndWhatToDo(): void
    {
        try {
            FfiPopToken::fromFile(TAAP_KEYS . '/tmobile/pbes2-aes256-a-private.pem', 'wrong');
            $this->fail('no FfiException');
        } catch (FfiException $error) {
            $this->assertSame(['TAAP_KEY_DECRYPT', 2], [$error->getKind(), $error->getCode()]);
            $this->assertStringStartsWith('TAAP_KEY_DECRYPT: ', $error->getMessage());
        }
        try {
            FfiPopToken::fromPem('not a key', null, '/nonexistent/libtaap.so');
            $this->fail('no RuntimeException');
        } catch (RuntimeException $error) {
            $this->assertSame('libtaap.so not found at /nonexistent/libtaap.so: set TAAP_LIB to its path, or build it with `cargo build --release -p taap-c`', $error->getMessage());
        }
        $this->expectException(InvalidArgumentException::class);
        FfiPopToken::fromPem(file_get_contents(TAAP_KEYS . '/tmobile/readme-private-pkcs8.pem'))->build(['a' => "x\0y"]);
    }

    public function testTheSignerShowsNothingAndRefusesSerialize(): void
    {
        $signer = FfiPopToken::fromFile(TAAP_KEYS . '/tmobile/readme-private-pkcs8.pem');
        $this->assertSame("Taap\\Ffi\\FfiPopToken Object\n(\n)\n", print_r($signer, true));
        ob_start();
        var_dump($signer);
        $this->assertMatchesRegularExpression('/^object\(Taap\\\\Ffi\\\\FfiPopToken\)#\d+ \(0\) \{\n\}\n$/', ob_get_clean());
        $this->expectException(LogicException::class);
        serialize($signer);
    }
}
