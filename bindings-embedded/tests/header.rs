//! taap_embedded.h against taap.h: every function both declare has the same prototype, and
//! `taap_ehts_entry` the same fields, so C code moves between the two libraries unchanged.

use std::collections::BTreeMap;

const EMBEDDED: &str = include_str!("../include/taap_embedded.h");
const TAAP_H: &str = include_str!("../../bindings-c/include/taap.h");

/// Every function prototype (`… taap_name(…);`), whitespace normalised, by name.
fn prototypes(header: &str) -> BTreeMap<String, String> {
    let code: String = header
        .lines()
        .filter(|line| {
            let line = line.trim_start();
            // Comments, preprocessor lines and C++'s `extern "C" {` … `}`.
            !(line.starts_with('*')
                || line.starts_with("/*")
                || line.starts_with('#')
                || line.starts_with("extern \"C\"")
                || line.starts_with("}  //"))
        })
        .collect::<Vec<_>>()
        .join(" ");
    let mut found = BTreeMap::new();
    for statement in code.split(';') {
        let statement = statement.split_whitespace().collect::<Vec<_>>().join(" ");
        let Some(open) = statement.find("taap_").filter(|_| statement.ends_with(')')) else { continue };
        let Some(paren) = statement.find('(') else { continue };
        if statement.contains("typedef") || statement.contains('{') || statement.contains('}') {
            continue;
        }
        let start = statement[..paren].rfind([' ', '*']).map_or(0, |at| at + 1);
        let name = &statement[start..paren];
        if open <= start && name.starts_with("taap_") {
            let from = statement.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(0);
            found.insert(name.to_owned(), statement[from..].replace("( ", "(").replace(" )", ")"));
        }
    }
    found
}

#[test]
fn shared_functions_have_taap_h_prototypes() {
    let embedded = prototypes(EMBEDDED);
    let taap_h = prototypes(TAAP_H);
    let shared: Vec<&String> = embedded.keys().filter(|name| taap_h.contains_key(*name)).collect();
    let expected = [
        "taap_pop_token_build",
        "taap_pop_token_build_with_signer",
        "taap_private_key_free",
        "taap_private_key_from_der",
        "taap_private_key_from_pem",
        "taap_public_key_free",
        "taap_public_key_from_der",
        "taap_public_key_from_pem",
        "taap_signer_free",
        "taap_signer_from_callback",
        "taap_status_name",
        "taap_string_free",
    ];
    assert_eq!(shared, expected, "the functions both headers declare");
    for name in shared {
        assert_eq!(embedded[name], taap_h[name], "{name}");
    }
    // The one function taap.h lacks: there is no global allocator to set in a hosted libtaap.
    let own: Vec<&String> = embedded.keys().filter(|name| !taap_h.contains_key(*name)).collect();
    assert_eq!(own, ["taap_set_allocator"]);
}

/// The struct's body without comments.
fn fields(header: &str, name: &str) -> Vec<String> {
    let start = header.find(&format!("typedef struct {name} {{")).expect("declared");
    let end = start + header[start..].find('}').expect("closed");
    header[start..end]
        .lines()
        .map(str::trim)
        .filter(|line| line.ends_with(';') && !line.starts_with('*'))
        .map(str::to_owned)
        .collect()
}

#[test]
fn ehts_entries_have_the_same_fields() {
    let fields_embedded = fields(EMBEDDED, "taap_ehts_entry");
    assert_eq!(fields_embedded, ["const char *name;", "const char *value;"]);
    assert_eq!(fields_embedded, fields(TAAP_H, "taap_ehts_entry"));
}

/// The `taap_status` enum of a header, doc comments and all.
fn status_enum(header: &str) -> &str {
    let start = header.find("typedef enum taap_status {").expect("declares taap_status");
    let end = start + header[start..].find("} taap_status;").expect("the enum ends");
    &header[start..end]
}

/// Both headers declare the one enum of bindings-cabi: the same names, values and descriptions.
#[test]
fn statuses_are_taap_h_s_to_the_letter() {
    assert_eq!(status_enum(EMBEDDED), status_enum(TAAP_H));
    assert!(status_enum(EMBEDDED).contains("    TAAP_CONFIG = 13,\n"));
    assert!(status_enum(EMBEDDED).contains("    TAAP_PANIC = 102,\n"));
}

/// A typedef's declaration, whitespace normalised.
fn typedef(header: &str, name: &str) -> String {
    let end = header.find(&format!("(*{name})")).expect("declared");
    let start = header[..end].rfind("typedef").expect("a typedef");
    let close = end + header[end..].find(';').expect("ends");
    header[start..close].split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_signing_callback_has_the_same_type() {
    let embedded = typedef(EMBEDDED, "taap_sign_digest_fn");
    assert_eq!(embedded, typedef(TAAP_H, "taap_sign_digest_fn"));
    assert!(embedded.contains("size_t *signature_len"), "{embedded}");
}
