//! `exp` on eight lanes: Cody–Waite range reduction and a degree-6 polynomial.
//!
//! `exp(x) = 2^n · exp(r)` with `n = round(x / ln 2)` and
//! `r = x − n·ln 2 ∈ [−ln 2 / 2, ln 2 / 2]`:
//! - `n` is rounded to nearest-even by adding and subtracting `1.5 · 2^23`,
//!   which every target does identically (no float-to-int conversion, whose
//!   NaN and overflow behaviour differs between instruction sets);
//! - `n · ln 2` is subtracted in two parts (`LN2_HI` has few enough
//!   significant bits that `n · LN2_HI` is exact);
//! - `exp(r) ≈ 1 + r + r² · P(r)` with `P` of degree 4, fitted for
//!   relative error (about 4e-9 before rounding), evaluated as
//!   `(Q0 + Q1·r) + r²·((Q2 + Q3·r) + r²·Q4)` without fused multiply-add,
//!   so that the two linear terms and `r²` run in parallel;
//! - `2^n` is applied by adding `n` to the exponent field of `exp(r)`, an
//!   exact scaling wherever the result is a normal float. Elsewhere the bits
//!   are garbage, and selects on the *input* replace them: below the
//!   smallest input with a normal result → `+0.0`, above `ln(f32::MAX)` →
//!   `+inf`, NaN → `f32::NAN`. Deciding from the input keeps the selects off
//!   the dependency chain and makes any clamp of the input unnecessary.
//! - On [−inf, 0] the last two selects cannot fire: `exp_nonpositive` skips
//!   them, with the same bits, for callers that know their range.
//!
//! Contract (checked by the test suite, exhaustively over [−104, 0] in
//! release mode):
//! - less than 1 ulp from the exact `exp` (so at most 1 ulp from the
//!   correctly rounded one) wherever that is a normal float (about
//!   [−87.336, 88.722]; the largest error measured is 0.92 ulp);
//! - every result below `f32::MIN_POSITIVE` is returned as `+0.0`: this
//!   `exp` never returns a subnormal;
//! - `exp(-inf) = +0.0`, `exp(+inf) = +inf`, results above `f32::MAX` are
//!   `+inf`, `exp(±0) = 1`;
//! - a NaN input gives the canonical quiet NaN `f32::NAN` (bits
//!   `0x7fc0_0000`), whatever its payload.

use crate::kernels::backend::Ops;

const LOG2E: f32 = core::f32::consts::LOG2_E;
/// `1.5 · 2^23`: adding it rounds to an integer, ties to even.
const ROUND_MAGIC: f32 = 12_582_912.0;
/// The high part of ln 2, with 15 significant bits.
const LN2_HI: f32 = f32::from_bits(0x3f31_7200); // 0.693145751953125
/// `ln 2 − LN2_HI`.
const LN2_LO: f32 = f32::from_bits(0x35bf_be8e); // 1.4286068203094172e-6
// `P(r) ≈ (exp(r) − 1 − r) / r²` on [−ln 2 / 2, ln 2 / 2], fitted for the
// smallest relative error of `1 + r + r²·P(r)` (about 4e-9, a few hundredths
// of an ulp) and rounded to f32.
const Q0: f32 = f32::from_bits(0x3eff_fffe); // 4.9999994040e-1
const Q1: f32 = f32::from_bits(0x3e2a_aa49); // 1.6666521132e-1
const Q2: f32 = f32::from_bits(0x3d2a_ac79); // 4.1668388993e-2
const Q3: f32 = f32::from_bits(0x3c09_1cf1); // 8.3687165752e-3
const Q4: f32 = f32::from_bits(0x3ab5_121a); // 1.3814598788e-3
/// The smallest f32 whose correctly rounded `exp` is normal. Every input
/// below it (including `-inf`) gives `+0.0`; at and above it the
/// reconstructed result is normal (checked exhaustively), so the flush is
/// decided from the input, off the polynomial's dependency chain, and
/// inputs need no clamp: the garbage that far-out inputs (down to `-inf`)
/// produce in the exponent field is discarded by the same select.
const FLUSH_BELOW: f32 = f32::from_bits(0xc2ae_ac4f); // -87.33654
/// The largest f32 whose `exp` is finite: above it the result is `+inf`.
const LN_MAX: f32 = f32::from_bits(0x42b1_7217); // 88.72283

/// `exp` of one value: [`exp`] on one lane. Kept out of line where code
/// size matters (targets without SIMD, whose reference kernels call it for
/// every element).
#[cfg_attr(not(wtas_simd), inline(never))]
#[cfg_attr(wtas_simd, inline)]
pub(crate) fn exp_f32(x: f32) -> f32 {
    exp(x)
}

/// `exp` on every lane. See the module documentation for the contract.
#[inline(always)]
pub(crate) fn exp<L: Ops>(x: L) -> L {
    exp_special(x, exp_nonpositive(x))
}

/// The two selects that turn `y = exp_nonpositive(x)` into `exp(x)`:
/// `+inf` above `LN_MAX`, `f32::NAN` for NaN.
#[inline(always)]
pub(crate) fn exp_special<L: Ops>(x: L, y: L) -> L {
    let y = L::select(x.gt(L::splat(LN_MAX)), L::splat(f32::INFINITY), y);
    L::select(x.is_nan(), L::splat(f32::NAN), y)
}

/// [`exp`] without the overflow and NaN selects: the same bits wherever `x`
/// is not NaN and at most `LN_MAX`, in particular on all of [−inf, 0]
/// (where both selects keep their input).
#[inline(always)]
pub(crate) fn exp_nonpositive<L: Ops>(x: L) -> L {
    let (kf, r) = exp_reduce(x);
    exp_finish(x, kf, r)
}

/// The first half of [`exp_nonpositive`]: `x·log2(e) + ROUND_MAGIC` (whose
/// low bits hold `n`) and the reduced argument `r`. Split out so that a
/// loop can reduce one group of vectors while finishing the previous one.
#[inline(always)]
pub(crate) fn exp_reduce<L: Ops>(x: L) -> (L, L) {
    let kf = x.mul(L::splat(LOG2E)).add(L::splat(ROUND_MAGIC));
    let n = kf.sub(L::splat(ROUND_MAGIC));
    let r = x.sub(n.mul(L::splat(LN2_HI))).sub(n.mul(L::splat(LN2_LO)));
    (kf, r)
}

/// The second half of [`exp_nonpositive`], from [`exp_reduce`]'s results.
#[inline(always)]
pub(crate) fn exp_finish<L: Ops>(x: L, kf: L, r: L) -> L {
    L::select_or_zero(x.ge(L::splat(FLUSH_BELOW)), exp_scaled(kf, r))
}

/// One value of [`exp_nonpositive`] with the flush below `FLUSH_BELOW`
/// as a branch rather than a select: for a core without SIMD, where the
/// branch is the cheaper of the two and skips the work it discards.
#[inline(always)]
pub(crate) fn exp_nonpositive_branchy(x: f32) -> f32 {
    if x >= FLUSH_BELOW {
        let (kf, r) = exp_reduce(x);
        exp_scaled(kf, r)
    } else {
        0.0
    }
}

/// [`exp_finish`] before its flush: the polynomial and the scaling by
/// `2^n`, whose bits are garbage where the result is not normal.
#[inline(always)]
fn exp_scaled<L: Ops>(kf: L, r: L) -> L {
    // P(r) = (Q0 + Q1·r) + r²·((Q2 + Q3·r) + r²·Q4): the two linear terms
    // and r² are independent, so the chain is three links shorter than
    // Horner's rule.
    let z = r.mul(r);
    let lo = L::splat(Q1).mul(r).add(L::splat(Q0));
    let hi = L::splat(Q3).mul(r).add(L::splat(Q2));
    let p = lo.add(z.mul(hi.add(z.mul(L::splat(Q4)))));
    let y = p.mul(z).add(r).add(L::splat(1.0));

    // y · 2^n: add n to the exponent field. The low 9 bits of `kf`'s
    // mantissa are `n` mod 512 (`ROUND_MAGIC`'s are zero), so shifting them
    // into the exponent field gives `n << 23` without subtracting first.
    L::from_bits(L::bits_add(y.to_bits(), L::bits_shl::<23>(kf.to_bits())))
}

#[cfg(test)]
mod tests {
    use super::{exp, exp_nonpositive, exp_nonpositive_branchy};
    use crate::kernels::backend::array::Array;
    use crate::kernels::backend::{LANES, Lanes};

    /// Checks that `exp_nonpositive` and its one-value branchy form equal
    /// `exp` bit for bit on every `step`-th f32 from `-0.0` down to `-inf`
    /// (both included), on the array lanes and the `wide` lanes.
    fn same_bits_nonpositive(step: usize) -> u64 {
        let (lo, hi) = ((-0.0_f32).to_bits(), f32::NEG_INFINITY.to_bits());
        let mut xs = [0.0_f32; LANES];
        let mut checked = 0;
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
                xs.map(exp_nonpositive_branchy),
                exp(w).to_array(),
                exp_nonpositive(w).to_array(),
            ] {
                assert_eq!(want.map(f32::to_bits), got.map(f32::to_bits), "at {xs:?}");
            }
            checked += LANES as u64;
        }
        checked
    }

    #[test]
    fn nonpositive_variant_has_the_same_bits_sampled() {
        assert!(same_bits_nonpositive(9973) > 200_000);
    }

    /// Every f32 in [−inf, 0] (about 2.1 billion):
    /// `cargo test --release --lib -- --ignored`.
    #[test]
    #[ignore = "exhaustive: about 2^31 inputs, run in release mode"]
    fn nonpositive_variant_has_the_same_bits_everywhere() {
        let all = u64::from(f32::NEG_INFINITY.to_bits() - (-0.0_f32).to_bits()) + 1;
        assert!(same_bits_nonpositive(1) >= all);
    }
}
