//! With the `generate-headers` feature, regenerates `include/taap_embedded.h` from the source.
//! `TAAP_HEADER_DIR` writes it elsewhere, which is how `make test-embedded` checks the committed
//! one for drift.

fn main() {
    #[cfg(feature = "generate-headers")]
    header::generate();
}

#[cfg(feature = "generate-headers")]
mod header {
    use std::path::PathBuf;

    pub fn generate() {
        let crate_dir =
            PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
        let out_dir =
            std::env::var_os("TAAP_HEADER_DIR").map_or_else(|| crate_dir.join("include"), PathBuf::from);
        std::fs::create_dir_all(&out_dir).expect("cannot create the header directory");
        let header = out_dir.join("taap_embedded.h");
        let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml"))
            .expect("cannot read the cbindgen config");
        cbindgen::Builder::new()
            .with_crate(&crate_dir)
            .with_config(config)
            .generate()
            .expect("cbindgen cannot generate the header")
            .write_to_file(&header);
        println!("cargo:rerun-if-changed=cbindgen.toml");
        println!("cargo:rerun-if-changed={}", header.display());
        println!("cargo:rerun-if-changed=src");
        // The shared C ABI (taap_status, taap_ehts_entry, …) is declared in this header too.
        println!("cargo:rerun-if-changed=../bindings-cabi/src");
        println!("cargo:rerun-if-env-changed=TAAP_HEADER_DIR");
    }
}
