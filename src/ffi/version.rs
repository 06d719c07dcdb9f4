//! The library version, as C sees it.

use core::ffi::c_char;

/// The library version, e.g. `"0.1.0"`: a static NUL-terminated string,
/// equal to `WTAS_VERSION_STRING` in the header the program was compiled
/// with if both come from the same release. Cannot fail.
#[unsafe(no_mangle)]
pub extern "C" fn wtas_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}
