package dev.taap.test

import dev.taap.BuildOptions
import dev.taap.ClientOptions
import dev.taap.DigestSigner
import dev.taap.EhtsEntry
import dev.taap.PopToken
import dev.taap.PopTokenValidator
import dev.taap.PrivateKey
import dev.taap.PublicKey
import dev.taap.SignPolicy
import dev.taap.Signer
import dev.taap.SignerKind
import dev.taap.TaapClient
import dev.taap.TaapException
import dev.taap.TaapHttp
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertSame
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Assertions.fail
import org.junit.jupiter.api.DynamicTest
import org.junit.jupiter.api.DynamicTest.dynamicTest
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestFactory
import java.io.File
import java.io.IOException
import java.net.URI
import java.net.http.HttpRequest
import java.security.KeyFactory
import java.security.Signature
import java.security.spec.PKCS8EncodedKeySpec
import java.util.Base64
import java.util.concurrent.Callable
import java.util.concurrent.ExecutionException
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicInteger

/** The DER of a PEM text (its base64 body). */
internal fun pemDer(pem: String): ByteArray =
    Base64.getMimeDecoder().decode(pem.lines().filterNot { it.startsWith("-----") }.joinToString(""))

/**
 * A [DigestSigner] that signs with the JDK, not taap: RSASSA-PKCS1-v1_5 is RSA over the SHA-256
 * DigestInfo, which `NONEwithRSA` pads and signs as given.
 */
internal class JdkDigestSigner(key: PrivateKey) : DigestSigner {
    private val jdkKey = KeyFactory.getInstance("RSA").generatePrivate(PKCS8EncodedKeySpec(pemDer(key.toPem())))
    val calls = AtomicInteger()

    override fun signDigest(digest: ByteArray): ByteArray {
        check(digest.size == 32) { "a SHA-256 digest is 32 bytes, got ${digest.size}" }
        calls.incrementAndGet()
        val signature = Signature.getInstance("NONEwithRSA")
        signature.initSign(jdkKey)
        signature.update(DIGEST_INFO_PREFIX + digest)
        return signature.sign()
    }

    companion object {
        /** DER of DigestInfo { sha256, OCTET STRING (32 bytes) } up to the digest. */
        val DIGEST_INFO_PREFIX: ByteArray = "3031300d060960864801650304020105000420".chunked(2).map { it.toInt(16).toByte() }.toByteArray()
    }
}

/**
 * A SoftHSM2 token made for this JVM: its configuration file is `SOFTHSM2_CONF`, which
 * scripts/test.sh sets for the JVM (the module reads it once, when first initialised); the
 * distinct vector keys are imported with `pkcs11-tool` as sensitive private keys, the key
 * material deleted after. Token `other` is never logged in to (PKCS#11 logs a whole process in).
 */
internal object SoftHsm {
    const val MODULE = "/usr/lib/softhsm/libsofthsm2.so"
    const val PIN = "kt-pin-Q9x7"
    const val OTHER_PIN = "kt-other-Q9x7"
    private const val SO_PIN = "so-87654321"

    /** Vector key file -> the label of its copy in token `taap`. */
    val labels: Map<String, String> by lazy { setUp() }

    fun uri(label: String, pin: String? = PIN): String =
        "pkcs11:token=taap;object=$label?module-path=$MODULE" + (pin?.let { "&pin-value=$it" } ?: "")

    fun run(vararg command: String) {
        val process = try {
            ProcessBuilder(*command).redirectErrorStream(true).start()
        } catch (e: IOException) {
            fail<Nothing>("${command[0]} cannot run ($e); install softhsm2 and opensc with `bash scripts/setup.sh`")
        }
        val output = process.inputStream.readBytes().decodeToString()
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "${command.toList()} did not finish")
        assertEquals(0, process.exitValue(), "${command.toList()} failed: $output")
    }

    private fun setUp(): Map<String, String> {
        val conf = File(
            System.getenv("SOFTHSM2_CONF")
                ?: fail<Nothing>("SOFTHSM2_CONF is not set for this JVM: run make test-kotlin (scripts/test.sh sets it)"),
        )
        assertTrue(File(MODULE).exists(), "$MODULE is missing; install softhsm2 with `bash scripts/setup.sh`")
        val folder = conf.parentFile
        folder.deleteRecursively()
        File(folder, "tokens").mkdirs()
        conf.writeText("directories.tokendir = ${File(folder, "tokens").path}\nobjectstore.backend = file\nlog.level = ERROR\n")
        run("softhsm2-util", "--init-token", "--free", "--label", "taap", "--so-pin", SO_PIN, "--pin", PIN)
        run("softhsm2-util", "--init-token", "--free", "--label", "other", "--so-pin", SO_PIN, "--pin", OTHER_PIN)
        val byThumbprint = LinkedHashMap<String, String>()
        val labels = LinkedHashMap<String, String>()
        for (case in Fixtures.vectors("tokens")) {
            val key = Fixtures.privateKey(case)
            val label = byThumbprint.getOrPut(key.publicKey().thumbprint()) {
                val label = "vector${byThumbprint.size}"
                val id = "%02x".format(byThumbprint.size + 16)
                import(pemDer(key.toPem()), "privkey", label, id, folder)
                import(pemDer(key.publicKey().toPem()), "pubkey", label, id, folder)
                label
            }
            labels[case["key"] as String] = label
        }
        assertEquals(5, byThumbprint.size, "distinct vector keys")
        return labels
    }

    private fun import(der: ByteArray, type: String, label: String, id: String, folder: File) {
        val file = File(folder, "$label.$type.der").apply { writeBytes(der) }
        val command = mutableListOf(
            "pkcs11-tool", "--module", MODULE, "--token-label", "taap", "--login", "--pin", PIN,
            "--write-object", file.path, "--type", type, "--label", label, "--id", id,
        )
        if (type == "privkey") command += listOf("--usage-sign", "--sensitive")
        try {
            run(*command.toTypedArray())
        } finally {
            file.delete()
        }
    }
}

/**
 * `Signer`: the callback signer (signatures from the JDK, not taap) and `Signer.fromUri` on
 * SoftHSM2 and on key files give every vector token byte for byte; every failure is its typed
 * exception with its message; secrets stay out of `toString`; threads share one signer.
 */
class SignerTest {
    private fun options(case: Map<String, Any?>) =
        BuildOptions((case["ttl_secs"] as Long), case["iat"] as Long, case["jti"] as String)

    private val ehts = listOf(EhtsEntry("uri", "/v1/devices"), EhtsEntry("http-method", "GET"))
    private val fixed = BuildOptions(60, 1767225600L, "signer-jti")

    private fun callbackSigner(key: PrivateKey = Fixtures.readmeKey, label: String? = "test-callback", sign: DigestSigner) =
        Signer.fromCallback(key.publicKey(), sign, label)

    @TestFactory
    fun everyVectorTokenThroughTheJdkCallback(): List<DynamicTest> = Fixtures.vectors("tokens").map { case ->
        dynamicTest("callback/${case["name"]}") {
            val key = Fixtures.privateKey(case)
            val jdk = JdkDigestSigner(key)
            val signer = Signer.fromCallback(key.publicKey(), jdk)
            assertEquals(case["token"], PopToken.build(signer, Fixtures.entries(case["ehts"]), options(case)))
            assertEquals(1, jdk.calls.get())
        }
    }

    @TestFactory
    fun requestAndPolicyVectorsThroughTheJdkCallback(): List<DynamicTest> =
        Fixtures.vectors("request").map { case ->
            dynamicTest("callback-request/${case["name"]}") {
                val key = Fixtures.privateKey(case)
                val signer = Signer.fromCallback(key.publicKey(), JdkDigestSigner(key))
                val token = PopToken.forRequest(
                    signer, case["method"] as String, case["url"] as String,
                    Fixtures.entries(case["headers"]), (case["body"] as String).encodeToByteArray(), options(case),
                )
                assertEquals(case["token"], token)
            }
        } + Fixtures.vectors("policy").filter { (it["policy"] as Map<*, *>).isEmpty() }.map { case ->
            dynamicTest("callback-policy/${case["name"]}") {
                val key = Fixtures.privateKey(case)
                val signer = Signer.fromCallback(key.publicKey(), JdkDigestSigner(key))
                val token = SignPolicy.docs().sign(
                    signer, case["method"] as String, case["url"] as String,
                    Fixtures.entries(case["headers"]), (case["body"] as String).encodeToByteArray(), options(case),
                )
                assertEquals(case["token"], token)
            }
        }

    @Test
    fun kindLabelPublicKeyAndToString() {
        val key = Fixtures.readmeKey
        val thumbprint = key.publicKey().thumbprint()
        val named = callbackSigner(sign = JdkDigestSigner(key))
        assertEquals(SignerKind.CALLBACK, named.kind)
        assertEquals("callback", named.kind.id)
        assertEquals("test-callback", named.label)
        assertEquals(key.publicKey(), named.publicKey())
        assertEquals(2048, named.bits)
        assertEquals("Signer(kind=callback, label=test-callback)", named.toString())
        val unnamed = Signer.fromCallback(key.publicKey(), JdkDigestSigner(key))
        assertEquals("callback for RSA-2048 key $thumbprint", unnamed.label)
        // A PrivateKey is the in-memory Signer.
        val asSigner: Signer = key
        assertEquals(SignerKind.IN_MEMORY, asSigner.kind)
        assertEquals("RSA-2048 key $thumbprint", asSigner.label)
        assertEquals(PopToken.build(key, ehts, fixed), PopToken.build(named, ehts, fixed))
    }

    @Test
    fun aShortSignatureIsSignatureInvalid() {
        val signer = callbackSigner { ByteArray(10) }
        val e = assertThrows(TaapException.SignatureInvalid::class.java) { PopToken.build(signer, ehts, fixed) }
        assertEquals(
            "PoP token signature invalid: the callback signer (test-callback) returned 10 bytes; an RS256 signature under its 2048-bit public key is 256 bytes; no token was made with it",
            e.message,
        )
        assertEquals("TAAP_SIGNATURE_INVALID", e.code)
    }

    @Test
    fun anotherKeysSignatureIsSignatureInvalid() {
        val other = JdkDigestSigner(PrivateKey.generate())
        val signer = callbackSigner(sign = other)
        val e = assertThrows(TaapException.SignatureInvalid::class.java) {
            PopToken.forRequest(signer, "GET", "https://api.t-mobile.com/v1/devices", emptyList(), ByteArray(0))
        }
        assertEquals(
            "PoP token signature invalid: the callback signer (test-callback) returned a signature that does not verify under its public key " +
                "(another key, another hash or padding, or a corrupted signature); no token was made with it",
            e.message,
        )
    }

    @Test
    fun aThrowingCallbackIsTransportWithTheExceptionAsItsCause() {
        val thrown = IllegalStateException("the device said no; secret=hunter2")
        val signer = callbackSigner { throw thrown }
        val e = assertThrows(TaapException.Transport::class.java) { PopToken.build(signer, ehts, fixed) }
        assertEquals(
            "transport error: the callback signer (test-callback) threw java.lang.IllegalStateException; no token was made with it " +
                "(the exception is this TaapException's cause)",
            e.message,
        )
        assertSame(thrown, e.cause)
        assertFalse(e.message!!.contains("hunter2"))
        // A checked exception too (Java lambdas may throw them: signDigest declares Exception).
        val io = callbackSigner { throw IOException("unplugged") }
        val failed = assertThrows(TaapException.Transport::class.java) { SignPolicy.docs().sign(io, "GET", "/x", emptyList(), ByteArray(0)) }
        assertTrue(failed.cause is IOException)
        // The signer, and this thread, still work afterwards.
        assertEquals(PopToken.build(Fixtures.readmeKey, ehts, fixed), PopToken.build(callbackSigner(sign = JdkDigestSigner(Fixtures.readmeKey)), ehts, fixed))
    }

    private class Fatal : Error("fatal")

    @Test
    fun anErrorThrownByTheCallbackIsRethrownAsItIs() {
        val fatal = Fatal()
        val signer = callbackSigner { throw fatal }
        assertSame(fatal, assertThrows(Fatal::class.java) { PopToken.build(signer, ehts, fixed) })
    }

    @Test
    fun threadsShareOneCallbackSigner() {
        val jdk = JdkDigestSigner(Fixtures.readmeKey)
        val signer = callbackSigner(sign = jdk)
        val pool = Executors.newFixedThreadPool(8)
        try {
            val jobs = (0 until 8).map { thread ->
                Callable {
                    (0 until 20).map { n ->
                        val options = BuildOptions(60, 1767225600L, "thread-$thread-$n")
                        assertEquals(PopToken.build(Fixtures.readmeKey, ehts, options), PopToken.build(signer, ehts, options))
                    }.size
                }
            }
            assertEquals(160, pool.invokeAll(jobs).sumOf { it.get(60, TimeUnit.SECONDS) })
        } finally {
            pool.shutdown()
        }
        assertEquals(160, jdk.calls.get())
    }

    @TestFactory
    fun everyVectorTokenThroughSoftHsm(): List<DynamicTest> {
        val signers = HashMap<String, Signer>()
        return Fixtures.vectors("tokens").map { case ->
            dynamicTest("pkcs11/${case["name"]}") {
                val label = SoftHsm.labels.getValue(case["key"] as String)
                val signer = signers.getOrPut(label) { Signer.fromUri(SoftHsm.uri(label)) }
                assertEquals(SignerKind.PKCS11, signer.kind)
                assertEquals(Fixtures.privateKey(case).publicKey(), signer.publicKey())
                assertEquals(case["token"], PopToken.build(signer, Fixtures.entries(case["ehts"]), options(case)))
            }
        }
    }

    @Test
    fun aPkcs11SignerNeverShowsItsPin() {
        val label = SoftHsm.labels.getValue("tmobile/readme-private-pkcs8.pem")
        val signer = Signer.fromUri(SoftHsm.uri(label))
        val shown = signer.toString()
        assertTrue(shown.startsWith("Signer(kind=pkcs11, label=pkcs11:token=taap;object=$label (slot "), shown)
        assertTrue(shown.endsWith(", module ${SoftHsm.MODULE}))"), shown)
        assertFalse(shown.contains(SoftHsm.PIN) || signer.label.contains(SoftHsm.PIN), shown)
        // The PIN as the password of a URI that gives none.
        val byPassword = Signer.fromUri(SoftHsm.uri(label, pin = null), SoftHsm.PIN)
        val case = Fixtures.vectors("tokens").first { it["key"] == "tmobile/readme-private-pkcs8.pem" }
        assertEquals(case["token"], PopToken.build(byPassword, Fixtures.entries(case["ehts"]), options(case)))
        assertFalse(byPassword.toString().contains(SoftHsm.PIN))
    }

    /** Bad `fromUri` input: each a typed exception with the core's message, never the PIN. */
    @Test
    fun badSignerUrisAreTyped() {
        SoftHsm.labels
        val module = SoftHsm.MODULE
        val wrongPin = assertThrows(TaapException.KeyDecrypt::class.java) {
            Signer.fromUri("pkcs11:token=other;object=k?module-path=$module", "not-it")
        }
        assertTrue(wrongPin.message!!.startsWith("cannot decrypt the private key: the PIN for PKCS#11 token \"other\" (slot "), wrongPin.message)
        val noObject = assertThrows(TaapException.Config::class.java) {
            Signer.fromUri("pkcs11:token=taap?module-path=$module&pin-value=${SoftHsm.PIN}")
        }
        assertEquals("invalid configuration: bad pkcs11: URI: name the key with object=LABEL or id=%XX…", noObject.message)
        val noModule = assertThrows(TaapException.Config::class.java) {
            Signer.fromUri("pkcs11:token=taap;object=x?module-path=/no/libpkcs11.so&pin-value=${SoftHsm.PIN}")
        }
        assertTrue(noModule.message!!.startsWith("invalid configuration: cannot load the PKCS#11 module /no/libpkcs11.so: "), noModule.message)
        val absent = assertThrows(TaapException.InvalidKey::class.java) { Signer.fromUri(SoftHsm.uri("absent")) }
        assertTrue(absent.message!!.startsWith("invalid key: no private key pkcs11:token=taap;object=absent on PKCS#11 token \"taap\" (slot "), absent.message)
        for (e in listOf(wrongPin, noObject, noModule, absent)) {
            assertFalse(e.message!!.contains(SoftHsm.PIN) || e.message!!.contains("not-it"), e.message)
        }
        assertThrows(TaapException.InvalidKey::class.java) { Signer.fromUri(File(Fixtures.tests, "keys/absent.pem").path) }
        val locked = File(Fixtures.tests, "keys/tmobile/pbes2-aes256-a-private.pem").path
        assertThrows(TaapException.KeyDecrypt::class.java) { Signer.fromUri(locked) }
        assertThrows(TaapException.KeyDecrypt::class.java) { Signer.fromUri(locked, "wrong") }
    }

    @TestFactory
    fun fromUriOnAKeyFile(): List<DynamicTest> = Fixtures.vectors("tokens").map { case ->
        dynamicTest("file/${case["name"]}") {
            val signer = Signer.fromUri(File(Fixtures.tests, "keys/${case["key"]}").path, case["password"] as String?)
            assertEquals(SignerKind.IN_MEMORY, signer.kind)
            assertEquals(case["token"], PopToken.build(signer, Fixtures.entries(case["ehts"]), options(case)))
        }
    }

    @Test
    fun clientAndJavaNetHttpTakeASigner() {
        val key = Fixtures.readmeKey
        val signer = callbackSigner(sign = JdkDigestSigner(key))
        val request = TaapHttp.sign(
            HttpRequest.newBuilder(URI.create("https://api.t-mobile.com/commerce/v1/orders")).header("Content-Type", "application/json"),
            "POST", "{}".encodeToByteArray(), signer,
        )
        val token = request.headers().firstValue("X-Authorization").get()
        PopTokenValidator().validateRequest(
            key.publicKey(), "POST", "/commerce/v1/orders",
            listOf(EhtsEntry("Content-Type", "application/json"), EhtsEntry("X-Authorization", token)), "{}".encodeToByteArray(),
        )

        val gateway = System.getenv("TAAP_TEST_GATEWAY")
        assertNotNull(gateway, "TAAP_TEST_GATEWAY names no taap serve: run make test-kotlin (scripts/test.sh starts one)")
        val options = ClientOptions(server = "$gateway/oauth2/v6/tokens", maxRetries = 0)
        TaapClient(signer, System.getenv("TAAP_TEST_CLIENT_ID"), System.getenv("TAAP_TEST_CLIENT_SECRET"), options).use { client ->
            val order = """{"orderId": 100}""".encodeToByteArray()
            val headers = listOf(EhtsEntry("Content-Type", "application/json"))
            assertEquals(201, client.send("POST", "$gateway/commerce/v1/orders", headers, order).status)
            assertEquals(200, client.sendAsync("GET", "$gateway/iot-connectivity/v1/devices/8901260000000000019").get(30, TimeUnit.SECONDS).status)
        }
        val refusing = callbackSigner { throw IllegalStateException("offline") }
        TaapClient(refusing, System.getenv("TAAP_TEST_CLIENT_ID"), System.getenv("TAAP_TEST_CLIENT_SECRET"), options).use { client ->
            val e = assertThrows(TaapException.Transport::class.java) { client.send("GET", "$gateway/iot-connectivity/v1/devices/1") }
            assertTrue(e.message!!.startsWith("transport error: the callback signer (test-callback) threw java.lang.IllegalStateException"), e.message)
            val later = assertThrows(ExecutionException::class.java) { client.sendAsync("GET", "$gateway/x").get(30, TimeUnit.SECONDS) }
            assertTrue(later.cause is TaapException.Transport, "${later.cause}")
        }
    }

    @Test
    fun aPublicKeyIsNeededFirst() {
        val public: PublicKey = Fixtures.readmeKey.publicKey()
        // The public key given is the one every signature is checked against.
        val signer = Signer.fromCallback(public, JdkDigestSigner(Fixtures.readmeKey), "se050:0xF0000100")
        assertEquals(public, signer.publicKey())
        assertEquals("Signer(kind=callback, label=se050:0xF0000100)", signer.toString())
    }
}
