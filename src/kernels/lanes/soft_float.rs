//! `f32` addition, subtraction, multiplication and fused multiply-add for
//! cores without a floating-point unit (Cortex-M0, RISC-V without `F`):
//! IEEE-754 binary32, round to nearest even, the same bits as the
//! hardware's and the compiler's (or `libm`'s) routines.
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
//! The fused multiply-add is the same scheme: `libm::fmaf` evaluates in
//! software `f64` (several hundred instructions on a Cortex-M0), while
//! normal operands with a normal result take a 48-bit product of 12-bit
//! halves, one alignment with a sticky bit, one addition or subtraction
//! and one rounding; every other case goes to `libm::fmaf`.
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
/// twice the flash. The size-first build keeps one copy, out of line.
#[cfg_attr(not(feature = "size-first"), inline(always))]
#[cfg_attr(feature = "size-first", inline(never))]
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

/// The 48-bit product of the significands of the normal numbers `x` and
/// `y` (as bits), in `[2^46, 2^48)`, as its bits from 24 up (`hi`, in
/// `[2^22, 2^24)`) and the 24 below (`lo`).
///
/// Built from 12-bit halves: every partial product, and every sum below,
/// fits in 32 bits (`mid < 2^25`, `lo < 2^25` before the carry is taken).
#[inline(always)]
fn product(x: u32, y: u32) -> (u32, u32) {
    let ma = (x & MANTISSA) | HIDDEN;
    let mb = (y & MANTISSA) | HIDDEN;
    let (ah, al) = (ma >> 12, ma & 0xfff);
    let (bh, bl) = (mb >> 12, mb & 0xfff);
    let mid = ah * bl + al * bh;
    let lo = ((mid & 0xfff) << 12) + al * bl;
    let hi = ah * bh + (mid >> 12) + (lo >> 24);
    (hi, lo & 0xff_ffff)
}

/// `a * b` for normal operands with a normal product, else `None`.
#[inline(always)]
fn mul_normal(x: u32, y: u32) -> Option<f32> {
    let (ea, eb) = (exponent(x), exponent(y));
    if !(normal(ea) && normal(eb)) {
        return None;
    }
    let (hi, lo) = product(x, y);
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

/// `a * b + c`, rounded once: the fused multiply-add, the same bits as the
/// hardware's.
#[inline(never)]
pub(crate) fn fma(a: f32, b: f32, c: f32) -> f32 {
    match fma_normal(a.to_bits(), b.to_bits(), c.to_bits()) {
        Some(r) => r,
        None => fma_general(a, b, c),
    }
}

/// `libm`'s, correctly rounded for every input (it evaluates in `f64` and
/// corrects the double rounding).
#[cold]
#[inline(never)]
fn fma_general(a: f32, b: f32, c: f32) -> f32 {
    libm::fmaf(a, b, c)
}

/// `(h · 2^32 + l) >> k` for `k < 64`, as two words, with the bits shifted
/// out kept as one sticky bit (bit 0 set if any was set). In 32-bit words:
/// a 64-bit shift by a variable amount is a routine call on a Cortex-M0.
/// `(v << 1) << (31 - k)` is `v << (32 - k)` without the shift by 32 where
/// `k = 0` (it is 0 then, as `v << 32` would be).
#[inline(always)]
fn shr_sticky(h: u32, l: u32, k: u32) -> u64 {
    let (h, l, lost) = if k < 32 {
        let l2 = (l >> k) | ((h << 1) << (31 - k));
        (h >> k, l2, (l << 1) << (31 - k))
    } else {
        let k = k - 32;
        (0, h >> k, l | ((h << 1) << (31 - k)))
    };
    (u64::from(h) << 32) | u64::from(l | u32::from(lost != 0))
}

/// `s << lz` for a nonzero `s` and its leading zeros `lz`: the leading
/// bit moved to bit 63. Where that bit is at bit 60 to 62 (every result
/// but a difference whose leading bits cancel) without a `leading_zeros`,
/// which is a routine call on a Cortex-M0.
#[inline(always)]
fn normalize(s: u64) -> (u64, u32) {
    let (h, l) = ((s >> 32) as u32, s as u32);
    let (h, l, lz) = if h >= 1 << 28 {
        let lz = 1 + u32::from(h < 1 << 30) + u32::from(h < 1 << 29);
        ((h << lz) | (l >> (32 - lz)), l << lz, lz)
    } else if h != 0 {
        let lz = h.leading_zeros();
        ((h << lz) | ((l >> 1) >> (31 - lz)), l << lz, lz)
    } else {
        let lz = l.leading_zeros();
        (l << lz, 0, lz + 32)
    };
    ((u64::from(h) << 32) | u64::from(l), lz)
}

/// `x * y + z` (as bits) for normal `x`, `y`, `z` with a normal or zero
/// result, else `None`.
///
/// Why it is exact. Both terms are placed in 64 bits with their leading
/// bit at bit 61: the product `p` (48 bits, normalized to `[2^47, 2^48)`)
/// as `p << 14`, `z`'s significand as `mz << 38`. The one with the smaller
/// exponent is shifted right by the difference `k` (at most 63), the bits
/// shifted out kept as a sticky bit. Then:
///
/// - `k <= 14` loses no bit (the product's lowest bit is bit 14, `z`'s
///   bit 38): sum and difference are exact, and a difference may cancel
///   any number of leading bits (up to all 48: `p` and `mz` may differ
///   only in the product's low bits). Only `k = 0` can make the
///   difference negative (for `k >= 1` the smaller term is below `2^61`,
///   the larger at least `2^61`): it is negated, and the sign flipped.
/// - `k >= 2`: the smaller term is below `2^60`, so a difference is above
///   `2^60` (at most one leading bit cancels) and a sum below `2^63`.
///
/// So wherever a bit was lost the result's leading bit is at bit 60 to
/// 62, and its rounding bit (23 + 1 below the leading one) at bit 36 or
/// above. The true smaller term lies strictly between two consecutive
/// multiples of 2 (in units of bit 0) that also enclose the sticky one
/// (`s | 1` for a truncation `s` of a larger value), so the true and the
/// computed results lie in the same open interval between multiples of
/// 2, which holds no rounding boundary (those are multiples of `2^36`):
/// they round alike. The result is then normalized to bit 63 and rounded
/// to nearest even once, from its 24 leading bits, the rounding bit and
/// everything below it.
#[inline(always)]
fn fma_normal(x: u32, y: u32, z: u32) -> Option<f32> {
    let (ea, eb, ec) = (exponent(x), exponent(y), exponent(z));
    if !(normal(ea) && normal(eb) && normal(ec)) {
        return None;
    }
    let (hi, lo) = product(x, y);
    // The product is `p · 2^(ep - 174)` with `p` in `[2^47, 2^48)`, as `z`
    // is `(mz << 24) · 2^(ec - 174)`: `ep` is the product's biased
    // exponent (as in `mul_normal`), possibly outside the normal range.
    let p = (u64::from(hi) << 24) | u64::from(lo);
    let (p, ep) = if hi >= HIDDEN {
        (p, ea as i32 + eb as i32 - 126)
    } else {
        (p << 1, ea as i32 + eb as i32 - 127)
    };
    // `p << 14` and `mz << 38` as high and low words.
    let (xh, xl) = (((p >> 18) as u32), (p as u32) << 14);
    let zh = ((z & MANTISSA) | HIDDEN) << 6;
    let (sp, sz) = ((x ^ y) & SIGN, z & SIGN);
    // The larger exponent's term first, the other aligned to it.
    let d = ep - ec as i32;
    let k = d.unsigned_abs().min(63);
    let (big, small, e, sign) = if d >= 0 {
        let big = (u64::from(xh) << 32) | u64::from(xl);
        (big, shr_sticky(zh, 0, k), ep, sp)
    } else {
        (u64::from(zh) << 32, shr_sticky(xh, xl, k), ec as i32, sz)
    };
    let (s, sign) = if sp == sz {
        (big + small, sign)
    } else {
        let s = big.wrapping_sub(small);
        if s == 0 {
            // Exact cancellation: `+0.0` when rounding to nearest.
            return Some(0.0);
        }
        if s >> 63 != 0 {
            (s.wrapping_neg(), sign ^ SIGN)
        } else {
            (s, sign)
        }
    };
    // `s · 2^(e - 188)`, `s` nonzero and below `2^63`. Normalized to bit
    // 63, its 24 leading bits are the significand `m`, with biased exponent
    // `e + 2 - lz` (`e` itself where the leading bit is bit 61).
    let (s, lz) = normalize(s);
    let (top, low) = ((s >> 32) as u32, s as u32);
    let (m, rest) = (top >> 8, top & 0xff);
    let up = rest > 0x80 || (rest == 0x80 && (low != 0 || m & 1 == 1));
    pack(sign, e + 2 - lz as i32, m + u32::from(up))
}

#[cfg(test)]
mod tests {
    use super::{SIGN as SIGN_BIT, add, fma, fma_normal, mul, sub};

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

    /// Operands every test crosses with each other: zeros, the edges of
    /// the normal range, a subnormal, infinities, NaN, small integers and
    /// halves, numbers far apart, and `1.5 · 2^23 ± 1` (ties when added to
    /// or multiplied by small values).
    const SPECIALS: [f32; 22] = [
        0.0,
        -0.0,
        f32::MIN_POSITIVE,
        -f32::MIN_POSITIVE,
        f32::from_bits(1),
        -f32::from_bits(0x0040_0001),
        f32::MAX,
        -f32::MAX,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::NAN,
        1.0,
        -1.0,
        1.5,
        -3.25,
        1e-20,
        -1e20,
        12_582_913.0,
        1e-30,
        -1e30,
        12_582_912.0,
        -12_582_913.0,
    ];

    /// Operand pairs that reach every branch: random bits; operands
    /// within 0 to 30 binades of each other with random or tie-prone
    /// significands; products and sums at the edges of the normal range.
    fn pairs(n: usize, mut f: impl FnMut(f32, f32)) {
        let mut r = Bits(0x9e37_79b9_7f4a_7c15);
        for &a in &SPECIALS {
            for &b in &SPECIALS {
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
    /// Checks `fma` against the hardware's fused multiply-add (the host's
    /// `f32::mul_add`, correctly rounded) on `(a, b, c)`.
    fn check_fma(a: f32, b: f32, c: f32) {
        let (got, want) = (fma(a, b, c), a.mul_add(b, c));
        assert!(
            got.to_bits() == want.to_bits() || (got.is_nan() && want.is_nan()),
            "fma({a:e}, {b:e}, {c:e}) = {got:e} ({:#010x}), not {want:e} ({:#010x})",
            got.to_bits(),
            want.to_bits()
        );
    }

    /// `x` with its biased exponent field set to `e` (clamped to the
    /// normal range).
    fn with_exponent(x: u32, e: i32) -> u32 {
        (x & 0x807f_ffff) | ((e.clamp(1, 254) as u32) << 23)
    }

    /// Operand triples that reach every branch of `fma`: random bits;
    /// addends from 60 binades below the product to 60 above it (sums and
    /// differences, every alignment, sticky bits); addends that cancel the
    /// product's leading bits (up to all 48); significands with few bits
    /// set (exact ties, carries that round up to the next binade); products
    /// and results at the edges of the normal range (subnormal results,
    /// overflow); zeros, subnormals, infinities and NaN.
    fn triples(n: usize, mut f: impl FnMut(f32, f32, f32)) {
        let mut r = Bits(0x2545_f491_4f6c_dd1d);
        for &a in &SPECIALS {
            for &b in &SPECIALS {
                for &c in &SPECIALS {
                    f(a, b, c);
                }
            }
        }
        for i in 0..n {
            let (x, y, z) = (r.next(), r.next(), r.next());
            // The product's biased exponent, roughly.
            let ep = |x: u32, y: u32| ((x >> 23) & 0xff) as i32 + ((y >> 23) & 0xff) as i32 - 127;
            let (a, b, c) = match i % 8 {
                0 => (x, y, z),
                1 | 2 => {
                    // Factors whose product is normal; the addend from 60
                    // binades below to 60 above the product.
                    let x = with_exponent(x, 64 + (x >> 23 & 0x7f) as i32);
                    let y = with_exponent(y, 127 - 32 + (y >> 23 & 0x3f) as i32);
                    let d = (r.next() % 121) as i32 - 60;
                    (x, y, with_exponent(z, ep(x, y) + d))
                }
                3 => {
                    // Cancellation: `c` is `-(a * b)` rounded, moved by a
                    // few ulps, or with its low bits replaced.
                    let x = with_exponent(x, 96 + (x >> 23 & 0x3f) as i32);
                    let y = with_exponent(y, 96 + (y >> 23 & 0x3f) as i32);
                    let p = (f32::from_bits(x) * f32::from_bits(y)).to_bits() ^ SIGN_BIT;
                    let c = match z % 4 {
                        0 => p,
                        1 => p.wrapping_add((z >> 8) % 9).wrapping_sub(4),
                        2 => p ^ (z >> 8 & ((1 << (z >> 2 & 15)) - 1)),
                        _ => p ^ (z & SIGN_BIT),
                    };
                    (x, y, c)
                }
                4 | 5 => {
                    // Few significand bits: exact products, exact ties,
                    // sums that carry into the next binade.
                    let keep = |v: u32, k: u32| v & (!((1u32 << (k % 24)) - 1) | 0xff80_0000);
                    let (k1, k2, k3) = (r.next(), r.next(), r.next());
                    let x = keep(with_exponent(x, 100 + (x >> 23 & 0x3f) as i32), k1);
                    let y = keep(with_exponent(y, 100 + (y >> 23 & 0x3f) as i32), k2);
                    let d = (k3 >> 8 & 63) as i32 - 31;
                    (x, y, keep(with_exponent(z, ep(x, y) + d), k3))
                }
                6 => {
                    // Products and addends near the ends of the normal range.
                    const EDGES: [i32; 8] = [1, 2, 3, 24, 25, 26, 253, 254];
                    let edge = |v: u32| EDGES.get((v % 8) as usize).copied().unwrap_or(1);
                    let x = with_exponent(x, 127 + (x >> 23 & 0x1f) as i32 - 15);
                    let target = edge(z) + (r.next() % 5) as i32 - 2;
                    let y = with_exponent(y, target - ((x >> 23) & 0xff) as i32 + 127);
                    let c = with_exponent(z, edge(r.next()) + (r.next() % 3) as i32 - 1);
                    (x, y, c)
                }
                _ => {
                    // One operand special (zero, subnormal, infinite, NaN).
                    let s = SPECIALS
                        .get(z as usize % SPECIALS.len())
                        .copied()
                        .unwrap_or(0.0);
                    let s = if z & 0x100 != 0 {
                        f32::from_bits(z >> 9 & 0x7f_ffff)
                    } else {
                        s
                    };
                    match z >> 30 {
                        0 => (s.to_bits(), y, x),
                        1 => (x, s.to_bits(), y),
                        _ => (x, y, s.to_bits()),
                    }
                }
            };
            f(f32::from_bits(a), f32::from_bits(b), f32::from_bits(c));
        }
    }

    #[test]
    fn fma_same_bits_as_the_hardware() {
        triples(4_000_000, check_fma);
    }

    /// `cargo test --release --lib -- --ignored soft_float`.
    #[test]
    #[ignore = "a billion triples: run in release mode"]
    fn fma_same_bits_as_the_hardware_many() {
        triples(1_000_000_000, check_fma);
    }
    /// Most of the triples take the fast path (which the comparison above
    /// then checks), the others the fallback.
    #[test]
    fn fma_triples_reach_both_paths() {
        let (mut fast, mut all) = (0u32, 0u32);
        triples(100_000, |a, b, c| {
            all += 1;
            fast += u32::from(fma_normal(a.to_bits(), b.to_bits(), c.to_bits()).is_some());
        });
        std::eprintln!("fast path {fast} of {all}");
        assert!(fast > all / 2 && all - fast > all / 10, "{fast} of {all}");
    }
}
