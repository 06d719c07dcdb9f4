//! The contract between the cell and the kernels: one row of state, the
//! shape's softmax code, and the table of building blocks every backend
//! provides.

use super::rules::StepConsts;
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
