//! The reference's softmax arithmetic for shapes of 4,096 elements or more
//! (`batch * n >= 4096`), where XLA hands the max, `exp` and the row sum to
//! YNNPACK's kernels (jaxlib 0.10.2; `DESIGN.md` has how this was read off
//! the kernels and checked against the reference).
//!
//! `exp` is YNNPACK's `exp_taylor2` (every step rounded once; `fma` where
//! the kernel fuses, as it does on every CPU with FMA):
//!
//! ```text
//! xc = min(max(x, LO), HI)                  LO = -88.0296936, HI = 88.7228394
//! b  = (xc * log2(e) + M) - M               M = 1.5 * 2^23: round to nearest
//! r  = fma(b, -LN2_HI, xc);  r = fma(b, -LN2_LO, r)
//! s  = 2^b                                  the bits of b + (2^23 + 127), shifted
//! r2 = r * r
//! y0 = fma(r2, fma(r2, fma(r2, P0, P2), P4), P6)
//! y1 = fma(r2, fma(r2, P1, P3), P5)
//! q  = fma(r2, fma(r, y1, y0), r)           expm1(r)
//! e  = flush(fma(s, q, s))                  s itself where s is inf; NaN stays
//! ```
//!
//! The row sum is YNNPACK's `sum_float_k1` with 16 lanes whatever the
//! CPU's vector width (element `i` in lane `i % 16`): see [`row_sum`].
#![forbid(unsafe_code)]

use super::reduce::reduce_add_lanes;
use crate::kernels::lanes::{LANES, Lanes, Ops, add, sub};

const LO: f32 = f32::from_bits(0xc2b0_0f34);
const HI: f32 = f32::from_bits(0x42b1_7218);
const LOG2E: f32 = f32::from_bits(0x3fb8_aa3b);
/// `1.5 · 2^23`: `(y + M) - M` rounds `y` to an integer, ties to even.
const ROUND_MAGIC: f32 = 12_582_912.0;
const NEG_LN2_HI: f32 = f32::from_bits(0xbf31_7200);
const NEG_LN2_LO: f32 = f32::from_bits(0xb5bf_be8e);
/// `2^23 + 127`: `b + EXP2_BIAS` holds `b + 127` in its low bits.
const EXP2_BIAS: f32 = f32::from_bits(0x4b00_007f);
const P0: f32 = f32::from_bits(0xb851_27e0);
const P1: f32 = f32::from_bits(0x396e_cce9);
const P2: f32 = f32::from_bits(0x3ab9_3cac);
const P3: f32 = f32::from_bits(0x3c08_629e);
const P4: f32 = f32::from_bits(0x3d2a_a994);
const P5: f32 = f32::from_bits(0x3e2a_aad2);
const P6: f32 = f32::from_bits(0x3eff_fffe);

/// The polynomial and the scaling, from the clamped `xc`.
#[inline(always)]
fn exp_core<L: Ops, const FLUSH: bool>(xc: L) -> (L, L) {
    let magic = L::splat(ROUND_MAGIC);
    let b = xc.mul(L::splat(LOG2E)).add(magic).sub(magic);
    let r = b.mul_add(L::splat(NEG_LN2_HI), xc);
    let r = b.mul_add(L::splat(NEG_LN2_LO), r);
    let s = L::from_bits(L::bits_shl::<23>(b.add(L::splat(EXP2_BIAS)).to_bits()));
    let r2 = r.mul(r);
    let y0 = r2.mul_add(L::splat(P0), L::splat(P2));
    let y1 = r2.mul_add(L::splat(P1), L::splat(P3));
    let y0 = r2.mul_add(y0, L::splat(P4));
    let y1 = r2.mul_add(y1, L::splat(P5));
    let y0 = r2.mul_add(y0, L::splat(P6));
    let q = r2.mul_add(r.mul_add(y1, y0), r);
    let e = s.mul_add(q, s);
    let e = if FLUSH {
        e.flush_below(L::splat(f32::MIN_POSITIVE))
    } else {
        e
    };
    (e, s)
}

/// YNNPACK's `exp` on every lane, for any input.
#[inline(always)]
pub(crate) fn exp<L: Ops>(x: L) -> L {
    // `LO > x ? LO : x`: a NaN `x` is kept, as by the kernel's clamp.
    let xc = L::splat(HI).min_lt(L::splat(LO).max_gt(x));
    let (e, s) = exp_core::<L, true>(xc);
    // `s` is NaN for a NaN input (the kernel keeps `x` there: some NaN
    // either way) and `+inf` above 88.72 (`b = 128`).
    let e = L::select(s.is_nan(), s, e);
    L::select(s.abs().ge(L::splat(f32::INFINITY)), s, e)
}

/// [`exp`] for `x` in [−inf, 0] (no NaN): the same bits without the upper
/// clamp and the special cases, which cannot act there (`b <= 0`).
#[inline(always)]
pub(crate) fn exp_nonpositive<L: Ops>(x: L) -> L {
    exp_core::<L, true>(L::splat(LO).max_gt(x)).0
}

/// [`exp_nonpositive`] for `x` in
/// [`NO_FLUSH_FROM`](super::exp::NO_FLUSH_FROM) (−86), 0]: the same bits
/// without the lower clamp and the final flush, which cannot act there
/// (`b >= -124`, so `2^b (1 + q)` is normal).
#[inline(always)]
pub(crate) fn exp_nonpositive_no_flush<L: Ops>(x: L) -> L {
    exp_core::<L, false>(x).0
}

/// The longest slice YNNPACK sums in one kernel call; longer rows are
/// summed slice by slice, then the slices' sums are summed the same way.
const SLICE: usize = 32_768;

/// YNNPACK's row sum (`sum_float_k1`, 16 lanes), on lanes `L` (two of
/// them per 16 lanes: lanes 0-7 and 8-15):
///
/// - a block is 64 elements: its four 16-lane vectors added left to right;
/// - four blocks make a group (`((b0 + b1) + b2) + b3`), added to `acc1`;
///   then lone blocks (at most three), then the zero-padded tail block;
/// - every 1,024 elements, and at the end, `acc1` is added into `acc2`
///   with Kahan's compensation (`err`, reset where not finite);
/// - the 16 lanes of `acc2` are folded: `v[i] + v[i + 8]`, then the
///   crate's eight-lane tree (`(i, i + 4)`, `(i, i + 2)`, `(0, 1)`).
///
/// Rows longer than 32,768 are summed in slices of 32,768, whose sums are
/// then summed the same way, in order. (Where the kernel adds to a `+0.0`
/// first, nothing is written here: every term is `+0.0` or more, or NaN.)
///
/// Inlined into its caller, so that vector lanes get the caller's target
/// features (out of line in debug builds, whose inlined frames grow).
#[cfg_attr(debug_assertions, inline(never))]
#[cfg_attr(not(debug_assertions), inline(always))]
pub(crate) fn row_sum<L: Lanes>(x: &[f32]) -> f32 {
    if x.len() <= SLICE {
        return sum_k1::<L>(x);
    }
    // The slices' sums, few, are summed on scalars: the same operations.
    let slices = x.len().div_ceil(SLICE);
    let slice_sum = |j: usize| {
        let lo = j * SLICE;
        x.get(lo..(lo + SLICE).min(x.len()))
            .map_or(0.0, sum_k1::<L>)
    };
    sum_k1_scalar(slices, &slice_sum)
}

/// [`row_sum`] one element at a time on sixteen scalar accumulators: the
/// same operations in the same order, in little code, for the reference
/// kernels (what cores without SIMD run).
#[inline(never)]
pub(crate) fn row_sum_scalar(x: &[f32]) -> f32 {
    if x.len() <= SLICE {
        return sum_k1_scalar(x.len(), &|i| x.get(i).copied().unwrap_or(0.0));
    }
    let slices = x.len().div_ceil(SLICE);
    let slice_sum = |j: usize| {
        let lo = j * SLICE;
        x.get(lo..(lo + SLICE).min(x.len())).map_or(0.0, |s| {
            sum_k1_scalar(s.len(), &|i| s.get(i).copied().unwrap_or(0.0))
        })
    };
    sum_k1_scalar(slices, &slice_sum)
}

/// `sum_float_k1` of `len` values given by `get`, on sixteen scalars.
fn sum_k1_scalar(len: usize, get: &dyn Fn(usize) -> f32) -> f32 {
    let block = |o: usize, acc: &mut [f32; 16]| {
        let mut b = [0.0_f32; 16];
        for v in 0..4 {
            for (l, x) in b.iter_mut().enumerate() {
                let i = o + 16 * v + l;
                if i < len {
                    *x = add(*x, get(i));
                }
            }
        }
        for (a, x) in acc.iter_mut().zip(b) {
            *a = add(*a, x);
        }
    };
    let kahan = |acc1: &mut [f32; 16], acc2: &mut [f32; 16], err: &mut [f32; 16]| {
        for ((a1, a2), e) in acc1.iter_mut().zip(acc2.iter_mut()).zip(err.iter_mut()) {
            let y = sub(*a1, *e);
            let t = add(*a2, y);
            let d = sub(sub(t, *a2), y);
            *e = if d.is_finite() { d } else { 0.0 };
            *a2 = t;
            *a1 = 0.0;
        }
    };
    let (mut acc1, mut acc2, mut err) = ([0.0_f32; 16], [0.0_f32; 16], [0.0_f32; 16]);
    let (mut o, mut clock) = (0, 0_usize);
    while len - o >= 256 {
        let mut g = [0.0_f32; 16];
        for c in 0..4 {
            block(o + 64 * c, &mut g);
        }
        for (a, x) in acc1.iter_mut().zip(g) {
            *a = add(*a, x);
        }
        (o, clock) = (o + 256, clock + 64);
        if clock.is_multiple_of(256) {
            kahan(&mut acc1, &mut acc2, &mut err);
        }
    }
    while len - o >= 64 {
        block(o, &mut acc1);
        (o, clock) = (o + 64, clock + 16);
        if clock.is_multiple_of(256) {
            kahan(&mut acc1, &mut acc2, &mut err);
        }
    }
    if len > o {
        block(o, &mut acc1);
    }
    kahan(&mut acc1, &mut acc2, &mut err);
    let [
        a0,
        a1,
        a2,
        a3,
        a4,
        a5,
        a6,
        a7,
        a8,
        a9,
        a10,
        a11,
        a12,
        a13,
        a14,
        a15,
    ] = acc2;
    let v8 = [
        add(a0, a8),
        add(a1, a9),
        add(a2, a10),
        add(a3, a11),
        add(a4, a12),
        add(a5, a13),
        add(a6, a14),
        add(a7, a15),
    ];
    reduce_add_lanes(v8)
}

/// 16 lanes as two vectors of eight.
#[derive(Clone, Copy)]
struct Sixteen<L>(L, L);

impl<L: Ops> Sixteen<L> {
    #[inline(always)]
    fn zero() -> Self {
        Sixteen(L::splat(0.0), L::splat(0.0))
    }
    #[inline(always)]
    fn add(self, o: Self) -> Self {
        Sixteen(self.0.add(o.0), self.1.add(o.1))
    }
    #[inline(always)]
    fn sub(self, o: Self) -> Self {
        Sixteen(self.0.sub(o.0), self.1.sub(o.1))
    }
}

/// The running state of one `sum_float_k1` call.
struct Acc<L> {
    acc1: Sixteen<L>,
    acc2: Sixteen<L>,
    err: Sixteen<L>,
}

impl<L: Lanes> Acc<L> {
    #[inline(always)]
    fn new() -> Self {
        Acc {
            acc1: Sixteen::zero(),
            acc2: Sixteen::zero(),
            err: Sixteen::zero(),
        }
    }

    /// `acc1` into `acc2`, compensated; `acc1` starts again at zero.
    #[inline(always)]
    fn kahan(&mut self) {
        let y = self.acc1.sub(self.err);
        let t = self.acc2.add(y);
        let err = t.sub(self.acc2).sub(y);
        self.err = Sixteen(finite_or_zero(err.0), finite_or_zero(err.1));
        self.acc2 = t;
        self.acc1 = Sixteen::zero();
    }

    /// The folded total.
    #[inline(always)]
    fn total(mut self) -> f32 {
        self.kahan();
        reduce_add_lanes(self.acc2.0.add(self.acc2.1).to_array())
    }
}

/// `x` where finite, else `+0.0`.
#[inline(always)]
fn finite_or_zero<L: Ops>(x: L) -> L {
    L::select_or_zero(L::splat(f32::INFINITY).gt(x.abs()), x)
}

/// One 64-element block: four 16-lane vectors added left to right.
#[inline(always)]
fn block<L: Lanes>(b: &[[f32; LANES]; 8]) -> Sixteen<L> {
    let [a0, a1, a2, a3, a4, a5, a6, a7] = b;
    let lo = L::load(a0)
        .add(L::load(a2))
        .add(L::load(a4))
        .add(L::load(a6));
    let hi = L::load(a1)
        .add(L::load(a3))
        .add(L::load(a5))
        .add(L::load(a7));
    Sixteen(lo, hi)
}

/// `sum_float_k1` of one slice of at most 32,768 elements.
#[inline(always)]
fn sum_k1<L: Lanes>(x: &[f32]) -> f32 {
    let (chunks, tail) = x.as_chunks::<LANES>();
    let (blocks, rest) = chunks.as_chunks::<8>();
    let (groups, lone) = blocks.as_chunks::<4>();
    let mut acc = Acc::<L>::new();
    let mut clock = 0_usize;
    for [b0, b1, b2, b3] in groups {
        let g = block::<L>(b0)
            .add(block::<L>(b1))
            .add(block::<L>(b2))
            .add(block::<L>(b3));
        acc.acc1 = acc.acc1.add(g);
        clock += 64;
        if clock.is_multiple_of(256) {
            acc.kahan();
        }
    }
    for b in lone {
        acc.acc1 = acc.acc1.add(block::<L>(b));
        clock += 16;
        if clock.is_multiple_of(256) {
            acc.kahan();
        }
    }
    if !rest.is_empty() || !tail.is_empty() {
        // The zero-padded tail block.
        let mut padded = [[0.0_f32; LANES]; 8];
        for (p, c) in padded.iter_mut().zip(rest) {
            *p = *c;
        }
        if let Some(p) = padded.get_mut(rest.len()) {
            for (p, t) in p.iter_mut().zip(tail) {
                *p = *t;
            }
        }
        acc.acc1 = acc.acc1.add(block::<L>(&padded));
    }
    acc.total()
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::needless_range_loop)]
mod tests {
    extern crate std;
    use super::{exp, exp_nonpositive, exp_nonpositive_no_flush, row_sum};
    use crate::kernels::backend::array::Array;
    use crate::kernels::lanes::{LANES, Lanes};
    use std::vec::Vec;

    /// YNNPACK's `exp_taylor2` written from its description with the
    /// standard library's operations (none of this module's forms).
    fn transcription(x: f32) -> f32 {
        let c = f32::from_bits;
        if x.is_nan() {
            return x;
        }
        let xc = x.max(c(0xc2b0_0f34)).min(c(0x42b1_7218));
        let b = (xc * c(0x3fb8_aa3b) + 12_582_912.0) - 12_582_912.0;
        let r = b.mul_add(c(0xbf31_7200), xc);
        let r = b.mul_add(c(0xb5bf_be8e), r);
        let s = f32::from_bits((b + c(0x4b00_007f)).to_bits() << 23);
        let r2 = r * r;
        let y0 = r2.mul_add(
            r2.mul_add(r2.mul_add(c(0xb851_27e0), c(0x3ab9_3cac)), c(0x3d2a_a994)),
            c(0x3eff_fffe),
        );
        let y1 = r2.mul_add(r2.mul_add(c(0x396e_cce9), c(0x3c08_629e)), c(0x3e2a_aad2));
        let q = r2.mul_add(r.mul_add(y1, y0), r);
        let e = if s.is_infinite() { s } else { s.mul_add(q, s) };
        if e.is_subnormal() { 0.0 } else { e }
    }

    /// Every lane form and every variant against the transcription, on
    /// every `step`-th f32 from `from` down to `to`.
    fn check(from: f32, to: f32, step: usize) {
        let mut xs = [0.0_f32; LANES];
        let mut bits = (from.to_bits()..=to.to_bits()).step_by(step).peekable();
        while bits.peek().is_some() {
            for (x, b) in xs.iter_mut().zip(&mut bits) {
                *x = f32::from_bits(b);
            }
            let want = xs.map(transcription).map(f32::to_bits);
            let s = Array::load(&xs);
            let w = wide::f32x8::new(xs);
            for got in [
                exp(s).to_array(),
                exp_nonpositive(s).to_array(),
                exp(w).to_array(),
                exp_nonpositive(w).to_array(),
                xs.map(exp::<f32>),
            ] {
                assert_eq!(got.map(f32::to_bits), want, "at {xs:?}");
            }
            for (x, want) in xs.iter().zip(want) {
                if *x >= super::super::exp::NO_FLUSH_FROM {
                    assert_eq!(exp_nonpositive_no_flush(*x).to_bits(), want, "at {x}");
                }
            }
        }
    }

    #[test]
    fn exp_is_the_kernels_on_every_lane_form() {
        check(-0.0, f32::NEG_INFINITY, 9973);
        check(-84.0, -90.0, 7);
        for x in [0.0_f32, 1.0, 88.7, 88.8, 100.0, f32::INFINITY] {
            assert_eq!(exp(x).to_bits(), transcription(x).to_bits(), "{x}");
        }
        assert!(exp(f32::NAN).is_nan());
    }

    /// The 16-lane sum on eight-lane arrays against the same sum written
    /// on sixteen scalar accumulators, for lengths around every boundary
    /// (blocks of 64, groups of 256, the Kahan step at 1,024, slices of
    /// 32,768).
    #[test]
    fn row_sum_is_the_sixteen_lane_kernel() {
        fn kahan(acc1: &mut [f32; 16], acc2: &mut [f32; 16], err: &mut [f32; 16]) {
            for i in 0..16 {
                let y = acc1[i] - err[i];
                let t = acc2[i] + y;
                let e = (t - acc2[i]) - y;
                err[i] = if e.is_finite() { e } else { 0.0 };
                acc2[i] = t;
                acc1[i] = 0.0;
            }
        }
        fn k1(a: &[f32]) -> f32 {
            let block = |o: usize| {
                let mut v = [0.0_f32; 16];
                for j in 0..4 {
                    for (i, v) in v.iter_mut().enumerate() {
                        *v += a.get(o + 16 * j + i).copied().unwrap_or(0.0);
                    }
                }
                v
            };
            let (mut acc1, mut acc2, mut err) = ([0.0_f32; 16], [0.0_f32; 16], [0.0_f32; 16]);
            let (k, mut o, mut clock) = (a.len(), 0, 0);
            while k - o >= 256 {
                let mut g = block(o);
                for c in 1..4 {
                    let b = block(o + 64 * c);
                    for i in 0..16 {
                        g[i] += b[i];
                    }
                }
                for i in 0..16 {
                    acc1[i] += g[i];
                }
                (o, clock) = (o + 256, clock + 64);
                if clock % 256 == 0 {
                    kahan(&mut acc1, &mut acc2, &mut err);
                }
            }
            while k - o >= 64 {
                let b = block(o);
                for i in 0..16 {
                    acc1[i] += b[i];
                }
                (o, clock) = (o + 64, clock + 16);
                if clock % 256 == 0 {
                    kahan(&mut acc1, &mut acc2, &mut err);
                }
            }
            if k > o {
                let b = block(o);
                for i in 0..16 {
                    acc1[i] += b[i];
                }
            }
            kahan(&mut acc1, &mut acc2, &mut err);
            let v8: Vec<f32> = (0..8).map(|i| acc2[i] + acc2[i + 8]).collect();
            let v4: Vec<f32> = (0..4).map(|i| v8[i] + v8[i + 4]).collect();
            (v4[0] + v4[2]) + (v4[1] + v4[3])
        }
        fn sum(a: &[f32]) -> f32 {
            if a.len() <= 32_768 {
                return k1(a);
            }
            let parts: Vec<f32> = a.chunks(32_768).map(k1).collect();
            sum(&parts)
        }
        let mut state = 0x9e37_79b9_u32;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            f32::from_bits(0x3e00_0000 | (state >> 8))
        };
        let lens = [
            0, 1, 15, 16, 63, 64, 65, 255, 256, 257, 1023, 1024, 1025, 4096, 5000, 32_767, 32_768,
            32_769, 70_000,
        ];
        // Values over 2^-27 .. 2^13: for these rows the slices' sums round
        // differently from one pass over the whole row, so a row summed
        // without its slices fails (the values above are too even to show
        // it; the seeds are ones where the two differ).
        use crate::kernels::spec::test_values::wide;
        let long = [wide(40_000, 1), wide(70_000, 2), wide(70_000, 10)];
        // Groups of 256 then lone blocks of 64, where a Kahan step out of
        // its place changes the sum.
        let short = [(448, 9), (1216, 15), (1984, 3), (4032, 3)].map(|(len, seed)| wide(len, seed));
        for x in &long {
            assert_ne!(k1(x).to_bits(), sum(x).to_bits(), "len {}", x.len());
        }
        let even = lens.map(|len| (0..len).map(|_| next()).collect::<Vec<f32>>());
        for x in even.iter().chain(&long).chain(&short) {
            let len = x.len();
            assert_eq!(row_sum::<Array>(x).to_bits(), sum(x).to_bits(), "len {len}");
            assert_eq!(
                row_sum::<wide::f32x8>(x).to_bits(),
                sum(x).to_bits(),
                "len {len}"
            );
            assert_eq!(
                super::row_sum_scalar(x).to_bits(),
                sum(x).to_bits(),
                "len {len}"
            );
        }
    }
}
