//! `taap doctor`: why a gateway rejects a PoP token, explained against the request as sent.

mod curl;

use std::fmt::Write as _;
use std::path::PathBuf;

use taap::{
    diagnose::explain, diagnose::ExplainOptions, diagnose::ExplainRequest, diagnose::Explanation,
    diagnose::SignatureCheck, PublicKey,
};

use crate::ehts_args::split_header;
use crate::output::config;

/// Flags of `taap doctor`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Exit status: 0 when the token is valid for the request, 1 otherwise. \
    Without --public-key the signature is not checked. Secrets (Basic/Bearer credentials, \
    headers, query parameters and JSON members named like tokens, secrets or passwords) are \
    shown as ****.\n\nOn an edts mismatch the known signer variants are tried, and the one that \
    reproduces the token is named: uri-encoded, uri-decoded, query-dropped, trailing-slash, \
    method-case, body-trailing-newline, header-whitespace, header-order.")]
pub struct Args {
    /// The token, or '-' to read it from stdin.
    token: String,
    /// The request method as sent.
    #[arg(long, value_name = "METHOD", conflicts_with = "curl")]
    method: Option<String>,
    /// The request URL as sent (or its path and query).
    #[arg(long, value_name = "URL", required_unless_present = "curl", conflicts_with = "curl")]
    url: Option<String>,
    /// A request header as sent, 'Name: value', in order. Repeatable.
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE", conflicts_with = "curl")]
    headers: Vec<String>,
    /// The request body as sent.
    #[arg(long, value_name = "STRING", conflicts_with_all = ["body_file", "curl"])]
    body: Option<String>,
    /// Read the request body from this file.
    #[arg(long, value_name = "FILE", conflicts_with = "curl")]
    body_file: Option<PathBuf>,
    /// The request as a curl command line (-X, -H, -d/--data/--data-raw/--data-binary, the URL).
    #[arg(long, value_name = "COMMAND")]
    curl: Option<String>,
    /// The signer's public key (SPKI or PKCS#1 PEM, DER, or a JWK file), to check the signature.
    #[arg(long, value_name = "FILE")]
    public_key: Option<PathBuf>,
    /// The key that should have made the token, as `taap pop --key` takes it (a key file, a
    /// `pkcs11:` URI or an `aws-kms:` key): its public key checks the signature, and the report
    /// names the signer's kind.
    #[arg(long, value_name = "KEY", conflicts_with = "public_key")]
    key: Option<PathBuf>,
    /// Environment variable holding `--key`'s password (or the PKCS#11 PIN).
    #[arg(long, value_name = "VAR", requires = "key")]
    password_env: Option<String>,
    /// Judge the time as of this moment (epoch seconds) instead of now.
    #[arg(long, value_name = "SECS")]
    now: Option<i64>,
    /// Print the structured result as JSON.
    #[arg(long)]
    json: bool,
}

/// Prints the explanation; exits 1 when the token is not valid for the request.
pub fn run(args: Args) -> taap::Result<()> {
    let token = super::decode::read_token(&args.token)?;
    let request = request(&args)?;
    let signer =
        args.key.as_deref().map(|key| super::load_signer(key, args.password_env.as_deref())).transpose()?;
    let key = match &signer {
        Some(signer) => Some(signer.public_key().clone()),
        None => args.public_key.as_ref().map(PublicKey::from_file).transpose()?,
    };
    let options = ExplainOptions { public_key: key.as_ref(), now: args.now };
    let explanation = explain(&token, &request, &options)?;
    drop(request);
    let signer = signer.as_deref().map(|signer| SignerFinding::of(signer, &explanation));
    if args.json {
        let mut value = serde_json::to_value(&explanation).expect("an explanation serialises");
        if let (Some(finding), Some(members)) = (&signer, value.as_object_mut()) {
            members.insert("signer".into(), finding.to_json());
        }
        println!("{}", serde_json::to_string_pretty(&value).expect("JSON serialises"));
    } else {
        print!("{}", human(&explanation, signer.as_ref()));
    }
    if !explanation.valid {
        // The findings are the output; a `taap: Kind:` line would only repeat them.
        use std::io::Write;
        let _ = std::io::stdout().flush();
        std::process::exit(1);
    }
    Ok(())
}

fn request(args: &Args) -> taap::Result<ExplainRequest> {
    if let Some(command) = &args.curl {
        return curl::parse(command);
    }
    let url = args.url.clone().ok_or_else(|| config("give the request with --url (or --curl)"))?;
    let mut request = ExplainRequest::new(args.method.as_deref().unwrap_or("GET"), url);
    for (index, header) in args.headers.iter().enumerate() {
        let (name, value) = split_header(index, header)?;
        request = request.header(name, value.as_bytes());
    }
    let body = match (&args.body, &args.body_file) {
        (_, Some(path)) => {
            std::fs::read(path).map_err(|error| config(format!("cannot read {}: {error}", path.display())))?
        }
        (Some(body), None) => body.as_bytes().to_vec(),
        (None, None) => Vec::new(),
    };
    Ok(request.body(body))
}

/// Which signer `--key` named and whether its key made the token.
struct SignerFinding {
    kind: String,
    label: String,
    made_it: bool,
}

impl SignerFinding {
    fn of(signer: &dyn taap::keys::Signer, explanation: &Explanation) -> SignerFinding {
        let made_it = explanation.signature == SignatureCheck::Valid;
        SignerFinding { kind: signer.kind().to_string(), label: signer.label(), made_it }
    }

    fn line(&self) -> String {
        let verdict = if self.made_it { "made this token" } else { "did not make this token" };
        format!("signer     {} {}: {verdict}", self.kind, self.label)
    }

    fn to_json(&self) -> serde_json::Value {
        serde_json::json!({ "kind": self.kind, "label": self.label, "made_it": self.made_it })
    }
}

/// The report people read: one labelled line per check, then the verdict and its reasons.
fn human(explanation: &Explanation, signer: Option<&SignerFinding>) -> String {
    let mut out = String::new();
    let header = serde_json::to_string(&explanation.header).expect("a header serialises");
    let claims = serde_json::to_string(&explanation.claims).expect("claims serialise");
    let _ = writeln!(out, "header     {header}");
    let _ = writeln!(out, "claims     {claims}");
    let _ = writeln!(out, "time       {}", time_line(explanation));
    let _ = writeln!(out, "signed values, in ehts order:");
    let width = explanation.entries.iter().map(|entry| entry.name.len()).max().unwrap_or(0);
    for entry in &explanation.entries {
        let shown = match (&entry.value, entry.bytes) {
            (Some(value), Some(bytes)) => format!("{} ({bytes} bytes)", one_line(value)),
            _ => "<missing from the request>".to_owned(),
        };
        let _ = writeln!(out, "  {:<width$}  {shown}", entry.name);
    }
    let edts = &explanation.edts;
    let _ = writeln!(out, "edts       claimed  {}", edts.claimed);
    let computed = edts.computed.as_deref().unwrap_or("<a value is missing>");
    let verdict = if edts.matches { "matches" } else { "differs" };
    let _ = writeln!(out, "           computed {computed} ({verdict})");
    let signature = match explanation.signature {
        SignatureCheck::Valid => "valid",
        SignatureCheck::Invalid => "invalid",
        SignatureCheck::NotChecked => "not checked (give --public-key)",
    };
    let _ = writeln!(out, "signature  {signature}");
    if let Some(signer) = signer {
        let _ = writeln!(out, "{}", signer.line());
    }
    if let Some(variant) = &explanation.variant {
        let _ = writeln!(out, "variant    {}: {}", variant.id.id(), variant.description);
    }
    let _ = writeln!(out, "result     {}", if explanation.valid { "valid" } else { "invalid" });
    for problem in &explanation.problems {
        let _ = writeln!(out, "  - {problem}");
    }
    out
}

fn time_line(explanation: &Explanation) -> String {
    let time = &explanation.time;
    let expiry = if time.expires_in >= 0 {
        format!("expires in {} s", time.expires_in)
    } else {
        format!("expired {} s ago", -time.expires_in)
    };
    let issued = if time.age >= 0 {
        format!("issued {} s ago", time.age)
    } else {
        format!("issued {} s in the future", -time.age)
    };
    match time.clock_offset {
        None => format!("{expiry}, {issued}: ok"),
        Some(offset) => {
            format!("{expiry}, {issued}: refused; a clock offset of {offset:+} s would make it valid")
        }
    }
}

/// Control characters escaped so that every value stays on its line.
fn one_line(value: &str) -> String {
    value.chars().flat_map(|c| if c.is_control() { c.escape_default().collect() } else { vec![c] }).collect()
}
