//! Password-protected private keys: PKCS#8 PBES2 and legacy PBES1, and OpenSSL's
//! traditional `Proc-Type: 4,ENCRYPTED` PEM.
//!
//! RustCrypto's `pkcs5` decrypts PBES2 but refuses PBES1, which is what OpenSSL 1.0's
//! `openssl pkcs8 -topk8` wrote by default and what T-Mobile's own test keys use, so PBES1
//! and the traditional PEM key derivation are composed here from RustCrypto primitives.

use cbc::cipher::{block_padding::Pkcs7, BlockCipherDecrypt, BlockModeDecrypt, KeyInit, KeyIvInit};
use md5::{Digest, Md5};
use pkcs8::der::Decode;
use pkcs8::pkcs5::{self, pbes1, pbes2, EncryptionScheme};
use pkcs8::EncryptedPrivateKeyInfoRef;
use zeroize::Zeroizing;

use crate::error::{shorten, Error, Result};

/// PBKDF2 iteration counts above this are refused: a hostile key file must not pin a CPU.
const MAX_PBKDF2_ITERATIONS: u32 = 5_000_000;
/// scrypt memory (128 · N · r bytes) above this is refused for the same reason.
const MAX_SCRYPT_MEMORY: u64 = 256 * 1024 * 1024;

pub(crate) fn wrong_password() -> Error {
    Error::KeyDecrypt("the password is wrong or the encrypted key is corrupt".into())
}

/// Decrypts a DER `EncryptedPrivateKeyInfo`, returning the inner PKCS#8 `PrivateKeyInfo` DER.
pub(crate) fn decrypt_pkcs8(der: &[u8], password: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    let info = EncryptedPrivateKeyInfoRef::from_der(der).map_err(|_| {
        Error::InvalidKey("not a valid encrypted PKCS#8 (EncryptedPrivateKeyInfo) structure".into())
    })?;
    let ciphertext = info.encrypted_data.as_bytes();
    match &info.encryption_algorithm {
        EncryptionScheme::Pbes2(params) => decrypt_pbes2(params, password, ciphertext),
        EncryptionScheme::Pbes1(algorithm) => decrypt_pbes1(algorithm, password, ciphertext),
        _ => Err(Error::InvalidKey("unsupported key encryption scheme".into())),
    }
}

fn decrypt_pbes2(
    params: &pbes2::Parameters,
    password: &[u8],
    ciphertext: &[u8],
) -> Result<Zeroizing<Vec<u8>>> {
    check_kdf_cost(&params.kdf)?;
    let mut buffer = Zeroizing::new(ciphertext.to_vec());
    let plain_len = match params.decrypt_in_place(password, &mut buffer) {
        Ok(plain) => plain.len(),
        Err(pkcs5::Error::DecryptFailed) => return Err(wrong_password()),
        Err(other) => {
            return Err(Error::InvalidKey(format!(
                "unsupported key encryption ({other}); re-encrypt it with \
                 `openssl pkcs8 -topk8 -v2 aes-256-cbc`"
            )))
        }
    };
    buffer.truncate(plain_len);
    Ok(buffer)
}

fn check_kdf_cost(kdf: &pbes2::Kdf) -> Result<()> {
    match kdf {
        pbes2::Kdf::Pbkdf2(pbkdf2) if pbkdf2.iteration_count > MAX_PBKDF2_ITERATIONS => {
            Err(Error::InvalidKey(format!(
                "the key's PBKDF2 iteration count {} is above the limit of {MAX_PBKDF2_ITERATIONS}",
                pbkdf2.iteration_count
            )))
        }
        pbes2::Kdf::Scrypt(scrypt) => {
            let memory = 128u64
                .saturating_mul(scrypt.cost_parameter)
                .saturating_mul(u64::from(scrypt.block_size))
                .saturating_mul(u64::from(scrypt.parallelization.max(1)));
            if memory > MAX_SCRYPT_MEMORY {
                return Err(Error::InvalidKey(
                    "the key's scrypt parameters need more than 256 MiB; refused".into(),
                ));
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// PBES1 (RFC 8018 §6.1): DK = Hash^c(P || S); key = DK[0..8], IV = DK[8..16]; DES-CBC.
fn decrypt_pbes1(
    algorithm: &pbes1::Algorithm,
    password: &[u8],
    ciphertext: &[u8],
) -> Result<Zeroizing<Vec<u8>>> {
    let salt = &algorithm.parameters.salt;
    let iterations = algorithm.parameters.iteration_count;
    let derived = match algorithm.encryption {
        pbes1::EncryptionScheme::PbeWithMd5AndDesCbc => pbes1_kdf::<Md5>(password, salt, iterations),
        pbes1::EncryptionScheme::PbeWithSha1AndDesCbc => pbes1_kdf::<sha1::Sha1>(password, salt, iterations),
        other => {
            return Err(Error::InvalidKey(format!(
                "unsupported legacy key encryption {}; re-encrypt the key with \
                 `openssl pkcs8 -topk8 -v2 aes-256-cbc`",
                other.oid()
            )))
        }
    };
    cbc_decrypt::<des::Des>(&derived[..8], &derived[8..16], ciphertext)
}

fn pbes1_kdf<D: Digest>(password: &[u8], salt: &[u8], iterations: u16) -> Zeroizing<Vec<u8>> {
    let mut hasher = D::new();
    hasher.update(password);
    hasher.update(salt);
    let mut derived = Zeroizing::new(hasher.finalize().to_vec());
    for _ in 1..iterations.max(1) {
        let next = D::digest(derived.as_slice());
        derived.copy_from_slice(&next);
    }
    derived
}

/// Decrypts OpenSSL's traditional encrypted PEM body (`DEK-Info: CIPHER,IV-HEX`), returning
/// the PKCS#1 `RSAPrivateKey` DER.
pub(crate) fn decrypt_traditional(
    dek_info: &str,
    password: &[u8],
    ciphertext: &[u8],
) -> Result<Zeroizing<Vec<u8>>> {
    let (cipher, iv_hex) = dek_info
        .split_once(',')
        .ok_or_else(|| Error::InvalidKey("malformed DEK-Info header in the PEM".into()))?;
    let iv = decode_hex(iv_hex.trim())
        .ok_or_else(|| Error::InvalidKey("malformed IV in the PEM's DEK-Info header".into()))?;
    if iv.len() < 8 {
        return Err(Error::InvalidKey("the PEM's DEK-Info IV is too short".into()));
    }
    let cipher = cipher.trim().to_ascii_uppercase();
    let key_len = match cipher.as_str() {
        "AES-128-CBC" => 16,
        "AES-192-CBC" => 24,
        "AES-256-CBC" => 32,
        "DES-EDE3-CBC" => 24,
        "DES-CBC" => 8,
        _ => {
            return Err(Error::InvalidKey(format!(
                "unsupported PEM encryption {}; convert the key with \
                 `openssl pkcs8 -topk8 -v2 aes-256-cbc`",
                shorten(&cipher, 32)
            )))
        }
    };
    let key = evp_bytes_to_key(password, &iv[..8], key_len);
    match cipher.as_str() {
        "AES-128-CBC" => cbc_decrypt::<aes::Aes128>(&key, &iv, ciphertext),
        "AES-192-CBC" => cbc_decrypt::<aes::Aes192>(&key, &iv, ciphertext),
        "AES-256-CBC" => cbc_decrypt::<aes::Aes256>(&key, &iv, ciphertext),
        "DES-EDE3-CBC" => cbc_decrypt::<des::TdesEde3>(&key, &iv, ciphertext),
        _ => cbc_decrypt::<des::Des>(&key, &iv, ciphertext),
    }
}

/// OpenSSL's `EVP_BytesToKey` with MD5 and one iteration, as the traditional PEM format uses.
fn evp_bytes_to_key(password: &[u8], salt: &[u8], key_len: usize) -> Zeroizing<Vec<u8>> {
    let mut key = Zeroizing::new(Vec::with_capacity(key_len + 16));
    let mut previous: Option<Zeroizing<Vec<u8>>> = None;
    while key.len() < key_len {
        let mut hasher = Md5::new();
        if let Some(block) = &previous {
            hasher.update(block.as_slice());
        }
        hasher.update(password);
        hasher.update(salt);
        let block = Zeroizing::new(hasher.finalize().to_vec());
        key.extend_from_slice(&block);
        previous = Some(block);
    }
    key.truncate(key_len);
    key
}

fn cbc_decrypt<C>(key: &[u8], iv: &[u8], ciphertext: &[u8]) -> Result<Zeroizing<Vec<u8>>>
where
    C: BlockCipherDecrypt + KeyInit,
    cbc::Decryptor<C>: KeyIvInit,
{
    let decryptor = cbc::Decryptor::<C>::new_from_slices(key, iv)
        .map_err(|_| Error::InvalidKey("the key's cipher parameters have the wrong length".into()))?;
    let mut buffer = Zeroizing::new(ciphertext.to_vec());
    let plain_len = decryptor.decrypt_padded::<Pkcs7>(&mut buffer).map_err(|_| wrong_password())?.len();
    buffer.truncate(plain_len);
    Ok(buffer)
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 || !text.is_ascii() {
        return None;
    }
    (0..text.len()).step_by(2).map(|at| u8::from_str_radix(&text[at..at + 2], 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evp_bytes_to_key_matches_openssl() {
        // `openssl enc -aes-256-cbc -pass pass:foobar -S 0102030405060708 -md md5 -P`
        let key = evp_bytes_to_key(b"foobar", &[1, 2, 3, 4, 5, 6, 7, 8], 32);
        assert_eq!(
            decode_hex("BBF524D03724203D962A37594DDA4BA7255920444711429648D874790B1A727F"),
            Some(key.to_vec())
        );
    }

    #[test]
    fn hex_decoding_rejects_garbage() {
        assert_eq!(decode_hex("0aFF"), Some(vec![0x0a, 0xff]));
        assert_eq!(decode_hex("0"), None);
        assert_eq!(decode_hex("zz"), None);
        assert_eq!(decode_hex("é0"), None);
    }

    #[test]
    fn unknown_traditional_cipher_is_invalid_key() {
        let error = decrypt_traditional("BF-CBC,0011223344556677", b"pw", &[0; 16]).unwrap_err();
        assert!(matches!(error, Error::InvalidKey(_)), "{error:?}");
    }
}
