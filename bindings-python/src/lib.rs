//! `taap._taap`: the Python extension module over the taap core.
//!
//! It only converts Python values to core types and core errors to Python exceptions; the
//! protocol lives in the `taap` crate. The public package is `taap` (see `python/taap`).

mod client;
mod convert;
mod errors;
mod explain;
mod gate;
mod key_source;
mod keys;
mod policy;
mod replay_store;
mod settings;
mod signer;
mod testing;
mod token;
mod validator;

use pyo3::prelude::*;

#[pymodule]
#[pyo3(name = "_taap")]
fn taap_module(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<keys::PyPrivateKey>()?;
    module.add_class::<keys::PyPublicKey>()?;
    module.add_class::<signer::PySigner>()?;
    module.add_class::<token::PyPopToken>()?;
    module.add_class::<validator::PyPopTokenValidator>()?;
    module.add_class::<replay_store::PyRedisReplayStore>()?;
    module.add_class::<gate::PyPopGate>()?;
    module.add_class::<key_source::PyKeySource>()?;
    module.add_class::<client::PyTaapClient>()?;
    module.add_class::<client::PyAccessToken>()?;
    module.add_class::<client::PyResponse>()?;
    module.add_class::<policy::PySignPolicy>()?;
    module.add_function(wrap_pyfunction!(policy::request_uri, module)?)?;
    module.add_function(wrap_pyfunction!(policy::request_method, module)?)?;
    module.add_function(wrap_pyfunction!(explain::explain, module)?)?;
    module.add_function(wrap_pyfunction!(settings::settings_schema, module)?)?;
    module.add_function(wrap_pyfunction!(settings::middleware_settings, module)?)?;
    module.add("POP_HEADER", taap::request::POP_HEADER)?;
    module.add(
        "DEFAULT_SIGNED_HEADERS",
        pyo3::types::PyTuple::new(module.py(), taap::request::DEFAULT_SIGNED_HEADERS)?,
    )?;
    testing::register(module)?;
    module.add("__version__", taap::VERSION)?;
    module.add("ERROR_KINDS", errors::error_kinds())?;
    module.add("DEFAULT_TTL", taap::token::DEFAULT_TTL_SECS)?;
    module.add("MAX_TTL", taap::token::MAX_TTL_SECS)?;
    module.add("DEFAULT_LEEWAY", taap::validate::DEFAULT_LEEWAY_SECS)?;
    module.add("DEFAULT_MAX_AGE", taap::validate::DEFAULT_MAX_AGE_SECS)?;
    module.add("DEFAULT_REPLAY_CAPACITY", taap::validate::DEFAULT_REPLAY_CAPACITY)?;
    module.add("MAX_EHTS_ENTRIES", taap::token::MAX_EHTS_ENTRIES)?;
    module.add("KEY_CACHE_CAPACITY", taap::keys::KEY_CACHE_CAPACITY)?;
    module.add("TMOBILE_V2_TOKEN_URL", taap::client::TMOBILE_V2_TOKEN_URL)?;
    module.add("TMOBILE_V6_TOKEN_URL", taap::client::TMOBILE_V6_TOKEN_URL)?;
    Ok(())
}
