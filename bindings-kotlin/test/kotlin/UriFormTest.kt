package dev.taap.test

import dev.taap.BuildOptions
import dev.taap.EhtsEntry
import dev.taap.PopToken
import dev.taap.PopTokenValidator
import dev.taap.TaapException
import dev.taap.UriForm
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Test

/** `validateRequest`'s `uriForm`: a target whose decoded and encoded `uri` differ, signed both ways. */
class UriFormTest {
    private val case = Fixtures.vectors("request").single { it["name"] == "query-percent-decoded" }
    private val target = case["target"] as String
    private val iat = case["iat"] as Long
    private val key = Fixtures.privateKey(case)

    /** A token whose signer hashed the query as sent, as some SDKs do. */
    private val encodedToken = PopToken.build(
        key,
        listOf(EhtsEntry("uri", target), EhtsEntry("http-method", "GET"), EhtsEntry("body", "")),
        BuildOptions(120, iat, "jti-encoded-form"),
    )

    /** The validated token's `jti`; [form] null takes the default. */
    private fun validate(token: String, form: UriForm?): String {
        val headers = listOf(EhtsEntry("X-Authorization", token))
        val validator = PopTokenValidator()
        val decoded = if (form == null) {
            validator.validateRequest(key.publicKey(), "GET", target, headers, ByteArray(0), iat + 1)
        } else {
            validator.validateRequest(key.publicKey(), "GET", target, headers, ByteArray(0), iat + 1, form)
        }
        return decoded.claims.jti
    }

    @Test
    fun theFormsDifferForThisTarget() {
        assertNotEquals(target, case["expected_uri"])
        assertEquals("/customers?name=J\u00fcrgen M&list=a,b&plus=a+b", case["expected_uri"])
    }

    @Test
    fun anEncodedSignerIsAcceptedOnlyUnderTheEncodedForm() {
        assertThrows(TaapException.EdtsMismatch::class.java) { validate(encodedToken, null) }
        assertThrows(TaapException.EdtsMismatch::class.java) { validate(encodedToken, UriForm.DECODED) }
        assertEquals("jti-encoded-form", validate(encodedToken, UriForm.ENCODED))
    }

    @Test
    fun theDocsSignerIsAcceptedOnlyUnderTheDecodedForm() {
        val docsToken = case["token"] as String
        assertEquals(case["jti"], validate(docsToken, null))
        assertEquals(case["jti"], validate(docsToken, UriForm.DECODED))
        val wrong = assertThrows(TaapException.EdtsMismatch::class.java) { validate(docsToken, UriForm.ENCODED) }
        assertEquals("TAAP_EDTS_MISMATCH", wrong.code)
    }
}
