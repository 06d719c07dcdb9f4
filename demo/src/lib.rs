//! The wtas demo package: its one program is the `raster` example,
//! `cargo run --release --example raster` from the repository root. A
//! package of its own, so that running it builds only wtas and `plotters`,
//! not the library's test and benchmark dependencies.
