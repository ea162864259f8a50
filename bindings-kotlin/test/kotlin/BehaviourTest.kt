package dev.taap.test

import dev.taap.BuildOptions
import dev.taap.EhtsEntry
import dev.taap.ErrorKind
import dev.taap.PopToken
import dev.taap.PopTokenValidator
import dev.taap.PrivateKey
import dev.taap.PublicKey
import dev.taap.TaapException
import dev.taap.TaapHttp
import dev.taap.ffi.InternalException
import dev.taap.ffi.panicForTest
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.io.File
import java.net.URI
import java.net.http.HttpRequest
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit

/** Error mapping, threads, secret hygiene, memory and panics. */
class BehaviourTest {
    private val key = Fixtures.readmeKey
    private val ehts = listOf(EhtsEntry("Content-Type", "application/json"), EhtsEntry("uri", "/v1/x"), EhtsEntry("http-method", "GET"))

    @Test
    fun everyCoreKindHasItsSubclassWithItsCode() {
        val subclasses = TaapException::class.java.declaredClasses.filter { TaapException::class.java.isAssignableFrom(it) }
        assertEquals(ErrorKind.ALL.map { it.name }.toSet(), subclasses.map { it.simpleName }.toSet())
        assertEquals(14, ErrorKind.ALL.size)
        assertEquals("TAAP_KEY_DECRYPT", ErrorKind.ALL[1].code)
        assertEquals(2, ErrorKind.ALL[1].cStatus)
    }

    @Test
    fun badInputsRaiseTypedExceptions() {
        assertEquals("TAAP_INVALID_KEY", assertThrows(TaapException.InvalidKey::class.java) { PrivateKey.fromPem("not a key") }.code)
        assertThrows(TaapException.InvalidEhts::class.java) { PopToken.build(key, emptyList()) }
        assertThrows(TaapException.Config::class.java) { PopToken.build(key, ehts, BuildOptions(ttlSecs = 0)) }
        assertThrows(TaapException.InvalidToken::class.java) { PopToken.decode("a.b") }
        assertThrows(TaapException.Config::class.java) { PrivateKey.generate(-1) }
        val encrypted = File(Fixtures.tests, "keys/openssl/pbes2-aes256-private.pem")
        assertThrows(TaapException.KeyDecrypt::class.java) { PrivateKey.fromFile(encrypted.path, "wrong password") }
    }

    @Test
    fun aPanicArrivesAsAnExceptionAndTheLibraryKeepsWorking() {
        assertThrows(InternalException::class.java) { panicForTest() }
        assertEquals(3, PopToken.decode(PopToken.build(key, ehts)).claims.ehts.size)
    }

    @Test
    fun eightThreadsShareOneKey() {
        val pool = Executors.newFixedThreadPool(8)
        val validator = PopTokenValidator()
        val jobs = (0 until 8).map { thread ->
            pool.submit<Int> {
                (0 until 50).count { i ->
                    val values = ehts + EhtsEntry("body", "thread $thread call $i")
                    val token = PopToken.build(key, values)
                    validator.validate(token, key.publicKey(), values).claims.ehts.size == 4
                }
            }
        }
        assertEquals(List(8) { 50 }, jobs.map { it.get(60, TimeUnit.SECONDS) })
        pool.shutdown()
    }

    @Test
    fun secretsNeverShow() {
        val pem = key.toPem()
        val secretLine = pem.lines()[1]
        assertFalse(key.toString().contains(secretLine))
        assertTrue(key.toString().startsWith("PrivateKey(bits=2048"))
        val wrong = assertThrows(TaapException::class.java) { PrivateKey.fromPem(pem.replace(secretLine, secretLine.reversed())) }
        assertFalse(wrong.message!!.contains(secretLine))
        val options = dev.taap.ClientOptions(server = "v6", tokenStore = "redis://:s3cr3t-value@127.0.0.1:1/")
        assertEquals("ClientOptions(server=v6, tokenStore=<hidden>)", options.toString())
        val client = dev.taap.TaapClient(key, "id", "s3cr3t-value", options)
        assertFalse(client.toString().contains("s3cr3t-value"))
        assertFalse(client.settings.toString().contains("s3cr3t-value"))
        assertEquals(true, client.settings["tokenStore"])
        assertEquals("https://api.t-mobile.com/oauth2/v6/tokens", client.tokenUrl)
        assertEquals("v2", dev.taap.TaapClient(key, "id", "x", dev.taap.ClientOptions(api = "connectivity")).flavor)
    }

    @Test
    fun rssStaysFlatOverTenThousandBuilds() {
        // The suite runs with a fixed, pre-touched heap, so RSS growth here is native memory;
        // the first half settles allocator arenas, the second half must not grow.
        repeat(2_000) { PopToken.decode(PopToken.build(key, ehts)) }
        val settled = rssKb()
        repeat(4_000) { PopToken.decode(PopToken.build(key, ehts)) }
        val middle = rssKb()
        repeat(4_000) { PopToken.decode(PopToken.build(key, ehts)) }
        val grown = rssKb() - middle
        println("RSS over 10 000 builds: ${settled / 1024} MiB settled, ${middle / 1024} MiB, +$grown KiB in the last 4 000")
        assertTrue(grown < 4 * 1024, "RSS grew by $grown KiB over the last 4 000 builds")
    }

    @Test
    fun httpClientHelperSignsThroughThePolicyAndValidates() {
        val body = """{"orderId": 100}""".encodeToByteArray()
        val builder = HttpRequest.newBuilder(URI("https://api.t-mobile.com/commerce/v1/orders?a=b%20c"))
            .header("Content-Type", "application/json").header("Accept", "application/json")
        val request = TaapHttp.sign(builder, "POST", body, key)
        val token = request.headers().firstValue("X-Authorization").get()
        assertEquals(listOf("Content-Type", "uri", "http-method", "body"), PopToken.decode(token).claims.ehts)
        val headers = listOf(EhtsEntry("Content-Type", "application/json"), EhtsEntry("X-Authorization", token))
        val decoded = PopTokenValidator().validateRequest(key.publicKey(), "POST", "/commerce/v1/orders?a=b%20c", headers, body)
        assertEquals(token, decoded.token)
    }

    @Test
    fun publicKeysRoundTrip() {
        val public = key.publicKey()
        assertEquals(public, PublicKey.fromJwk(public.toJwk()))
        assertEquals(public, PublicKey.fromPem(public.toPem()))
        assertEquals(2048, PrivateKey.generate().bits)
    }

    private fun rssKb(): Long =
        File("/proc/self/status").readLines().first { it.startsWith("VmRSS:") }.split(Regex("\\s+"))[1].toLong()
}
