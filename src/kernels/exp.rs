//! `exp` on eight lanes: Cody–Waite range reduction and a degree-5 polynomial.
//!
//! `exp(x) = 2^n · exp(r)` with `n = round(x / ln 2)` and
//! `r = x − n·ln 2 ∈ [−ln 2 / 2, ln 2 / 2]`:
//! - `n` is rounded to nearest-even by adding and subtracting `1.5 · 2^23`,
//!   which every target does identically (no float-to-int conversion, whose
//!   NaN and overflow behaviour differs between instruction sets);
//! - `n · ln 2` is subtracted in two parts (`LN2_HI` has few enough
//!   significant bits that `n · LN2_HI` is exact);
//! - `exp(r) ≈ 1 + r + r² · P(r)` with the classic Cephes `expf`
//!   coefficients, evaluated by Horner's rule without fused multiply-add;
//! - `2^n` is applied by adding `n` to the exponent field of `exp(r)`, an
//!   exact scaling wherever the result is a normal float. Inputs are first
//!   raised to at least −88 (so `n ≥ −127`); where the exponent field
//!   would leave the normal range the bits are garbage, and the two final
//!   selects (below `f32::MIN_POSITIVE` → `+0.0`, above `ln(f32::MAX)` →
//!   `+inf`) replace them.
//!
//! Contract (checked by the test suite, exhaustively over [−104, 0] in
//! release mode):
//! - at most 2 ulp from the correctly rounded `exp` wherever that is a
//!   normal float (about [−87.336, 88.722]);
//! - every result below `f32::MIN_POSITIVE` is returned as `+0.0`: this
//!   `exp` never returns a subnormal;
//! - `exp(-inf) = +0.0`, `exp(+inf) = +inf`, results above `f32::MAX` are
//!   `+inf`, `exp(±0) = 1`;
//! - a NaN input gives the canonical quiet NaN `f32::NAN` (bits
//!   `0x7fc0_0000`), whatever its payload.

use super::lanes::Ops;

const LOG2E: f32 = core::f32::consts::LOG2_E;
/// `1.5 · 2^23`: adding it rounds to an integer, ties to even.
const ROUND_MAGIC: f32 = 12_582_912.0;
/// The high part of ln 2, with 15 significant bits.
const LN2_HI: f32 = f32::from_bits(0x3f31_7200); // 0.693145751953125
/// `ln 2 − LN2_HI`.
const LN2_LO: f32 = f32::from_bits(0x35bf_be8e); // 1.4286068203094172e-6
const P0: f32 = f32::from_bits(0x3950_6967); // 1.9875691500e-4
const P1: f32 = f32::from_bits(0x3ab7_43ce); // 1.3981999507e-3
const P2: f32 = f32::from_bits(0x3c08_8908); // 8.3334519073e-3
const P3: f32 = f32::from_bits(0x3d2a_a9c1); // 4.1665795894e-2
const P4: f32 = f32::from_bits(0x3e2a_aaaa); // 1.6666665459e-1
const P5: f32 = f32::from_bits(0x3f00_0000); // 5.0000001201e-1
/// Inputs are raised to at least `CLAMP_LO` (a max), which keeps `n ≥ −127`
/// so the exponent arithmetic cannot wrap into a NaN pattern; every input
/// at or below it has a result below `f32::MIN_POSITIVE`, returned as +0.
const CLAMP_LO: f32 = -88.0;
/// The largest f32 whose `exp` is finite: above it the result is `+inf`.
const LN_MAX: f32 = f32::from_bits(0x42b1_7217); // 88.72283
/// Bit pattern of `ROUND_MAGIC`: subtracting it from the bits of
/// `x · log2(e) + ROUND_MAGIC` gives `n`.
const MAGIC_BITS: u32 = 0x4b40_0000;

/// `exp` on every lane. See the module documentation for the contract.
#[inline(always)]
pub(crate) fn exp<L: Ops>(x: L) -> L {
    // NaN becomes CLAMP_LO here; the last select restores it.
    let xc = x.max_gt(L::splat(CLAMP_LO));

    let kf = xc.mul(L::splat(LOG2E)).add(L::splat(ROUND_MAGIC));
    let n = kf.sub(L::splat(ROUND_MAGIC));
    let r = xc.sub(n.mul(L::splat(LN2_HI))).sub(n.mul(L::splat(LN2_LO)));

    let z = r.mul(r);
    let p = L::splat(P0).mul(r).add(L::splat(P1));
    let p = p.mul(r).add(L::splat(P2));
    let p = p.mul(r).add(L::splat(P3));
    let p = p.mul(r).add(L::splat(P4));
    let p = p.mul(r).add(L::splat(P5));
    let y = p.mul(z).add(r).add(L::splat(1.0));

    // y · 2^n: add n to the exponent field.
    let n_bits = L::bits_sub_scalar(kf.to_bits(), MAGIC_BITS);
    let y = L::from_bits(L::bits_add(y.to_bits(), L::bits_shl::<23>(n_bits)));

    // `!(y >= MIN_POSITIVE)` also catches the garbage NaN patterns.
    let y = L::select(y.ge(L::splat(f32::MIN_POSITIVE)), y, L::splat(0.0));
    let y = L::select(x.gt(L::splat(LN_MAX)), L::splat(f32::INFINITY), y);
    L::select(x.is_nan(), L::splat(f32::NAN), y)
}
