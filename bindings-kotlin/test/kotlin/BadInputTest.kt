package dev.taap.test

import dev.taap.BuildOptions
import dev.taap.EhtsEntry
import dev.taap.PopToken
import dev.taap.PopTokenValidator
import dev.taap.PrivateKey
import dev.taap.PublicKey
import dev.taap.Signer
import dev.taap.TaapException
import dev.taap.ValidatorOptions
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test
import java.io.ByteArrayOutputStream
import java.io.File
import java.nio.ByteBuffer
import java.nio.charset.CharacterCodingException
import java.nio.charset.CodingErrorAction
import java.util.Base64
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import java.util.concurrent.TimeoutException

/**
 * The JVM column of the bad-input matrix (tests/bad-input/cases.json): every case through the
 * public API in this JVM, each with a 60 s limit; written to <target>/bad-input/jvm.jsonl.
 */
@Suppress("UNCHECKED_CAST")
class BadInputTest {
    private val dir = File(Fixtures.tests, "bad-input")
    private val signed = Json.parse(File(dir, "signed-tokens.json").readText()) as Map<String, Any?>
    private val tokens = signed["tokens"] as Map<String, String>
    private val iat = signed["iat"] as Long

    private class Inexpressible : Exception(NOT_UTF8)

    private companion object {
        const val NOT_UTF8 = "n/a: JVM strings cannot hold invalid UTF-8"
    }

    private fun bytes(value: Any?): ByteArray {
        if (value is String) return value.encodeToByteArray()
        val spec = value as Map<String, Any?>
        if ("signed" in spec) return signedToken(spec)
        val built = when {
            "hex" in spec -> (spec["hex"] as String).replace(Regex("\\s+"), "").chunked(2).map { it.toInt(16).toByte() }.toByteArray()
            "file" in spec -> File(Fixtures.tests, spec["file"] as String).readBytes()
            "repeat" in spec -> {
                val unit = bytes(spec["repeat"])
                val out = ByteArrayOutputStream()
                repeat((spec["times"] as Long).toInt()) { out.write(unit) }
                out.toByteArray()
            }
            "concat" in spec -> (spec["concat"] as List<Any?>).map { bytes(it) }.reduce { a, b -> a + b }
            "b64url" in spec -> Base64.getUrlEncoder().withoutPadding().encode(bytes(spec["b64url"]))
            else -> error("unknown value constructor $spec")
        }
        return (spec["keep"] as Long?)?.let { built.copyOf(it.toInt()) } ?: built
    }

    private fun signedToken(spec: Map<String, Any?>): ByteArray {
        var token = tokens[spec["signed"] as String]!!.encodeToByteArray()
        (spec["drop"] as Long?)?.let { token = token.copyOf(token.size - it.toInt()) }
        (spec["keep"] as Long?)?.let { token = token.copyOf(it.toInt()) }
        (spec["flip"] as Long?)?.let {
            val at = if (it < 0) token.size + it.toInt() else it.toInt()
            token[at] = if (token[at] == 0x41.toByte()) 0x42 else 0x41
        }
        return token
    }

    private fun text(raw: ByteArray): String = try {
        Charsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw)).toString()
    } catch (_: CharacterCodingException) {
        throw Inexpressible()
    }

    private fun pairs(spec: Any?): List<EhtsEntry> = when (spec) {
        null -> emptyList()
        is Map<*, *> -> List((spec["entries"] as Long).toInt()) { EhtsEntry("h$it", "v") }
        else -> (spec as List<List<Any?>>).map { EhtsEntry(text(bytes(it[0])), text(bytes(it[1]))) }
    }

    private fun options(case: Map<String, Any?>) = BuildOptions(
        case["ttl"] as Long? ?: 120L, case["iat"] as Long? ?: iat,
        if ("jti" in case) text(bytes(case["jti"])) else "bad-input-jti",
    )

    private val signingKey by lazy { PrivateKey.fromFile(File(Fixtures.tests, "keys/${signed["key"]}").path) }

    private fun keyFile(case: Map<String, Any?>): File =
        File.createTempFile("taap-jvm-bad-input-", ".key").apply { writeBytes(bytes(case["key"])) }

    private fun run(case: Map<String, Any?>) {
        when (case["op"]) {
            "decode" -> PopToken.decode(text(bytes(case["token"])))
            "validate" -> {
                val values = if ("values" in case) pairs(case["values"]) else Fixtures.entries(signed["values"])
                val required = ((case["options"] as Map<String, Any?>?)?.get("required") as List<String>?) ?: emptyList()
                PopTokenValidator(ValidatorOptions(required = required))
                    .validate(text(bytes(case["token"])), signingKey.publicKey(), values, iat + 5)
            }
            "validate_request" -> validateRequests(case)
            "build" -> PopToken.build(signingKey, pairs(case["ehts"]), options(case))
            "for_request" -> PopToken.forRequest(
                signingKey, text(bytes(case["method"])), text(bytes(case["url"])), pairs(case["headers"]),
                if ("body" in case) bytes(case["body"]) else ByteArray(0), options(case),
            )
            "signer_uri" -> {
                val spec = (case["key_file"] as String?)?.let { File(Fixtures.tests, it).path } ?: text(bytes(case["spec"]))
                PopToken.build(Signer.fromUri(spec), listOf(EhtsEntry("uri", "/")))
            }
            "signer_callback" -> {
                val answer = if ("answer" in case) bytes(case["answer"]) else ByteArray(0)
                val throws = case["throws"] as String?
                val signer = Signer.fromCallback(signingKey.publicKey(), { throws?.let { throw IllegalStateException(it) } ?: answer })
                PopToken.build(signer, listOf(EhtsEntry("uri", "/")))
            }
            "private_key", "public_key" -> {
                val file = keyFile(case)
                try {
                    if (case["op"] == "public_key") {
                        PublicKey.fromFile(file.path)
                    } else {
                        PrivateKey.fromFile(file.path, case["password"]?.let { text(bytes(it)) })
                    }
                } finally {
                    file.delete()
                }
            }
            else -> error("unknown op ${case["op"]}")
        }
    }

    /** The requests in order through one validator, as core/tests/bad_input.rs runs them. */
    private fun validateRequests(case: Map<String, Any?>) {
        val validator = PopTokenValidator(ValidatorOptions(required = listOf("uri", "http-method"), replayCache = 1000))
        val requests = case["requests"] as List<Map<String, Any?>>
        try {
            requests.forEachIndexed { index, request ->
                val key = request["key"]?.let { PublicKey.fromPem(text(bytes(it))) } ?: signingKey.publicKey()
                val validate = {
                    validator.validateRequest(
                        key, text(bytes(request["method"])), text(bytes(request["target"])), pairs(request["headers"]),
                        if ("body" in request) bytes(request["body"]) else ByteArray(0), iat + 5,
                    )
                }
                if (index == requests.lastIndex) {
                    validate()
                } else {
                    // Not an outcome: a failed setup request leaves the last one's outcome meaningless.
                    try {
                        validate()
                    } catch (e: TaapException) {
                        val why = "${case["id"]}: request $index must pass, got ${e::class.simpleName}"
                        System.err.println(why)
                        throw IllegalStateException(why, e)
                    }
                }
            }
        } finally {
            validator.close()
        }
    }

    private fun outcome(case: Map<String, Any?>): String = try {
        run(case)
        "ok"
    } catch (e: Inexpressible) {
        NOT_UTF8
    } catch (e: TaapException) {
        e::class.simpleName!!
    }

    private fun meets(outcome: String, expected: String) =
        outcome == expected || (expected.startsWith("n/a") && outcome.startsWith("n/a"))

    @Test
    fun everyCaseGetsItsTypedOutcomeInBoundedTime() {
        val cases = Fixtures.vectorsAt(File(dir, "cases.json"))
        val pool = Executors.newSingleThreadExecutor { Thread(it).apply { isDaemon = true } }
        val rows = mutableListOf<String>()
        val wrong = mutableListOf<String>()
        for (case in cases) {
            val expected = ((case["columns"] as Map<String, String>?)?.get("jvm")) ?: case["expect"] as String
            val started = System.nanoTime()
            val got = try {
                pool.submit<String> { outcome(case) }.get(60, TimeUnit.SECONDS)
            } catch (_: TimeoutException) {
                "hang"
            } catch (e: java.util.concurrent.ExecutionException) {
                "crash: ${e.cause?.javaClass?.simpleName}"
            }
            val ms = (System.nanoTime() - started) / 1_000_000
            if (!meets(got, expected)) wrong.add("${case["id"]}: got $got, expected $expected")
            rows.add("""{"id":"${case["id"]}","column":"jvm","outcome":"$got","expected":"$expected","ms":$ms}""")
        }
        val out = File(System.getenv("TAAP_TARGET_DIR") ?: "../target", "bad-input").apply { mkdirs() }
        File(out, "jvm.jsonl").writeText(rows.joinToString("\n", postfix = "\n"))
        assertEquals(emptyList<String>(), wrong)
    }
}
