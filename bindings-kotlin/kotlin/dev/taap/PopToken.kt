package dev.taap

import dev.taap.ffi.FfiBuildOptions
import dev.taap.ffi.FfiDecoded
import dev.taap.ffi.FfiEntry
import dev.taap.ffi.defaultTtlSecs
import dev.taap.ffi.popTokenBuild
import dev.taap.ffi.popTokenDecode
import dev.taap.ffi.popTokenForRequest

/** One ehts entry or header: a name and its value exactly as sent. */
data class EhtsEntry(
    /** An HTTP header name, or `uri`, `http-method`, `body`. */
    val name: String,
    /** The value, byte for byte as the request carries it. */
    val value: String,
)

/** Per-token options: validity in seconds, and a fixed `iat`/`jti` for tests only. */
data class BuildOptions @JvmOverloads constructor(
    /** Seconds from `iat` to `exp` (1 to 3600). */
    val ttlSecs: Long = DEFAULT_TTL_SECS,
    /** Issued-at in epoch seconds; null reads the clock. */
    val iat: Long? = null,
    /** Token id; null draws a fresh UUID v4, which every real call must use. */
    val jti: String? = null,
) {
    internal fun toFfi() = FfiBuildOptions(ttlSecs, iat, jti)

    /** Where the default comes from. */
    companion object {
        /** The core's default validity, 120 s. */
        @JvmField
        val DEFAULT_TTL_SECS: Long = defaultTtlSecs()
    }
}

/** A token's JOSE header. */
data class TokenHeader(/** Always `RS256`. */ val alg: String, /** `JWT` when present. */ val typ: String?)

/** A token's claims. */
data class Claims(
    /** base64url SHA-256 over the ehts values. */
    val edts: String,
    /** Always `1`. */
    val v: String,
    /** Expiry, epoch seconds. */
    val exp: Long,
    /** The signed names, in order. */
    val ehts: List<String>,
    /** Issued-at, epoch seconds. */
    val iat: Long,
    /** The token id. */
    val jti: String,
)

/** A decoded (or validated) token: header, claims and the token text. */
data class DecodedToken(/** The header. */ val header: TokenHeader, /** The claims. */ val claims: Claims, /** The token text. */ val token: String) {
    internal companion object {
        fun of(decoded: FfiDecoded) = DecodedToken(
            TokenHeader(decoded.alg, decoded.typ),
            Claims(decoded.edts, decoded.v, decoded.exp, decoded.ehts, decoded.iat, decoded.jti),
            decoded.token,
        )
    }
}

internal fun List<EhtsEntry>.toFfi(): List<FfiEntry> = map { FfiEntry(it.name, it.value) }

internal fun Map<String, String>.toEntries(): List<EhtsEntry> = entries.map { EhtsEntry(it.key, it.value) }

/** Building and decoding PoP tokens; `key` is a [PrivateKey] or any [Signer] (a PKCS#11, KMS or callback key). */
object PopToken {
    /** Signs ordered ehts. */
    @JvmStatic
    @JvmOverloads
    @Throws(TaapException::class)
    fun build(key: Signer, ehts: List<EhtsEntry>, options: BuildOptions = BuildOptions()): String =
        native { popTokenBuild(key.ffiSigner, ehts.toFfi(), options.toFfi()) }

    /** Signs ehts given as a map that keeps insertion order. */
    @JvmStatic
    @JvmOverloads
    @Throws(TaapException::class)
    fun build(key: Signer, ehts: LinkedHashMap<String, String>, options: BuildOptions = BuildOptions()): String =
        build(key, ehts.toEntries(), options)

    /** Signs one HTTP request: every given header, then `uri`, `http-method` and `body`. */
    @JvmStatic
    @JvmOverloads
    @Throws(TaapException::class)
    fun forRequest(
        key: Signer,
        method: String,
        url: String,
        headers: List<EhtsEntry>,
        body: ByteArray,
        options: BuildOptions = BuildOptions(),
    ): String = native { popTokenForRequest(key.ffiSigner, method, url, headers.toFfi(), body, options.toFfi()) }

    /** Decodes header and claims without verifying the signature. */
    @JvmStatic
    @Throws(TaapException::class)
    fun decode(token: String): DecodedToken = DecodedToken.of(native { popTokenDecode(token) })
}
