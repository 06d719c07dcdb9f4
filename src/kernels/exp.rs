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
//! - `2^n` is built from the bits of the rounded sum and applied as two
//!   factors `2^⌊n/2⌋ · 2^(n−⌊n/2⌋)`, so both are normal floats over the
//!   whole clamped range and the scaling is exact until the final multiply.
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
/// Inputs are clamped to `[CLAMP_LO, CLAMP_HI]` first, which keeps `n` in
/// [−150, 128] so the exponent arithmetic below cannot wrap; the clamped
/// ends still give exactly `+0.0` and `+inf`.
const CLAMP_LO: f32 = -104.0;
const CLAMP_HI: f32 = 89.0;
/// Bit pattern of `ROUND_MAGIC`, less 256: subtracting it from the bits of
/// `x · log2(e) + ROUND_MAGIC` gives `n + 256`, which is positive.
const MAGIC_BITS_LESS_256: u32 = 0x4b40_0000 - 256;

/// `exp` on every lane. See the module documentation for the contract.
#[inline(always)]
pub(crate) fn exp<L: Ops>(x: L) -> L {
    let lo = L::splat(CLAMP_LO);
    let hi = L::splat(CLAMP_HI);
    let xc = L::select(x.lt(lo), lo, x);
    let xc = L::select(xc.gt(hi), hi, xc);

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

    // n + 256 in [106, 384]; the two biased exponents e1 + e2 = n + 254.
    let n_plus_256 = L::bits_sub_scalar(kf.to_bits(), MAGIC_BITS_LESS_256);
    let e1 = L::bits_sub_scalar(L::bits_shr::<1>(n_plus_256), 1);
    let e2 = L::bits_sub(L::bits_sub_scalar(n_plus_256, 2), e1);
    let y = y
        .mul(L::from_bits(L::bits_shl::<23>(e1)))
        .mul(L::from_bits(L::bits_shl::<23>(e2)));

    let y = L::select(y.lt(L::splat(f32::MIN_POSITIVE)), L::splat(0.0), y);
    L::select(x.is_nan(), L::splat(f32::NAN), y)
}
