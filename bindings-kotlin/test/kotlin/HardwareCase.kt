package dev.taap.test

import dev.taap.BuildOptions
import dev.taap.PopToken
import dev.taap.Signer
import dev.taap.SignerKind
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.fail
import org.junit.jupiter.api.Test
import java.io.File

/**
 * Keys in hardware through `Signer.fromUri`: every vector token made with the vector key imported
 * into a TPM 2.0 (swtpm, a `pkcs11:` URI) and into a local AWS KMS (moto, an `aws-kms:` alias)
 * is the vector's, byte for byte.
 *
 * The services are tests/hardware/run.py's, which names them in `TAAP_HARDWARE`; scripts/test.sh
 * runs this class under it, in a JVM of its own (its name does not end in `Test`, so the suite's
 * run leaves it out). Without `TAAP_HARDWARE` these tests fail.
 */
class HardwareCase {
    /** Vector key file -> where the fixture put it (`tpm`, `kms`). */
    @Suppress("UNCHECKED_CAST")
    private fun hardwareKeys(): Map<String, Map<String, Any?>> {
        val file = System.getenv("TAAP_HARDWARE")?.takeIf { it.isNotEmpty() }
            ?: fail<Nothing>(
                "TAAP_HARDWARE is not set: run this class under the hardware fixture, `bash tests/hardware/run.sh -- java … " +
                    "--select-class dev.taap.test.HardwareCase` (bindings-kotlin/scripts/test.sh does)",
            )
        return (Json.parse(File(file).readText()) as Map<String, Any?>)["keys"] as Map<String, Map<String, Any?>>
    }

    private fun options(case: Map<String, Any?>) =
        BuildOptions((case["ttl_secs"] as Long), case["iat"] as Long, case["jti"] as String)

    private fun build(signer: Signer, case: Map<String, Any?>): String =
        PopToken.build(signer, Fixtures.entries(case["ehts"]), options(case))

    @Test
    @Suppress("UNCHECKED_CAST")
    fun everyVectorTokenMadeInTheTpmIsTheVectors() {
        val keys = hardwareKeys()
        val cases = Fixtures.vectors("tokens")
        // A TPM 2.0 holds RSA-2048 keys: the 4096-bit vector key is the one it does not hold.
        val notInTpm = cases.map { it["key"] as String }.distinct().filter { keys.getValue(it)["tpm"] == null }
        assertEquals(listOf("openssl/big-4096-private.pem"), notInTpm)
        val signers = HashMap<String, Signer>()
        var built = 0
        for (case in cases) {
            val tpm = keys.getValue(case["key"] as String)["tpm"] as Map<String, Any?>? ?: continue
            val signer = signers.getOrPut(tpm["object"] as String) { Signer.fromUri(tpm["uri"] as String) }
            assertEquals(SignerKind.PKCS11, signer.kind)
            assertEquals(case["token"], build(signer, case), case["name"] as String)
            built++
        }
        assertEquals(listOf(4, cases.size - 1), listOf(signers.size, built))
    }

    @Test
    @Suppress("UNCHECKED_CAST")
    fun everyVectorTokenMadeThroughKmsIsTheVectors() {
        val keys = hardwareKeys()
        val signers = HashMap<String, Signer>()
        for (case in Fixtures.vectors("tokens")) {
            val kms = keys.getValue(case["key"] as String)["kms"] as Map<String, Any?>
            val signer = signers.getOrPut(kms["alias"] as String) { Signer.fromUri(kms["uri"] as String) }
            assertEquals(listOf(SignerKind.AWS_KMS, "${kms["uri"]} (us-east-1)"), listOf(signer.kind, signer.label))
            assertEquals(case["token"], build(signer, case), case["name"] as String)
        }
        assertEquals(5, signers.size)
    }
}
