package dev.taap

import dev.taap.ffi.FfiAccessToken
import dev.taap.ffi.FfiClient
import java.time.Duration
import java.util.AbstractMap.SimpleImmutableEntry
import java.util.concurrent.CompletableFuture
import java.util.concurrent.Executor
import java.util.concurrent.Executors

/** An OAuth access token; [token] is a secret and never appears in [toString]. */
class AccessToken internal constructor(ffi: FfiAccessToken) {
    /** The bearer token. */
    val token: String = ffi.token

    /** The OpenID Connect id token, when sent. */
    val idToken: String? = ffi.idToken

    /** Lifetime in seconds as the server gave it. */
    val expiresIn: Long = ffi.expiresIn.toLong()

    /** Validity left when the call returned. */
    val remaining: Duration = Duration.ofMillis(ffi.remainingMs.toLong())

    /** The granted scope, when sent. */
    val scope: String? = ffi.scope

    /** Lifetime and scope only. */
    override fun toString(): String = "AccessToken(token=<hidden>, expiresIn=$expiresIn, scope=$scope)"
}

/** An HTTP answer: status, headers in arrival order (names lower-case), whole body. */
class Response internal constructor(
    /** The HTTP status code. */
    val status: Int,
    /** The headers as (name, value) entries. */
    val headers: List<Map.Entry<String, String>>,
    /** The body bytes. */
    val body: ByteArray,
) {
    /** The first value of header [name] (any case). */
    fun header(name: String): String? = headers.firstOrNull { it.key.equals(name, ignoreCase = true) }?.value

    /** The body as UTF-8 text. */
    fun text(): String = body.decodeToString()

    /** Status and size. */
    override fun toString(): String = "Response(status=$status, ${body.size} bytes)"
}

/**
 * OAuth access tokens and signed API calls: every call carries the cached bearer token and a
 * fresh PoP token made through the core's signing policy. Thread-safe; share one per credential.
 */
class TaapClient private constructor(private val ffi: FfiClient) : AutoCloseable {
    /**
     * A client for [clientId] and [clientSecret] (kept out of every `toString` and message)
     * signing with [key] (a [PrivateKey] or any [Signer]), with typed [options] ([ClientOptions], generated from the core's
     * settings schema); no network traffic yet.
     */
    @JvmOverloads
    @Throws(TaapException::class)
    constructor(key: Signer, clientId: String, clientSecret: String, options: ClientOptions = ClientOptions()) :
        this(key, clientId, clientSecret, options.toMap())

    /**
     * A client with [options] as a map under the schema's camel names (`server`, `maxRetries`,
     * `connectTimeout` in seconds, …; null means the default): the core checks each name, type and range.
     */
    @Throws(TaapException::class)
    constructor(key: Signer, clientId: String, clientSecret: String, options: Map<String, Any?>) :
        this(native { FfiClient(clientId, clientSecret, optionsJson(options), key.ffiSigner) })

    /**
     * The options in effect under the schema's camel names and units (seconds as numbers), as
     * the core applied them: secret-looking header values masked, `tokenStore` only whether one is set.
     */
    val settings: Map<String, Any?> = jsonObject(ffi.settings())

    /** The client id. */
    val clientId: String
        get() = ffi.clientId()

    /** The token endpoint URL. */
    val tokenUrl: String
        get() = ffi.tokenUrl()

    /** `v2` or `v6`. */
    val flavor: String
        get() = ffi.flavor()

    /** The cached access token, or a new one (blocks). */
    @Throws(TaapException::class)
    fun accessToken(): AccessToken = AccessToken(native { ffi.accessToken() })

    /** A new access token, replacing the cached one (blocks). */
    @Throws(TaapException::class)
    fun refreshAccessToken(): AccessToken = AccessToken(native { ffi.refreshAccessToken() })

    /** A signed API call (blocks on the network). */
    @JvmOverloads
    @Throws(TaapException::class)
    fun send(method: String, url: String, headers: List<EhtsEntry> = emptyList(), body: ByteArray = ByteArray(0)): Response {
        val answer = native { ffi.send(method, url, headers.toFfi(), body) }
        val entries = answer.headers.map { SimpleImmutableEntry(it.name, it.value) }
        return Response(answer.status.toInt(), entries, answer.body)
    }

    /**
     * [send] on [executor] (default: a shared pool of daemon threads, since the call blocks on
     * I/O and must not occupy the common fork-join pool); a failure completes the future
     * exceptionally with the [TaapException].
     */
    @JvmOverloads
    fun sendAsync(
        method: String,
        url: String,
        headers: List<EhtsEntry> = emptyList(),
        body: ByteArray = ByteArray(0),
        executor: Executor = callPool,
    ): CompletableFuture<Response> = CompletableFuture.supplyAsync({ send(method, url, headers, body) }, executor)

    /** [accessToken] on [executor], as [sendAsync] runs: the same cache, one refresh however many ask. */
    @JvmOverloads
    fun accessTokenAsync(executor: Executor = callPool): CompletableFuture<AccessToken> =
        CompletableFuture.supplyAsync({ accessToken() }, executor)

    /** [refreshAccessToken] on [executor], as [sendAsync] runs; the new token replaces the cached one. */
    @JvmOverloads
    fun refreshAccessTokenAsync(executor: Executor = callPool): CompletableFuture<AccessToken> =
        CompletableFuture.supplyAsync({ refreshAccessToken() }, executor)

    /** Id, server and flavour; never the secret or tokens. */
    override fun toString(): String = "TaapClient(clientId=$clientId, tokenUrl=$tokenUrl, flavor=$flavor)"

    /** Frees the client and its cached token now instead of at garbage collection. */
    override fun close() = ffi.close()

    private companion object {
        val callPool: Executor = Executors.newCachedThreadPool { task ->
            Thread(task, "taap-client-call").apply { isDaemon = true }
        }
    }
}
