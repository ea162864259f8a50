package dev.taap.test

import dev.taap.KeyLookup
import dev.taap.Keys
import dev.taap.MiddlewareOptions
import dev.taap.PublicKey
import dev.taap.TaapException
import java.io.ByteArrayInputStream
import java.io.ByteArrayOutputStream
import java.io.File
import java.lang.reflect.Proxy
import java.net.InetAddress
import java.net.InetSocketAddress
import java.net.ServerSocket
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.security.KeyFactory
import java.security.MessageDigest
import java.security.Signature
import java.security.spec.PKCS8EncodedKeySpec
import java.util.Base64
import java.util.Collections
import java.util.EnumSet
import java.util.UUID
import java.util.concurrent.Flow
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

/** PoP tokens made without taap: the JDK's SHA256withRSA over the JWS input, fresh `iat` and `jti`. */
object JdkTokens {
    private val b64 = Base64.getUrlEncoder().withoutPadding()
    private val key: java.security.PrivateKey by lazy {
        val pem = File(Fixtures.tests, "keys/tmobile/readme-private-pkcs8.pem").readText()
        val der = Base64.getMimeDecoder().decode(pem.lines().filter { !it.startsWith("-----") }.joinToString(""))
        KeyFactory.getInstance("RSA").generatePrivate(PKCS8EncodedKeySpec(der))
    }
    val publicKey: PublicKey by lazy { PublicKey.fromFile(File(Fixtures.tests, "keys/tmobile/readme-public.pem").path) }

    /** A token signing [ehts] in order. */
    fun token(ehts: List<Pair<String, String>>): String {
        val iat = System.currentTimeMillis() / 1000
        val edts = b64.encodeToString(MessageDigest.getInstance("SHA-256").digest(ehts.joinToString("") { it.second }.encodeToByteArray()))
        val names = ehts.joinToString(";") { it.first }
        val header = b64.encodeToString("""{"alg":"RS256","typ":"JWT"}""".encodeToByteArray())
        val payload = """{"edts":"$edts","v":"1","exp":${iat + 120},"ehts":"$names","iat":$iat,"jti":"${UUID.randomUUID()}"}"""
        val input = header + "." + b64.encodeToString(payload.encodeToByteArray())
        val signer = Signature.getInstance("SHA256withRSA")
        signer.initSign(key)
        signer.update(input.encodeToByteArray())
        return input + "." + b64.encodeToString(signer.sign())
    }
}

/** What came back: status, headers (lower-case names), body text. */
data class Reply(val status: Int, val headers: Map<String, List<String>>, val body: String) {
    fun header(name: String): String? = headers[name]?.singleOrNull()
}

/** How a filter is made: one key or key source, or a lookup, and its options. */
class Setup(val key: Keys? = null, val keys: KeyLookup? = null, val options: MiddlewareOptions = MiddlewareOptions())

/** A service behind a PopFilter; its application answers 200 `app saw: <body>` after reading the body. */
interface Door : AutoCloseable {
    /** The bodies the application saw, one per call that reached it. */
    val appSaw: List<String>

    fun send(method: String, target: String, headers: List<Pair<String, String>>, body: ByteArray, chunked: Boolean = false): Reply
}

/**
 * The request cases, the same for both filters: exact status and exact JSON body of the core's
 * answers, and whether the application was called.
 */
abstract class PopFilterCases {
    abstract fun door(setup: Setup): Door

    private val json = "application/json"
    private val challenge = "PoP realm=\"taap\""

    private fun refusal(kind: String, message: String) = """{"error":"$kind","message":"$message"}"""

    private fun assertRefused(reply: Reply, kind: String, message: String) {
        assertEquals(401, reply.status, reply.body)
        assertEquals(refusal(kind, message), reply.body)
        assertEquals(json, reply.header("content-type"))
        assertEquals(challenge, reply.header("www-authenticate"))
    }

    private val body = """{"orderId": 100}"""

    private fun signed(target: String, uri: String = target, method: String = "POST", sentBody: String = body) = JdkTokens.token(
        listOf("Content-Type" to json, "uri" to uri, "http-method" to method, "body" to sentBody),
    )

    private fun post(door: Door, target: String, token: String?, extra: List<Pair<String, String>> = emptyList(), sent: String = body): Reply {
        val headers = listOf("Content-Type" to json) + (token?.let { listOf("X-Authorization" to it) } ?: emptyList()) + extra
        return door.send("POST", target, headers, sent.encodeToByteArray())
    }

    @Test
    fun aSignedRequestReachesTheAppWithItsBody() = door(Setup(JdkTokens.publicKey)).use { door ->
        val reply = post(door, "/orders/7?expand=items", signed("/orders/7?expand=items"))
        assertEquals(200, reply.status, reply.body)
        assertEquals("app saw: $body", reply.body)
        assertEquals(listOf(body), door.appSaw)
    }

    @Test
    fun aMissingTokenIsRefused() = door(Setup(JdkTokens.publicKey)).use { door ->
        assertRefused(post(door, "/orders/7", null), "InvalidToken", "invalid PoP token: X-Authorization (the PoP token) is missing")
        assertEquals(emptyList<String>(), door.appSaw)
    }

    @Test
    fun aTamperedTargetIsAnEdtsMismatch() = door(Setup(JdkTokens.publicKey)).use { door ->
        val reply = post(door, "/orders/8", signed("/orders/7"))
        assertRefused(
            reply, "EdtsMismatch",
            "edts mismatch: the request's values differ from the ones the token signed (check headers, uri, method and body byte for byte)",
        )
        assertEquals(emptyList<String>(), door.appSaw)
    }

    @Test
    fun aReplayIsRefused() = door(Setup(JdkTokens.publicKey)).use { door ->
        val token = signed("/orders/7")
        assertEquals(200, post(door, "/orders/7", token).status)
        assertRefused(
            post(door, "/orders/7", token), "Replay",
            "replayed PoP token: this jti was already used; build a fresh token for every call",
        )
        assertEquals(listOf(body), door.appSaw)
    }

    @Test
    fun aBodyOverMaxBodyIs413AndTheAppIsNotCalled() = door(Setup(JdkTokens.publicKey, options = MiddlewareOptions(maxBody = 16))).use { door ->
        val big = "x".repeat(100)
        val expected = """{"error":"RequestTooLarge","message":"the body is larger than 16 bytes"}"""
        for (chunked in listOf(false, true)) {
            val headers = listOf("Content-Type" to json, "X-Authorization" to signed("/orders/7", sentBody = big))
            val reply = door.send("POST", "/orders/7", headers, big.encodeToByteArray(), chunked)
            assertEquals(413, reply.status, "chunked=$chunked: ${reply.body}")
            assertEquals(expected, reply.body)
            assertEquals(json, reply.header("content-type"))
        }
        assertEquals(emptyList<String>(), door.appSaw)
        // A body of exactly maxBody bytes passes.
        val fits = "y".repeat(16)
        val reply = post(door, "/orders/7", signed("/orders/7", sentBody = fits), sent = fits)
        assertEquals(200, reply.status, reply.body)
        assertEquals(listOf(fits), door.appSaw)
    }

    @Test
    fun keysAreLookedUpByClientId() {
        val lookup = KeyLookup { id -> if (id == "acme") JdkTokens.publicKey else null }
        door(Setup(keys = lookup)).use { door ->
            val known = post(door, "/orders/7", signed("/orders/7"), listOf("X-Client-Id" to "acme"))
            assertEquals(200, known.status, known.body)
            assertRefused(
                post(door, "/orders/7", signed("/orders/7"), listOf("X-Client-Id" to "evil")),
                "InvalidToken", "invalid PoP token: no public key is registered for this client id",
            )
            assertRefused(
                post(door, "/orders/7", signed("/orders/7"), listOf("X-Client-Id" to "acme", "X-Client-Id" to "evil")),
                "InvalidToken", "invalid PoP token: the x-client-id header appears 2 times; send it once",
            )
            assertRefused(
                post(door, "/orders/7", signed("/orders/7")),
                "InvalidToken", "invalid PoP token: the x-client-id header (the client id) is missing",
            )
            assertEquals(listOf(body), door.appSaw)
        }
    }

    @Test
    fun aDownSharedReplayStoreIs503() {
        // A loopback port that was free a moment ago: the connection is refused at once.
        val port = ServerSocket(0, 1, InetAddress.getLoopbackAddress()).use { it.localPort }
        door(Setup(JdkTokens.publicKey, options = MiddlewareOptions(replayStore = "redis://127.0.0.1:$port"))).use { door ->
            val reply = post(door, "/orders/7", signed("/orders/7"))
            assertEquals(503, reply.status, reply.body)
            assertEquals(
                """{"error":"replay_store_unavailable","store":"redis","message":"the replay store (redis) is unavailable: """ +
                    """Redis is unreachable; retry shortly"}""",
                reply.body,
            )
            assertEquals("1", reply.header("retry-after"))
            assertEquals(json, reply.header("content-type"))
            assertEquals(emptyList<String>(), door.appSaw)
        }
    }
}

/** The Servlet 4 twin, `com.tmobile.taap.servlet.javax.PopFilter`, in a real Jetty 9 over real HTTP on loopback. */
class JettyPopFilterTest : PopFilterCases() {
    private class App(val saw: MutableList<String>) : javax.servlet.http.HttpServlet() {
        override fun service(request: javax.servlet.http.HttpServletRequest, response: javax.servlet.http.HttpServletResponse) {
            val body = request.inputStream.readAllBytes().decodeToString()
            saw.add(body)
            response.status = 200
            response.outputStream.write("app saw: $body".encodeToByteArray())
        }
    }

    private companion object {
        /** One client for every case: Java 17's HttpClient keeps its selector thread until collected. */
        val client: HttpClient = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
    }

    private class JettyDoor(filter: javax.servlet.Filter) : Door {
        override val appSaw: MutableList<String> = Collections.synchronizedList(ArrayList())
        private val server = org.eclipse.jetty.server.Server(InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
        private val port: Int

        init {
            val context = org.eclipse.jetty.servlet.ServletContextHandler()
            context.addServlet(org.eclipse.jetty.servlet.ServletHolder(App(appSaw)), "/*")
            context.addFilter(org.eclipse.jetty.servlet.FilterHolder(filter), "/*", EnumSet.of(javax.servlet.DispatcherType.REQUEST))
            server.handler = context
            server.start()
            port = (server.connectors[0] as org.eclipse.jetty.server.ServerConnector).localPort
        }

        override fun send(method: String, target: String, headers: List<Pair<String, String>>, body: ByteArray, chunked: Boolean): Reply {
            val bytes = HttpRequest.BodyPublishers.ofByteArray(body)
            val publisher = if (chunked) HttpRequest.BodyPublishers.fromPublisher(Flow.Publisher<java.nio.ByteBuffer> { bytes.subscribe(it) }) else bytes
            val request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:$port$target")).method(method, publisher)
            for ((name, value) in headers) request.header(name, value)
            val response = client.send(request.build(), HttpResponse.BodyHandlers.ofString())
            val names = response.headers().map().mapKeys { it.key.lowercase() }
            return Reply(response.statusCode(), names, response.body())
        }

        override fun close() = server.stop()
    }

    override fun door(setup: Setup): Door = JettyDoor(
        if (setup.key != null) {
            com.tmobile.taap.servlet.javax.PopFilter(setup.key, setup.options)
        } else {
            com.tmobile.taap.servlet.javax.PopFilter(setup.keys!!, setup.options)
        },
    )

    @Test
    fun theTargetIsPassedAsReceivedPercentEncodingKept() = door(Setup(JdkTokens.publicKey)).use { door ->
        // The docs' uri decodes the query; the filter hands the core the raw target, which decodes it.
        val target = "/customers?name=J%C3%BCrgen"
        val token = JdkTokens.token(listOf("uri" to "/customers?name=J\u00fcrgen", "http-method" to "GET", "body" to ""))
        val reply = door.send("GET", target, listOf("X-Authorization" to token), ByteArray(0))
        assertEquals(200, reply.status, reply.body)
    }
}

/**
 * The Servlet 5 filter, `com.tmobile.taap.servlet.PopFilter` (jakarta.servlet: no jakarta
 * container here), driven through java.lang.reflect.Proxy requests and responses with the same
 * cases; also its init parameters and how many body bytes it reads.
 */
class JakartaPopFilterTest : PopFilterCases() {
    /** Body bytes the filter read from the last request's stream. */
    private var read = 0

    /** A door through [filter], for other suites' filters too (KeySourceTest's `web.xml` cases). */
    inner class ProxyDoor(private val filter: jakarta.servlet.Filter) : Door {
        override val appSaw: MutableList<String> = ArrayList()

        override fun send(method: String, target: String, headers: List<Pair<String, String>>, body: ByteArray, chunked: Boolean): Reply {
            val request = request(method, target, headers, body, chunked)
            val status = intArrayOf(200)
            val replyHeaders = LinkedHashMap<String, MutableList<String>>()
            val out = ByteArrayOutputStream()
            val stream = object : jakarta.servlet.ServletOutputStream() {
                override fun write(b: Int) = out.write(b)
                override fun isReady() = true
                override fun setWriteListener(listener: jakarta.servlet.WriteListener) = throw UnsupportedOperationException()
            }
            val response = proxy(jakarta.servlet.http.HttpServletResponse::class.java) { name, args ->
                when (name) {
                    "setStatus" -> { status[0] = args[0] as Int; null }
                    "addHeader" -> { replyHeaders.getOrPut((args[0] as String).lowercase()) { ArrayList() }.add(args[1] as String); null }
                    "setContentLengthLong", "flushBuffer" -> null
                    "getOutputStream" -> stream
                    else -> throw UnsupportedOperationException("response.$name")
                }
            }
            val chain = jakarta.servlet.FilterChain { req, res ->
                val seen = req.inputStream.readAllBytes().decodeToString()
                appSaw.add(seen)
                (res as jakarta.servlet.http.HttpServletResponse).status = 200
                res.outputStream.write("app saw: $seen".encodeToByteArray())
            }
            filter.doFilter(request, response, chain)
            return Reply(status[0], replyHeaders, out.toByteArray().decodeToString())
        }

        override fun close() {}
    }

    private fun request(method: String, target: String, headers: List<Pair<String, String>>, body: ByteArray, chunked: Boolean): jakarta.servlet.http.HttpServletRequest {
        read = 0
        val bytes = ByteArrayInputStream(body)
        val input = object : jakarta.servlet.ServletInputStream() {
            override fun read(): Int = bytes.read().also { if (it >= 0) read++ }
            override fun read(into: ByteArray, offset: Int, length: Int): Int = bytes.read(into, offset, length).also { if (it > 0) read += it }
            override fun isFinished() = bytes.available() == 0
            override fun isReady() = true
            override fun setReadListener(listener: jakarta.servlet.ReadListener) = throw UnsupportedOperationException()
        }
        val names = headers.map { it.first }.distinctBy { it.lowercase() }
        return proxy(jakarta.servlet.http.HttpServletRequest::class.java) { name, args ->
            when (name) {
                "getMethod" -> method
                "getRequestURI" -> target.substringBefore('?')
                "getQueryString" -> if ('?' in target) target.substringAfter('?') else null
                "getHeaderNames" -> Collections.enumeration(names)
                "getHeaders" -> Collections.enumeration(headers.filter { it.first.equals(args[0] as String, true) }.map { it.second })
                "getContentLengthLong" -> if (chunked) -1L else body.size.toLong()
                "getInputStream" -> input
                "getCharacterEncoding" -> null
                else -> throw UnsupportedOperationException("request.$name")
            }
        }
    }

    private fun <T> proxy(type: Class<T>, answer: (String, Array<Any?>) -> Any?): T = type.cast(
        Proxy.newProxyInstance(type.classLoader, arrayOf(type)) { self, method, args ->
            when (method.name) {
                "toString" -> type.simpleName
                "hashCode" -> System.identityHashCode(self)
                "equals" -> self === args?.get(0)
                else -> answer(method.name, args ?: emptyArray())
            }
        },
    )

    override fun door(setup: Setup): Door = ProxyDoor(
        if (setup.key != null) {
            com.tmobile.taap.servlet.PopFilter(setup.key, setup.options)
        } else {
            com.tmobile.taap.servlet.PopFilter(setup.keys!!, setup.options)
        },
    )

    private fun config(params: Map<String, String>) = proxy(jakarta.servlet.FilterConfig::class.java) { name, args ->
        when (name) {
            "getInitParameter" -> params[args[0] as String]
            "getFilterName" -> "pop"
            else -> throw UnsupportedOperationException("config.$name")
        }
    }

    @Test
    fun neverReadsMoreThanMaxBodyPlusOne() = door(Setup(JdkTokens.publicKey, options = MiddlewareOptions(maxBody = 16))).use { door ->
        val reply = door.send("POST", "/orders/7", emptyList(), ByteArray(10_000), chunked = true)
        assertEquals(413, reply.status)
        assertEquals(17, read)
        door.send("POST", "/orders/7", emptyList(), ByteArray(10_000), chunked = false)
        assertEquals(0, read, "a declared length over maxBody is refused unread")
    }

    @Test
    fun initParametersConfigureAWebXmlFilter() {
        val filter = com.tmobile.taap.servlet.PopFilter()
        val pem = File(Fixtures.tests, "keys/tmobile/readme-public.pem").readText()
        filter.init(config(mapOf("publicKey" to pem, "options" to """{"maxBody": 16, "replayStore": false}""")))
        assertEquals(16L, filter.gate.maxBody)
        ProxyDoor(filter).use { door ->
            val token = JdkTokens.token(listOf("uri" to "/a", "http-method" to "GET", "body" to ""))
            assertEquals(200, door.send("GET", "/a", listOf("X-Authorization" to token), ByteArray(0)).status)
            assertEquals(200, door.send("GET", "/a", listOf("X-Authorization" to token), ByteArray(0)).status, "replayStore false")
        }
        val fromFile = com.tmobile.taap.servlet.PopFilter()
        fromFile.init(config(mapOf("publicKeyFile" to File(Fixtures.tests, "keys/tmobile/readme-public.pem").path, "uriForm" to "encoded")))
        assertEquals(1048576L, fromFile.gate.maxBody)
        val wrong = assertThrows(jakarta.servlet.ServletException::class.java) {
            com.tmobile.taap.servlet.PopFilter().init(config(mapOf("publicKey" to pem, "options" to """{"leeway": 301}""")))
        }
        assertEquals("PopFilter pop: invalid configuration: option leeway is 301; choose 0 to 300 seconds", wrong.message)
        assertTrue(wrong.cause is TaapException.Config)
    }

    @Test
    fun anOptionOutOfRangeIsTheCoresConfigError() {
        val error = assertThrows(TaapException.Config::class.java) {
            com.tmobile.taap.servlet.PopFilter(JdkTokens.publicKey, MiddlewareOptions(maxAge = 0))
        }
        assertEquals("invalid configuration: option maxAge is 0; choose 1 to 3600 seconds", error.message)
        val store = assertThrows(TaapException.Config::class.java) {
            com.tmobile.taap.servlet.PopFilter(JdkTokens.publicKey, mapOf("replayStore" to 0))
        }
        assertEquals("invalid configuration: option replayStore is 0; choose at least 1", store.message)
        val javax = assertThrows(TaapException.Config::class.java) {
            com.tmobile.taap.servlet.javax.PopFilter(JdkTokens.publicKey, MiddlewareOptions(maxBody = -1))
        }
        assertEquals("invalid configuration: option maxBody is -1; choose at least 0 bytes", javax.message)
    }
}

/** `MiddlewareOptions` (generated from the schema) reaching the core's `PopGate`. */
class PopGateTest {
    @Test
    fun theDefaultsSendNothingAndEveryPropertyReachesTheGate() {
        assertEquals(emptyMap<String, Any?>(), MiddlewareOptions().toMap())
        dev.taap.PopGate().use { gate ->
            assertEquals(1048576L, gate.maxBody)
            assertEquals("x-client-id", gate.clientIdHeader)
        }
        val options = MiddlewareOptions(leeway = 0, maxAge = 5, required = listOf("uri"), maxBody = 7, clientIdHeader = "X-Partner", replayStore = 10)
        assertEquals(
            mapOf("leeway" to 0L, "maxAge" to 5L, "required" to listOf("uri"), "maxBody" to 7L, "clientIdHeader" to "X-Partner", "replayStore" to 10),
            options.toMap(),
        )
        dev.taap.PopGate(options).use { gate ->
            assertEquals(7L, gate.maxBody)
            assertEquals("x-partner", gate.clientIdHeader)
            val tooLarge = gate.tooLarge()
            assertEquals(413, tooLarge.status)
            assertEquals("""{"error":"RequestTooLarge","message":"the body is larger than 7 bytes"}""", tooLarge.body)
        }
        assertEquals("MiddlewareOptions(replayStore=<hidden>)", MiddlewareOptions(replayStore = "redis://:pw-123456@127.0.0.1:1/").toString())
        val unknown = assertThrows(TaapException.Config::class.java) { dev.taap.PopGate(mapOf("replayCache" to 5)) }
        assertTrue(unknown.message!!.startsWith("invalid configuration: unknown option replayCache; the middleware takes "), unknown.message)
    }
}
