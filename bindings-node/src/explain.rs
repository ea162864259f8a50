//! `explain`: why a gateway would refuse a PoP token, as the core's `Explanation` in JSON (the
//! same document `taap doctor --json` prints); lib/explain.js parses it.

use napi_derive::napi;

use crate::bytes::{as_bytes, check_parallel, pairs, BytesArg};
use crate::error::{to_js, Failure};
use crate::keys::PublicKeyHandle;

/// The explanation of `token` against the request as sent, as JSON text.
#[napi]
#[allow(clippy::too_many_arguments)]
pub fn explain(
    token: String,
    method: String,
    url: String,
    header_names: Vec<String>,
    header_values: Vec<BytesArg>,
    body: BytesArg,
    public_key: Option<&PublicKeyHandle>,
    now: Option<i64>,
) -> Result<String, Failure> {
    check_parallel(&header_names, &header_values)?;
    let mut request = taap::diagnose::ExplainRequest::new(method, url).body(as_bytes(&body));
    for (name, value) in pairs(&header_names, &header_values) {
        request = request.header(name, value);
    }
    let options = taap::diagnose::ExplainOptions { public_key: public_key.map(|key| &key.inner), now };
    let explanation = taap::diagnose::explain(&token, &request, &options).map_err(to_js)?;
    serde_json::to_string(&explanation)
        .map_err(|error| to_js(taap::Error::Config(format!("the explanation does not serialise: {error}"))))
}
