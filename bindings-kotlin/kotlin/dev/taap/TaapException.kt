package dev.taap

import dev.taap.ffi.FfiException

/**
 * A taap failure: one subclass per kind of the core's error table, each carrying the kind's
 * stable `TAAP_*` [code]. Messages come from the core and never contain secrets. Java sees it as
 * a checked exception: every method that can fail declares `throws TaapException`.
 */
sealed class TaapException(message: String, /** The stable `TAAP_*` code of this kind. */ val code: String) :
    Exception(message) {
    // BEGIN GENERATED error kinds: classes (core/tests/declarations.rs)
    /** The key cannot be parsed, is not RSA, or is outside 2048 to 8192 bits. */
    class InvalidKey internal constructor(message: String) : TaapException(message, "TAAP_INVALID_KEY")

    /** The private key is encrypted and the password is missing or wrong. */
    class KeyDecrypt internal constructor(message: String) : TaapException(message, "TAAP_KEY_DECRYPT")

    /** The ehts are empty, over 100, or have a blank, duplicate or `;` name; or a method or URL is bad. */
    class InvalidEhts internal constructor(message: String) : TaapException(message, "TAAP_INVALID_EHTS")

    /** The token is not a well-formed RS256 PoP token, is issued in the future, or lacks a required name. */
    class InvalidToken internal constructor(message: String) : TaapException(message, "TAAP_INVALID_TOKEN")

    /** The token's `exp` lies in the past, beyond the leeway. */
    class TokenExpired internal constructor(message: String) : TaapException(message, "TAAP_TOKEN_EXPIRED")

    /** The token's `iat` is older than the validator's maximum age. */
    class TokenTooOld internal constructor(message: String) : TaapException(message, "TAAP_TOKEN_TOO_OLD")

    /** The RS256 signature does not verify with the given public key. */
    class SignatureInvalid internal constructor(message: String) : TaapException(message, "TAAP_SIGNATURE_INVALID")

    /** The request's values differ from the ones the token signed. */
    class EdtsMismatch internal constructor(message: String) : TaapException(message, "TAAP_EDTS_MISMATCH")

    /** The token signs a name the request has no value for. */
    class MissingEhtsValue internal constructor(message: String) : TaapException(message, "TAAP_MISSING_EHTS_VALUE")

    /** The token's `jti` was seen before, or the replay cache is full (it fails closed). */
    class Replay internal constructor(message: String) : TaapException(message, "TAAP_REPLAY")

    /** The OAuth server answered with an error or an unusable token; its HTTP status is kept. */
    class OAuth internal constructor(message: String, /** The server's HTTP status, when known. */ val httpStatus: Int?) :
        TaapException(message, "TAAP_OAUTH")

    /** The HTTP exchange failed: connection, DNS, TLS, timeout, I/O or an oversized response. */
    class Transport internal constructor(message: String) : TaapException(message, "TAAP_TRANSPORT")

    /** An option or argument is out of range or inconsistent. */
    class Config internal constructor(message: String) : TaapException(message, "TAAP_CONFIG")

    /** The client's keys cannot be fetched (a JWK set URL is down) and no usable copy is cached. */
    class KeySourceUnavailable internal constructor(message: String) : TaapException(message, "TAAP_KEY_SOURCE_UNAVAILABLE")
    // END GENERATED

    /** The matching row of the core's error table: name, code, C status and description. */
    val kind: ErrorKind
        get() = ErrorKind.of(code)

    internal companion object {
        /** The subclass for a core code; a code this jar does not know yet becomes [Config] so it still is typed. */
        fun of(code: String, message: String, httpStatus: Int?): TaapException = when (code) {
            // BEGIN GENERATED error kinds: of (core/tests/declarations.rs)
            "TAAP_INVALID_KEY" -> InvalidKey(message)
            "TAAP_KEY_DECRYPT" -> KeyDecrypt(message)
            "TAAP_INVALID_EHTS" -> InvalidEhts(message)
            "TAAP_INVALID_TOKEN" -> InvalidToken(message)
            "TAAP_TOKEN_EXPIRED" -> TokenExpired(message)
            "TAAP_TOKEN_TOO_OLD" -> TokenTooOld(message)
            "TAAP_SIGNATURE_INVALID" -> SignatureInvalid(message)
            "TAAP_EDTS_MISMATCH" -> EdtsMismatch(message)
            "TAAP_MISSING_EHTS_VALUE" -> MissingEhtsValue(message)
            "TAAP_REPLAY" -> Replay(message)
            "TAAP_OAUTH" -> OAuth(message, httpStatus)
            "TAAP_TRANSPORT" -> Transport(message)
            "TAAP_CONFIG" -> Config(message)
            "TAAP_KEY_SOURCE_UNAVAILABLE" -> KeySourceUnavailable(message)
            // END GENERATED
            else -> Config(message)
        }
    }
}

/** Runs one native call, turning the core's coded error into its [TaapException] subclass. */
internal inline fun <T> native(call: () -> T): T =
    try {
        call()
    } catch (failure: FfiException.Failed) {
        throw CallbackFailure.attach(TaapException.of(failure.code, failure.detail, failure.httpStatus?.toInt()), failure.detail)
    }
