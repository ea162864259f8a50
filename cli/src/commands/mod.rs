//! One module per subcommand.

pub mod call;
pub mod completions;
pub mod decode;
pub mod demo;
pub mod doctor;
pub mod keygen;
pub mod pop;
pub mod profile;
pub mod proxy;
pub mod serve;
pub mod token;
pub mod verify;

use std::path::Path;
use std::sync::Arc;

use taap::keys::Signer;

use crate::output::config;

/// Reads a password from the environment variable the user named (never from argv, which
/// other users can see in `ps`).
pub fn password_from_env(variable: Option<&str>) -> taap::Result<Option<zeroize::Zeroizing<String>>> {
    let Some(variable) = variable else { return Ok(None) };
    match std::env::var(variable) {
        Ok(value) => Ok(Some(zeroize::Zeroizing::new(value))),
        Err(_) => Err(config(format!("environment variable {variable} is not set (or not UTF-8)"))),
    }
}

/// Opens what `--key` names: a key file, or a `pkcs11:` URI (the password is then the PIN when
/// the URI gives none).
pub fn load_signer(spec: &Path, password_env: Option<&str>) -> taap::Result<Arc<dyn Signer>> {
    let password = password_from_env(password_env)?;
    taap::keys::open_signer(spec, password.as_ref().map(|p| p.as_bytes()))
}

/// The line `--dry-run` starts with: which kind of signer signs, and which key (never a PIN).
pub fn signer_line(signer: &dyn Signer) -> String {
    format!("# signer: {} {}\n", signer.kind(), signer.label())
}
