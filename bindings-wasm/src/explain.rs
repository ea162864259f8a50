//! `explain`: why a gateway would accept or refuse a PoP token for the request as sent, as the
//! object Node's `explain` returns (the JSON of `taap doctor --json`, same member names).

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::{wasm_bindgen, JsValue};

use crate::bytes::{pairs, seconds};
use crate::error::{to_js, Failure};

/// An object with `members`, in order.
fn object(members: &[(&str, JsValue)]) -> JsValue {
    let object = Object::new();
    for (name, value) in members {
        // Setting a property on a fresh plain object cannot fail.
        let _ = Reflect::set(&object, &(*name).into(), value);
    }
    object.into()
}

/// `null` for `None`, as serde renders it.
fn nullable<T: Into<JsValue>>(value: Option<T>) -> JsValue {
    value.map_or(JsValue::NULL, Into::into)
}

/// Epoch seconds and counts are far inside f64's exact integer range.
fn number(value: i64) -> JsValue {
    JsValue::from(value as f64)
}

/// A list of texts as an array.
fn strings(values: &[String]) -> JsValue {
    values.iter().map(|value| JsValue::from(value.as_str())).collect::<Array>().into()
}

// Each part is taken apart whole (no `..`): a member the core adds fails to compile here
// instead of going missing from the object.

fn header(header: &taap::diagnose::ExplainedHeader) -> JsValue {
    let taap::diagnose::ExplainedHeader { alg, typ } = header;
    object(&[("alg", alg.as_str().into()), ("typ", nullable(typ.as_deref()))])
}

fn claims(claims: &taap::diagnose::ExplainedClaims) -> JsValue {
    let taap::diagnose::ExplainedClaims { edts, v, exp, ehts, iat, jti } = claims;
    object(&[
        ("edts", edts.as_str().into()),
        ("v", v.as_str().into()),
        ("exp", number(*exp)),
        ("ehts", strings(ehts)),
        ("iat", number(*iat)),
        ("jti", jti.as_str().into()),
    ])
}

fn time(time: &taap::diagnose::TimeCheck) -> JsValue {
    let taap::diagnose::TimeCheck { now, expires_in, age, ok, clock_offset } = time;
    object(&[
        ("now", number(*now)),
        ("expires_in", number(*expires_in)),
        ("age", number(*age)),
        ("ok", (*ok).into()),
        ("clock_offset", nullable(clock_offset.map(|offset| offset as f64))),
    ])
}

fn entries(entries: &[taap::diagnose::Entry]) -> JsValue {
    let list = entries.iter().map(|taap::diagnose::Entry { name, value, bytes }| {
        object(&[
            ("name", name.as_str().into()),
            ("value", nullable(value.as_deref())),
            ("bytes", nullable(bytes.map(|count| count as f64))),
        ])
    });
    list.collect::<Array>().into()
}

fn edts(edts: &taap::diagnose::EdtsCheck) -> JsValue {
    let taap::diagnose::EdtsCheck { claimed, computed, matches } = edts;
    object(&[
        ("claimed", claimed.as_str().into()),
        ("computed", nullable(computed.as_deref())),
        ("matches", (*matches).into()),
    ])
}

/// `valid`, `invalid` or `not-checked`, as serde names them.
fn signature(check: taap::diagnose::SignatureCheck) -> JsValue {
    let id = match check {
        taap::diagnose::SignatureCheck::Valid => "valid",
        taap::diagnose::SignatureCheck::Invalid => "invalid",
        taap::diagnose::SignatureCheck::NotChecked => "not-checked",
    };
    id.into()
}

fn variant(variant: &taap::diagnose::VariantMatch) -> JsValue {
    let taap::diagnose::VariantMatch { id, description } = variant;
    object(&[("id", id.id().into()), ("description", (*description).into())])
}

/// The explanation as a plain object with the members and order of its JSON.
fn explanation(explanation: &taap::diagnose::Explanation) -> JsValue {
    let taap::diagnose::Explanation {
        valid,
        header: stated_header,
        claims: stated,
        time: window,
        entries: hashed,
        edts: compared,
        signature: check,
        variant: found,
        problems,
    } = explanation;
    object(&[
        ("valid", (*valid).into()),
        ("header", header(stated_header)),
        ("claims", claims(stated)),
        ("time", time(window)),
        ("entries", entries(hashed)),
        ("edts", edts(compared)),
        ("signature", signature(*check)),
        ("variant", found.as_ref().map_or(JsValue::NULL, variant)),
        ("problems", strings(problems)),
    ])
}

/// Explains `token` against a request as sent: claims, time, each hashed value (secrets
/// masked), the edts recomputed, the signer variant, and the signature when the public key is
/// given (as its SPKI DER: wasm-bindgen takes no optional reference to a key handle).
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn explain(
    token: &str,
    method: &str,
    url: &str,
    names: Vec<String>,
    values: &[u8],
    lengths: &[u32],
    body: &[u8],
    public_key_der: Option<Vec<u8>>,
    now: Option<f64>,
) -> Result<JsValue, Failure> {
    let mut request = taap::diagnose::ExplainRequest::new(method, url).body(body);
    for (name, value) in pairs(&names, values, lengths)? {
        request = request.header(name, value);
    }
    let public_key = public_key_der.as_deref().map(taap::PublicKey::from_der).transpose().map_err(to_js)?;
    let options = taap::diagnose::ExplainOptions { public_key: public_key.as_ref(), now: seconds(now) };
    taap::diagnose::explain(token, &request, &options).map(|found| explanation(&found)).map_err(to_js)
}
