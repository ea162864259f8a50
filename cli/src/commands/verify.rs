//! `taap verify`: the gateway's check, from the command line.

use std::path::PathBuf;

use taap::{validate::ValidatorOptions, PopTokenValidator, PublicKey};

use crate::ehts_args::{BodySource, EhtsArgs, EhtsInput, RequestArgs};
use crate::output::config;

/// Flags of `taap verify`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The token, or '-' to read it from stdin.
    token: String,
    /// The client's public key: SPKI or PKCS#1 PEM, DER, or a JWK file.
    #[arg(long, value_name = "FILE")]
    public_key: PathBuf,
    #[command(flatten)]
    ehts: EhtsArgs,
    /// Validate as of this time (epoch seconds) instead of now.
    #[arg(long, value_name = "SECS")]
    now: Option<i64>,
    /// Clock-skew tolerance in seconds.
    #[arg(long, value_name = "SECS", default_value_t = taap::validate::DEFAULT_LEEWAY_SECS)]
    leeway: i64,
    /// Oldest accepted token, in seconds from its iat.
    #[arg(long, value_name = "SECS", default_value_t = taap::validate::DEFAULT_MAX_AGE_SECS)]
    max_age: i64,
    /// A name the token must sign (e.g. uri). Repeatable.
    #[arg(long = "require", value_name = "NAME")]
    required: Vec<String>,
}

/// Prints `valid` and succeeds, or fails with the error kind and reason.
pub fn run(args: Args) -> taap::Result<()> {
    let token = super::decode::read_token(&args.token)?;
    let key = PublicKey::from_file(&args.public_key)?;
    let validator = PopTokenValidator::new(ValidatorOptions {
        leeway_secs: args.leeway,
        max_age_secs: args.max_age,
        required: args.required.clone(),
        replay_cache: None,
    })?;
    let values = values(args.ehts.input()?)?;
    let now = args.now.unwrap_or_else(taap::now_unix);
    validator.validate_at(&token, &key, values.as_slice(), now)?;
    println!("valid");
    Ok(())
}

fn values(input: EhtsInput) -> taap::Result<Vec<(String, Vec<u8>)>> {
    match input {
        EhtsInput::Entries(entries) => {
            Ok(entries.into_iter().map(|(name, value)| (name, value.as_bytes().to_vec())).collect())
        }
        EhtsInput::Request(request) => request_values(request),
    }
}

fn request_values(request: RequestArgs) -> taap::Result<Vec<(String, Vec<u8>)>> {
    let mut values: Vec<(String, Vec<u8>)> =
        request.headers.into_iter().map(|(name, value)| (name, value.as_bytes().to_vec())).collect();
    values.push((taap::request::URI.into(), taap::request::request_uri(&request.target)?));
    values.push((
        taap::request::HTTP_METHOD.into(),
        taap::request::request_method(&request.method)?.into_bytes(),
    ));
    let body = match request.body {
        BodySource::Inline(body) => body.as_bytes().to_vec(),
        BodySource::File(path) => std::fs::read(&path)
            .map_err(|error| config(format!("cannot read {}: {error}", path.display())))?,
    };
    values.push((taap::request::BODY.into(), body));
    Ok(values)
}
