//! The scalar reference: the specification every vector backend must equal.
//!
//! Each operation is a plain loop over eight `f32`s with Rust's own scalar
//! arithmetic, which is IEEE-754 single precision on every target (hardware
//! FPU or software float) and never fused.

use super::lanes::{LANES, Lanes};

/// Eight scalar lanes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Scalar([f32; LANES]);

#[inline(always)]
fn zip<T: Copy, U: Copy + Default>(
    a: [T; LANES],
    b: [T; LANES],
    f: impl Fn(T, T) -> U,
) -> [U; LANES] {
    let mut out = [U::default(); LANES];
    for (o, (x, y)) in out.iter_mut().zip(a.into_iter().zip(b)) {
        *o = f(x, y);
    }
    out
}

impl Lanes for Scalar {
    type Mask = [bool; LANES];
    type Bits = [u32; LANES];

    #[inline(always)]
    fn splat(x: f32) -> Self {
        Scalar([x; LANES])
    }
    #[inline(always)]
    fn load(src: &[f32; LANES]) -> Self {
        Scalar(*src)
    }
    #[inline(always)]
    fn store(self, dst: &mut [f32; LANES]) {
        *dst = self.0;
    }
    #[inline(always)]
    fn add(self, rhs: Self) -> Self {
        Scalar(zip(self.0, rhs.0, |a, b| a + b))
    }
    #[inline(always)]
    fn sub(self, rhs: Self) -> Self {
        Scalar(zip(self.0, rhs.0, |a, b| a - b))
    }
    #[inline(always)]
    fn mul(self, rhs: Self) -> Self {
        Scalar(zip(self.0, rhs.0, |a, b| a * b))
    }
    #[inline(always)]
    fn div(self, rhs: Self) -> Self {
        Scalar(zip(self.0, rhs.0, |a, b| a / b))
    }
    #[inline(always)]
    fn gt(self, rhs: Self) -> Self::Mask {
        zip(self.0, rhs.0, |a, b| a > b)
    }
    #[inline(always)]
    fn ge(self, rhs: Self) -> Self::Mask {
        zip(self.0, rhs.0, |a, b| a >= b)
    }
    #[inline(always)]
    fn lt(self, rhs: Self) -> Self::Mask {
        zip(self.0, rhs.0, |a, b| a < b)
    }
    #[inline(always)]
    fn is_nan(self) -> Self::Mask {
        self.0.map(f32::is_nan)
    }
    #[inline(always)]
    fn or(a: Self::Mask, b: Self::Mask) -> Self::Mask {
        zip(a, b, |x, y| x | y)
    }
    #[inline(always)]
    fn select(mask: Self::Mask, if_true: Self, if_false: Self) -> Self {
        let mut out = if_false.0;
        for (o, (m, t)) in out.iter_mut().zip(mask.into_iter().zip(if_true.0)) {
            // Bit for bit, as a vector blend: no arithmetic touches the value.
            *o = f32::from_bits(if m { t.to_bits() } else { o.to_bits() });
        }
        Scalar(out)
    }
    #[inline(always)]
    fn to_bits(self) -> Self::Bits {
        self.0.map(f32::to_bits)
    }
    #[inline(always)]
    fn from_bits(bits: Self::Bits) -> Self {
        Scalar(bits.map(f32::from_bits))
    }
    #[inline(always)]
    fn bits_sub(a: Self::Bits, b: Self::Bits) -> Self::Bits {
        zip(a, b, u32::wrapping_sub)
    }
    #[inline(always)]
    fn bits_sub_scalar(a: Self::Bits, k: u32) -> Self::Bits {
        a.map(|x| x.wrapping_sub(k))
    }
    #[inline(always)]
    fn bits_shr<const K: u32>(a: Self::Bits) -> Self::Bits {
        a.map(|x| x >> K)
    }
    #[inline(always)]
    fn bits_shl<const K: u32>(a: Self::Bits) -> Self::Bits {
        a.map(|x| x << K)
    }
    #[inline(always)]
    fn to_array(self) -> [f32; LANES] {
        self.0
    }
}
