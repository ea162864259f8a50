<?php
// Taap\Signer: a callback signing with PHP's own OpenSSL builds every vector token byte for
// byte, through every method that takes a key; every bad answer is its exact exception; a key
// in SoftHSM2 (imported sensitive, never extractable) through a pkcs11: URI and a key in a
// stand-in AWS KMS (tests/support/kms.php) build the vectors' tokens too; a key file through
// fromUri; dumps never show a PIN; TaapClient, Guzzle.
// Needs softhsm2, opensc (pkcs11-tool) and openssl: a missing tool fails, never skips.
declare(strict_types=1);

require_once '/usr/share/php/GuzzleHttp/autoload.php';

use GuzzleHttp\Psr7\Request;
use PHPUnit\Framework\TestCase;
use Taap\Guzzle\PopMiddleware;
use Taap\PopToken;
use Taap\PopTokenValidator;
use Taap\PrivateKey;
use Taap\PublicKey;
use Taap\SignatureInvalidException;
use Taap\Signer;
use Taap\SignPolicy;
use Taap\TaapClient;
use Taap\TransportException;

final class SignerTest extends TestCase
{
    /** The DER DigestInfo prefix of a SHA-256 digest (RFC 8017, 9.2 note 1). */
    private const DIGEST_INFO = '3031300d060960864801650304020105000420';
    private const MODULE = '/usr/lib/softhsm/libsofthsm2.so';
    private const PIN = 'php-pin-Q9x7';
    private const OTHER_PIN = 'php-other-Q9x7';
    private const SO_PIN = 'so-12345678';
    private const LABEL = 'se050:0xF0000100';

    /** The SoftHSM2 folder, made once for the whole run (the module reads SOFTHSM2_CONF once). */
    private static ?string $hsm = null;
    /** Vector key file => the label of its copy in the token. */
    private static array $labels = [];

    private static function options(array $case): array
    {
        return ['ttl' => $case['ttl_secs'], 'iat' => $case['iat'], 'jti' => $case['jti']];
    }

    /** A vector's private key as PHP's OpenSSL reads it: no taap involved. */
    private static function opensslKey(array $case): OpenSSLAsymmetricKey
    {
        $bytes = file_get_contents(TAAP_KEYS . '/' . $case['key']);
        if (!str_contains($bytes, '-----BEGIN')) {
            $bytes = "-----BEGIN PRIVATE KEY-----\n" . chunk_split(base64_encode($bytes), 64, "\n") . "-----END PRIVATE KEY-----\n";
        }
        $key = openssl_pkey_get_private($bytes, $case['password']);
        if ($key === false) {
            self::fail("PHP's OpenSSL cannot read {$case['key']}: " . openssl_error_string());
        }
        return $key;
    }

    /** The public key of an OpenSSL key, as taap reads its SPKI PEM. */
    private static function publicKey(OpenSSLAsymmetricKey $key): PublicKey
    {
        return PublicKey::fromPem(openssl_pkey_get_details($key)['key']);
    }

    /**
     * What a device does with a digest, done by PHP's OpenSSL: prefix the SHA-256 DigestInfo,
     * pad (PKCS#1 v1.5, type 1) and apply the private key. openssl_sign would hash again.
     */
    private static function rawSign(OpenSSLAsymmetricKey $key, string $digest): string
    {
        if (!openssl_private_encrypt(hex2bin(self::DIGEST_INFO) . $digest, $signature, $key, OPENSSL_PKCS1_PADDING)) {
            throw new RuntimeException('openssl_private_encrypt: ' . openssl_error_string());
        }
        return $signature;
    }

    /** A callback signer over an OpenSSL key; every digest it is given lands in $digests. */
    private static function callbackSigner(OpenSSLAsymmetricKey $key, ?array &$digests = null, ?string $label = null): Signer
    {
        $digests = [];
        return Signer::fromCallback(self::publicKey($key), function (string $digest) use ($key, &$digests): string {
            $digests[] = $digest;
            return self::rawSign($key, $digest);
        }, $label);
    }

    private static function firstCase(): array
    {
        return taap_vectors('tokens.json')['cases'][0];
    }

    /** The exception $action throws (failing the test when it throws none). */
    private function thrown(callable $action): Throwable
    {
        try {
            $action();
        } catch (Throwable $error) {
            return $error;
        }
        $this->fail('no exception was thrown');
    }

    /** A vector token built by a signer whose callback answers with $answer($digest, $signature). */
    private function refusal(callable $answer): Throwable
    {
        $case = self::firstCase();
        $key = self::opensslKey($case);
        $signer = Signer::fromCallback(self::publicKey($key), fn (string $digest) => $answer($digest, self::rawSign($key, $digest)), self::LABEL);
        return $this->thrown(fn () => PopToken::build($signer, $case['ehts'], self::options($case)));
    }

    public function testACallbackSignerBuildsEveryVectorTokenByteForByte(): void
    {
        $cases = taap_vectors('tokens.json')['cases'];
        $this->assertGreaterThanOrEqual(50, count($cases));
        foreach ($cases as $case) {
            $signer = self::callbackSigner(self::opensslKey($case), $digests);
            $token = PopToken::build($signer, $case['ehts'], self::options($case));
            $this->assertSame($case['token'], $token, $case['name']);
            // The callback got the SHA-256 of the JWS signing input, once.
            $this->assertSame([hash('sha256', substr($token, 0, strrpos($token, '.')), true)], $digests, $case['name']);
        }
    }

    public function testEveryMethodThatTakesAKeyTakesASigner(): void
    {
        foreach (taap_vectors('request.json')['cases'] as $case) {
            $signer = self::callbackSigner(self::opensslKey($case));
            $token = PopToken::forRequest($signer, $case['method'], $case['url'], $case['headers'], $case['body'], self::options($case));
            $this->assertSame($case['token'], $token, $case['name']);
        }
        foreach (taap_vectors('policy.json')['cases'] as $case) {
            $signer = self::callbackSigner(self::opensslKey($case));
            $spec = $case['policy'];
            $policy = !empty($spec['all']) ? SignPolicy::allHeaders() : (isset($spec['headers']) ? SignPolicy::headers($spec['headers']) : SignPolicy::default());
            foreach ($spec['with'] ?? [] as $name) {
                $policy = $policy->withHeader($name);
            }
            foreach ($spec['without'] ?? [] as $name) {
                $policy = $policy->withoutHeader($name);
            }
            $token = $policy->sign($signer, $case['method'], $case['url'], $case['headers'], $case['body'], self::options($case));
            $this->assertSame($case['token'], $token, $case['name']);
        }
        // headersFor and the Guzzle middleware: tokens a validator accepts under the signer's key.
        $key = self::opensslKey(self::firstCase());
        $signer = self::callbackSigner($key, $digests);
        $publicKey = $signer->publicKey();
        $validator = new PopTokenValidator(['replayCache' => 16]);
        $url = 'https://api.t-mobile.com/commerce/v1/orders?account-number=0000000000';
        $headers = ['Content-Type' => 'application/json', 'Authorization' => 'Bearer t'];
        $headers += SignPolicy::default()->headersFor($signer, 'POST', $url, $headers, '{}');
        $validator->validateRequest($publicKey, 'POST', '/commerce/v1/orders?account-number=0000000000', $headers, '{}');
        $request = PopMiddleware::sign(new Request('PUT', $url, ['Content-Type' => 'application/json'], '{"a":1}'), $signer);
        $sent = array_map(fn ($values) => implode(', ', $values), $request->getHeaders());
        $validator->validateRequest($publicKey, 'PUT', '/commerce/v1/orders?account-number=0000000000', $sent, '{"a":1}');
        $this->assertCount(2, $digests);
    }

    public function testTheSignerDescribesItselfWithoutSecrets(): void
    {
        $key = self::opensslKey(self::firstCase());
        $signer = self::callbackSigner($key);
        $publicKey = self::publicKey($key);
        $this->assertSame('callback', $signer->kind());
        $this->assertSame('callback for RSA-2048 key ' . $publicKey->thumbprint(), $signer->label());
        $this->assertSame($publicKey->toPem(), $signer->publicKey()->toPem());
        $this->assertSame(self::LABEL, self::callbackSigner($key, label: self::LABEL)->label());
        $this->assertTrue((new ReflectionClass(Signer::class))->isFinal());
        $this->assertSame([], (new ReflectionClass(Signer::class))->getProperties());
        $this->assertSame("object(Taap\\Signer)#" . spl_object_id($signer) . " (0) {\n}\n", self::dumped($signer));
        $this->assertSame("Serialization of 'Taap\\Signer' is not allowed", $this->thrown(fn () => serialize($signer))->getMessage());
        $this->assertInstanceOf(Exception::class, $this->thrown(fn () => new Signer()));
    }

    public function testAShortOrLongSignatureIsSignatureInvalid(): void
    {
        $short = $this->refusal(fn (string $digest, string $signature) => substr($signature, 1));
        $this->assertInstanceOf(SignatureInvalidException::class, $short);
        $this->assertSame(
            'PoP token signature invalid: the callback signer (se050:0xF0000100) returned 255 bytes; an RS256 signature '
            . 'under its 2048-bit public key is 256 bytes; no token was made with it',
            $short->getMessage(),
        );
        $this->assertSame('TAAP_SIGNATURE_INVALID', $short->getKind());
        $long = $this->refusal(fn (string $digest, string $signature) => "\0" . $signature);
        $this->assertSame(SignatureInvalidException::class, get_class($long));
        $this->assertStringContainsString('returned 257 bytes', $long->getMessage());
        $this->assertSame(SignatureInvalidException::class, get_class($this->refusal(fn () => '')));
    }

    public function testASignatureThatDoesNotVerifyIsSignatureInvalid(): void
    {
        $expected = 'PoP token signature invalid: the callback signer (se050:0xF0000100) returned a signature that does not '
            . 'verify under its public key (another key, another hash or padding, or a corrupted signature); no token was made with it';
        $other = openssl_pkey_new(['private_key_bits' => 2048, 'private_key_type' => OPENSSL_KEYTYPE_RSA]);
        $answers = [
            'another key' => fn (string $digest) => self::rawSign($other, $digest),
            'a corrupted signature' => fn (string $digest, string $signature) => substr_replace($signature, chr(ord($signature[100]) ^ 1), 100, 1),
            'another digest' => fn (string $digest) => self::rawSign(self::opensslKey(self::firstCase()), str_repeat("\0", 32)),
            'openssl_sign, which hashes the digest again' => function (string $digest) {
                openssl_sign($digest, $signature, self::opensslKey(self::firstCase()), OPENSSL_ALGO_SHA256);
                return $signature;
            },
        ];
        foreach ($answers as $what => $answer) {
            $refused = $this->refusal($answer);
            $this->assertSame(SignatureInvalidException::class, get_class($refused), $what);
            $this->assertSame($expected, $refused->getMessage(), $what);
        }
    }

    public function testAThrowingCallbackIsATransportExceptionWithItAsPrevious(): void
    {
        $thrown = new LogicException('the secure element did not answer');
        $error = $this->refusal(fn () => throw $thrown);
        $this->assertSame(TransportException::class, get_class($error));
        $this->assertSame(
            'transport error: the callback signer (se050:0xF0000100) threw LogicException; no token was made with it '
            . "(the exception is this one's getPrevious())",
            $error->getMessage(),
        );
        $this->assertSame($thrown, $error->getPrevious());
        $this->assertSame('TAAP_TRANSPORT', $error->getKind());
        $this->assertSame(12, $error->getCode());
        // The signer stays usable.
        $case = self::firstCase();
        $calls = 0;
        $key = self::opensslKey($case);
        $signer = Signer::fromCallback(self::publicKey($key), function (string $digest) use ($key, &$calls) {
            if (++$calls === 1) {
                throw new RuntimeException('first call fails');
            }
            return self::rawSign($key, $digest);
        });
        $this->assertInstanceOf(TransportException::class, $this->thrown(fn () => PopToken::build($signer, $case['ehts'], self::options($case))));
        $this->assertSame($case['token'], PopToken::build($signer, $case['ehts'], self::options($case)));
    }

    public function testAnAnswerThatIsNotAStringIsSignatureInvalid(): void
    {
        foreach ([[null, 'null'], [42, 'int'], [false, 'bool'], [[1], 'array'], [new stdClass(), 'stdClass']] as [$answer, $type]) {
            $error = $this->refusal(fn () => $answer);
            $this->assertSame(SignatureInvalidException::class, get_class($error), $type);
            $this->assertSame(
                "PoP token signature invalid: the callback signer (se050:0xF0000100) returned $type, not a string; no token was made with it",
                $error->getMessage(),
            );
        }
    }

    public function testArgumentsOfTheWrongTypeAreTypeErrors(): void
    {
        $publicKey = self::publicKey(self::opensslKey(self::firstCase()));
        $cases = [
            'Taap\Signer::fromCallback(): Argument #2 ($sign) must be of type callable, string given' => fn () => Signer::fromCallback($publicKey, 'no_such_function'),
            'Taap\PopToken::build(): Argument #1 ($key) must be of type Taap\PrivateKey|Taap\Signer, Taap\PublicKey given' => fn () => PopToken::build($publicKey, ['uri' => '/a']),
            'Taap\PopToken::forRequest(): Argument #1 ($key) must be of type Taap\PrivateKey|Taap\Signer, string given' => fn () => PopToken::forRequest('key', 'GET', '/a'),
            'Taap\SignPolicy::sign(): Argument #1 ($key) must be of type Taap\PrivateKey|Taap\Signer, null given' => fn () => SignPolicy::default()->sign(null, 'GET', '/a'),
            'Taap\SignPolicy::headersFor(): Argument #1 ($key) must be of type Taap\PrivateKey|Taap\Signer, int given' => fn () => SignPolicy::default()->headersFor(1, 'GET', '/a'),
        ];
        foreach ($cases as $message => $action) {
            $error = $this->thrown($action);
            $this->assertSame(TypeError::class, get_class($error), $message);
            $this->assertSame($message, $error->getMessage());
        }
    }

    /** exit() and a fatal error inside the callback end the script as they would outside it. */
    public function testExitAndFatalErrorsInsideTheCallbackEndTheScript(): void
    {
        $run = function (string $body): array {
            $script = '$key = Taap\PrivateKey::generate(); $signer = Taap\Signer::fromCallback($key->publicKey(), function ($digest) { '
                . $body . ' }); try { Taap\PopToken::build($signer, ["uri" => "/a"]); } catch (Throwable $e) { echo "caught ", get_class($e); } echo " after";';
            $extension = getenv('TAAP_PHP_EXT') ?: __DIR__ . '/../../target/release/libtaap_php.so';
            $process = proc_open([PHP_BINARY, '-n', '-d', "extension=$extension", '-d', 'display_errors=stderr', '-r', $script], [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
            $out = stream_get_contents($pipes[1]);
            $err = stream_get_contents($pipes[2]);
            return [proc_close($process), $out, $err];
        };
        [$code, $out, $err] = $run('echo "bye"; exit(7);');
        $this->assertSame([7, 'bye', ''], [$code, $out, $err]);
        [$code, $out, $err] = $run('ini_set("memory_limit", "8M"); return str_repeat("x", 64 << 20);');
        $this->assertSame([255, ''], [$code, $out]);
        $this->assertStringContainsString('Allowed memory size of 8388608 bytes exhausted', $err);
    }

    public function testFromUriOnAKeyFileIsTheInMemoryKey(): void
    {
        foreach (taap_vectors('tokens.json')['cases'] as $case) {
            $signer = Signer::fromUri(TAAP_KEYS . '/' . $case['key'], $case['password']);
            $this->assertSame('in-memory', $signer->kind());
            $this->assertSame($case['token'], PopToken::build($signer, $case['ehts'], self::options($case)), $case['name']);
        }
        $signer = Signer::fromUri(TAAP_KEYS . '/tmobile/readme-private-pkcs8.pem');
        $this->assertSame('RSA-2048 key ' . $signer->publicKey()->thumbprint(), $signer->label());
        $this->assertSame('KeyDecrypt', taap_outcome(fn () => Signer::fromUri(TAAP_KEYS . '/tmobile/pbes2-aes256-a-private.pem', 'wrong')));
        $this->assertSame('InvalidKey', taap_outcome(fn () => Signer::fromUri(TAAP_KEYS . '/no-such-key.pem')));
    }

    /** Runs a tool of the SoftHSM2 set-up; a missing tool fails with what to install. */
    private static function tool(string ...$command): string
    {
        $process = proc_open($command, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
        $out = stream_get_contents($pipes[1]) . stream_get_contents($pipes[2]);
        $code = proc_close($process);
        if ($code === 127 || $code === -1) {
            self::fail("{$command[0]} cannot run; install softhsm2, opensc and openssl with `bash scripts/setup.sh`");
        }
        if ($code !== 0) {
            self::fail(implode(' ', $command) . " failed ($code): $out");
        }
        return $out;
    }

    /** One SoftHSM2 for the run: tokens `taap` (the vector keys) and `other`, in a temp folder. */
    private static function hsm(): string
    {
        if (self::$hsm !== null) {
            return self::$hsm;
        }
        foreach (['softhsm2-util', 'pkcs11-tool', 'openssl'] as $tool) {
            if (trim((string) shell_exec('command -v ' . escapeshellarg($tool))) === '') {
                self::fail("$tool is missing; install softhsm2, opensc and openssl with `bash scripts/setup.sh`");
            }
        }
        if (!is_file(self::MODULE)) {
            self::fail(self::MODULE . ' is missing; install softhsm2 with `bash scripts/setup.sh`');
        }
        $folder = sys_get_temp_dir() . '/taap-php-softhsm-' . getmypid();
        self::tool('rm', '-rf', $folder);
        mkdir("$folder/tokens", 0700, true);
        file_put_contents("$folder/softhsm2.conf", "directories.tokendir = $folder/tokens\nobjectstore.backend = file\nlog.level = ERROR\n");
        // Set before the extension first loads the module in this process; the tools inherit it.
        putenv("SOFTHSM2_CONF=$folder/softhsm2.conf");
        foreach (['taap' => self::PIN, 'other' => self::OTHER_PIN] as $label => $pin) {
            self::tool('softhsm2-util', '--init-token', '--free', '--label', $label, '--so-pin', self::SO_PIN, '--pin', $pin);
        }
        foreach (taap_vectors('tokens.json')['cases'] as $case) {
            $key = self::opensslKey($case);
            $label = 'v' . substr(hash('sha256', openssl_pkey_get_details($key)['rsa']['n']), 0, 12);
            if (!in_array($label, self::$labels, true)) {
                // PKCS#8 DER from PHP's OpenSSL, imported sensitive; the file goes at once.
                openssl_pkey_export($key, $pem);
                $der = "$folder/$label.der";
                file_put_contents($der, base64_decode(preg_replace('/-----[^-]+-----|\s/', '', $pem)));
                self::tool('pkcs11-tool', '--module', self::MODULE, '--token-label', 'taap', '--login', '--pin', self::PIN,
                    '--write-object', $der, '--type', 'privkey', '--label', $label, '--id', sprintf('%02x', 16 + count(array_unique(self::$labels))),
                    '--usage-sign', '--sensitive');
                unlink($der);
            }
            self::$labels[$case['key']] = $label;
        }
        return self::$hsm = $folder;
    }

    private static function uri(string $object, bool $pin = true): string
    {
        return "pkcs11:token=taap;object=$object?module-path=" . self::MODULE . ($pin ? '&pin-value=' . self::PIN : '');
    }

    public function testEveryVectorTokenMadeInSoftHsmIsByteIdentical(): void
    {
        self::hsm();
        $signers = [];
        foreach (taap_vectors('tokens.json')['cases'] as $case) {
            $label = self::$labels[$case['key']];
            $signer = $signers[$label] ??= Signer::fromUri(self::uri($label));
            $this->assertSame('pkcs11', $signer->kind());
            $this->assertSame($case['token'], PopToken::build($signer, $case['ehts'], self::options($case)), $case['name']);
        }
        $this->assertCount(5, $signers, 'distinct vector keys');
        // Imported sensitive and not extractable: pkcs11-tool lists its access as `sensitive` only.
        $listed = self::tool('pkcs11-tool', '--module', self::MODULE, '--token-label', 'taap', '--login', '--pin', self::PIN,
            '--list-objects', '--type', 'privkey');
        $this->assertSame(5, preg_match_all('/^\s*Access:\s*sensitive\s*$/m', $listed), $listed);
        $this->assertStringNotContainsString('extractable', $listed);
    }

    public function testThePinComesFromTheUriOrThePassword(): void
    {
        self::hsm();
        $case = self::firstCase();
        $label = self::$labels[$case['key']];
        $signer = Signer::fromUri(self::uri($label, pin: false), self::PIN);
        $this->assertSame($case['token'], PopToken::build($signer, $case['ehts'], self::options($case)));
        // A PKCS#11 login is the process's, so a wrong PIN is shown on `other`, which no test logs in to.
        $other = 'pkcs11:token=other;object=k?module-path=' . self::MODULE;
        $wrong = $this->thrown(fn () => Signer::fromUri($other, 'not-it'));
        $this->assertSame(Taap\KeyDecryptException::class, get_class($wrong));
        $this->assertStringStartsWith('cannot decrypt the private key: the PIN for PKCS#11 token "other" (slot ', $wrong->getMessage());
        $wrong = $this->thrown(fn () => Signer::fromUri("$other&pin-value=" . self::PIN));
        $this->assertSame(Taap\KeyDecryptException::class, get_class($wrong));
        $this->assertStringNotContainsString(self::PIN, $wrong->getMessage() . $wrong->getTraceAsString());
        $missing = $this->thrown(fn () => Signer::fromUri(self::uri('absent')));
        $this->assertSame(Taap\InvalidKeyException::class, get_class($missing));
        $this->assertStringNotContainsString(self::PIN, $missing->getMessage());
        $this->assertSame(
            'invalid configuration: bad pkcs11: URI: name the key with object=LABEL or id=%XX…',
            $this->thrown(fn () => Signer::fromUri('pkcs11:token=taap?module-path=' . self::MODULE))->getMessage(),
        );
    }

    public function testDumpsOfASignerWithAPinValueNeverShowThePin(): void
    {
        self::hsm();
        $label = self::$labels[self::firstCase()['key']];
        $signer = Signer::fromUri(self::uri($label));
        $this->assertStringStartsWith("pkcs11:token=taap;object=$label (slot ", $signer->label());
        $this->assertStringEndsWith(', module ' . self::MODULE . ')', $signer->label());
        $shown = self::dumped($signer) . print_r($signer, true) . var_export($signer, true) . json_encode($signer)
            . print_r((array) $signer, true) . print_r([$signer], true) . $signer->label() . self::dumped(new ArrayObject([$signer]));
        $this->assertStringNotContainsString(self::PIN, $shown);
        $this->assertStringNotContainsString('pin-value', $shown);
        $this->assertSame("object(Taap\\Signer)#" . spl_object_id($signer) . " (0) {\n}\n", self::dumped($signer));
    }

    private static function dumped(mixed $value): string
    {
        ob_start();
        var_dump($value);
        return ob_get_clean();
    }

    public function testATaapClientSignsItsCallsThroughACallbackSigner(): void
    {
        $taap = getenv('TAAP_BIN') ?: __DIR__ . '/../../target/release/taap';
        $secret = 'php-signer-' . bin2hex(random_bytes(8));
        $log = tempnam(sys_get_temp_dir(), 'taap-php-signer-gateway');
        $command = [$taap, 'serve', '--port', '0', '--client-id', 'php-client', '--client-secret-env', 'TAAP_PHP_SECRET',
            '--public-key', TAAP_KEYS . '/tmobile/readme-public.pem'];
        $process = proc_open($command, [1 => ['file', $log, 'w'], 2 => ['file', $log, 'a']], $pipes, null, ['TAAP_PHP_SECRET' => $secret] + getenv());
        try {
            for ($i = 0; $i < 300 && !preg_match('/^listening on (\S+)/m', (string) file_get_contents($log), $found); $i++) {
                usleep(100_000);
            }
            $gateway = $found[1] ?? $this->fail('taap serve did not start: ' . file_get_contents($log));
            $key = openssl_pkey_get_private(file_get_contents(TAAP_KEYS . '/tmobile/readme-private-pkcs8.pem'));
            $signer = self::callbackSigner($key, $digests, 'php-openssl');
            foreach (['v2', 'v6'] as $flavor) {
                $client = new TaapClient(['clientId' => 'php-client', 'clientSecret' => $secret, 'key' => $signer,
                    'server' => "$gateway/oauth2/$flavor/tokens"]);
                $response = $client->send('POST', "$gateway/commerce/v1/orders", ['Content-Type' => 'application/json'], '{"orderId": 100}');
                $this->assertSame(201, $response->status, "$flavor: " . $response->body);
            }
            // Each flavour signed its token request and its API call through the callback.
            $this->assertGreaterThanOrEqual(3, count($digests));
            // A callback that fails is the client's exception too, and the client lives on.
            $fails = Signer::fromCallback($signer->publicKey(), fn () => throw new DomainException('device gone'), 'gone');
            $client = new TaapClient(['clientId' => 'php-client', 'clientSecret' => $secret, 'key' => $fails,
                'server' => "$gateway/oauth2/v2/tokens", 'maxRetries' => 0]);
            $error = $this->thrown(fn () => $client->send('GET', "$gateway/commerce/v1/orders"));
            $this->assertSame(TransportException::class, get_class($error));
            $this->assertInstanceOf(DomainException::class, $error->getPrevious());
            unset($signer, $client);
        } finally {
            proc_terminate($process);
            proc_close($process);
            unlink($log);
        }
    }

    /**
     * Runs $test with the AWS variables pointing at a stand-in KMS (tests/support/kms.php under
     * PHP's built-in server) holding $keys (key id => OpenSSL key); returns what it was asked.
     */
    private function withKms(array $keys, callable $test, array $env = []): array
    {
        $folder = sys_get_temp_dir() . '/taap-php-kms-' . getmypid() . '-' . bin2hex(random_bytes(4));
        mkdir($folder, 0700);
        $files = [];
        foreach ($keys as $id => $key) {
            openssl_pkey_export($key, $pem);
            file_put_contents($files[$id] = "$folder/" . count($files) . '.pem', $pem);
            $files[$id] = [$files[$id], null];
        }
        $probe = stream_socket_server('tcp://127.0.0.1:0');
        $address = stream_socket_get_name($probe, false);
        fclose($probe);
        $log = "$folder/asked.jsonl";
        touch($log);
        $server = proc_open([PHP_BINARY, '-n', '-S', $address, __DIR__ . '/support/kms.php'],
            [1 => ['file', "$folder/server.log", 'w'], 2 => ['file', "$folder/server.log", 'a']], $pipes, null,
            ['TAAP_FAKE_KMS_KEYS' => json_encode($files), 'TAAP_FAKE_KMS_LOG' => $log] + $env + getenv());
        $variables = ['AWS_ENDPOINT_URL_KMS' => "http://$address/", 'AWS_ACCESS_KEY_ID' => 'AKIATESTING',
            'AWS_SECRET_ACCESS_KEY' => 'kms-secret-never-shown', 'AWS_REGION' => 'us-east-1', 'AWS_SESSION_TOKEN' => null];
        $before = array_map(fn ($name) => getenv($name), array_combine(array_keys($variables), array_keys($variables)));
        try {
            for ($i = 0; $i < 100 && ($socket = @stream_socket_client("tcp://$address")) === false; $i++) {
                usleep(50_000);
            }
            $this->assertNotFalse($socket, 'the stand-in KMS did not start: ' . @file_get_contents("$folder/server.log"));
            fclose($socket);
            foreach ($variables as $name => $value) {
                putenv($value === null ? $name : "$name=$value");
            }
            $test();
            return array_map(fn ($line) => json_decode($line, true), file($log, FILE_IGNORE_NEW_LINES));
        } finally {
            foreach ($before as $name => $value) {
                putenv($value === false ? $name : "$name=$value");
            }
            proc_terminate($server);
            proc_close($server);
            self::tool('rm', '-rf', $folder);
        }
    }

    public function testEveryVectorTokenMadeThroughAwsKmsIsByteIdentical(): void
    {
        $cases = taap_vectors('tokens.json')['cases'];
        $aliases = [];
        $keys = [];
        foreach ($cases as $case) {
            $aliases[$case['key']] ??= 'alias/vector' . count($aliases);
            $keys[$aliases[$case['key']]] ??= self::opensslKey($case);
        }
        $asked = $this->withKms($keys, function () use ($cases, $aliases, $keys) {
            $signers = [];
            foreach (array_keys($keys) as $alias) {
                $signers[$alias] = Signer::fromUri("aws-kms:$alias");
            }
            foreach ($cases as $case) {
                $this->assertSame($case['token'], PopToken::build($signers[$aliases[$case['key']]], $case['ehts'], self::options($case)), $case['name']);
            }
            $signer = $signers['alias/vector0'];
            $this->assertSame(['aws-kms', 'aws-kms:alias/vector0 (us-east-1)'], [$signer->kind(), $signer->label()]);
            $this->assertStringNotContainsString('kms-secret-never-shown', self::dumped($signer) . print_r($signer, true) . var_export($signer, true));
        });
        $actions = array_count_values(array_column($asked, 'action'));
        $this->assertSame(['GetPublicKey' => count($keys), 'Sign' => count($cases)], $actions);
        $this->assertSame([true], array_values(array_unique(array_column($asked, 'signed'))), 'every request is SigV4-signed');
    }

    public function testAKmsKeyThatCannotSignOrSignsWronglyIsRefused(): void
    {
        $case = self::firstCase();
        $keys = ['alias/taap-pop' => self::opensslKey($case)];
        $this->withKms($keys, function () {
            $error = $this->thrown(fn () => Signer::fromUri('aws-kms:alias/taap-pop'));
            $this->assertSame(Taap\InvalidKeyException::class, get_class($error));
            $this->assertSame('invalid key: the KMS key aws-kms:alias/taap-pop (us-east-1) is for ENCRYPT_DECRYPT, not SIGN_VERIFY', $error->getMessage());
        }, ['TAAP_FAKE_KMS_USAGE' => 'ENCRYPT_DECRYPT']);
        $this->withKms($keys, function () use ($case) {
            $signer = Signer::fromUri('aws-kms:alias/taap-pop');
            $error = $this->thrown(fn () => PopToken::build($signer, $case['ehts'], self::options($case)));
            $this->assertSame(SignatureInvalidException::class, get_class($error));
            $this->assertStringStartsWith('PoP token signature invalid: the aws-kms signer (aws-kms:alias/taap-pop (us-east-1)) returned a signature that does not verify', $error->getMessage());
        }, ['TAAP_FAKE_KMS_CORRUPT' => '1']);
        $this->assertSame('Config', taap_outcome(fn () => Signer::fromUri('aws-kms:')));
    }

    public static function tearDownAfterClass(): void
    {
        if (self::$hsm !== null) {
            self::tool('rm', '-rf', self::$hsm);
        }
    }
}
