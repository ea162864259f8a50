//! `taap completions bash|zsh|fish`: the shell completion script on stdout.

use clap_complete::Shell;

/// Flags of `taap completions`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The shell to complete for.
    #[arg(value_parser = ["bash", "zsh", "fish"])]
    shell: String,
}

/// Writes the script for `command` (the whole `taap` command tree).
pub fn run(args: Args, command: &mut clap::Command) -> taap::Result<()> {
    let shell = match args.shell.as_str() {
        "zsh" => Shell::Zsh,
        "fish" => Shell::Fish,
        _ => Shell::Bash,
    };
    clap_complete::generate(shell, command, "taap", &mut std::io::stdout());
    Ok(())
}
