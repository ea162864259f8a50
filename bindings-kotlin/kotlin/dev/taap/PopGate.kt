package dev.taap

import dev.taap.ffi.FfiAnswer
import dev.taap.ffi.FfiClientId
import dev.taap.ffi.FfiHeader
import dev.taap.ffi.FfiPopGate
import dev.taap.ffi.FfiUriForm
import dev.taap.ffi.uriFormParse
import java.util.AbstractMap.SimpleImmutableEntry

/**
 * What a PoP middleware sends instead of calling the application, as the core made it: [status]
 * (401 refused, 413 body over `maxBody`, 503 shared replay store down or [KeySource] unavailable),
 * [headers] (lower-case names, in order) and the JSON [body] (`{"error": <kind>, "message": …}`).
 */
data class Answer internal constructor(
    /** The HTTP status. */
    val status: Int,
    /** The response headers as (name, value) entries. */
    val headers: List<Map.Entry<String, String>>,
    /** The JSON body. */
    val body: String,
) {
    internal companion object {
        fun of(ffi: FfiAnswer) =
            Answer(ffi.status.toInt(), ffi.headers.map { SimpleImmutableEntry(it.name, it.value) }, ffi.body)
    }
}

/**
 * The keys of a client id: its [PublicKey] or its [KeySource] (several keys, a file, a JWK set
 * URL), or null when none is registered (the request is refused).
 */
fun interface KeyLookup {
    /** The key or key source that checks the tokens of [clientId], or null. */
    fun publicKey(clientId: String): Keys?
}

/**
 * A PoP middleware's check, the core's `PopGate`: its options ([MiddlewareOptions], generated
 * from the settings schema), the client id rule, the body limit and the exact answers. A
 * framework's middleware (the Servlet `PopFilter`) only moves a request's bytes here and the
 * answer's bytes back. Thread-safe: one gate (one replay cache or shared store) per guarded service.
 */
class PopGate private constructor(private val ffi: FfiPopGate) : AutoCloseable {
    /** A gate with typed [options]. */
    @JvmOverloads
    @Throws(TaapException::class)
    constructor(options: MiddlewareOptions = MiddlewareOptions()) : this(options.toMap())

    /**
     * A gate with [options] as a map under the schema's camel names (`required`, `leeway`,
     * `maxAge`, `maxBody`, `clientIdHeader`, `replayStore`; null means the default): the core
     * checks each name, type and range.
     */
    @Throws(TaapException::class)
    constructor(options: Map<String, Any?>) : this(optionsJson(options))

    internal constructor(json: String) : this(native { FfiPopGate(json) })

    /** The largest body read and hashed, in bytes: a longer one is refused with 413. */
    val maxBody: Long = ffi.maxBody().toLong()

    /** The header naming the client when keys are looked up by client id (lower case). */
    val clientIdHeader: String = ffi.clientIdHeader()

    /** The 413 answer, for a request whose declared length is over [maxBody] (its body unread). */
    fun tooLarge(): Answer = Answer.of(ffi.tooLarge())

    /**
     * Null when the request carries a valid, unreplayed PoP token signed by [publicKey] (one
     * [PublicKey], or one of a [KeySource]'s keys: a JWK set URL may be fetched, which blocks);
     * else the answer to send. [target] is the request target as received (path and raw query),
     * [headers] every received value with its bytes, [body] exactly as received.
     */
    @JvmOverloads
    fun check(
        publicKey: Keys,
        method: String,
        target: String,
        headers: List<Map.Entry<String, ByteArray>>,
        body: ByteArray,
        uriForm: UriForm = UriForm.DECODED,
    ): Answer? = checkWith(publicKey, method, target, headers.toFfiHeaders(), body, uriForm)

    /**
     * [check] with the key or key source of the client the request names in [clientIdHeader]:
     * the core's 401 when the header is missing, repeated or not UTF-8, or when [keys] has no
     * key for it.
     */
    @JvmOverloads
    fun check(
        keys: KeyLookup,
        method: String,
        target: String,
        headers: List<Map.Entry<String, ByteArray>>,
        body: ByteArray,
        uriForm: UriForm = UriForm.DECODED,
    ): Answer? {
        val ffiHeaders = headers.toFfiHeaders()
        val id = when (val named = ffi.clientId(ffiHeaders)) {
            is FfiClientId.Refused -> return Answer.of(named.answer)
            is FfiClientId.Found -> named.id
        }
        val key = keys.publicKey(id) ?: return Answer.of(ffi.unknownClient())
        return checkWith(key, method, target, ffiHeaders, body, uriForm)
    }

    private fun checkWith(keys: Keys, method: String, target: String, headers: List<FfiHeader>, body: ByteArray, uriForm: UriForm): Answer? =
        when (keys) {
            is PublicKey -> ffi.check(keys.ffi, method, target, headers, body, uriForm.toFfi())
            is KeySource -> ffi.checkSource(keys.ffi, method, target, headers, body, uriForm.toFfi())
        }?.let(Answer::of)

    /** Frees the gate (and its replay cache or store connection) now instead of at garbage collection. */
    override fun close() = ffi.close()

    internal companion object {
        /** A `uriForm` option given as text (`decoded`, `encoded`; null: decoded), read by the core. */
        fun uriForm(text: String?): UriForm = when (native { uriFormParse(text) }) {
            FfiUriForm.DECODED -> UriForm.DECODED
            FfiUriForm.ENCODED -> UriForm.ENCODED
        }
    }
}

private fun List<Map.Entry<String, ByteArray>>.toFfiHeaders(): List<FfiHeader> = map { FfiHeader(it.key, it.value) }
