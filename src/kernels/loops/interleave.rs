//! Four vectors advanced in lockstep, to overlap long dependency chains.
//!
//! `exp` is a chain of about fifteen dependent operations. Computed one
//! vector after another, a core waits on each link; as [`Interleaved`], each
//! operation is issued for all four vectors before the next, so four
//! independent chains fill the pipelines. Every lane still goes through
//! the same operations in the same order: the bits are unchanged.

use crate::kernels::lanes::{LANES, Lanes, Ops};

/// Four vectors of lanes `L`; each operation applies to all of them.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Interleaved<L>(pub [L; 4]);

/// Vectors that load from and store to one block of a row: a chunk of
/// eight values (`L` itself) or a group of four chunks ([`Interleaved`]).
/// A loop's body is written once over `Block` and run on groups, then on
/// the chunks left over.
pub(crate) trait Block: Ops {
    /// The block of memory: `[f32; 8]`, or four of them.
    type Mem;
    /// Loads a block.
    fn load_block(src: &Self::Mem) -> Self;
    /// Stores a block.
    fn store_block(self, dst: &mut Self::Mem);
}

impl<L: Lanes> Block for L {
    type Mem = [f32; LANES];
    #[inline(always)]
    fn load_block(src: &[f32; LANES]) -> Self {
        L::load(src)
    }
    #[inline(always)]
    fn store_block(self, dst: &mut [f32; LANES]) {
        self.store(dst)
    }
}

impl<L: Lanes> Block for Interleaved<L> {
    type Mem = [[f32; LANES]; 4];
    #[inline(always)]
    fn load_block(src: &[[f32; LANES]; 4]) -> Self {
        let [x0, x1, x2, x3] = src;
        Interleaved([L::load(x0), L::load(x1), L::load(x2), L::load(x3)])
    }
    #[inline(always)]
    fn store_block(self, dst: &mut [[f32; LANES]; 4]) {
        for (x, o) in self.0.into_iter().zip(dst) {
            x.store(o);
        }
    }
}

impl<L: Ops> Interleaved<L> {
    /// The four vectors added: `(x0 + x1) + (x2 + x3)`, for sums whose
    /// order cannot matter (spike counts, NaN probes).
    #[inline(always)]
    pub(crate) fn sum(self) -> L {
        let [x0, x1, x2, x3] = self.0;
        x0.add(x1).add(x2.add(x3))
    }
}

/// `[f(a0, b0), .., f(a3, b3)]`, spelled out so that it stays inside the
/// caller's `#[target_feature]` context.
#[inline(always)]
fn each2<T: Copy, S: Copy, U>(a: [T; 4], b: [S; 4], f: impl Fn(T, S) -> U) -> [U; 4] {
    let ([a0, a1, a2, a3], [b0, b1, b2, b3]) = (a, b);
    [f(a0, b0), f(a1, b1), f(a2, b2), f(a3, b3)]
}

#[inline(always)]
fn each1<T: Copy, U>(a: [T; 4], f: impl Fn(T) -> U) -> [U; 4] {
    let [a0, a1, a2, a3] = a;
    [f(a0), f(a1), f(a2), f(a3)]
}

impl<L: Ops> Ops for Interleaved<L> {
    type Mask = [L::Mask; 4];
    type Bits = [L::Bits; 4];

    #[inline(always)]
    fn splat(x: f32) -> Self {
        Interleaved([L::splat(x); 4])
    }
    #[inline(always)]
    fn add(self, rhs: Self) -> Self {
        Interleaved(each2(self.0, rhs.0, L::add))
    }
    #[inline(always)]
    fn sub(self, rhs: Self) -> Self {
        Interleaved(each2(self.0, rhs.0, L::sub))
    }
    #[inline(always)]
    fn mul(self, rhs: Self) -> Self {
        Interleaved(each2(self.0, rhs.0, L::mul))
    }
    #[inline(always)]
    fn floor_small(self) -> Self {
        Interleaved(each1(self.0, L::floor_small))
    }
    #[inline(always)]
    fn mul_add(self, b: Self, c: Self) -> Self {
        let ([a0, a1, a2, a3], [b0, b1, b2, b3], [c0, c1, c2, c3]) = (self.0, b.0, c.0);
        Interleaved([
            a0.mul_add(b0, c0),
            a1.mul_add(b1, c1),
            a2.mul_add(b2, c2),
            a3.mul_add(b3, c3),
        ])
    }
    #[inline(always)]
    fn gt(self, rhs: Self) -> Self::Mask {
        each2(self.0, rhs.0, L::gt)
    }
    #[inline(always)]
    fn ge(self, rhs: Self) -> Self::Mask {
        each2(self.0, rhs.0, L::ge)
    }
    #[inline(always)]
    fn max_gt(self, rhs: Self) -> Self {
        Interleaved(each2(self.0, rhs.0, L::max_gt))
    }
    #[inline(always)]
    fn min_lt(self, rhs: Self) -> Self {
        Interleaved(each2(self.0, rhs.0, L::min_lt))
    }
    #[inline(always)]
    fn is_nan(self) -> Self::Mask {
        each1(self.0, L::is_nan)
    }
    #[inline(always)]
    fn abs(self) -> Self {
        Interleaved(each1(self.0, L::abs))
    }
    #[inline(always)]
    fn flush_below(self, lim: Self) -> Self {
        Interleaved(each2(self.0, lim.0, L::flush_below))
    }
    #[inline(always)]
    fn or(a: Self::Mask, b: Self::Mask) -> Self::Mask {
        each2(a, b, L::or)
    }
    #[inline(always)]
    fn any(mask: Self::Mask) -> bool {
        let [m0, m1, m2, m3] = mask;
        L::any(L::or(L::or(m0, m1), L::or(m2, m3)))
    }
    #[inline(always)]
    fn select(mask: Self::Mask, if_true: Self, if_false: Self) -> Self {
        let ([m0, m1, m2, m3], [t0, t1, t2, t3], [f0, f1, f2, f3]) = (mask, if_true.0, if_false.0);
        Interleaved([
            L::select(m0, t0, f0),
            L::select(m1, t1, f1),
            L::select(m2, t2, f2),
            L::select(m3, t3, f3),
        ])
    }
    #[inline(always)]
    fn select_or_zero(mask: Self::Mask, x: Self) -> Self {
        Interleaved(each2(mask, x.0, L::select_or_zero))
    }
    #[inline(always)]
    fn to_bits(self) -> Self::Bits {
        each1(self.0, L::to_bits)
    }
    #[inline(always)]
    fn from_bits(bits: Self::Bits) -> Self {
        Interleaved(each1(bits, L::from_bits))
    }
    #[inline(always)]
    fn bits_add(a: Self::Bits, b: Self::Bits) -> Self::Bits {
        each2(a, b, L::bits_add)
    }
    #[inline(always)]
    fn bits_shl<const S: u32>(a: Self::Bits) -> Self::Bits {
        each1(a, L::bits_shl::<S>)
    }
}
