//! `taap decode`: show what a token claims, without trusting it.

use std::io::Read;

use serde_json::json;
use taap::PopToken;

/// Flags of `taap decode`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The token, or '-' to read it from stdin.
    token: String,
}

/// Prints header, claims and seconds left before expiry as JSON.
pub fn run(args: Args) -> taap::Result<()> {
    let token = read_token(&args.token)?;
    let decoded = PopToken::decode(&token)?;
    let claims = decoded.claims();
    let report = json!({
        "header": { "alg": decoded.header().alg, "typ": decoded.header().typ },
        "claims": {
            "edts": claims.edts,
            "v": claims.v,
            "exp": claims.exp,
            // As on the wire (and in `taap demo`): the names joined by `;`.
            "ehts": claims.ehts.join(";"),
            "iat": claims.iat,
            "jti": claims.jti,
        },
        "expires_in": decoded.expires_in(taap::now_unix()),
        "verified": false,
    });
    println!("{}", serde_json::to_string_pretty(&report).expect("JSON values serialise"));
    Ok(())
}

/// A token argument, or stdin for '-' (tokens in argv are visible to other local users).
pub fn read_token(argument: &str) -> taap::Result<String> {
    if argument != "-" {
        return Ok(argument.to_owned());
    }
    let mut token = String::new();
    std::io::stdin()
        .take(taap::token::MAX_TOKEN_BYTES as u64 + 1)
        .read_to_string(&mut token)
        .map_err(|error| taap::Error::InvalidToken(format!("cannot read the token from stdin: {error}")))?;
    Ok(token.trim().to_owned())
}
