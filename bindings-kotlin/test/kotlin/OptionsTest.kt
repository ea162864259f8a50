package dev.taap.test

import dev.taap.ClientOptions
import dev.taap.PopTokenValidator
import dev.taap.Taap
import dev.taap.TaapClient
import dev.taap.TaapException
import dev.taap.ValidatorOptions
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Test

/** The typed option classes generated from the schema: every property reaches the core. */
class OptionsTest {
    private val key = Fixtures.readmeKey

    private fun settings(options: ClientOptions) = TaapClient(key, "id", "secret", options).use { it.settings }

    @Test
    fun theDefaultsAreTheSchemasAndSendNothing() {
        assertEquals(emptyMap<String, Any?>(), ClientOptions().toMap())
        assertEquals(emptyMap<String, Any?>(), ValidatorOptions().toMap())
        val defaults = Taap.settingsSchema().filter { it["group"] == "client" }.associate { it["camel"] to it["default"] }
        val shown = settings(ClientOptions())
        assertEquals(10L, defaults["connectTimeout"])
        assertEquals(10.0, shown["connectTimeout"])
        assertEquals(0.2, shown["retryBaseDelay"])
        assertEquals(2L, shown["maxRetries"])
        assertEquals(listOf("Content-Type", "Authorization"), shown["signHeaders"])
        assertEquals("https://naas.t-mobile.com/oauth2/v2/tokens", shown["server"])
    }

    @Test
    fun everyClientPropertyHasItsEffect() {
        val options = ClientOptions(
            server = "v6", storeId = "S1", dealerCode = "D1", connectTimeout = 1.5, timeout = 2.25, maxRetries = 0,
            retryBaseDelay = 0.5, retryMaxDelay = 5.0, refreshMargin = 30.0, popTtl = 60, maxResponseBytes = 1000,
            correctClockSkew = false, tokenBody = mapOf("scope" to "iot", "n" to listOf(1, 2.5)),
            tokenBodyMode = "replace", popClaims = mapOf("tenant" to "t-1"), popHeader = mapOf("kid" to "k1"),
            headers = mapOf("Accept" to "application/json"), signHeaders = listOf("Content-Type", "Accept"),
            uriForm = "encoded", xAuthorizationPrefix = "PoP ", tokenStore = "redis://127.0.0.1:1/",
        )
        val expected = mapOf(
            "server" to "https://api.t-mobile.com/oauth2/v6/tokens", "storeId" to "S1", "dealerCode" to "D1",
            "connectTimeout" to 1.5, "timeout" to 2.25, "maxRetries" to 0L, "retryBaseDelay" to 0.5, "retryMaxDelay" to 5.0,
            "refreshMargin" to 30.0, "popTtl" to 60L, "maxResponseBytes" to 1000L, "correctClockSkew" to false,
            "tokenBody" to mapOf("scope" to "iot", "n" to listOf(1L, 2.5)), "tokenBodyMode" to "replace",
            "popClaims" to mapOf("tenant" to "t-1"), "popHeader" to mapOf("kid" to "k1"),
            "headers" to mapOf("Accept" to "application/json"), "signHeaders" to listOf("Content-Type", "Accept"),
            "uriForm" to "encoded", "xAuthorizationPrefix" to "PoP ", "tokenStore" to true,
        )
        assertEquals(expected, settings(options))
        assertEquals("https://api.t-mobile.com/oauth2/v6/tokens", settings(ClientOptions(api = "call-verification"))["server"])
    }

    @Test
    fun everyValidatorPropertyHasItsEffect() {
        val options = ValidatorOptions(leeway = 0, maxAge = 3600, required = listOf("uri"), replayCache = 5)
        val expected = mapOf("leeway" to 0L, "maxAge" to 3600L, "required" to listOf("uri"), "replayCache" to 5L)
        assertEquals(expected, PopTokenValidator(options).use { it.settings })
        assertEquals(mapOf("leeway" to 10L, "maxAge" to 60L, "required" to emptyList<String>(), "replayCache" to null),
            PopTokenValidator().use { it.settings })
    }

    @Test
    fun aValueOutOfRangeIsTheCoresConfigErrorInCamelNames() {
        val error = assertThrows(TaapException.Config::class.java) { settings(ClientOptions(maxRetries = 11)) }
        assertEquals("invalid configuration: option maxRetries is 11; choose 0 to 10", error.message)
        val validator = assertThrows(TaapException.Config::class.java) { PopTokenValidator(ValidatorOptions(maxAge = 0)) }
        assertEquals("invalid configuration: option maxAge is 0; choose 1 to 3600 seconds", validator.message)
    }

    @Test
    fun valuesWithoutAJsonFormAreConfigErrorsNamingTheOption() {
        val notFinite = assertThrows(TaapException.Config::class.java) {
            TaapClient(key, "id", "secret", mapOf("timeout" to Double.NaN))
        }
        assertEquals("invalid configuration: option timeout is NaN; give a finite number", notFinite.message)
        val foreign = assertThrows(TaapException.Config::class.java) {
            TaapClient(key, "id", "secret", mapOf("popClaims" to mapOf("at" to java.time.Duration.ZERO)))
        }
        assertEquals(
            "invalid configuration: option popClaims holds a java.time.Duration; give a string, number, boolean, list or map",
            foreign.message,
        )
        val key = assertThrows(TaapException.Config::class.java) { PopTokenValidator(mapOf("required" to mapOf(1 to "uri"))) }
        assertEquals("invalid configuration: option required has a key that is not a string: 1", key.message)
    }

    @Test
    fun optionsAndSettingsNeverShowSecrets() {
        val options = ClientOptions(headers = mapOf("X-Api-Key" to "abcdefghijklmnop"), tokenStore = "redis://:pw-123456@127.0.0.1:1/")
        assertEquals("ClientOptions(headers=<hidden>, tokenStore=<hidden>)", options.toString())
        val shown = settings(options)
        assertEquals(mapOf("X-Api-Key" to "****"), shown["headers"])
        assertEquals(true, shown["tokenStore"])
        assertEquals("ValidatorOptions(replayCache=5)", ValidatorOptions(replayCache = 5).toString())
    }

    @Test
    fun theSchemaIsTheCoresTable() {
        val schema = Taap.settingsSchema()
        val maxRetries = schema.single { it["name"] == "max_retries" }
        assertEquals(
            mapOf(
                "name" to "max_retries", "camel" to "maxRetries", "group" to "client", "kind" to "count", "default" to 2L,
                "min" to 0.0, "min_exclusive" to false, "max" to 10.0,
                "doc" to "retries of connection failures, 429 and 5xx answers (0: never retry)", "secret" to false,
            ),
            maxRetries,
        )
        assertEquals(listOf("headers", "token_store", "replay_store"), schema.filter { it["secret"] == true }.map { it["name"] })
        assertEquals(setOf("client", "validator", "middleware"), schema.map { it["group"] }.toSet())
    }
}
