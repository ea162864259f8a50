//! `taap._taap`: the Python extension module over the taap core.
//!
//! It only converts Python values to core types and core errors to Python exceptions; the
//! protocol lives in the `taap` crate. The public package is `taap` (see `python/taap`).

mod client;
mod convert;
mod errors;
mod keys;
mod token;
mod validator;

use pyo3::prelude::*;
use taap::ErrorKind;

/// Raises the exception a core error of `kind` maps to, so the mapping of kinds the
/// binding cannot trigger yet (OAuth, Transport) is testable.
#[pyfunction]
#[pyo3(signature = (kind, message, status = None))]
fn _raise_error(py: Python<'_>, kind: &str, message: String, status: Option<u16>) -> PyResult<()> {
    let kind = ErrorKind::parse(kind)
        .ok_or_else(|| pyo3::exceptions::PyValueError::new_err(format!("unknown error kind {kind:?}")))?;
    let error = match kind {
        ErrorKind::InvalidKey => taap::Error::InvalidKey(message),
        ErrorKind::KeyDecrypt => taap::Error::KeyDecrypt(message),
        ErrorKind::InvalidEhts => taap::Error::InvalidEhts(message),
        ErrorKind::InvalidToken => taap::Error::InvalidToken(message),
        ErrorKind::TokenExpired => taap::Error::TokenExpired(message),
        ErrorKind::TokenTooOld => taap::Error::TokenTooOld(message),
        ErrorKind::SignatureInvalid => taap::Error::SignatureInvalid(message),
        ErrorKind::EdtsMismatch => taap::Error::EdtsMismatch(message),
        ErrorKind::MissingEhtsValue => taap::Error::MissingEhtsValue(message),
        ErrorKind::Replay => taap::Error::Replay(message),
        ErrorKind::OAuth => taap::Error::OAuth { status: status.unwrap_or(500), message },
        ErrorKind::Transport => taap::Error::Transport(message),
        ErrorKind::Config => taap::Error::Config(message),
        _ => taap::Error::Config(message),
    };
    Err(errors::to_py_err(py, &error))
}

/// `(class name, code)` of every core error kind, in the core's order.
fn error_kinds() -> Vec<(String, &'static str)> {
    ErrorKind::ALL.iter().map(|kind| (errors::class_name(*kind), kind.code())).collect()
}

#[pymodule]
#[pyo3(name = "_taap")]
fn taap_module(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<keys::PyPrivateKey>()?;
    module.add_class::<keys::PyPublicKey>()?;
    module.add_class::<token::PyPopToken>()?;
    module.add_class::<validator::PyPopTokenValidator>()?;
    module.add_class::<client::PyTaapClient>()?;
    module.add_class::<client::PyAccessToken>()?;
    module.add_class::<client::PyResponse>()?;
    module.add_function(wrap_pyfunction!(_raise_error, module)?)?;
    module.add("__version__", taap::VERSION)?;
    module.add("ERROR_KINDS", error_kinds())?;
    module.add("DEFAULT_TTL", taap::DEFAULT_TTL_SECS)?;
    module.add("MAX_TTL", taap::MAX_TTL_SECS)?;
    module.add("DEFAULT_LEEWAY", taap::DEFAULT_LEEWAY_SECS)?;
    module.add("DEFAULT_MAX_AGE", taap::DEFAULT_MAX_AGE_SECS)?;
    module.add("DEFAULT_REPLAY_CAPACITY", taap::DEFAULT_REPLAY_CAPACITY)?;
    module.add("MAX_EHTS_ENTRIES", taap::MAX_EHTS_ENTRIES)?;
    module.add("KEY_CACHE_CAPACITY", taap::KEY_CACHE_CAPACITY)?;
    module.add("TMOBILE_V2_TOKEN_URL", taap::TMOBILE_V2_TOKEN_URL)?;
    module.add("TMOBILE_V6_TOKEN_URL", taap::TMOBILE_V6_TOKEN_URL)?;
    Ok(())
}
