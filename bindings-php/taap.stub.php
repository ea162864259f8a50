<?php

/**
 * Declarations of the taap-php extension (target/release/libtaap_php.so) for IDEs and static
 * analysers; never loaded at run time. tests/StubTest.php checks it against the extension's
 * reflection, so a class or method added, removed or changed on either side fails the suite.
 *
 * @generate-class-entries false
 */

declare(strict_types=1);

namespace Taap;

/**
 * An RSA private key, parsed once and reusable by every token built with it. It has no PHP
 * properties (dumps show nothing) and refuses serialize().
 */
class PrivateKey
{
    /** Not constructible from PHP (throws \Exception): use fromFile(), fromPem() or generate(). */
    public function __construct() {}

    /**
     * Loads PKCS#8 (optionally encrypted), PKCS#1 PEM or DER from a file.
     *
     * @param string|null $password decrypts an encrypted PKCS#8 key (binary-safe)
     * @throws InvalidKeyException when the file is not an RSA private key
     * @throws KeyDecryptException when the password is wrong or missing
     */
    public static function fromFile(string $path, ?string $password = null): PrivateKey {}

    /**
     * Parses a PEM (or DER) private key. The parsed key is kept in a bounded per-process cache
     * (64 keys, keyed by a digest of PEM and password), so calling this on every request is
     * cheap.
     *
     * @throws InvalidKeyException
     * @throws KeyDecryptException
     */
    public static function fromPem(string $pem, ?string $password = null): PrivateKey {}

    /** Drops every key fromPem() cached; keys still referenced stay usable. */
    public static function clearCache(): void {}

    /**
     * A fresh key of $bits (2048 by default, as T-Mobile's docs generate).
     *
     * @throws ConfigException when $bits is outside 2048 to 8192
     */
    public static function generate(int $bits = 2048): PrivateKey {}

    /** The matching public key. */
    public function publicKey(): PublicKey {}

    /** The modulus size in bits. */
    public function bits(): int {}

    /** The key as unencrypted PKCS#8 PEM: the secret itself, only on request. */
    public function toPem(): string {}
}

/** An RSA public key (SPKI or PKCS#1 PEM, or a JWK), for validating PoP tokens. */
class PublicKey
{
    /** Not constructible from PHP (throws \Exception): use fromPem(), fromJwk(), fromFile() or PrivateKey::publicKey(). */
    public function __construct() {}

    /**
     * Parses an SPKI or PKCS#1 PEM public key.
     *
     * @throws InvalidKeyException
     */
    public static function fromPem(string $pem): PublicKey {}

    /**
     * Parses an RSA JWK (JSON text).
     *
     * @throws InvalidKeyException
     */
    public static function fromJwk(string $jwk): PublicKey {}

    /**
     * Loads a PEM or DER public key from a file.
     *
     * @throws InvalidKeyException
     */
    public static function fromFile(string $path): PublicKey {}

    /** The key as SPKI PEM. */
    public function toPem(): string {}

    /** The key as a JWK (JSON text). */
    public function toJwk(): string {}

    /** The RFC 7638 thumbprint: a non-secret key id. */
    public function thumbprint(): string {}

    /** The modulus size in bits. */
    public function bits(): int {}
}

/** Builds and decodes PoP tokens; every method is static. */
class PopToken
{
    /** Not constructible from PHP (throws \Exception): every method is static. */
    public function __construct() {}

    /**
     * A PoP token over ordered ehts.
     *
     * @param array<string, string>|list<array{0: string, 1: string}> $ehts an associative array
     *        (PHP keeps insertion order) or a list of [name, value] pairs; values are bytes
     * @param array{ttl?: int, iat?: int, jti?: string}|null $options ttl in seconds (default
     *        120); iat and jti fix the issued-at time and token id (for tests)
     * @throws InvalidEhtsException
     * @throws ConfigException on an unknown option or an out-of-range value
     */
    public static function build(PrivateKey $key, array $ehts, ?array $options = null): string {}

    /**
     * A PoP token for one HTTP request: every given header, then uri, http-method and body.
     * For the header selection of T-Mobile's docs use SignPolicy::sign().
     *
     * @param array<string, string>|list<array{0: string, 1: string}>|null $headers
     * @param array{ttl?: int, iat?: int, jti?: string}|null $options
     * @throws InvalidEhtsException
     * @throws ConfigException
     */
    public static function forRequest(
        PrivateKey $key,
        string $method,
        string $url,
        ?array $headers = null,
        ?string $body = null,
        ?array $options = null,
    ): string {}

    /**
     * Decodes a token without verifying it (for logs and debugging).
     *
     * @throws InvalidTokenException
     */
    public static function decode(string $token): DecodedPopToken {}
}

/** A decoded PoP token; proof of nothing unless a validator returned it. */
class DecodedPopToken
{
    /** Not constructible from PHP (throws \Exception): PopToken::decode() and the validator return one. */
    public function __construct() {}

    /**
     * The claims in token order.
     *
     * @return array{edts: string, v: string, exp: int, ehts: list<string>, iat: int, jti: string}
     */
    public function claims(): array {}

    /**
     * The JOSE header.
     *
     * @return array{alg: string, typ?: string}
     */
    public function header(): array {}

    /** Seconds until exp as of $now (epoch seconds; the system clock by default). */
    public function expiresIn(?int $now = null): int {}

    /** The compact token text. */
    public function token(): string {}
}

/** Which request headers a PoP token signs: the docs' Content-Type and Authorization by default. */
class SignPolicy
{
    /** The docs' policy (the same as SignPolicy::default()). */
    public function __construct() {}

    /** The docs' policy: Content-Type, then Authorization, each when present. */
    public static function default(): SignPolicy {}

    /**
     * Exactly these header names, in this order, each when the request has it.
     *
     * @param list<string> $names
     * @throws ConfigException
     */
    public static function headers(array $names): SignPolicy {}

    /** Every header the request carries, in the request's order. */
    public static function allHeaders(): SignPolicy {}

    /**
     * A copy that also signs $name.
     *
     * @throws ConfigException
     */
    public function withHeader(string $name): SignPolicy {}

    /**
     * A copy that never signs $name.
     *
     * @throws ConfigException
     */
    public function withoutHeader(string $name): SignPolicy {}

    /**
     * The PoP token for a request as this policy signs it.
     *
     * @param array<string, string>|list<array{0: string, 1: string}>|null $headers
     * @param array{ttl?: int, iat?: int, jti?: string}|null $options
     * @throws InvalidEhtsException
     * @throws ConfigException
     */
    public function sign(
        PrivateKey $key,
        string $method,
        string $url,
        ?array $headers = null,
        ?string $body = null,
        ?array $options = null,
    ): string {}

    /**
     * The headers to add to a request made with any HTTP client.
     *
     * @param array<string, string>|list<array{0: string, 1: string}>|null $headers
     * @return array{X-Authorization: string}
     * @throws InvalidEhtsException
     */
    public function headersFor(
        PrivateKey $key,
        string $method,
        string $url,
        ?array $headers = null,
        ?string $body = null,
    ): array {}

    /**
     * The ehts names this policy would sign for these headers, in order.
     *
     * @param array<string, string>|list<array{0: string, 1: string}> $headers
     * @return list<string>
     */
    public function names(array $headers): array {}

    /** What the policy signs, for logs. */
    public function describe(): string {}
}

/**
 * The gateway-side check: signature, exp with leeway, age from iat, required names, edts and
 * (with replayCache) replayed jtis.
 */
class PopTokenValidator
{
    /**
     * @param array{leeway?: int, maxAge?: int, required?: list<string>, replayCache?: int}|null $options
     *        leeway and maxAge in seconds (10 and 60 by default); replayCache is how many jtis
     *        to remember (off by default)
     * @throws ConfigException
     */
    public function __construct(?array $options = null) {}

    /**
     * Validates $token against the request's values as of $now (epoch seconds; the system
     * clock by default) and returns the decoded token.
     *
     * @param array<string, string>|list<array{0: string, 1: string}> $values
     * @throws InvalidTokenException
     * @throws TokenExpiredException
     * @throws TokenTooOldException
     * @throws SignatureInvalidException
     * @throws EdtsMismatchException
     * @throws MissingEhtsValueException
     * @throws ReplayException
     */
    public function validate(string $token, PublicKey $key, array $values, ?int $now = null): DecodedPopToken {}

    /**
     * Validates the PoP token a received request carries in X-Authorization; $target is the
     * request line's path and query (or a full URL).
     *
     * @param array<string, string>|list<array{0: string, 1: string}> $headers
     * @throws TaapException of the kinds validate() throws
     */
    public function validateRequest(
        PublicKey $key,
        string $method,
        string $target,
        array $headers,
        ?string $body = null,
        ?int $now = null,
    ): DecodedPopToken {}
}

/**
 * A T-Mobile API client: fetches and refreshes the access token, signs every call. It has no
 * PHP properties, so dumps never show the client secret or tokens.
 */
class TaapClient
{
    /**
     * @param array{clientId: string, clientSecret: string, key: PrivateKey, api?: string,
     *        server?: string, storeId?: string, dealerCode?: string, policy?: SignPolicy,
     *        timeout?: int, retries?: int, popTtl?: int} $options api is an API name such as
     *        'connectivity' (or 'v2'/'v6'); server a token URL; timeout and popTtl in seconds
     * @throws ConfigException
     */
    public function __construct(array $options) {}

    /**
     * Sends one signed API call (the access token fetched or refreshed as needed).
     *
     * @param array<string, string>|list<array{0: string, 1: string}>|null $headers
     * @throws OAuthException
     * @throws TransportException
     */
    public function send(string $method, string $url, ?array $headers = null, ?string $body = null): Response {}

    /** The token URL this client uses. */
    public function tokenUrl(): string {}

    /** The token server flavour: 'v2' or 'v6'. */
    public function flavor(): string {}
}

/** An API response. */
class Response
{
    /** Not constructible from PHP (throws \Exception): TaapClient::send() returns one. */
    public function __construct() {}

    /**
     * The HTTP status code. The extension declares its properties untyped.
     *
     * @var int
     */
    public $status;

    /**
     * The response headers in the order received (a repeated name keeps its last value);
     * read-only.
     *
     * @var array<string, string>
     */
    public $headers;

    /**
     * The exact response body (bytes); read-only.
     *
     * @var string
     */
    public $body;

    /** The first value of header $name (any case), or null. */
    public function header(string $name): ?string {}
}

/** The base of every taap exception; getCode() is the kind's stable number (1–13). */
class TaapException extends \RuntimeException
{
    /** The TAAP_* name; null only on the base class, thrown for a caught Rust panic. */
    protected ?string $kind = null;

    /** The kind's TAAP_* name, or null for a plain TaapException (a bug caught at the boundary). */
    public function getKind(): ?string {}
}

// BEGIN GENERATED error kinds (core/tests/declarations.rs)
/** The key cannot be parsed, is not RSA, or is outside 2048 to 8192 bits. */
class InvalidKeyException extends TaapException
{
    protected ?string $kind = 'TAAP_INVALID_KEY';
}

/** The private key is encrypted and the password is missing or wrong. */
class KeyDecryptException extends TaapException
{
    protected ?string $kind = 'TAAP_KEY_DECRYPT';
}

/** The ehts are empty, over 100, or have a blank, duplicate or `;` name; or a method or URL is bad. */
class InvalidEhtsException extends TaapException
{
    protected ?string $kind = 'TAAP_INVALID_EHTS';
}

/** The token is not a well-formed RS256 PoP token, is issued in the future, or lacks a required name. */
class InvalidTokenException extends TaapException
{
    protected ?string $kind = 'TAAP_INVALID_TOKEN';
}

/** The token's `exp` lies in the past, beyond the leeway. */
class TokenExpiredException extends TaapException
{
    protected ?string $kind = 'TAAP_TOKEN_EXPIRED';
}

/** The token's `iat` is older than the validator's maximum age. */
class TokenTooOldException extends TaapException
{
    protected ?string $kind = 'TAAP_TOKEN_TOO_OLD';
}

/** The RS256 signature does not verify with the given public key. */
class SignatureInvalidException extends TaapException
{
    protected ?string $kind = 'TAAP_SIGNATURE_INVALID';
}

/** The request's values differ from the ones the token signed. */
class EdtsMismatchException extends TaapException
{
    protected ?string $kind = 'TAAP_EDTS_MISMATCH';
}

/** The token signs a name the request has no value for. */
class MissingEhtsValueException extends TaapException
{
    protected ?string $kind = 'TAAP_MISSING_EHTS_VALUE';
}

/** The token's `jti` was seen before, or the replay cache is full (it fails closed). */
class ReplayException extends TaapException
{
    protected ?string $kind = 'TAAP_REPLAY';
}

/** The OAuth server answered with an error or an unusable token; its HTTP status is kept. In PHP the exception's message carries it, with the server's own message. */
class OAuthException extends TaapException
{
    protected ?string $kind = 'TAAP_OAUTH';
}

/** The HTTP exchange failed: connection, DNS, TLS, timeout, I/O or an oversized response. */
class TransportException extends TaapException
{
    protected ?string $kind = 'TAAP_TRANSPORT';
}

/** An option or argument is out of range or inconsistent. */
class ConfigException extends TaapException
{
    protected ?string $kind = 'TAAP_CONFIG';
}
// END GENERATED
