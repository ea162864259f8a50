package dev.taap

import dev.taap.ffi.FfiSignPolicy
import dev.taap.ffi.popHeader

/** Which headers of an outgoing request a PoP token signs: the core's policy, bound. */
class SignPolicy private constructor(internal val ffi: FfiSignPolicy) {
    /** The ready-made policies. */
    companion object {
        /** The docs' policy: `Content-Type` and `Authorization` when present. */
        @JvmStatic
        fun docs(): SignPolicy = SignPolicy(FfiSignPolicy.docs())

        /** Exactly these headers, in this order, each when the request has it. */
        @JvmStatic
        @Throws(TaapException::class)
        fun headers(names: List<String>): SignPolicy = SignPolicy(native { FfiSignPolicy.headers(names) })

        /** Exactly these headers, in this order, each when the request has it. */
        @JvmStatic
        @Throws(TaapException::class)
        fun headers(vararg names: String): SignPolicy = headers(names.toList())

        /** Every header the request carries, in the request's order. */
        @JvmStatic
        fun allHeaders(): SignPolicy = SignPolicy(FfiSignPolicy.allHeaders())
    }

    /** A new policy that also signs [name]. */
    @Throws(TaapException::class)
    fun withHeader(name: String): SignPolicy = SignPolicy(native { ffi.withHeader(name) })

    /** A new policy that never signs [name]. */
    @Throws(TaapException::class)
    fun withoutHeader(name: String): SignPolicy = SignPolicy(native { ffi.withoutHeader(name) })

    /** The PoP token for one request as this policy signs it. */
    @JvmOverloads
    @Throws(TaapException::class)
    fun sign(
        key: Signer,
        method: String,
        url: String,
        headers: List<EhtsEntry>,
        body: ByteArray,
        options: BuildOptions = BuildOptions(),
    ): String = native { ffi.sign(key.ffiSigner, method, url, headers.toFfi(), body, options.toFfi()) }

    /** Equal when both select the same headers. */
    override fun equals(other: Any?): Boolean = other is SignPolicy && ffi.samePolicy(other.ffi)

    /** Consistent with [equals]. */
    override fun hashCode(): Int = ffi.describe().hashCode()

    /** The header names this policy signs. */
    override fun toString(): String = "SignPolicy(${ffi.describe()})"
}

/** The core's request rules and facts, for code that builds its own requests. */
object Taap {
    /** The header a PoP token travels in (`X-Authorization`). */
    @JvmField
    val POP_HEADER: String = popHeader()

    /** The `uri` value of a URL or path: path plus percent-decoded query. */
    @JvmStatic
    @Throws(TaapException::class)
    fun requestUri(url: String): String = native { dev.taap.ffi.requestUri(url) }

    /** The `http-method` value: upper-cased; it must be an HTTP token. */
    @JvmStatic
    @Throws(TaapException::class)
    fun requestMethod(method: String): String = native { dev.taap.ffi.requestMethod(method) }

    /**
     * Why a gateway would accept or refuse [token] for the request as sent ([method], [url] or
     * its path and query, [headers] in order, exact [body]): claims, times judged at [now]
     * (epoch seconds) or the clock, each hashed value with secrets masked, the `edts` recomputed,
     * the signature when [publicKey] is given, and the signer variant that reproduces the token.
     */
    @JvmStatic
    @JvmOverloads
    @Throws(TaapException::class)
    fun explain(
        token: String,
        method: String,
        url: String,
        headers: List<EhtsEntry> = emptyList(),
        body: ByteArray = ByteArray(0),
        publicKey: PublicKey? = null,
        now: Long? = null,
    ): Explanation = Explanation.of(native { dev.taap.ffi.explain(token, method, url, headers.toFfi(), body, publicKey?.ffi, now) })

    /** The version of the native core inside this jar. */
    @JvmStatic
    fun coreVersion(): String = dev.taap.ffi.coreVersion()

    /**
     * Every option of the client, the validator and the middleware as the core declares it
     * (`name`, `camel`, `group`, `kind`, `default`, `min`, `max`, `doc`, `secret`, …), so
     * declarations and tools can be checked against the one table.
     */
    @JvmStatic
    fun settingsSchema(): List<Map<String, Any?>> = jsonObjects(dev.taap.ffi.settingsSchemaJson())
}
