//! `f32` addition, subtraction and multiplication for cores without a
//! floating-point unit (Cortex-M0, RISC-V without `F`): IEEE-754 binary32,
//! round to nearest even, the same bits as the hardware's and the
//! compiler's routines.
//!
//! The compiler's soft-float routines handle every operand in one general
//! code path (and its multiply calls a 64-bit multiply, a routine of its
//! own on a core that multiplies 32 × 32 → 32 bits). The step's operands
//! are almost always normal numbers with a normal result, so these
//! functions take that case (and a sum with a zero) in a few dozen
//! integer instructions and hand every other one (a zero, subnormal,
//! infinite or NaN factor, a subnormal, infinite or NaN addend, a result
//! that would be subnormal or overflow) to the compiler's routine. Either way the
//! result is the correctly rounded one, so no bit depends on which path
//! ran; the tests compare both with the host's hardware.
//!
//! They are used where `cfg(wtas_soft_float)` is set (see `build.rs`);
//! elsewhere the hardware's instructions are both faster and the same.
#![forbid(unsafe_code)]
#![cfg_attr(not(any(wtas_soft_float, test)), allow(dead_code))]

const SIGN: u32 = 0x8000_0000;
/// The hidden bit of a normal number's significand.
const HIDDEN: u32 = 0x0080_0000;
const MANTISSA: u32 = 0x007f_ffff;

/// The biased exponent field of `x`.
#[inline(always)]
fn exponent(x: u32) -> u32 {
    (x >> 23) & 0xff
}

/// Whether a biased exponent field is that of a normal number.
#[inline(always)]
fn normal(e: u32) -> bool {
    e.wrapping_sub(1) < 254
}

/// `sign | exponent field e | significand m` for a rounded `m` in
/// `[2^23, 2^24]` (`2^24` carries into the exponent, as it should), if
/// that is a normal number.
#[inline(always)]
fn pack(sign: u32, e: i32, m: u32) -> Option<f32> {
    if e < 1 {
        return None;
    }
    let bits = ((e as u32 - 1) << 23) + m;
    normal(bits >> 23).then(|| f32::from_bits(sign | bits))
}

/// `a * b`.
///
/// Inlined where `add` and `sub` are called: on a Cortex-M0 inlining
/// the product saves more instructions per call (its general routine is
/// the slowest) than inlining the sum, and each inlined copy costs flash.
/// Measured on the firmware scenario: all three out of line 2,730
/// instructions per neuron-step, this 2,491, all three inlined 2,352 at
/// twice the flash.
#[inline(always)]
pub(crate) fn mul(a: f32, b: f32) -> f32 {
    match mul_normal(a.to_bits(), b.to_bits()) {
        Some(p) => p,
        None => mul_general(a, b),
    }
}

// The compiler's routines, out of line: the optimizer would otherwise
// compute them ahead of the test that makes them unnecessary.
#[cold]
#[inline(never)]
fn mul_general(a: f32, b: f32) -> f32 {
    a * b
}
#[cold]
#[inline(never)]
fn add_general(a: f32, b: f32) -> f32 {
    a + b
}
#[cold]
#[inline(never)]
fn sub_general(a: f32, b: f32) -> f32 {
    a - b
}

/// `a * b` for normal operands with a normal product, else `None`.
#[inline(always)]
fn mul_normal(x: u32, y: u32) -> Option<f32> {
    let (ea, eb) = (exponent(x), exponent(y));
    if !(normal(ea) && normal(eb)) {
        return None;
    }
    let ma = (x & MANTISSA) | HIDDEN;
    let mb = (y & MANTISSA) | HIDDEN;
    // The 48-bit product from 12-bit halves: every partial product fits
    // in 32 bits. `hi` and `lo` are its bits from 24 up, and below 24.
    let (ah, al) = (ma >> 12, ma & 0xfff);
    let (bh, bl) = (mb >> 12, mb & 0xfff);
    let mid = ah * bl + al * bh;
    let lo = ((mid & 0xfff) << 12) + al * bl;
    let hi = ah * bh + (mid >> 12) + (lo >> 24);
    let lo = lo & 0xff_ffff;
    // The product is in [2^46, 2^48): take its top 24 bits as the
    // significand `m` and the 24 below as `rest` (`2^23` is half an ulp).
    let (m, rest, e) = if hi >= HIDDEN {
        (hi, lo, ea as i32 + eb as i32 - 126)
    } else {
        (
            (hi << 1) | (lo >> 23),
            (lo << 1) & 0xff_ffff,
            ea as i32 + eb as i32 - 127,
        )
    };
    let up = rest > HIDDEN || (rest == HIDDEN && m & 1 == 1);
    pack((x ^ y) & SIGN, e, m + u32::from(up))
}

/// `a + b`.
#[inline(never)]
pub(crate) fn add(a: f32, b: f32) -> f32 {
    match add_normal(a.to_bits(), b.to_bits()) {
        Some(s) => s,
        None => add_general(a, b),
    }
}

/// `a - b`.
#[inline(never)]
pub(crate) fn sub(a: f32, b: f32) -> f32 {
    match add_normal(a.to_bits(), b.to_bits() ^ SIGN) {
        Some(s) => s,
        None => sub_general(a, b),
    }
}

/// `x + y` (as bits) for a normal `x` and a normal or zero `y` (or the
/// other way round) with a normal or zero sum, else `None`.
#[inline(always)]
fn add_normal(x: u32, y: u32) -> Option<f32> {
    // `x` the larger in magnitude.
    let (x, y) = if x & !SIGN >= y & !SIGN {
        (x, y)
    } else {
        (y, x)
    };
    let (ea, eb) = (exponent(x), exponent(y));
    if !normal(ea) {
        return None;
    }
    if !normal(eb) {
        // A normal number plus a zero is the number itself.
        return (y & !SIGN == 0).then(|| f32::from_bits(x));
    }
    let d = ea - eb;
    if d > 25 {
        // `|y|` is below a quarter of an ulp of `x` (of the smaller ulp
        // below a power of two): the sum rounds to `x`.
        return Some(f32::from_bits(x));
    }
    // Significands with 7 bits below them; `y`'s aligned, the bits shifted
    // out kept as one sticky bit.
    let ma = ((x & MANTISSA) | HIDDEN) << 7;
    let mb = ((y & MANTISSA) | HIDDEN) << 7;
    let lost = mb & ((1 << d) - 1);
    let mb = (mb >> d) | u32::from(lost != 0);
    let (s, e) = if (x ^ y) & SIGN == 0 {
        let s = ma + mb;
        if s >= 1 << 31 {
            ((s >> 1) | (s & 1), ea as i32 + 1)
        } else {
            (s, ea as i32)
        }
    } else if d < 2 {
        // Operands within a factor of two of each other: the difference
        // is exact (no bit was shifted out), but up to 24 leading bits
        // may cancel. Equal magnitudes give `+0.0`.
        let s = ma - mb;
        if s == 0 {
            return Some(0.0);
        }
        let shift = s.leading_zeros() - 1;
        (s << shift, ea as i32 - shift as i32)
    } else {
        // `mb < 2^29`, so at most one leading bit cancels.
        let s = ma - mb;
        if s < 1 << 30 {
            (s << 1, ea as i32 - 1)
        } else {
            (s, ea as i32)
        }
    };
    // `s` in [2^30, 2^31): 24 significand bits, then 7 below them.
    let (m, rest) = (s >> 7, s & 0x7f);
    let up = rest > 0x40 || (rest == 0x40 && m & 1 == 1);
    pack(x & SIGN, e, m + u32::from(up))
}

#[cfg(test)]
mod tests {
    use super::{add, mul, sub};

    /// xorshift64*, for reproducible operands.
    struct Bits(u64);
    impl Bits {
        fn next(&mut self) -> u32 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 32) as u32
        }
    }

    /// Checks the three operations against the hardware's on `(a, b)`.
    fn check(a: f32, b: f32) {
        let same = |got: f32, want: f32| {
            // NaN results: any NaN (the fallback is the hardware's own).
            got.to_bits() == want.to_bits() || (got.is_nan() && want.is_nan())
        };
        assert!(
            same(add(a, b), a + b),
            "{a:e} + {b:e}: {:e} != {:e}",
            add(a, b),
            a + b
        );
        assert!(
            same(sub(a, b), a - b),
            "{a:e} - {b:e}: {:e} != {:e}",
            sub(a, b),
            a - b
        );
        assert!(
            same(mul(a, b), a * b),
            "{a:e} * {b:e}: {:e} != {:e}",
            mul(a, b),
            a * b
        );
    }

    /// Operand pairs that reach every branch: random bits; operands
    /// within 0 to 30 binades of each other with random or tie-prone
    /// significands; products and sums at the edges of the normal range.
    fn pairs(n: usize, mut f: impl FnMut(f32, f32)) {
        let mut r = Bits(0x9e37_79b9_7f4a_7c15);
        let specials = [
            0.0,
            -0.0,
            f32::MIN_POSITIVE,
            -f32::MIN_POSITIVE,
            f32::from_bits(1),
            f32::MAX,
            -f32::MAX,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::NAN,
            1.0,
            -1.0,
            1.5,
            -3.25,
            1e-30,
            -1e30,
            12_582_912.0,
            -12_582_913.0,
        ];
        for &a in &specials {
            for &b in &specials {
                f(a, b);
            }
        }
        for i in 0..n {
            let (x, y) = (r.next(), r.next());
            let (a, b) = match i % 4 {
                0 => (x, y),
                1 => {
                    // Close exponents, random significands and signs.
                    let e = (x >> 23) & 0xff;
                    let d = y % 31;
                    let eb = e.saturating_sub(d);
                    (x, (y & 0x807f_ffff) | (eb << 23))
                }
                2 => {
                    // Significands with few bits set: exact ties and
                    // near-ties in the rounding.
                    let mask = !((1u32 << (r.next() % 24)) - 1) | 0xff80_0000;
                    let e = (x >> 23) & 0xff;
                    let eb = e.saturating_sub(y % 27);
                    (x & mask, ((y & mask) & 0x807f_ffff) | (eb << 23))
                }
                _ => {
                    // Exponents near the ends of the range.
                    const EDGES: [u32; 10] = [1, 2, 63, 64, 126, 127, 128, 190, 253, 254];
                    let edge = |v: u32| EDGES.get((v % 10) as usize).copied().unwrap_or(1);
                    let (e1, e2) = (edge(x), edge(y));
                    (
                        (x & 0x807f_ffff) | (e1 << 23),
                        (y & 0x807f_ffff) | (e2 << 23),
                    )
                }
            };
            f(f32::from_bits(a), f32::from_bits(b));
        }
    }

    #[test]
    fn same_bits_as_the_hardware() {
        pairs(2_000_000, check);
    }

    /// `cargo test --release --lib -- --ignored soft_float`.
    #[test]
    #[ignore = "a billion pairs: run in release mode"]
    fn same_bits_as_the_hardware_many() {
        pairs(1_000_000_000, check);
    }
}
