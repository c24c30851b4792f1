//! UniFFI's binding generator, built against the same `uniffi` as the library:
//! `cargo run -p smime-ffi --bin uniffi-bindgen -- generate --library
//! target/debug/libsmime_uniffi.so --language kotlin --out-dir OUT`.

fn main() {
    uniffi::uniffi_bindgen_main()
}
