package dev.taap

import dev.taap.ffi.FfiAccessToken
import dev.taap.ffi.FfiClient
import dev.taap.ffi.FfiClientOptions
import java.time.Duration
import java.util.AbstractMap.SimpleImmutableEntry
import java.util.concurrent.CompletableFuture
import java.util.concurrent.Executor
import java.util.concurrent.Executors

/**
 * Client settings: credentials, the token [server] (`v2`, `v6`, a T-Mobile API name such as
 * `connectivity`, or a token URL), and optional tuning; a null option keeps the core's default.
 */
class ClientOptions(
    /** The OAuth client id. */
    val clientId: String,
    /** The OAuth client secret (never shown by [toString]). */
    val clientSecret: String,
    /** `v2`, `v6`, an API name or a token endpoint URL. */
    val server: String,
) {
    /** `storeId` for the v6 body. */
    var storeId: String? = null

    /** `dealerCode` for the v6 body. */
    var dealerCode: String? = null

    /** Connection set-up timeout (core default 10 s). */
    var connectTimeout: Duration? = null

    /** Timeout of one whole HTTP exchange (core default 30 s). */
    var requestTimeout: Duration? = null

    /** Retries after the first attempt (core default 2). */
    var maxRetries: Int? = null

    /** First backoff delay (core default 200 ms). */
    var retryBaseDelay: Duration? = null

    /** Longest wait between tries (core default 10 s). */
    var retryMaxDelay: Duration? = null

    /** How long before expiry a cached access token is replaced (core default 60 s). */
    var refreshMargin: Duration? = null

    /** Validity of each PoP token in seconds (core default 120). */
    var popTtlSecs: Long? = null

    /** Largest response body read into memory (core default 10 MiB). */
    var maxResponseBytes: Long? = null

    /** Whether PoP `iat` follows the servers' `Date` (core default on). */
    var correctClockSkew: Boolean? = null

    internal fun toFfi() = FfiClientOptions(
        clientId, clientSecret, server, storeId, dealerCode,
        connectTimeout?.toMillis(), requestTimeout?.toMillis(), maxRetries?.toLong(),
        retryBaseDelay?.toMillis(), retryMaxDelay?.toMillis(), refreshMargin?.seconds,
        popTtlSecs, maxResponseBytes, correctClockSkew,
    )

    /** Shows the id and server; the secret stays hidden. */
    override fun toString(): String = "ClientOptions(clientId=$clientId, clientSecret=<hidden>, server=$server)"
}

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
class TaapClient @Throws(TaapException::class) constructor(key: PrivateKey, options: ClientOptions) : AutoCloseable {
    private val ffi: FfiClient = native { FfiClient(options.toFfi(), key.ffi) }

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
