//! How the CLI talks to people: one line per failure, naming the error kind.

/// Prints `taap: <Kind>: <message>` on stderr; messages never carry secrets.
pub fn report(error: &taap::Error) {
    eprintln!("taap: {}: {error}", error.kind());
}

/// A CLI usage problem that clap cannot see (e.g. two flags that exclude each other).
pub fn config(message: impl Into<String>) -> taap::Error {
    taap::Error::Config(message.into())
}
