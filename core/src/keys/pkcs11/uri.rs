//! RFC 7512 `pkcs11:` URIs: which token and object, which module, where the PIN is.

use std::path::PathBuf;

use zeroize::Zeroizing;

use crate::error::{shorten, Error, Result};

/// A parsed `pkcs11:` URI; the PIN, when given, is zeroised when dropped.
#[derive(Default)]
pub(super) struct Pkcs11Uri {
    pub(super) token: Option<String>,
    pub(super) serial: Option<String>,
    pub(super) manufacturer: Option<String>,
    pub(super) model: Option<String>,
    pub(super) slot_id: Option<u64>,
    pub(super) object: Option<String>,
    pub(super) id: Option<Vec<u8>>,
    pub(super) module_path: Option<PathBuf>,
    pub(super) pin: Option<Zeroizing<String>>,
}

impl Pkcs11Uri {
    /// Parses `uri`; messages quote attribute names, never a `pin-value`.
    pub(super) fn parse(uri: &str) -> Result<Self> {
        let bad = |what: String| Error::Config(format!("bad pkcs11: URI: {what}"));
        let body = uri
            .get(..7)
            .filter(|scheme| scheme.eq_ignore_ascii_case("pkcs11:"))
            .map(|_| &uri[7..])
            .ok_or_else(|| bad("it must start with pkcs11:".into()))?;
        let (path, query) = body.split_once('?').unwrap_or((body, ""));
        let mut parsed = Pkcs11Uri::default();
        let mut pin_source = None;
        for (name, value) in attributes(path, ';').chain(attributes(query, '&')) {
            let name = name.to_ascii_lowercase();
            let is_pin = name == "pin-value";
            let value = percent_decode(value).ok_or_else(|| bad(format!("{name} has a bad %-escape")))?;
            let text = || -> Result<String> {
                match String::from_utf8(value.clone()) {
                    Ok(text) => Ok(text),
                    Err(_) if is_pin => Err(bad("pin-value is not UTF-8".into())),
                    Err(_) => Err(bad(format!("{name} is not UTF-8"))),
                }
            };
            let duplicate = match name.as_str() {
                "token" => parsed.token.replace(text()?).is_some(),
                "serial" => parsed.serial.replace(text()?).is_some(),
                "manufacturer" => parsed.manufacturer.replace(text()?).is_some(),
                "model" => parsed.model.replace(text()?).is_some(),
                "object" => parsed.object.replace(text()?).is_some(),
                "id" => parsed.id.replace(value.clone()).is_some(),
                "slot-id" => {
                    let id = text()?.parse().map_err(|_| bad("slot-id must be a decimal number".into()))?;
                    parsed.slot_id.replace(id).is_some()
                }
                "type" => match text()?.as_str() {
                    "private" => false,
                    other => {
                        return Err(bad(format!(
                            "type={} names no private key; use type=private",
                            shorten(other, 20)
                        )))
                    }
                },
                "module-path" => parsed.module_path.replace(PathBuf::from(text()?)).is_some(),
                "pin-value" => parsed.pin.replace(Zeroizing::new(text()?)).is_some(),
                "pin-source" => pin_source.replace(text()?).is_some(),
                "module-name" => {
                    return Err(bad(
                        "module-name is not supported; give the module's file as module-path=…".into()
                    ))
                }
                other => return Err(bad(format!("unsupported attribute {}", shorten(other, 40)))),
            };
            if duplicate {
                return Err(bad(format!("{name} is given twice")));
            }
        }
        if let Some(source) = pin_source {
            if parsed.pin.is_some() {
                return Err(bad("give pin-value or pin-source, not both".into()));
            }
            parsed.pin = Some(read_pin_source(&source)?);
        }
        if parsed.object.is_none() && parsed.id.is_none() {
            return Err(bad("name the key with object=LABEL or id=%XX…".into()));
        }
        if parsed.module_path.is_none() {
            return Err(bad(
                "no module-path; add ?module-path=/path/to/module.so (e.g. /usr/lib/softhsm/libsofthsm2.so)"
                    .into(),
            ));
        }
        Ok(parsed)
    }

    /// The URI without its PIN: how messages and `--dry-run` name the key.
    pub(super) fn shown(&self) -> String {
        let mut parts = Vec::new();
        let texts = [("token", &self.token), ("serial", &self.serial), ("object", &self.object)];
        for (name, value) in texts {
            if let Some(value) = value {
                parts.push(format!("{name}={}", shorten(value, 64)));
            }
        }
        if let Some(id) = &self.id {
            parts.push(format!("id={}", id.iter().map(|byte| format!("%{byte:02x}")).collect::<String>()));
        }
        format!("pkcs11:{}", parts.join(";"))
    }
}

fn attributes(text: &str, separator: char) -> impl Iterator<Item = (&str, &str)> {
    text.split(separator)
        .filter(|part| !part.is_empty())
        .map(|part| part.split_once('=').unwrap_or((part, "")))
}

fn percent_decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' {
            let hex = bytes.get(index + 1..index + 3)?;
            out.push(u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?);
            index += 3;
        } else {
            out.push(bytes[index]);
            index += 1;
        }
    }
    Some(out)
}

/// RFC 7512's `pin-source`: a `file:` URI or a path; one trailing line break is not the PIN's.
fn read_pin_source(source: &str) -> Result<Zeroizing<String>> {
    let path = source.strip_prefix("file://").or_else(|| source.strip_prefix("file:")).unwrap_or(source);
    let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|error| {
        Error::Config(format!("cannot read the PIN from pin-source {}: {error}", shorten(path, 200)))
    })?);
    let pin = text.strip_suffix('\n').map_or(text.as_str(), |pin| pin.strip_suffix('\r').unwrap_or(pin));
    Ok(Zeroizing::new(pin.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_and_query_attributes_are_read() {
        let uri = Pkcs11Uri::parse(
            "pkcs11:token=My%20Token;object=taap;id=%01%a0;slot-id=3;type=private\
             ?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-value=12%334",
        )
        .unwrap();
        assert_eq!(uri.token.as_deref(), Some("My Token"));
        assert_eq!(uri.object.as_deref(), Some("taap"));
        assert_eq!(uri.id.as_deref(), Some(&[0x01, 0xa0][..]));
        assert_eq!(uri.slot_id, Some(3));
        assert_eq!(uri.module_path, Some(PathBuf::from("/usr/lib/softhsm/libsofthsm2.so")));
        assert_eq!(uri.pin.as_deref().map(String::as_str), Some("1234"));
        assert_eq!(uri.shown(), "pkcs11:token=My Token;object=taap;id=%01%a0");
    }

    #[test]
    fn bad_uris_are_config_errors_that_never_quote_the_pin() {
        let cases = [
            ("pkcs11:object=k", "no module-path"),
            ("pkcs11:token=t?module-path=/m.so", "name the key with object=LABEL"),
            ("pkcs11:object=k;object=j?module-path=/m.so", "object is given twice"),
            ("pkcs11:object=k;color=red?module-path=/m.so", "unsupported attribute color"),
            ("pkcs11:object=k;type=public?module-path=/m.so", "type=public names no private key"),
            ("pkcs11:object=%zz?module-path=/m.so", "object has a bad %-escape"),
            ("pkcs11:object=k?module-path=/m.so&pin-value=secret%ff", "pin-value is not UTF-8"),
            ("pkcs11:object=k?module-path=/m.so&pin-value=s3cret&pin-source=/p", "not both"),
        ];
        for (uri, expected) in cases {
            let message = Pkcs11Uri::parse(uri).err().unwrap().to_string();
            assert!(message.contains(expected), "{uri}: {message}");
            assert!(!message.contains("s3cret") && !message.contains("secret"), "{message}");
        }
    }
}
