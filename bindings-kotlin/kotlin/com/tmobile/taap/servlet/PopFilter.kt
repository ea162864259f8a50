package com.tmobile.taap.servlet

// The Servlet 5+ filter (jakarta.servlet: Tomcat 10+, Jetty 11+, Spring Boot 3). scripts/build.sh
// also compiles this file with jakarta.servlet replaced by javax.servlet, as
// com.tmobile.taap.servlet.javax.PopFilter for Servlet 4 containers: keep every servlet name
// under an import of jakarta.servlet, so that one substitution makes the twin.

import dev.taap.Answer
import dev.taap.KeyLookup
import dev.taap.KeySource
import dev.taap.Keys
import dev.taap.MiddlewareOptions
import dev.taap.PopGate
import dev.taap.PublicKey
import dev.taap.TaapException
import dev.taap.UriForm
import jakarta.servlet.Filter
import jakarta.servlet.FilterChain
import jakarta.servlet.FilterConfig
import jakarta.servlet.ReadListener
import jakarta.servlet.ServletException
import jakarta.servlet.ServletInputStream
import jakarta.servlet.ServletRequest
import jakarta.servlet.ServletResponse
import jakarta.servlet.http.HttpServletRequest
import jakarta.servlet.http.HttpServletRequestWrapper
import jakarta.servlet.http.HttpServletResponse
import java.io.BufferedReader
import java.io.ByteArrayInputStream
import java.io.ByteArrayOutputStream
import java.io.InputStream
import java.io.InputStreamReader
import java.nio.charset.Charset
import java.nio.charset.StandardCharsets
import java.util.AbstractMap.SimpleImmutableEntry
import java.util.Collections

/**
 * Lets only requests carrying a valid PoP token reach the application. Every rule is the core's
 * ([PopGate]): this filter hands it the method, the request target as received
 * (`getRequestURI()` and the raw query), every header value and the body (at most `maxBody` + 1
 * bytes read; a declared `Content-Length` over `maxBody` is refused unread), then either writes
 * the core's answer (401, 413, 503: status, headers, JSON body) or calls the chain with a request
 * whose body the application can still read.
 *
 * The key is one [PublicKey], a [KeySource] (several keys, a file re-read on change, a JWK set
 * URL: 503 `KeySourceUnavailable` when it cannot be fetched), or a [KeyLookup] from the client id
 * in `clientIdHeader` giving either. In `web.xml` (the no-argument constructor), init parameters
 * configure it: exactly one of `publicKey` (PEM text), `publicKeyFile` (a PEM, DER or JWK file,
 * read once), `keysFile` (a PEM, DER, JWK or JWK set file, read again when it changes) or
 * `jwksUrl` (a JWK set URL); `options` (a JSON object of [MiddlewareOptions]' names) and
 * `uriForm` (`decoded`, the docs' form and the default, or `encoded`).
 */
class PopFilter private constructor(@Volatile private var guard: Guard?) : Filter {
    private class Guard(val gate: PopGate, val key: Keys?, val keys: KeyLookup?, val uriForm: UriForm)

    /** A filter configured by its init parameters when the container calls [init]. */
    constructor() : this(null)

    /** Tokens checked with [publicKey] (a [PublicKey] or a [KeySource]), under typed [options]. */
    @JvmOverloads
    @Throws(TaapException::class)
    constructor(publicKey: Keys, options: MiddlewareOptions = MiddlewareOptions(), uriForm: UriForm = UriForm.DECODED) :
        this(Guard(PopGate(options), publicKey, null, uriForm))

    /** Tokens checked with [publicKey] (a [PublicKey] or a [KeySource]), under [options] as a map of the schema's camel names. */
    @JvmOverloads
    @Throws(TaapException::class)
    constructor(publicKey: Keys, options: Map<String, Any?>, uriForm: UriForm = UriForm.DECODED) :
        this(Guard(PopGate(options), publicKey, null, uriForm))

    /** Tokens checked with the key or key source [keys] gives for the request's client id, under typed [options]. */
    @JvmOverloads
    @Throws(TaapException::class)
    constructor(keys: KeyLookup, options: MiddlewareOptions = MiddlewareOptions(), uriForm: UriForm = UriForm.DECODED) :
        this(Guard(PopGate(options), null, keys, uriForm))

    /** Tokens checked with the key [keys] gives for the request's client id, under [options] as a map. */
    @JvmOverloads
    @Throws(TaapException::class)
    constructor(keys: KeyLookup, options: Map<String, Any?>, uriForm: UriForm = UriForm.DECODED) :
        this(Guard(PopGate(options), null, keys, uriForm))

    /** The gate in use (its `maxBody`, `clientIdHeader`). */
    val gate: PopGate
        get() = configured().gate

    /** Reads the init parameters when this filter was made without arguments; else nothing. */
    override fun init(config: FilterConfig) {
        if (guard != null) return
        try {
            val given = KEY_PARAMETERS.mapNotNull { name -> config.getInitParameter(name)?.let { name to it } }
            val (name, value) = given.singleOrNull() ?: throw ServletException(
                "PopFilter ${config.filterName}: give exactly one of the init parameters ${KEY_PARAMETERS.joinToString(", ")}" +
                    if (given.isEmpty()) "" else " (given: ${given.joinToString(", ") { it.first }})",
            )
            val key: Keys = when (name) {
                "publicKey" -> PublicKey.fromPem(value)
                "publicKeyFile" -> PublicKey.fromFile(value)
                "keysFile" -> KeySource.fromFile(value)
                else -> KeySource.fromJwksUrl(value)
            }
            val gate = PopGate(config.getInitParameter("options") ?: "{}")
            guard = Guard(gate, key, null, PopGate.uriForm(config.getInitParameter("uriForm")))
        } catch (error: TaapException) {
            throw ServletException("PopFilter ${config.filterName}: ${error.message}", error)
        }
    }

    override fun doFilter(request: ServletRequest, response: ServletResponse, chain: FilterChain) {
        val guard = configured()
        val http = request as HttpServletRequest
        val gate = guard.gate
        if (http.contentLengthLong > gate.maxBody) {
            send(response as HttpServletResponse, gate.tooLarge())
            return
        }
        val body = readAtMost(http.inputStream, if (gate.maxBody == Long.MAX_VALUE) gate.maxBody else gate.maxBody + 1)
        val headers = ArrayList<Map.Entry<String, ByteArray>>()
        for (name in Collections.list(http.headerNames ?: Collections.emptyEnumeration())) {
            for (value in Collections.list(http.getHeaders(name))) headers.add(SimpleImmutableEntry(name, bytesOf(value)))
        }
        val target = http.requestURI + (http.queryString?.let { "?$it" } ?: "")
        val answer = when (val key = guard.key) {
            null -> gate.check(guard.keys!!, http.method, target, headers, body, guard.uriForm)
            else -> gate.check(key, http.method, target, headers, body, guard.uriForm)
        }
        if (answer != null) send(response as HttpServletResponse, answer) else chain.doFilter(BodyRequest(http, body), response)
    }

    private fun configured(): Guard = guard ?: throw IllegalStateException("PopFilter: init(FilterConfig) was not called")

    private companion object {
        /** The init parameters that name the key, of which `web.xml` gives exactly one. */
        val KEY_PARAMETERS = listOf("publicKey", "publicKeyFile", "keysFile", "jwksUrl")

        /** The core's answer, byte for byte. */
        fun send(response: HttpServletResponse, answer: Answer) {
            val body = answer.body.toByteArray(StandardCharsets.UTF_8)
            response.status = answer.status
            for ((name, value) in answer.headers) response.addHeader(name, value)
            response.setContentLengthLong(body.size.toLong())
            response.outputStream.write(body)
            response.flushBuffer()
        }

        /** At most [limit] bytes of [input]. */
        fun readAtMost(input: InputStream, limit: Long): ByteArray {
            val out = ByteArrayOutputStream()
            val buffer = ByteArray(16 * 1024)
            var left = limit
            while (left > 0) {
                val read = input.read(buffer, 0, minOf(buffer.size.toLong(), left).toInt())
                if (read < 0) break
                out.write(buffer, 0, read)
                left -= read
            }
            return out.toByteArray()
        }

        /**
         * A header value's bytes as received: containers decode header bytes as ISO-8859-1, so
         * that gives them back; a value holding wider characters was decoded as UTF-8.
         */
        fun bytesOf(value: String): ByteArray =
            if (value.all { it.code <= 0xFF }) value.toByteArray(StandardCharsets.ISO_8859_1) else value.toByteArray(StandardCharsets.UTF_8)
    }

    /** The request with its body already read: the application reads the same bytes. */
    private class BodyRequest(request: HttpServletRequest, private val body: ByteArray) : HttpServletRequestWrapper(request) {
        private val stream by lazy { BodyStream(ByteArrayInputStream(body)) }

        override fun getInputStream(): ServletInputStream = stream

        override fun getReader(): BufferedReader {
            val charset = characterEncoding?.let { Charset.forName(it) } ?: StandardCharsets.ISO_8859_1
            return BufferedReader(InputStreamReader(stream, charset))
        }
    }

    private class BodyStream(private val bytes: ByteArrayInputStream) : ServletInputStream() {
        override fun read(): Int = bytes.read()

        override fun read(into: ByteArray, offset: Int, length: Int): Int = bytes.read(into, offset, length)

        override fun available(): Int = bytes.available()

        override fun isFinished(): Boolean = bytes.available() == 0

        override fun isReady(): Boolean = true

        override fun setReadListener(listener: ReadListener) {
            try {
                if (!isFinished) listener.onDataAvailable()
                listener.onAllDataRead()
            } catch (error: Throwable) {
                listener.onError(error)
            }
        }
    }
}
