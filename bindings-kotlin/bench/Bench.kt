package dev.taap.bench

import dev.taap.BuildOptions
import dev.taap.EhtsEntry
import dev.taap.PopToken
import dev.taap.PrivateKey
import java.io.File
import java.lang.management.ManagementFactory
import java.security.KeyFactory
import java.security.MessageDigest
import java.security.Signature
import java.security.spec.PKCS8EncodedKeySpec
import java.util.Base64

/**
 * Token builds per CPU second from Kotlin through taap, and with the JDK's own
 * SHA256withRSA building the same token (what T-Mobile's Java builder does underneath).
 * Prints one JSON line per figure, like core/examples/throughput.rs.
 */
private val ehts = listOf(
    EhtsEntry("Content-Type", "application/json"),
    EhtsEntry("Authorization", "Bearer UtKV75JJbVAewOrkHMXhLbiQ11SS"),
    EhtsEntry("uri", "/commerce/v1/orders"),
    EhtsEntry("http-method", "POST"),
    EhtsEntry("body", ""),
)

private val b64 = Base64.getUrlEncoder().withoutPadding()

/** The same compact JWS the core makes, signed by the JDK provider. */
private fun jdkToken(signer: Signature, key: java.security.PrivateKey, iat: Long, jti: String): String {
    val edts = b64.encodeToString(MessageDigest.getInstance("SHA-256").digest(ehts.joinToString("") { it.value }.encodeToByteArray()))
    val names = ehts.joinToString(";") { it.name }
    val header = b64.encodeToString("""{"alg":"RS256","typ":"JWT"}""".encodeToByteArray())
    val payload = """{"edts":"$edts","v":"1","exp":${iat + 120},"ehts":"$names","iat":$iat,"jti":"$jti"}"""
    val input = header + "." + b64.encodeToString(payload.encodeToByteArray())
    signer.initSign(key)
    signer.update(input.encodeToByteArray())
    return input + "." + b64.encodeToString(signer.sign())
}

private fun rate(seconds: Double, work: () -> Unit): Double {
    val bean = ManagementFactory.getThreadMXBean()
    repeat(300) { work() }
    val start = bean.currentThreadCpuTime
    var count = 0
    while (bean.currentThreadCpuTime - start < seconds * 1e9) {
        work()
        count++
    }
    return count / ((bean.currentThreadCpuTime - start) / 1e9)
}

fun main(args: Array<String>) {
    val pemFile = File(args[0])
    val seconds = args.getOrNull(1)?.toDouble() ?: 3.0
    val key = PrivateKey.fromFile(pemFile.path)
    val der = Base64.getMimeDecoder().decode(pemFile.readText().lines().filter { !it.startsWith("-----") }.joinToString(""))
    val jdkKey = KeyFactory.getInstance("RSA").generatePrivate(PKCS8EncodedKeySpec(der))
    val signer = Signature.getInstance("SHA256withRSA")

    // Same input, same bytes: the comparison is only fair if both make the identical token.
    val fixed = BuildOptions(120, 1767225600L, "d10e897e-3fad-44fe-9cce-6ea6c6b804e9")
    check(PopToken.build(key, ehts, fixed) == jdkToken(signer, jdkKey, 1767225600L, fixed.jti!!)) { "the JDK token differs" }

    println("""{"name":"kotlin_build_empty_body","per_second":${"%.1f".format(rate(seconds) { PopToken.build(key, ehts) })}}""")
    println("""{"name":"jdk_build_empty_body","per_second":${"%.1f".format(rate(seconds) { jdkToken(signer, jdkKey, System.currentTimeMillis() / 1000, java.util.UUID.randomUUID().toString()) })}}""")
}
