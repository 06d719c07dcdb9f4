//! Sets `cfg(wtas_simd)` on targets whose SIMD registers `wide::f32x8` uses,
//! `cfg(wtas_soft_float)` on targets without a floating-point unit (decided
//! in `build/float_unit.rs` from what stable `rustc` exposes, overridden by
//! `--cfg wtas_float="hard"` or `"soft"`), `cfg(wtas_vfma)` on Arm cores
//! whose FPU fuses multiply-adds, and `cfg(wtas_cstep)` where the step
//! benchmark's C baseline is (not in the published package).
//!
//! Elsewhere (Cortex-M, RISC-V without the V extension, ...) `wide` would
//! only emulate eight lanes with scalar code, so every backend runs the
//! element-by-element reference kernels instead: one small copy in flash.

#[path = "build/float_unit.rs"]
mod float_unit;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(wtas_simd)");
    println!("cargo::rustc-check-cfg=cfg(wtas_soft_float)");
    println!("cargo::rustc-check-cfg=cfg(wtas_cstep)");
    println!("cargo::rustc-check-cfg=cfg(wtas_float, values(\"hard\", \"soft\"))");
    println!("cargo::rustc-check-cfg=cfg(wtas_vfma)");
    // The C baseline of the step benchmark (`benches/cstep/`), a
    // development dependency that the published package does not have.
    if std::path::Path::new("benches/cstep/Cargo.toml").exists() {
        println!("cargo::rustc-cfg=wtas_cstep");
    }
    let var = |k: &str| std::env::var(k).unwrap_or_default();
    let arch = var("CARGO_CFG_TARGET_ARCH");
    let features = var("CARGO_CFG_TARGET_FEATURE");
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
    // Cores without a floating-point unit: `f32` arithmetic is a routine
    // call, and the crate's own routines for the common case are faster
    // (`src/kernels/backend/soft_float.rs`).
    let target = var("TARGET");
    let abi = var("CARGO_CFG_TARGET_ABI");
    let forced = std::env::var("CARGO_CFG_WTAS_FLOAT").ok();
    let cfg = float_unit::TargetCfg {
        arch: &arch,
        abi: &abi,
        features: &features,
        target: &target,
        forced: forced.as_deref(),
    };
    match float_unit::float_unit(&cfg) {
        Ok(float_unit::FloatUnit::Soft) => println!("cargo::rustc-cfg=wtas_soft_float"),
        Ok(float_unit::FloatUnit::Hard) => {
            // Arm cores whose FPU has a fused multiply-add (FPv4-SP and
            // FPv5: Cortex-M4F, M7, M33), which `src/kernels/backend/
            // arm_vfma.rs` runs; other Arm FPUs (VFPv3) have none.
            if arch == "arm"
                && (target.starts_with("thumbv7em") || target.starts_with("thumbv8m.main"))
            {
                println!("cargo::rustc-cfg=wtas_vfma");
            }
        }
        Err(message) => {
            println!("cargo::error={message}");
        }
    }
}
