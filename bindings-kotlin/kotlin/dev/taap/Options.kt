package dev.taap

// The typed options of [TaapClient], [PopTokenValidator] and [PopGate] (the Servlet filter's).
// The classes are rendered from the core's settings schema ([Taap.settingsSchema]) by
// bindings-kotlin/tests/options.rs, which `make test-kotlin` runs: names, types, units (seconds
// as Double), defaults and docs cannot drift from the core. Only options that differ from their default reach the core, as the same JSON
// object the map form of each constructor gives it; the core checks every one.

/**
 * A [TaapClient]'s options, typed; `TaapClient(key, clientId, clientSecret, mapOf(...))` takes
 * the same names as a map (a value of any type, checked by the core).
 */
// BEGIN GENERATED client options (bindings-kotlin/tests/options.rs)
data class ClientOptions @JvmOverloads constructor(
    /** the T-Mobile API the calls are for (connectivity, location, sms-notification, call-verification, fraud-prevention): picks its token server. Text; default none. */
    var api: String? = null,
    /** the token server: v2, v6, an API name or a full token endpoint URL (not with api). Text; default "v2". */
    var server: String = "v2",
    /** storeId of the v6 token body. Text; default none. */
    var storeId: String? = null,
    /** dealerCode of the v6 token body. Text; default none. */
    var dealerCode: String? = null,
    /** connection set-up limit, DNS and TLS included. Seconds, above 0 and at most 600; default 10. */
    var connectTimeout: Double = 10.0,
    /** limit for one whole HTTP exchange. Seconds, above 0 and at most 3600; default 30. */
    var timeout: Double = 30.0,
    /** retries of connection failures, 429 and 5xx answers (0: never retry). Count, 0 to 10; default 2. */
    var maxRetries: Int = 2,
    /** first backoff delay, doubling on each retry (at most retry_max_delay). Seconds, 0 to 600; default 0.2. */
    var retryBaseDelay: Double = 0.2,
    /** longest single wait, backoff or Retry-After. Seconds, above 0 and at most 600; default 10. */
    var retryMaxDelay: Double = 10.0,
    /** replace a cached access token this long before it expires. Seconds, 0 to 3600; default 60. */
    var refreshMargin: Double = 60.0,
    /** validity of each PoP token. Whole seconds, 1 to 3600; default 120. */
    var popTtl: Long = 120,
    /** largest response body read into memory. Bytes, at least 1; default 10485760. */
    var maxResponseBytes: Long = 10485760,
    /** correct PoP iat by the clock offset the servers' Date headers show. Flag; default true. */
    var correctClockSkew: Boolean = true,
    /** members merged into (or replacing) the token request body; strings may hold {client_id} and {public_key_pem}. Members; default none. */
    var tokenBody: Map<String, Any?>? = null,
    /** whether token_body is merged into the flavour's body (none: merge) or replaces it. One of merge, replace; default none. */
    var tokenBodyMode: String? = null,
    /** extra claims on every PoP token. Members; default none. */
    var popClaims: Map<String, Any?>? = null,
    /** extra JOSE header members on every PoP token. Members; default none. */
    var popHeader: Map<String, Any?>? = null,
    /** headers sent on every API call (a caller's header of the same name wins). Headers; default none. */
    var headers: Map<String, String>? = null,
    /** the headers an API call's PoP token signs, each when present. Names; default ["Content-Type","Authorization"]. */
    var signHeaders: List<String> = listOf("Content-Type", "Authorization"),
    /** how uri is signed: the query decoded (the docs) or as sent. One of decoded, encoded; default "decoded". */
    var uriForm: String = "decoded",
    /** text put before the PoP token in X-Authorization (none: the raw token). Text; default none. */
    var xAuthorizationPrefix: String? = null,
    /** a shared access-token store, redis://… (it may hold a password: a secret). Text; default none. */
    var tokenStore: String? = null,
) {
    /** The options that differ from their defaults, under the schema's camel names: what reaches the core. */
    fun toMap(): Map<String, Any?> = changedFrom(DEFAULTS.all(), all())

    /** The options that differ from their defaults; values that may hold secrets show as `<hidden>`. */
    override fun toString(): String = described("ClientOptions", toMap(), HIDDEN)

    private fun all(): Map<String, Any?> = linkedMapOf(
        "api" to api,
        "server" to server,
        "storeId" to storeId,
        "dealerCode" to dealerCode,
        "connectTimeout" to connectTimeout,
        "timeout" to timeout,
        "maxRetries" to maxRetries,
        "retryBaseDelay" to retryBaseDelay,
        "retryMaxDelay" to retryMaxDelay,
        "refreshMargin" to refreshMargin,
        "popTtl" to popTtl,
        "maxResponseBytes" to maxResponseBytes,
        "correctClockSkew" to correctClockSkew,
        "tokenBody" to tokenBody,
        "tokenBodyMode" to tokenBodyMode,
        "popClaims" to popClaims,
        "popHeader" to popHeader,
        "headers" to headers,
        "signHeaders" to signHeaders,
        "uriForm" to uriForm,
        "xAuthorizationPrefix" to xAuthorizationPrefix,
        "tokenStore" to tokenStore,
    )

    private companion object {
        /** The schema's defaults, which [toMap] leaves out. */
        val DEFAULTS = ClientOptions()

        /** The options whose values may hold a secret (the schema's `secret`), which [toString] hides. */
        val HIDDEN: Set<String> = setOf("headers", "tokenStore")
    }
}
// END GENERATED

/**
 * A [PopTokenValidator]'s options, typed; `PopTokenValidator(mapOf(...))` takes the same names
 * as a map.
 */
// BEGIN GENERATED validator options (bindings-kotlin/tests/options.rs)
data class ValidatorOptions @JvmOverloads constructor(
    /** clock leeway. Whole seconds, 0 to 300; default 10. */
    var leeway: Long = 10,
    /** maximum age of a token from its iat. Whole seconds, 1 to 3600; default 60. */
    var maxAge: Long = 60,
    /** names every token must sign, e.g. uri and http-method. Names; default []. */
    var required: List<String> = emptyList(),
    /** remember this many jti values and refuse repeats (null: off). Count, at least 1; default none. */
    var replayCache: Int? = null,
) {
    /** The options that differ from their defaults, under the schema's camel names: what reaches the core. */
    fun toMap(): Map<String, Any?> = changedFrom(DEFAULTS.all(), all())

    /** The options that differ from their defaults; values that may hold secrets show as `<hidden>`. */
    override fun toString(): String = described("ValidatorOptions", toMap(), HIDDEN)

    private fun all(): Map<String, Any?> = linkedMapOf(
        "leeway" to leeway,
        "maxAge" to maxAge,
        "required" to required,
        "replayCache" to replayCache,
    )

    private companion object {
        /** The schema's defaults, which [toMap] leaves out. */
        val DEFAULTS = ValidatorOptions()

        /** The options whose values may hold a secret (the schema's `secret`), which [toString] hides. */
        val HIDDEN: Set<String> = emptySet()
    }
}
// END GENERATED

/**
 * A [PopGate]'s (and so a Servlet `PopFilter`'s) options, typed; `PopGate(mapOf(...))` takes the
 * same names as a map. `replayStore` is `"memory"`, a capacity, a `redis://…` URL or `false`.
 */
// BEGIN GENERATED middleware options (bindings-kotlin/tests/options.rs)
data class MiddlewareOptions @JvmOverloads constructor(
    /** clock leeway. Whole seconds, 0 to 300; default 10. */
    var leeway: Long = 10,
    /** maximum age of a token from its iat. Whole seconds, 1 to 3600; default 60. */
    var maxAge: Long = 60,
    /** names every token must sign, e.g. uri and http-method. Names; default ["uri","http-method"]. */
    var required: List<String> = listOf("uri", "http-method"),
    /** largest request body read and hashed (413 beyond). Bytes, at least 0; default 1048576. */
    var maxBody: Long = 1048576,
    /** the request header naming the client whose key checks the token. Text; default "x-client-id". */
    var clientIdHeader: String = "x-client-id",
    /** where accepted jti values are kept: memory, a capacity, a shared redis://… URL, or false (off). Replay store, at least 1; default "memory". */
    var replayStore: Any = "memory",
) {
    /** The options that differ from their defaults, under the schema's camel names: what reaches the core. */
    fun toMap(): Map<String, Any?> = changedFrom(DEFAULTS.all(), all())

    /** The options that differ from their defaults; values that may hold secrets show as `<hidden>`. */
    override fun toString(): String = described("MiddlewareOptions", toMap(), HIDDEN)

    private fun all(): Map<String, Any?> = linkedMapOf(
        "leeway" to leeway,
        "maxAge" to maxAge,
        "required" to required,
        "maxBody" to maxBody,
        "clientIdHeader" to clientIdHeader,
        "replayStore" to replayStore,
    )

    private companion object {
        /** The schema's defaults, which [toMap] leaves out. */
        val DEFAULTS = MiddlewareOptions()

        /** The options whose values may hold a secret (the schema's `secret`), which [toString] hides. */
        val HIDDEN: Set<String> = setOf("replayStore")
    }
}
// END GENERATED

/** The members of [given] whose value differs from [defaults]: what a typed options object hands to the core. */
internal fun changedFrom(defaults: Map<String, Any?>, given: Map<String, Any?>): Map<String, Any?> =
    given.filter { (name, value) -> value != defaults[name] }

/** `Type(name=value, …)` of [options], with the values of the [hidden] names as `<hidden>`. */
internal fun described(type: String, options: Map<String, Any?>, hidden: Set<String>): String =
    options.entries.joinToString(", ", "$type(", ")") { (name, value) ->
        if (name in hidden) "$name=<hidden>" else "$name=$value"
    }
