<?php
declare(strict_types=1);

namespace Taap\Ffi;

use FFI;
use FFI\CData;

/**
 * PoP tokens through libtaap (the C library) and PHP's FFI, for hosts that cannot load the
 * taap-php extension. Prefer the extension: FFI needs `ffi.enable=1` (off by default under
 * php-fpm) and is slower per call. The C strings and handles stay inside this class.
 *
 *     $signer = Taap\Ffi\FfiPopToken::fromFile('private-key.pem');
 *     $token = $signer->build(['uri' => '/a', 'http-method' => 'GET']);
 *     $token = $signer->forRequest('POST', $url, ['Content-Type' => 'application/json'], $body);
 *
 * libtaap.so is TAAP_LIB when set, else the repository's target/release/libtaap.so
 * (`cargo build --release -p taap-c`); its declarations are TAAP_FFI_HEADER when set, else the
 * repository's bindings-c/include/taap_ffi.h.
 */
final class FfiPopToken
{
    private const REPOSITORY = __DIR__ . '/../../../..';

    /** @var array<string, FFI> one FFI instance per library path, shared by every signer */
    private static array $libraries = [];

    private function __construct(private FFI $ffi, private CData $key)
    {
    }

    /** Parses a PEM (or DER) private key; $password decrypts an encrypted PKCS#8 key. */
    public static function fromPem(string $pem, ?string $password = null, ?string $library = null): self
    {
        $ffi = self::library($library);
        $key = $ffi->new('taap_private_key *');
        self::check($ffi, $ffi->taap_private_key_from_pem(self::cText($pem, 'the PEM'), $password === null ? null : self::cText($password, 'the password'), FFI::addr($key)));
        return new self($ffi, $key);
    }

    /** Loads a PEM or DER private key file. */
    public static function fromFile(string $path, ?string $password = null, ?string $library = null): self
    {
        $ffi = self::library($library);
        $key = $ffi->new('taap_private_key *');
        self::check($ffi, $ffi->taap_private_key_from_file(self::cText($path, 'the path'), $password === null ? null : self::cText($password, 'the password'), FFI::addr($key)));
        return new self($ffi, $key);
    }

    /**
     * A PoP token over ordered ehts (name => value; names and values are C strings, so they
     * cannot contain NUL: use forRequest() for a binary body).
     *
     * @param array<string, string> $ehts
     * @param array{ttl?: int, iat?: int, jti?: string} $options iat and jti pin the token (tests)
     */
    public function build(array $ehts, array $options = []): string
    {
        $strings = [];
        $entries = $this->entries($ehts, $strings);
        $built = $this->ffi->new('taap_build_options');  // zeroed: 120 s, the clock, a random jti
        $built->ttl_secs = $options['ttl'] ?? 0;
        if (isset($options['iat'])) {
            [$built->iat, $built->iat_is_set] = [$options['iat'], true];
        }
        if (isset($options['jti'])) {
            $built->jti = $this->cString($options['jti'], 'the jti', $strings);
        }
        $token = $this->ffi->new('char *');
        self::check($this->ffi, $this->ffi->taap_pop_token_build($this->key, $entries, count($ehts), FFI::addr($built), FFI::addr($token)));
        return $this->take($token);
    }

    /**
     * A PoP token for one HTTP request: every given header, then uri, http-method and body.
     *
     * @param array<string, string> $headers
     */
    public function forRequest(string $method, string $url, array $headers = [], string $body = ''): string
    {
        $strings = [];
        $entries = $this->entries($headers, $strings);
        $bytes = $this->ffi->new('uint8_t[' . max(1, strlen($body)) . ']');
        FFI::memcpy($bytes, $body, strlen($body));
        $token = $this->ffi->new('char *');
        self::check($this->ffi, $this->ffi->taap_pop_token_for_request(
            $this->key,
            self::cText($method, 'the method'),
            self::cText($url, 'the URL'),
            $entries,
            count($headers),
            $bytes,
            strlen($body),
            FFI::addr($token),
        ));
        return $this->take($token);
    }

    public function __destruct()
    {
        $this->ffi->taap_private_key_free($this->key);
    }

    /** A signer holds a private key: nothing of it in dumps, and no serialising. */
    public function __debugInfo(): array
    {
        return [];
    }

    public function __serialize(): array
    {
        throw new \LogicException('a Taap\Ffi\FfiPopToken holds a private key and cannot be serialized');
    }

    public function __clone()
    {
        throw new \LogicException('a Taap\Ffi\FfiPopToken cannot be cloned; build more tokens with the same one');
    }

    private static function library(?string $path): FFI
    {
        if (!extension_loaded('ffi')) {
            throw new \RuntimeException('PHP\'s FFI extension is not loaded (Debian: php-cli); or load the taap-php extension instead');
        }
        $path ??= getenv('TAAP_LIB') ?: self::REPOSITORY . '/target/release/libtaap.so';
        if (isset(self::$libraries[$path])) {
            return self::$libraries[$path];
        }
        if (!is_file($path)) {
            throw new \RuntimeException("libtaap.so not found at $path: set TAAP_LIB to its path, or build it with `cargo build --release -p taap-c`");
        }
        $header = getenv('TAAP_FFI_HEADER') ?: self::REPOSITORY . '/bindings-c/include/taap_ffi.h';
        if (!is_file($header)) {
            throw new \RuntimeException("taap_ffi.h not found at $header: set TAAP_FFI_HEADER to its path");
        }
        try {
            return self::$libraries[$path] = FFI::cdef(file_get_contents($header), $path);
        } catch (FFI\Exception $error) {
            throw new \RuntimeException("cannot use $path through FFI (is ffi.enable on?): {$error->getMessage()}", 0, $error);
        }
    }

    private static function check(FFI $ffi, int $status): void
    {
        if ($status !== $ffi->TAAP_OK) {
            throw new FfiException((string) $ffi->taap_status_name($status), (string) $ffi->taap_last_error_message(), $status);
        }
    }

    /** A string passed straight to a `const char *` parameter, which must not hold NUL. */
    private static function cText(string $text, string $what): string
    {
        if (str_contains($text, "\0")) {
            throw new \InvalidArgumentException("$what contains a NUL byte, which a C string cannot carry");
        }
        return $text;
    }

    /** A C copy of $text kept alive in $strings until the call returns. */
    private function cString(string $text, string $what, array &$strings): CData
    {
        self::cText($text, $what);
        $strings[] = $copy = $this->ffi->new('char[' . (strlen($text) + 1) . ']');  // zero-filled
        FFI::memcpy($copy, $text, strlen($text));
        return FFI::cast('const char *', FFI::addr($copy));
    }

    private function entries(array $pairs, array &$strings): CData
    {
        $entries = $this->ffi->new('taap_ehts_entry[' . max(1, count($pairs)) . ']');
        $i = 0;
        foreach ($pairs as $name => $value) {
            $entries[$i]->name = $this->cString((string) $name, 'a name', $strings);
            $entries[$i]->value = $this->cString((string) $value, "the value of $name", $strings);
            $i++;
        }
        return $entries;
    }

    private function take(CData $token): string
    {
        $text = FFI::string($token);
        $this->ffi->taap_string_free($token);
        return $text;
    }
}
