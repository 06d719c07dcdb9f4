//! Sets `cfg(wtas_simd)` on targets whose SIMD registers `wide::f32x8` uses.
//!
//! Elsewhere (Cortex-M, RISC-V without the V extension, ...) `wide` would
//! only emulate eight lanes with scalar code, so every backend runs the
//! compact element-by-element kernels instead: one small copy in flash.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(wtas_simd)");
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let features = std::env::var("CARGO_CFG_TARGET_FEATURE").unwrap_or_default();
    let has = |f: &str| features.split(',').any(|x| x == f);
    let simd = match arch.as_str() {
        "x86" => has("sse2"),
        "x86_64" | "aarch64" => true,
        "arm" => has("neon"),
        "wasm32" => has("simd128"),
        _ => false,
    };
    if simd {
        println!("cargo::rustc-cfg=wtas_simd");
    }
}
