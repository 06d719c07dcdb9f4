//! The AVX2 backend: 256-bit intrinsics, chosen at run time.
//!
//! Its lanes ([`Avx2`]) are private to this module and used only inside the
//! `#[target_feature(enable = "avx2,fma")]` entry points below, which only the
//! methods of [`Avx2Cpu`] call; an `Avx2Cpu` exists only once detection
//! has seen AVX2 on this CPU. So the value is the proof: no code outside
//! this module can run an AVX2 instruction, and code inside it runs them
//! only through a value that proves the CPU has them. A default build (no
//! `-C target-cpu`) still gets 256-bit code where the CPU has it.
#![allow(unsafe_code)]

#[cfg(target_arch = "x86")]
use core::arch::x86::*;
#[cfg(target_arch = "x86_64")]
use core::arch::x86_64::*;

use super::{LANES, Lanes, Ops};
use crate::kernels::loops;
use crate::kernels::spec::{Row, SoftmaxPath, StepConsts};

/// Proof that this CPU runs AVX2, and the kernels that need it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Avx2Cpu(());

impl Avx2Cpu {
    /// `Some` if this CPU runs AVX2: detected at run time with `std`, fixed
    /// by the build's target features without it.
    #[inline]
    pub(crate) fn detect() -> Option<Self> {
        #[cfg(feature = "std")]
        let found = std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma");
        #[cfg(not(feature = "std"))]
        let found = cfg!(all(target_feature = "avx2", target_feature = "fma"));
        found.then_some(Avx2Cpu(()))
    }

    /// [`loops::row_max`] on AVX2 lanes.
    #[inline]
    pub(crate) fn row_max(self, x: &[f32]) -> f32 {
        // SAFETY: `self` proves this CPU has AVX2 and FMA, the features enabled.
        unsafe { enabled::row_max(x) }
    }

    /// [`loops::exp_array`] on AVX2 lanes.
    #[inline]
    pub(crate) fn exp_array(self, x: [f32; LANES]) -> [f32; LANES] {
        // SAFETY: `self` proves this CPU has AVX2 and FMA, the features enabled.
        unsafe { enabled::exp_array(x) }
    }

    /// [`loops::exp_sum`] on AVX2 lanes.
    #[inline]
    pub(crate) fn exp_sum(self, x: &[f32], max: f32, out: &mut [f32], path: SoftmaxPath) -> f32 {
        // SAFETY: `self` proves this CPU has AVX2 and FMA, the features enabled.
        unsafe { enabled::exp_sum(x, max, out, path) }
    }

    /// [`loops::spike_mask`] on AVX2 lanes.
    #[inline]
    pub(crate) fn spike_mask(self, e_then_s: &mut [f32], inv: f32, thr: &[f32]) -> f32 {
        // SAFETY: `self` proves this CPU has AVX2 and FMA, the features enabled.
        unsafe { enabled::spike_mask(e_then_s, inv, thr) }
    }

    /// [`loops::scale_in_place`] on AVX2 lanes.
    #[inline]
    pub(crate) fn scale_in_place(self, x: &mut [f32], inv: f32) {
        // SAFETY: `self` proves this CPU has AVX2 and FMA, the features enabled.
        unsafe { enabled::scale_in_place(x, inv) }
    }

    /// [`loops::step_row`] on AVX2 lanes.
    #[inline]
    pub(crate) fn step_row(self, row: Row<'_>, k: &StepConsts) {
        // SAFETY: `self` proves this CPU has AVX2 and FMA, the features enabled.
        unsafe { enabled::step_row(row, k) }
    }
}

/// The generic loops instantiated with [`Avx2`] lanes, compiled for AVX2.
mod enabled {
    use super::*;

    #[target_feature(enable = "avx2,fma")]
    pub(super) fn row_max(x: &[f32]) -> f32 {
        loops::row_max::<Avx2>(x)
    }
    #[target_feature(enable = "avx2,fma")]
    pub(super) fn exp_array(x: [f32; LANES]) -> [f32; LANES] {
        loops::exp_array::<Avx2>(x)
    }
    #[target_feature(enable = "avx2,fma")]
    pub(super) fn exp_sum(x: &[f32], max: f32, out: &mut [f32], path: SoftmaxPath) -> f32 {
        loops::exp_sum::<Avx2>(x, max, out, path)
    }
    #[target_feature(enable = "avx2,fma")]
    pub(super) fn spike_mask(e_then_s: &mut [f32], inv: f32, thr: &[f32]) -> f32 {
        loops::spike_mask::<Avx2>(e_then_s, inv, thr)
    }
    #[target_feature(enable = "avx2,fma")]
    pub(super) fn scale_in_place(x: &mut [f32], inv: f32) {
        loops::scale_in_place::<Avx2>(x, inv)
    }
    #[target_feature(enable = "avx2,fma")]
    pub(super) fn step_row(row: Row<'_>, k: &StepConsts) {
        loops::step_row::<Avx2>(row, k)
    }
}

/// Eight lanes in one AVX register. Private: see the module documentation.
#[derive(Clone, Copy, Debug)]
struct Avx2(__m256);

/// Eight `u32` lanes in one AVX register.
#[derive(Clone, Copy, Debug)]
struct Avx2Bits(__m256i);

// SAFETY (for every `unsafe` block in the two impls below): `Avx2` is
// private to this module, whose only code that uses it is the
// `#[target_feature(enable = "avx2,fma")]` functions in `enabled`; those run
// only through an `Avx2Cpu`, which exists only where this CPU has AVX2. The
// methods are `#[inline(always)]`, so they are compiled into those
// functions, with the feature. Loads and stores go through `&[f32; 8]` /
// `&mut [f32; 8]`, valid for eight unaligned `f32`s, matching
// `loadu`/`storeu`.
impl Lanes for Avx2 {
    #[inline(always)]
    fn load(src: &[f32; LANES]) -> Self {
        // SAFETY: see the impl comment; `src` is 8 readable f32s.
        Avx2(unsafe { _mm256_loadu_ps(src.as_ptr()) })
    }
    #[inline(always)]
    fn store(self, dst: &mut [f32; LANES]) {
        // SAFETY: see the impl comment; `dst` is 8 writable f32s.
        unsafe { _mm256_storeu_ps(dst.as_mut_ptr(), self.0) }
    }
    #[inline(always)]
    fn transpose8(rows: [Self; LANES]) -> [Self; LANES] {
        let [r0, r1, r2, r3, r4, r5, r6, r7] = rows;
        let [r0, r1, r2, r3, r4, r5, r6, r7] = [r0.0, r1.0, r2.0, r3.0, r4.0, r5.0, r6.0, r7.0];
        // SAFETY: see the impl comment. Unpacks pair the rows' elements,
        // shuffles gather four, and the 128-bit permutes join the halves:
        // the usual 24-instruction transpose, moving bits only.
        unsafe {
            let (t0, t1) = (_mm256_unpacklo_ps(r0, r1), _mm256_unpackhi_ps(r0, r1));
            let (t2, t3) = (_mm256_unpacklo_ps(r2, r3), _mm256_unpackhi_ps(r2, r3));
            let (t4, t5) = (_mm256_unpacklo_ps(r4, r5), _mm256_unpackhi_ps(r4, r5));
            let (t6, t7) = (_mm256_unpacklo_ps(r6, r7), _mm256_unpackhi_ps(r6, r7));
            let u0 = _mm256_shuffle_ps::<0x44>(t0, t2);
            let u1 = _mm256_shuffle_ps::<0xee>(t0, t2);
            let u2 = _mm256_shuffle_ps::<0x44>(t1, t3);
            let u3 = _mm256_shuffle_ps::<0xee>(t1, t3);
            let u4 = _mm256_shuffle_ps::<0x44>(t4, t6);
            let u5 = _mm256_shuffle_ps::<0xee>(t4, t6);
            let u6 = _mm256_shuffle_ps::<0x44>(t5, t7);
            let u7 = _mm256_shuffle_ps::<0xee>(t5, t7);
            [
                Avx2(_mm256_permute2f128_ps::<0x20>(u0, u4)),
                Avx2(_mm256_permute2f128_ps::<0x20>(u1, u5)),
                Avx2(_mm256_permute2f128_ps::<0x20>(u2, u6)),
                Avx2(_mm256_permute2f128_ps::<0x20>(u3, u7)),
                Avx2(_mm256_permute2f128_ps::<0x31>(u0, u4)),
                Avx2(_mm256_permute2f128_ps::<0x31>(u1, u5)),
                Avx2(_mm256_permute2f128_ps::<0x31>(u2, u6)),
                Avx2(_mm256_permute2f128_ps::<0x31>(u3, u7)),
            ]
        }
    }
}

impl Ops for Avx2 {
    type Mask = Avx2;
    type Bits = Avx2Bits;

    #[inline(always)]
    fn splat(x: f32) -> Self {
        // SAFETY: see the impl comment.
        Avx2(unsafe { _mm256_set1_ps(x) })
    }
    #[inline(always)]
    fn add(self, rhs: Self) -> Self {
        // SAFETY: see the impl comment.
        Avx2(unsafe { _mm256_add_ps(self.0, rhs.0) })
    }
    #[inline(always)]
    fn sub(self, rhs: Self) -> Self {
        // SAFETY: see the impl comment.
        Avx2(unsafe { _mm256_sub_ps(self.0, rhs.0) })
    }
    #[inline(always)]
    fn mul(self, rhs: Self) -> Self {
        // SAFETY: see the impl comment.
        Avx2(unsafe { _mm256_mul_ps(self.0, rhs.0) })
    }
    #[inline(always)]
    fn floor_small(self) -> Self {
        // SAFETY: see the impl comment. `roundps` toward -inf: the exact
        // floor of every lane.
        Avx2(unsafe { _mm256_floor_ps(self.0) })
    }
    #[inline(always)]
    fn mul_add(self, b: Self, c: Self) -> Self {
        // SAFETY: see the impl comment (FMA is enabled with AVX2).
        Avx2(unsafe { _mm256_fmadd_ps(self.0, b.0, c.0) })
    }
    #[inline(always)]
    fn gt(self, rhs: Self) -> Self::Mask {
        // SAFETY: see the impl comment.
        Avx2(unsafe { _mm256_cmp_ps::<_CMP_GT_OQ>(self.0, rhs.0) })
    }
    #[inline(always)]
    fn ge(self, rhs: Self) -> Self::Mask {
        // SAFETY: see the impl comment.
        Avx2(unsafe { _mm256_cmp_ps::<_CMP_GE_OQ>(self.0, rhs.0) })
    }
    #[inline(always)]
    fn max_gt(self, rhs: Self) -> Self {
        // SAFETY: see the impl comment. `maxps` is `a > b ? a : b`.
        Avx2(unsafe { _mm256_max_ps(self.0, rhs.0) })
    }
    #[inline(always)]
    fn min_lt(self, rhs: Self) -> Self {
        // SAFETY: see the impl comment. `minps` is `a < b ? a : b`.
        Avx2(unsafe { _mm256_min_ps(self.0, rhs.0) })
    }
    #[inline(always)]
    fn is_nan(self) -> Self::Mask {
        // SAFETY: see the impl comment.
        Avx2(unsafe { _mm256_cmp_ps::<_CMP_UNORD_Q>(self.0, self.0) })
    }
    #[inline(always)]
    fn abs(self) -> Self {
        // SAFETY: see the impl comment. `andnot` with -0.0 clears the sign bit.
        Avx2(unsafe { _mm256_andnot_ps(_mm256_set1_ps(-0.0), self.0) })
    }
    #[inline(always)]
    fn flush_below(self, lim: Self) -> Self {
        // SAFETY: see the impl comment. The and with -0.0 keeps the sign
        // bit alone: the zero of the lane's sign.
        unsafe {
            let sign = _mm256_set1_ps(-0.0);
            let abs = _mm256_andnot_ps(sign, self.0);
            let tiny = _mm256_cmp_ps::<_CMP_LT_OQ>(abs, lim.0);
            Avx2(_mm256_blendv_ps(self.0, _mm256_and_ps(self.0, sign), tiny))
        }
    }
    #[inline(always)]
    fn or(a: Self::Mask, b: Self::Mask) -> Self::Mask {
        // SAFETY: see the impl comment.
        Avx2(unsafe { _mm256_or_ps(a.0, b.0) })
    }
    #[inline(always)]
    fn any(mask: Self::Mask) -> bool {
        // SAFETY: see the impl comment. The sign bit of each lane is its
        // truth (every mask lane is all ones or all zeros).
        unsafe { _mm256_movemask_ps(mask.0) != 0 }
    }
    #[inline(always)]
    fn select(mask: Self::Mask, if_true: Self, if_false: Self) -> Self {
        // SAFETY: see the impl comment.
        Avx2(unsafe { _mm256_blendv_ps(if_false.0, if_true.0, mask.0) })
    }
    #[inline(always)]
    fn select_or_zero(mask: Self::Mask, x: Self) -> Self {
        // SAFETY: see the impl comment. Every mask comes from a compare (or
        // an or of compares), so each lane is all ones or all zeros and the
        // and gives `x` or +0.0. (The blend with zero would be lowered to a
        // sign test plus an and.)
        Avx2(unsafe { _mm256_and_ps(mask.0, x.0) })
    }
    #[inline(always)]
    fn to_bits(self) -> Self::Bits {
        // SAFETY: see the impl comment.
        Avx2Bits(unsafe { _mm256_castps_si256(self.0) })
    }
    #[inline(always)]
    fn from_bits(bits: Self::Bits) -> Self {
        // SAFETY: see the impl comment.
        Avx2(unsafe { _mm256_castsi256_ps(bits.0) })
    }
    #[inline(always)]
    fn bits_add(a: Self::Bits, b: Self::Bits) -> Self::Bits {
        // SAFETY: see the impl comment.
        Avx2Bits(unsafe { _mm256_add_epi32(a.0, b.0) })
    }
    #[inline(always)]
    fn bits_shl<const K: u32>(a: Self::Bits) -> Self::Bits {
        // SAFETY: see the impl comment.
        Avx2Bits(unsafe { _mm256_sll_epi32(a.0, _mm_cvtsi32_si128(K as i32)) })
    }
}
