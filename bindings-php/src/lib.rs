//! The taap core as a native PHP extension: the `Taap\` classes. Every rule lives in the
//! core; this crate converts PHP values to core types and `taap::Error` to exceptions.
#![cfg_attr(windows, feature(abi_vectorcall))]

mod client;
mod convert;
mod errors;
mod explain;
mod gate;
mod key_source;
mod keys;
mod policy;
mod settings;
mod signer;
mod token;
mod validator;

use ext_php_rs::prelude::*;
use ext_php_rs::zend::ModuleEntry;
use ext_php_rs::{info_table_end, info_table_row, info_table_start};

/// The exception classes come from the core's table, so they are built at start-up.
unsafe extern "C" fn startup(_type: i32, _module: i32) -> i32 {
    match std::panic::catch_unwind(errors::register) {
        Ok(Ok(())) => 0,
        _ => -1,
    }
}

/// `php -i` / `phpinfo()`: the version of the core in use.
unsafe extern "C" fn info(_module: *mut ModuleEntry) {
    info_table_start!();
    info_table_row!("taap support", "enabled");
    info_table_row!("taap version", taap::VERSION);
    info_table_end!();
}

/// The module: the `Taap\` classes.
#[php_module]
pub fn get_module(module: ModuleBuilder) -> ModuleBuilder {
    module
        .startup_function(startup)
        .info_function(info)
        .class::<keys::PrivateKey>()
        .class::<keys::PublicKey>()
        .class::<signer::Signer>()
        .class::<token::PopToken>()
        .class::<token::DecodedPopToken>()
        .class::<policy::SignPolicy>()
        .class::<validator::PopTokenValidator>()
        .class::<gate::PopGate>()
        .class::<key_source::KeySource>()
        .class::<client::TaapClient>()
        .class::<client::Response>()
        .class::<client::AccessToken>()
        .function(settings::schema_function())
}
