#!/usr/bin/env python3
"""A numpy transcription of the reference softmax, bit for bit.

``softmax(x)`` reproduces ``jax.jit(ngclearn.utils.model_utils.softmax)`` on a
float32 ``(batch, n)`` array as jax/jaxlib 0.10.2 compile it for an x86-64 CPU
with FMA (the arithmetic is written up in ``reference/ARITHMETIC.md``):

* ``batch * n < 4096``: XLA's own fusions. ``exp`` is XLA's inline
  polynomial with the fused multiply-adds the host's machine code contracts
  it into; the row sum is a left-to-right ``reduce`` for ``n <= 32``, else a
  zero-padded windows-of-32 ``reduce-window`` (repeated while more than 32
  window sums remain), then a left-to-right ``reduce``.
* ``batch * n >= 4096``: YNNPACK fusions (``__ynn_fusion``). ``exp`` is
  YNNPACK's ``exp_taylor2`` polynomial; the row sum is YNNPACK's 16-lane
  tree-of-accumulators sum with a Kahan-compensated top level and a fixed
  horizontal reduction, over slices of at most 32768 elements, the slices'
  partial sums then summed by the same kernel.
* Both: ``m = max(row)``, ``d = x - m``, ``e = exp(d)``, ``r = 1 / sum(e)``
  (one IEEE division per row), ``p = e * r``.

Every arithmetic operation reads subnormal operands as zero (DAZ) and
flushes subnormal results to zero (FTZ), as the reference's CPU threads do.
Fused multiply-adds are emulated exactly (float64 product, exact two-sum,
round-to-odd, then one rounding to float32), so each ``fma`` rounds once.

Only numpy is needed. ``python3 reference/softmax_model.py`` runs a
self-check of the fma emulation.
"""

from __future__ import annotations

import numpy as np

F32 = np.float32
F64 = np.float64

# The boundary between XLA's own fusions and YNNPACK's (elements per call).
YNN_MIN_ELEMENTS = 4096
# YNNPACK splits a reduction over more elements than this into slices
# (make_split_factors: 32768 * 4 bytes / 4-byte elements).
YNN_SLICE = 32768
# XLA's reduce-window width for rows longer than this.
XLA_WINDOW = 32

TINY = F32(np.finfo(np.float32).tiny)  # smallest normal, 2^-126


def bits(u: int) -> np.float32:
    """The float32 whose bit pattern is ``u``."""
    return np.array([u], dtype=np.uint32).view(np.float32)[0]


def f32bits(x) -> np.ndarray:
    return np.asarray(x, dtype=np.float32).view(np.uint32)


# --------------------------------------------------------------------------
# Flushing primitives

def ftz(x: np.ndarray) -> np.ndarray:
    """Subnormals become zeros of the same sign (FTZ on results, DAZ on
    operands: the same map)."""
    x = np.asarray(x, dtype=np.float32)
    sub = (np.abs(x) < TINY) & (x != 0)
    if sub.any():
        x = x.copy()
        x[sub] = np.copysign(F32(0), x[sub])
    return x


def add(a, b):
    with np.errstate(all="ignore"):
        return ftz(ftz(a) + ftz(b))


def sub(a, b):
    with np.errstate(all="ignore"):
        return ftz(ftz(a) - ftz(b))


def mul(a, b):
    with np.errstate(all="ignore"):
        return ftz(ftz(a) * ftz(b))


def div(a, b):
    with np.errstate(all="ignore"):
        return ftz(ftz(a) / ftz(b))


def fma(a, b, c) -> np.ndarray:
    """float32 fused multiply-add ``a*b + c``, rounded once, with DAZ/FTZ.

    The float64 product of two float32 values is exact (48 bits). The sum
    ``p + c`` is done in float64 with its exact error (two-sum); rounding it
    to odd at 53 bits and then to nearest float32 rounds the exact value
    ``a*b + c`` once (53 >= 24 + 2), without double rounding.
    """
    a, b, c = np.broadcast_arrays(ftz(a), ftz(b), ftz(c))
    with np.errstate(all="ignore"):
        p = a.astype(F64) * b.astype(F64)
        c64 = c.astype(F64)
        s = p + c64
        # two-sum error of s = p + c (exact when s is finite)
        bb = s - p
        err = (p - (s - bb)) + (c64 - bb)
        sb = s.view(np.int64).copy()
        fix = np.isfinite(s) & (err != 0) & ((sb & 1) == 0)
        if fix.any():
            up = (err > 0) == (s > 0)  # exact value is farther from zero
            sb[fix] += np.where(up[fix], 1, -1)
        s = sb.view(F64)
        # inf/nan operands: fall back to the plain expression (same result
        # class; an fma never produces anything else there)
        bad = ~np.isfinite(p) | ~np.isfinite(c64)
        if bad.any():
            s = np.where(bad, p + c64, s)
        r = s.astype(F32)
    return ftz(r)


def mad(a, b, c, fused: bool = True) -> np.ndarray:
    """``a*b + c`` as the compiled code computes it: one fused multiply-add
    on a CPU with FMA (x86-64 FMA3, aarch64), a rounded multiply then a
    rounded add without (``fused=False``)."""
    return fma(a, b, c) if fused else add(mul(a, b), c)


def fmax(a, b):
    """``maximum`` that propagates NaN (XLA's and the kernels' semantics for
    what reaches the output)."""
    with np.errstate(all="ignore"):
        return np.maximum(a, b)


# --------------------------------------------------------------------------
# exp, XLA inline (batch * n < 4096)

XLA_EXP_LO = bits(0xC2AF999A)   # -87.8
XLA_EXP_HI = bits(0x42B1999A)   # 88.8
XLA_LOG2E = bits(0x3FB8AA3B)
XLA_LN2_HI = bits(0x3F318000)   # 0.693359375
XLA_LN2_LO = bits(0xB95E8083)   # -2.12194440e-4
XLA_P = [bits(0x39506967), bits(0x3AB743CE), bits(0x3C088908),
         bits(0x3D2AA9C1), bits(0x3E2AAAAA), F32(0.5)]


def exp_xla(x: np.ndarray, fused: bool = True) -> np.ndarray:
    x = ftz(np.asarray(x, dtype=np.float32))
    with np.errstate(all="ignore"):
        nan = np.isnan(x)
        # max(lo, x) then min(hi, .): a NaN x stays NaN
        xc = np.where(nan, x, np.minimum(np.maximum(x, XLA_EXP_LO), XLA_EXP_HI)).astype(F32)
        fx = np.floor(mad(xc, XLA_LOG2E, F32(0.5), fused))
        fx = np.where(np.isnan(fx), fx, np.minimum(np.maximum(fx, F32(-127)), F32(127))).astype(F32)
        nfx = -fx
        r = mad(nfx, XLA_LN2_HI, xc, fused)
        r = mad(nfx, XLA_LN2_LO, r, fused)
        y = mad(F32(XLA_P[0]), r, XLA_P[1], fused)
        for c in XLA_P[2:]:
            y = mad(y, r, c, fused)
        r2 = mul(r, r)
        y = mad(y, r2, r, fused)
        y = add(y, F32(1))
        k = np.where(np.isnan(fx), 0, fx).astype(np.int32)
        pow2 = ((k + 127).astype(np.uint32) << np.uint32(23)).view(F32)
        e = mul(y, pow2)
    return e


# --------------------------------------------------------------------------
# exp, YNNPACK (batch * n >= 4096): exp_taylor2 from ynnpack/base/simd

YNN_EXP_LO = bits(0xC2B00F34)   # -88.02969360351562
YNN_EXP_HI = bits(0x42B17218)   # 88.72283935546875
YNN_LOG2E = bits(0x3FB8AA3B)
YNN_MAGIC = bits(0x4B400000)    # 1.5 * 2^23
YNN_NEG_LN2_HI = bits(0xBF317200)  # -6.9314575195e-01
YNN_NEG_LN2_LO = bits(0xB5BFBE8E)  # -1.4286067653e-06
YNN_P = [bits(0xB85127E0), bits(0x396ECCE9), bits(0x3AB93CAC),
         bits(0x3C08629E), bits(0x3D2AA994), bits(0x3E2AAAD2),
         bits(0x3EFFFFFE)]
YNN_EXP2_BIAS = bits(0x4B00007F)  # 2^23 + 127


def exp_ynn(x: np.ndarray, fused: bool = True) -> np.ndarray:
    x = ftz(np.asarray(x, dtype=np.float32))
    with np.errstate(all="ignore"):
        nan = np.isnan(x)
        # input_multiplier is 1.0: x * 1 == x (after DAZ)
        xc = np.where(nan, x, np.minimum(np.maximum(x, YNN_EXP_LO), YNN_EXP_HI)).astype(F32)
        # round_small: (magic + x*log2e) - magic, three separate roundings
        b = sub(add(mul(xc, YNN_LOG2E), YNN_MAGIC), YNN_MAGIC)
        r = mad(b, YNN_NEG_LN2_HI, xc, fused)
        r = mad(b, YNN_NEG_LN2_LO, r, fused)
        # exp2_round(b): bits(float_bits(b + 2^23 + 127) << 23)
        t = add(b, YNN_EXP2_BIAS)
        s = (t.view(np.uint32) << np.uint32(23)).view(F32)
        s = np.where(nan, x, s).astype(F32)
        r2 = mul(r, r)
        # eval_polynomial(p, r, r2): two Horner chains in r2, joined by r
        y0 = np.broadcast_to(YNN_P[0], r.shape).astype(F32)
        y1 = np.broadcast_to(YNN_P[1], r.shape).astype(F32)
        y0 = mad(r2, y0, YNN_P[2], fused)
        y1 = mad(r2, y1, YNN_P[3], fused)
        y0 = mad(r2, y0, YNN_P[4], fused)
        y1 = mad(r2, y1, YNN_P[5], fused)
        y0 = mad(r2, y0, YNN_P[6], fused)
        poly = mad(r, y1, y0, fused)
        q = mad(r2, poly, r, fused)    # expm1(r) = r + r^2 * P(r)
        e = mad(s, q, s, fused)        # 2^b * (1 + expm1(r))
        e = np.where(np.isinf(s), s, e).astype(F32)
        # output_multiplier is 1.0
    return e


# --------------------------------------------------------------------------
# Row sums

def sum_left_to_right(e: np.ndarray) -> np.ndarray:
    """reduce(add, init 0) over the last axis, strictly left to right."""
    acc = np.zeros(e.shape[:-1], dtype=F32)
    for j in range(e.shape[-1]):
        acc = add(acc, e[..., j])
    return acc


def xla_window_pad(n: int) -> tuple[int, int]:
    """Zeros XLA pads before and after a row of n > 32 for windows of 32."""
    total = -n % XLA_WINDOW
    lo = total // 2
    return lo, total - lo


def sum_xla(e: np.ndarray) -> np.ndarray:
    """XLA's row sum for batch * n < 4096."""
    while e.shape[-1] > XLA_WINDOW:
        n = e.shape[-1]
        lo, hi = xla_window_pad(n)
        padded = np.concatenate(
            [np.zeros(e.shape[:-1] + (lo,), F32), e,
             np.zeros(e.shape[:-1] + (hi,), F32)], axis=-1)
        w = padded.reshape(e.shape[:-1] + (-1, XLA_WINDOW))
        e = sum_left_to_right(w)
    return sum_left_to_right(e)


def _kahan(acc1, acc2, err):
    y = sub(acc1, err)
    t = add(acc2, y)
    err = sub(sub(t, acc2), y)
    err = np.where(np.isfinite(err), err, F32(0)).astype(F32)
    return t, err


def _ynn_sum_slice(a: np.ndarray) -> np.ndarray:
    """YNNPACK's sum_float_k1 over the last axis (k <= any), rows vectorised.

    16 lanes (the `consistent_n` of every x86/ARM fp32 k1 sum kernel):
    element i goes to lane i % 16. Blocks of 64 elements (4 vectors) are
    summed lane-wise left to right; 4 blocks of a 256-element group are
    summed left to right, and each group (or lone block) is added to the
    level-1 accumulator; every 1024 elements the level-1 accumulator is
    added into the level-2 accumulator with Kahan compensation. The
    16 lanes are then folded 8, 4, 2, 1 (lane i + lane i + half).
    """
    rows = a.shape[:-1]
    k = a.shape[-1]
    zero = np.zeros(rows + (16,), F32)

    def block(off, length):
        # local = (((0 + v0) + v1) + v2) + v3 over 16 lanes, zero-padded
        blk = np.zeros(rows + (64,), F32)
        blk[..., :length] = a[..., off:off + length]
        loc = zero
        for v in range(4):
            loc = add(loc, blk[..., 16 * v:16 * v + 16])
        return loc

    acc1 = zero
    acc2 = zero
    err = zero
    clock = 0
    off = 0
    while k - off >= 256:
        g = add(zero, block(off, 64))
        for c in range(1, 4):
            g = add(g, block(off + 64 * c, 64))
        acc1 = add(acc1, g)
        off += 256
        clock += 64
        if clock % 256 == 0:
            acc2, err = _kahan(acc1, acc2, err)
            acc1 = zero
    while k - off >= 64:
        acc1 = add(acc1, add(zero, block(off, 64)))
        off += 64
        clock += 16
        if clock % 256 == 0:
            acc2, err = _kahan(acc1, acc2, err)
            acc1 = zero
    if k - off > 0:
        acc1 = add(acc1, add(zero, block(off, k - off)))
    acc2, err = _kahan(acc1, acc2, err)
    v = add(zero, acc2)
    v = add(v[..., :8], v[..., 8:])
    v = add(v[..., :4], v[..., 4:])
    v = add(v[..., :2], v[..., 2:])
    h = add(v[..., 0], v[..., 1])
    return add(np.zeros(rows, F32), h)  # the output starts at the identity 0


def sum_ynn(e: np.ndarray) -> np.ndarray:
    """YNNPACK's row sum for batch * n >= 4096."""
    k = e.shape[-1]
    if k <= YNN_SLICE:
        return _ynn_sum_slice(e)
    parts = [_ynn_sum_slice(e[..., s:s + YNN_SLICE]) for s in range(0, k, YNN_SLICE)]
    return sum_ynn(np.stack(parts, axis=-1))


# --------------------------------------------------------------------------
# The softmax

def uses_ynn(batch: int, n: int) -> bool:
    return batch * n >= YNN_MIN_ELEMENTS


def softmax(x: np.ndarray, fused: bool = True) -> np.ndarray:
    """``jax.jit(ngclearn.utils.model_utils.softmax)(x)`` for float32 (B, N).

    ``fused=False`` models an x86-64 CPU without FMA3: every multiply-add of
    both exps is then a rounded multiply and a rounded add (checked by
    capping XLA's ISA and YNNPACK's kernel choice on an FMA machine; see
    ARITHMETIC.md)."""
    x = np.asarray(x, dtype=np.float32)
    if x.ndim != 2:
        raise ValueError("expected a (batch, n) array")
    batch, n = x.shape
    if batch * n == 0:
        return x.copy()
    with np.errstate(all="ignore"):
        m = np.max(x, axis=1, keepdims=True)  # NaN-propagating, exact
    d = sub(x, m)
    if uses_ynn(batch, n):
        e = exp_ynn(d, fused)
        s = sum_ynn(e)
    else:
        e = exp_xla(d, fused)
        s = sum_xla(e)
    r = div(F32(1), s)
    return mul(e, r[:, None])


# --------------------------------------------------------------------------

def _selfcheck() -> None:
    from fractions import Fraction
    rng = np.random.default_rng(1)
    n = 20000
    a = (rng.standard_normal(n) * 2.0 ** rng.integers(-30, 30, n)).astype(F32)
    b = (rng.standard_normal(n) * 2.0 ** rng.integers(-30, 30, n)).astype(F32)
    # half: c close to -a*b (cancellation), half: c of any nearby magnitude
    c = (-(a.astype(F64) * b.astype(F64))
         * (1 + rng.standard_normal(n) * 2.0 ** rng.integers(-40, 0, n))).astype(F32)
    other = (a.astype(F64) * b.astype(F64) * rng.standard_normal(n)
             * 2.0 ** rng.integers(-30, 30, n)).astype(F32)
    c = np.where(np.arange(n) % 2 == 0, c, other).astype(F32)
    got = fma(a, b, c)
    bad = 0
    for i in range(n):
        ex = Fraction(float(a[i])) * Fraction(float(b[i])) + Fraction(float(c[i]))
        # correctly rounded float32 of ex, via float64 neighbours
        want = _round_fraction_f32(ex)
        w = np.array([want], F32)
        w = ftz(w)[0]
        if f32bits(w) != f32bits(got[i]) and not (w == 0 and got[i] == 0):
            bad += 1
    print(f"fma self-check: {n} cases, {bad} wrong")
    if bad:
        raise SystemExit(1)


def _round_fraction_f32(q) -> np.float32:
    """Round a Fraction to nearest-even float32 (exactly)."""
    from fractions import Fraction
    if q == 0:
        return F32(0)
    sign = -1 if q < 0 else 1
    q = abs(q)
    e = q.numerator.bit_length() - q.denominator.bit_length()
    if Fraction(2) ** e > q:
        e -= 1
    e = max(e, -126)
    scale = Fraction(2) ** (e - 23)
    m = q / scale
    fl = m.numerator // m.denominator
    rem = m - fl
    if rem > Fraction(1, 2) or (rem == Fraction(1, 2) and fl % 2 == 1):
        fl += 1
    val = float(fl) * float(scale)
    return F32(sign * val)


if __name__ == "__main__":
    _selfcheck()
