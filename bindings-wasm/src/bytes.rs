//! Ordered `(name, value)` pairs as JavaScript hands them over: the names, and every value's
//! bytes back to back with their lengths (one copy into wasm memory instead of one per value).

use crate::error::{bad_argument, Failure};

/// Splits `packed` into one slice per length and zips them with `names`.
pub fn pairs<'a>(
    names: &'a [String],
    packed: &'a [u8],
    lengths: &[u32],
) -> Result<Vec<(&'a str, &'a [u8])>, Failure> {
    if names.len() != lengths.len() {
        return Err(bad_argument("ehts names and value lengths must be parallel arrays"));
    }
    let mut rest = packed;
    let mut out = Vec::with_capacity(names.len());
    for (name, &length) in names.iter().zip(lengths) {
        let length = usize::try_from(length).unwrap_or(usize::MAX);
        if length > rest.len() {
            return Err(bad_argument("ehts value lengths exceed the packed values"));
        }
        let (value, tail) = rest.split_at(length);
        out.push((name.as_str(), value));
        rest = tail;
    }
    if rest.is_empty() {
        Ok(out)
    } else {
        Err(bad_argument("ehts value lengths do not cover the packed values"))
    }
}

/// An optional whole number of seconds as the core takes it; `index.js` checked it is a safe integer.
pub fn seconds(value: Option<f64>) -> Option<i64> {
    // A safe integer converts exactly; anything else saturates, and the core's range checks reject it.
    value.map(|number| number as i64)
}
