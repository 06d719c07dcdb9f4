//! Sets `cfg(evstdp_vfma)` for the Cortex-M targets whose FPU has the
//! single-precision fused multiply-add `vfma.f32` (FPv4-SP and FPv5:
//! Cortex-M4F, M7F, M33F and the like), where the synapse uses it.
fn main() {
    println!("cargo::rustc-check-cfg=cfg(evstdp_vfma)");
    println!("cargo::rerun-if-changed=build.rs");
    let target = std::env::var("TARGET").unwrap_or_default();
    let m_fpu = target.starts_with("thumbv7em-") || target.starts_with("thumbv8m.main-");
    if m_fpu && target.ends_with("-eabihf") {
        println!("cargo::rustc-cfg=evstdp_vfma");
    }
}
