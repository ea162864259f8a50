//! `taap`: make and check TAAP PoP tokens from the command line.

mod commands;
mod ehts_args;
mod output;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Make and check T-Mobile API Access Protocol (TAAP) PoP tokens.
#[derive(Debug, Parser)]
#[command(name = "taap", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Generate an RSA key pair: DIR/private-key.pem (PKCS#8, mode 0600) and DIR/public-key.pem.
    Keygen(commands::keygen::Args),
    /// Build a PoP token from ehts entries or from an HTTP request, and print it.
    Pop(commands::pop::Args),
    /// Print a token's header and claims as JSON, without verifying it.
    Decode(commands::decode::Args),
    /// Validate a token against a public key and the request's values.
    Verify(commands::verify::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Keygen(args) => commands::keygen::run(args),
        Command::Pop(args) => commands::pop::run(args),
        Command::Decode(args) => commands::decode::run(args),
        Command::Verify(args) => commands::verify::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            output::report(&error);
            ExitCode::FAILURE
        }
    }
}
