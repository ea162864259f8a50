package dev.taap

import dev.taap.ffi.FfiValidator
import dev.taap.ffi.FfiValidatorOptions

/** How strict a [PopTokenValidator] is; a null option keeps the core's default. */
data class ValidatorOptions @JvmOverloads constructor(
    /** Clock leeway in seconds (0 to 300; core default 10). */
    val leewaySecs: Long? = null,
    /** Maximum age from `iat` in seconds (1 to 3600; core default 60). */
    val maxAgeSecs: Long? = null,
    /** Names every token must sign, e.g. `uri` and `http-method`. */
    val required: List<String> = emptyList(),
    /** Remember this many `jti`s and reject repeats; null turns replay detection off. */
    val replayCache: Long? = null,
)

/** The gateway side: checks signature, time, coverage, edts and (optionally) replay. */
class PopTokenValidator @JvmOverloads @Throws(TaapException::class) constructor(options: ValidatorOptions = ValidatorOptions()) : AutoCloseable {
    private val ffi: FfiValidator = native {
        FfiValidator(FfiValidatorOptions(options.leewaySecs, options.maxAgeSecs, options.required, options.replayCache))
    }

    /** Validates [token] against [publicKey] and the request's [values], as of [now] (epoch seconds) or the clock. */
    @JvmOverloads
    @Throws(TaapException::class)
    fun validate(token: String, publicKey: PublicKey, values: List<EhtsEntry>, now: Long? = null): DecodedToken =
        DecodedToken.of(native { ffi.validate(token, publicKey.ffi, values.toFfi(), now) })

    /** Validates against values given as a map. */
    @JvmOverloads
    @Throws(TaapException::class)
    fun validate(token: String, publicKey: PublicKey, values: Map<String, String>, now: Long? = null): DecodedToken =
        validate(token, publicKey, values.toEntries(), now)

    /**
     * Validates the PoP token in a request as received: [target] is the request line's path
     * and query (or a full URL), [headers] as received, [body] exact.
     */
    @JvmOverloads
    @Throws(TaapException::class)
    fun validateRequest(
        publicKey: PublicKey,
        method: String,
        target: String,
        headers: List<EhtsEntry>,
        body: ByteArray,
        now: Long? = null,
    ): DecodedToken = DecodedToken.of(native { ffi.validateRequest(publicKey.ffi, method, target, headers.toFfi(), body, now) })

    /** Frees the validator (and its replay cache) now instead of at garbage collection. */
    override fun close() = ffi.close()
}
