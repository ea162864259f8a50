//! An asymmetric RSA key in AWS KMS: `GetPublicKey` once, `Sign` for every token, over the
//! client's HTTP stack (ureq, rustls), each request signed with SigV4 by `aws-sigv4`.

mod credentials;

use std::fmt;
use std::time::SystemTime;

use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Value};
use url::Url;
use zeroize::Zeroizing;

use super::signer::{Signer, SignerKind};
use super::PublicKey;
use crate::client::config::{check_scheme, RetryPolicy, Timeouts};
use crate::client::http::{self, FailurePhase, Outgoing};
use crate::client::retry;
use crate::crypto::sha256;
use crate::error::{shorten, Error, Result};
use credentials::Credentials;

/// The signing algorithm of RS256 in KMS's words.
const RS256: &str = "RSASSA_PKCS1_V1_5_SHA_256";
/// Largest message `MessageType=RAW` takes; longer signing inputs are sent as their digest.
const MAX_RAW_MESSAGE: usize = 4096;
/// Largest KMS answer read (a public key or a signature is far smaller).
const MAX_ANSWER_BYTES: u64 = 64 * 1024;

/// An RSA key in AWS KMS, named `aws-kms:` plus its ARN, `alias/NAME` or key id.
///
/// The key never leaves KMS: taap asks `GetPublicKey` once and `Sign`
/// (`RSASSA_PKCS1_V1_5_SHA_256`, `MessageType=RAW`; the SHA-256 digest with `DIGEST` for a
/// signing input over 4096 bytes) for each token. Credentials come from
/// `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`/`AWS_SESSION_TOKEN` or the shared credentials
/// file's profile (`AWS_PROFILE`); the region from the ARN, `AWS_REGION`,
/// `AWS_DEFAULT_REGION` or the config file; the endpoint from `AWS_ENDPOINT_URL_KMS` or
/// `AWS_ENDPOINT_URL` when set. Throttling, 5xx answers and connection failures are retried as
/// the client retries ([`RetryPolicy::default`]); what still fails is [`Error::Transport`].
pub struct KmsSigner {
    kms: Kms,
    public: PublicKey,
}

/// Where and as whom KMS is asked, for one key.
struct Kms {
    key_id: String,
    region: String,
    endpoint: Url,
    credentials: Credentials,
    agent: ureq::Agent,
    retry: RetryPolicy,
    label: String,
}

impl KmsSigner {
    /// Opens `key` (`aws-kms:arn:aws:kms:…`, `aws-kms:alias/NAME`, `aws-kms:KEY-ID`; the
    /// `aws-kms:` prefix may be left out) and reads its public key.
    ///
    /// No credentials or region, a bad key name or endpoint: [`Error::Config`]; a key that is
    /// missing, disabled, not RSA or not for signing: [`Error::InvalidKey`].
    pub fn open(key: &str) -> Result<Self> {
        let key_id = key.strip_prefix("aws-kms:").unwrap_or(key).to_owned();
        if key_id.is_empty() || key_id.len() > 2048 || key_id.chars().any(char::is_control) {
            return Err(Error::Config(
                "name the KMS key as aws-kms:ARN, aws-kms:alias/NAME or aws-kms:KEY-ID".into(),
            ));
        }
        let region = match credentials::arn_region(&key_id)? {
            Some(region) => region,
            None => credentials::region().ok_or_else(|| {
                Error::Config("no AWS region: set AWS_REGION, or name the key by its ARN".into())
            })?,
        };
        let endpoint = endpoint(&region)?;
        let label = format!("aws-kms:{} ({region})", shorten(&key_id, 200));
        let kms = Kms {
            key_id,
            region,
            endpoint,
            credentials: Credentials::find()?,
            agent: http::agent(&Timeouts::default()),
            retry: RetryPolicy::default(),
            label,
        };
        let public = kms.read_public_key()?;
        Ok(KmsSigner { kms, public })
    }
}

impl Kms {
    fn read_public_key(&self) -> Result<PublicKey> {
        let answer = self.call("GetPublicKey", &json!({ "KeyId": self.key_id }))?;
        let text = |name: &str| answer.get(name).and_then(Value::as_str).unwrap_or("");
        let named = format!("the KMS key {}", self.label);
        if text("KeyUsage") != "SIGN_VERIFY" {
            return Err(Error::InvalidKey(format!(
                "{named} is for {}, not SIGN_VERIFY",
                shorten(text("KeyUsage"), 40)
            )));
        }
        // `CustomerMasterKeySpec` is the field's older name, which AWS still sends beside it.
        let spec =
            Some(text("KeySpec")).filter(|spec| !spec.is_empty()).unwrap_or(text("CustomerMasterKeySpec"));
        let algorithms = answer.get("SigningAlgorithms").and_then(Value::as_array);
        if !spec.starts_with("RSA_") || !algorithms.is_some_and(|all| all.iter().any(|a| a == RS256)) {
            return Err(Error::InvalidKey(format!(
                "{named} is {}; RS256 needs an RSA key that signs with {RS256}",
                shorten(spec, 40)
            )));
        }
        let der = STANDARD
            .decode(text("PublicKey"))
            .map_err(|_| Error::InvalidKey(format!("{named}: GetPublicKey answered without a public key")))?;
        PublicKey::from_der(&der)
    }

    /// One KMS action, retried as the client retries; the JSON answer of a 2xx.
    fn call(&self, action: &str, body: &Value) -> Result<Value> {
        let body = Zeroizing::new(serde_json::to_vec(body).expect("a JSON value always serialises"));
        let mut retries = 0;
        loop {
            let headers = self.signed_headers(action, &body)?;
            let outgoing = Outgoing { method: "POST", url: &self.endpoint, headers: &headers, body: &body };
            // KMS actions change nothing: repeating one after a lost answer is harmless.
            let (wait, outcome) = match http::exchange(&self.agent, &outgoing, MAX_ANSWER_BYTES) {
                Ok(response) if response.is_success() => {
                    return serde_json::from_slice(&response.body)
                        .map_err(|_| Error::Transport(format!("AWS KMS {action}: the answer is not JSON")))
                }
                Ok(response) => {
                    let error = self.refusal(action, response.status, &response.body);
                    let retryable = response.status >= 500 || matches!(error, Error::Transport(_));
                    (retryable.then(|| retry::delay(&self.retry, retries, Some(&response))).flatten(), error)
                }
                Err(failure) => {
                    let retryable = failure.phase != FailurePhase::Permanent;
                    (retryable.then(|| retry::delay(&self.retry, retries, None)).flatten(), failure.error)
                }
            };
            match wait {
                Some(wait) if retries < self.retry.max_retries => {
                    retries += 1;
                    std::thread::sleep(wait);
                }
                _ => return Err(outcome),
            }
        }
    }

    /// The AWS JSON 1.1 headers of `action`, with SigV4's (`Authorization`, `X-Amz-Date`, and
    /// `X-Amz-Security-Token` for temporary credentials).
    fn signed_headers(&self, action: &str, body: &[u8]) -> Result<Vec<(String, Zeroizing<String>)>> {
        let target = format!("TrentService.{action}");
        let unsigned = [("content-type", "application/x-amz-json-1.1"), ("x-amz-target", target.as_str())];
        let identity = aws_credential_types::Credentials::new(
            &self.credentials.access_key_id,
            self.credentials.secret_access_key.as_str(),
            self.credentials.session_token.as_ref().map(|token| token.as_str().to_owned()),
            None,
            "taap",
        )
        .into();
        let signing_failed = |_| Error::Config("the AWS KMS request could not be signed (SigV4)".into());
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(&self.region)
            .name("kms")
            .time(SystemTime::now())
            .settings(SigningSettings::default())
            .build()
            .map_err(|_| Error::Config("the AWS KMS request could not be signed (SigV4)".into()))?
            .into();
        let signable = SignableRequest::new(
            "POST",
            self.endpoint.as_str(),
            unsigned.into_iter(),
            SignableBody::Bytes(body),
        )
        .map_err(signing_failed)?;
        let (instructions, _) = sign(signable, &params).map_err(signing_failed)?.into_parts();
        let mut headers: Vec<(String, Zeroizing<String>)> = unsigned
            .iter()
            .map(|(name, value)| ((*name).to_owned(), Zeroizing::new((*value).to_owned())))
            .collect();
        headers.extend(
            instructions.headers().map(|(name, value)| (name.to_owned(), Zeroizing::new(value.to_owned()))),
        );
        Ok(headers)
    }

    /// KMS's error answer (`{"__type": "…Exception", "message": "…"}`) as taap's kind.
    fn refusal(&self, action: &str, status: u16, body: &[u8]) -> Error {
        let answer: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        let kind = answer.get("__type").and_then(Value::as_str).unwrap_or("");
        let kind = kind.rsplit('#').next().unwrap_or(kind);
        let said =
            answer.get("message").or_else(|| answer.get("Message")).and_then(Value::as_str).unwrap_or("");
        let text = format!(
            "AWS KMS {action} for {} answered HTTP {status} {}: {}",
            self.label,
            shorten(kind, 80),
            shorten(said, 300)
        );
        match kind {
            "NotFoundException"
            | "DisabledException"
            | "KMSInvalidStateException"
            | "InvalidKeyUsageException"
            | "InvalidArnException"
            | "KeyUnavailableException" => Error::InvalidKey(text),
            "AccessDeniedException"
            | "UnrecognizedClientException"
            | "InvalidSignatureException"
            | "IncompleteSignature"
            | "MissingAuthenticationToken"
            | "ExpiredTokenException"
            | "ValidationException" => Error::Config(text),
            _ => Error::Transport(text),
        }
    }
}

impl Signer for KmsSigner {
    fn public_key(&self) -> &PublicKey {
        &self.public
    }

    fn sign_rs256(&self, message: &[u8]) -> Result<Vec<u8>> {
        let (message, message_type) = if message.len() <= MAX_RAW_MESSAGE {
            (STANDARD.encode(message), "RAW")
        } else {
            (STANDARD.encode(sha256(message)), "DIGEST")
        };
        let request = json!({
            "KeyId": self.kms.key_id,
            "Message": message,
            "MessageType": message_type,
            "SigningAlgorithm": RS256,
        });
        let answer = self.kms.call("Sign", &request)?;
        answer
            .get("Signature")
            .and_then(Value::as_str)
            .and_then(|signature| STANDARD.decode(signature).ok())
            .ok_or_else(|| {
                Error::Transport(format!("AWS KMS Sign for {} answered without a signature", self.kms.label))
            })
    }

    fn kind(&self) -> SignerKind {
        SignerKind::AwsKms
    }

    fn label(&self) -> String {
        self.kms.label.clone()
    }
}

impl fmt::Debug for KmsSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KmsSigner")
            .field("label", &self.kms.label)
            .field("endpoint", &http::shown_url(&self.kms.endpoint))
            .field("bits", &self.public.bits())
            .finish_non_exhaustive()
    }
}

/// `AWS_ENDPOINT_URL_KMS`, `AWS_ENDPOINT_URL`, else KMS's public endpoint in `region`.
fn endpoint(region: &str) -> Result<Url> {
    let given = ["AWS_ENDPOINT_URL_KMS", "AWS_ENDPOINT_URL"].into_iter().find_map(|name| {
        std::env::var(name).ok().filter(|value| !value.is_empty()).map(|value| (name, value))
    });
    let (name, text) = match given {
        Some((name, value)) => (name, value),
        None => {
            if !region.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                return Err(Error::Config(format!("{} is not an AWS region", shorten(region, 40))));
            }
            ("the KMS endpoint", format!("https://kms.{region}.amazonaws.com/"))
        }
    };
    let url = Url::parse(&text).map_err(|_| Error::Config(format!("{name} is not a URL")))?;
    check_scheme(&url, name)?;
    Ok(url)
}
