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

/// [`cephes_expm1`](crate::kernels::spec::exp::cephes_expm1), its eight
/// constants `consts`, in one block:
/// the nine multiply-adds and the square with two moves in, one out, and
/// the eight constants loaded with one `VLDM`, instead of four moves around
/// each `VFMA`. The same operations in the same order, so the same bits.
#[inline(always)]
pub(crate) fn cephes_expm1(x: f32, n: f32, consts: &'static [f32; 8]) -> f32 {
    let mut out = x.to_bits();
    // SAFETY: `VLDM` reads the eight `f32`s of `consts`, a valid `'static`
    // array (its address in `k`); `VMOV`, `VFMA.F32` and `VMUL.F32` exist on
    // every core this module is compiled for; the block writes only the
    // listed registers (s0-s9 declared clobbered) and no memory, and leaves
    // the FPSCR's flags, which nothing here reads.
    unsafe {
        core::arch::asm!(
            "vmov s0, {x}",
            "vmov s1, {n}",
            "vldm {k}, {{s2-s9}}",
            "vfma.f32 s0, s1, s2",
            "vfma.f32 s0, s1, s3",
            "vfma.f32 s5, s4, s0",
            "vfma.f32 s6, s5, s0",
            "vfma.f32 s7, s6, s0",
            "vfma.f32 s8, s7, s0",
            "vfma.f32 s9, s8, s0",
            "vmul.f32 s1, s0, s0",
            "vfma.f32 s0, s9, s1",
            "vmov {x}, s0",
            x = inout(reg) out,
            n = in(reg) n.to_bits(),
            k = in(reg) consts.as_ptr(),
            out("s0") _, out("s1") _, out("s2") _, out("s3") _, out("s4") _,
            out("s5") _, out("s6") _, out("s7") _, out("s8") _, out("s9") _,
            options(pure, readonly, nostack),
        );
    }
    f32::from_bits(out)
}

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
