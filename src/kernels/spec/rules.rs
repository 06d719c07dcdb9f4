//! The model's per-element rules, as the reference computes them, and the
//! constants of one step they read ([`StepConsts`]).
//!
//! Each rule is written once, generically over the lane operations
//! ([`Ops`]), and applied unchanged to one `f32` by the
//! [scalar kernels](crate::kernels::backend::scalar) and to eight lanes by
//! every vector backend, so there is one definition of what is computed.
//! Where a rule is written in a cheaper form than the reference's literal
//! formula, the comment next to it proves that the bits are the same.

use super::contract::{SoftmaxPath, StepLanes};
use super::step::{StepInputs, THR_FLOOR};
use crate::kernels::lanes::Ops;

/// The largest subnormal f32: `p > MAX_SUBNORMAL` is `p >= f32::MIN_POSITIVE`.
pub(super) const MAX_SUBNORMAL: f32 = f32::from_bits(0x007f_ffff);

/// Flush-to-zero of one value, as the reference's compiled graph reads
/// and writes every arithmetic operand: a subnormal becomes a zero of the
/// same sign; every other value is kept bit for bit.
#[inline(always)]
pub(crate) fn flush<L: Ops>(x: L) -> L {
    x.flush_below(L::splat(f32::MIN_POSITIVE))
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
    /// least `2^-102` and the state passes [`plain_state`](super::plain_state). The plain path
    /// gives the same bits with fewer operations.
    pub plain: bool,
    /// Which of the reference's softmax codes the cell's shape runs.
    pub path: SoftmaxPath,
}

impl StepConsts {
    /// The constants of a step with `inputs` (the cell's parameters, the
    /// time and the step; see
    /// [`Params::step_inputs`](crate::Params::step_inputs)).
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
    /// `plain_state` says whether the state passes
    /// [`plain_state`](super::plain_state).
    pub(crate) fn new(inputs: StepInputs, plain_state: bool) -> Self {
        let StepInputs {
            resist_m,
            refract_time,
            thr_gain,
            t,
            dt,
            path,
        } = inputs;
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
            path,
        }
    }
}

/// The smallest `dt` of a plain step, `2^-102`: from there on no flush can
/// change `rfr + dt` (see [`timers_plain`]).
const PLAIN_DT_MIN: f32 = f32::from_bits(0x0c80_0000);

/// `x` with every NaN lane made the canonical `f32::NAN`. State written
/// by arithmetic passes through this, so that a NaN has the same bits on
/// every target (instruction sets disagree on the sign and payload of the
/// NaN that `inf * 0` or `inf - inf` creates).
#[inline(always)]
pub(crate) fn canonical_nan<L: Ops>(x: L) -> L {
    L::select(x.is_nan(), L::splat(f32::NAN), x)
}

/// `max(a, b)` that propagates NaN: `a` if `a > b` or `a` is NaN, else `b`.
#[inline(always)]
pub(crate) fn nan_max<L: Ops>(a: L, b: L) -> L {
    L::select(L::or(a.gt(b), a.is_nan()), a, b)
}

/// Rule 1's refractory test: a unit is awake (not refractory) where
/// `rfr >= awake_from`, the flushed comparison with `refract_time` (see
/// [`StepConsts::new`](super::StepConsts::new)).
#[inline(always)]
pub(crate) fn awake<L: Ops>(rfr: L, k: &StepLanes<L>) -> L::Mask {
    rfr.ge(k.awake_from)
}

/// Rules 1 and 2: `v = awake ? j * resist_m : +0.0`, flushed as the reference
/// flushes it (see [`StepConsts::new`](super::StepConsts::new)), NaN made
/// canonical; also the lanes where `v` is NaN.
///
/// Without `FLUSH` (allowed only where `volt_lim` is 0, `resist_m = ±1`)
/// the flush, which would keep every lane, is left out.
#[inline(always)]
pub(crate) fn voltage<L: Ops, const FLUSH: bool>(j: L, rfr: L, k: &StepLanes<L>) -> (L, L::Mask) {
    let v = voltage_any_nan::<L, FLUSH, false>(j, rfr, k);
    let nan = v.is_nan();
    (L::select(nan, L::splat(f32::NAN), v), nan)
}

/// [`voltage`] before its NaN is made canonical, for callers that find
/// the NaN lanes together with another comparison or after the row. With
/// `UNIT` (allowed only where `resist_m` is 1) the product `j * 1`, which
/// is `j` wherever it is not NaN, is left out.
#[inline(always)]
pub(crate) fn voltage_any_nan<L: Ops, const FLUSH: bool, const UNIT: bool>(
    j: L,
    rfr: L,
    k: &StepLanes<L>,
) -> L {
    let v = if UNIT { j } else { j.mul(k.resist_m) };
    let v = if FLUSH { v.flush_below(k.volt_lim) } else { v };
    L::select_or_zero(awake(rfr, k), v)
}

/// The row's one reciprocal: the reference computes `p = e * (1 / sum)`,
/// one division per row and a product per element. (With `sum >= 1`, as in
/// every row with a finite max, `1 / sum` is normal: nothing to flush.)
#[inline(always)]
pub(crate) fn reciprocal(sum: f32) -> f32 {
    1.0 / sum
}

/// One chunk of the spike rule, rule 4 with the reference's flushing:
/// fires where `flush(e * inv) > flush(thr)`, `inv` being the row's one
/// reciprocal `1 / sum`. Returns the mask and the spikes as `1.0` / `0.0`.
///
/// For a normal `thr`, flushing a subnormal probability cannot change the
/// comparison; for a zero or subnormal `thr` the rule is "the probability
/// is at least `f32::MIN_POSITIVE`", that is `p > MAX_SUBNORMAL`. So one
/// select on `thr` stands for both flushes.
#[inline(always)]
pub(crate) fn fire<L: Ops>(e: L, inv: L, thr: L) -> (L::Mask, L) {
    let tiny = L::splat(f32::MIN_POSITIVE).gt(thr.abs());
    fire_plain(e, inv, L::select(tiny, L::splat(MAX_SUBNORMAL), thr))
}

/// [`fire`] where no threshold is below `f32::MIN_POSITIVE` in magnitude:
/// then neither flush can change the comparison.
#[inline(always)]
pub(crate) fn fire_plain<L: Ops>(e: L, inv: L, thr: L) -> (L::Mask, L) {
    let fires = e.mul(inv).gt(thr);
    (fires, L::select(fires, L::splat(1.0), L::splat(0.0)))
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
///
/// [`StepConsts::plain`]: super::StepConsts::plain
#[inline(always)]
fn timers_plain<L: Ops>(s: L, rfr: L, tols: L, k: &StepLanes<L>) -> (L, L) {
    let (rfr, tols) = timers_plain_any_nan(s, rfr, tols, k);
    (canonical_nan(rfr), tols)
}

/// [`timers_plain`] before `rfr`'s NaN is made canonical, for callers that
/// make it canonical after the row.
#[inline(always)]
pub(crate) fn timers_plain_any_nan<L: Ops>(s: L, rfr: L, tols: L, k: &StepLanes<L>) -> (L, L) {
    let not_s = L::splat(1.0).sub(s);
    let rfr = rfr.add(k.dt).mul(not_s).add(s.mul(k.dt));
    let tols = not_s.mul(tols).add(s.mul(k.t));
    (rfr, tols)
}

/// [`timers_plain`] of a unit that does not spike (`s = 0`): `rfr` is
/// `(rfr + dt) * 1 + 0 * dt`, which is `rfr + dt` (never `-0.0` with
/// `dt > 0`, and a NaN only from a canonical one, which stays canonical:
/// see [`plain_state`](super::plain_state)), and `tols` is
/// `1 * tols + 0 * t`, which is `tols` itself in a plain state (no `-0.0`,
/// no NaN but the canonical one): nothing to write.
#[inline(always)]
pub(crate) fn rfr_silent<L: Ops>(rfr: L, k: &StepLanes<L>) -> L {
    rfr.add(k.dt)
}

/// [`timers_plain`] of one unit as branches, for cores where every
/// arithmetic operation is a call (no FPU): `Some(rfr, tols)` to write
/// where the unit spikes, `None` where it does not ([`rfr_silent`] then
/// gives `rfr`, and `tols` is kept). Where it spikes, `(rfr + dt) * 0 + dt`
/// is `dt`, or NaN where `rfr + dt` is not finite, and `0 * tols + t` is
/// computed as written.
#[inline(always)]
pub(crate) fn timers_plain_fired(rfr_plus_dt: f32, tols: f32, k: &StepLanes<f32>) -> (f32, f32) {
    let rfr = if rfr_plus_dt.is_finite() {
        k.dt
    } else {
        f32::NAN
    };
    (rfr, 0.0 * tols + k.t)
}

/// Rules 4, 6 and 7 on one chunk: the spikes, the refractory timers and the
/// times of last spike. With `PLAIN` (allowed only for a plain step, see
/// [`StepConsts::plain`]), thresholds are known not to be tiny, so the
/// spike rule is the plain `e * inv > thr`, and the timers skip their
/// flushes; the bits are the same.
#[inline(always)]
pub(crate) fn spike_rules<L: Ops, const PLAIN: bool>(
    e: L,
    inv: L,
    thr: L,
    rfr: L,
    tols: L,
    k: &StepLanes<L>,
) -> (L, L, L) {
    if PLAIN {
        let (_, s) = fire_plain(e, inv, thr);
        let (rfr, tols) = timers_plain(s, rfr, tols, k);
        (s, rfr, tols)
    } else {
        let (_, s) = fire(e, inv, thr);
        let (rfr, tols) = timers(s, rfr, tols, k);
        (s, rfr, tols)
    }
}

/// Rule 5's change of every threshold of a row: `(count - 1) * thr_gain`.
///
/// One product, rounded, as the reference computes it. No flush is needed:
/// `count - 1` is a whole number, so the product is zero or at least
/// `|thr_gain|` (flushed once per step).
#[inline(always)]
pub(crate) fn threshold_delta(count: f32, thr_gain: f32) -> f32 {
    (count - 1.0) * thr_gain
}

/// Rule 5: `thr = max(thr + delta, 0.025)`, the reference's
/// NaN-propagating floor, the NaN made canonical. A sum that a flush could
/// change is far below the floor. The sum is NaN where a threshold is
/// already NaN, or as `inf - inf`; the NaN stays, as in the reference (the
/// unit never fires again).
#[inline(always)]
pub(crate) fn threshold<L: Ops>(thr: L, delta: L) -> L {
    let x = thr.add(delta);
    L::select(x.is_nan(), L::splat(f32::NAN), threshold_any_nan_of(x))
}

/// [`threshold`] before its NaN is made canonical: `0.025 > x ? 0.025 : x`.
/// Where `x` is not NaN both forms give the larger of the two (equal values
/// have equal bits, the floor being a nonzero normal number), and a NaN
/// `x` passes through as it is.
#[inline(always)]
pub(crate) fn threshold_any_nan<L: Ops>(thr: L, delta: L) -> L {
    threshold_any_nan_of(thr.add(delta))
}

/// The floor of [`threshold_any_nan`], on the sum.
#[inline(always)]
fn threshold_any_nan_of<L: Ops>(x: L) -> L {
    L::splat(THR_FLOOR).max_gt(x)
}
