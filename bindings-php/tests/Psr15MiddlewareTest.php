<?php
// Taap\Psr15\PopMiddleware (PSR-15) on Taap\PopGate: the exact answers (status, headers, JSON
// body) of the core, the body limit before and while reading, key lookup by client id, option
// errors, a shared replay store that is down (fail closed, 503) and a real redis-server shared
// by two middleware instances. Tokens are made without taap:
// openssl_sign over the JWS input, with the README key pair of tests/keys and a fresh iat.
declare(strict_types=1);

const TAAP_NYHOLM = '/usr/share/php/Nyholm/Psr7/autoload.php';
if (!is_file(TAAP_NYHOLM)) {
    throw new RuntimeException(TAAP_NYHOLM . ' is missing: apt-get install php-nyholm-psr7 (bash scripts/setup.sh)');
}
require_once TAAP_NYHOLM;
require_once __DIR__ . '/support/psr15.php';

use Nyholm\Psr7\Factory\Psr17Factory;
use PHPUnit\Framework\TestCase;
use Psr\Http\Message\ResponseInterface;
use Psr\Http\Message\ServerRequestInterface;
use Psr\Http\Message\StreamInterface;
use Psr\Http\Server\RequestHandlerInterface;
use Taap\ConfigException;
use Taap\KeySource;
use Taap\PopGate;
use Taap\Psr15\PopMiddleware;
use Taap\PublicKey;

final class Psr15MiddlewareTest extends TestCase
{
    private const PRIVATE = TAAP_KEYS . '/tmobile/readme-private-pkcs8.pem';
    private const PUBLIC = TAAP_KEYS . '/tmobile/readme-public.pem';
    private const JSON = ['content-type' => ['application/json']];
    private const REFUSED = self::JSON + ['www-authenticate' => ['PoP realm="taap"']];

    private Psr17Factory $factory;
    /** @var list<ServerRequestInterface> what reached the handler */
    private array $handled = [];
    /** @var list<string> the body each handled request carried */
    private array $bodies = [];

    protected function setUp(): void
    {
        $this->factory = new Psr17Factory();
        $this->handled = [];
        $this->bodies = [];
    }

    public function testASignedRequestReachesTheHandlerWithItsBodyAndItsReplayIsRefused(): void
    {
        $middleware = $this->middleware(file_get_contents(self::PUBLIC));
        $body = '{"orderId": 100}';
        $token = self::token(['Content-Type' => 'application/json', 'uri' => '/orders?account=1', 'http-method' => 'POST', 'body' => $body]);
        $request = $this->request('POST', '/orders?account=1', ['Content-Type' => 'application/json', 'X-Authorization' => $token], $body);
        $response = $middleware->process($request, $this->handler());
        $this->assertSame(200, $response->getStatusCode());
        $this->assertSame('handled', (string) $response->getBody());
        $this->assertSame([$body], $this->bodies, 'the handler reads the whole body from its start');

        $again = $middleware->process($request, $this->handler());
        $this->assertAnswer(401, self::REFUSED, ['error' => 'Replay',
            'message' => 'replayed PoP token: this jti was already used; build a fresh token for every call'], $again);
        $this->assertCount(1, $this->handled);
    }

    public function testAMissingTokenIsRefused(): void
    {
        $response = $this->middleware(PublicKey::fromFile(self::PUBLIC))->process($this->request('GET', '/items/42'), $this->handler());
        $this->assertAnswer(401, self::REFUSED, ['error' => 'InvalidToken',
            'message' => 'invalid PoP token: X-Authorization (the PoP token) is missing'], $response);
        $this->assertSame([], $this->handled);
    }

    public function testATokenForAnotherTargetIsAnEdtsMismatch(): void
    {
        $token = self::token(['uri' => '/items/43?a=1', 'http-method' => 'GET']);
        $request = $this->request('GET', '/items/42?a=1', ['X-Authorization' => $token]);
        $response = $this->middleware(PublicKey::fromFile(self::PUBLIC))->process($request, $this->handler());
        $this->assertAnswer(401, self::REFUSED, ['error' => 'EdtsMismatch',
            'message' => 'edts mismatch: the request\'s values differ from the ones the token signed (check headers, uri, method and body byte for byte)'], $response);
        $this->assertSame([], $this->handled);
    }

    public function testABodyOfKnownSizeOverMaxBodyIs413AndIsNotRead(): void
    {
        $stream = $this->factory->createStream('12345');
        $request = $this->request('POST', '/upload')->withBody($stream);
        $response = $this->middleware(PublicKey::fromFile(self::PUBLIC), ['maxBody' => 4])->process($request, $this->handler());
        $this->assertAnswer(413, self::JSON, ['error' => 'RequestTooLarge', 'message' => 'the body is larger than 4 bytes'], $response);
        $this->assertSame([], $this->handled);
        $this->assertSame(5, $stream->tell(), 'createStream leaves the position at the end; nothing moved it');
    }

    public function testABodyOfUnknownSizeIsReadNoFurtherThanMaxBodyPlusOne(): void
    {
        $stream = new OneWayStream(str_repeat('x', 1 << 20));
        $response = $this->middleware(PublicKey::fromFile(self::PUBLIC), ['maxBody' => 4])
            ->process($this->request('POST', '/upload')->withBody($stream), $this->handler());
        $this->assertAnswer(413, self::JSON, ['error' => 'RequestTooLarge', 'message' => 'the body is larger than 4 bytes'], $response);
        $this->assertSame([], $this->handled);
        $this->assertSame(5, $stream->delivered);
    }

    public function testABodyOfUnknownSizeWithinTheLimitReachesTheHandlerIntact(): void
    {
        $body = "{\"chunk\": 1}\0\xff";
        $token = self::token(['uri' => '/upload', 'http-method' => 'PUT', 'body' => $body]);
        $request = $this->request('PUT', '/upload', ['X-Authorization' => $token])->withBody(new OneWayStream($body));
        $response = $this->middleware(PublicKey::fromFile(self::PUBLIC), ['maxBody' => strlen($body)])->process($request, $this->handler());
        $this->assertSame(200, $response->getStatusCode());
        $this->assertSame([$body], $this->bodies);
    }

    public function testTheKeyIsLookedUpByTheClientIdHeader(): void
    {
        $asked = [];
        $lookup = static function (string $clientId) use (&$asked): ?string {
            $asked[] = $clientId;
            return $clientId === 'acme' ? file_get_contents(self::PUBLIC) : null;
        };
        $middleware = $this->middleware($lookup, ['clientIdHeader' => 'X-Partner']);
        $signed = fn (string ...$partners) => array_reduce($partners, fn ($request, $partner) => $request->withAddedHeader('X-Partner', $partner),
            $this->request('GET', '/items/42', ['X-Authorization' => self::token(['uri' => '/items/42', 'http-method' => 'GET'])]));

        $this->assertSame(200, $middleware->process($signed('acme'), $this->handler())->getStatusCode());
        $this->assertAnswer(401, self::REFUSED, ['error' => 'InvalidToken',
            'message' => 'invalid PoP token: no public key is registered for this client id'], $middleware->process($signed('other'), $this->handler()));
        $this->assertAnswer(401, self::REFUSED, ['error' => 'InvalidToken',
            'message' => 'invalid PoP token: the x-partner header appears 2 times; send it once'], $middleware->process($signed('acme', 'acme'), $this->handler()));
        $this->assertAnswer(401, self::REFUSED, ['error' => 'InvalidToken',
            'message' => 'invalid PoP token: the x-partner header (the client id) is missing'], $middleware->process($signed(), $this->handler()));
        $this->assertSame(['acme', 'other'], $asked);
        $this->assertCount(1, $this->handled);
    }

    public function testALookedUpJwkIsAKeyToo(): void
    {
        $jwk = PublicKey::fromFile(self::PUBLIC)->toJwk();
        $middleware = $this->middleware(static fn (string $clientId) => $jwk);
        $request = $this->request('GET', '/a', ['X-Client-Id' => 'acme', 'X-Authorization' => self::token(['uri' => '/a', 'http-method' => 'GET'])]);
        $this->assertSame(200, $middleware->process($request, $this->handler())->getStatusCode());
    }

    public function testOptionsAreTheSchemasWithItsMessages(): void
    {
        $this->assertSame('invalid configuration: option maxAge is 0; choose 1 to 3600 seconds',
            $this->configError(['maxAge' => 0]));
        $takes = 'the middleware takes leeway, maxAge, required, maxBody, clientIdHeader, replayStore';
        $this->assertSame("invalid configuration: unknown option max_age; $takes", $this->configError(['max_age' => 60]));
        $this->assertSame("invalid configuration: unknown option replayCache; $takes", $this->configError(['replayCache' => 10]));
        $gate = new PopGate(['maxBody' => 9, 'clientIdHeader' => 'X-Partner']);
        $this->assertSame([9, 'x-partner'], [$gate->maxBody(), $gate->clientIdHeader()]);
        $this->assertSame(1048576, (new PopGate())->maxBody());
    }

    public function testARedisReplayStoreThatIsDownIs503(): void
    {
        $port = self::closedPort();
        $middleware = $this->middleware(PublicKey::fromFile(self::PUBLIC), ['replayStore' => "redis://127.0.0.1:$port"]);
        $request = $this->request('GET', '/a', ['X-Authorization' => self::token(['uri' => '/a', 'http-method' => 'GET'])]);
        $response = $middleware->process($request, $this->handler());
        $this->assertAnswer(503, self::JSON + ['retry-after' => ['1']], ['error' => 'replay_store_unavailable', 'store' => 'redis',
            'message' => 'the replay store (redis) is unavailable: Redis is unreachable; retry shortly'], $response);
        $this->assertSame([], $this->handled);
    }

    public function testTwoWorkersSharingARealRedisRefuseEachOthersReplay(): void
    {
        $redis = self::startRedis();
        try {
            // No leeway: the store vouches for tokens from its own start on, and this one is 1 s younger.
            $options = ['replayStore' => "redis://127.0.0.1:{$redis['port']}/0", 'leeway' => 0];
            $one = $this->middleware(file_get_contents(self::PUBLIC), $options);
            $two = $this->middleware(file_get_contents(self::PUBLIC), $options);
            sleep(1);
            usleep(100_000);
            $body = '{"orderId": 100}';
            $token = self::token(['uri' => '/orders', 'http-method' => 'POST', 'body' => $body]);
            $request = $this->request('POST', '/orders', ['X-Authorization' => $token], $body);
            $this->assertSame(200, $one->process($request, $this->handler())->getStatusCode());
            $this->assertAnswer(401, self::REFUSED, ['error' => 'Replay', 'message' => 'replayed PoP token: this jti was '
                . 'already used (shared replay store); build a fresh token for every call'], $two->process($request, $this->handler()));
            $this->assertSame([$body], $this->bodies);
        } finally {
            proc_terminate($redis['process'], 9);
            proc_close($redis['process']);
            exec('rm -rf ' . escapeshellarg($redis['dir']));
        }
    }

    public function testTheReadmeExampleRuns(): void
    {
        $folder = sys_get_temp_dir() . '/taap-php-psr15-' . bin2hex(random_bytes(6));
        mkdir("$folder/keys", 0700, true);
        mkdir("$folder/vendor");
        copy(self::PRIVATE, "$folder/keys/private-key.pem");
        copy(self::PUBLIC, "$folder/keys/public-key.pem");
        // Composer's autoloader would bring nyholm/psr7 and PSR-15; here Debian's and the fixture.
        file_put_contents("$folder/vendor/autoload.php", "<?php\n" . implode('', array_map(
            static fn (string $file) => 'require_once ' . var_export($file, true) . ";\n",
            [realpath(__DIR__ . '/../php/autoload.php'), TAAP_NYHOLM, realpath(__DIR__ . '/support/psr15.php')],
        )));
        file_put_contents("$folder/example.php", self::readmeExample());
        $extension = getenv('TAAP_PHP_EXT') ?: __DIR__ . '/../../target/release/libtaap_php.so';
        $process = proc_open([PHP_BINARY, '-d', "extension=$extension", 'example.php'],
            [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['redirect', 1]], $pipes, $folder);
        $output = stream_get_contents($pipes[1]);
        fclose($pipes[1]);
        $status = proc_close($process);
        exec('rm -rf ' . escapeshellarg($folder));
        $this->assertSame(0, $status, $output);
        $this->assertSame("200 hello\n" . '401 {"error":"Replay","message":"replayed PoP token: this jti was already used; '
            . 'build a fresh token for every call"}' . "\n", $output);
    }

    /** The ```php fragment block of the README's "PSR-15 middleware" section. */
    private static function readmeExample(): string
    {
        $readme = file_get_contents(__DIR__ . '/../README.md');
        $section = explode("\n## ", explode("\n## PSR-15 middleware\n", $readme, 2)[1] ?? '', 2)[0];
        if (!preg_match('/^```php fragment\n(.*?)^```$/ms', $section, $found)) {
            throw new RuntimeException('README.md has no ```php fragment block under "## PSR-15 middleware"');
        }
        return $found[1];
    }

    private function configError(array $options): string
    {
        try {
            $this->middleware(PublicKey::fromFile(self::PUBLIC), $options);
        } catch (ConfigException $error) {
            return $error->getMessage();
        }
        $this->fail('no ConfigException for ' . json_encode($options));
    }

    public function testAKeySourceAdmitsEachOfItsKeysAndRefusesOthers(): void
    {
        $other = openssl_pkey_new(['private_key_bits' => 2048]);
        $stranger = openssl_pkey_new(['private_key_bits' => 2048]);
        $keys = KeySource::parse(self::jwks(file_get_contents(self::PUBLIC), openssl_pkey_get_details($other)['key']));
        $this->assertSame(['fixed', 2], [$keys->kind(), $keys->size()]);
        $middleware = $this->middleware($keys);
        foreach ([null, $other] as $key) {
            $response = $middleware->process($this->signedGet($key), $this->handler());
            $this->assertSame(200, $response->getStatusCode());
        }
        $refused = $middleware->process($this->signedGet($stranger), $this->handler());
        $this->assertSame(401, $refused->getStatusCode());
        $this->assertSame('SignatureInvalid', json_decode((string) $refused->getBody(), true)['error']);
        // A lookup may answer with a client's key source too.
        $lookedUp = $this->middleware(static fn (string $id): ?KeySource => $id === 'rotating' ? $keys : null);
        $request = $this->signedGet($other, ['x-client-id' => 'rotating']);
        $this->assertSame(200, $lookedUp->process($request, $this->handler())->getStatusCode());
    }

    public function testAKeyFileIsReadAgainWhenItChanges(): void
    {
        $new = openssl_pkey_new(['private_key_bits' => 2048]);
        $path = tempnam(sys_get_temp_dir(), 'taap-keys-');
        try {
            file_put_contents($path, self::jwks(file_get_contents(self::PUBLIC)));
            $middleware = $this->middleware(KeySource::fromFile($path));
            $this->assertSame(200, $middleware->process($this->signedGet(), $this->handler())->getStatusCode());
            $this->assertSame(401, $middleware->process($this->signedGet($new), $this->handler())->getStatusCode());
            file_put_contents($path, self::jwks(openssl_pkey_get_details($new)['key']));
            touch($path, time() + 5); // a modification time the check cannot miss
            usleep(1_100_000); // the file is looked at once a second at most
            $this->assertSame(200, $middleware->process($this->signedGet($new), $this->handler())->getStatusCode());
            $this->assertSame(401, $middleware->process($this->signedGet(), $this->handler())->getStatusCode());
        } finally {
            unlink($path);
        }
    }

    public function testAKeySourceThatCannotBeFetchedIs503(): void
    {
        $url = 'http://127.0.0.1:' . self::closedPort() . '/jwks.json';
        $keys = KeySource::fromJwksUrl($url);
        $this->assertSame('jwks', $keys->kind());
        $response = $this->middleware($keys)->process($this->signedGet(), $this->handler());
        $this->assertSame(503, $response->getStatusCode());
        $this->assertSame('1', $response->getHeaderLine('retry-after'));
        $body = json_decode((string) $response->getBody(), true);
        $this->assertSame('KeySourceUnavailable', $body['error']);
        $this->assertStringStartsWith('key source unavailable: ', $body['message']);
        $this->assertSame([], $this->handled);
        $this->expectException(\Taap\KeySourceUnavailableException::class);
        $keys->size();
    }

    /** A JWK set of the PEM public keys given. */
    private static function jwks(string ...$pems): string
    {
        $keys = array_map(static fn (string $pem) => json_decode(PublicKey::fromPem($pem)->toJwk(), true), $pems);
        return json_encode(['keys' => $keys], JSON_THROW_ON_ERROR);
    }

    /** A GET of /items signed by $key (the README key when null), with $headers. */
    private function signedGet(?\OpenSSLAsymmetricKey $key = null, array $headers = []): ServerRequestInterface
    {
        $token = self::token(['uri' => '/items', 'http-method' => 'GET'], $key);
        return $this->request('GET', '/items', $headers + ['X-Authorization' => $token]);
    }

    private function middleware(PublicKey|KeySource|string|callable $key, array $options = []): PopMiddleware
    {
        return new PopMiddleware($key, $this->factory, $this->factory, $options);
    }

    /** A handler that records the request and the body it reads, and answers 200 "handled". */
    private function handler(): RequestHandlerInterface
    {
        return new class ($this) implements RequestHandlerInterface {
            public function __construct(private Psr15MiddlewareTest $test) {}

            public function handle(ServerRequestInterface $request): ResponseInterface
            {
                $this->test->handled($request);
                return (new Psr17Factory())->createResponse(200)->withBody((new Psr17Factory())->createStream('handled'));
            }
        };
    }

    public function handled(ServerRequestInterface $request): void
    {
        $this->handled[] = $request;
        $this->bodies[] = $request->getBody()->getContents();
    }

    /** @param array<string, string> $headers */
    private function request(string $method, string $target, array $headers = [], string $body = ''): ServerRequestInterface
    {
        $request = $this->factory->createServerRequest($method, "https://api.example$target");
        foreach ($headers as $name => $value) {
            $request = $request->withHeader($name, $value);
        }
        // A parsed server body starts at 0, as a PHP server's php://input does.
        $stream = $this->factory->createStream($body);
        $stream->rewind();
        return $request->withBody($stream);
    }

    private function assertAnswer(int $status, array $headers, array $body, ResponseInterface $response): void
    {
        $this->assertSame($status, $response->getStatusCode());
        $this->assertSame($headers, $response->getHeaders());
        $this->assertSame(json_encode($body, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE), (string) $response->getBody());
    }

    /** A PoP token for the ordered $ehts, signed with openssl_sign: nothing of taap. */
    private static function token(array $ehts, ?\OpenSSLAsymmetricKey $key = null): string
    {
        $b64 = static fn (string $bytes) => rtrim(strtr(base64_encode($bytes), '+/', '-_'), '=');
        $iat = time();
        $claims = ['edts' => $b64(hash('sha256', implode('', $ehts), true)), 'v' => '1', 'exp' => $iat + 120,
            'ehts' => implode(';', array_keys($ehts)), 'iat' => $iat, 'jti' => bin2hex(random_bytes(16))];
        $input = $b64('{"alg":"RS256","typ":"JWT"}') . '.' . $b64(json_encode($claims, JSON_UNESCAPED_SLASHES | JSON_THROW_ON_ERROR));
        if (!openssl_sign($input, $signature, $key ?? openssl_pkey_get_private(file_get_contents(self::PRIVATE)), OPENSSL_ALGO_SHA256)) {
            throw new RuntimeException('openssl_sign failed: ' . openssl_error_string());
        }
        return "$input." . $b64($signature);
    }

    /**
     * A throwaway redis-server on a free loopback port (its own directory, no persistence);
     * fails, never skips, when redis-server is not installed.
     *
     * @return array{process: resource, port: int, dir: string}
     */
    private static function startRedis(): array
    {
        $binary = trim((string) shell_exec('command -v redis-server'));
        if ($binary === '') {
            self::fail('redis-server is not installed: run `bash scripts/setup.sh` (or apt-get install redis-server)');
        }
        $port = self::closedPort();
        $dir = sys_get_temp_dir() . '/taap-php-redis-' . bin2hex(random_bytes(6));
        mkdir($dir, 0700);
        $process = proc_open([$binary, '--port', (string) $port, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', $dir],
            [0 => ['file', '/dev/null', 'r'], 1 => ['file', '/dev/null', 'w'], 2 => ['file', '/dev/null', 'w']], $pipes);
        for ($waited = 0; !($probe = @stream_socket_client("tcp://127.0.0.1:$port", $errno, $error, 0.2)); $waited++) {
            if ($waited > 500) {
                proc_terminate($process, 9);
                self::fail('redis-server did not start in 10 s');
            }
            usleep(20_000);
        }
        fclose($probe);
        return ['process' => $process, 'port' => $port, 'dir' => $dir];
    }

    /** A loopback port nothing listens on: bound, then closed. */
    private static function closedPort(): int
    {
        $server = stream_socket_server('tcp://127.0.0.1:0', $errno, $error) ?: throw new RuntimeException($error);
        $port = (int) substr(strrchr(stream_socket_get_name($server, false), ':'), 1);
        fclose($server);
        return $port;
    }
}

/** A body that can be read once, front to back (3 bytes a read at most), of unknown size; counts the bytes it gave. */
final class OneWayStream implements StreamInterface
{
    public int $delivered = 0;

    public function __construct(private string $bytes) {}

    public function read($length): string
    {
        $chunk = substr($this->bytes, $this->delivered, min($length, 3));
        $this->delivered += strlen($chunk);
        return $chunk;
    }

    public function eof(): bool
    {
        return $this->delivered >= strlen($this->bytes);
    }

    public function getSize(): ?int
    {
        return null;
    }

    public function isSeekable(): bool
    {
        return false;
    }

    public function isReadable(): bool
    {
        return true;
    }

    public function isWritable(): bool
    {
        return false;
    }

    public function getContents(): string
    {
        $rest = substr($this->bytes, $this->delivered);
        $this->delivered = strlen($this->bytes);
        return $rest;
    }

    public function __toString(): string
    {
        return $this->getContents();
    }

    public function close(): void
    {
    }

    public function detach()
    {
        return null;
    }

    public function tell(): int
    {
        return $this->delivered;
    }

    public function seek($offset, $whence = SEEK_SET): void
    {
        throw new RuntimeException('not seekable');
    }

    public function rewind(): void
    {
        throw new RuntimeException('not seekable');
    }

    public function write($string): int
    {
        throw new RuntimeException('not writable');
    }

    public function getMetadata($key = null)
    {
        return $key === null ? [] : null;
    }
}
