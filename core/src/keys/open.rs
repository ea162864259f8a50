//! One way to name a key, shared by the CLI's `--key`, profiles' `key = …` and the bindings'
//! `Signer.from_uri`: a `pkcs11:` URI, an `aws-kms:` key, or else a PEM/DER file.

use std::ffi::OsStr;
use std::path::Path;
use std::sync::Arc;

use super::{PrivateKey, Signer};
use crate::error::{Error, Result};

/// The URI schemes that name a key outside this process, rather than a file.
pub const SIGNER_URI_SCHEMES: [&str; 2] = ["pkcs11:", "aws-kms:"];

/// The scheme `spec` starts with, when it names a key by URI rather than by file.
pub fn signer_uri_scheme(spec: &OsStr) -> Option<&'static str> {
    let text = spec.to_str()?;
    SIGNER_URI_SCHEMES
        .into_iter()
        .find(|scheme| text.get(..scheme.len()).is_some_and(|start| start.eq_ignore_ascii_case(scheme)))
}

/// Opens the key `spec` names: a `pkcs11:` URI (feature `pkcs11`), an `aws-kms:` key
/// (feature `aws-kms`), or a PEM/DER private key file. `password` decrypts an encrypted key
/// file, or is the PIN of a `pkcs11:` URI that gives none itself.
pub fn open_signer(spec: impl AsRef<OsStr>, password: Option<&[u8]>) -> Result<Arc<dyn Signer>> {
    let spec = spec.as_ref();
    match signer_uri_scheme(spec) {
        Some(scheme) => open_uri(scheme, spec.to_str().unwrap_or_default(), password),
        None => Ok(Arc::new(PrivateKey::from_file(Path::new(spec), password)?)),
    }
}

#[cfg_attr(not(all(feature = "pkcs11", feature = "aws-kms")), allow(unused_variables))]
fn open_uri(scheme: &str, uri: &str, password: Option<&[u8]>) -> Result<Arc<dyn Signer>> {
    match scheme {
        #[cfg(feature = "pkcs11")]
        "pkcs11:" => Ok(Arc::new(super::pkcs11::Pkcs11Signer::open(uri, password)?)),
        #[cfg(feature = "aws-kms")]
        "aws-kms:" => Ok(Arc::new(super::kms::KmsSigner::open(uri)?)),
        _ => Err(Error::Config(format!(
            "this build of taap cannot open {scheme} keys; build it with the `{}` feature \
             (the taap command has it)",
            feature_of(scheme)
        ))),
    }
}

fn feature_of(scheme: &str) -> &'static str {
    match scheme {
        "pkcs11:" => "pkcs11",
        _ => "aws-kms",
    }
}

/// `spec` as it may be shown (`--dry-run`, a profile's listing): a `pin-value` in a
/// `pkcs11:` URI is replaced by `***`; file paths are shown as they are.
pub fn shown_key_spec(spec: &OsStr) -> String {
    let text = spec.to_string_lossy();
    if signer_uri_scheme(spec) != Some("pkcs11:") {
        return text.into_owned();
    }
    let mut shown = String::with_capacity(text.len());
    let mut rest: &str = &text;
    while let Some(at) = find_ignore_case(rest, "pin-value=") {
        let value_start = at + "pin-value=".len();
        shown.push_str(&rest[..value_start]);
        shown.push_str("***");
        let value_end = rest[value_start..].find(['&', ';']).map_or(rest.len(), |end| value_start + end);
        rest = &rest[value_end..];
    }
    shown.push_str(rest);
    shown
}

fn find_ignore_case(haystack: &str, needle: &str) -> Option<usize> {
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|window| window.eq_ignore_ascii_case(needle.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_told_from_paths() {
        assert_eq!(signer_uri_scheme(OsStr::new("pkcs11:token=a;object=b")), Some("pkcs11:"));
        assert_eq!(signer_uri_scheme(OsStr::new("PKCS11:token=a")), Some("pkcs11:"));
        assert_eq!(signer_uri_scheme(OsStr::new("aws-kms:alias/taap")), Some("aws-kms:"));
        assert_eq!(signer_uri_scheme(OsStr::new("keys/private-key.pem")), None);
        assert_eq!(signer_uri_scheme(OsStr::new("./pkcs11:token=a")), None);
    }

    #[test]
    fn a_pin_value_is_never_shown() {
        let shown = shown_key_spec(OsStr::new("pkcs11:token=t;object=k?pin-value=1234&module-path=/m.so"));
        assert_eq!(shown, "pkcs11:token=t;object=k?pin-value=***&module-path=/m.so");
        let shown = shown_key_spec(OsStr::new("pkcs11:token=t?module-path=/m.so&PIN-VALUE=9%2F9"));
        assert_eq!(shown, "pkcs11:token=t?module-path=/m.so&PIN-VALUE=***");
        assert_eq!(shown_key_spec(OsStr::new("pin-value=1.pem")), "pin-value=1.pem");
    }
}
