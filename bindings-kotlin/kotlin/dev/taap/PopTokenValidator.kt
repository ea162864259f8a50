package dev.taap

import dev.taap.ffi.FfiUriForm
import dev.taap.ffi.FfiValidator

/** How a received request's query enters its `uri` value; the gateway must use the signer's form. */
enum class UriForm {
    /** The query percent-decoded, as T-Mobile's docs and every taap signer by default. */
    DECODED,

    /** The query exactly as received, for signers that hash it as sent (percent-encoding kept). */
    ENCODED,
    ;

    internal fun toFfi() = when (this) {
        DECODED -> FfiUriForm.DECODED
        ENCODED -> FfiUriForm.ENCODED
    }
}

/** The gateway side: checks signature, time, coverage, edts and (optionally) replay. */
class PopTokenValidator private constructor(private val ffi: FfiValidator) : AutoCloseable {
    /** A validator with typed [options] ([ValidatorOptions], generated from the core's settings schema). */
    @JvmOverloads
    @Throws(TaapException::class)
    constructor(options: ValidatorOptions = ValidatorOptions()) : this(options.toMap())

    /**
     * A validator with [options] as a map under the schema's camel names (`leeway`, `maxAge`,
     * `required`, `replayCache`; null means the default): the core checks each name, type and range.
     */
    @Throws(TaapException::class)
    constructor(options: Map<String, Any?>) : this(native { FfiValidator(optionsJson(options)) })

    /** The options in effect under the schema's camel names (`leeway`, `maxAge`, `required`, `replayCache`). */
    val settings: Map<String, Any?> = jsonObject(ffi.settings())

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
     * and query (or a full URL), [headers] as received, [body] exact; [uriForm] is how the
     * signer put the query into `uri` (decoded, the docs' way, by default).
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
        uriForm: UriForm = UriForm.DECODED,
    ): DecodedToken = DecodedToken.of(
        native { ffi.validateRequest(publicKey.ffi, method, target, headers.toFfi(), body, now, uriForm.toFfi()) },
    )

    /** Frees the validator (and its replay cache) now instead of at garbage collection. */
    override fun close() = ffi.close()
}
