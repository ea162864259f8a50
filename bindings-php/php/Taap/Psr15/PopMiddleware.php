<?php
declare(strict_types=1);

namespace Taap\Psr15;

use Psr\Http\Message\ResponseFactoryInterface;
use Psr\Http\Message\ResponseInterface;
use Psr\Http\Message\ServerRequestInterface;
use Psr\Http\Message\StreamFactoryInterface;
use Psr\Http\Message\StreamInterface;
use Psr\Http\Server\MiddlewareInterface;
use Psr\Http\Server\RequestHandlerInterface;
use Taap\KeySource;
use Taap\PopGate;
use Taap\PublicKey;

/**
 * PSR-15 middleware that lets only requests carrying a valid PoP token (X-Authorization) reach
 * the handler. Every rule (options, client id, body limit, the refusals' status, headers and
 * JSON body) is the core's, through Taap\PopGate; this class only moves bytes between PSR-7
 * and it.
 *
 *     $middleware = new Taap\Psr15\PopMiddleware($publicKey, $responseFactory, $streamFactory,
 *         ['maxAge' => 60, 'replayStore' => 'redis://127.0.0.1:6379']);
 */
final class PopMiddleware implements MiddlewareInterface
{
    private PopGate $gate;
    private PublicKey|KeySource|null $key = null;
    /** @var (\Closure(string): (PublicKey|KeySource|string|null))|null */
    private ?\Closure $lookup = null;

    /**
     * @param PublicKey|KeySource|string|callable(string): (PublicKey|KeySource|string|null) $key
     *     the public key, a client's key source (several keys, a file re-read on change, a JWK
     *     set URL), PEM or JWK text, or a lookup from the client id (the clientIdHeader's value)
     *     to one of those, or null for a client without one
     * @param array<string, mixed> $options the middleware options of the core's settings
     *     schema: required, leeway, maxAge, maxBody, clientIdHeader, replayStore
     * @throws \Taap\ConfigException for an unknown option or a value out of range
     * @throws \Taap\InvalidKeyException when the key text is not an RSA public key
     */
    public function __construct(
        PublicKey|KeySource|string|callable $key,
        private ResponseFactoryInterface $responses,
        private StreamFactoryInterface $streams,
        array $options = [],
    ) {
        $this->gate = new PopGate($options);
        if (is_callable($key) && !is_string($key)) {
            $this->lookup = \Closure::fromCallable($key);
        } else {
            $this->key = self::publicKey($key);
        }
    }

    public function process(ServerRequestInterface $request, RequestHandlerInterface $handler): ResponseInterface
    {
        $stream = $request->getBody();
        $size = $stream->getSize();
        if ($size !== null && $size > $this->gate->maxBody()) {
            return $this->respond($this->gate->tooLarge());
        }
        $body = $this->read($stream);
        if (strlen($body) > $this->gate->maxBody()) {
            return $this->respond($this->gate->tooLarge());
        }
        $headers = [];
        foreach ($request->getHeaders() as $name => $values) {
            foreach ($values as $value) {
                $headers[] = [(string) $name, $value];
            }
        }
        $key = $this->key;
        if ($key === null) {
            $id = $this->gate->clientId($headers);
            if (is_array($id)) {
                return $this->respond($id);
            }
            $found = ($this->lookup)($id);
            if ($found === null) {
                return $this->respond($this->gate->unknownClient());
            }
            $key = self::publicKey($found);
        }
        [$method, $target] = [$request->getMethod(), $request->getRequestTarget()];
        $answer = $key instanceof KeySource
            ? $this->gate->checkSource($key, $method, $target, $headers, $body)
            : $this->gate->check($key, $method, $target, $headers, $body);
        if ($answer !== null) {
            return $this->respond($answer);
        }
        if ($stream->isSeekable()) {
            $stream->rewind();
        } else {
            // Read once and gone: the handler gets the same bytes in a new stream, from its start.
            $copy = $this->streams->createStream($body);
            if ($copy->isSeekable()) {
                $copy->rewind();
            }
            $request = $request->withBody($copy);
        }
        return $handler->handle($request);
    }

    /** The body from its start, at most maxBody + 1 bytes: one more than the limit shows it is over. */
    private function read(StreamInterface $stream): string
    {
        if ($stream->isSeekable()) {
            $stream->rewind();
        }
        $wanted = $this->gate->maxBody() + 1;
        $body = '';
        while (strlen($body) < $wanted && !$stream->eof()) {
            $chunk = $stream->read($wanted - strlen($body));
            if ($chunk === '') {
                break;
            }
            $body .= $chunk;
        }
        return $body;
    }

    private static function publicKey(PublicKey|KeySource|string $key): PublicKey|KeySource
    {
        if ($key instanceof PublicKey || $key instanceof KeySource) {
            return $key;
        }
        return str_starts_with(ltrim($key), '{') ? PublicKey::fromJwk($key) : PublicKey::fromPem($key);
    }

    /** @param array{status: int, headers: list<array{0: string, 1: string}>, body: string} $answer */
    private function respond(array $answer): ResponseInterface
    {
        $response = $this->responses->createResponse($answer['status']);
        foreach ($answer['headers'] as [$name, $value]) {
            $response = $response->withAddedHeader($name, $value);
        }
        return $response->withBody($this->streams->createStream($answer['body']));
    }
}
