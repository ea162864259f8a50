<?php
// The Guzzle middleware signs each request through the core policy (a local handler; no network).
declare(strict_types=1);

require_once '/usr/share/php/GuzzleHttp/autoload.php';

use GuzzleHttp\Client;
use GuzzleHttp\Handler\MockHandler;
use GuzzleHttp\HandlerStack;
use GuzzleHttp\Promise\Create;
use GuzzleHttp\Psr7\PumpStream;
use GuzzleHttp\Psr7\Response;
use PHPUnit\Framework\TestCase;
use Psr\Http\Message\RequestInterface;
use Taap\Guzzle\PopMiddleware;
use Taap\PopTokenValidator;
use Taap\PrivateKey;
use Taap\SignPolicy;

final class GuzzleTest extends TestCase
{
    public function testEachRequestCarriesAFreshTokenTheValidatorAccepts(): void
    {
        $key = PrivateKey::fromFile(TAAP_KEYS . '/tmobile/readme-private-pkcs8.pem');
        $sent = [];
        $mock = new MockHandler([new Response(200), new Response(201)]);
        $stack = HandlerStack::create(function (RequestInterface $request, array $options) use ($mock, &$sent) {
            $sent[] = $request;
            return $mock($request, $options);
        });
        $stack->push(PopMiddleware::create($key));
        $client = new Client(['handler' => $stack]);
        $body = '{"orderId": 100}';
        $client->post('https://api.t-mobile.com/commerce/v1/orders?account-number=0000000000', [
            'headers' => ['Content-Type' => 'application/json', 'Authorization' => 'Bearer t', 'Accept' => 'application/json'],
            'body' => $body,
        ]);
        $client->get('https://api.t-mobile.com/commerce/v1/orders/1');
        $this->assertCount(2, $sent);
        $validator = new PopTokenValidator(['replayCache' => 16]);
        $decoded = [];
        foreach ($sent as $request) {
            $headers = [];
            foreach (array_keys($request->getHeaders()) as $name) {
                $headers[] = [$name, $request->getHeaderLine($name)];
            }
            $target = $request->getUri()->getPath() . ($request->getUri()->getQuery() === '' ? '' : '?' . $request->getUri()->getQuery());
            $decoded[] = $validator->validateRequest($key->publicKey(), $request->getMethod(), $target, $headers, (string) $request->getBody());
        }
        $this->assertSame(['Content-Type', 'Authorization', 'uri', 'http-method', 'body'], $decoded[0]->claims()['ehts']);
        $this->assertSame(['uri', 'http-method', 'body'], $decoded[1]->claims()['ehts']);
        $this->assertNotSame($decoded[0]->claims()['jti'], $decoded[1]->claims()['jti']);
        $this->assertSame($body, (string) $sent[0]->getBody());
    }

    public function testANonSeekableBodyIsSignedAndStillSent(): void
    {
        $key = PrivateKey::fromFile(TAAP_KEYS . '/tmobile/readme-private-pkcs8.pem');
        $body = "{\"chunk\": 1}\0\xff{\"chunk\": 2}";
        $chunks = str_split($body, 5);
        // A pump stream reads from a generator: it can be read once and cannot seek.
        $stream = new PumpStream(static function () use (&$chunks) {
            return array_shift($chunks) ?? false;
        });
        $this->assertFalse($stream->isSeekable());
        $sent = [];
        $stack = HandlerStack::create(function (RequestInterface $request) use (&$sent) {
            $sent[] = $request;
            return Create::promiseFor(new Response(200));
        });
        $stack->push(PopMiddleware::create($key));
        (new Client(['handler' => $stack]))->post('https://api.t-mobile.com/upload', [
            'headers' => ['Content-Type' => 'application/octet-stream'],
            'body' => $stream,
        ]);
        $this->assertCount(1, $sent);
        $this->assertSame($body, (string) $sent[0]->getBody());
        $decoded = (new PopTokenValidator())->validate($sent[0]->getHeaderLine('X-Authorization'), $key->publicKey(), [
            'Content-Type' => 'application/octet-stream',
            'uri' => '/upload',
            'http-method' => 'POST',
            'body' => $body,
        ]);
        $this->assertSame(['Content-Type', 'uri', 'http-method', 'body'], $decoded->claims()['ehts']);
    }

    public function testThePlainHelperReturnsTheHeaderToAdd(): void
    {
        $key = PrivateKey::fromFile(TAAP_KEYS . '/tmobile/readme-private-pkcs8.pem');
        $added = SignPolicy::default()->withHeader('Accept')->headersFor($key, 'GET', 'https://h/a?b=c', ['Accept' => '*/*', 'X-Other' => '1']);
        $this->assertSame(['X-Authorization'], array_keys($added));
        $this->assertSame(['Accept', 'uri', 'http-method', 'body'], Taap\PopToken::decode($added['X-Authorization'])->claims()['ehts']);
    }
}
