package dev.taap

import java.io.IOException
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse

/**
 * Signing for the JDK's `java.net.http.HttpClient` (JVM only; Android has no such client):
 * the headers to sign are chosen by the core's [SignPolicy], never here.
 */
object TaapHttp {
    /**
     * Finishes [builder] as a [method] request with [body] and an `X-Authorization` PoP token
     * over the built request's URL, headers (as [policy] selects them), method and body.
     */
    @JvmStatic
    @JvmOverloads
    @Throws(TaapException::class)
    fun sign(
        builder: HttpRequest.Builder,
        method: String,
        body: ByteArray,
        key: Signer,
        policy: SignPolicy = SignPolicy.docs(),
    ): HttpRequest {
        builder.method(method, HttpRequest.BodyPublishers.ofByteArray(body))
        val unsigned = builder.build()
        val headers = unsigned.headers().map().flatMap { (name, values) -> values.map { EhtsEntry(name, it) } }
        val token = policy.sign(key, method, unsigned.uri().toString(), headers, body)
        return builder.setHeader(Taap.POP_HEADER, token).build()
    }

    /** [sign], then sends with [client] and returns the body as bytes. */
    @JvmStatic
    @JvmOverloads
    @Throws(IOException::class, InterruptedException::class, TaapException::class)
    fun send(
        client: HttpClient,
        builder: HttpRequest.Builder,
        method: String,
        body: ByteArray,
        key: Signer,
        policy: SignPolicy = SignPolicy.docs(),
    ): HttpResponse<ByteArray> = client.send(sign(builder, method, body, key, policy), HttpResponse.BodyHandlers.ofByteArray())
}
