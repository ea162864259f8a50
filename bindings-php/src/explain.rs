//! `Taap\PopToken::explain`: the core's `Explanation` as a PHP array with the keys, order and
//! types of `taap doctor --json`, so `json_encode()` of it is that document.

use ext_php_rs::boxed::ZBox;
use ext_php_rs::error::Result;
use ext_php_rs::types::ZendHashTable;
use taap::{
    diagnose::EdtsCheck, diagnose::Entry, diagnose::ExplainedClaims, diagnose::Explanation,
    diagnose::SignatureCheck, diagnose::TimeCheck, diagnose::VariantMatch,
};

/// The explanation as nested arrays: valid, header, claims, time, entries, edts, signature,
/// variant (null when none) and problems.
pub fn explanation_array(explanation: Explanation) -> Result<ZBox<ZendHashTable>> {
    let mut array = ZendHashTable::new();
    array.insert("valid", explanation.valid)?;
    let mut header = ZendHashTable::new();
    header.insert("alg", explanation.header.alg)?;
    header.insert("typ", explanation.header.typ)?;
    array.insert("header", header)?;
    array.insert("claims", claims_array(explanation.claims)?)?;
    array.insert("time", time_array(explanation.time)?)?;
    let mut entries = ZendHashTable::new();
    for entry in explanation.entries {
        entries.push(entry_array(entry)?)?;
    }
    array.insert("entries", entries)?;
    array.insert("edts", edts_array(explanation.edts)?)?;
    array.insert("signature", signature_name(explanation.signature))?;
    array.insert("variant", explanation.variant.map(variant_array).transpose()?)?;
    array.insert("problems", explanation.problems)?;
    Ok(array)
}

fn claims_array(claims: ExplainedClaims) -> Result<ZBox<ZendHashTable>> {
    let mut array = ZendHashTable::new();
    array.insert("edts", claims.edts)?;
    array.insert("v", claims.v)?;
    array.insert("exp", claims.exp)?;
    array.insert("ehts", claims.ehts)?;
    array.insert("iat", claims.iat)?;
    array.insert("jti", claims.jti)?;
    Ok(array)
}

fn time_array(time: TimeCheck) -> Result<ZBox<ZendHashTable>> {
    let mut array = ZendHashTable::new();
    array.insert("now", time.now)?;
    array.insert("expires_in", time.expires_in)?;
    array.insert("age", time.age)?;
    array.insert("ok", time.ok)?;
    array.insert("clock_offset", time.clock_offset)?;
    Ok(array)
}

fn entry_array(entry: Entry) -> Result<ZBox<ZendHashTable>> {
    let mut array = ZendHashTable::new();
    array.insert("name", entry.name)?;
    array.insert("value", entry.value)?;
    array.insert("bytes", entry.bytes)?;
    Ok(array)
}

fn edts_array(edts: EdtsCheck) -> Result<ZBox<ZendHashTable>> {
    let mut array = ZendHashTable::new();
    array.insert("claimed", edts.claimed)?;
    array.insert("computed", edts.computed)?;
    array.insert("matches", edts.matches)?;
    Ok(array)
}

fn variant_array(variant: VariantMatch) -> Result<ZBox<ZendHashTable>> {
    let mut array = ZendHashTable::new();
    array.insert("id", variant.id.id())?;
    array.insert("description", variant.description)?;
    Ok(array)
}

/// The name `taap doctor --json` gives the outcome.
fn signature_name(signature: SignatureCheck) -> &'static str {
    match signature {
        SignatureCheck::Valid => "valid",
        SignatureCheck::Invalid => "invalid",
        SignatureCheck::NotChecked => "not-checked",
    }
}
