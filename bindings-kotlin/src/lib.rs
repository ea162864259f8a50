//! Native half of the `taap` jar: uniffi exports that convert JVM values to core types, call
//! the `taap` core and return its errors as one coded error the Kotlin layer turns into the
//! `TaapException` hierarchy.
//!
//! The public Java/Kotlin API (static factories, `LinkedHashMap` overloads, exception
//! classes) lives in `kotlin/dev/taap`; nothing here knows the protocol.
#![deny(unsafe_code)]

mod client;
mod error;
mod explain;
mod gate;
mod key_source;
mod keys;
mod policy;
mod settings;
mod signer;
mod token;
mod validator;

uniffi::setup_scaffolding!("taap");

/// The core's version, so a JVM caller can tell which core the jar carries.
#[uniffi::export]
pub fn core_version() -> String {
    taap::VERSION.to_owned()
}
