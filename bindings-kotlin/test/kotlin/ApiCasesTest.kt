package dev.taap.test

import dev.taap.PopTokenValidator
import dev.taap.Taap
import dev.taap.TaapClient
import dev.taap.TaapException
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.DynamicTest
import org.junit.jupiter.api.DynamicTest.dynamicTest
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestFactory
import java.io.File

/**
 * The API behaviour suite, tests/api/cases.json: every client and validator case through the
 * map form of `TaapClient` and `PopTokenValidator` (which can hold a wrong type), named as this
 * door names options, checked against the exact settings or the exact exception and message.
 */
class ApiCasesTest {
    @Suppress("UNCHECKED_CAST")
    private val cases = (Json.parse(File(Fixtures.tests, "api/cases.json").readText()) as Map<String, Any?>)["cases"]
        as List<Map<String, Any?>>

    /** Snake name to this door's name, from the schema's `camel` field (not a copy of the rule). */
    private val camel: Map<String, String> = Taap.settingsSchema().associate { it["name"] as String to it["camel"] as String }

    /** This door's name of an option; a name the schema lacks (an unknown option) stays as written. */
    private fun doorName(snake: String): String = camel[snake] ?: snake

    @TestFactory
    fun everyCase(): List<DynamicTest> = cases.map { case -> dynamicTest(case["name"] as String) { check(case) } }

    @Test
    fun theSuiteNamesEveryClientAndValidatorOption() {
        val named = cases.flatMap { (it["options"] as Map<*, *>).keys }.toSet()
        val options = Taap.settingsSchema().filter { it["group"] in setOf("client", "validator") }.map { it["name"] }
        assertEquals(emptyList<Any?>(), options.filter { it !in named })
        assertEquals(setOf("client", "validator"), cases.map { it["group"] }.toSet())
    }

    private fun check(case: Map<String, Any?>) {
        @Suppress("UNCHECKED_CAST")
        val given = case["options"] as Map<String, Any?>
        val options = given.entries.associate { (name, value) -> doorName(name) to value }
        val build: () -> Map<String, Any?> = when (case["group"]) {
            "client" -> { -> TaapClient(Fixtures.readmeKey, "id", "secret", options).use { it.settings } }
            "validator" -> { -> PopTokenValidator(options).use { it.settings } }
            else -> error("unknown group ${case["group"]}")
        }
        if ("error" in case) {
            val error = assertThrows(TaapException::class.java) { build() }
            assertEquals(case["error"], error::class.simpleName)
            assertEquals(case["error"], error.kind.name)
            assertEquals(expectedMessage(case["message"] as String), error.message)
        } else {
            val settings = build()
            @Suppress("UNCHECKED_CAST")
            (case["settings"] as Map<String, Any?>).forEach { (name, expected) ->
                assertTrue(doorName(name) in settings, "no setting ${doorName(name)} in $settings")
                assertTrue(same(expected, settings[doorName(name)]), "${doorName(name)}: expected $expected, got ${settings[doorName(name)]}")
            }
        }
    }

    /**
     * The case's message with each `{name}` as this door writes that option (the schema's
     * `camel`) and `{client options}` / `{validator options}` as the door's names of the group's
     * options in the schema's order, joined by ", ". The core writes the whole message in camel
     * names itself, so nothing else of it is converted here.
     */
    private fun expectedMessage(template: String): String {
        val schema = Taap.settingsSchema()
        val groups = listOf("client", "validator").fold(template) { message, group ->
            val names = schema.filter { it["group"] == group }.joinToString(", ") { it["camel"] as String }
            message.replace("{$group options}", names)
        }
        val filled = schema.fold(groups) { message, setting -> message.replace("{${setting["name"]}}", setting["camel"] as String) }
        assertEquals(null, Regex("\\{[a-z][a-z_ ]*\\}").find(filled)?.value, "a placeholder the schema does not fill: $filled")
        return filled
    }

    /** JSON equality where 10 and 10.0 are the same number. */
    private fun same(expected: Any?, actual: Any?): Boolean = when {
        expected is Number && actual is Number -> expected.toDouble() == actual.toDouble()
        expected is Map<*, *> && actual is Map<*, *> ->
            expected.keys == actual.keys && expected.all { (name, value) -> same(value, actual[name]) }
        expected is List<*> && actual is List<*> ->
            expected.size == actual.size && expected.indices.all { same(expected[it], actual[it]) }
        else -> expected == actual
    }
}
