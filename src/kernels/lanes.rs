//! The eight-lane operation set every backend provides.
//!
//! Every kernel in this crate is written once, generically, over [`Lanes`].
//! A backend is nothing but an implementation of these operations, and each
//! operation is defined lane by lane as one IEEE-754 single-precision
//! operation (correctly rounded, round-to-nearest-even, no fused
//! multiply-add), a comparison, a bitwise select, or a wrapping integer
//! operation on the bit pattern. Two backends that implement every method to
//! that definition therefore produce identical bits for every input: this is
//! how the vector paths are kept equal to the scalar reference.

/// Lanes per vector. Every backend works on eight `f32` lanes.
pub const LANES: usize = 8;

/// Lanes of `f32` and the per-lane operations the kernels use on them.
pub(crate) trait Ops: Copy {
    /// A lane mask: each lane is true or false.
    type Mask: Copy;
    /// `u32` lanes holding bit patterns.
    type Bits: Copy;

    /// Every lane set to `x`.
    fn splat(x: f32) -> Self;

    /// Lanewise `self + rhs`, correctly rounded.
    fn add(self, rhs: Self) -> Self;
    /// Lanewise `self - rhs`, correctly rounded.
    fn sub(self, rhs: Self) -> Self;
    /// Lanewise `self * rhs`, correctly rounded.
    fn mul(self, rhs: Self) -> Self;
    /// Lanewise `self / rhs`, correctly rounded.
    fn div(self, rhs: Self) -> Self;

    /// Lanewise ordered `self > rhs` (false when either is NaN).
    fn gt(self, rhs: Self) -> Self::Mask;
    /// Lanewise ordered `self >= rhs` (false when either is NaN).
    fn ge(self, rhs: Self) -> Self::Mask;
    /// Lanewise `self > rhs ? self : rhs` (so `rhs` when either is NaN):
    /// exactly x86's `maxps`.
    fn max_gt(self, rhs: Self) -> Self;
    /// Lanewise "is NaN".
    fn is_nan(self) -> Self::Mask;
    /// Lanewise `|self|`: the sign bit cleared, every other bit kept (NaN
    /// payloads included).
    fn abs(self) -> Self;
    /// Lanewise `|self| < lim ? ±0.0 : self`, the zero with `self`'s sign,
    /// bit for bit. With `lim = f32::MIN_POSITIVE` this is flush-to-zero
    /// (a subnormal becomes a zero of the same sign); with `lim = 0.0` it
    /// keeps every lane. NaN lanes are kept.
    fn flush_below(self, lim: Self) -> Self;
    /// Lanewise logical or of two masks.
    fn or(a: Self::Mask, b: Self::Mask) -> Self::Mask;
    /// Lanewise `mask ? if_true : if_false`, bit for bit.
    fn select(mask: Self::Mask, if_true: Self, if_false: Self) -> Self;
    /// Lanewise `mask ? x : +0.0`, bit for bit: [`select`](Ops::select)
    /// with `+0.0`, which a backend whose masks are all-ones or all-zeros
    /// lanes can do with one bitwise and.
    #[inline(always)]
    fn select_or_zero(mask: Self::Mask, x: Self) -> Self {
        Self::select(mask, x, Self::splat(0.0))
    }

    /// The lanes' bit patterns.
    fn to_bits(self) -> Self::Bits;
    /// Lanes from bit patterns.
    fn from_bits(bits: Self::Bits) -> Self;
    /// Lanewise wrapping `a + b`.
    fn bits_add(a: Self::Bits, b: Self::Bits) -> Self::Bits;
    /// Lanewise shift left by `K`.
    fn bits_shl<const K: u32>(a: Self::Bits) -> Self::Bits;
}

/// Eight lanes that load from and store to memory: a backend.
pub(crate) trait Lanes: Ops {
    /// Loads eight consecutive values.
    fn load(src: &[f32; LANES]) -> Self;
    /// Stores eight consecutive values.
    fn store(self, dst: &mut [f32; LANES]);

    /// The eight lanes as an array, lane 0 first.
    fn to_array(self) -> [f32; LANES] {
        let mut out = [0.0; LANES];
        self.store(&mut out);
        out
    }

    /// [`exp`](super::exp::exp) on every lane. A backend may compute it
    /// lane by lane instead (same operations, same bits), as the scalar
    /// reference does.
    /// (Not named `exp`: `wide::f32x8` has an inherent `exp` of its own,
    /// which would silently win over this method at the concrete type.)
    #[inline(always)]
    fn exp_lanes(self) -> Self {
        super::exp::exp(self)
    }
}
