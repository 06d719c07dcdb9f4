//! `exp` as the reference computes it: the polynomial XLA's CPU compiler
//! emits inline in the softmax's fused kernel (Cephes' `expf`), with the
//! multiply-adds fused as the machine code fuses them.
//!
//! For `x` (every step rounded once; `fma(a, b, c)` is `a * b + c` rounded
//! once):
//!
//! ```text
//! x = min(HI, max(LO, x))                    LO = -87.8, HI = 88.8; NaN stays
//! n = floor(fma(x, log2(e), 0.5))            clamped to [-127, 127]
//! r = fma(n, -C1, x)                         C1 = 0.693359375
//! r = fma(n, -C2, r)                         C2 = -2.12194440e-4
//! p = fma(fma(fma(fma(fma(P0, r, P1), r, P2), r, P3), r, P4), r, 0.5)
//! y = fma(p, r * r, r) + 1
//! e = flush(y * 2^n)                         2^-127 is the bit pattern 0
//! ```
//!
//! `flush` is the reference's flush-to-zero: a subnormal result is `+0.0`.
//! `fma(n, -C1, x)` is `fma(-n, C1, x)` bit for bit (`n` is never `-0.0`,
//! so the products' zeros have the same sign).
//!
//! Every target computes these operations to the same definition, so the
//! bits are the same everywhere; `DESIGN.md` has how they were read off the
//! reference's compiled code (jax/jaxlib 0.10.2, x86-64 with FMA).

use crate::kernels::lanes::Ops;

/// `-87.8` as f32: the lower clamp.
const LO: f32 = f32::from_bits(0xc2af_999a);
/// `88.8` as f32: the upper clamp.
const HI: f32 = f32::from_bits(0x42b1_999a);
/// `log2(e)`.
const LOG2E: f32 = f32::from_bits(0x3fb8_aa3b);
/// `-C1 = -0.693359375`, the high part of `ln 2` (exact products with `n`).
const NEG_C1: f32 = f32::from_bits(0xbf31_8000);
/// `-C2 = 2.12194440e-4`, `C1 - ln 2`.
const NEG_C2: f32 = f32::from_bits(0x395e_8083);
/// Cephes' polynomial for `(exp(r) - 1 - r) / r²`, highest degree first;
/// its last coefficient is `0.5`.
const P0: f32 = f32::from_bits(0x3950_6967);
const P1: f32 = f32::from_bits(0x3ab7_43ce);
const P2: f32 = f32::from_bits(0x3c08_8908);
const P3: f32 = f32::from_bits(0x3d2a_a9c1);
const P4: f32 = f32::from_bits(0x3e2a_aaaa);
/// `1.5 · 2^23`: `(y + M) - M` rounds `y` to an integer, ties to even, for
/// `|y| < 2^22`; and the bits of `n + M` hold `n` in their low bits.
const ROUND_MAGIC: f32 = 12_582_912.0;
/// `127 << 23`: the exponent bias in place.
const BIAS_BITS: u32 = 127 << 23;
/// Above this every `exp` input's result is normal or `+0.0` (`n >= -125`
/// there, and `y >= 0.7`): callers that know `x >= NO_FLUSH_FROM` may skip
/// the final flush (see [`exp_nonpositive_no_flush`]).
pub(crate) const NO_FLUSH_FROM: f32 = -86.0;

/// The constants of [`cephes_expm1`], in the order it uses them.
const CEPHES: [f32; 8] = [NEG_C1, NEG_C2, P0, P1, P2, P3, P4, 0.5];

/// `exp(r) - 1` of the reduced argument, from the clamped `x` and `n`:
/// the reduction and the polynomial, nine multiply-adds in a row (every
/// `fma` rounded once).
///
/// ```text
/// r = fma(n, -C1, x);  r = fma(n, -C2, r)
/// p = fma(fma(fma(fma(fma(P0, r, P1), r, P2), r, P3), r, P4), r, 0.5)
/// fma(p, r * r, r)
/// ```
///
/// On Cortex-M4F the same operations run as one block of assembly
/// ([`Ops::cephes_expm1_block`]).
#[inline(always)]
pub(crate) fn cephes_expm1<L: Ops>(x: L, n: L) -> L {
    if let Some(y) = L::cephes_expm1_block(x, n, &CEPHES) {
        return y;
    }
    // One splat at a time: `CEPHES.map(L::splat)` goes through
    // `array::map`, compiled out of line without the caller's target
    // features, which costs AVX2 a call per constant and exp (3x slower).
    let [neg_c1, neg_c2, p0, p1, p2, p3, p4, half] = CEPHES;
    let (neg_c1, neg_c2, half) = (L::splat(neg_c1), L::splat(neg_c2), L::splat(half));
    let (p0, p1, p2, p3, p4) = (
        L::splat(p0),
        L::splat(p1),
        L::splat(p2),
        L::splat(p3),
        L::splat(p4),
    );
    // `n * C1` is exact (`n` is a whole number of at most 7 bits, `C1`
    // has 9 significant bits), so the separate product and sum round once,
    // as the fused form does: on a core without an FPU, the cheaper form.
    let r = if cfg!(wtas_soft_float) {
        n.mul(neg_c1).add(x)
    } else {
        n.mul_add(neg_c1, x)
    };
    let r = n.mul_add(neg_c2, r);
    let p = p0.mul_add(r, p1);
    let p = p.mul_add(r, p2);
    let p = p.mul_add(r, p3);
    let p = p.mul_add(r, p4);
    let p = p.mul_add(r, half);
    p.mul_add(r.mul(r), r)
}

/// `floor(y)`: `y` is `fma(x, log2(e), 0.5)` with `x` clamped to
/// [−87.8, 88.8] (or NaN), well inside `|y| < 2^22`.
#[inline(always)]
fn floor_small<L: Ops>(y: L) -> L {
    y.floor_small()
}

/// `2^n` for an integer `n` in `[-127, 127]` (`+0.0` for `-127`), from the
/// bits of `n + ROUND_MAGIC`: its low 9 bits are `n mod 512`, and shifting
/// them into the exponent field and adding the bias gives `(n + 127) << 23`.
#[inline(always)]
fn pow2<L: Ops>(n: L) -> L {
    let k = n.add(L::splat(ROUND_MAGIC)).to_bits();
    L::from_bits(L::bits_add(
        L::bits_shl::<23>(k),
        L::splat(f32::from_bits(BIAS_BITS)).to_bits(),
    ))
}

/// The polynomial and the scaling, from the clamped `x` and `n`.
#[inline(always)]
fn exp_core<L: Ops, const FLUSH: bool>(x: L, n: L) -> L {
    let y = cephes_expm1(x, n).add(L::splat(1.0));
    let e = y.mul(pow2(n));
    if FLUSH {
        e.flush_below(L::splat(f32::MIN_POSITIVE))
    } else {
        e
    }
}

/// The reference's `exp` on every lane, for any input (the module
/// documentation has the steps). A NaN input gives `f32::NAN`: the
/// reference gives a NaN, whose payload instruction sets disagree on.
#[inline(always)]
pub(crate) fn exp<L: Ops>(x: L) -> L {
    // `LO > x ? LO : x`: a NaN `x` is kept, as by the reference's clamp.
    let xc = L::splat(LO).max_gt(x);
    let xc = L::splat(HI).min_lt(xc);
    let n = floor_small(xc.mul_add(L::splat(LOG2E), L::splat(0.5)));
    let n = L::splat(-127.0).max_gt(n);
    let n = L::splat(127.0).min_lt(n);
    L::select(x.is_nan(), L::splat(f32::NAN), exp_core::<L, true>(xc, n))
}

/// [`exp`] for `x` in [−inf, 0] (no NaN): the same bits, without the upper
/// clamps, which cannot act there (`x <= 0` gives `n <= 0`, and
/// `x >= LO` gives `n >= -127`).
#[inline(always)]
pub(crate) fn exp_nonpositive<L: Ops>(x: L) -> L {
    let x = L::splat(LO).max_gt(x);
    let n = floor_small(x.mul_add(L::splat(LOG2E), L::splat(0.5)));
    exp_core::<L, true>(x, n)
}

/// [`exp_nonpositive`] for `x` in [`NO_FLUSH_FROM`, 0]: the same bits
/// without the lower clamp and the final flush, which cannot act there
/// (`n >= -125`, so `y * 2^n` is normal).
#[inline(always)]
pub(crate) fn exp_nonpositive_no_flush<L: Ops>(x: L) -> L {
    let n = floor_small(x.mul_add(L::splat(LOG2E), L::splat(0.5)));
    exp_core::<L, false>(x, n)
}

/// `exp` of one value: [`exp`] on one lane. Kept out of line where code
/// size matters (targets without SIMD, whose scalar kernels call it for
/// every element).
#[cfg_attr(not(wtas_simd), inline(never))]
#[cfg_attr(wtas_simd, inline)]
pub(crate) fn exp_f32(x: f32) -> f32 {
    exp(x)
}

#[cfg(test)]
mod tests {
    use super::{NO_FLUSH_FROM, exp, exp_nonpositive, exp_nonpositive_no_flush};
    use crate::kernels::backend::array::Array;
    use crate::kernels::lanes::{LANES, Lanes};

    /// Checks that the variants equal `exp` bit for bit on every `step`-th
    /// f32 from `from` down to `to` (negative, both included), on the array
    /// lanes and the `wide` lanes; `exp_nonpositive_no_flush` on its range.
    /// Returns how many inputs were checked, and how many of them in
    /// `exp_nonpositive_no_flush`'s range.
    fn same_bits_nonpositive(from: f32, to: f32, step: usize) -> (u64, u64) {
        let (lo, hi) = (from.to_bits(), to.to_bits());
        let mut xs = [0.0_f32; LANES];
        let (mut checked, mut no_flush) = (0, 0);
        let mut bits = (lo..=hi).step_by(step).chain([hi]).peekable();
        while bits.peek().is_some() {
            for (x, b) in xs.iter_mut().zip(&mut bits) {
                *x = f32::from_bits(b);
            }
            let s = Array::load(&xs);
            let w = wide::f32x8::new(xs);
            let want = exp(s).to_array();
            for got in [
                exp_nonpositive(s).to_array(),
                xs.map(exp_nonpositive::<f32>),
                exp(w).to_array(),
                exp_nonpositive(w).to_array(),
            ] {
                assert_eq!(want.map(f32::to_bits), got.map(f32::to_bits), "at {xs:?}");
            }
            for (x, want) in xs.iter().zip(want) {
                if *x >= NO_FLUSH_FROM {
                    assert_eq!(
                        exp_nonpositive_no_flush(*x).to_bits(),
                        want.to_bits(),
                        "at {x}"
                    );
                    no_flush += 1;
                }
            }
            checked += LANES as u64;
        }
        (checked, no_flush)
    }

    /// The sample reaches into the no-flush range, [−86, 0]: about half of
    /// the f32 in [−inf, 0] are in it.
    #[test]
    fn nonpositive_variants_have_the_same_bits_sampled() {
        let (checked, no_flush) = same_bits_nonpositive(-0.0, f32::NEG_INFINITY, 9973);
        assert!(
            checked > 200_000 && no_flush > 100_000,
            "{checked}, {no_flush}"
        );
    }

    /// Every f32 in [−104, −80], where the clamp and the flush act, and
    /// every 101st in [−inf, 0] (about 24 million in all):
    /// `cargo test --release --lib -- --ignored`.
    #[test]
    #[ignore = "about 24 million inputs, run in release mode"]
    fn nonpositive_variants_have_the_same_bits_densely() {
        // [−86, −80] is in the no-flush range: about a quarter of these.
        let (checked, no_flush) = same_bits_nonpositive(-80.0, -104.0, 1);
        assert!(
            checked >= 3_000_000 && no_flush >= 700_000,
            "{checked}, {no_flush}"
        );
        assert!(same_bits_nonpositive(-0.0, f32::NEG_INFINITY, 101).0 >= 20_000_000);
    }
}
