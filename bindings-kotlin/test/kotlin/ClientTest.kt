package dev.taap.test

import dev.taap.ClientOptions
import dev.taap.EhtsEntry
import dev.taap.TaapClient
import dev.taap.TaapException
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Test
import java.util.concurrent.ExecutionException
import java.util.concurrent.TimeUnit

/** The client's v2 and v6 flows against `taap serve` (started by scripts/test.sh). */
class ClientTest {
    private val gateway: String? = System.getenv("TAAP_TEST_GATEWAY")

    private fun client(flavor: String, secret: String = System.getenv("TAAP_TEST_CLIENT_SECRET")): TaapClient {
        val options = ClientOptions(server = "$gateway/oauth2/$flavor/tokens", maxRetries = 0)
        return TaapClient(Fixtures.readmeKey, System.getenv("TAAP_TEST_CLIENT_ID"), secret, options)
    }

    private fun flow(flavor: String) {
        assertNotNull(gateway, "TAAP_TEST_GATEWAY names no taap serve: run make test-kotlin (scripts/test.sh starts one)")
        val client = client(flavor)
        assertEquals(flavor, client.flavor)
        val token = client.accessToken()
        assertFalse(token.token.isEmpty())
        assertFalse(token.toString().contains(token.token))
        val order = """{"orderId": 100}""".encodeToByteArray()
        val headers = listOf(EhtsEntry("Content-Type", "application/json"))
        assertEquals(201, client.send("POST", "$gateway/commerce/v1/orders", headers, order).status)
        val device = client.sendAsync("GET", "$gateway/iot-connectivity/v1/devices/8901260000000000019").get(30, TimeUnit.SECONDS)
        assertEquals(200, device.status)
        asyncTokens(client, token.token)
    }

    /** The futures share the blocking calls' cache: the cached token, then a new one that replaces it. */
    private fun asyncTokens(client: TaapClient, cached: String) {
        assertEquals(cached, client.accessTokenAsync().get(30, TimeUnit.SECONDS).token)
        val refreshed = client.refreshAccessTokenAsync().get(30, TimeUnit.SECONDS).token
        assertNotEquals(cached, refreshed)
        assertEquals(refreshed, client.accessToken().token)
        assertEquals(refreshed, client.accessTokenAsync().get(30, TimeUnit.SECONDS).token)
    }

    @Test
    fun v2Flow() = flow("v2")

    @Test
    fun v6Flow() = flow("v6")

    @Test
    fun wrongSecretIsAnOAuthErrorWithItsStatus() {
        assertNotNull(gateway, "TAAP_TEST_GATEWAY names no taap serve: run make test-kotlin (scripts/test.sh starts one)")
        val error = assertThrows(TaapException.OAuth::class.java) { client("v2", "wrong-secret").accessToken() }
        assertEquals(401, error.httpStatus)
        assertFalse(error.message!!.contains("wrong-secret"))
        val async = assertThrows(ExecutionException::class.java) {
            client("v6", "wrong-secret").sendAsync("GET", "$gateway/iot-connectivity/v1/devices/1").get(30, TimeUnit.SECONDS)
        }
        assertEquals("TAAP_OAUTH", (async.cause as TaapException).code)
        val token = assertThrows(ExecutionException::class.java) { client("v2", "wrong-secret").accessTokenAsync().get(30, TimeUnit.SECONDS) }
        assertEquals(401, (token.cause as TaapException.OAuth).httpStatus)
    }
}
