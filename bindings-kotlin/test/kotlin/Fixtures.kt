package dev.taap.test

import dev.taap.EhtsEntry
import dev.taap.PrivateKey
import dev.taap.PublicKey
import java.io.File

/** Paths and loaders shared by the suites; TAAP_TESTS_DIR is the repository's tests/ folder. */
object Fixtures {
    val tests: File = File(System.getenv("TAAP_TESTS_DIR") ?: "../tests")

    fun vectors(name: String): List<Map<String, Any?>> = vectorsAt(File(tests, "vectors/$name.json"))

    fun vectorsAt(file: File): List<Map<String, Any?>> {
        @Suppress("UNCHECKED_CAST")
        val doc = Json.parse(file.readText()) as Map<String, Any?>
        @Suppress("UNCHECKED_CAST")
        return doc["cases"] as List<Map<String, Any?>>
    }

    fun privateKey(case: Map<String, Any?>): PrivateKey =
        PrivateKey.fromFile(File(tests, "keys/${case["key"]}").path, case["password"] as String?)

    fun publicKey(path: String): PublicKey {
        val file = File(tests, "keys/$path")
        return if (path.endsWith(".json")) PublicKey.fromJwk(file.readText()) else PublicKey.fromPem(file.readText())
    }

    @Suppress("UNCHECKED_CAST")
    fun entries(value: Any?): List<EhtsEntry> = (value as List<List<String>>).map { EhtsEntry(it[0], it[1]) }

    val readmeKey: PrivateKey by lazy { PrivateKey.fromFile(File(tests, "keys/tmobile/readme-private-pkcs8.pem").path) }
}
