//! The scalar reference: the specification every vector backend must equal.
//!
//! Each operation is a plain loop over the lanes with Rust's own scalar
//! arithmetic, which is IEEE-754 single precision on every target (hardware
//! FPU or software float) and never fused.
//!
//! `exp` runs lane by lane through the single-lane instance of the same
//! generic code, on plain `f32` ([`exp_one`], which the compact kernels
//! call too): the same operations in the same order, so the same bits, from
//! an instance separate from the vector backends'.

use super::exp::exp;
use super::lanes::{LANES, Lanes, Ops};

/// The sign bit of an `f32`.
const SIGN: u32 = 0x8000_0000;

/// Eight scalar lanes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Scalar([f32; LANES]);

/// `exp` of one value, kept out of line where code size matters (targets
/// without SIMD, whose compact kernels call it for every element).
#[cfg_attr(not(wtas_simd), inline(never))]
#[cfg_attr(wtas_simd, inline)]
pub(crate) fn exp_one(x: f32) -> f32 {
    exp(x)
}

/// `[f(a[0]), f(a[1]), ...]`.
#[inline(always)]
fn map<T: Copy, U: Copy + Default>(a: [T; LANES], f: impl Fn(T) -> U) -> [U; LANES] {
    let mut out = [U::default(); LANES];
    for (o, x) in out.iter_mut().zip(a.iter()) {
        *o = f(*x);
    }
    out
}

/// `[f(a[0], b[0]), f(a[1], b[1]), ...]`.
#[inline(always)]
fn zip<T: Copy, S: Copy, U: Copy + Default>(
    a: [T; LANES],
    b: [S; LANES],
    f: impl Fn(T, S) -> U,
) -> [U; LANES] {
    let mut out = [U::default(); LANES];
    for (o, (x, y)) in out.iter_mut().zip(a.iter().zip(b.iter())) {
        *o = f(*x, *y);
    }
    out
}

impl Lanes for Scalar {
    #[inline(always)]
    fn load(src: &[f32; LANES]) -> Self {
        Scalar(*src)
    }
    #[inline(always)]
    fn store(self, dst: &mut [f32; LANES]) {
        *dst = self.0;
    }
    #[inline(always)]
    fn to_array(self) -> [f32; LANES] {
        self.0
    }
    #[inline(always)]
    fn exp_lanes(self) -> Self {
        Scalar(map(self.0, exp_one))
    }
}

/// Every operation is the one-lane operation of `f32` (below), lane by lane.
impl Ops for Scalar {
    type Mask = [bool; LANES];
    type Bits = [u32; LANES];

    #[inline(always)]
    fn splat(x: f32) -> Self {
        Scalar([x; LANES])
    }
    #[inline(always)]
    fn add(self, rhs: Self) -> Self {
        Scalar(zip(self.0, rhs.0, Ops::add))
    }
    #[inline(always)]
    fn sub(self, rhs: Self) -> Self {
        Scalar(zip(self.0, rhs.0, Ops::sub))
    }
    #[inline(always)]
    fn mul(self, rhs: Self) -> Self {
        Scalar(zip(self.0, rhs.0, Ops::mul))
    }
    #[inline(always)]
    fn div(self, rhs: Self) -> Self {
        Scalar(zip(self.0, rhs.0, Ops::div))
    }
    #[inline(always)]
    fn gt(self, rhs: Self) -> Self::Mask {
        zip(self.0, rhs.0, Ops::gt)
    }
    #[inline(always)]
    fn ge(self, rhs: Self) -> Self::Mask {
        zip(self.0, rhs.0, Ops::ge)
    }
    #[inline(always)]
    fn max_gt(self, rhs: Self) -> Self {
        Scalar(zip(self.0, rhs.0, Ops::max_gt))
    }
    #[inline(always)]
    fn is_nan(self) -> Self::Mask {
        map(self.0, Ops::is_nan)
    }
    #[inline(always)]
    fn abs(self) -> Self {
        Scalar(map(self.0, Ops::abs))
    }
    #[inline(always)]
    fn flush_below(self, lim: Self) -> Self {
        Scalar(zip(self.0, lim.0, Ops::flush_below))
    }
    #[inline(always)]
    fn or(a: Self::Mask, b: Self::Mask) -> Self::Mask {
        zip(a, b, <f32 as Ops>::or)
    }
    #[inline(always)]
    fn select(mask: Self::Mask, if_true: Self, if_false: Self) -> Self {
        let mut out = if_false.0;
        for (o, (&m, &t)) in out.iter_mut().zip(mask.iter().zip(if_true.0.iter())) {
            *o = <f32 as Ops>::select(m, t, *o);
        }
        Scalar(out)
    }
    #[inline(always)]
    fn to_bits(self) -> Self::Bits {
        map(self.0, Ops::to_bits)
    }
    #[inline(always)]
    fn from_bits(bits: Self::Bits) -> Self {
        Scalar(map(bits, <f32 as Ops>::from_bits))
    }
    #[inline(always)]
    fn bits_add(a: Self::Bits, b: Self::Bits) -> Self::Bits {
        zip(a, b, <f32 as Ops>::bits_add)
    }
    #[inline(always)]
    fn bits_shl<const K: u32>(a: Self::Bits) -> Self::Bits {
        map(a, <f32 as Ops>::bits_shl::<K>)
    }
}

/// One lane as a plain `f32`: the per-lane definition of every operation,
/// which [`Scalar`] applies lane by lane and [`exp_one`] runs on directly
/// (straight-line scalar code, no one-element arrays).
impl Ops for f32 {
    type Mask = bool;
    type Bits = u32;

    #[inline(always)]
    fn splat(x: f32) -> Self {
        x
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
    fn div(self, rhs: Self) -> Self {
        self / rhs
    }
    #[inline(always)]
    fn gt(self, rhs: Self) -> bool {
        self > rhs
    }
    #[inline(always)]
    fn ge(self, rhs: Self) -> bool {
        self >= rhs
    }
    #[inline(always)]
    fn max_gt(self, rhs: Self) -> Self {
        if self > rhs { self } else { rhs }
    }
    #[inline(always)]
    fn is_nan(self) -> bool {
        f32::is_nan(self)
    }
    #[inline(always)]
    fn abs(self) -> Self {
        f32::from_bits(self.to_bits() & !SIGN)
    }
    #[inline(always)]
    fn flush_below(self, lim: Self) -> Self {
        let zero = f32::from_bits(self.to_bits() & SIGN);
        <f32 as Ops>::select(lim.gt(Ops::abs(self)), zero, self)
    }
    #[inline(always)]
    fn or(a: bool, b: bool) -> bool {
        a | b
    }
    #[inline(always)]
    fn select(mask: bool, if_true: Self, if_false: Self) -> Self {
        // Bit for bit, as a vector blend: no arithmetic touches the value.
        f32::from_bits(if mask {
            if_true.to_bits()
        } else {
            if_false.to_bits()
        })
    }
    #[inline(always)]
    fn to_bits(self) -> u32 {
        f32::to_bits(self)
    }
    #[inline(always)]
    fn from_bits(bits: u32) -> Self {
        f32::from_bits(bits)
    }
    #[inline(always)]
    fn bits_add(a: u32, b: u32) -> u32 {
        a.wrapping_add(b)
    }
    #[inline(always)]
    fn bits_shl<const K: u32>(a: u32) -> u32 {
        a << K
    }
}
