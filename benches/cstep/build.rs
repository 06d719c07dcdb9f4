//! Compiles `src/step.c` with `-O3 -mavx2 -mfma` on x86-64 hosts and sets
//! `cfg(cstep)`; elsewhere (cross builds for Arm, wasm, Miri) nothing is
//! compiled and the crate is empty.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(cstep)");
    println!("cargo::rerun-if-changed=src/step.c");
    let var = |k: &str| std::env::var(k).unwrap_or_default();
    if var("CARGO_CFG_TARGET_ARCH") != "x86_64" || std::env::var_os("CARGO_CFG_MIRI").is_some() {
        return;
    }
    cc::Build::new()
        .file("src/step.c")
        .opt_level(3)
        .flag("-mavx2")
        .flag("-mfma")
        .flag("-std=c11")
        .warnings(true)
        .extra_warnings(true)
        .compile("wtas_cstep");
    println!("cargo::rustc-cfg=cstep");
}
