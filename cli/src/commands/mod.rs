//! One module per subcommand.

pub mod call;
pub mod completions;
pub mod decode;
pub mod demo;
pub mod doctor;
pub mod keygen;
pub mod pop;
pub mod profile;
pub mod serve;
pub mod token;
pub mod verify;

use std::path::Path;

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

/// Loads the private key file, decrypting it with the password if one was named.
pub fn load_private_key(path: &Path, password_env: Option<&str>) -> taap::Result<taap::PrivateKey> {
    let password = password_from_env(password_env)?;
    taap::PrivateKey::from_file(path, password.as_ref().map(|p| p.as_bytes()))
}
