//! The contract between the cell and the kernels: one row of state, and the
//! constants of one step, derived once from the parameters, `t` and `dt`.

use super::rules::{MAX_SUBNORMAL, flush};
use crate::kernels::lanes::{LANES, Ops};

/// One batch row of state. All slices have the same length.
pub(crate) struct Row<'a> {
    pub j: &'a [f32],
    pub v: &'a mut [f32],
    pub s: &'a mut [f32],
    pub thr: &'a mut [f32],
    pub rfr: &'a mut [f32],
    pub tols: &'a mut [f32],
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
    /// Which of the reference's softmax codes the cell's shape runs.
    pub path: SoftmaxPath,
}

/// Which of its two softmax codes the reference runs for a shape
/// (jax/jaxlib 0.10.2 on x86-64): XLA's own code below 4,096 elements
/// (`batch × n`), YNNPACK's kernels from there on. Their `exp` and row-sum
/// order differ, and near a tie so do the spikes; a cell picks its path
/// once, from its shape ([`Params::softmax_path`](crate::Params::softmax_path)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum SoftmaxPath {
    /// Fewer than 4,096 elements: Cephes' `exp` as XLA emits it, the row
    /// summed left to right up to 32 values and in windows of 32 beyond.
    Inline,
    /// 4,096 elements or more: YNNPACK's `exp` and its 16-lane,
    /// Kahan-compensated row sum.
    Ynnpack,
}

impl SoftmaxPath {
    /// The smallest `batch × n` the reference hands to YNNPACK.
    pub const YNNPACK_FROM: usize = 4096;

    /// The path of a `batch × n` softmax.
    pub const fn for_shape(batch: usize, n: usize) -> SoftmaxPath {
        match batch.checked_mul(n) {
            Some(len) if len < Self::YNNPACK_FROM => SoftmaxPath::Inline,
            _ => SoftmaxPath::Ynnpack,
        }
    }
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
        path: SoftmaxPath,
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
            path,
        }
    }
}

/// The smallest `dt` of a plain step, `2^-102`: from there on no flush can
/// change `rfr + dt` (see [`timers_plain`]).
const PLAIN_DT_MIN: f32 = f32::from_bits(0x0c80_0000);

/// [`StepConsts`] splatted into lanes.
#[derive(Clone, Copy)]
pub(crate) struct StepLanes<L> {
    pub(crate) resist_m: L,
    pub(crate) volt_lim: L,
    pub(crate) awake_from: L,
    pub(crate) t: L,
    pub(crate) dt: L,
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

/// Whether a state allows a plain step (see [`StepConsts::plain`]): every
/// threshold at least `f32::MIN_POSITIVE` in magnitude or the canonical
/// NaN; every NaN in `rfr` the canonical one; and every `tols` finite and
/// not subnormal, or the canonical NaN, and none `-0.0`.
///
/// A step keeps its own output passing: the floor keeps every threshold
/// at least 0.025 (or the canonical NaN), every NaN written is canonical,
/// and a `tols` becomes `-0.0` only from a time `t` that flushes to
/// `-0.0`, after which the cell checks again. So only state handed in can
/// fail, and it is checked once.
///
/// The conditions on NaNs and on `-0.0` go beyond what [`timers_plain`]
/// needs; they are for the scalar kernels, where they save work on
/// every element:
/// - a canonical NaN stays canonical through `+ dt` or `+ delta` on every
///   target (each either returns a quiet NaN operand as it is or returns
///   the canonical NaN), so a silent unit's `rfr + dt` and a threshold's
///   `thr + delta` need no NaN test;
/// - `1 * tols + 0 * t` is `tols` itself (adding a zero changes only a
///   `-0.0`, to `+0.0`), so a silent unit's `tols` is not even rewritten.
///
/// [`timers_plain`]: super::rules
pub(crate) fn plain_state(thr: &[f32], rfr: &[f32], tols: &[f32]) -> bool {
    let thr_ok = |x: &f32| x.abs() >= f32::MIN_POSITIVE || x.to_bits() == f32::NAN.to_bits();
    let rfr_ok = |x: &f32| !x.is_nan() || x.to_bits() == f32::NAN.to_bits();
    let tols_ok = |x: &f32| x.is_normal() || x.to_bits() == 0 || x.to_bits() == f32::NAN.to_bits();
    thr.iter().all(thr_ok) && rfr.iter().all(rfr_ok) && tols.iter().all(tols_ok)
}

/// The building blocks a backend provides, one entry each: the one table
/// that [`Backend`](crate::kernels::Backend) dispatches through. Lengths
/// are checked before any entry is called.
#[derive(Clone, Copy)]
pub(crate) struct Kernels {
    /// NaN-propagating maximum of a row; `-inf` for an empty row.
    pub row_max: fn(&[f32]) -> f32,
    /// The reference's `exp` on eight lanes.
    pub exp: fn([f32; LANES]) -> [f32; LANES],
    /// `out = exp(x - max)` with `path`'s `exp`; returns the row sum in
    /// `path`'s order. Lengths equal.
    pub exp_sum: fn(&[f32], f32, &mut [f32], SoftmaxPath) -> f32,
    /// `e_then_s = (e * inv > thr) ? 1 : 0` in place; returns the spike
    /// count. Lengths equal.
    pub spike_mask: fn(&mut [f32], f32, &[f32]) -> f32,
    /// `x = flush(x * inv)` in place, NaN made canonical.
    pub scale_in_place: fn(&mut [f32], f32),
    /// Advances one batch row by one step.
    pub step_row: fn(Row<'_>, &StepConsts),
}
