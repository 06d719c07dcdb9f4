//! The scalar kernels: the [specification](crate::kernels::spec)'s rules
//! applied one element at a time, on plain `f32`, tuned for cores without
//! SIMD registers (Cortex-M0, M4F, RISC-V), which run them for every
//! backend, being the smallest code. They are tested against the
//! specification's literal step like every other backend.
//!
//! Every element goes through the same operations as in the eight-lane
//! kernels ([`loops`](crate::kernels::loops)); the row sum is the same function
//! ([`windowed_sum`]); the max and the spike count, whose order cannot
//! change a bit, are a running max and an integer count. There is no
//! chunk loop and no padded tail copy, so each pass is one short loop.

#![forbid(unsafe_code)]

use crate::kernels::lanes::{LANES, Ops, mul, sub};
use crate::kernels::spec::exp::{exp_f32, exp_nonpositive};
use crate::kernels::spec::{
    Kernels, Row, StepConsts, StepLanes, awake, fire, fire_plain, nan_max, reciprocal,
    reduce_add_lanes, reduce_max_lanes, rfr_silent, spike_rules, threshold, threshold_any_nan,
    threshold_delta, timers_plain_fired, voltage_any_nan, windowed_sum,
};
use crate::kernels::spec::{SoftmaxPath, ynn};

/// The scalar kernels' table.
pub(crate) const KERNELS: Kernels = Kernels {
    row_max,
    exp: exp_lanes,
    exp_sum,
    spike_mask,
    scale_in_place,
    step_row,
};

/// One accumulator per lane of the eight-lane kernels.
type Acc = [f32; LANES];

/// `f(acc[i % 8], x)` for each element `x` at index `i`, in order.
#[inline(always)]
fn fold_lanes<'x>(acc: &mut Acc, xs: impl Iterator<Item = f32> + 'x, f: impl Fn(f32, f32) -> f32) {
    for (i, x) in xs.enumerate() {
        if let Some(a) = acc.get_mut(i % LANES) {
            *a = f(*a, x);
        }
    }
}

/// NaN-propagating maximum of a row; `-inf` for an empty row.
#[inline(never)]
fn row_max(x: &[f32]) -> f32 {
    let mut acc = [f32::NEG_INFINITY; LANES];
    fold_lanes(&mut acc, x.iter().copied(), nan_max);
    reduce_max_lanes(acc)
}

/// `exp` on eight lanes given as an array.
fn exp_lanes(x: [f32; LANES]) -> [f32; LANES] {
    x.map(exp_f32)
}

/// `out = exp(x - max)`, returning the sum of `out` in the reference's
/// order. Lengths must match.
#[inline(never)]
fn exp_sum(x: &[f32], max: f32, out: &mut [f32], path: SoftmaxPath) -> f32 {
    exp_pass::<false>(x, max, out, path);
    row_sum(out, path)
}

/// The row sum in the reference's order for `path`.
#[inline(never)]
fn row_sum(e: &[f32], path: SoftmaxPath) -> f32 {
    match path {
        SoftmaxPath::Inline => windowed_sum(e),
        SoftmaxPath::Ynnpack => ynn::row_sum_scalar(e),
    }
}

/// `e_then_s = (e * inv > thr) ? 1 : 0` in place; returns the spike count.
#[inline(never)]
fn spike_mask(e_then_s: &mut [f32], inv: f32, thr: &[f32]) -> f32 {
    let mut acc = [0.0; LANES];
    let s = e_then_s.iter_mut().zip(thr).map(|(e, &thr)| {
        *e = fire(*e, inv, thr).1;
        *e
    });
    fold_lanes(&mut acc, s, |a, s| a + s);
    reduce_add_lanes(acc)
}

/// `x = flush(x * inv)` in place, NaN made canonical.
fn scale_in_place(x: &mut [f32], inv: f32) {
    for x in x {
        let p = mul(*x, inv).flush_below(f32::MIN_POSITIVE);
        *x = if p.is_nan() { f32::NAN } else { p };
    }
}

/// Advances one batch row by one step: the passes of
/// [`loops::step_row`](crate::kernels::loops::step_row), element by element.
///
/// Each pass is its own function with its own short loop, so that only one
/// pass's values are live at a time: the loop-invariant constants (the
/// eleven of `exp`, say) then stay in registers, and a Cortex-M0, which
/// spills most of them, keeps a small stack.
///
/// Two reductions are computed in a cheaper order than the eight-lane
/// kernels', with the same result for the step:
/// - the row max is one running maximum. Maxima of the same values differ
///   at most in the sign of a zero, and `v - (+0)` and `v - (-0)` differ
///   only for `v = -0`, as `-0` and `+0`, whose `exp` is `1` either way; a
///   NaN anywhere gives the canonical NaN either way.
/// - the spike count is an integer count. Every partial sum of ones and
///   zeros is a whole number, exact in `f32` up to `2^24`, so for rows of up
///   to `2^24` units any order gives the same count. Longer rows take the
///   general spike pass, which sums in the eight-lane order.
#[inline(never)]
fn step_row(mut row: Row<'_>, k: &StepConsts) {
    // The passes take the row and the constants by reference, so that
    // every argument travels in a register and this frame stays small.
    let row = &mut row;
    // `volt_lim` is 0 exactly for `resist_m = ±1`.
    let max = match (k.volt_lim == 0.0, k.resist_m > 0.0) {
        (true, true) => voltage_pass::<SCALE_PLUS_ONE>(row, k),
        (true, false) => voltage_pass::<SCALE_MINUS_ONE>(row, k),
        (false, _) => voltage_pass::<SCALE_FLUSHED>(row, k),
    };
    // The exponentials are parked in `s`, which the spike pass turns into
    // spikes. With a finite max every `v - max` is in [−inf, 0], where
    // `exp_nonpositive` has `exp`'s bits.
    if max.is_finite() {
        exp_pass::<true>(row.v, max, row.s, k.path);
    } else {
        exp_pass::<false>(row.v, max, row.s, k.path);
    }
    let inv = reciprocal(row_sum(row.s, k.path));
    let count = if k.plain && row.s.len() <= MAX_EXACT_COUNT {
        spike_pass_plain(row, inv, k)
    } else {
        spike_pass(row, inv, k)
    };
    threshold_pass(row.thr, count, k);
}

/// The longest row whose spike count every summation order gets exactly.
const MAX_EXACT_COUNT: usize = 1 << 24;

/// How a voltage pass forms `j * resist_m` (see [`voltage_pass`]).
const SCALE_FLUSHED: u8 = 0;
/// `resist_m = 1`: `v = j`.
const SCALE_PLUS_ONE: u8 = 1;
/// `resist_m = -1`: `v = -j`.
const SCALE_MINUS_ONE: u8 = 2;

/// Voltages, NaN made canonical, into `v`; returns their max (a running
/// maximum, see [`step_row`] for why its order does not matter there).
///
/// With `SCALE_FLUSHED` this is rule 1 as written, the product flushed
/// below `volt_lim`. For `resist_m = ±1` nothing is flushed, and the
/// product is `j` or `-j` bit for bit but for a NaN's payload, which is
/// made canonical here anyway: a sign flip where a Cortex-M0 would call a
/// soft-float multiply.
#[inline(never)]
fn voltage_pass<const SCALE: u8>(row: &mut Row<'_>, k: &StepConsts) -> f32 {
    let (j, rfr, v) = (row.j, &*row.rfr, &mut *row.v);
    let lanes = StepLanes::new(k);
    let mut max = f32::NEG_INFINITY;
    let mut nans: usize = 0;
    let mut one = |j: f32, rfr: f32, v: &mut f32| {
        let x = match SCALE {
            SCALE_PLUS_ONE => voltage_any_nan::<f32, false, true>(j, rfr, &lanes),
            SCALE_MINUS_ONE if awake(rfr, &lanes) => -j,
            SCALE_MINUS_ONE => 0.0,
            _ => voltage_any_nan::<f32, true, false>(j, rfr, &lanes),
        };
        // One comparison finds both a new max and a NaN (unordered; `max`
        // itself is never NaN here), which is made canonical.
        *v = if x <= max {
            x
        } else if x > max {
            max = x;
            x
        } else {
            nans += 1;
            f32::NAN
        };
    };
    // Two at a time, in order: half the loop overhead.
    let ((j2, j1), (r2, r1), (v2, v1)) = (j.as_chunks(), rfr.as_chunks(), v.as_chunks_mut());
    for ((&[j0, j1], &[r0, r1]), [v0, v1]) in j2.iter().zip(r2).zip(v2) {
        one(j0, r0, v0);
        one(j1, r1, v1);
    }
    for ((&j, &rfr), v) in j1.iter().zip(r1).zip(v1) {
        one(j, rfr, v);
    }
    if nans != 0 { f32::NAN } else { max }
}

/// `out = exp(x - max)`. With `NONPOSITIVE` every `x - max` must be in
/// [−inf, 0] (a finite `max` of `x`), where [`exp_nonpositive`] has the
/// bits of [`exp`](crate::kernels::spec::exp::exp).
#[inline(never)]
fn exp_pass<const NONPOSITIVE: bool>(x: &[f32], max: f32, out: &mut [f32], path: SoftmaxPath) {
    let e = |x: f32| match (path, NONPOSITIVE) {
        (SoftmaxPath::Inline, true) => exp_nonpositive(sub(x, max)),
        (SoftmaxPath::Inline, false) => exp_f32(sub(x, max)),
        (SoftmaxPath::Ynnpack, true) => ynn::exp_nonpositive(sub(x, max)),
        (SoftmaxPath::Ynnpack, false) => ynn::exp(sub(x, max)),
    };
    // Two at a time: half the loop overhead, and two independent chains.
    let (x2, x1) = x.as_chunks::<2>();
    let (o2, o1) = out.as_chunks_mut::<2>();
    for (&[x0, x1], [o0, o1]) in x2.iter().zip(o2) {
        *o0 = e(x0);
        *o1 = e(x1);
    }
    for (&x, o) in x1.iter().zip(o1) {
        *o = e(x);
    }
}

/// Spikes from the exponentials in `s`, refractory timers, times of last
/// spike, for a plain step (see [`StepConsts::plain`]) of a row of at
/// most [`MAX_EXACT_COUNT`] units; returns the spike count.
///
/// The plain rules as branches ([`timers_plain_fired`], [`rfr_silent`]):
/// the products run only where their factor is not a known 1 or 0, and
/// the M0's soft float makes fewer calls.
#[inline(never)]
fn spike_pass_plain(row: &mut Row<'_>, inv: f32, k: &StepConsts) -> f32 {
    let (s, thr, rfr, tols) = (&mut *row.s, &*row.thr, &mut *row.rfr, &mut *row.tols);
    let lanes = StepLanes::new(k);
    let mut count: u32 = 0;
    let mut one = |s: &mut f32, thr: f32, rfr: &mut f32, tols: &mut f32| {
        let r = rfr_silent(*rfr, &lanes);
        if fire_plain(*s, inv, thr).0 {
            (*rfr, *tols) = timers_plain_fired(r, *tols, &lanes);
            *s = 1.0;
            count += 1;
        } else {
            *rfr = r;
            *s = 0.0;
        }
    };
    // Two at a time: half the loop overhead.
    let ((s2, s1), (t2, t1)) = (s.as_chunks_mut(), thr.as_chunks());
    let ((r2, r1), (l2, l1)) = (rfr.as_chunks_mut(), tols.as_chunks_mut());
    for ((([s0, s1], &[t0, t1]), [r0, r1]), [l0, l1]) in s2.iter_mut().zip(t2).zip(r2).zip(l2) {
        one(s0, t0, r0, l0);
        one(s1, t1, r1, l1);
    }
    for (((s, &thr), rfr), tols) in s1.iter_mut().zip(t1).zip(r1).zip(l1) {
        one(s, thr, rfr, tols);
    }
    // Exact: at most 2^24.
    count as f32
}

/// Spikes from the exponentials in `s`, refractory timers, times of last
/// spike, by the general rules; returns the spike count, summed in the
/// eight-lane order.
#[inline(never)]
fn spike_pass(row: &mut Row<'_>, inv: f32, k: &StepConsts) -> f32 {
    let (s, thr, rfr, tols) = (&mut *row.s, &*row.thr, &mut *row.rfr, &mut *row.tols);
    let mut acc = [0.0; LANES];
    let k = StepLanes::new(k);
    for i in 0..s.len() {
        if let (Some(s), Some(&thr), Some(rfr), Some(tols), Some(a)) = (
            s.get_mut(i),
            thr.get(i),
            rfr.get_mut(i),
            tols.get_mut(i),
            acc.get_mut(i % LANES),
        ) {
            let spike;
            (spike, *rfr, *tols) = spike_rules::<f32, false>(*s, inv, thr, *rfr, *tols, &k);
            *s = spike;
            *a += spike;
        }
    }
    reduce_add_lanes(acc)
}

/// The thresholds ([`threshold`]).
///
/// In a plain step with a finite `delta` no sum makes a new NaN (that takes
/// `inf - inf`), and a canonical NaN threshold stays canonical through
/// `+ delta`, so the floor needs no NaN test ([`threshold_any_nan`]).
#[inline(never)]
fn threshold_pass(thr: &mut [f32], count: f32, k: &StepConsts) {
    let delta = threshold_delta(count, k.thr_gain);
    if k.plain && delta.is_finite() {
        let one = |thr: &mut f32| *thr = threshold_any_nan(*thr, delta);
        // Two at a time: half the loop overhead.
        let (t2, t1) = thr.as_chunks_mut::<2>();
        for [t0, t1] in t2 {
            one(t0);
            one(t1);
        }
        t1.iter_mut().for_each(one);
    } else {
        for thr in thr {
            *thr = threshold(*thr, delta);
        }
    }
}
