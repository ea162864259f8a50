//! `taap profile list|show`: the profiles of the config file, secrets never shown.

use super::token::load_profiles;

/// Subcommands of `taap profile`.
#[derive(Debug, clap::Subcommand)]
pub enum Args {
    /// List the profiles of the config file, one name per line.
    List,
    /// Show one profile's settings (secrets appear only as the names of their variables).
    Show {
        /// The profile's name.
        name: String,
    },
}

/// Prints the profile names or one profile.
pub fn run(args: Args) -> taap::Result<()> {
    let profiles = load_profiles()?;
    match args {
        Args::List => {
            for profile in profiles.all() {
                println!("{}", profile.name);
            }
        }
        Args::Show { name } => {
            println!("[profile.{name}]");
            print!("{}", profiles.get(&name)?);
        }
    }
    Ok(())
}
