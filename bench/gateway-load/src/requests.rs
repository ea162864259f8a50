//! The request mix: valid calls and each way a call must be refused, with the answer the
//! gateway must give. Every request gets a fresh PoP token, signed when it is made.

use taap::{token::BuildOptions, PopToken, PrivateKey};

use crate::http::{request_bytes, Answer};

/// A device of T-Mobile's Connectivity example.
pub const DEVICE: &str = "/iot-connectivity/v1/devices/8901260000000000019";
const ORDERS: &str = "/commerce/v1/orders";
const ORDER: &[u8] = br#"{"orderId": 100, "product": "Mobile Phone"}"#;

/// What a request is, and so what the gateway must answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// GET a device with a valid PoP token: 200.
    ValidGet,
    /// POST an order with a valid PoP token: 201.
    ValidPost,
    /// The body changed after signing: 401 EdtsMismatch.
    TamperedBody,
    /// Signed for one device, sent for another: 401 EdtsMismatch.
    OtherUri,
    /// Signed by a key other than the registered one: 401 SignatureInvalid.
    WrongKey,
    /// A token issued 5 minutes ago: 401 TokenExpired.
    Expired,
    /// An accepted request sent again, byte for byte: 401 Replay.
    Replayed,
    /// `alg: none` and no signature: 401 InvalidToken.
    AlgNone,
    /// No `X-Authorization`: 401.
    NoPop,
    /// A Bearer token this gateway never issued: 401 invalid_token.
    ForgedBearer,
}

impl Kind {
    /// The mix, in the order workers cycle through it: 40% valid.
    pub const MIX: [Kind; 15] = [
        Kind::ValidGet,
        Kind::ValidPost,
        Kind::TamperedBody,
        Kind::ValidGet,
        Kind::OtherUri,
        Kind::WrongKey,
        Kind::ValidPost,
        Kind::Expired,
        Kind::Replayed,
        Kind::ValidGet,
        Kind::AlgNone,
        Kind::NoPop,
        Kind::ForgedBearer,
        Kind::Replayed,
        Kind::ValidPost,
    ];

    /// The status and, for refusals, the start of the description the gateway must answer with.
    pub fn expected(self) -> (u16, &'static str) {
        match self {
            Kind::ValidGet => (200, ""),
            Kind::ValidPost => (201, ""),
            Kind::TamperedBody | Kind::OtherUri => (401, "EdtsMismatch:"),
            Kind::WrongKey => (401, "SignatureInvalid:"),
            Kind::Expired => (401, "TokenExpired:"),
            Kind::Replayed => (401, "Replay:"),
            Kind::AlgNone => (401, "InvalidToken:"),
            Kind::NoPop => {
                (401, "InvalidToken: invalid PoP token: X-Authorization (the PoP token) is missing")
            }
            Kind::ForgedBearer => (401, "the access token was not issued by this gateway"),
        }
    }

    /// Whether a request of this kind must be accepted.
    pub fn is_valid(self) -> bool {
        matches!(self, Kind::ValidGet | Kind::ValidPost)
    }

    /// Whether `answer` is the one this kind must get.
    pub fn is_right(self, answer: &Answer) -> bool {
        let (status, description) = self.expected();
        if answer.status != status {
            return false;
        }
        if description.is_empty() {
            return true;
        }
        let body: serde_json::Value = serde_json::from_slice(&answer.body).unwrap_or_default();
        body["error_description"].as_str().is_some_and(|text| text.starts_with(description))
    }
}

/// What a worker needs to make requests.
pub struct Signer<'a> {
    /// The registered client's key.
    pub key: &'a PrivateKey,
    /// A key the gateway does not know.
    pub stranger: &'a PrivateKey,
    /// `Bearer <access token>`.
    pub bearer: String,
}

impl Signer<'_> {
    /// The bytes of a fresh request of `kind`; `last_accepted` is what [`Kind::Replayed`] resends.
    pub fn request(&self, kind: Kind, last_accepted: Option<&[u8]>) -> Vec<u8> {
        match kind {
            Kind::ValidGet => self.get(self.key, DEVICE, DEVICE, &BuildOptions::default(), None),
            Kind::ValidPost => self.post(ORDER, ORDER),
            Kind::TamperedBody => self.post(ORDER, br#"{"orderId": 101, "product": "Mobile Phone"}"#),
            Kind::OtherUri => self.get(
                self.key,
                DEVICE,
                "/iot-connectivity/v1/devices/8901260000000000027",
                &BuildOptions::default(),
                None,
            ),
            Kind::WrongKey => self.get(self.stranger, DEVICE, DEVICE, &BuildOptions::default(), None),
            Kind::Expired => {
                let old = BuildOptions::default().issued_at(taap::now_unix() - 300);
                self.get(self.key, DEVICE, DEVICE, &old, None)
            }
            Kind::Replayed => last_accepted.expect("a replay needs an accepted request").to_vec(),
            Kind::AlgNone => {
                let signed = self.pop(self.key, "GET", DEVICE, &[], &BuildOptions::default());
                let payload = signed.split('.').nth(1).unwrap_or_default();
                // {"alg":"none","typ":"JWT"}
                let token = format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{payload}.");
                self.get(self.key, DEVICE, DEVICE, &BuildOptions::default(), Some(token))
            }
            Kind::NoPop => request_bytes("GET", DEVICE, &[("Authorization", self.bearer.clone())], &[]),
            Kind::ForgedBearer => {
                let bearer = "Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJsb2FkIn0.c2lnbmF0dXJl".to_owned();
                let pop =
                    taap::PopToken::for_request(self.key, "GET", DEVICE, [("Authorization", &bearer)], &[])
                        .expect("signs");
                request_bytes("GET", DEVICE, &[("Authorization", bearer), ("X-Authorization", pop)], &[])
            }
        }
    }

    fn pop(
        &self,
        key: &PrivateKey,
        method: &str,
        target: &str,
        body: &[u8],
        options: &BuildOptions,
    ) -> String {
        PopToken::for_request_with(key, method, target, [("Authorization", &self.bearer)], body, options)
            .expect("the load generator's requests are signable")
    }

    /// A GET of `sent` carrying a PoP token over `signed` (or the given token).
    fn get(
        &self,
        key: &PrivateKey,
        signed: &str,
        sent: &str,
        options: &BuildOptions,
        token: Option<String>,
    ) -> Vec<u8> {
        let pop = token.unwrap_or_else(|| self.pop(key, "GET", signed, &[], options));
        request_bytes("GET", sent, &[("Authorization", self.bearer.clone()), ("X-Authorization", pop)], &[])
    }

    /// A POST of `sent` as the order body, with a PoP token over `signed`.
    fn post(&self, signed: &[u8], sent: &[u8]) -> Vec<u8> {
        let pop = self.pop(self.key, "POST", ORDERS, signed, &BuildOptions::default());
        let headers = [("Authorization", self.bearer.clone()), ("X-Authorization", pop)];
        request_bytes("POST", ORDERS, &headers, sent)
    }
}
