package dev.taap

import dev.taap.ffi.FfiPrivateKey
import dev.taap.ffi.FfiPublicKey
import dev.taap.ffi.FfiSigner

/**
 * An RSA private key, parsed once and shared freely between threads: the in-memory [Signer].
 * Its native memory is freed when it is garbage-collected, or at once by [close].
 */
class PrivateKey private constructor(internal val ffi: FfiPrivateKey) : Signer() {
    /** The same key as the core's signer, made on first use. */
    private val asSigner = lazy { FfiSigner.fromPrivateKey(ffi) }

    override val ffiSigner: FfiSigner
        get() = asSigner.value

    /** Always [SignerKind.IN_MEMORY]. */
    override val kind: SignerKind
        get() = SignerKind.IN_MEMORY

    /** Loading and generating keys. */
    companion object {
        /** Loads PKCS#8, encrypted PKCS#8 (with [password]) or PKCS#1 PEM. */
        @JvmStatic
        @JvmOverloads
        @Throws(TaapException::class)
        fun fromPem(pem: String, password: String? = null): PrivateKey = PrivateKey(native { FfiPrivateKey.fromPem(pem, password) })

        /** Loads PKCS#8, encrypted PKCS#8 (with [password]) or PKCS#1 DER. */
        @JvmStatic
        @JvmOverloads
        @Throws(TaapException::class)
        fun fromDer(der: ByteArray, password: String? = null): PrivateKey = PrivateKey(native { FfiPrivateKey.fromDer(der, password) })

        /** Loads a PEM or DER key file. */
        @JvmStatic
        @JvmOverloads
        @Throws(TaapException::class)
        fun fromFile(path: String, password: String? = null): PrivateKey = PrivateKey(native { FfiPrivateKey.fromFile(path, password) })

        /** Generates a new key pair of [bits] (2048, 3072, 4096 or 8192). */
        @JvmStatic
        @JvmOverloads
        @Throws(TaapException::class)
        fun generate(bits: Int = 2048): PrivateKey = PrivateKey(native { FfiPrivateKey.generate(unsigned(bits)) })
    }

    /** The modulus size in bits. */
    override val bits: Int
        get() = ffi.bits().toInt()

    /** The matching public key. */
    override fun publicKey(): PublicKey = PublicKey(ffi.publicKey())

    /** Unencrypted PKCS#8 PEM: the secret itself, for the caller to store safely. */
    fun toPem(): String = ffi.toPem()

    /** Names the key by its public thumbprint; never shows key material. */
    override fun toString(): String = "PrivateKey(bits=$bits, thumbprint=${publicKey().thumbprint()})"

    /** Frees the native key now instead of at garbage collection. */
    override fun close() {
        if (asSigner.isInitialized()) asSigner.value.close()
        ffi.close()
    }
}

/** Negative sizes must reach the core as out of range, not wrap around to a valid size. */
private fun unsigned(bits: Int): UInt = if (bits < 0) UInt.MAX_VALUE else bits.toUInt()

/** An RSA public key: SPKI or PKCS#1 PEM, DER, or JWK; the [Keys] of one key. */
class PublicKey internal constructor(internal val ffi: FfiPublicKey) : Keys {
    /** Loading public keys. */
    companion object {
        /** Loads SPKI or PKCS#1 PEM. */
        @JvmStatic
        @Throws(TaapException::class)
        fun fromPem(pem: String): PublicKey = PublicKey(native { FfiPublicKey.fromPem(pem) })

        /** Loads SPKI or PKCS#1 DER. */
        @JvmStatic
        @Throws(TaapException::class)
        fun fromDer(der: ByteArray): PublicKey = PublicKey(native { FfiPublicKey.fromDer(der) })

        /** Loads an RSA JWK, or a JWK set holding one RSA key. */
        @JvmStatic
        @Throws(TaapException::class)
        fun fromJwk(jwk: String): PublicKey = PublicKey(native { FfiPublicKey.fromJwk(jwk) })

        /** Loads a PEM, DER or JWK file. */
        @JvmStatic
        @Throws(TaapException::class)
        fun fromFile(path: String): PublicKey = PublicKey(native { FfiPublicKey.fromFile(path) })
    }

    /** The modulus size in bits. */
    val bits: Int
        get() = ffi.bits().toInt()

    /** SPKI PEM (`-----BEGIN PUBLIC KEY-----`). */
    fun toPem(): String = ffi.toPem()

    /** The key as a JWK (JSON text). */
    fun toJwk(): String = ffi.toJwk()

    /** The RFC 7638 thumbprint, a non-secret key id. */
    fun thumbprint(): String = ffi.thumbprint()

    /** Equal when both hold the same modulus and exponent. */
    override fun equals(other: Any?): Boolean = other is PublicKey && ffi.sameKey(other.ffi)

    /** Consistent with [equals]. */
    override fun hashCode(): Int = thumbprint().hashCode()

    /** Size and thumbprint. */
    override fun toString(): String = "PublicKey(bits=$bits, thumbprint=${thumbprint()})"

    /** Frees the native key now instead of at garbage collection. */
    override fun close() = ffi.close()
}
