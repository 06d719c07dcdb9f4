//! The AVX2 backend: 256-bit intrinsics, chosen at run time.
//!
//! Its lanes ([`Avx2`]) are private to this module and used only inside the
//! `#[target_feature(enable = "avx2,fma")]` entry points below, reachable
//! only through the table that [`Avx2Cpu::kernels`] hands out; an
//! `Avx2Cpu` exists only once detection has seen AVX2 on this CPU. So the value is the proof: no code outside
//! this module can run an AVX2 instruction, and code inside it runs them
//! only through a value that proves the CPU has them. A default build (no
//! `-C target-cpu`) still gets 256-bit code where the CPU has it.
#![allow(unsafe_code)]

#[cfg(target_arch = "x86")]
use core::arch::x86::*;
#[cfg(target_arch = "x86_64")]
use core::arch::x86_64::*;

use crate::kernels::lanes::{LANES, Lanes, Ops};
use crate::kernels::loops;
use crate::kernels::spec::{Kernels, Row, SoftmaxPath, StepConsts};

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

    /// The loops on AVX2 lanes, compiled for AVX2: `self` proves that this
    /// CPU runs them.
    #[inline]
    pub(crate) fn kernels(self) -> &'static Kernels {
        &KERNELS
    }
}

/// For each building block of [`Kernels`]: the loop instantiated with
/// [`Avx2`] lanes, compiled for AVX2 and FMA (in `enabled`), and a safe
/// entry for the table, which only [`Avx2Cpu::kernels`] hands out.
macro_rules! avx2_kernels {
    ($($name:ident($($arg:ident: $ty:ty),*) $(-> $ret:ty)? = $loop:ident;)*) => {
        /// The generic loops instantiated with [`Avx2`] lanes, compiled for AVX2.
        mod enabled {
            use super::*;
            $(
                #[target_feature(enable = "avx2,fma")]
                pub(super) fn $name($($arg: $ty),*) $(-> $ret)? {
                    loops::$loop::<Avx2>($($arg),*)
                }
            )*
        }

        /// The table of AVX2 kernels. Private: only an [`Avx2Cpu`] hands it
        /// out.
        static KERNELS: Kernels = Kernels { $($name: entry::$name),* };

        /// Safe entries into `enabled`, reachable only through [`KERNELS`].
        mod entry {
            use super::*;
            $(
                pub(super) fn $name($($arg: $ty),*) $(-> $ret)? {
                    // SAFETY: this function is reachable only through
                    // `KERNELS`, which only `Avx2Cpu::kernels` hands out,
                    // and an `Avx2Cpu` exists only where detection found
                    // AVX2 and FMA, the features enabled.
                    unsafe { enabled::$name($($arg),*) }
                }
            )*
        }
    };
}

avx2_kernels! {
    row_max(x: &[f32]) -> f32 = row_max;
    exp(x: [f32; LANES]) -> [f32; LANES] = exp_lanes;
    exp_sum(x: &[f32], max: f32, out: &mut [f32], path: SoftmaxPath) -> f32 = exp_sum;
    spike_mask(e_then_s: &mut [f32], inv: f32, thr: &[f32]) -> f32 = spike_mask;
    scale_in_place(x: &mut [f32], inv: f32) = scale_in_place;
    step_row(row: Row<'_>, k: &StepConsts) = step_row;
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
// only through the table an `Avx2Cpu` hands out, and an `Avx2Cpu` exists
// only where this CPU has AVX2. The
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
