//! Access and id tokens: RS256 JWTs signed with a key the gateway generates at start-up.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

/// Issuer named in every token.
pub const ISSUER: &str = "taap-local-gateway";

/// The claims of an access token (and, minus scope, of an id token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessClaims {
    /// Issuer.
    pub iss: String,
    /// The client the token was issued to.
    pub sub: String,
    /// Audience: the client id (OIDC).
    pub aud: String,
    /// Issued at (gateway clock).
    pub iat: i64,
    /// Expiry (gateway clock).
    pub exp: i64,
    /// Unique token id.
    pub jti: String,
    /// Granted scopes, space-separated.
    pub scope: String,
    /// Confirmation (RFC 7800): the key the client's PoP tokens must be signed with.
    pub cnf: Confirmation,
    /// Revocation generation: tokens from an older generation are refused.
    pub generation: u64,
}

/// The `cnf` claim: the RFC 7638 thumbprint of the client's registered key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confirmation {
    /// Base64url SHA-256 JWK thumbprint.
    pub jkt: String,
}

/// Signs and checks the gateway's JWTs.
pub struct TokenSigner {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl TokenSigner {
    /// A signer with a fresh 2048-bit key (tokens do not outlive the gateway process).
    pub fn generate() -> taap::Result<Self> {
        TokenSigner::from_key(&taap::PrivateKey::generate(2048)?)
    }

    /// A signer with `key`, so every gateway of a fleet issues and honours the same tokens.
    pub fn from_key(key: &taap::PrivateKey) -> taap::Result<Self> {
        let unusable =
            |_| taap::Error::InvalidKey("the gateway's signing key was refused by the JWT library".into());
        Ok(TokenSigner {
            encoding: EncodingKey::from_rsa_pem(key.to_pem().as_bytes()).map_err(unusable)?,
            decoding: DecodingKey::from_rsa_pem(key.public_key().to_pem().as_bytes()).map_err(unusable)?,
        })
    }

    /// The compact JWT for `claims`.
    pub fn sign(&self, claims: &AccessClaims) -> String {
        jsonwebtoken::encode(&Header::new(Algorithm::RS256), claims, &self.encoding)
            .expect("RS256 signing with a freshly generated key succeeds")
    }

    /// The claims of a token this gateway signed; `None` when the signature or shape is wrong.
    /// Time is checked by the caller, on the gateway's (possibly skewed) clock.
    pub fn verify(&self, token: &str) -> Option<AccessClaims> {
        let mut validation = Validation::new(Algorithm::RS256);
        validation.validate_exp = false;
        validation.validate_aud = false;
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["iss", "sub", "exp"]);
        jsonwebtoken::decode::<AccessClaims>(token, &self.decoding, &validation).ok().map(|data| data.claims)
    }
}
