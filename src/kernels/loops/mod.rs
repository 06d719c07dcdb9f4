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
//! The max and the spike count keep one accumulator per lane and combine
//! the eight lanes at the end in the specification's fixed tree (their
//! order cannot change a bit); the row sum is the reference's windowed
//! sum over the stored exponentials.
#![forbid(unsafe_code)]

mod interleave;
mod plain;

use super::lanes::{LANES, Lanes, Ops};
use super::spec::exp::{exp, exp_nonpositive, exp_nonpositive_no_flush};
use super::spec::rules::canonical_nan;
use super::spec::{
    EightWindows, Kernels, Row, StepConsts, StepLanes, WINDOW, fire, nan_max, reciprocal,
    reduce_add_lanes, reduce_max_lanes, spike_rules, threshold, threshold_delta, voltage,
    windowed_sum_by,
};
use super::spec::{SoftmaxPath, ynn};
use interleave::{Block, Interleaved};

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

/// The loops instantiated on lanes `L`: a backend's table.
pub(crate) const fn kernels<L: Lanes>() -> Kernels {
    Kernels {
        row_max: row_max::<L>,
        exp: exp_lanes::<L>,
        exp_sum: exp_sum::<L>,
        spike_mask: spike_mask::<L>,
        scale_in_place: scale_in_place::<L>,
        step_row: step_row::<L>,
    }
}

/// `exp` on eight lanes given as an array.
#[inline(always)]
pub(crate) fn exp_lanes<L: Lanes>(x: [f32; LANES]) -> [f32; LANES] {
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

/// Which `exp` a pass runs: the one for every input, or a variant with
/// the same bits on a range the caller guarantees.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum ExpRange {
    /// Any input: [`exp`].
    Any,
    /// Every input in [−inf, 0]: [`exp_nonpositive`].
    NonPositive,
    /// Every input in [`NO_FLUSH_FROM`](crate::kernels::spec::exp::NO_FLUSH_FROM),
    /// 0]: [`exp_nonpositive_no_flush`].
    NoFlush,
}

/// [`ExpRange`] and [`SoftmaxPath`] as a const parameter: the range, plus
/// `R_YNNPACK` for YNNPACK's `exp`.
const R_ANY: u8 = 0;
const R_NONPOSITIVE: u8 = 1;
const R_NO_FLUSH: u8 = 2;
const R_YNNPACK: u8 = 3;
const R_YNNPACK_ANY: u8 = R_YNNPACK + R_ANY;
const R_YNNPACK_NONPOSITIVE: u8 = R_YNNPACK + R_NONPOSITIVE;
const R_YNNPACK_NO_FLUSH: u8 = R_YNNPACK + R_NO_FLUSH;

/// `exp` on one chunk, as `R` says.
#[inline(always)]
fn exp_in<L: Ops, const R: u8>(x: L) -> L {
    match R {
        R_ANY => exp(x),
        R_NONPOSITIVE => exp_nonpositive(x),
        R_NO_FLUSH => exp_nonpositive_no_flush(x),
        R_YNNPACK_ANY => ynn::exp(x),
        R_YNNPACK_NONPOSITIVE => ynn::exp_nonpositive(x),
        _ => ynn::exp_nonpositive_no_flush(x),
    }
}

/// `out = exp(x - max)`, lengths equal, with the `exp` of `path` that
/// `range` allows. Groups of four chunks run as four interleaved chains,
/// which keeps a superscalar core busy through `exp`'s long dependency
/// chain.
#[inline(always)]
pub(crate) fn exp_pass<L: Lanes>(
    x: &[f32],
    max: f32,
    out: &mut [f32],
    range: ExpRange,
    path: SoftmaxPath,
) {
    match (path, range) {
        (SoftmaxPath::Inline, ExpRange::Any) => exp_pass_in::<L, R_ANY>(x, max, out),
        (SoftmaxPath::Inline, ExpRange::NonPositive) => {
            exp_pass_in::<L, R_NONPOSITIVE>(x, max, out)
        }
        (SoftmaxPath::Inline, ExpRange::NoFlush) => exp_pass_in::<L, R_NO_FLUSH>(x, max, out),
        (SoftmaxPath::Ynnpack, ExpRange::Any) => exp_pass_in::<L, R_YNNPACK_ANY>(x, max, out),
        (SoftmaxPath::Ynnpack, ExpRange::NonPositive) => {
            exp_pass_in::<L, R_YNNPACK_NONPOSITIVE>(x, max, out)
        }
        (SoftmaxPath::Ynnpack, ExpRange::NoFlush) => {
            exp_pass_in::<L, R_YNNPACK_NO_FLUSH>(x, max, out)
        }
    }
}

// Out of line in debug builds, where every temporary of an inlined
// function keeps its own stack slot (see `plain::step_row`).
#[cfg_attr(debug_assertions, inline(never))]
#[cfg_attr(not(debug_assertions), inline(always))]
fn exp_pass_in<L: Lanes, const R: u8>(x: &[f32], max: f32, out: &mut [f32]) {
    let m = L::splat(max);
    let (xc, xt) = x.as_chunks::<LANES>();
    let (oc, ot) = out.as_chunks_mut::<LANES>();
    let (xcg, xc1) = xc.as_chunks::<UNROLL>();
    let (ocg, oc1) = oc.as_chunks_mut::<UNROLL>();
    let m4 = Interleaved([m; UNROLL]);
    for (x, o) in xcg.iter().zip(ocg) {
        exp_block::<Interleaved<L>, R>(x, o, m4);
    }
    for (x, o) in xc1.iter().zip(oc1) {
        exp_block::<L, R>(x, o, m);
    }
    if !xt.is_empty() {
        // Padded with `max`: `max - max` is 0 or NaN, in range for every `R`.
        let mut e = [0.0; LANES];
        exp_block::<L, R>(&pad(xt, max), &mut e, m);
        unpad(ot, e);
    }
}

/// `out = exp(x - max)` on one block (a group of four chunks, or one
/// chunk), as `R` says.
#[inline(always)]
fn exp_block<B: Block, const R: u8>(x: &B::Mem, out: &mut B::Mem, max: B) {
    exp_in::<B, R>(B::load_block(x).sub(max)).store_block(out);
}

/// `out = exp(x - max)`, returning the sum of `out` in the reference's
/// order. Lengths must match.
#[inline(always)]
pub(crate) fn exp_sum<L: Lanes>(x: &[f32], max: f32, out: &mut [f32], path: SoftmaxPath) -> f32 {
    exp_pass::<L>(x, max, out, ExpRange::Any, path);
    row_sum::<L>(out, path)
}

/// The row sum in the reference's order for `path`. For the inline path
/// ([`windowed_sum`](crate::kernels::spec::windowed_sum)), eight full
/// windows at a time in lanes: four 8 × 8 transposes turn the eight
/// windows' chunks into columns, added in element order, so that lane `w`
/// adds window `w` left to right.
#[cfg_attr(debug_assertions, inline(never))]
#[cfg_attr(not(debug_assertions), inline(always))]
pub(crate) fn row_sum<L: Lanes>(e: &[f32], path: SoftmaxPath) -> f32 {
    match path {
        SoftmaxPath::Inline => windowed_sum_by::<Transposed<L>>(e),
        SoftmaxPath::Ynnpack => ynn::row_sum::<L>(e),
    }
}

/// Eight windows summed in the lanes of `L`.
struct Transposed<L>(core::marker::PhantomData<L>);

impl<L: Lanes> EightWindows for Transposed<L> {
    #[inline(always)]
    fn eight_windows(group: &[[f32; WINDOW]; LANES]) -> [f32; LANES] {
        eight_windows::<L>(group)
    }
}

/// (No closures: a closure may be compiled out of line, without the
/// caller's target features.)
#[inline(always)]
fn eight_windows<L: Lanes>(group: &[[f32; WINDOW]; LANES]) -> [f32; LANES] {
    let [w0, w1, w2, w3, w4, w5, w6, w7] = group;
    let mut acc = L::splat(0.0);
    for c in 0..WINDOW / LANES {
        let rows = [
            load_chunk::<L>(w0, c),
            load_chunk::<L>(w1, c),
            load_chunk::<L>(w2, c),
            load_chunk::<L>(w3, c),
            load_chunk::<L>(w4, c),
            load_chunk::<L>(w5, c),
            load_chunk::<L>(w6, c),
            load_chunk::<L>(w7, c),
        ];
        let [c0, c1, c2, c3, c4, c5, c6, c7] = L::transpose8(rows);
        acc = acc
            .add(c0)
            .add(c1)
            .add(c2)
            .add(c3)
            .add(c4)
            .add(c5)
            .add(c6)
            .add(c7);
    }
    acc.to_array()
}

/// Chunk `c` of a window.
#[inline(always)]
fn load_chunk<L: Lanes>(w: &[f32; WINDOW], c: usize) -> L {
    match w.as_chunks::<LANES>().0.get(c) {
        Some(chunk) => L::load(chunk),
        None => L::splat(0.0),
    }
}

/// `x = flush(x * inv)` in place, NaN made canonical: probabilities from
/// the exponentials and the row's reciprocal.
#[inline(always)]
pub(crate) fn scale_in_place<L: Lanes>(x: &mut [f32], inv: f32) {
    let d = L::splat(inv);
    let (xc, xt) = x.as_chunks_mut::<LANES>();
    for x8 in xc {
        probability(L::load(x8), d).store(x8);
    }
    if !xt.is_empty() {
        let q = probability(L::load(&pad(xt, 0.0)), d).to_array();
        unpad(xt, q);
    }
}

/// `flush(e * inv)`, NaN made canonical. (A function, not a closure: a
/// closure may be compiled out of line, without the caller's target
/// features.)
#[inline(always)]
fn probability<L: Ops>(e: L, inv: L) -> L {
    canonical_nan(e.mul(inv).flush_below(L::splat(f32::MIN_POSITIVE)))
}

/// `e_then_s = (e * inv > thr) ? 1 : 0` in place; returns the spike count.
#[inline(always)]
pub(crate) fn spike_mask<L: Lanes>(e_then_s: &mut [f32], inv: f32, thr: &[f32]) -> f32 {
    let sum = L::splat(inv);
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
    inv: L,
    k: &StepLanes<L>,
    e: L,
    thr: L,
    rfr: L,
    tols: L,
    count: &mut L,
) -> (L, L, L) {
    let (s, rfr, tols) = spike_rules::<L, PLAIN>(e, inv, thr, rfr, tols, k);
    *count = count.add(s);
    (s, rfr, tols)
}

/// Pass 3: spikes from the exponentials stored in `s` and the row's
/// reciprocal, with the refractory timers and times of last spike; returns
/// the spike count.
#[inline(always)]
fn spike_pass<L: Lanes, const PLAIN: bool>(row: &mut Row<'_>, inv: f32, k: &StepConsts) -> f32 {
    let (sum, k) = (L::splat(inv), StepLanes::new(k));
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

/// Pass 4: the thresholds ([`threshold`]).
#[inline(always)]
fn threshold_pass<L: Lanes>(thr: &mut [f32], count: f32, thr_gain: f32) {
    let delta = L::splat(threshold_delta(count, thr_gain));
    let (tc, tt) = thr.as_chunks_mut::<LANES>();
    for t8 in tc {
        threshold(L::load(t8), delta).store(t8);
    }
    if !tt.is_empty() {
        let thr = threshold(L::load(&pad(tt, 0.0)), delta);
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
    let range = if max.is_finite() {
        ExpRange::NonPositive
    } else {
        ExpRange::Any
    };
    exp_pass::<L>(row.v, max, row.s, range, k.path);
    let inv = reciprocal(row_sum::<L>(row.s, k.path));
    let count = if k.plain {
        spike_pass::<L, true>(&mut row, inv, k)
    } else {
        spike_pass::<L, false>(&mut row, inv, k)
    };
    threshold_pass::<L>(row.thr, count, k.thr_gain);
}
