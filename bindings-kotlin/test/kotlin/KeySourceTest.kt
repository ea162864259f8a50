package dev.taap.test

import com.sun.net.httpserver.HttpServer
import dev.taap.Answer
import dev.taap.EhtsEntry
import dev.taap.KeyLookup
import dev.taap.KeySource
import dev.taap.KeySourceKind
import dev.taap.Keys
import dev.taap.PopGate
import dev.taap.PopToken
import dev.taap.PrivateKey
import dev.taap.TaapException
import java.io.File
import java.lang.reflect.Proxy
import java.net.InetAddress
import java.net.InetSocketAddress
import java.net.ServerSocket
import java.nio.file.Files
import java.util.AbstractMap.SimpleImmutableEntry
import java.util.concurrent.atomic.AtomicInteger
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

/**
 * `KeySource` through `PopGate.check`, a `KeyLookup` and both Servlet filters: a JWK set of
 * several keys, a key file read again when it changes, and a JWK set URL served by the JDK's
 * HttpServer on a loopback port these tests start and stop (cached per `Cache-Control`, 503
 * `KeySourceUnavailable` when it cannot be fetched). Exact statuses and JSON answers.
 */
class KeySourceTest {
    private companion object {
        /** Three keys: the first two are a client's, the third nobody's. */
        val keys: List<PrivateKey> by lazy { List(3) { PrivateKey.generate() } }

        const val TARGET = "/orders?page=2"
        val body = """{"sku":"TMO-5G"}""".encodeToByteArray()
        const val SIGNATURE_INVALID =
            """{"error":"SignatureInvalid","message":"PoP token signature invalid: the token was not signed by the private key matching this public key"}"""
        const val UNKNOWN_CLIENT =
            """{"error":"InvalidToken","message":"invalid PoP token: no public key is registered for this client id"}"""
    }

    /** [key]'s public JWK with the extra members [members] (`"kid":"k0"`). */
    private fun jwk(key: PrivateKey, members: String? = null): String {
        val jwk = key.publicKey().toJwk().trim()
        return if (members == null) jwk else jwk.removeSuffix("}") + ",$members}"
    }

    private fun jwkSet(vararg jwks: String) = """{"keys":[${jwks.joinToString(",")}]}"""

    /** The headers of one POST signed by [key], naming [client] in X-Client-Id if given (signed too). */
    private fun signedHeaders(key: PrivateKey, client: String? = null): List<Map.Entry<String, ByteArray>> {
        val named = client?.let { listOf(EhtsEntry("X-Client-Id", it)) } ?: emptyList()
        val token = PopToken.forRequest(key, "POST", "http://127.0.0.1$TARGET", named, body)
        return (named.map { it.name to it.value } + ("X-Authorization" to token)).map { SimpleImmutableEntry(it.first, it.second.encodeToByteArray()) }
    }

    /** The gate's answer to one POST signed by [key] and checked with [keys] (null: accepted). */
    private fun check(gate: PopGate, keys: Keys, key: PrivateKey): Answer? = gate.check(keys, "POST", TARGET, signedHeaders(key), body)

    /** The gate's answer to one POST signed by [key] for [client], checked with the keys [lookup] gives. */
    private fun check(gate: PopGate, lookup: KeyLookup, key: PrivateKey, client: String): Answer? =
        gate.check(lookup, "POST", TARGET, signedHeaders(key, client), body)

    private fun assertAnswer(status: Int, json: String, answer: Answer?) {
        requireNotNull(answer) { "the request was accepted; expected $status $json" }
        assertEquals(status, answer.status, answer.body)
        assertEquals(json, answer.body)
    }

    private fun assertSignatureInvalid(answer: Answer?) {
        assertAnswer(401, SIGNATURE_INVALID, answer)
        assertEquals(listOf("content-type" to "application/json", "www-authenticate" to "PoP realm=\"taap\""), answer!!.headers.map { it.key to it.value })
    }

    /** A loopback URL whose port was free a moment ago: the connection is refused at once. */
    private fun closedPortUrl(): String {
        val port = ServerSocket(0, 1, InetAddress.getLoopbackAddress()).use { it.localPort }
        return "http://127.0.0.1:$port/jwks.json"
    }

    /** The core's message when the JWK set at [url] is refused a connection and nothing is cached. */
    private fun unavailableMessage(url: String) =
        "key source unavailable: the JWK set at $url cannot be fetched (connection refused) and no usable copy is cached"

    private fun unavailable(url: String) = """{"error":"KeySourceUnavailable","message":"${unavailableMessage(url)}"}"""

    @Test
    fun aJwkSetOfTwoKeysAcceptsTokensOfEachAndRefusesAThird() = PopGate().use { gate ->
        val source = KeySource.parse(jwkSet(jwk(keys[0], "\"kid\":\"2025\""), jwk(keys[1], "\"kid\":\"2026\"")))
        assertEquals(KeySourceKind.FIXED, source.kind)
        assertEquals(2, source.size)
        assertEquals("KeySource(kind=fixed)", source.toString())
        assertNull(check(gate, source, keys[0]))
        assertNull(check(gate, source, keys[1]))
        assertSignatureInvalid(check(gate, source, keys[2]))
        // Bytes, a single JWK and PEM make one-key sets.
        assertEquals(1, KeySource.parse(jwk(keys[2]).encodeToByteArray()).size)
        KeySource.parse(keys[2].publicKey().toPem()).use { pem -> assertNull(check(gate, pem, keys[2])) }
    }

    @Test
    fun aKeyWhoseWindowIsOverIsRefused() = PopGate().use { gate ->
        val now = System.currentTimeMillis() / 1000
        val source = KeySource.parse(jwkSet(jwk(keys[0], "\"exp\":${now - 10}"), jwk(keys[1], "\"nbf\":${now - 10}")))
        assertNull(check(gate, source, keys[1]))
        assertSignatureInvalid(check(gate, source, keys[0]))
    }

    @Test
    fun badKeyTextIsInvalidKey() {
        val error = assertThrows(TaapException.InvalidKey::class.java) { KeySource.parse("""{"keys":[]}""") }
        assertEquals("invalid key: a key set needs at least one key", error.message)
        val missing = assertThrows(TaapException.Config::class.java) { KeySource.fromFile("/nonexistent/keys.json") }
        assertEquals("TAAP_CONFIG", missing.code)
        val notUrl = assertThrows(TaapException.Config::class.java) { KeySource.fromJwksUrl("ftp://example.com/jwks.json") }
        assertEquals("invalid configuration: the JWKS URL must be http:// or https:// with a host", notUrl.message)
    }

    @Test
    fun aLookupMayAnswerWithAClientsKeySource() = PopGate().use { gate ->
        val sources = mapOf("rotating" to KeySource.parse(jwkSet(jwk(keys[0]), jwk(keys[1]))), "single" to keys[2].publicKey())
        val lookup = KeyLookup { id -> sources[id] }
        assertNull(check(gate, lookup, keys[0], "rotating"))
        assertNull(check(gate, lookup, keys[1], "rotating"))
        assertSignatureInvalid(check(gate, lookup, keys[2], "rotating"))
        assertNull(check(gate, lookup, keys[2], "single"))
        assertAnswer(401, UNKNOWN_CLIENT, check(gate, lookup, keys[1], "someone-else"))
    }

    @Test
    fun aKeyFileIsReadAgainWhenItChanges() = PopGate().use { gate ->
        val dir = Files.createTempDirectory("taap-keys").toFile()
        try {
            val file = File(dir, "client-keys.json")
            file.writeText(jwkSet(jwk(keys[0])))
            val source = KeySource.fromFile(file.path)
            assertEquals(KeySourceKind.FILE, source.kind)
            assertEquals("KeySource(kind=file, path=${file.path})", source.toString())
            assertNull(check(gate, source, keys[0]))
            assertSignatureInvalid(check(gate, source, keys[1]))
            file.writeText(jwkSet(jwk(keys[1])))
            // A modification time the check cannot miss, whatever the file system's grain.
            assertTrue(file.setLastModified(System.currentTimeMillis() + 5000))
            Thread.sleep(1100) // the file is looked at once a second at most
            assertNull(check(gate, source, keys[1]))
            assertSignatureInvalid(check(gate, source, keys[0]))
            assertEquals(1, source.size)
        } finally {
            dir.deleteRecursively()
        }
    }

    /** A JWK set on 127.0.0.1 with `Cache-Control: max-age=300`, counting its fetches. */
    private class JwksServer(jwks: String) : AutoCloseable {
        val fetches = AtomicInteger()
        private val server = HttpServer.create(InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0)
        val url = "http://127.0.0.1:${server.address.port}/jwks.json"

        init {
            server.createContext("/jwks.json") { exchange ->
                fetches.incrementAndGet()
                val bytes = jwks.encodeToByteArray()
                exchange.responseHeaders.add("Content-Type", "application/json")
                exchange.responseHeaders.add("Cache-Control", "max-age=300")
                exchange.sendResponseHeaders(200, bytes.size.toLong())
                exchange.responseBody.use { it.write(bytes) }
            }
            server.start()
        }

        override fun close() = server.stop(0)
    }

    @Test
    fun aJwksUrlIsFetchedOnceThenServedFromItsCacheAfterTheServerStops() = PopGate().use { gate ->
        JwksServer(jwkSet(jwk(keys[0], "\"kid\":\"k0\""), jwk(keys[1], "\"kid\":\"k1\""))).use { server ->
            // The query (an API key, say) is never shown.
            val source = KeySource.fromJwksUrl("${server.url}?api_key=secret-4711")
            assertEquals(KeySourceKind.JWKS, source.kind)
            assertEquals("KeySource(kind=jwks, url=${server.url})", source.toString())
            assertEquals(0, server.fetches.get(), "fetched when first needed, not when made")
            for (key in listOf(keys[0], keys[1], keys[0])) assertNull(check(gate, source, key))
            assertSignatureInvalid(check(gate, source, keys[2]))
            assertEquals(2, source.size)
            assertEquals(1, server.fetches.get())
            server.close()
            assertNull(check(gate, source, keys[1]), "the cached copy")
            assertEquals(1, server.fetches.get())
        }
    }

    @Test
    fun aJwksUrlThatCannotBeFetchedIs503KeySourceUnavailable() = PopGate().use { gate ->
        val url = closedPortUrl()
        val source = KeySource.fromJwksUrl(url)
        val answer = check(gate, source, keys[0])
        assertAnswer(503, unavailable(url), answer)
        assertEquals(listOf("content-type" to "application/json", "retry-after" to "1"), answer!!.headers.map { it.key to it.value })
        val error = assertThrows(TaapException.KeySourceUnavailable::class.java) { source.size }
        assertEquals("TAAP_KEY_SOURCE_UNAVAILABLE", error.code)
        assertEquals(unavailableMessage(url), error.message)
    }

    /** The same KeySource cases through both Servlet filters, in PopFilterTest's doors. */
    private fun throughFilter(door: (Setup) -> Door) {
        val sent = """{"orderId": 100}"""
        val signed = { JdkTokens.token(listOf("uri" to "/orders/7", "http-method" to "POST", "body" to sent)) }
        val byKey = { key: PrivateKey -> PopToken.forRequest(key, "POST", "http://127.0.0.1/orders/7", emptyList(), sent.encodeToByteArray()) }
        val source = KeySource.parse(jwkSet(JdkTokens.publicKey.toJwk(), jwk(keys[0])))
        door(Setup(source)).use { door ->
            for (token in listOf(signed(), byKey(keys[0]))) {
                val reply = door.send("POST", "/orders/7", listOf("X-Authorization" to token), sent.encodeToByteArray())
                assertEquals(200, reply.status, reply.body)
                assertEquals("app saw: $sent", reply.body)
            }
            val refused = door.send("POST", "/orders/7", listOf("X-Authorization" to byKey(keys[2])), sent.encodeToByteArray())
            assertEquals(401, refused.status, refused.body)
            assertEquals(SIGNATURE_INVALID, refused.body)
            assertEquals("PoP realm=\"taap\"", refused.header("www-authenticate"))
            assertEquals(listOf(sent, sent), door.appSaw)
        }
        door(Setup(keys = KeyLookup { id -> if (id == "acme") source else null })).use { door ->
            val reply = door.send("POST", "/orders/7", listOf("X-Authorization" to signed(), "X-Client-Id" to "acme"), sent.encodeToByteArray())
            assertEquals(200, reply.status, reply.body)
            val unknown = door.send("POST", "/orders/7", listOf("X-Authorization" to signed(), "X-Client-Id" to "evil"), sent.encodeToByteArray())
            assertEquals(401, unknown.status)
            assertEquals(UNKNOWN_CLIENT, unknown.body)
        }
        val url = closedPortUrl()
        door(Setup(KeySource.fromJwksUrl(url))).use { door ->
            val reply = door.send("POST", "/orders/7", listOf("X-Authorization" to signed()), sent.encodeToByteArray())
            assertEquals(503, reply.status, reply.body)
            assertEquals(unavailable(url), reply.body)
            assertEquals("1", reply.header("retry-after"))
            assertEquals("application/json", reply.header("content-type"))
            assertEquals(emptyList<String>(), door.appSaw)
        }
    }

    @Test
    fun theJavaxTwinInJettyTakesAKeySource() = throughFilter(JettyPopFilterTest()::door)

    @Test
    fun theJakartaFilterTakesAKeySource() = throughFilter(JakartaPopFilterTest()::door)

    private fun config(params: Map<String, String>): jakarta.servlet.FilterConfig = jakarta.servlet.FilterConfig::class.java.cast(
        Proxy.newProxyInstance(javaClass.classLoader, arrayOf(jakarta.servlet.FilterConfig::class.java)) { _, method, args ->
            when (method.name) {
                "getInitParameter" -> params[args[0] as String]
                "getFilterName" -> "pop"
                else -> throw UnsupportedOperationException("config.${method.name}")
            }
        },
    )

    @Test
    fun webXmlNamesAKeysFileOrAJwksUrl() {
        val sent = "{}"
        val token = { key: PrivateKey -> PopToken.forRequest(key, "POST", "http://127.0.0.1/a", emptyList(), sent.encodeToByteArray()) }
        val post = { filter: com.tmobile.taap.servlet.PopFilter, key: PrivateKey ->
            JakartaPopFilterTest().ProxyDoor(filter).send("POST", "/a", listOf("X-Authorization" to token(key)), sent.encodeToByteArray())
        }
        JwksServer(jwkSet(jwk(keys[0]))).use { server ->
            val filter = com.tmobile.taap.servlet.PopFilter()
            filter.init(config(mapOf("jwksUrl" to server.url)))
            assertEquals(0, server.fetches.get())
            assertEquals(200, post(filter, keys[0]).status)
            assertEquals(SIGNATURE_INVALID, post(filter, keys[1]).body)
            assertEquals(1, server.fetches.get())
        }
        val dir = Files.createTempDirectory("taap-keys").toFile()
        try {
            val file = File(dir, "keys.json").apply { writeText(jwkSet(jwk(keys[0]), jwk(keys[1]))) }
            val filter = com.tmobile.taap.servlet.PopFilter()
            filter.init(config(mapOf("keysFile" to file.path)))
            assertEquals(200, post(filter, keys[1]).status)
            assertEquals(SIGNATURE_INVALID, post(filter, keys[2]).body)
            val missing = assertThrows(jakarta.servlet.ServletException::class.java) {
                com.tmobile.taap.servlet.PopFilter().init(config(mapOf("keysFile" to File(dir, "none.json").path)))
            }
            assertTrue(missing.cause is TaapException.Config, missing.message)
        } finally {
            dir.deleteRecursively()
        }
        val two = assertThrows(jakarta.servlet.ServletException::class.java) {
            com.tmobile.taap.servlet.PopFilter().init(config(mapOf("publicKey" to keys[0].publicKey().toPem(), "jwksUrl" to "http://127.0.0.1:1/")))
        }
        assertEquals(
            "PopFilter pop: give exactly one of the init parameters publicKey, publicKeyFile, keysFile, jwksUrl (given: publicKey, jwksUrl)",
            two.message,
        )
        val none = assertThrows(jakarta.servlet.ServletException::class.java) { com.tmobile.taap.servlet.PopFilter().init(config(emptyMap())) }
        assertEquals("PopFilter pop: give exactly one of the init parameters publicKey, publicKeyFile, keysFile, jwksUrl", none.message)
    }
}
