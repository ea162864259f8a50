//! The Rust examples of `core/README.md` and of the root README's "Rust" section, compiled and,
//! where they need no network, run: the READMEs' doctests.
//!
//! rustdoc runs doctests only for a library's own docs, and an integration test cannot hand it
//! a README, so this file holds a copy of every ```` ```rust ```` block that is not marked
//! ```` ```rust fragment ````, between a `// ```rust` and a `// ```` line, inside a function that
//! gives it only what the README's prose gives it: a `Result` to `?` into, and for the async
//! block the previous block's `config` and a URL. `the_copies_are_the_readme_blocks` fails when
//! a README block and its copy differ, or a copy has no block (so a changed example needs its
//! copy changed, and a changed API then breaks this build); `the_examples_run` runs the blocks
//! that need no network in a temporary folder holding `keys/private-key.pem` and
//! `keys/public-key.pem` (the docs' sample pair). The OAuth client blocks call T-Mobile's servers:
//! they are compiled (with the `client` and `async-client` features, which `make test-rust`'s
//! workspace run turns on) but not run; the clients are tested against `taap serve` by
//! `tests/client.rs` and `gateway/tests/async_client.rs`. The copies are `#[rustfmt::skip]`:
//! they keep the README's layout.

use std::error::Error;
use std::io::Write;
use std::path::{Path, PathBuf};

type Outcome = Result<(), Box<dyn Error>>;

const THIS_FILE: &str = include_str!("readme.rs");
const CORE_README: &str = include_str!("../README.md");
const ROOT_README: &str = include_str!("../../README.md");

/// One fenced block of a README.
#[derive(Debug)]
struct Block {
    file: &'static str,
    line: usize,
    lang: String,
    fragment: bool,
    text: String,
}

impl Block {
    /// Where it is, for messages: the file, the line and the block's first line.
    fn place(&self) -> String {
        let first = self.text.lines().map(str::trim).find(|line| !line.is_empty()).unwrap_or("");
        format!("{}:{} (```{}: {first})", self.file, self.line, self.lang)
    }
}

/// The fenced blocks of `text` (the README `file`), or of its `## section`.
fn fenced_blocks(file: &'static str, text: &str, section: Option<&str>) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut open: Option<Block> = None;
    let mut in_section = section.is_none();
    for (index, line) in text.lines().enumerate() {
        match open.as_mut() {
            None if section.is_some() && line.starts_with("## ") => {
                in_section = Some(line[3..].trim()) == section
            }
            None if line.starts_with("```") => {
                let mut words = line[3..].split_whitespace();
                let lang = words.next().unwrap_or("text").to_owned();
                let fragment = words.any(|word| word == "fragment");
                open = Some(Block { file, line: index + 1, lang, fragment, text: String::new() });
            }
            None => {}
            Some(_) if line.trim() == "```" => {
                let block = open.take().expect("a block is open");
                if in_section {
                    blocks.push(block);
                }
            }
            Some(block) => {
                block.text.push_str(line);
                block.text.push('\n');
            }
        }
    }
    assert!(
        open.is_none(),
        "{file}:{}: the fence opened here is never closed",
        open.map_or(0, |block| block.line)
    );
    if let Some(name) = section {
        assert!(text.lines().any(|line| line == format!("## {name}")), "{file} has no section '## {name}'");
    }
    blocks
}

/// The README blocks this file must hold a copy of, in order.
fn readme_blocks() -> Vec<Block> {
    let mut blocks = fenced_blocks("core/README.md", CORE_README, None);
    blocks.extend(fenced_blocks("README.md", ROOT_README, Some("Rust")));
    blocks.into_iter().filter(|block| block.lang == "rust" && !block.fragment).collect()
}

/// The copies in this file: the lines between `// ```rust` and `// ```` marker lines, less the
/// marker's indentation.
fn copies() -> Vec<String> {
    let mut found = Vec::new();
    let mut open: Option<(usize, String)> = None;
    for line in THIS_FILE.lines() {
        let indent = line.len() - line.trim_start().len();
        match open.as_mut() {
            None if line.trim() == "// ```rust" => open = Some((indent, String::new())),
            None => {}
            Some((marker, copy)) if line.trim() == "// ```" && indent == *marker => {
                found.push(std::mem::take(copy));
                open = None;
            }
            Some((marker, copy)) => {
                copy.push_str(line.get(*marker..).unwrap_or("").trim_end());
                copy.push('\n');
            }
        }
    }
    assert!(open.is_none(), "readme.rs: a `// ```rust` copy is never closed");
    found
}

#[test]
fn the_copies_are_the_readme_blocks() {
    let unmarked: Vec<String> = fenced_blocks("core/README.md", CORE_README, None)
        .iter()
        .filter(|block| block.lang != "rust" && !block.fragment)
        .map(Block::place)
        .collect();
    assert!(
        unmarked.is_empty(),
        "no runner for these blocks; mark each one `fragment` or make it rust: {unmarked:?}"
    );
    let blocks = readme_blocks();
    let copies = copies();
    for (index, block) in blocks.iter().enumerate() {
        let wanted: String = block.text.lines().map(|line| format!("{}\n", line.trim_end())).collect();
        match copies.get(index) {
            Some(copy) if *copy == wanted => {}
            Some(copy) => panic!(
                "{} differs from its copy #{} in core/tests/readme.rs; change both.\nREADME:\n{wanted}\ncopy:\n{copy}",
                block.place(),
                index + 1
            ),
            None => panic!("{} has no copy in core/tests/readme.rs: add one (between `// ```rust` and `// ````)", block.place()),
        }
    }
    assert_eq!(
        copies.len(),
        blocks.len(),
        "core/tests/readme.rs holds copies of blocks the READMEs no longer have"
    );
}

#[test]
fn the_examples_run() {
    let blocks = readme_blocks();
    assert_eq!(blocks.len(), 6, "the READMEs' rust blocks changed: update the list below and the copies");
    let workdir = sample_folder();
    std::env::set_current_dir(&workdir).expect("enter the work folder");
    let runs: [(usize, fn() -> Outcome); 4] =
        [(0, core_without_std), (1, core_pop_tokens_and_the_validator), (2, core_signers), (5, root_rust)];
    for (index, run) in runs {
        if let Err(error) = run() {
            panic!("{} failed: {error}", blocks[index].place());
        }
    }
    std::env::set_current_dir(std::env::temp_dir()).expect("leave the work folder");
    std::fs::remove_dir_all(&workdir).expect("remove the work folder");
    let compiled = usize::from(cfg!(feature = "client")) + usize::from(cfg!(feature = "async-client"));
    let mut fragments = fenced_blocks("core/README.md", CORE_README, None);
    fragments.extend(fenced_blocks("README.md", ROOT_README, Some("Rust")));
    let fragments = fragments.iter().filter(|block| block.fragment).count();
    let unbuilt = match (cfg!(feature = "client"), cfg!(feature = "async-client")) {
        (true, true) => String::new(),
        (true, false) => {
            "; not built without the feature async-client: 1 (core/README.md, AsyncTaapClient)".to_owned()
        }
        _ => "; not built without the features client, async-client: 2 (core/README.md, the OAuth clients)"
            .to_owned(),
    };
    // Straight to standard error: the harness would hide println! output of a passing test.
    let _ = writeln!(
        std::io::stderr(),
        "README examples: {} run, {fragments} fragments; {compiled} compiled, not run (they call T-Mobile){unbuilt}",
        runs.len()
    );
}

/// A fresh folder holding `keys/private-key.pem` and `keys/public-key.pem`.
fn sample_folder() -> PathBuf {
    let keys = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/keys/tmobile");
    let folder = std::env::temp_dir().join(format!("taap-readme-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(folder.join("keys")).expect("create the work folder");
    std::fs::copy(keys.join("readme-private-pkcs8.pem"), folder.join("keys/private-key.pem"))
        .expect("copy the key");
    std::fs::copy(keys.join("readme-public.pem"), folder.join("keys/public-key.pem"))
        .expect("copy the public key");
    folder
}

/// core/README.md, "Without `std`": the function, then called as firmware would call it.
#[rustfmt::skip]
fn core_without_std() -> Outcome {
    // ```rust
    use taap::{token::BuildOptions, token::Ehts, PopToken, PrivateKey};

    /// `pem` from flash, `iat` from the real-time clock, 16 bytes from the hardware RNG.
    fn pop_token(pem: &[u8], iat: i64, random_16_bytes: [u8; 16]) -> taap::Result<String> {
        let key = PrivateKey::from_pem(pem, None)?;             // unencrypted PKCS#8 or PKCS#1
        let mut ehts = Ehts::new();
        ehts.push("uri", "/iot-connectivity/v1/devices/8901260000000000019")?.push("http-method", "GET")?;
        let options = BuildOptions::default().issued_at(iat).jti_from_random_bytes(random_16_bytes);
        PopToken::sign(&key, &ehts, &options)
    }
    // ```
    let token = pop_token(&std::fs::read("keys/private-key.pem")?, 1_700_000_000, [7; 16])?;
    let claims = PopToken::decode(&token)?.claims().clone();
    assert_eq!((claims.iat, claims.ehts.join(";")), (1_700_000_000, "uri;http-method".to_owned()));
    Ok(())
}

/// core/README.md, "PoP tokens and the validator".
#[rustfmt::skip]
fn core_pop_tokens_and_the_validator() -> Outcome {
    // ```rust
    use taap::{PopToken, PopTokenValidator, PrivateKey, PublicKey};

    let key = PrivateKey::from_file("keys/private-key.pem", None)?;     // parse once, share freely
    let token = PopToken::for_request(
        &key,
        "POST",
        "https://api.t-mobile.com/commerce/v1/orders",
        [("Content-Type", "application/json"), ("Authorization", "Bearer …")],
        br#"{"orderId": 100}"#,
    )?;

    // The gateway side: signature, exp (10 s leeway), age (60 s), edts, optional replay cache.
    let public = PublicKey::from_file("keys/public-key.pem")?;
    let values = [
        ("Content-Type", "application/json".as_bytes()),
        ("Authorization", "Bearer …".as_bytes()),
        ("uri", b"/commerce/v1/orders"),
        ("http-method", b"POST"),
        ("body", br#"{"orderId": 100}"#),
    ];
    let decoded = PopTokenValidator::default().validate(&token, &public, &values)?;
    // ```
    assert_eq!(decoded.claims().ehts.join(";"), "Content-Type;Authorization;uri;http-method;body");
    Ok(())
}

/// core/README.md, "Signers": a key file and a callback make the same token.
#[rustfmt::skip]
fn core_signers() -> Outcome {
    // ```rust
    use rsa::pkcs8::DecodePrivateKey;
    use rsa::signature::{hazmat::PrehashSigner, SignatureEncoding};
    use taap::keys::{open_signer, CallbackSigner, Signer};
    use taap::{token::BuildOptions, PopToken, PrivateKey, PublicKey};

    let ehts = [("uri", "/iot-connectivity/v1/devices"), ("http-method", "GET")];
    let fixed = BuildOptions::default().issued_at(1_767_225_600).jti("d10e897e-3fad-44fe-9cce-6ea6c6b804e9");

    // A file or a `pkcs11:` URI: one `Arc<dyn Signer>` either way.
    let from_file = open_signer("keys/private-key.pem", None)?;
    println!("{} {}", from_file.kind(), from_file.label());     // in-memory RSA-2048 key HxHEN4…

    // A function given the SHA-256 digest of the signing input, returning the PKCS#1 v1.5
    // signature: a secure element, Vault transit, another cloud's KMS. The `rsa` crate stands in
    // for the device here; its key never reaches taap.
    let in_flash = PrivateKey::from_file("keys/private-key.pem", None)?;
    let device = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(rsa::PrivateKey::from_pkcs8_der(&in_flash.to_der())?);
    let public = PublicKey::from_file("keys/public-key.pem")?;            // given once
    let by_callback = CallbackSigner::new(public, move |digest: &[u8; 32]| {
        let signature = device.sign_prehash(digest).map_err(|_| taap::Error::Transport("the device did not sign".into()))?;
        Ok(signature.to_vec())
    });
    assert_eq!(PopToken::build_with(&by_callback, ehts, &fixed)?, PopToken::build_with(&from_file, ehts, &fixed)?);
    // ```
    assert!(from_file.label().starts_with("RSA-2048 key HxHEN4"));
    Ok(())
}

/// core/README.md, "The OAuth client": compiled, not run (it calls T-Mobile).
#[cfg(feature = "client")]
#[allow(dead_code)]
#[rustfmt::skip]
fn core_the_oauth_client() -> Outcome {
    // ```rust
    use std::sync::Arc;
    use taap::{client::ClientConfig, client::OAuthServer, PrivateKey, TaapClient};

    let key = Arc::new(PrivateKey::from_file("keys/private-key.pem", None)?);
    let secret = std::env::var("TAAP_SECRET").expect("TAAP_SECRET holds the client secret");
    let mut config = ClientConfig::new("my-client-id", secret, key, OAuthServer::V2);
    config.timeouts.request = std::time::Duration::from_secs(10); // defaults: 10 s connect, 30 s request
    let client = TaapClient::new(config)?;                          // Send + Sync: share it
    let response = client.send("GET", "https://naas.t-mobile.com/iot-connectivity/v1/devices/8901260000000000019",
                               [("Content-Type", "application/json")], b"")?;
    println!("{} {}", response.status, response.text());
    // ```
    Ok(())
}

/// core/README.md, "Async": the previous block's `config`, inside an async fn; compiled, not run.
#[cfg(feature = "async-client")]
#[allow(dead_code)]
#[rustfmt::skip]
async fn core_async(config: taap::client::ClientConfig, url: &str) -> Outcome {
    use std::sync::Arc;
    // ```rust
    // `config` as above; inside an async fn on tokio
    let client = Arc::new(taap::client::AsyncTaapClient::new(config)?);     // share it between tasks
    let token = client.access_token().await?;
    let response = client.send("GET", url, [("Accept", "application/json")], b"").await?;
    // ```
    let _ = (token, response);
    Ok(())
}

/// README.md, "Rust".
#[rustfmt::skip]
fn root_rust() -> Outcome {
    // ```rust
    use taap::{PopToken, PrivateKey};

    let key = PrivateKey::from_file("keys/private-key.pem", None)?;     // parse once, share freely
    // or a key that never leaves an HSM/TPM/KMS, taken wherever a key is (same bytes out):
    // let key = taap::keys::open_signer("pkcs11:token=fleet;object=taap-client?module-path=…&pin-source=…", None)?;
    let token = PopToken::for_request(
        &key,
        "POST",
        "https://api.t-mobile.com/commerce/v1/orders",
        [("Content-Type", "application/json"), ("Authorization", "Bearer …")],
        br#"{"orderId": 100}"#,
    )?;
    // ```
    assert_eq!(PopToken::decode(&token)?.claims().ehts.len(), 5);
    Ok(())
}
