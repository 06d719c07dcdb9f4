//! The operation set every backend implements, and its definition.
//!
//! The rules ([`spec`](super::spec)) and the loops ([`loops`](super::loops))
//! are written once, generically, over [`Ops`] (lane arithmetic) and
//! [`Lanes`] (eight lanes that load and store). Each operation is defined
//! lane by lane as one IEEE-754 single-precision operation (correctly
//! rounded, round-to-nearest-even; the one fused multiply-add is
//! [`Ops::mul_add`], explicitly), a comparison, a bitwise select, or a
//! wrapping integer operation on the bit pattern; [`Ops for
//! f32`](#impl-Ops-for-f32) below is that one-lane definition. Two backends
//! that implement every method to it produce identical bits for every
//! input.
//!
//! One lane's arithmetic is here too: the hardware's instructions, or on
//! cores without a floating-point unit the [`soft_float`] routines, and the
//! fused multiply-add of each target ([`fma`]; `arm_vfma` on Cortex-M4F
//! and M33).
#![cfg_attr(not(wtas_vfma), forbid(unsafe_code))]

#[cfg(wtas_vfma)]
mod arm_vfma;
pub(crate) mod soft_float;

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
    /// Lanewise `self * b + c`, rounded once (a fused multiply-add).
    fn mul_add(self, b: Self, c: Self) -> Self;
    /// The reference `exp`'s reduction and polynomial with the coefficients
    /// `c` ([`cephes_expm1`](crate::kernels::spec::exp::cephes_expm1)) as
    /// one block of assembly, where a core's fused multiply-add sits behind
    /// register moves and a block saves them (Cortex-M4F and M33); `None`
    /// elsewhere, where the operations run one by one.
    #[inline(always)]
    fn cephes_expm1_block(x: Self, n: Self, c: &'static [f32; 8]) -> Option<Self> {
        let _ = (x, n, c);
        None
    }
    /// Lanewise `floor(self)` for `|self| < 2^22` (exact there), NaN kept
    /// as a NaN; other lanes are unspecified. By default: round to nearest
    /// by adding and subtracting `1.5 · 2^23`, then one down where that
    /// went up (every step exact); a backend with a rounding instruction
    /// uses it instead.
    #[inline(always)]
    fn floor_small(self) -> Self {
        let magic = Self::splat(12_582_912.0);
        let t = self.add(magic).sub(magic);
        Self::select(t.gt(self), t.sub(Self::splat(1.0)), t)
    }

    /// Lanewise ordered `self > rhs` (false when either is NaN).
    fn gt(self, rhs: Self) -> Self::Mask;
    /// Lanewise ordered `self >= rhs` (false when either is NaN).
    fn ge(self, rhs: Self) -> Self::Mask;
    /// Lanewise `self > rhs ? self : rhs` (so `rhs` when either is NaN):
    /// exactly x86's `maxps`.
    fn max_gt(self, rhs: Self) -> Self;
    /// Lanewise `self < rhs ? self : rhs` (so `rhs` when either is NaN):
    /// exactly x86's `minps`.
    fn min_lt(self, rhs: Self) -> Self;
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
    /// Whether any lane of the mask is true.
    fn any(mask: Self::Mask) -> bool;
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

    /// The 8 × 8 transpose: lane `j` of output `i` is lane `i` of input
    /// `j`. Moves bits only.
    fn transpose8(rows: [Self; LANES]) -> [Self; LANES] {
        let rows = rows.map(Self::to_array);
        core::array::from_fn(|i| {
            let mut col = [0.0; LANES];
            for (c, row) in col.iter_mut().zip(&rows) {
                *c = row.get(i).copied().unwrap_or(0.0);
            }
            Self::load(&col)
        })
    }
}

/// The sign bit of an `f32`.
const SIGN: u32 = 0x8000_0000;

// `a + b`, `a - b`, `a * b` on one `f32`: the hardware's instructions, or
// on a core without a floating-point unit the `soft_float` routines, with
// the same bits.
#[cfg(wtas_soft_float)]
pub(crate) use soft_float::{add, mul, sub};

/// `a + b` in hardware.
#[cfg(not(wtas_soft_float))]
#[inline(always)]
pub(crate) fn add(a: f32, b: f32) -> f32 {
    a + b
}
/// `a - b` in hardware.
#[cfg(not(wtas_soft_float))]
#[inline(always)]
pub(crate) fn sub(a: f32, b: f32) -> f32 {
    a - b
}
/// `a * b` in hardware.
#[cfg(not(wtas_soft_float))]
#[inline(always)]
pub(crate) fn mul(a: f32, b: f32) -> f32 {
    a * b
}

/// `a * b + c` rounded once, on one `f32`: the fused multiply-add of the
/// reference's compiled `exp`.
///
/// Cortex-M4F and M33 (`thumbv7em`, `thumbv8m.main` with an FPU) run their
/// `VFMA` instruction; aarch64, and x86 built with the `fma` feature, run
/// theirs inside `libm::fmaf`; cores without an FPU run `soft_float::fma`
/// (integer arithmetic); everywhere else `libm::fmaf` computes it in
/// software, correctly rounded (it corrects the double rounding of an
/// `f64` evaluation), so every target gets the same bits.
#[cfg(wtas_vfma)]
pub(crate) use arm_vfma::fma;

/// `a * b + c` rounded once, on a core without a floating-point unit: the
/// `soft_float` routine, in integer arithmetic (`libm::fmaf`'s `f64`
/// evaluation in software is several times slower), with the same bits.
#[cfg(wtas_soft_float)]
pub(crate) use soft_float::fma;

/// `a * b + c` rounded once (see the `wtas_vfma` variant). With `std`,
/// the standard library's, which the host's C library runs on the CPU's
/// FMA where it has one; without, `libm`'s.
#[cfg(not(any(wtas_vfma, wtas_soft_float)))]
#[inline(always)]
pub(crate) fn fma(a: f32, b: f32, c: f32) -> f32 {
    #[cfg(feature = "std")]
    {
        a.mul_add(b, c)
    }
    #[cfg(not(feature = "std"))]
    {
        libm::fmaf(a, b, c)
    }
}

/// One lane as a plain `f32`: the definition of every operation, which
/// [`Array`](array::Array) applies lane by lane and the
/// [scalar kernels](super::backend::scalar) run on directly.
impl Ops for f32 {
    type Mask = bool;
    type Bits = u32;

    #[inline(always)]
    fn splat(x: f32) -> Self {
        x
    }
    #[inline(always)]
    fn add(self, rhs: Self) -> Self {
        add(self, rhs)
    }
    #[inline(always)]
    fn sub(self, rhs: Self) -> Self {
        sub(self, rhs)
    }
    #[inline(always)]
    fn mul(self, rhs: Self) -> Self {
        mul(self, rhs)
    }
    #[inline(always)]
    fn mul_add(self, b: Self, c: Self) -> Self {
        fma(self, b, c)
    }
    #[cfg(wtas_vfma)]
    #[inline(always)]
    fn cephes_expm1_block(x: Self, n: Self, c: &'static [f32; 8]) -> Option<Self> {
        Some(arm_vfma::cephes_expm1(x, n, c))
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
    fn min_lt(self, rhs: Self) -> Self {
        if self < rhs { self } else { rhs }
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
    fn any(mask: bool) -> bool {
        mask
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
