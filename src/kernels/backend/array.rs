//! Eight `f32` lanes as a plain array: each operation is the one-lane
//! operation of `f32` in a loop over the lanes, Rust's own scalar
//! arithmetic, which is IEEE-754 single precision on every target and
//! never fused (the one fused multiply-add is `mul_add`, explicitly). The
//! compiler may still vectorize the loops with the target's baseline SIMD;
//! the bits cannot change.
#![forbid(unsafe_code)]

use crate::kernels::lanes::{LANES, Lanes, Ops};

/// Eight lanes as an array.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Array([f32; LANES]);

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

impl Lanes for Array {
    #[inline(always)]
    fn load(src: &[f32; LANES]) -> Self {
        Array(*src)
    }
    #[inline(always)]
    fn store(self, dst: &mut [f32; LANES]) {
        *dst = self.0;
    }
    #[inline(always)]
    fn to_array(self) -> [f32; LANES] {
        self.0
    }
}

/// Every operation is the one-lane operation of `f32`, lane by lane.
impl Ops for Array {
    type Mask = [bool; LANES];
    type Bits = [u32; LANES];

    #[inline(always)]
    fn splat(x: f32) -> Self {
        Array([x; LANES])
    }
    #[inline(always)]
    fn add(self, rhs: Self) -> Self {
        Array(zip(self.0, rhs.0, Ops::add))
    }
    #[inline(always)]
    fn sub(self, rhs: Self) -> Self {
        Array(zip(self.0, rhs.0, Ops::sub))
    }
    #[inline(always)]
    fn mul(self, rhs: Self) -> Self {
        Array(zip(self.0, rhs.0, Ops::mul))
    }
    #[inline(always)]
    fn mul_add(self, b: Self, c: Self) -> Self {
        let mut out = c.0;
        for (o, (&x, &y)) in out.iter_mut().zip(self.0.iter().zip(b.0.iter())) {
            *o = <f32 as Ops>::mul_add(x, y, *o);
        }
        Array(out)
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
        Array(zip(self.0, rhs.0, Ops::max_gt))
    }
    #[inline(always)]
    fn min_lt(self, rhs: Self) -> Self {
        Array(zip(self.0, rhs.0, Ops::min_lt))
    }
    #[inline(always)]
    fn is_nan(self) -> Self::Mask {
        map(self.0, Ops::is_nan)
    }
    #[inline(always)]
    fn abs(self) -> Self {
        Array(map(self.0, Ops::abs))
    }
    #[inline(always)]
    fn flush_below(self, lim: Self) -> Self {
        Array(zip(self.0, lim.0, Ops::flush_below))
    }
    #[inline(always)]
    fn or(a: Self::Mask, b: Self::Mask) -> Self::Mask {
        zip(a, b, <f32 as Ops>::or)
    }
    #[inline(always)]
    fn any(mask: Self::Mask) -> bool {
        mask.into_iter().any(|m| m)
    }
    #[inline(always)]
    fn select(mask: Self::Mask, if_true: Self, if_false: Self) -> Self {
        let mut out = if_false.0;
        for (o, (&m, &t)) in out.iter_mut().zip(mask.iter().zip(if_true.0.iter())) {
            *o = <f32 as Ops>::select(m, t, *o);
        }
        Array(out)
    }
    #[inline(always)]
    fn to_bits(self) -> Self::Bits {
        map(self.0, Ops::to_bits)
    }
    #[inline(always)]
    fn from_bits(bits: Self::Bits) -> Self {
        Array(map(bits, <f32 as Ops>::from_bits))
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
