//! The reference kernels: the [specification](super::spec)'s rules applied
//! one element at a time, on plain `f32`. They are what every other
//! backend is tested against, bit for bit, and, being the smallest code,
//! what targets without SIMD registers (Cortex-M, RISC-V) run for every
//! backend.
//!
//! The eight-lane kernels ([`loops`](super::loops)) give element `i` to lane
//! `i % 8`, pad a short last chunk with values that leave every lane as it
//! was, and combine the eight lane accumulators in one fixed tree. Here
//! element `i` goes straight to accumulator `i % 8`, in the same order,
//! and the accumulators meet in the same tree (the same functions): every
//! lane sees the same operations on the same values, so the bits are the
//! reference's. There is no chunk loop and no padded tail copy, so each
//! pass is one short loop.
//!
//! The one padding value that is not an identity is `exp(-inf - max)` in
//! [`exp_sum`] with `max = -inf` (NaN); it is added to the padded lanes
//! explicitly.

#![forbid(unsafe_code)]

use super::backend::LANES;
use super::spec::exp::exp_f32;
use super::spec::{
    Row, StepConsts, StepLanes, THR_FLOOR, fire, fire_plain, floored, nan_max, reduce_add_lanes,
    reduce_max_lanes, spike_rules, voltage,
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
pub(crate) fn row_max(x: &[f32]) -> f32 {
    let mut acc = [f32::NEG_INFINITY; LANES];
    fold_lanes(&mut acc, x.iter().copied(), nan_max);
    reduce_max_lanes(acc)
}

/// `exp` on eight lanes given as an array.
pub(crate) fn exp_array(x: [f32; LANES]) -> [f32; LANES] {
    x.map(exp_f32)
}

/// `out = exp(x - max)`, returning the sum of `out`. Lengths must match.
#[inline(never)]
pub(crate) fn exp_sum(x: &[f32], max: f32, out: &mut [f32]) -> f32 {
    let mut acc = [0.0; LANES];
    let e = x.iter().zip(out.iter_mut()).map(|(x, o)| {
        *o = exp_f32(x - max);
        *o
    });
    fold_lanes(&mut acc, e, |a, e| a + e);
    // The eight-lane kernel pads a short last chunk with -inf; its
    // exponential is +0.0 (no change) unless `max` is -inf or NaN.
    let tail = x.len() % LANES;
    if tail != 0 {
        let pad = exp_f32(f32::NEG_INFINITY - max);
        for a in acc.iter_mut().skip(tail) {
            *a += pad;
        }
    }
    reduce_add_lanes(acc)
}

/// `e_then_s = (e / sum > thr) ? 1 : 0` in place; returns the spike count.
#[inline(never)]
pub(crate) fn spike_mask(e_then_s: &mut [f32], sum: f32, thr: &[f32]) -> f32 {
    let mut acc = [0.0; LANES];
    let s = e_then_s.iter_mut().zip(thr).map(|(e, &thr)| {
        *e = fire(*e, sum, thr).1;
        *e
    });
    fold_lanes(&mut acc, s, |a, s| a + s);
    reduce_add_lanes(acc)
}

/// `x = x / sum`, in place.
pub(crate) fn divide_in_place(x: &mut [f32], sum: f32) {
    for x in x {
        *x /= sum;
    }
}

/// Advances one batch row by one step: the passes of
/// [`loops::step_row`](super::loops::step_row), element by element.
///
/// Each pass is its own function, so that only one pass's locals are on
/// the stack at a time (a Cortex-M0 spills most of them).
#[inline(never)]
pub(crate) fn step_row(row: Row<'_>, k: &StepConsts) {
    let max = if k.volt_lim == 0.0 {
        voltage_pass::<false>(row.j, row.rfr, row.v, k)
    } else {
        voltage_pass::<true>(row.j, row.rfr, row.v, k)
    };
    // The exponentials are parked in `s`, which the spike pass turns into
    // spikes.
    let sum = exp_sum(row.v, max, row.s);
    let count = if k.plain {
        spike_pass::<true>(row.s, row.thr, row.rfr, row.tols, sum, k)
    } else {
        spike_pass::<false>(row.s, row.thr, row.rfr, row.tols, sum, k)
    };
    threshold_pass(row.thr, count, k.thr_gain);
}

/// Voltages, NaN made canonical, into `v`; returns their max.
#[inline(never)]
fn voltage_pass<const FLUSH: bool>(j: &[f32], rfr: &[f32], v: &mut [f32], k: &StepConsts) -> f32 {
    let mut acc = [f32::NEG_INFINITY; LANES];
    let k = StepLanes::new(k);
    let v = j.iter().zip(rfr).zip(v).map(|((&j, &rfr), v)| {
        *v = voltage::<f32, FLUSH>(j, rfr, &k).0;
        *v
    });
    fold_lanes(&mut acc, v, nan_max);
    reduce_max_lanes(acc)
}

/// Spikes from the exponentials in `s`, refractory timers, times of last
/// spike; returns the spike count.
#[inline(never)]
fn spike_pass<const PLAIN: bool>(
    s: &mut [f32],
    thr: &[f32],
    rfr: &mut [f32],
    tols: &mut [f32],
    sum: f32,
    k: &StepConsts,
) -> f32 {
    let mut acc = [0.0; LANES];
    let (t, dt) = (k.t, k.dt);
    // `0 * t`: what a silent unit's `tols` gains, a zero of `t`'s sign.
    let t_zero = 0.0 * t;
    let k = StepLanes::new(k);
    // Indexed rather than zipped: four zipped iterators do not fit the
    // registers of a Cortex-M0 and live on its stack instead.
    for i in 0..s.len() {
        if let (Some(s), Some(&thr), Some(rfr), Some(tols), Some(a)) = (
            s.get_mut(i),
            thr.get(i),
            rfr.get_mut(i),
            tols.get_mut(i),
            acc.get_mut(i % LANES),
        ) {
            let spike;
            if PLAIN {
                // The plain rules as branches: `rfr + dt` and the products
                // run only where their factor is not a known 1 or 0, and
                // the M0's soft float makes fewer calls. The bits are those
                // of the arithmetic forms: `(rfr + dt) * 0 + dt` is `dt`,
                // or NaN where `rfr + dt` is not finite; `(rfr + dt) * 1 +
                // 0` is `rfr + dt` (never `-0.0`, as `dt > 0`); `1 * tols
                // + 0 * t` is `tols + t_zero`.
                let fires;
                (fires, spike) = fire_plain(*s, sum, thr);
                let r = *rfr + dt;
                if fires {
                    *rfr = if r.is_finite() { dt } else { f32::NAN };
                    *tols = 0.0 * *tols + t;
                } else {
                    *rfr = if r.is_nan() { f32::NAN } else { r };
                    *tols += t_zero;
                }
            } else {
                (spike, *rfr, *tols) = spike_rules::<f32, false>(*s, sum, thr, *rfr, *tols, &k);
            }
            *s = spike;
            *a += spike;
        }
    }
    reduce_add_lanes(acc)
}

/// `thr = max(thr + (count - 1) * thr_gain, 0.025)`, with the
/// NaN-propagating floor of the eight-lane kernel.
#[inline(never)]
fn threshold_pass(thr: &mut [f32], count: f32, thr_gain: f32) {
    let delta = (count - 1.0) * thr_gain;
    for thr in thr {
        *thr = floored(*thr + delta, THR_FLOOR);
    }
}
