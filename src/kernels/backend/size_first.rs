//! The size-first step (feature `size-first`): one element at a time, one
//! short loop per pass, no unrolling and no second version of any pass,
//! for parts whose flash is scarcer than their cycles.
//!
//! With the feature, it is what
//! [`Backend::Scalar`](crate::kernels::Backend::Scalar) runs, and on
//! targets without SIMD registers every backend. It links none of the
//! scalar kernels ([`scalar`](super::scalar)), which stay the default: it
//! is less code than they are, and takes more instructions per step.
//!
//! Every element goes through the rules of `spec/rules.rs` in their
//! general form (every flush, every NaN made canonical), which have the
//! bits of the specification's literal step ([`spec::step_row`], the
//! oracle it is tested against). The row sums add in the specification's
//! order without its state: XLA's windows of 32 as a recursion over the
//! levels ([`windowed_sum`]), YNNPACK's 16 lanes one lane at a time
//! ([`ynn_sum`]).
//!
//! [`spec::step_row`]: crate::kernels::spec::step_row

#![forbid(unsafe_code)]

use crate::kernels::lanes::{add, sub};
use crate::kernels::spec::{
    Row, SoftmaxPath, StepConsts, StepLanes, WINDOW, exp, nan_max, reciprocal, spike_rules,
    threshold, threshold_delta, voltage, ynn,
};

/// Advances one batch row by one step, with the bits of the
/// specification's step on the inputs the constants were derived from.
#[inline(never)]
pub(crate) fn step_row(mut row: Row<'_>, k: &StepConsts) {
    let lanes = StepLanes::<f32>::new(k);
    // Rules 1 and 2: voltages and their NaN-propagating max, the
    // specification's running max in its order.
    let mut max = f32::NEG_INFINITY;
    for ((v, &j), &rfr) in row.v.iter_mut().zip(row.j).zip(&*row.rfr) {
        *v = voltage::<f32, true>(j, rfr, &lanes).0;
        max = nan_max(max, *v);
    }
    // Rule 3: the exponentials, parked in `s`, and the row's reciprocal.
    exp_pass(row.v, max, row.s, k.path);
    let inv = reciprocal(row_sum(row.s, k.path));
    let count = spike_pass(&mut row, inv, k);
    // Rule 5. (`count as f32` as in the specification: exact up to 2^24.)
    #[allow(clippy::cast_precision_loss)]
    let delta = threshold_delta(count as f32, k.thr_gain);
    for thr in row.thr.iter_mut() {
        *thr = threshold(*thr, delta);
    }
}

/// Rules 4, 6 and 7, in their general form; returns the spike count. (A
/// function of its own, so that no float of the step lives across a
/// call, in a callee-saved register.)
#[inline(never)]
fn spike_pass(row: &mut Row<'_>, inv: f32, k: &StepConsts) -> usize {
    let lanes = StepLanes::<f32>::new(k);
    let mut count: usize = 0;
    let units = row.s.iter_mut().zip(&*row.thr).zip(&mut *row.rfr);
    for (((s, &thr), rfr), tols) in units.zip(&mut *row.tols) {
        (*s, *rfr, *tols) = spike_rules::<f32, false>(*s, inv, thr, *rfr, *tols, &lanes);
        count += usize::from(*s == 1.0);
    }
    count
}

/// `out = exp(v - max)` with the path's `exp`, in its form for inputs in
/// [−inf, 0]. Every `v - max` is there or NaN (`max` is at least every
/// `v`), and a NaN input gives a NaN there too, which makes the row sum
/// NaN and no unit spike, as any NaN does in the specification; the
/// exponentials themselves are not kept. The difference is not flushed:
/// where a flush could change it, it is below 2^-24 in magnitude either
/// way, and both `exp`s give 1 there, as for a zero.
#[inline(never)]
fn exp_pass(v: &[f32], max: f32, out: &mut [f32], path: SoftmaxPath) {
    for (e, &v) in out.iter_mut().zip(v) {
        *e = exp_one(sub(v, max), path);
    }
}

/// One `exp` of the pass, out of line: the constants are loaded per call,
/// in caller-saved registers, instead of held across the row in
/// callee-saved ones.
#[inline(never)]
fn exp_one(x: f32, path: SoftmaxPath) -> f32 {
    match path {
        SoftmaxPath::Inline => exp::exp_nonpositive(x),
        SoftmaxPath::Ynnpack => ynn::exp_nonpositive(x),
    }
}

/// The sum of the exponentials in the order of the path's code.
fn row_sum(e: &[f32], path: SoftmaxPath) -> f32 {
    match path {
        SoftmaxPath::Inline => windowed_sum(e),
        SoftmaxPath::Ynnpack => ynn_sum(e),
    }
}

/// XLA's row sum (`spec/reduce.rs`): items of level 0 are the elements;
/// item `i` of level `l + 1` is the left-to-right sum of window `i` of
/// level `l`'s items, in windows of 32 with `front(l)` zeros padded in
/// front; the sum is the left-to-right sum of the first level with at most
/// 32 items. The padding zeros are not added: every exponential is `+0.0`
/// or more, or NaN, so a zero added changes no sum.
pub(crate) fn windowed_sum(e: &[f32]) -> f32 {
    let (mut top, mut items) = (0, e.len());
    while items > WINDOW {
        (top, items) = (top + 1, items.div_ceil(WINDOW));
    }
    items_sum(e, top, 0, items)
}

/// The number of items of `level` for a row of `len` elements.
fn count(len: usize, level: u32) -> usize {
    (0..level).fold(len, |c, _| c.div_ceil(WINDOW))
}

/// `((0 + item lo) + item lo+1) + ... + item hi-1` of `level`, each item
/// above level 0 computed on demand: a recursion as deep as the levels,
/// with no state.
fn items_sum(e: &[f32], level: u32, lo: usize, hi: usize) -> f32 {
    let mut acc = 0.0;
    for i in lo..hi {
        let item = if level == 0 {
            e.get(i).copied().unwrap_or(0.0)
        } else {
            // Window `i` over the items of the level below.
            let below = count(e.len(), level - 1);
            let front = (WINDOW - below % WINDOW) % WINDOW / 2;
            let start = (WINDOW * i).saturating_sub(front);
            let end = (WINDOW * i + WINDOW - front).min(below);
            items_sum(e, level - 1, start, end)
        };
        acc = add(acc, item);
    }
    acc
}

/// The longest slice YNNPACK sums in one kernel call.
const SLICE: usize = 32_768;

/// YNNPACK's row sum (`spec/ynn.rs`): rows of up to 32,768 elements by one
/// `sum_float_k1`, longer ones slice by slice, the slices' sums then by
/// one `sum_float_k1` over them.
pub(crate) fn ynn_sum(e: &[f32]) -> f32 {
    k1(e, e.len() > SLICE)
}

/// `sum_float_k1` over the elements of `e`, or with `slices` over the sums
/// of its slices of 32,768: the 16 lanes' totals ([`lane`]) folded as the
/// kernel folds them, `v[i] + v[i + 8]` then the eight-lane tree
/// `(i, i + 4)`, `(i, i + 2)`, `(0, 1)`; as a recursion, `fold(l, w)` is
/// `fold(l, 2w) + fold(l + w, 2w)`, and `fold(l, 16)` is lane `l`.
fn k1(e: &[f32], slices: bool) -> f32 {
    fold(e, slices, 0, 1)
}

/// The fold of the lanes `l, l + w, l + 2w, ...` (see [`k1`]).
fn fold(e: &[f32], slices: bool, l: usize, w: usize) -> f32 {
    if w == 16 {
        return lane(e, slices, l);
    }
    add(fold(e, slices, l, 2 * w), fold(e, slices, l + w, 2 * w))
}

/// Item `i` of a `sum_float_k1` call: an element, or a slice's sum.
#[inline]
fn item(e: &[f32], slices: bool, i: usize) -> f32 {
    if slices {
        let lo = i * SLICE;
        e.get(lo..e.len().min(lo + SLICE))
            .map_or(0.0, |s| k1(s, false))
    } else {
        e.get(i).copied().unwrap_or(0.0)
    }
}

/// The total of lane `l` (items `l`, `l + 16`, ...) in `sum_float_k1`:
///
/// - a block is 64 items, four 16-lane vectors: the lane's four items
///   added left to right, from zero;
/// - groups of four blocks (`((b0 + b1) + b2) + b3`, from zero) are added
///   to `acc1` while 256 items are left; every 1,024 items `acc1` goes
///   into `acc2` with Kahan's compensation (`err`, reset where not
///   finite);
/// - then the lone blocks and the tail block (its items past the end
///   zeros, not added) are added to `acc1` one by one, with no
///   compensation step among them (at most three lone blocks: the block
///   count stays short of a multiple of 16);
/// - `acc1` goes into `acc2` once more.
#[inline(never)]
fn lane(e: &[f32], slices: bool, l: usize) -> f32 {
    let len = if slices {
        e.len().div_ceil(SLICE)
    } else {
        e.len()
    };
    let (mut acc1, mut acc2, mut err) = (0.0, 0.0, 0.0);
    let mut o = 0;
    while o < len {
        // A group of four blocks, or one block.
        let group = len - o >= 256;
        let end = o + if group { 256 } else { 64 };
        let (mut sum, mut block) = (0.0, 0.0);
        let mut i = o + l;
        while i < end {
            if i < len {
                block = add(block, item(e, slices, i));
            }
            i += 16;
            if (i - l).is_multiple_of(64) {
                // A lone block added to zero is itself: it is `+0.0` or
                // more, or NaN.
                (sum, block) = (add(sum, block), 0.0);
            }
        }
        acc1 = add(acc1, sum);
        o = end;
        if group && o.is_multiple_of(1024) {
            (acc2, err) = kahan(acc1, acc2, err);
            acc1 = 0.0;
        }
    }
    kahan(acc1, acc2, err).0
}

/// `acc1` into `acc2` with Kahan's compensation: the new `acc2` and `err`.
fn kahan(acc1: f32, acc2: f32, err: f32) -> (f32, f32) {
    let y = sub(acc1, err);
    let t = add(acc2, y);
    let d = sub(sub(t, acc2), y);
    (t, if d.is_finite() { d } else { 0.0 })
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    extern crate std;
    use super::{windowed_sum, ynn_sum};
    use crate::kernels::spec::test_values::wide;
    use crate::kernels::spec::{exp, reduce, ynn};
    use std::vec::Vec;

    /// `ours` and the specification's `spec` give the same bits on rows of
    /// every length in `lens`, of values seeded with `seed + len`.
    fn same_sums(lens: &[usize], seed: u32, ours: fn(&[f32]) -> f32, spec: fn(&[f32]) -> f32) {
        for &len in lens {
            let x = wide(len, seed + len as u32);
            assert_eq!(ours(&x).to_bits(), spec(&x).to_bits(), "len {len}");
        }
    }

    /// XLA's sum against the specification's, for every length to 1,100
    /// (one level of windows from 33, two from 1,025) and some with two
    /// and three levels.
    #[test]
    fn windowed_sum_is_the_specification() {
        let lens: Vec<usize> = (0..1100)
            .chain([2047, 4095, 32_767, 32_768, 32_769, 33_000, 70_001])
            .collect();
        same_sums(&lens, 7, windowed_sum, reduce::windowed_sum);
    }

    /// YNNPACK's sum against the specification's, around every boundary
    /// (blocks of 64, groups of 256, the Kahan step at 1,024, slices of
    /// 32,768), rows not multiples of 16 among them.
    #[test]
    fn ynn_sum_is_the_specification() {
        let mut lens: Vec<usize> = (0..1100).collect();
        for b in [1984, 2048, 4032, 4096, 5000, 32_768, 65_536] {
            lens.extend((b - 70..b + 70).step_by(7));
        }
        lens.extend([40_000, 70_000, 70_017]);
        same_sums(&lens, 3, ynn_sum, ynn::row_sum_scalar);
    }

    /// What the exp pass rests on: both `exp`s in their form for [−inf, 0]
    /// give a NaN for a NaN (a NaN row sum, as in the specification).
    #[test]
    fn nonpositive_exps_keep_a_nan() {
        for x in [f32::NAN, -f32::NAN, f32::from_bits(0x7fa0_0001)] {
            assert!(exp::exp_nonpositive(x).is_nan());
            assert!(ynn::exp_nonpositive(x).is_nan());
        }
    }
}
