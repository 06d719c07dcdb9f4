//! The eight-lane loops: how the [specification](super::spec)'s rules run
//! over a row, written once over [`Lanes`] and instantiated per backend.
//!
//! A row of any length is processed as whole eight-lane chunks followed, if
//! the length is not a multiple of eight, by one padded chunk. Padding
//! values are chosen so that padded lanes cannot change any reduction
//! (`-inf` for a max, `+0.0` for a sum, `+inf` for a threshold), and only
//! the real lanes are written back, so a row of length 1 or 13 goes
//! through exactly the same per-lane operations as a row of length 16.
//!
//! Reductions keep one accumulator per lane and combine the eight lanes at
//! the end in the specification's fixed tree.
#![forbid(unsafe_code)]

mod interleave;
mod plain;

use super::backend::{LANES, Lanes, Ops};
use super::spec::exp::{exp, exp_finish, exp_nonpositive, exp_reduce, exp_special};
use super::spec::{
    Row, StepConsts, StepLanes, THR_FLOOR, fire, floored, nan_max, reduce_add_lanes,
    reduce_max_lanes, spike_rules, voltage,
};
use interleave::Interleaved;

/// Chunks per group of the `exp` loop: several independent `exp` chains
/// keep a superscalar core busy. (Targets without SIMD run the reference
/// kernels instead, so code size does not constrain these.)
const UNROLL: usize = 4;

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
    exp(L::load(&x)).to_array()
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
fn exp_chunk<L: Lanes, const NONPOSITIVE: bool>(x: L) -> L {
    if NONPOSITIVE {
        exp_nonpositive(x)
    } else {
        exp(x)
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
        let e = exp_chunk::<L, NONPOSITIVE>(L::load(x8).sub(m));
        e.store(o8);
        acc = acc.add(e);
    }
    if !xt.is_empty() {
        // exp(-inf - max) is +0.0 whenever max is finite; otherwise the sum
        // is NaN through the real lanes already.
        let e = exp_chunk::<L, NONPOSITIVE>(L::load(&pad(xt, f32::NEG_INFINITY)).sub(m));
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
/// The passes run one row at a time: sharing loops between the passes of
/// neighbouring rows spills more vector registers (`DESIGN.md` has the
/// measurements).
#[inline(always)]
pub(crate) fn step_row<L: Lanes>(mut row: Row<'_>, k: &StepConsts) {
    // Most rows take the plain loops, which leave out what cannot happen
    // in them; a row they hand back is stepped here from the start.
    if k.plain && plain::step_row::<L>(&mut row, k) {
        return;
    }
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
