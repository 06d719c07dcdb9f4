//! With the `defmt` feature, the types a firmware logs implement
//! `defmt::Format` (a compile-time check: the test binary only builds if
//! they do; nothing is logged, so no global logger is linked).

use wtas::{BufferName, Config, Error, Params};

/// Compiles only for `T: defmt::Format`.
const fn implements_format<T: defmt::Format>() {}

const _: () = {
    implements_format::<Config>();
    implements_format::<Params>();
    implements_format::<Error>();
    implements_format::<BufferName>();
};

#[test]
fn config_params_and_errors_implement_format() {
    // The assertions above are the test; this one keeps a line in the
    // test summary, and checks that the types are the crate's public ones.
    implements_format::<wtas::Error>();
    let params = Config::new(4).validate();
    assert!(params.is_ok());
}
