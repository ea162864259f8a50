//! uniffi's generator, pinned to the crate's uniffi version; scripts/build.sh runs it in
//! library mode on the built shared library.
fn main() {
    uniffi::uniffi_bindgen_main()
}
