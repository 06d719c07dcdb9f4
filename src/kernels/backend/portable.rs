//! The portable vector backend: `wide::f32x8`.
//!
//! `wide` picks its representation at compile time: one AVX register where
//! the build enables `avx`, two SSE2 or NEON registers, or a plain array on
//! targets without SIMD (Cortex-M, RISC-V). Every operation used here is a
//! single IEEE-754 operation per lane on all of them.
#![forbid(unsafe_code)]

use wide::{f32x8, u32x8};

use crate::kernels::lanes::{LANES, Lanes, Ops};

impl Lanes for f32x8 {
    #[inline(always)]
    fn load(src: &[f32; LANES]) -> Self {
        f32x8::new(*src)
    }
    #[inline(always)]
    fn store(self, dst: &mut [f32; LANES]) {
        *dst = f32x8::to_array(self);
    }
    #[inline(always)]
    fn transpose8(rows: [Self; LANES]) -> [Self; LANES] {
        f32x8::transpose(rows)
    }
}

impl Ops for f32x8 {
    type Mask = f32x8;
    type Bits = u32x8;

    #[inline(always)]
    fn splat(x: f32) -> Self {
        f32x8::splat(x)
    }
    #[inline(always)]
    fn add(self, rhs: Self) -> Self {
        self + rhs
    }
    #[inline(always)]
    fn sub(self, rhs: Self) -> Self {
        self - rhs
    }
    #[inline(always)]
    fn mul(self, rhs: Self) -> Self {
        self * rhs
    }
    #[inline(always)]
    fn mul_add(self, b: Self, c: Self) -> Self {
        // `wide` fuses only where the build has FMA (x86 with `fma`,
        // aarch64); elsewhere it would round twice, so each lane takes the
        // one-lane `fma`.
        #[cfg(any(
            all(
                any(target_arch = "x86", target_arch = "x86_64"),
                target_feature = "fma"
            ),
            all(target_arch = "aarch64", target_feature = "neon")
        ))]
        {
            f32x8::mul_add(self, b, c)
        }
        #[cfg(not(any(
            all(
                any(target_arch = "x86", target_arch = "x86_64"),
                target_feature = "fma"
            ),
            all(target_arch = "aarch64", target_feature = "neon")
        )))]
        {
            let (a, b, mut c) = (self.to_array(), b.to_array(), c.to_array());
            for (c, (&a, &b)) in c.iter_mut().zip(a.iter().zip(b.iter())) {
                *c = <f32 as Ops>::mul_add(a, b, *c);
            }
            f32x8::new(c)
        }
    }
    #[inline(always)]
    fn gt(self, rhs: Self) -> Self::Mask {
        f32x8::simd_gt(self, rhs)
    }
    #[inline(always)]
    fn ge(self, rhs: Self) -> Self::Mask {
        f32x8::simd_ge(self, rhs)
    }
    #[inline(always)]
    fn max_gt(self, rhs: Self) -> Self {
        // A select, not `max`: NEON's `fmax` propagates NaN instead.
        f32x8::simd_gt(self, rhs).select(self, rhs)
    }
    #[inline(always)]
    fn min_lt(self, rhs: Self) -> Self {
        // A select, as `max_gt`.
        f32x8::simd_lt(self, rhs).select(self, rhs)
    }
    #[inline(always)]
    fn is_nan(self) -> Self::Mask {
        f32x8::is_nan(self)
    }
    #[inline(always)]
    fn abs(self) -> Self {
        f32x8::abs(self)
    }
    #[inline(always)]
    fn flush_below(self, lim: Self) -> Self {
        // The zero of each lane's sign: the sign bit alone.
        let zero = self & f32x8::splat(-0.0);
        f32x8::simd_gt(lim, f32x8::abs(self)).select(zero, self)
    }
    #[inline(always)]
    fn or(a: Self::Mask, b: Self::Mask) -> Self::Mask {
        a | b
    }
    #[inline(always)]
    fn any(mask: Self::Mask) -> bool {
        mask.any()
    }
    #[inline(always)]
    fn select(mask: Self::Mask, if_true: Self, if_false: Self) -> Self {
        mask.select(if_true, if_false)
    }
    #[inline(always)]
    fn select_or_zero(mask: Self::Mask, x: Self) -> Self {
        // Masks come from compares: every lane is all ones or all zeros.
        mask & x
    }
    #[inline(always)]
    fn to_bits(self) -> Self::Bits {
        f32x8::to_bits(self)
    }
    #[inline(always)]
    fn from_bits(bits: Self::Bits) -> Self {
        f32x8::from_bits(bits)
    }
    #[inline(always)]
    fn bits_add(a: Self::Bits, b: Self::Bits) -> Self::Bits {
        a + b
    }
    #[inline(always)]
    fn bits_shl<const K: u32>(a: Self::Bits) -> Self::Bits {
        a << K
    }
}
