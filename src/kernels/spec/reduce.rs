//! The fixed reduction tree: eight lane accumulators combined in one order,
//! `(0,4) (1,5) (2,6) (3,7)`, then `(0,2) (1,3)`, then `(0,1)`. Every
//! backend reduces through these functions, so sums and maxima have the
//! same bits everywhere.

use super::rules::nan_max;
use crate::kernels::backend::LANES;

/// `f` over the eight lanes, in the tree's order.
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
