//! AWS credentials and region the way the AWS CLI and SDKs find them first: the environment,
//! then the shared `credentials` and `config` files of the selected profile.

use std::path::PathBuf;

use zeroize::Zeroizing;

use crate::error::{shorten, Error, Result};

/// An access key; the secret and session token are zeroised when dropped and never shown.
pub(super) struct Credentials {
    pub(super) access_key_id: String,
    pub(super) secret_access_key: Zeroizing<String>,
    pub(super) session_token: Option<Zeroizing<String>>,
}

impl Credentials {
    /// `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`/`AWS_SESSION_TOKEN`, else the profile's
    /// entries in `AWS_SHARED_CREDENTIALS_FILE` (default `~/.aws/credentials`).
    pub(super) fn find() -> Result<Credentials> {
        if let (Some(id), Some(secret)) = (env("AWS_ACCESS_KEY_ID"), env("AWS_SECRET_ACCESS_KEY")) {
            return Ok(Credentials {
                access_key_id: id,
                secret_access_key: Zeroizing::new(secret),
                session_token: env("AWS_SESSION_TOKEN").map(Zeroizing::new),
            });
        }
        let profile = profile_name();
        let path = shared_file("AWS_SHARED_CREDENTIALS_FILE", "credentials");
        let section = path.as_ref().and_then(|path| read_section(path, &profile));
        let value = |name: &str| section.as_ref().and_then(|entries| lookup(entries, name));
        match (value("aws_access_key_id"), value("aws_secret_access_key")) {
            (Some(id), Some(secret)) => Ok(Credentials {
                access_key_id: id,
                secret_access_key: Zeroizing::new(secret),
                session_token: value("aws_session_token").map(Zeroizing::new),
            }),
            _ => Err(Error::Config(format!(
                "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or give profile \
                 {profile:?} aws_access_key_id and aws_secret_access_key in {}",
                path.map_or_else(|| "~/.aws/credentials".to_owned(), |path| path.display().to_string())
            ))),
        }
    }
}

/// `AWS_REGION`, `AWS_DEFAULT_REGION`, else the profile's `region` in `AWS_CONFIG_FILE`
/// (default `~/.aws/config`).
pub(super) fn region() -> Option<String> {
    if let Some(region) = env("AWS_REGION").or_else(|| env("AWS_DEFAULT_REGION")) {
        return Some(region);
    }
    let profile = profile_name();
    // The config file names profiles `[profile NAME]`, except `[default]`.
    let section = if profile == "default" { profile } else { format!("profile {profile}") };
    let entries = read_section(&shared_file("AWS_CONFIG_FILE", "config")?, &section)?;
    lookup(&entries, "region")
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|value| !value.is_empty())
}

fn profile_name() -> String {
    env("AWS_PROFILE").unwrap_or_else(|| "default".to_owned())
}

fn shared_file(variable: &str, name: &str) -> Option<PathBuf> {
    env(variable)
        .map(PathBuf::from)
        .or_else(|| env("HOME").map(|home| PathBuf::from(home).join(".aws").join(name)))
}

/// The `key = value` lines of `[section]`; a file that is missing or unreadable has none.
fn read_section(path: &PathBuf, section: &str) -> Option<Vec<(String, Zeroizing<String>)>> {
    let text = Zeroizing::new(std::fs::read_to_string(path).ok()?);
    let mut entries = None;
    for line in text.lines().map(str::trim) {
        if line.starts_with('#') || line.starts_with(';') || line.is_empty() {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|line| line.strip_suffix(']')) {
            if entries.is_some() {
                break;
            }
            if name.trim() == section {
                entries = Some(Vec::new());
            }
            continue;
        }
        if let (Some(entries), Some((key, value))) = (entries.as_mut(), line.split_once('=')) {
            entries.push((key.trim().to_ascii_lowercase(), Zeroizing::new(value.trim().to_owned())));
        }
    }
    entries
}

fn lookup(entries: &[(String, Zeroizing<String>)], name: &str) -> Option<String> {
    entries.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str().to_owned())
}

/// The region an ARN names (`arn:aws:kms:REGION:ACCOUNT:key/ID`), if `key` is one.
pub(super) fn arn_region(key: &str) -> Result<Option<String>> {
    if !key.starts_with("arn:") {
        return Ok(None);
    }
    match key.split(':').collect::<Vec<_>>().as_slice() {
        ["arn", _, "kms", region, _, _] if !region.is_empty() => Ok(Some((*region).to_owned())),
        _ => Err(Error::Config(format!(
            "{} is not a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID or …:alias/NAME)",
            shorten(key, 200)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_arn_names_its_region() {
        let arn = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        assert_eq!(arn_region(arn).unwrap().as_deref(), Some("eu-west-1"));
        assert_eq!(arn_region("alias/taap").unwrap(), None);
        assert_eq!(arn_region("arn:aws:s3:::bucket").unwrap_err().kind(), crate::ErrorKind::Config);
    }

    #[test]
    fn a_section_is_read_up_to_the_next_one() {
        let dir = std::env::temp_dir().join(format!("taap-aws-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("credentials");
        let text = "[default]\naws_access_key_id = A\n; note\n[ci]\nAWS_Access_Key_Id=B\naws_secret_access_key = s\n[x]\n";
        std::fs::write(&file, text).unwrap();
        let ci = read_section(&file, "ci").unwrap();
        assert_eq!(lookup(&ci, "aws_access_key_id").as_deref(), Some("B"));
        assert_eq!(lookup(&ci, "aws_secret_access_key").as_deref(), Some("s"));
        assert_eq!(lookup(&read_section(&file, "default").unwrap(), "aws_secret_access_key"), None);
        assert!(read_section(&file, "absent").is_none());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
