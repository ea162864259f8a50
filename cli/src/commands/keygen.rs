//! `taap keygen`: what the docs' `index_create_key_pair.js` does, with safe file modes.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::output::config;

/// Flags of `taap keygen`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Key size in bits: 2048, 3072, 4096 or 8192.
    #[arg(long, default_value_t = 2048)]
    bits: u32,
    /// Directory to write private-key.pem and public-key.pem into.
    #[arg(long, default_value = ".")]
    out_dir: PathBuf,
    /// Overwrite existing key files.
    #[arg(long)]
    force: bool,
    /// Make the key inside this PKCS#11 token instead (a `pkcs11:` URI whose `object=` names
    /// the new key), never extractable, and print its public key.
    #[arg(long, value_name = "URI", conflicts_with_all = ["out_dir", "force"])]
    pkcs11: Option<String>,
    /// Environment variable holding the token's PIN (when the URI gives none).
    #[arg(long, value_name = "VAR", requires = "pkcs11")]
    pin_env: Option<String>,
}

/// Generates the pair and writes both files.
pub fn run(args: Args) -> taap::Result<()> {
    if let Some(uri) = &args.pkcs11 {
        return in_token(uri, args.pin_env.as_deref(), args.bits);
    }
    let key = taap::PrivateKey::generate(args.bits)?;
    std::fs::create_dir_all(&args.out_dir)
        .map_err(|error| config(format!("cannot create {}: {error}", args.out_dir.display())))?;
    let private_path = args.out_dir.join("private-key.pem");
    let public_path = args.out_dir.join("public-key.pem");
    write_file(&private_path, key.to_pem().as_bytes(), 0o600, args.force)?;
    write_file(&public_path, key.public_key().to_pem().as_bytes(), 0o644, args.force)?;
    println!("wrote {} ({}-bit RSA, PKCS#8)", private_path.display(), key.bits());
    println!("wrote {} (register this public key with T-Mobile)", public_path.display());
    Ok(())
}

/// The pair made inside a token: only the public key comes out, on stdout, for DevEdge.
fn in_token(uri: &str, pin_env: Option<&str>, bits: u32) -> taap::Result<()> {
    use taap::keys::Signer;
    let pin = super::password_from_env(pin_env)?;
    let signer = taap::keys::Pkcs11Signer::generate(uri, pin.as_ref().map(|pin| pin.as_bytes()), bits)?;
    print!("{}", signer.public_key().to_pem());
    eprintln!(
        "made a {}-bit RSA key in {}; it cannot leave the token. Register the public key above with T-Mobile.",
        signer.public_key().bits(),
        signer.label()
    );
    Ok(())
}

fn write_file(path: &Path, contents: &[u8], mode: u32, force: bool) -> taap::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true);
    if force {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
    let mut file = options.open(path).map_err(|error| {
        let hint = if error.kind() == std::io::ErrorKind::AlreadyExists {
            " (pass --force to overwrite)"
        } else {
            ""
        };
        config(format!("cannot write {}: {error}{hint}", path.display()))
    })?;
    #[cfg(unix)]
    if force {
        // An existing file keeps its old mode on truncate; a private key must not stay readable.
        use std::os::unix::fs::PermissionsExt;
        let _ = file.set_permissions(std::fs::Permissions::from_mode(mode));
    }
    file.write_all(contents).map_err(|error| config(format!("cannot write {}: {error}", path.display())))
}
