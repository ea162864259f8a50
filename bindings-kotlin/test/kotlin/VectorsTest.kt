package dev.taap.test

import dev.taap.BuildOptions
import dev.taap.PopToken
import dev.taap.PopTokenValidator
import dev.taap.SignPolicy
import dev.taap.Taap
import dev.taap.TaapException
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.fail
import org.junit.jupiter.api.DynamicTest
import org.junit.jupiter.api.DynamicTest.dynamicTest
import org.junit.jupiter.api.TestFactory

/** The conformance vectors from T-Mobile's official builder, byte for byte, through the public API. */
class VectorsTest {
    private fun options(case: Map<String, Any?>) =
        BuildOptions((case["ttl_secs"] as Long), case["iat"] as Long, case["jti"] as String)

    @TestFactory
    fun tokens(): List<DynamicTest> = Fixtures.vectors("tokens").map { case ->
        dynamicTest("tokens/${case["name"]}") {
            val key = Fixtures.privateKey(case)
            assertEquals(case["token"], PopToken.build(key, Fixtures.entries(case["ehts"]), options(case)))
        }
    }

    @TestFactory
    fun tokensThroughLinkedHashMap(): List<DynamicTest> = Fixtures.vectors("tokens").map { case ->
        dynamicTest("tokens-map/${case["name"]}") {
            val map = LinkedHashMap<String, String>()
            Fixtures.entries(case["ehts"]).forEach { map[it.name] = it.value }
            // Duplicate names cannot live in a map; those cases are InvalidEhts cases anyway.
            if (map.size == Fixtures.entries(case["ehts"]).size) {
                assertEquals(case["token"], PopToken.build(Fixtures.privateKey(case), map, options(case)))
            }
        }
    }

    @TestFactory
    fun requests(): List<DynamicTest> = Fixtures.vectors("request").map { case ->
        dynamicTest("request/${case["name"]}") {
            val url = case["url"] as String
            assertEquals(case["expected_uri"], Taap.requestUri(url))
            val token = PopToken.forRequest(
                Fixtures.privateKey(case), case["method"] as String, url,
                Fixtures.entries(case["headers"]), (case["body"] as String).encodeToByteArray(), options(case),
            )
            assertEquals(case["token"], token)
            assertEquals(case["expected_ehts"], PopToken.decode(token).claims.ehts.joinToString(";"))
        }
    }

    @Suppress("UNCHECKED_CAST")
    private fun policy(spec: Map<String, Any?>): SignPolicy {
        var policy = when {
            spec["all"] == true -> SignPolicy.allHeaders()
            spec["headers"] != null -> SignPolicy.headers(spec["headers"] as List<String>)
            else -> SignPolicy.docs()
        }
        (spec["with"] as List<String>?)?.forEach { policy = policy.withHeader(it) }
        (spec["without"] as List<String>?)?.forEach { policy = policy.withoutHeader(it) }
        return policy
    }

    @TestFactory
    fun policies(): List<DynamicTest> = Fixtures.vectors("policy").map { case ->
        dynamicTest("policy/${case["name"]}") {
            @Suppress("UNCHECKED_CAST")
            val policy = policy(case["policy"] as Map<String, Any?>)
            val token = policy.sign(
                Fixtures.privateKey(case), case["method"] as String, case["url"] as String,
                Fixtures.entries(case["headers"]), (case["body"] as String).encodeToByteArray(), options(case),
            )
            assertEquals(case["token"], token)
            assertEquals(case["expected_ehts"], PopToken.decode(token).claims.ehts.joinToString(";"))
        }
    }

    /** The vector's validator options in the map form (null: the default). */
    private fun validatorOptions(spec: Map<String, Any?>): Map<String, Any?> = mapOf(
        "leeway" to spec["leeway_secs"], "maxAge" to spec["max_age_secs"],
        "required" to spec["required"], "replayCache" to spec["replay_cache"],
    )

    private fun outcome(run: () -> Unit): String = try {
        run()
        "ok"
    } catch (e: TaapException) {
        assertEquals(e.kind.name, e::class.simpleName)
        e::class.simpleName!!
    }

    @TestFactory
    fun validator(): List<DynamicTest> = Fixtures.vectors("validator").map { case ->
        dynamicTest("validator/${case["name"]}") {
            @Suppress("UNCHECKED_CAST")
            val validator = PopTokenValidator(validatorOptions(case["options"] as Map<String, Any?>))
            val key = Fixtures.publicKey(case["public_key"] as String)
            val check = { validator.validate(case["token"] as String, key, Fixtures.entries(case["ehts"]), case["now"] as Long) }
            assertEquals(case["expect"], outcome { check() })
            case["repeat_expect"]?.let { assertEquals(it, outcome { check() }) }
            if (case["expect"] == "ok") {
                val decoded = PopToken.decode(case["token"] as String)
                if (decoded.claims.ehts.isEmpty()) fail<Unit>("a valid token signs something")
            }
        }
    }
}
