//! PEM framing for private keys, with every buffer that holds key material zeroised.
//!
//! The `pem` crate (still used for public keys) strips whitespace into a growing `String` and
//! decodes into plain `Vec`s, so a parsed or exported private key left copies of itself in
//! freed heap memory. Here every buffer is a `Zeroizing` one sized up front, so it is never
//! reallocated (which would free an unwiped copy). The grammar is the `pem` crate's:
//! `-----BEGIN tag-----`, optional `Name: value` headers ended by a blank line, base64 with any
//! whitespace, `-----END tag-----`.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use zeroize::Zeroizing;

use crate::error::{Error, Result};
#[cfg(not(feature = "std"))]
use crate::prelude::*;

/// One PEM block: its tag, its headers (`Proc-Type`, `DEK-Info`: not secret) and its
/// decoded contents, wiped when dropped.
pub(super) struct SecretBlock {
    tag: String,
    headers: Vec<(String, String)>,
    contents: Zeroizing<Vec<u8>>,
}

impl SecretBlock {
    /// The label between `BEGIN ` and `-----`.
    pub(super) fn tag(&self) -> &str {
        &self.tag
    }

    /// The value of header `name`, e.g. `DEK-Info` (the last one, as in the `pem` crate).
    pub(super) fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().rev().find(|(key, _)| key == name).map(|(_, value)| value.as_str())
    }

    /// The decoded DER.
    pub(super) fn contents(&self) -> &[u8] {
        &self.contents
    }
}

/// Every PEM block in `input`, in order; text around the blocks is ignored.
pub(super) fn parse_blocks(mut input: &[u8]) -> Result<Vec<SecretBlock>> {
    let mut blocks = Vec::new();
    while let Some((rest, _)) = after(input, b"-----BEGIN ") {
        let (rest, tag) = after(rest, b"-----").ok_or_else(malformed)?;
        let rest = rest.trim_ascii_start();
        let (rest, payload) = after(rest, b"-----END ").ok_or_else(malformed)?;
        let (rest, end_tag) = after(rest, b"-----").ok_or_else(malformed)?;
        if tag.is_empty() || tag != end_tag {
            return Err(malformed());
        }
        let tag = core::str::from_utf8(tag).map_err(|_| malformed())?.to_owned();
        let (headers, data) = split_headers(payload);
        blocks.push(SecretBlock { tag, headers: parse_headers(headers)?, contents: decode_base64(data)? });
        input = rest;
    }
    Ok(blocks)
}

/// `-----BEGIN tag-----`, the base64 of `der` in 64-column lines, `-----END tag-----`, all LF.
pub(super) fn encode(tag: &str, der: &[u8]) -> Zeroizing<String> {
    const LINE_BYTES: usize = 48;
    let lines = der.len().div_ceil(LINE_BYTES);
    // "-----BEGIN " + tag + "-----\n" and "-----END " + tag + "-----\n".
    let frame = (11 + tag.len() + 6) + (9 + tag.len() + 6);
    let capacity = frame + base64::encoded_len(der.len(), true).unwrap_or(0) + lines;
    let mut pem = Zeroizing::new(String::with_capacity(capacity));
    pem.push_str("-----BEGIN ");
    pem.push_str(tag);
    pem.push_str("-----\n");
    for line in der.chunks(LINE_BYTES) {
        STANDARD.encode_string(line, &mut pem);
        pem.push('\n');
    }
    pem.push_str("-----END ");
    pem.push_str(tag);
    pem.push_str("-----\n");
    debug_assert_eq!(pem.len(), capacity, "sized up front: never reallocated");
    pem
}

fn malformed() -> Error {
    Error::InvalidKey("the PEM text is malformed".into())
}

/// The input after the first `marker`, and what came before it.
fn after<'a>(input: &'a [u8], marker: &[u8]) -> Option<(&'a [u8], &'a [u8])> {
    let at = input.windows(marker.len()).position(|window| window == marker)?;
    Some((&input[at + marker.len()..], &input[..at]))
}

/// Headers end at the first blank line; without one there are none.
fn split_headers(payload: &[u8]) -> (&[u8], &[u8]) {
    for separator in [&b"\n\n"[..], b"\r\n\r\n"] {
        if let Some((data, headers)) = after(payload, separator) {
            return (headers, data);
        }
    }
    (&[], payload)
}

fn parse_headers(headers: &[u8]) -> Result<Vec<(String, String)>> {
    let text = core::str::from_utf8(headers).map_err(|_| malformed())?;
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let (name, value) = line.split_once(':').ok_or_else(malformed)?;
            Ok((name.trim().to_owned(), value.trim().to_owned()))
        })
        .collect()
}

fn decode_base64(data: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    let mut compact = Zeroizing::new(Vec::with_capacity(data.len()));
    compact.extend(data.iter().copied().filter(|byte| !byte.is_ascii_whitespace()));
    let mut decoded = Zeroizing::new(vec![0u8; base64::decoded_len_estimate(compact.len())]);
    let len = STANDARD.decode_slice(&*compact, &mut decoded).map_err(|_| malformed())?;
    decoded.truncate(len);
    Ok(decoded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_matches_the_pem_crate_and_parses_back() {
        for len in [0usize, 1, 47, 48, 49, 1217] {
            let der: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
            let ours = encode("PRIVATE KEY", &der);
            let config = pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF);
            let theirs = pem::encode_config(&pem::Pem::new("PRIVATE KEY", der.clone()), config);
            assert_eq!(*ours, theirs, "{len} bytes");
            let blocks = parse_blocks(ours.as_bytes()).unwrap();
            assert_eq!((blocks.len(), blocks[0].tag(), blocks[0].contents()), (1, "PRIVATE KEY", &der[..]));
        }
    }

    #[test]
    fn headers_blocks_and_surrounding_text() {
        let input = b"Bag Attributes\r\n-----BEGIN CERTIFICATE-----\r\nAAEC\r\n-----END CERTIFICATE-----\r\n\
            -----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,00FF\n\n\
            AQID\nBA==\n-----END RSA PRIVATE KEY-----\ntrailing";
        let blocks = parse_blocks(input).unwrap();
        assert_eq!(blocks.len(), 2);
        assert_eq!((blocks[0].tag(), blocks[0].contents()), ("CERTIFICATE", &[0, 1, 2][..]));
        assert_eq!(blocks[1].header("DEK-Info"), Some("AES-256-CBC,00FF"));
        assert_eq!(blocks[1].header("Proc-Type"), Some("4,ENCRYPTED"));
        assert_eq!(blocks[1].contents(), &[1, 2, 3, 4]);
    }

    #[test]
    fn malformed_input_is_an_invalid_key() {
        let cases: [&[u8]; 5] = [
            b"-----BEGIN PRIVATE KEY-----\nAAAA\n",
            b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n",
            b"-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n",
            b"-----BEGIN -----\nAAAA\n-----END -----\n",
            b"-----BEGIN PRIVATE KEY-----\nno colon here\n\nAAAA\n-----END PRIVATE KEY-----\n",
        ];
        for case in cases {
            assert!(
                matches!(parse_blocks(case), Err(Error::InvalidKey(_))),
                "{}",
                String::from_utf8_lossy(case)
            );
        }
        assert!(parse_blocks(b"no PEM at all").unwrap().is_empty());
    }
}
