package dev.taap

import dev.taap.ffi.FfiExplanation
import dev.taap.ffi.FfiSignatureCheck

/**
 * Why a gateway would accept or refuse a PoP token for a request as sent, as [Taap.explain]
 * returns it: the fields of `taap doctor --json`, with secrets in the values masked as `****`.
 */
data class Explanation(
    /** Whether every check that could be made passed (the signature only with a key). */
    val valid: Boolean,
    /** The token's JOSE header. */
    val header: TokenHeader,
    /** The claims as the token states them. */
    val claims: Claims,
    /** The token's times against the clock, by the default validator's leeway and maximum age. */
    val time: TimeCheck,
    /** Each signed name with the value the request gives it, in ehts order. */
    val entries: List<ExplainedEntry>,
    /** The `edts` the token claims and the one the request's values give. */
    val edts: EdtsCheck,
    /** Whether the public key verifies the signature ([SignatureCheck.NOT_CHECKED] without one). */
    val signature: SignatureCheck,
    /** The known signer variant that reproduces the claimed `edts`, when the docs' rules do not. */
    val variant: VariantMatch?,
    /** One sentence per failed check, in check order; empty when [valid]. */
    val problems: List<String>,
) {
    internal companion object {
        fun of(ffi: FfiExplanation) = Explanation(
            ffi.valid,
            TokenHeader(ffi.alg, ffi.typ),
            ffi.claims.let { Claims(it.edts, it.v, it.exp, it.ehts, it.iat, it.jti) },
            ffi.time.let { TimeCheck(it.now, it.expiresIn, it.age, it.ok, it.clockOffset) },
            ffi.entries.map { ExplainedEntry(it.name, it.value, it.bytes?.toLong()) },
            ffi.edts.let { EdtsCheck(it.claimed, it.computed, it.matches) },
            SignatureCheck.of(ffi.signature),
            ffi.variant?.let { VariantMatch(it.id, it.description) },
            ffi.problems,
        )
    }
}

/** A token's lifetime judged at [now]: what a gateway with the default leeway and maximum age decides. */
data class TimeCheck(
    /** The moment judged, epoch seconds. */
    val now: Long,
    /** Seconds until `exp`; negative once expired. */
    val expiresIn: Long,
    /** Seconds since `iat`. */
    val age: Long,
    /** Whether the token's times are acceptable at [now]. */
    val ok: Boolean,
    /** Seconds to add to [now] for the times to be acceptable; null when they are. */
    val clockOffset: Long?,
)

/** One signed name and the request's value for it, so a mismatch can be found by eye. */
data class ExplainedEntry(
    /** The ehts name. */
    val name: String,
    /** The value as hashed, secrets masked as `****` and long values shortened; null when the request lacks it. */
    val value: String?,
    /** The value's full length in bytes; null when the request lacks it. */
    val bytes: Long?,
)

/** The `edts` comparison, the check a gateway's `EdtsMismatch` comes from. */
data class EdtsCheck(
    /** The token's `edts` claim. */
    val claimed: String,
    /** The `edts` of the request's values; null when one is missing. */
    val computed: String?,
    /** Whether [claimed] equals [computed]. */
    val matches: Boolean,
)

/** The outcome of the signature check, which needs the signer's public key. */
enum class SignatureCheck {
    /** The public key verifies the signature. */
    VALID,

    /** The public key does not verify it: another key signed the token. */
    INVALID,

    /** No public key was given. */
    NOT_CHECKED,
    ;

    internal companion object {
        fun of(ffi: FfiSignatureCheck) = when (ffi) {
            FfiSignatureCheck.VALID -> VALID
            FfiSignatureCheck.INVALID -> INVALID
            FfiSignatureCheck.NOT_CHECKED -> NOT_CHECKED
        }
    }
}

/** How the token's signer hashed the request differently from the docs, found by trying each known way. */
data class VariantMatch(
    /** The stable id: `uri-encoded`, `uri-decoded`, `query-dropped`, `trailing-slash`, `method-case`, `body-trailing-newline`, `header-whitespace` or `header-order`. */
    val id: String,
    /** What the signer did, in one sentence. */
    val description: String,
)
