package dev.taap.test

import dev.taap.BuildOptions
import dev.taap.EdtsCheck
import dev.taap.EhtsEntry
import dev.taap.ExplainedEntry
import dev.taap.PopToken
import dev.taap.SignatureCheck
import dev.taap.Taap
import dev.taap.TaapException
import dev.taap.TimeCheck
import dev.taap.TokenHeader
import dev.taap.VariantMatch
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

/** `Taap.explain`: a token explained against the request it was signed for and against others. */
class ExplainTest {
    private val key = Fixtures.readmeKey
    private val iat = 1_700_000_000L
    private val url = "https://api.t-mobile.com/commerce/v1/orders?account-number=0000000000"
    private val bearer = "Bearer s3cr3t-access-token"
    private val headers = listOf(EhtsEntry("Content-Type", "application/json"), EhtsEntry("Authorization", bearer))
    private val body = """{"orderId": 100}"""
    private val token = PopToken.forRequest(key, "POST", url, headers, body.encodeToByteArray(), BuildOptions(120, iat, "jti-explain-1"))

    /** The `edts` a token for this request would claim, computed by the signer itself. */
    private fun edtsOf(requestUrl: String, requestBody: String): String =
        PopToken.decode(PopToken.forRequest(key, "POST", requestUrl, headers, requestBody.encodeToByteArray())).claims.edts

    @Test
    fun aBodyWithATrailingNewlineIsExplainedFieldByField() {
        val sent = "$body\n"
        val explanation = Taap.explain(token, "POST", url, headers, sent.encodeToByteArray(), key.publicKey(), iat + 5)
        assertFalse(explanation.valid)
        assertEquals(TokenHeader("RS256", "JWT"), explanation.header)
        assertEquals(PopToken.decode(token).claims, explanation.claims)
        assertEquals(listOf("Content-Type", "Authorization", "uri", "http-method", "body"), explanation.claims.ehts)
        assertEquals(TimeCheck(now = iat + 5, expiresIn = 115, age = 5, ok = true, clockOffset = null), explanation.time)
        assertEquals(
            listOf(
                ExplainedEntry("Content-Type", "application/json", 16),
                ExplainedEntry("Authorization", "Bearer ****", 26),
                ExplainedEntry("uri", "/commerce/v1/orders?account-number=0000000000", 45),
                ExplainedEntry("http-method", "POST", 4),
                ExplainedEntry("body", sent, 17),
            ),
            explanation.entries,
        )
        assertEquals(EdtsCheck(explanation.claims.edts, edtsOf(url, sent), false), explanation.edts)
        assertEquals(SignatureCheck.VALID, explanation.signature)
        val trailingNewline = "the signer's body differs from the request's by a trailing newline"
        assertEquals(VariantMatch("body-trailing-newline", trailingNewline), explanation.variant)
        assertEquals(listOf("edts mismatch: $trailingNewline (body-trailing-newline)"), explanation.problems)
    }

    @Test
    fun anotherUrlWithoutAKeyMatchesNoVariant() {
        val other = "https://api.t-mobile.com/commerce/v1/carts"
        val explanation = Taap.explain(token, "POST", other, headers, body.encodeToByteArray(), now = iat + 5)
        assertEquals(ExplainedEntry("uri", "/commerce/v1/carts", 18), explanation.entries[2])
        assertEquals(EdtsCheck(PopToken.decode(token).claims.edts, edtsOf(other, body), false), explanation.edts)
        assertEquals(SignatureCheck.NOT_CHECKED, explanation.signature)
        assertNull(explanation.variant)
        assertEquals(listOf("edts mismatch: no known variant reproduces the signed values"), explanation.problems)
    }

    @Test
    fun theRequestSignedIsValidAndAnotherKeyIsNot() {
        val exact = Taap.explain(token, "POST", url, headers, body.encodeToByteArray(), key.publicKey(), iat + 5)
        assertTrue(exact.valid)
        assertEquals(EdtsCheck(exact.claims.edts, exact.claims.edts, true), exact.edts)
        assertEquals(emptyList<String>(), exact.problems)
        val stranger = Fixtures.publicKey("openssl/spki-public.pem")
        val wrongKey = Taap.explain(token, "POST", url, headers, body.encodeToByteArray(), stranger, iat + 5)
        assertEquals(SignatureCheck.INVALID, wrongKey.signature)
        assertEquals(listOf("the signature does not verify with this public key"), wrongKey.problems)
    }

    @Test
    fun anExpiredTokenSaysByHowMuch() {
        val late = Taap.explain(token, "POST", url, headers, body.encodeToByteArray(), now = iat + 200)
        assertEquals(TimeCheck(now = iat + 200, expiresIn = -80, age = 200, ok = false, clockOffset = -130), late.time)
        assertEquals(listOf("the token expired 80 s ago"), late.problems)
    }

    @Test
    fun secretsStayMaskedInTheWholeExplanation() {
        val explanation = Taap.explain(token, "POST", url, headers, body.encodeToByteArray(), now = iat + 5)
        assertFalse(explanation.toString().contains("s3cr3t"), explanation.toString())
    }

    @Test
    fun badInputIsATypedException() {
        assertEquals("TAAP_INVALID_TOKEN", assertThrows(TaapException.InvalidToken::class.java) { Taap.explain("a.b", "GET", url) }.code)
        assertThrows(TaapException.InvalidEhts::class.java) { Taap.explain(token, "GET", "ftp://h/x") }
        assertThrows(TaapException.InvalidEhts::class.java) { Taap.explain(token, "G E T", url) }
    }
}
