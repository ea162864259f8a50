//! `taap call`: the whole TAAP flow for one API call, printing the answer like curl.

use std::io::Write;
use std::path::PathBuf;

use zeroize::Zeroizing;

use super::token::ClientArgs;
use crate::output::config;

/// Largest body file `taap call` sends (it is signed and sent from memory).
const MAX_BODY_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Flags of `taap call`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The HTTP method, e.g. GET or POST.
    method: String,
    /// The full API URL.
    url: String,
    /// A request header, 'Name: value'; sent and signed in order. Repeatable.
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE")]
    headers: Vec<String>,
    /// The request body.
    #[arg(short = 'd', long = "data", value_name = "BODY", conflicts_with = "data_file")]
    data: Option<String>,
    /// Read the request body from this file.
    #[arg(long, value_name = "FILE")]
    data_file: Option<PathBuf>,
    /// Print the status line and response headers before the body.
    #[arg(short = 'i', long = "include")]
    include: bool,
    #[command(flatten)]
    client: ClientArgs,
    /// Print the token request and the API call that would be sent (secrets masked), send nothing.
    #[arg(long)]
    dry_run: bool,
}

impl Args {
    /// A dry run opens no socket, so it may end like a filter when its reader goes away.
    pub fn is_dry_run(&self) -> bool {
        self.dry_run
    }
}

/// Makes the call and prints the response body (with `-i`, status and headers first).
pub fn run(args: Args) -> taap::Result<()> {
    let headers = args.headers.iter().map(|header| split_header(header)).collect::<taap::Result<Vec<_>>>()?;
    let body = body(&args)?;
    let client = args.client.client()?;
    let header_pairs = headers.iter().map(|(name, value)| (name.as_str(), value.as_str()));
    if args.dry_run {
        let call = client.prepare_send(&args.method, &args.url, header_pairs, &body)?;
        print!("{}{}\n{call}", super::signer_line(client.signer()), client.prepare_token_request()?);
        return Ok(());
    }
    let response = client.send(&args.method, &args.url, header_pairs, &body)?;
    let mut out = std::io::stdout().lock();
    let write_failed = |error: std::io::Error| config(format!("cannot write the response: {error}"));
    if args.include {
        writeln!(out, "HTTP/1.1 {}", response.status).map_err(write_failed)?;
        for (name, value) in &response.headers {
            writeln!(out, "{name}: {value}").map_err(write_failed)?;
        }
        writeln!(out).map_err(write_failed)?;
    }
    out.write_all(&response.body).map_err(write_failed)?;
    if !response.body.ends_with(b"\n") && !response.body.is_empty() {
        writeln!(out).map_err(write_failed)?;
    }
    out.flush().map_err(write_failed)
}

fn body(args: &Args) -> taap::Result<Zeroizing<Vec<u8>>> {
    match (&args.data, &args.data_file) {
        (Some(data), _) => Ok(Zeroizing::new(data.as_bytes().to_vec())),
        (None, Some(path)) => {
            let unreadable =
                |error: std::io::Error| config(format!("cannot read {}: {error}", path.display()));
            let size = std::fs::metadata(path).map_err(unreadable)?.len();
            if size > MAX_BODY_FILE_BYTES {
                return Err(config(format!(
                    "{} is {size} bytes; at most {MAX_BODY_FILE_BYTES} can be sent",
                    path.display()
                )));
            }
            std::fs::read(path).map(Zeroizing::new).map_err(unreadable)
        }
        (None, None) => Ok(Zeroizing::new(Vec::new())),
    }
}

/// `Name: value`, split at the first colon, leading spaces of the value dropped (as curl).
fn split_header(header: &str) -> taap::Result<(String, Zeroizing<String>)> {
    let (name, value) =
        header.split_once(':').ok_or_else(|| config("-H takes 'Name: value'; one argument has no ':'"))?;
    Ok((name.trim().to_owned(), Zeroizing::new(value.trim_start().to_owned())))
}
