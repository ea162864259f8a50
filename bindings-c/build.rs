//! With the `generate-headers` feature, regenerates the committed C headers from the source:
//! `include/taap.h` (for C and C++) and `include/taap_ffi.h` (the same declarations without
//! preprocessor lines, for PHP's `FFI::cdef`). `TAAP_HEADER_DIR` writes them elsewhere, which
//! is how `scripts/test.sh` checks the committed ones for drift.

fn main() {
    #[cfg(feature = "generate-headers")]
    headers::generate();
}

#[cfg(feature = "generate-headers")]
mod headers {
    use std::path::{Path, PathBuf};

    const HEADERS: [(&str, &str); 2] = [("cbindgen.toml", "taap.h"), ("cbindgen-ffi.toml", "taap_ffi.h")];

    pub fn generate() {
        let crate_dir =
            PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
        let out_dir =
            std::env::var_os("TAAP_HEADER_DIR").map_or_else(|| crate_dir.join("include"), PathBuf::from);
        std::fs::create_dir_all(&out_dir).expect("cannot create the header directory");
        for (config, header) in HEADERS {
            let header = out_dir.join(header);
            write_header(&crate_dir, &crate_dir.join(config), &header);
            println!("cargo:rerun-if-changed={config}");
            // A deleted or hand-edited header is regenerated (cbindgen rewrites only on change).
            println!("cargo:rerun-if-changed={}", header.display());
        }
        println!("cargo:rerun-if-changed=src");
        // The shared C ABI (taap_status, taap_ehts_entry, …) is declared in this header too.
        println!("cargo:rerun-if-changed=../bindings-cabi/src");
        println!("cargo:rerun-if-env-changed=TAAP_HEADER_DIR");
    }

    fn write_header(crate_dir: &Path, config: &Path, header: &Path) {
        let config = cbindgen::Config::from_file(config).expect("cannot read the cbindgen config");
        cbindgen::Builder::new()
            .with_crate(crate_dir)
            .with_config(config)
            .generate()
            .expect("cbindgen cannot generate the header")
            .write_to_file(header);
    }
}
