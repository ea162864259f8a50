//! `taap`: make and check TAAP PoP tokens from the command line.

mod commands;
mod ehts_args;
mod output;
#[cfg(feature = "otlp")]
mod telemetry;

use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

/// Make and check T-Mobile API Access Protocol (TAAP) PoP tokens.
#[derive(Debug, Parser)]
#[command(name = "taap", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Export this run's spans (token fetches, PoP signing, sends, PoP decisions) over
    /// OTLP/HTTP (protobuf) to an OpenTelemetry collector at URL (`/v1/traces` is added); no
    /// secret, token, jti or query is ever in them. Needs a build with the `otlp` feature.
    #[cfg_attr(
        feature = "otlp",
        arg(long, global = true, value_name = "URL", env = "OTEL_EXPORTER_OTLP_ENDPOINT")
    )]
    #[cfg_attr(not(feature = "otlp"), arg(long, global = true, value_name = "URL"))]
    otlp_endpoint: Option<String>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Generate an RSA key pair: DIR/private-key.pem (PKCS#8, mode 0600) and DIR/public-key.pem,
    /// or inside a PKCS#11 token (--pkcs11 URI), printing its public key.
    Keygen(commands::keygen::Args),
    /// Build a PoP token from ehts entries or from an HTTP request, and print it.
    Pop(commands::pop::Args),
    /// Print a token's header and claims as JSON, without verifying it.
    Decode(commands::decode::Args),
    /// Validate a token against a public key and the request's values.
    Verify(commands::verify::Args),
    /// Explain why a token is or is not valid for a request as sent (and which signer variant made it).
    Doctor(commands::doctor::Args),
    /// Get an OAuth 2.0 access token (TAAP steps 1-2) and print the server's JSON answer.
    Token(commands::token::Args),
    /// Make a TAAP-signed API call (all four steps) and print the response, like curl (exit 0 on any HTTP status).
    Call(commands::call::Args),
    /// Run the local TAAP gateway on 127.0.0.1, for trying clients without an account.
    Serve(commands::serve::Args),
    /// Forward plain HTTP requests to a TAAP API, adding the access token and a fresh PoP token to each.
    Proxy(commands::proxy::Args),
    /// Walk through the four TAAP steps against an in-process gateway (no account needed).
    Demo(commands::demo::Args),
    /// List or show the profiles of the config file ($TAAP_CONFIG or ~/.config/taap/config.toml).
    #[command(subcommand)]
    Profile(commands::profile::Args),
    /// Print a shell completion script (bash, zsh or fish).
    Completions(commands::completions::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if writes_to_a_pipe_and_exits(&cli.command) {
        restore_default_sigpipe();
    }
    let telemetry = match cli.otlp_endpoint.as_deref().filter(|url| !url.is_empty()).map(telemetry::start) {
        Some(Err(error)) => {
            output::report(&error);
            return ExitCode::FAILURE;
        }
        Some(Ok(telemetry)) => Some(telemetry),
        None => None,
    };
    let result = match cli.command {
        Command::Keygen(args) => commands::keygen::run(args),
        Command::Pop(args) => commands::pop::run(args),
        Command::Decode(args) => commands::decode::run(args),
        Command::Verify(args) => commands::verify::run(args),
        Command::Doctor(args) => commands::doctor::run(args),
        Command::Token(args) => commands::token::run(args),
        Command::Call(args) => commands::call::run(args),
        Command::Serve(args) => commands::serve::run(args),
        Command::Proxy(args) => commands::proxy::run(args),
        Command::Demo(args) => commands::demo::run(args),
        Command::Profile(args) => commands::profile::run(args),
        Command::Completions(args) => commands::completions::run(args, &mut Cli::command()),
    };
    if let Some(telemetry) = telemetry {
        telemetry.shutdown();
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            output::report(&error);
            ExitCode::FAILURE
        }
    }
}

/// A build without the `otlp` feature: `--otlp-endpoint` is refused (the environment variable
/// is not read, so a collector set for other programs changes nothing here).
#[cfg(not(feature = "otlp"))]
mod telemetry {
    pub struct Telemetry;

    impl Telemetry {
        pub fn shutdown(self) {}
    }

    pub fn start(_endpoint: &str) -> taap::Result<Telemetry> {
        Err(crate::output::config(
            "--otlp-endpoint: this taap was built without OTLP export (cargo feature `otlp`)",
        ))
    }
}

/// The commands used as filters (`taap decode … | head -1`, `taap call --dry-run … | head -3`):
/// they print and exit, and open no sockets, so a closed reader may end them as it ends any
/// Unix filter.
fn writes_to_a_pipe_and_exits(command: &Command) -> bool {
    if let Command::Call(args) = command {
        return args.is_dry_run();
    }
    if let Command::Token(args) = command {
        return args.is_dry_run();
    }
    matches!(
        command,
        Command::Keygen(_)
            | Command::Pop(_)
            | Command::Decode(_)
            | Command::Verify(_)
            | Command::Doctor(_)
            | Command::Profile(_)
            | Command::Completions(_)
    )
}

/// Rust ignores SIGPIPE, so `println!` to a closed pipe panics; the default action ends the
/// process quietly instead, as `head` expects of the command before it.
#[cfg(unix)]
fn restore_default_sigpipe() {
    // SAFETY: this runs on the only thread, before anything else is started, and `SIG_DFL` is a
    // valid disposition for SIGPIPE; no handler the program installed is replaced.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

#[cfg(not(unix))]
fn restore_default_sigpipe() {}
