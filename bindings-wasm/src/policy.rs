//! The core's request rules: the signing policy, `uri` and `http-method`.

use js_sys::Array;
use wasm_bindgen::prelude::{wasm_bindgen, JsValue};

use crate::bytes::pairs;
use crate::error::{to_js, Failure};
use crate::token::EhtsHandle;

/// A `taap::SignPolicy`: which headers of an outgoing request a PoP token signs.
#[wasm_bindgen]
pub struct SignPolicyHandle {
    inner: taap::SignPolicy,
}

impl From<taap::SignPolicy> for SignPolicyHandle {
    fn from(inner: taap::SignPolicy) -> Self {
        SignPolicyHandle { inner }
    }
}

#[wasm_bindgen]
impl SignPolicyHandle {
    /// The docs' policy: `Content-Type` and `Authorization` when present.
    pub fn docs() -> SignPolicyHandle {
        taap::SignPolicy::new().into()
    }

    /// Exactly these headers, in this order, each when the request has it.
    pub fn headers(names: Vec<String>) -> Result<SignPolicyHandle, Failure> {
        taap::SignPolicy::headers(names).map(Self::from).map_err(to_js)
    }

    /// Every header the request carries, in the request's order.
    #[wasm_bindgen(js_name = allHeaders)]
    pub fn all_headers() -> SignPolicyHandle {
        taap::SignPolicy::all_headers().into()
    }

    /// A new policy that also signs `name`.
    #[wasm_bindgen(js_name = withHeader)]
    pub fn with_header(&self, name: &str) -> Result<SignPolicyHandle, Failure> {
        self.inner.clone().with_header(name).map(Self::from).map_err(to_js)
    }

    /// A new policy that never signs `name`.
    #[wasm_bindgen(js_name = withoutHeader)]
    pub fn without_header(&self, name: &str) -> Result<SignPolicyHandle, Failure> {
        self.inner.clone().without_header(name).map(Self::from).map_err(to_js)
    }

    /// `[index, value]` of each header this policy signs, in signing order, values trimmed.
    pub fn select(&self, names: Vec<String>, values: Vec<String>) -> Array {
        let headers: Vec<(&str, &str)> =
            names.iter().map(String::as_str).zip(values.iter().map(String::as_str)).collect();
        self.inner
            .select(&headers)
            .into_iter()
            .map(|(name, value)| {
                // The core hands back sub-slices of the input, so the pointer finds the entry.
                let index = names.iter().position(|known| std::ptr::eq(known.as_str(), name)).unwrap_or(0);
                let pair = Array::new();
                pair.push(&JsValue::from(index as f64));
                pair.push(&JsValue::from(String::from_utf8_lossy(value).as_ref()));
                JsValue::from(pair)
            })
            .collect()
    }

    /// The ehts of one request as this policy signs it.
    pub fn ehts(
        &self,
        method: &str,
        url: &str,
        names: Vec<String>,
        values: &[u8],
        lengths: &[u32],
        body: &[u8],
    ) -> Result<EhtsHandle, Failure> {
        let headers = pairs(&names, values, lengths)?;
        self.inner.ehts(method, url, &headers, body).map(|inner| EhtsHandle { inner }).map_err(to_js)
    }

    /// The header names this policy names, for `toString`.
    pub fn describe(&self) -> String {
        self.inner.describe()
    }

    /// Whether `other` selects the same headers.
    pub fn equals(&self, other: &SignPolicyHandle) -> bool {
        self.inner == other.inner
    }
}

/// The `uri` value of a URL or path: path plus percent-decoded query.
#[wasm_bindgen(js_name = requestUri)]
pub fn request_uri(url: &str) -> Result<String, Failure> {
    let uri = taap::request::request_uri(url).map_err(to_js)?;
    // JavaScript strings cannot hold bytes that are not UTF-8; they show as U+FFFD.
    Ok(String::from_utf8_lossy(&uri).into_owned())
}

/// The `http-method` value: the method upper-cased, which must be an HTTP token.
#[wasm_bindgen(js_name = requestMethod)]
pub fn request_method(method: &str) -> Result<String, Failure> {
    taap::request::request_method(method).map_err(to_js)
}
