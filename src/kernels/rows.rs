//! Row kernels, written once over [`Lanes`] and instantiated per backend.
//!
//! A row of any length is processed as whole eight-lane chunks followed, if
//! the length is not a multiple of eight, by one padded chunk. Padding
//! values are chosen so that padded lanes cannot change any reduction
//! (`-inf` for a max, `+0.0` for a sum, `+inf` for a threshold), and only
//! the real lanes are written back, so a row of length 1 or 13 goes
//! through exactly the same per-lane operations as a row of length 16.
//!
//! Reductions keep one accumulator per lane and combine the eight lanes at
//! the end in one fixed tree: `(0,4) (1,5) (2,6) (3,7)`, then `(0,2) (1,3)`,
//! then `(0,1)`.

use super::exp::{exp_finish, exp_nonpositive, exp_reduce, exp_special};
use super::interleave::Interleaved;
use super::lanes::{LANES, Lanes, Ops};

/// Chunks per group of the `exp` loop: several independent `exp` chains
/// keep a superscalar core busy. (Targets without SIMD run the compact
/// kernels instead, so code size does not constrain these.)
const UNROLL: usize = 4;

/// Floor of the adaptive threshold.
pub(crate) const THR_FLOOR: f32 = 0.025;

/// `max(a, b)` that propagates NaN: `a` if `a > b` or `a` is NaN, else `b`.
#[inline(always)]
pub(crate) fn nan_max<L: Ops>(a: L, b: L) -> L {
    L::select(L::or(a.gt(b), a.is_nan()), a, b)
}

#[inline(always)]
fn reduce(a: [f32; LANES], f: impl Fn(f32, f32) -> f32) -> f32 {
    let [a0, a1, a2, a3, a4, a5, a6, a7] = a;
    let (b0, b1, b2, b3) = (f(a0, a4), f(a1, a5), f(a2, a6), f(a3, a7));
    let (c0, c1) = (f(b0, b2), f(b1, b3));
    f(c0, c1)
}

/// Horizontal NaN-propagating max of eight lane accumulators; a NaN result
/// is the canonical `f32::NAN`.
#[inline(always)]
pub(crate) fn reduce_max_lanes(acc: [f32; LANES]) -> f32 {
    let m = reduce(acc, nan_max::<f32>);
    if m.is_nan() { f32::NAN } else { m }
}

/// Horizontal sum of eight lane accumulators.
#[inline(always)]
pub(crate) fn reduce_add_lanes(acc: [f32; LANES]) -> f32 {
    reduce(acc, |a, b| a + b)
}

#[inline(always)]
fn reduce_max<L: Lanes>(acc: L) -> f32 {
    reduce_max_lanes(acc.to_array())
}

#[inline(always)]
fn reduce_add<L: Lanes>(acc: L) -> f32 {
    reduce_add_lanes(acc.to_array())
}

/// The last `src.len() < 8` values, padded with `fill`.
#[inline(always)]
fn pad(src: &[f32], fill: f32) -> [f32; LANES] {
    let mut out = [fill; LANES];
    for (o, x) in out.iter_mut().zip(src) {
        *o = *x;
    }
    out
}

/// Writes back the real lanes of a padded chunk.
#[inline(always)]
fn unpad(dst: &mut [f32], lanes: [f32; LANES]) {
    for (d, x) in dst.iter_mut().zip(lanes) {
        *d = x;
    }
}

/// `exp` on eight lanes given as an array.
#[inline(always)]
pub(crate) fn exp_array<L: Lanes>(x: [f32; LANES]) -> [f32; LANES] {
    L::load(&x).exp_lanes().to_array()
}

/// NaN-propagating maximum of a row; `-inf` for an empty row.
#[inline(always)]
pub(crate) fn row_max<L: Lanes>(x: &[f32]) -> f32 {
    let (chunks, tail) = x.as_chunks::<LANES>();
    let mut acc = L::splat(f32::NEG_INFINITY);
    for c in chunks {
        acc = nan_max(acc, L::load(c));
    }
    if !tail.is_empty() {
        acc = nan_max(acc, L::load(&pad(tail, f32::NEG_INFINITY)));
    }
    reduce_max(acc)
}

/// `out = exp(x - m)` on whole groups of `UNROLL` chunks, added to `acc` in
/// chunk order. Each group is four interleaved vectors, and the loop is
/// software-pipelined: the range reduction of one group is issued together
/// with the polynomial of the previous one, which gives the out-of-order
/// core enough independent work to hide `exp`'s latency. With
/// `NONPOSITIVE`, the caller guarantees every `x - m` is in [−inf, 0] (no
/// NaN), where [`exp_nonpositive`] gives the same bits as `exp` without its
/// overflow and NaN selects.
#[inline(always)]
fn exp_groups<L: Lanes, const NONPOSITIVE: bool>(
    xg: &[[[f32; LANES]; UNROLL]],
    og: &mut [[[f32; LANES]; UNROLL]],
    m: L,
    mut acc: L,
) -> L {
    let mut groups = xg.iter().zip(og);
    if let Some((x, out)) = groups.next() {
        let (mut cur, mut cur_out) = (reduce_group(x, m), out);
        for (x, out) in groups {
            let next = reduce_group(x, m);
            acc = finish_group::<L, NONPOSITIVE>(cur, cur_out, acc);
            (cur, cur_out) = (next, out);
        }
        acc = finish_group::<L, NONPOSITIVE>(cur, cur_out, acc);
    }
    acc
}

/// Finishes the `exp`s of a reduced group, stores them and adds them to
/// `acc` in order. (A function, not a closure: a closure may be compiled
/// out of line, without the caller's target features.)
#[inline(always)]
fn finish_group<L: Lanes, const NONPOSITIVE: bool>(
    (x, kf, r): Reduced<L>,
    out: &mut [[f32; LANES]; UNROLL],
    mut acc: L,
) -> L {
    let e = exp_finish(x, kf, r);
    let e = if NONPOSITIVE { e } else { exp_special(x, e) };
    for (e, o8) in e.0.into_iter().zip(out) {
        e.store(o8);
        acc = acc.add(e);
    }
    acc
}
/// A group after [`exp_reduce`]: `x`, `kf` and `r`.
type Reduced<L> = (Interleaved<L>, Interleaved<L>, Interleaved<L>);

/// Loads a group of chunks, subtracts `m` and runs [`exp_reduce`].
#[inline(always)]
fn reduce_group<L: Lanes>(xg: &[[f32; LANES]; UNROLL], m: L) -> Reduced<L> {
    let [x0, x1, x2, x3] = xg;
    let v = Interleaved([L::load(x0), L::load(x1), L::load(x2), L::load(x3)]);
    let x = v.sub(Interleaved([m; UNROLL]));
    let (kf, r) = exp_reduce(x);
    (x, kf, r)
}

/// `exp` on one chunk; see [`exp_groups`] for `NONPOSITIVE`.
#[inline(always)]
fn exp1<L: Lanes, const NONPOSITIVE: bool>(x: L) -> L {
    if NONPOSITIVE {
        exp_nonpositive(x)
    } else {
        x.exp_lanes()
    }
}

/// `out = exp(x - max)`, returning the sum of `out`. Lengths must match.
#[inline(always)]
pub(crate) fn exp_sum<L: Lanes>(x: &[f32], max: f32, out: &mut [f32]) -> f32 {
    exp_sum_with::<L, false>(x, max, out)
}

/// [`exp_sum`]. With `NONPOSITIVE`, which the caller may set only when
/// every `x - max` lies in [−inf, 0] (`max` the finite row max), the
/// overflow and NaN selects of `exp` are skipped: same bits, fewer
/// operations.
#[inline(always)]
fn exp_sum_with<L: Lanes, const NONPOSITIVE: bool>(x: &[f32], max: f32, out: &mut [f32]) -> f32 {
    let m = L::splat(max);
    let (xc, xt) = x.as_chunks::<LANES>();
    let (oc, ot) = out.as_chunks_mut::<LANES>();
    // The sum takes the chunks in order, so its bits are those of the
    // plain loop.
    let (xcg, xc1) = xc.as_chunks::<UNROLL>();
    let (ocg, oc1) = oc.as_chunks_mut::<UNROLL>();
    let mut acc = exp_groups::<L, NONPOSITIVE>(xcg, ocg, m, L::splat(0.0));
    for (x8, o8) in xc1.iter().zip(oc1) {
        let e = exp1::<L, NONPOSITIVE>(L::load(x8).sub(m));
        e.store(o8);
        acc = acc.add(e);
    }
    if !xt.is_empty() {
        // exp(-inf - max) is +0.0 whenever max is finite; otherwise the sum
        // is NaN through the real lanes already.
        let e = exp1::<L, NONPOSITIVE>(L::load(&pad(xt, f32::NEG_INFINITY)).sub(m));
        unpad(ot, e.to_array());
        acc = acc.add(e);
    }
    reduce_add(acc)
}

/// `x = x / sum`, in place.
#[inline(always)]
pub(crate) fn divide_in_place<L: Lanes>(x: &mut [f32], sum: f32) {
    let d = L::splat(sum);
    let (xc, xt) = x.as_chunks_mut::<LANES>();
    for x8 in xc {
        L::load(x8).div(d).store(x8);
    }
    if !xt.is_empty() {
        let q = L::load(&pad(xt, 0.0)).div(d).to_array();
        unpad(xt, q);
    }
}

/// [`fire`] where no threshold is below `f32::MIN_POSITIVE` in magnitude:
/// then neither flush can change the comparison.
#[inline(always)]
pub(crate) fn fire_plain<L: Ops>(e: L, sum: L, thr: L) -> (L::Mask, L) {
    let fires = e.div(sum).gt(thr);
    (fires, L::select(fires, L::splat(1.0), L::splat(0.0)))
}

/// One chunk of the spike rule, rule 4 with the reference's flushing:
/// fires where `flush(e / sum) > flush(thr)`. Returns the mask and the
/// spikes as `1.0` / `0.0`.
///
/// For a normal `thr`, flushing a subnormal probability cannot change the
/// comparison; for a zero or subnormal `thr` the rule is "the probability
/// is at least `f32::MIN_POSITIVE`", that is `p > MAX_SUBNORMAL`. So one
/// select on `thr` stands for both flushes.
#[inline(always)]
pub(crate) fn fire<L: Ops>(e: L, sum: L, thr: L) -> (L::Mask, L) {
    let tiny = L::splat(f32::MIN_POSITIVE).gt(thr.abs());
    fire_plain(e, sum, L::select(tiny, L::splat(MAX_SUBNORMAL), thr))
}

/// `e_then_s = (e / sum > thr) ? 1 : 0` in place; returns the spike count.
#[inline(always)]
pub(crate) fn spike_mask<L: Lanes>(e_then_s: &mut [f32], sum: f32, thr: &[f32]) -> f32 {
    let sum = L::splat(sum);
    let (ec, et) = e_then_s.as_chunks_mut::<LANES>();
    let (tc, tt) = thr.as_chunks::<LANES>();
    let mut count = L::splat(0.0);
    for (e8, t8) in ec.iter_mut().zip(tc) {
        let (_, s) = fire(L::load(e8), sum, L::load(t8));
        s.store(e8);
        count = count.add(s);
    }
    if !et.is_empty() {
        let (_, s) = fire(
            L::load(&pad(et, 0.0)),
            sum,
            L::load(&pad(tt, f32::INFINITY)),
        );
        unpad(et, s.to_array());
        count = count.add(s);
    }
    reduce_add(count)
}

/// The constants of one step, derived once per step from the parameters,
/// `t` and `dt` so that the per-element rules need no flush of their own
/// where the reference flushes a constant (see [`StepConsts::new`]).
#[derive(Clone, Copy, Debug)]
pub(crate) struct StepConsts {
    /// `resist_m`, flushed: `v = flush_below(j * resist_m, volt_lim)`.
    pub resist_m: f32,
    /// Where `j * resist_m` is flushed; see [`StepConsts::new`].
    pub volt_lim: f32,
    /// A unit is awake (not refractory) where `rfr >= awake_from`.
    pub awake_from: f32,
    /// `thr_gain`, flushed.
    pub thr_gain: f32,
    /// `t`, flushed.
    pub t: f32,
    /// `dt`, flushed.
    pub dt: f32,
    /// Whether this step may take the plain path: `dt` (flushed) is at
    /// least `2^-102` and the state passes [`plain_state`]. The plain path
    /// gives the same bits with fewer operations.
    pub plain: bool,
}

/// The smallest `dt` of a plain step, `2^-102`: from there on no flush can
/// change `rfr + dt` (see [`timers_plain`]).
const PLAIN_DT_MIN: f32 = f32::from_bits(0x0c80_0000);

/// The largest subnormal f32: `p > MAX_SUBNORMAL` is `p >= f32::MIN_POSITIVE`.
const MAX_SUBNORMAL: f32 = f32::from_bits(0x007f_ffff);

/// Flush-to-zero of one value, as the reference's compiled graph reads
/// and writes every arithmetic operand: a subnormal becomes a zero of the
/// same sign; every other value is kept bit for bit.
#[inline(always)]
pub(crate) fn flush<L: Ops>(x: L) -> L {
    x.flush_below(L::splat(f32::MIN_POSITIVE))
}

/// `x` with every NaN lane made the canonical `f32::NAN`. State written
/// by arithmetic passes through this, so that a NaN has the same bits on
/// every target (instruction sets disagree on the sign and payload of the
/// NaN that `inf * 0` or `inf - inf` creates).
#[inline(always)]
pub(crate) fn canonical_nan<L: Ops>(x: L) -> L {
    L::select(x.is_nan(), L::splat(f32::NAN), x)
}

impl StepConsts {
    /// The constants of a step at time `t` with step `dt`.
    ///
    /// The reference flushes every operand and result of its arithmetic
    /// (flush-to-zero and denormals-are-zero); the constants are flushed
    /// here, once, and the per-element forms below are exact rewrites:
    ///
    /// - `v`: the reference computes `flush(flush(j) * flush(resist_m))`,
    ///   except for `resist_m = ±1`, where its graph has no multiply and a
    ///   subnormal `j` passes through. With `r = flush(resist_m)` this is
    ///   `flush_below(j * r, volt_lim)` where `volt_lim` is `0` for
    ///   `resist_m = ±1` (nothing flushed), `f32::MIN_POSITIVE` for
    ///   `|r| < 1` (a subnormal `j` gives a product below it, so flushing
    ///   the product also flushes `j`), and `f32::MIN_POSITIVE * |r|`
    ///   (exact) for `|r| > 1`: `|j * r|` rounds below it exactly when `j`
    ///   is subnormal, and no product of a normal `j` is subnormal.
    /// - `mask = flush(rfr) >= flush(refract_time)`: for a normal
    ///   `refract_time` no subnormal `rfr` reaches it either way; for a
    ///   flushed one the test is `flush(rfr) >= 0`, which is
    ///   `rfr >= -MAX_SUBNORMAL`.
    ///
    /// `plain_state` says whether the state passes [`plain_state`].
    pub(crate) fn new(
        resist_m: f32,
        refract_time: f32,
        thr_gain: f32,
        t: f32,
        dt: f32,
        plain_state: bool,
    ) -> Self {
        let r = flush(resist_m);
        let volt_lim = if resist_m == 1.0 || resist_m == -1.0 {
            0.0
        } else if r.abs() > 1.0 {
            f32::MIN_POSITIVE * r.abs()
        } else {
            f32::MIN_POSITIVE
        };
        let refract_time = flush(refract_time);
        let awake_from = if refract_time == 0.0 {
            -MAX_SUBNORMAL
        } else {
            refract_time
        };
        StepConsts {
            resist_m: r,
            volt_lim,
            awake_from,
            thr_gain: flush(thr_gain),
            t: flush(t),
            dt: flush(dt),
            plain: plain_state && flush(dt) >= PLAIN_DT_MIN,
        }
    }
}

/// One batch row of state. All slices have the same length.
pub(crate) struct Row<'a> {
    pub j: &'a [f32],
    pub v: &'a mut [f32],
    pub s: &'a mut [f32],
    pub thr: &'a mut [f32],
    pub rfr: &'a mut [f32],
    pub tols: &'a mut [f32],
}

/// Rule 2: `v = awake ? j * resist_m : +0.0`, flushed as the reference
/// flushes it (see [`StepConsts::new`]), NaN made canonical; also the
/// lanes where `v` is NaN.
#[inline(always)]
///
/// Without `FLUSH` (allowed only where `volt_lim` is 0, `resist_m = ±1`)
/// the flush, which would keep every lane, is left out.
pub(crate) fn voltage<L: Ops, const FLUSH: bool>(j: L, rfr: L, k: &StepLanes<L>) -> (L, L::Mask) {
    let v = j.mul(k.resist_m);
    let v = if FLUSH { v.flush_below(k.volt_lim) } else { v };
    let v = L::select_or_zero(rfr.ge(k.awake_from), v);
    let nan = v.is_nan();
    (L::select(nan, L::splat(f32::NAN), v), nan)
}

/// [`StepConsts`] splatted into lanes.
#[derive(Clone, Copy)]
pub(crate) struct StepLanes<L> {
    resist_m: L,
    volt_lim: L,
    awake_from: L,
    t: L,
    dt: L,
}

impl<L: Ops> StepLanes<L> {
    #[inline(always)]
    pub(crate) fn new(k: &StepConsts) -> Self {
        StepLanes {
            resist_m: L::splat(k.resist_m),
            volt_lim: L::splat(k.volt_lim),
            awake_from: L::splat(k.awake_from),
            t: L::splat(k.t),
            dt: L::splat(k.dt),
        }
    }
}

/// Rules 6 and 7, in the reference's arithmetic form (not selects):
/// `rfr = (rfr + dt) * (1 - s) + s * dt` and `tols = (1 - s) * tols + s * t`,
/// flushed as the reference flushes them, NaN made canonical.
///
/// Where `rfr + dt` overflows to `inf` and the unit spikes, `inf * 0` makes
/// `rfr` NaN, as in the reference; likewise an infinite `tols`. Only the
/// operands need flushing: every product has a factor of exactly 1 or 0,
/// and every sum has a zero term, so no result is subnormal unless an
/// operand was.
#[inline(always)]
fn timers<L: Ops>(s: L, rfr: L, tols: L, k: &StepLanes<L>) -> (L, L) {
    let not_s = L::splat(1.0).sub(s);
    let rfr = flush(flush(rfr).add(k.dt)).mul(not_s).add(s.mul(k.dt));
    let tols = not_s.mul(flush(tols)).add(s.mul(k.t));
    (canonical_nan(rfr), canonical_nan(tols))
}

/// [`timers`] for a plain step (see [`StepConsts::plain`]): the same bits
/// with fewer operations.
///
/// With `dt ≥ 2^-102` no flush can change `rfr + dt`: a subnormal `rfr` is
/// below half an ulp of `dt`, and a sum of two normal numbers that large
/// cannot land in the subnormal range. With `tols` finite and not
/// subnormal (or the canonical NaN), its flush changes nothing, no product
/// makes a new NaN, and a NaN stays canonical. `rfr + dt` may still
/// overflow, so its NaN is still made canonical.
#[inline(always)]
fn timers_plain<L: Ops>(s: L, rfr: L, tols: L, k: &StepLanes<L>) -> (L, L) {
    let not_s = L::splat(1.0).sub(s);
    let rfr = rfr.add(k.dt).mul(not_s).add(s.mul(k.dt));
    let tols = not_s.mul(tols).add(s.mul(k.t));
    (canonical_nan(rfr), tols)
}

/// Rules 4, 6 and 7 on one chunk: the spikes, the refractory timers and the
/// times of last spike. With `PLAIN` (allowed only for a plain step, see
/// [`StepConsts::plain`]), thresholds are known not to be tiny, so the
/// spike rule is the plain `e / sum > thr`, and the timers skip their
/// flushes; the bits are the same.
#[inline(always)]
pub(crate) fn spike_rules<L: Ops, const PLAIN: bool>(
    e: L,
    sum: L,
    thr: L,
    rfr: L,
    tols: L,
    k: &StepLanes<L>,
) -> (L, L, L) {
    if PLAIN {
        let (_, s) = fire_plain(e, sum, thr);
        let (rfr, tols) = timers_plain(s, rfr, tols, k);
        (s, rfr, tols)
    } else {
        let (_, s) = fire(e, sum, thr);
        let (rfr, tols) = timers(s, rfr, tols, k);
        (s, rfr, tols)
    }
}

/// Whether a state's thresholds and times of last spike allow a plain step
/// (see [`StepConsts::plain`]): no threshold below `f32::MIN_POSITIVE` in
/// magnitude, and every `tols` finite and not subnormal, or the canonical
/// NaN. A step's own output always passes the threshold test (the floor);
/// only a `tols` handed in can fail the other.
pub(crate) fn plain_state(thr: &[f32], tols: &[f32]) -> bool {
    let thr_ok = |x: &f32| x.is_nan() || x.abs() >= f32::MIN_POSITIVE;
    let tols_ok = |x: &f32| x.is_normal() || *x == 0.0 || x.to_bits() == f32::NAN.to_bits();
    thr.iter().all(thr_ok) && tols.iter().all(tols_ok)
}

/// Pass 1: voltages into `v`; returns the row max of `v`.
#[inline(always)]
fn voltage_pass<L: Lanes, const FLUSH: bool>(
    j: &[f32],
    rfr: &[f32],
    v: &mut [f32],
    k: &StepConsts,
) -> f32 {
    let k = StepLanes::new(k);
    let (jc, jt) = j.as_chunks::<LANES>();
    let (rc, rtail) = rfr.as_chunks::<LANES>();
    let (vc, vt) = v.as_chunks_mut::<LANES>();
    // The running max is `max_gt`, equal to `nan_max` on non-NaN lanes and
    // one cycle of latency instead of three dependent operations; NaN lanes
    // are remembered apart and restored before the tail, so the result is
    // that of `nan_max` throughout.
    let mut acc = L::splat(f32::NEG_INFINITY);
    let mut any_nan = L::splat(0.0).is_nan();
    for ((j8, r8), v8) in jc.iter().zip(rc).zip(vc) {
        let (v, nan) = voltage::<L, FLUSH>(L::load(j8), L::load(r8), &k);
        v.store(v8);
        acc = acc.max_gt(v);
        any_nan = L::or(any_nan, nan);
    }
    let mut acc = L::select(any_nan, L::splat(f32::NAN), acc);
    if !jt.is_empty() {
        let (v, _) = voltage::<L, FLUSH>(L::load(&pad(jt, 0.0)), L::load(&pad(rtail, 0.0)), &k);
        let lanes = v.to_array();
        unpad(vt, lanes);
        // Padded lanes enter the max as -inf, the identity.
        let mut real = [f32::NEG_INFINITY; LANES];
        for ((o, x), _) in real.iter_mut().zip(lanes).zip(jt) {
            *o = x;
        }
        acc = nan_max(acc, L::load(&real));
    }
    reduce_max(acc)
}

/// One chunk of pass 3: the spikes (added to `count`), the timers. (A
/// function, not a closure: a closure may be compiled out of line, without
/// the caller's target features.)
#[inline(always)]
fn spike_chunk<L: Ops, const PLAIN: bool>(
    sum: L,
    k: &StepLanes<L>,
    e: L,
    thr: L,
    rfr: L,
    tols: L,
    count: &mut L,
) -> (L, L, L) {
    let (s, rfr, tols) = spike_rules::<L, PLAIN>(e, sum, thr, rfr, tols, k);
    *count = count.add(s);
    (s, rfr, tols)
}

/// Pass 3: spikes from the exponentials stored in `s`, with the refractory
/// timers and times of last spike; returns the spike count.
#[inline(always)]
fn spike_pass<L: Lanes, const PLAIN: bool>(row: &mut Row<'_>, sum: f32, k: &StepConsts) -> f32 {
    let (sum, k) = (L::splat(sum), StepLanes::new(k));
    let (sc, st) = row.s.as_chunks_mut::<LANES>();
    let (tc, tt) = row.thr.as_chunks::<LANES>();
    let (rc, rt) = row.rfr.as_chunks_mut::<LANES>();
    let (lc, lt) = row.tols.as_chunks_mut::<LANES>();
    let mut count = L::splat(0.0);
    for (((s8, t8), r8), l8) in sc.iter_mut().zip(tc).zip(rc).zip(lc) {
        let (s, rfr, tols) = spike_chunk::<L, PLAIN>(
            sum,
            &k,
            L::load(s8),
            L::load(t8),
            L::load(r8),
            L::load(l8),
            &mut count,
        );
        s.store(s8);
        rfr.store(r8);
        tols.store(l8);
    }
    if !st.is_empty() {
        let (s, rfr, tols) = spike_chunk::<L, PLAIN>(
            sum,
            &k,
            L::load(&pad(st, 0.0)),
            L::load(&pad(tt, f32::INFINITY)),
            L::load(&pad(rt, 0.0)),
            L::load(&pad(lt, 0.0)),
            &mut count,
        );
        unpad(st, s.to_array());
        unpad(rt, rfr.to_array());
        unpad(lt, tols.to_array());
    }
    reduce_add(count)
}

/// Rule 5's floor: the reference's NaN-propagating `max(x, 0.025)`, the NaN
/// made canonical (`x > floor ? x : floor`, then NaN where `x` is NaN).
#[inline(always)]
pub(crate) fn floored<L: Ops>(x: L, floor: L) -> L {
    L::select(x.is_nan(), L::splat(f32::NAN), x.max_gt(floor))
}

/// Pass 4: `thr = max(thr + (count - 1) * thr_gain, 0.025)`.
///
/// One product and one sum, each rounded, as the reference computes them.
/// No flush is needed: `count - 1` is a whole number, so the product is
/// zero or at least `|thr_gain|` (flushed once per step), and a sum that a
/// flush could change is far below the floor. The sum is NaN where a
/// threshold is already NaN, or as `inf - inf`; the NaN stays, as in the
/// reference (the unit never fires again).
#[inline(always)]
fn threshold_pass<L: Lanes>(thr: &mut [f32], count: f32, thr_gain: f32) {
    let delta = L::splat((count - 1.0) * thr_gain);
    let floor = L::splat(THR_FLOOR);
    let (tc, tt) = thr.as_chunks_mut::<LANES>();
    for t8 in tc {
        floored(L::load(t8).add(delta), floor).store(t8);
    }
    if !tt.is_empty() {
        let thr = floored(L::load(&pad(tt, 0.0)).add(delta), floor);
        unpad(tt, thr.to_array());
    }
}

/// Advances one batch row by one step.
///
/// The passes run one row at a time. Sharing loops between the passes of
/// neighbouring rows (one row's spike pass inside the next row's exp pass,
/// its threshold pass inside a later row's voltage pass) was measured
/// slower at 16×1024: the shared exp loop spills more vector registers to
/// the stack (see the README's performance notes).
#[inline(always)]
pub(crate) fn step_row<L: Lanes>(mut row: Row<'_>, k: &StepConsts) {
    let max = if k.volt_lim == 0.0 {
        voltage_pass::<L, false>(row.j, row.rfr, row.v, k)
    } else {
        voltage_pass::<L, true>(row.j, row.rfr, row.v, k)
    };
    // The exponentials are parked in `s`, which pass 3 turns into spikes.
    // With a finite max every `v - max` is in [−inf, 0]: NaN or `+inf` in
    // `v` would have made the max NaN or `+inf`.
    let sum = if max.is_finite() {
        exp_sum_with::<L, true>(row.v, max, row.s)
    } else {
        exp_sum_with::<L, false>(row.v, max, row.s)
    };
    let count = if k.plain {
        spike_pass::<L, true>(&mut row, sum, k)
    } else {
        spike_pass::<L, false>(&mut row, sum, k)
    };
    threshold_pass::<L>(row.thr, count, k.thr_gain);
}
