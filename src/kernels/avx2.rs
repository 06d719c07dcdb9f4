//! The AVX2 backend, chosen at run time: every `unsafe` block of the
//! kernels lives here.
//!
//! The kernels are the same generic code as every other backend,
//! instantiated with [`Avx2`] lanes inside `#[target_feature(enable =
//! "avx2")]` entry points, so a default build (no `-C target-cpu`) still
//! runs 256-bit code where the CPU has it. Each entry point is reached only
//! through a wrapper that checks the CPU first ([`available`]) and otherwise
//! runs the portable backend, which gives the same bits; so even
//! `Backend::Avx2` on a CPU without AVX2 is sound, merely not faster.
#![allow(unsafe_code)]

#[cfg(target_arch = "x86")]
use core::arch::x86::*;
#[cfg(target_arch = "x86_64")]
use core::arch::x86_64::*;

use super::lanes::{LANES, Lanes, Ops};
use super::rows::{self, Row, StepConsts};

/// Whether this CPU runs AVX2: detected at run time with `std`, fixed at
/// compile time without it.
#[inline]
pub(crate) fn available() -> bool {
    #[cfg(feature = "std")]
    {
        std::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(feature = "std"))]
    {
        cfg!(target_feature = "avx2")
    }
}

/// Eight lanes in one AVX register.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Avx2(__m256);

/// Eight `u32` lanes in one AVX register.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Avx2Bits(__m256i);

// SAFETY (for every `unsafe` block in the two impls below): these methods are
// `#[inline(always)]` and only ever called from the `#[target_feature(enable
// = "avx2")]` functions below, which run only after `available()` returned
// true; so every AVX/AVX2 intrinsic executes on a CPU that has it. Loads and
// stores go through `&[f32; 8]` / `&mut [f32; 8]`, which are valid for
// eight unaligned `f32`s, matching `loadu`/`storeu`.
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
    fn div(self, rhs: Self) -> Self {
        // SAFETY: see the impl comment.
        Avx2(unsafe { _mm256_div_ps(self.0, rhs.0) })
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

/// Defines, for each kernel, a `#[target_feature]` entry point instantiated
/// with [`Avx2`] and a safe wrapper that checks the CPU and falls back to
/// the portable backend (same bits) when AVX2 is missing.
macro_rules! entry_points {
    ($(fn $name:ident($($arg:ident: $ty:ty),*) -> $ret:ty = $($generic:ident)::+;)*) => {
        mod enabled {
            use super::*;
            $(
                #[target_feature(enable = "avx2")]
                pub(super) fn $name($($arg: $ty),*) -> $ret {
                    $($generic)::+::<Avx2>($($arg),*)
                }
            )*
        }
        $(
            #[inline]
            pub(crate) fn $name($($arg: $ty),*) -> $ret {
                if available() {
                    // SAFETY: `available()` confirmed this CPU has AVX2, the
                    // only target feature the entry point enables.
                    unsafe { enabled::$name($($arg),*) }
                } else {
                    $($generic)::+::<wide::f32x8>($($arg),*)
                }
            }
        )*
    };
}

entry_points! {
    fn row_max(x: &[f32]) -> f32 = rows::row_max;
    fn exp_array(x: [f32; LANES]) -> [f32; LANES] = rows::exp_array;
    fn exp_sum(x: &[f32], max: f32, out: &mut [f32]) -> f32 = rows::exp_sum;
    fn spike_mask(e_then_s: &mut [f32], sum: f32, thr: &[f32]) -> f32 = rows::spike_mask;
    fn divide_in_place(x: &mut [f32], sum: f32) -> () = rows::divide_in_place;
    fn step_row(row: Row<'_>, k: &StepConsts) -> () = rows::step_row;
}
