<?php
declare(strict_types=1);

namespace Taap\Guzzle;

use Psr\Http\Message\RequestInterface;
use Taap\PrivateKey;
use Taap\SignPolicy;

/**
 * Guzzle middleware that adds a fresh PoP token (X-Authorization) to every request, signing
 * the headers the core's SignPolicy selects (the docs' Content-Type and Authorization by
 * default), then uri, http-method and body.
 *
 *     $stack->push(Taap\Guzzle\PopMiddleware::create($key));
 */
final class PopMiddleware
{
    /** The middleware for a HandlerStack. */
    public static function create(PrivateKey $key, ?SignPolicy $policy = null): callable
    {
        $policy ??= new SignPolicy();
        return static fn (callable $handler): callable =>
            static fn (RequestInterface $request, array $options) =>
                $handler(self::sign($request, $key, $policy), $options);
    }

    /** The request with its X-Authorization header set, for use outside a HandlerStack. */
    public static function sign(RequestInterface $request, PrivateKey $key, ?SignPolicy $policy = null): RequestInterface
    {
        $headers = [];
        // Guzzle sends a repeated header as one line joined by ", ": sign exactly that line.
        foreach (array_keys($request->getHeaders()) as $name) {
            $headers[] = [$name, $request->getHeaderLine($name)];
        }
        $added = ($policy ?? new SignPolicy())->headersFor(
            $key,
            $request->getMethod(),
            (string) $request->getUri(),
            $headers,
            self::body($request),
        );
        foreach ($added as $name => $value) {
            $request = $request->withHeader($name, $value);
        }
        return $request;
    }

    /** The exact body bytes, leaving a seekable stream where it was. */
    private static function body(RequestInterface $request): string
    {
        $stream = $request->getBody();
        if (!$stream->isSeekable()) {
            return $stream->getContents();
        }
        $at = $stream->tell();
        $stream->rewind();
        $body = $stream->getContents();
        $stream->seek($at);
        return $body;
    }
}
