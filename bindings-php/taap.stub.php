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

/**
 * A key that makes RS256 signatures outside this process's memory: one in a PKCS#11 token (an
 * HSM, SoftHSM2, a TPM) or AWS KMS (fromUri()), one a PHP callable reaches (fromCallback()), or
 * a key file. Taken wherever a PrivateKey is: PopToken::build() and forRequest(),
 * SignPolicy::sign() and headersFor(), TaapClient's key option, Guzzle\PopMiddleware. Every
 * signature that did not come from taap's own crypto is checked against the public key before
 * a token carries it (SignatureInvalidException). It has no PHP properties (dumps show nothing,
 * a PIN in its URI included) and refuses serialize().
 */
final class Signer
{
    /** Not constructible from PHP (throws \Exception): use fromUri() or fromCallback(). */
    public function __construct() {}

    /**
     * Opens the key $uri names: a pkcs11: URI (RFC 7512, e.g.
     * pkcs11:token=T;object=K?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:/run/pin),
     * an aws-kms: key (ARN, alias/NAME or id; credentials and region from the environment), or
     * else a PEM/DER private key file.
     *
     * @param string|null $password decrypts an encrypted key file, or is the PIN of a pkcs11:
     *        URI that gives none itself (binary-safe)
     * @throws InvalidKeyException when no such key or token exists, or the key is not RSA
     * @throws KeyDecryptException when the password or PIN is wrong
     * @throws ConfigException on a malformed URI or a PKCS#11 module that cannot load
     * @throws TransportException when AWS KMS cannot be reached
     */
    public static function fromUri(string $uri, ?string $password = null): Signer {}

    /**
     * A signer that calls $sign($digest) for each signature, on the PHP thread, while a token is
     * built: $digest is the 32-byte SHA-256 of the JWS signing input, and $sign returns the
     * PKCS#1 v1.5 signature (with the SHA-256 DigestInfo) under $public_key, as bytes. An
     * exception $sign throws becomes a TransportException naming the callback, with it as
     * getPrevious(); an answer that is not a string, or not a valid signature under $public_key,
     * a SignatureInvalidException.
     *
     * @param callable(string): string $sign
     * @param string|null $label names the key in messages (default: callback for RSA-BITS key
     *        THUMBPRINT); never a secret
     * @throws \TypeError when $sign is not callable
     */
    public static function fromCallback(PublicKey $public_key, callable $sign, ?string $label = null): Signer {}

    /** What the signer is: "in-memory" (a key file), "pkcs11", "aws-kms" or "callback". */
    public function kind(): string {}

    /** A name for the key (a URI without its PIN, a KMS key id, a thumbprint); never a secret. */
    public function label(): string {}

    /** The public key every signature verifies under. */
    public function publicKey(): PublicKey {}
}

/** Builds and decodes PoP tokens; every method is static. */
class PopToken
{
    /** Not constructible from PHP (throws \Exception): every method is static. */
    public function __construct() {}

    /**
     * A PoP token over ordered ehts, signed by $key (a PrivateKey or a Signer).
     *
     * @param array<string, string>|list<array{0: string, 1: string}> $ehts an associative array
     *        (PHP keeps insertion order) or a list of [name, value] pairs; values are bytes
     * @param array{ttl?: int, iat?: int, jti?: string}|null $options ttl in seconds (default
     *        120); iat and jti fix the issued-at time and token id (for tests)
     * @throws InvalidEhtsException
     * @throws ConfigException on an unknown option or an out-of-range value
     */
    public static function build(PrivateKey|Signer $key, array $ehts, ?array $options = null): string {}

    /**
     * A PoP token for one HTTP request: every given header, then uri, http-method and body.
     * For the header selection of T-Mobile's docs use SignPolicy::sign(). $key is a PrivateKey
     * or a Signer.
     *
     * @param array<string, string>|list<array{0: string, 1: string}>|null $headers
     * @param array{ttl?: int, iat?: int, jti?: string}|null $options
     * @throws InvalidEhtsException
     * @throws ConfigException
     */
    public static function forRequest(
        PrivateKey|Signer $key,
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

    /**
     * Why a gateway would accept or refuse $token for the request as sent: the array
     * `taap doctor --json` prints (json_encode() of it is that document). Values are shown with
     * secrets masked as ****; the signature is checked only with $public_key; times are judged
     * at $now (epoch seconds; the system clock by default). The variant names the way the
     * token's signer hashed the request differently (uri-encoded, trailing-slash, …).
     *
     * @param array<string, string>|list<array{0: string, 1: string}>|null $headers as sent, in order
     * @return array{valid: bool, header: array{alg: string, typ: ?string},
     *         claims: array{edts: string, v: string, exp: int, ehts: list<string>, iat: int, jti: string},
     *         time: array{now: int, expires_in: int, age: int, ok: bool, clock_offset: ?int},
     *         entries: list<array{name: string, value: ?string, bytes: ?int}>,
     *         edts: array{claimed: string, computed: ?string, matches: bool},
     *         signature: 'valid'|'invalid'|'not-checked',
     *         variant: array{id: string, description: string}|null, problems: list<string>}
     * @throws InvalidTokenException when $token is not a PoP token
     * @throws InvalidEhtsException when the method or URL is unusable
     */
    public static function explain(
        string $token,
        string $method,
        string $url,
        ?array $headers = null,
        ?string $body = null,
        ?PublicKey $public_key = null,
        ?int $now = null,
    ): array {}

    /**
     * The uri value a token signs for $url (a URL, or a path and query): the path plus the
     * percent-decoded query, as bytes.
     *
     * @throws InvalidEhtsException when $url is neither a path nor an http(s) URL
     */
    public static function requestUri(string $url): string {}
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
     * The PoP token for a request as this policy signs it, signed by $key (a PrivateKey or a
     * Signer).
     *
     * @param array<string, string>|list<array{0: string, 1: string}>|null $headers
     * @param array{ttl?: int, iat?: int, jti?: string}|null $options
     * @throws InvalidEhtsException
     * @throws ConfigException
     */
    public function sign(
        PrivateKey|Signer $key,
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
        PrivateKey|Signer $key,
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
     * Every option is a validator option of the core's settings schema (settingsSchema()),
     * under its camel name; the core checks each one (an unknown name, a wrong type or a value
     * out of range is a ConfigException naming it), and null means the default.
     *
     * @param array{leeway?: int|null, maxAge?: int|null, required?: list<string>|null,
     *        replayCache?: int|null}|null $options
     *        each with its kind and default (tests/OptionsTest.php checks them against the schema):
     *        'leeway' => whole seconds, default 10: clock leeway
     *        'maxAge' => whole seconds, default 60: maximum age of a token from its iat
     *        'required' => names, default []: names every token must sign, e.g. uri and http-method
     *        'replayCache' => count, default null: remember this many jti values and refuse repeats (null: off)
     * @throws ConfigException
     */
    public function __construct(?array $options = null) {}

    /**
     * The options in effect under the schema's camel names.
     *
     * @return array{leeway: int, maxAge: int, required: list<string>, replayCache: int|null}
     */
    public function settings(): array {}

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
     * request line's path and query (or a full URL). $uri_form is how the signer put the query
     * into uri: 'decoded' (T-Mobile's docs, the default) or 'encoded' (exactly as sent).
     *
     * @param array<string, string>|list<array{0: string, 1: string}> $headers
     * @param 'decoded'|'encoded'|null $uri_form
     * @throws ConfigException when $uri_form is neither
     * @throws TaapException of the kinds validate() throws
     */
    public function validateRequest(
        PublicKey $key,
        string $method,
        string $target,
        array $headers,
        ?string $body = null,
        ?int $now = null,
        ?string $uri_form = null,
    ): DecodedPopToken {}
}

/**
 * What a PoP middleware does around the validator, once for every door (Taap\Psr15\PopMiddleware
 * is built on it): its options, the client id rule, the body limit and the exact answer it
 * sends instead of the application's. An answer is an array
 * ['status' => 401|413|503, 'headers' => [[lower-case name, value], …], 'body' => JSON text]:
 * 401 {"error": "<ErrorKind>", "message": …} with www-authenticate for a refused token, 413
 * {"error": "RequestTooLarge", …} for a body over maxBody, 503 {"error":
 * "replay_store_unavailable", "store": …, …} with retry-after when a redis replay store is down.
 */
class PopGate
{
    /**
     * Every option is a middleware option of the core's settings schema (settingsSchema()),
     * under its camel name; the core checks each one (an unknown name, a wrong type or a value
     * out of range is a ConfigException naming it), and null means the default.
     *
     * @param array{leeway?: int|null, maxAge?: int|null, required?: list<string>|null,
     *        maxBody?: int|null, clientIdHeader?: string|null, replayStore?: string|int|false|null}|null $options
     *        'leeway' => whole seconds, default 10: clock leeway
     *        'maxAge' => whole seconds, default 60: maximum age of a token from its iat
     *        'required' => names, default ["uri","http-method"]: names every token must sign
     *        'maxBody' => bytes, default 1048576: largest request body read and hashed (413 beyond)
     *        'clientIdHeader' => text, default "x-client-id": the request header naming the client whose key checks the token
     *        'replayStore' => replay store, default "memory": where accepted jti values are kept: "memory", a capacity,
     *            a shared "redis://…" URL, or false (off)
     * @throws ConfigException
     */
    public function __construct(?array $options = null) {}

    /** The largest body read and hashed, in bytes (maxBody). */
    public function maxBody(): int {}

    /** The header naming the client (clientIdHeader), lower case. */
    public function clientIdHeader(): string {}

    /**
     * The client id $headers carry (exactly one non-empty UTF-8 value of the client id header),
     * or the 401 answer to send instead.
     *
     * @param array<string, string>|list<array{0: string, 1: string}> $headers every value as received
     * @return string|array{status: int, headers: list<array{0: string, 1: string}>, body: string}
     */
    public function clientId(array $headers): string|array {}

    /**
     * The 401 answer for a client id no key is registered for.
     *
     * @return array{status: int, headers: list<array{0: string, 1: string}>, body: string}
     */
    public function unknownClient(): array {}

    /**
     * The 413 answer for a body longer than maxBody(), for a middleware that sees the length
     * before reading the body.
     *
     * @return array{status: int, headers: list<array{0: string, 1: string}>, body: string}
     */
    public function tooLarge(): array {}

    /**
     * Null when the request carries a valid, unreplayed PoP token signed by $key (the jti is
     * then remembered); else the answer to send. $target is the request target as received
     * (path and query), $headers every header value as received, $body the whole body (a body
     * over maxBody() is the 413 answer). $uri_form is how the signer put the query into uri:
     * 'decoded' (T-Mobile's docs, the default) or 'encoded' (exactly as sent).
     *
     * @param array<string, string>|list<array{0: string, 1: string}> $headers
     * @param 'decoded'|'encoded'|null $uri_form
     * @return array{status: int, headers: list<array{0: string, 1: string}>, body: string}|null
     * @throws ConfigException when $uri_form is neither
     */
    public function check(
        PublicKey $key,
        string $method,
        string $target,
        array $headers,
        ?string $body = null,
        ?string $uri_form = null,
    ): ?array {}

    /**
     * check() with a client's key source: each of its keys in force is tried (the one the
     * token's kid names, if any); the answer is 503 KeySourceUnavailable when the source cannot
     * be fetched and nothing usable is cached.
     *
     * @param array<string, string>|list<array{0: string, 1: string}> $headers
     * @param 'decoded'|'encoded'|null $uri_form
     * @return array{status: int, headers: list<array{0: string, 1: string}>, body: string}|null
     * @throws ConfigException when $uri_form is neither
     */
    public function checkSource(
        KeySource $keys,
        string $method,
        string $target,
        array $headers,
        ?string $body = null,
        ?string $uri_form = null,
    ): ?array {}
}

/**
 * A client's several public keys (each with an optional kid and nbf/exp window) for PopGate and
 * Psr15\PopMiddleware: fixed, from a file read again when it changes, or from a JWK set URL, so
 * keys rotate without a restart.
 */
class KeySource
{
    /** Not constructible from PHP (throws \Exception): use parse(), fromFile() or fromJwksUrl(). */
    public function __construct() {}

    /**
     * A fixed set from PEM, JWK or JWK set ({"keys": [...]}) text.
     *
     * @throws InvalidKeyException
     */
    public static function parse(string $data): KeySource {}

    /**
     * The keys of the file at $path (PEM, JWK or JWK set), read again when it changes.
     *
     * @throws ConfigException when the file cannot be read
     * @throws InvalidKeyException
     */
    public static function fromFile(string $path): KeySource {}

    /**
     * The JWK set at $url: cached per Cache-Control max-age, fetched again for a kid it lacks; a
     * check is answered 503 KeySourceUnavailable when it cannot be fetched.
     *
     * @throws ConfigException when $url is not an http(s) URL
     */
    public static function fromJwksUrl(string $url): KeySource {}

    /** @return 'fixed'|'file'|'jwks' */
    public function kind(): string {}

    /**
     * How many keys are in force now (a JWK set URL may be fetched first).
     *
     * @throws KeySourceUnavailableException
     */
    public function size(): int {}
}

/**
 * A T-Mobile API client: fetches and refreshes the access token, signs every call. It has no
 * PHP properties, so dumps never show the client secret or tokens.
 */
class TaapClient
{
    /**
     * Besides the handles clientId, clientSecret, key and policy (the base SignPolicy, which
     * signHeaders and uriForm refine), every option is a client option of the core's settings
     * schema (settingsSchema()), under its camel name; the core checks each one (an unknown name,
     * a wrong type or a value out of range is a ConfigException naming it), and null means the
     * default. Time is in seconds (fractions allowed).
     *
     * @param array{clientId: string, clientSecret: string, key: PrivateKey|Signer,
     *        policy?: SignPolicy|null, api?: string|null, server?: string|null,
     *        storeId?: string|null, dealerCode?: string|null, connectTimeout?: int|float|null,
     *        timeout?: int|float|null, maxRetries?: int|null, retryBaseDelay?: int|float|null,
     *        retryMaxDelay?: int|float|null, refreshMargin?: int|float|null, popTtl?: int|null,
     *        maxResponseBytes?: int|null, correctClockSkew?: bool|null,
     *        tokenBody?: array<string, mixed>|null, tokenBodyMode?: string|null,
     *        popClaims?: array<string, mixed>|null, popHeader?: array<string, mixed>|null,
     *        headers?: array<string, string>|null, signHeaders?: list<string>|null,
     *        uriForm?: string|null, xAuthorizationPrefix?: string|null, tokenStore?: string|null} $options
     *        each with its kind and default (tests/OptionsTest.php checks them against the schema):
     *        'api' => text, default null: the T-Mobile API the calls are for (connectivity, location, sms-notification, call-verification, fraud-prevention): picks its token server
     *        'server' => text, default "v2": the token server: v2, v6, an API name or a full token endpoint URL (not with api)
     *        'storeId' => text, default null: storeId of the v6 token body
     *        'dealerCode' => text, default null: dealerCode of the v6 token body
     *        'connectTimeout' => seconds, default 10: connection set-up limit, DNS and TLS included
     *        'timeout' => seconds, default 30: limit for one whole HTTP exchange
     *        'maxRetries' => count, default 2: retries of connection failures, 429 and 5xx answers (0: never retry)
     *        'retryBaseDelay' => seconds, default 0.2: first backoff delay, doubling on each retry (at most retry_max_delay)
     *        'retryMaxDelay' => seconds, default 10: longest single wait, backoff or Retry-After
     *        'refreshMargin' => seconds, default 60: replace a cached access token this long before it expires
     *        'popTtl' => whole seconds, default 120: validity of each PoP token
     *        'maxResponseBytes' => bytes, default 10485760: largest response body read into memory
     *        'correctClockSkew' => flag, default true: correct PoP iat by the clock offset the servers' Date headers show
     *        'tokenBody' => members, default null: members merged into (or replacing) the token request body; strings may hold {client_id} and {public_key_pem}
     *        'tokenBodyMode' => choice, default null: whether token_body is merged into the flavour's body (none: merge) or replaces it
     *        'popClaims' => members, default null: extra claims on every PoP token
     *        'popHeader' => members, default null: extra JOSE header members on every PoP token
     *        'headers' => headers, default null: headers sent on every API call (a caller's header of the same name wins)
     *        'signHeaders' => names, default ["Content-Type","Authorization"]: the headers an API call's PoP token signs, each when present
     *        'uriForm' => choice, default "decoded": how uri is signed: the query decoded (the docs) or as sent
     *        'xAuthorizationPrefix' => text, default null: text put before the PoP token in X-Authorization (none: the raw token)
     *        'tokenStore' => text, default null: a shared access-token store, redis://… (it may hold a password: a secret)
     * @throws ConfigException
     */
    public function __construct(array $options) {}

    /**
     * The options in effect under the schema's camel names and units (seconds as numbers), as
     * the core applied them: secret-looking header values masked as ****, tokenStore only
     * whether one is set.
     *
     * @return array<string, mixed>
     */
    public function settings(): array {}

    /**
     * Sends one signed API call (the access token fetched or refreshed as needed).
     *
     * @param array<string, string>|list<array{0: string, 1: string}>|null $headers
     * @throws OAuthException
     * @throws TransportException
     */
    public function send(string $method, string $url, ?array $headers = null, ?string $body = null): Response {}

    /**
     * The cached access token, fetched (or refreshed ahead of expiry) when needed.
     *
     * @throws OAuthException|TransportException
     */
    public function accessToken(): AccessToken {}

    /**
     * A new access token now, replacing the cached one (after a revocation, say).
     *
     * @throws OAuthException|TransportException
     */
    public function refreshAccessToken(): AccessToken {}

    /** The token URL this client uses. */
    public function tokenUrl(): string {}

    /** The token server flavour: 'v2' or 'v6'. */
    public function flavor(): string {}
}

/** An OAuth 2.0 access token; it has no properties, so var_dump() and print_r() never show it. */
class AccessToken
{
    /** Not constructible from PHP (throws \Exception): TaapClient::accessToken() returns one. */
    public function __construct() {}

    /** The token, for the Authorization: Bearer header (a secret: do not log it). */
    public function secret(): string {}

    /** The OpenID Connect id token, when the server sent one. */
    public function idToken(): ?string {}

    /** Lifetime in seconds as the server gave it (expires_in). */
    public function expiresIn(): int {}

    /** Seconds of validity left now. */
    public function remaining(): float {}

    /** The granted scope, when the server sent one. */
    public function scope(): ?string {}

    /** The answer's status member (T-Mobile sends 'success'), when present. */
    public function status(): ?string {}

    /** The answer's token_type member ('Bearer'), when present. */
    public function tokenType(): ?string {}
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

/**
 * Every option of the client, the validator and the middleware as the core declares it, so
 * declarations (this stub's among them) and tools can be checked against the one table.
 *
 * @return list<array{name: string, camel: string, group: string, kind: string, choices?: list<string>,
 *         default: mixed, min: float|null, min_exclusive: bool, max: float|null, doc: string,
 *         secret: bool}>
 */
function settingsSchema(): array {}

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

/** The client's keys cannot be fetched (a JWK set URL is down) and no usable copy is cached. */
class KeySourceUnavailableException extends TaapException
{
    protected ?string $kind = 'TAAP_KEY_SOURCE_UNAVAILABLE';
}
// END GENERATED
