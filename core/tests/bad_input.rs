//! The Rust column of the bad-input matrix (`tests/bad-input/`, `docs/security-testing.md`):
//! every case through the core API, each in a child process with a time limit; the column is
//! written to `<target dir>/bad-input/rust.jsonl`.

#[path = "../../tests/bad-input/matrix.rs"]
mod matrix;

use matrix::Case;
use taap::{
    request::ReceivedRequest, token::BuildOptions, validate::ValidatorOptions, PopToken, PopTokenValidator,
    PrivateKey, PublicKey,
};

const NOT_UTF8: &str = "n/a: Rust &str is always UTF-8";

#[test]
fn bad_input_matrix() {
    matrix::run_column("rust", "bad_input_case");
}

#[test]
#[ignore = "one matrix case in a child process; bad_input_matrix runs it"]
fn bad_input_case() {
    matrix::report_outcome(|case| match run(case) {
        Ok(()) => "ok".to_owned(),
        Err(Failure::Kind(error)) => error.kind().name().to_owned(),
        Err(Failure::Inexpressible(why)) => why.to_owned(),
    });
}

enum Failure {
    Kind(taap::Error),
    Inexpressible(&'static str),
}

impl From<taap::Error> for Failure {
    fn from(error: taap::Error) -> Self {
        Failure::Kind(error)
    }
}

fn text(bytes: Vec<u8>) -> Result<String, Failure> {
    String::from_utf8(bytes).map_err(|_| Failure::Inexpressible(NOT_UTF8))
}

fn text_pairs(pairs: Vec<(Vec<u8>, Vec<u8>)>) -> Result<Vec<(String, Vec<u8>)>, Failure> {
    pairs.into_iter().map(|(name, value)| Ok((text(name)?, value))).collect()
}

fn build_options(case: &Case) -> Result<BuildOptions, Failure> {
    Ok(BuildOptions {
        ttl_secs: case.integer("ttl").unwrap_or(taap::token::DEFAULT_TTL_SECS),
        iat: Some(case.integer("iat").unwrap_or_else(matrix::signed_iat)),
        jti: Some(match case.optional_bytes("jti") {
            Some(jti) => text(jti)?,
            None => "bad-input-jti".to_owned(),
        }),
    })
}

fn key_file(case: &Case) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("taap-bad-input-{}-{}", std::process::id(), case.id));
    std::fs::write(&path, case.bytes("key")).expect("a temporary key file");
    path
}

fn run(case: &Case) -> Result<(), Failure> {
    match case.op() {
        "decode" => {
            PopToken::decode(&text(case.bytes("token"))?)?;
        }
        "validate" => {
            let token = text(case.bytes("token"))?;
            let signer = PrivateKey::from_file(matrix::signing_key(), None)?;
            let values =
                if case.raw.get("values").is_some() { case.pairs("values") } else { matrix::signed_values() };
            let required = case.raw["options"]["required"]
                .as_array()
                .map(|names| names.iter().map(|name| name.as_str().unwrap().to_owned()).collect())
                .unwrap_or_default();
            let validator = PopTokenValidator::new(ValidatorOptions { required, ..Default::default() })?;
            validator.validate_at(
                &token,
                signer.public_key(),
                text_pairs(values)?.as_slice(),
                matrix::signed_iat() + 5,
            )?;
        }
        "validate_request" => validate_requests(case)?,
        "build" => {
            let key = PrivateKey::from_file(matrix::signing_key(), None)?;
            PopToken::build_with(&key, text_pairs(case.pairs("ehts"))?, &build_options(case)?)?;
        }
        "for_request" => {
            let key = PrivateKey::from_file(matrix::signing_key(), None)?;
            let method = text(case.bytes("method"))?;
            let url = text(case.bytes("url"))?;
            let body = case.optional_bytes("body").unwrap_or_default();
            let headers = text_pairs(case.pairs("headers"))?;
            PopToken::for_request_with(&key, &method, &url, headers, &body, &build_options(case)?)?;
        }
        "signer_uri" => {
            let spec = match case.raw["key_file"].as_str() {
                Some(file) => matrix::tests_dir().join(file).into_os_string(),
                None => text(case.bytes("spec"))?.into(),
            };
            let signer = taap::keys::open_signer(spec, None)?;
            PopToken::build(&signer, [("uri", "/")])?;
        }
        "signer_callback" => {
            let key = PrivateKey::from_file(matrix::signing_key(), None)?;
            let answer = case.optional_bytes("answer").unwrap_or_default();
            let throws = case.raw["throws"].as_str().map(str::to_owned);
            let signer = taap::keys::CallbackSigner::new(key.public_key().clone(), move |_| match &throws {
                Some(message) => Err(taap::Error::Transport(message.clone())),
                None => Ok(answer.clone()),
            });
            PopToken::build(&signer, [("uri", "/")])?;
        }
        "private_key" => {
            let path = key_file(case);
            let password = case.optional_bytes("password");
            let loaded = PrivateKey::from_file(&path, password.as_deref());
            std::fs::remove_file(&path).ok();
            loaded?;
        }
        "public_key" => {
            let path = key_file(case);
            let loaded = PublicKey::from_file(&path);
            std::fs::remove_file(&path).ok();
            loaded?;
        }
        other => panic!("unknown op {other}"),
    }
    Ok(())
}

/// The requests of a `validate_request` case through one validator; all but the last must pass.
fn validate_requests(case: &Case) -> Result<(), Failure> {
    let validator = PopTokenValidator::new(ValidatorOptions {
        required: vec![taap::request::URI.into(), taap::request::HTTP_METHOD.into()],
        replay_cache: Some(1000),
        ..Default::default()
    })?;
    let requests = case.raw["requests"].as_array().expect("validate_request has requests");
    for (index, request) in requests.iter().enumerate() {
        let outcome = validate_one(&validator, request);
        if index + 1 == requests.len() {
            return outcome;
        }
        if outcome.is_err() {
            panic!("{}: request {index} must pass", case.id);
        }
    }
    Ok(())
}

fn validate_one(validator: &PopTokenValidator, request: &serde_json::Value) -> Result<(), Failure> {
    let key = match request.get("key") {
        Some(file) => PublicKey::from_pem(matrix::bytes(file))?,
        None => PrivateKey::from_file(matrix::signing_key(), None)?.public_key().clone(),
    };
    let headers: Vec<(String, Vec<u8>)> = text_pairs(
        request["headers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|pair| (matrix::bytes(&pair[0]), matrix::bytes(&pair[1])))
            .collect(),
    )?;
    let body = request.get("body").map(matrix::bytes).unwrap_or_default();
    let method = text(matrix::bytes(&request["method"]))?;
    let target = text(matrix::bytes(&request["target"]))?;
    let received = ReceivedRequest::new(
        &method,
        &target,
        headers.iter().map(|(n, v)| (n.as_str(), v.as_slice())),
        &body,
    )?;
    validator.validate_request_at(&key, &received, matrix::signed_iat() + 5)?;
    Ok(())
}
