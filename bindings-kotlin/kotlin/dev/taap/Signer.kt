package dev.taap

import dev.taap.ffi.FfiCallbackException
import dev.taap.ffi.FfiDigestSigner
import dev.taap.ffi.FfiSigner

/**
 * Signs for a [Signer] made by [Signer.fromCallback]: given the 32-byte SHA-256 digest of the
 * JWS signing input, returns the RSASSA-PKCS1-v1_5 signature over it (with the SHA-256
 * DigestInfo, as RS256 needs), as many bytes as the modulus. A secure element, a remote
 * signing service, another cloud's KMS, or the JDK (`NONEwithRSA` over the DigestInfo).
 *
 * It may be called from several threads at once (one per token being built). An exception it
 * throws reaches the caller as [TaapException.Transport] naming the callback, with the exception
 * as its cause; an [Error] (`OutOfMemoryError`, an `AssertionError`) is rethrown as it is.
 */
fun interface DigestSigner {
    /** The signature over [digest] (32 bytes). */
    @Throws(Exception::class)
    fun signDigest(digest: ByteArray): ByteArray
}

/** What a [Signer] is; [id] is the core's stable name, as the CLI's `--dry-run` shows it. */
enum class SignerKind(
    /** `in-memory`, `callback`, `pkcs11`, `aws-kms` or `other`. */
    val id: String,
) {
    /** A [PrivateKey] in this process's memory. */
    IN_MEMORY("in-memory"),

    /** A [DigestSigner] given the SHA-256 digest ([Signer.fromCallback]). */
    CALLBACK("callback"),

    /** A key object in a PKCS#11 token: an HSM, SoftHSM2, a TPM through tpm2-pkcs11. */
    PKCS11("pkcs11"),

    /** An asymmetric RSA key in AWS KMS. */
    AWS_KMS("aws-kms"),

    /** Any other kind the core knows. */
    OTHER("other"),
    ;

    internal companion object {
        fun of(id: String): SignerKind = entries.firstOrNull { it.id == id } ?: OTHER
    }
}

/**
 * Something that makes RS256 signatures and knows its public key, taken wherever a key is
 * ([PopToken.build], [PopToken.forRequest], [SignPolicy.sign], [TaapClient], [TaapHttp]): a
 * [PrivateKey] is one; [fromUri] opens a key in a PKCS#11 token (never extracted), in AWS KMS or
 * in a file, and [fromCallback] asks a [DigestSigner]. A signature that did not come from an
 * in-memory key is checked against [publicKey] before a token carries it: a wrong one is
 * [TaapException.SignatureInvalid]. Thread-safe; its native memory is freed when it is
 * garbage-collected, or at once by [close].
 */
sealed class Signer : AutoCloseable {
    internal abstract val ffiSigner: FfiSigner

    /** What this signer is. */
    open val kind: SignerKind
        get() = SignerKind.of(ffiSigner.kind())

    /** A name for the key (a URI with any `pin-value` shown as `***`, a KMS key id, a thumbprint); never a secret. */
    open val label: String
        get() = ffiSigner.label()

    /** The modulus size in bits. */
    abstract val bits: Int

    /** The public key every signature verifies under. */
    abstract fun publicKey(): PublicKey

    /** Opening keys that sign outside this process's memory. */
    companion object {
        /**
         * Opens the key [uri] names: a `pkcs11:` URI (RFC 7512: `token=`, `object=` or `id=`,
         * `module-path=`, `pin-value=` or `pin-source=`), an `aws-kms:` key (ARN, `alias/NAME` or
         * id; credentials and region from the usual AWS environment), or else a PEM/DER private
         * key file. [password] decrypts an encrypted key file, or is the PIN of a `pkcs11:` URI
         * that gives none itself.
         */
        @JvmStatic
        @JvmOverloads
        @Throws(TaapException::class)
        fun fromUri(uri: String, password: String? = null): Signer = NativeSigner(native { FfiSigner.fromUri(uri, password) })

        /**
         * A signer whose signatures come from [signer], given each SHA-256 digest; [publicKey] is
         * the key they verify under, and [label] names it in messages (default: its thumbprint).
         */
        @JvmStatic
        @JvmOverloads
        fun fromCallback(publicKey: PublicKey, signer: DigestSigner, label: String? = null): Signer =
            NativeSigner(FfiSigner.fromCallback(publicKey.ffi, CallbackAdapter(signer), label))
    }
}

/** A signer the core opened or wraps: a token's key, a KMS key, a key file, a callback. */
private class NativeSigner(override val ffiSigner: FfiSigner) : Signer() {
    override val bits: Int
        get() = ffiSigner.bits().toInt()

    override fun publicKey(): PublicKey = PublicKey(ffiSigner.publicKey())

    /** Kind and label only: never a PIN or key material. */
    override fun toString(): String = "Signer(kind=${kind.id}, label=$label)"

    override fun close() = ffiSigner.close()
}

/** Calls the user's [DigestSigner] for the core; what it throws crosses as a class name only. */
private class CallbackAdapter(private val signer: DigestSigner) : FfiDigestSigner {
    override fun signDigest(digest: ByteArray): ByteArray {
        val signature: ByteArray? = try {
            signer.signDigest(digest)
        } catch (thrown: Throwable) {
            CallbackFailure.record(thrown)
            throw FfiCallbackException.Threw(thrown.javaClass.name)
        }
        // A Java implementation can return null despite the signature.
        @Suppress("SENSELESS_COMPARISON")
        if (signature == null) throw FfiCallbackException.ReturnedNull()
        return signature
    }
}

/**
 * What the last failing callback on this thread threw, so the [TaapException] it became carries
 * it as its cause (the core calls the callback on the thread that asked for the token).
 */
internal object CallbackFailure {
    private val last = ThreadLocal<Throwable?>()

    fun record(thrown: Throwable) = last.set(thrown)

    /** The exception [exception] was made for, if any: attached as its cause, or (an [Error]) to throw instead. */
    fun attach(exception: TaapException, detail: String): Throwable {
        val thrown = last.get() ?: return exception
        last.remove()
        if (exception !is TaapException.Transport || !detail.contains(" threw ${thrown.javaClass.name};")) return exception
        if (thrown !is Exception) return thrown
        exception.initCause(thrown)
        return exception
    }
}
