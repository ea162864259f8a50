//! `taap pop`: print a PoP token.

use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;

use taap::{token::BuildOptions, token::Ehts, PopToken};

use crate::ehts_args::{BodySource, EhtsArgs, EhtsInput, RequestArgs};
use crate::output::config;

/// Flags of `taap pop`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Private key file (PKCS#8, PKCS#1, encrypted PKCS#8 or traditional PEM; or DER), a key
    /// in a PKCS#11 token (pkcs11:token=…;object=…?module-path=…&pin-source=…) or in AWS KMS
    /// (aws-kms:ARN, aws-kms:alias/NAME or aws-kms:KEY-ID).
    #[arg(long, value_name = "FILE|URI")]
    key: PathBuf,
    /// Environment variable holding the key's password (or the PKCS#11 PIN).
    #[arg(long, value_name = "VAR")]
    password_env: Option<String>,
    #[command(flatten)]
    ehts: EhtsArgs,
    /// Validity in seconds (1 to 3600).
    #[arg(long, value_name = "SECS", default_value_t = taap::token::DEFAULT_TTL_SECS)]
    ttl: i64,
    /// Fixed issued-at (epoch seconds) instead of the clock; for reproducible tokens.
    #[arg(long, value_name = "SECS")]
    iat: Option<i64>,
    /// Fixed jti instead of a random UUID; for reproducible tokens only.
    #[arg(long, value_name = "ID")]
    jti: Option<String>,
}

/// Builds the token and prints it on stdout.
pub fn run(args: Args) -> taap::Result<()> {
    let key = super::load_signer(&args.key, args.password_env.as_deref())?;
    let options = BuildOptions { ttl_secs: args.ttl, iat: args.iat, jti: args.jti.clone() };
    let ehts = match args.ehts.input()? {
        EhtsInput::Entries(entries) => {
            Ehts::from_pairs(entries.iter().map(|(name, value)| (name.as_str(), value.as_bytes())))?
        }
        EhtsInput::Request(request) => request_ehts(&request)?,
    };
    println!("{}", PopToken::sign(&key, &ehts, &options)?);
    Ok(())
}

fn request_ehts(request: &RequestArgs) -> taap::Result<Ehts> {
    let headers = request.headers.iter().map(|(name, value)| (name.as_str(), value.as_bytes()));
    let mut ehts = Ehts::for_request(&request.method, &request.target, headers)?;
    match &request.body {
        BodySource::Inline(body) => ehts.push(taap::request::BODY, body.as_bytes())?,
        BodySource::File(path) => {
            let file = File::open(path)
                .map_err(|error| config(format!("cannot read {}: {error}", path.display())))?;
            ehts.push_reader(taap::request::BODY, BufReader::new(file))?
        }
    };
    Ok(ehts)
}
