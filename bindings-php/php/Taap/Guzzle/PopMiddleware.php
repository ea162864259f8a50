<?php
declare(strict_types=1);

namespace Taap\Guzzle;

use GuzzleHttp\Psr7\Utils;
use Psr\Http\Message\RequestInterface;
use Taap\PrivateKey;
use Taap\SignPolicy;
use Taap\Signer;

/**
 * Guzzle middleware that adds a fresh PoP token (X-Authorization) to every request, signing
 * the headers the core's SignPolicy selects (the docs' Content-Type and Authorization by
 * default), then uri, http-method and body.
 *
 *     $stack->push(Taap\Guzzle\PopMiddleware::create($key));
 *
 * $key is a Taap\PrivateKey or a Taap\Signer (a PKCS#11 or KMS key, a callback).
 */
final class PopMiddleware
{
    /** The middleware for a HandlerStack. */
    public static function create(PrivateKey|Signer $key, ?SignPolicy $policy = null): callable
    {
        $policy ??= new SignPolicy();
        return static fn (callable $handler): callable =>
            static fn (RequestInterface $request, array $options) =>
                $handler(self::sign($request, $key, $policy), $options);
    }

    /** The request with its X-Authorization header set, for use outside a HandlerStack. */
    public static function sign(RequestInterface $request, PrivateKey|Signer $key, ?SignPolicy $policy = null): RequestInterface
    {
        $headers = [];
        // Guzzle sends a repeated header as one line joined by ", ": sign exactly that line.
        foreach (array_keys($request->getHeaders()) as $name) {
            $headers[] = [$name, $request->getHeaderLine($name)];
        }
        [$request, $body] = self::body($request);
        $added = ($policy ?? new SignPolicy())->headersFor(
            $key,
            $request->getMethod(),
            (string) $request->getUri(),
            $headers,
            $body,
        );
        foreach ($added as $name => $value) {
            $request = $request->withHeader($name, $value);
        }
        return $request;
    }

    /**
     * The exact body bytes and the request to send: a seekable stream is left where it was; a
     * non-seekable one can be read only once, so the request gets a new body of the same bytes.
     *
     * @return array{0: RequestInterface, 1: string}
     */
    private static function body(RequestInterface $request): array
    {
        $stream = $request->getBody();
        if (!$stream->isSeekable()) {
            $body = $stream->getContents();
            return [$request->withBody(Utils::streamFor($body)), $body];
        }
        $at = $stream->tell();
        $stream->rewind();
        $body = $stream->getContents();
        $stream->seek($at);
        return [$request, $body];
    }
}
