package dev.taap

import dev.taap.ffi.FfiKeySource

/**
 * What a request's token is checked against, the core's `taap::validate::Keys`: one [PublicKey]
 * or a client's [KeySource]. [PopGate.check], the Servlet `PopFilter` and a [KeyLookup] take
 * either, so code written for one key keeps compiling when keys start to rotate.
 */
sealed interface Keys : AutoCloseable

/** What a [KeySource] is; [id] is the core's name, as `toString` shows it. */
enum class KeySourceKind(
    /** `fixed`, `file` or `jwks`. */
    val id: String,
) {
    /** Keys given once ([KeySource.parse]). */
    FIXED("fixed"),

    /** A key file read again when it changes ([KeySource.fromFile]). */
    FILE("file"),

    /** A JWK set URL, cached and fetched again ([KeySource.fromJwksUrl]). */
    JWKS("jwks"),
    ;

    internal companion object {
        fun of(id: String): KeySourceKind = entries.firstOrNull { it.id == id } ?: FIXED
    }
}

/**
 * A client's public keys, the core's `taap::validate::KeySource`, so keys rotate without a
 * restart: several at once (each with an optional `kid` and `nbf`/`exp` window; a token naming a
 * `kid` is checked with that key), a key file read again when it changes, or a JWK set URL
 * cached per its `Cache-Control: max-age` and fetched again for a `kid` it lacks. When a JWK set
 * URL cannot be fetched and nothing usable is cached, [PopGate.check] answers 503
 * `KeySourceUnavailable` (with `retry-after: 1`), not 401: the token may be good. Thread-safe,
 * shared by every request; its native memory is freed when it is garbage-collected, or at once by
 * [close].
 */
class KeySource private constructor(internal val ffi: FfiKeySource) : Keys {
    /** Making sources. */
    companion object {
        /** A fixed set from PEM, JWK or JWK set (`{"keys": [...]}`) text. */
        @JvmStatic
        @Throws(TaapException::class)
        fun parse(text: String): KeySource = parse(text.encodeToByteArray())

        /** A fixed set from PEM, DER, JWK or JWK set bytes. */
        @JvmStatic
        @Throws(TaapException::class)
        fun parse(bytes: ByteArray): KeySource = KeySource(native { FfiKeySource.parse(bytes) })

        /**
         * The keys of the file at [path] (PEM, DER, JWK or JWK set), read now and again when its
         * modification time changes (looked at once a second at most); a half-written file keeps
         * the keys in force. A file that cannot be read now is [TaapException.Config].
         */
        @JvmStatic
        @Throws(TaapException::class)
        fun fromFile(path: String): KeySource = KeySource(native { FfiKeySource.fromFile(path) })

        /**
         * The JWK set served at [url] (`http` or `https`), fetched when a check first needs it
         * (that check waits for the fetch), cached per `Cache-Control: max-age` (5 s to 24 h,
         * 300 s without one), fetched again at most every 5 s for a `kid` it lacks, and kept for
         * an hour past its freshness while the URL is down.
         */
        @JvmStatic
        @Throws(TaapException::class)
        fun fromJwksUrl(url: String): KeySource = KeySource(native { FfiKeySource.fromJwksUrl(url) })
    }

    /** Where the keys come from. */
    val kind: KeySourceKind = KeySourceKind.of(ffi.kind())

    /**
     * How many keys are in force now. A JWK set URL with nothing usable cached is fetched first
     * (this blocks), and [TaapException.KeySourceUnavailable] when it cannot be.
     */
    val size: Int
        @Throws(TaapException::class)
        get() = native { ffi.size() }.toInt()

    /** Kind and file path or URL; a URL without its query or user info, which may hold a credential. */
    override fun toString(): String {
        val where = ffi.path()?.let { ", path=$it" } ?: ffi.url()?.let { ", url=$it" } ?: ""
        return "KeySource(kind=${kind.id}$where)"
    }

    /** Frees the native source (its cache, its file watch) now instead of at garbage collection. */
    override fun close() = ffi.close()
}
