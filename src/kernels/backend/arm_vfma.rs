//! The fused multiply-add of Cortex-M4F, M7 and M33: their `VFMA.F32`.
//!
//! Stable Rust has no `f32::mul_add` without `std` and no Arm FPU
//! intrinsics, and its inline assembly accepts FPU register operands only
//! where it can see the FPU feature, which stable compilers do not print.
//! So the operands travel in core registers and the instruction works on
//! FPU registers it declares clobbered: four `VMOV`s around one `VFMA`,
//! still far cheaper than the software `fma` (an `f64` evaluation, in
//! software on these single-precision FPUs).
//!
//! Used where `build.rs` sets `cfg(wtas_vfma)`: Arm targets on the FPU
//! path whose cores all have `VFMA` (`thumbv7em`, `thumbv8m.main`).
#![allow(unsafe_code)]

/// `a * b + c`, rounded once.
#[inline(always)]
pub(crate) fn fma(a: f32, b: f32, c: f32) -> f32 {
    let mut acc = c.to_bits();
    // SAFETY: `VMOV` between core and FPU registers and `VFMA.F32` exist on
    // every core this module is compiled for (an FPv4-SP or FPv5 FPU, see
    // `build.rs`); the block reads and writes only the listed registers
    // (s13-s15 declared clobbered), touches no memory or stack, and leaves
    // the FPSCR's flags, which nothing here reads, as its only side effect.
    unsafe {
        core::arch::asm!(
            "vmov s13, {acc}",
            "vmov s14, {a}",
            "vmov s15, {b}",
            "vfma.f32 s13, s14, s15",
            "vmov {acc}, s13",
            a = in(reg) a.to_bits(),
            b = in(reg) b.to_bits(),
            acc = inout(reg) acc,
            out("s13") _,
            out("s14") _,
            out("s15") _,
            options(pure, nomem, nostack),
        );
    }
    f32::from_bits(acc)
}
