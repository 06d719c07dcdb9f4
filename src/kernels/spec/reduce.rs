//! The fixed reduction tree: eight lane accumulators combined in one order,
//! `(0,4) (1,5) (2,6) (3,7)`, then `(0,2) (1,3)`, then `(0,1)`. Every
//! backend reduces through these functions, so sums and maxima have the
//! same bits everywhere.

use super::rules::nan_max;
use crate::kernels::lanes::{LANES, add};

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

/// The width of the reference's summation windows.
pub(crate) const WINDOW: usize = 32;

/// The most levels of windows any row can have (`32^13 > 2^64`).
const MAX_LEVELS: usize = 13;

/// The sum of a row's exponentials in the reference's order, for rows of
/// `batch * n < 4096` elements (where XLA's CPU compiler emits the row
/// sum inline):
///
/// - at most 32 values are added left to right, starting from `+0.0`;
/// - more are padded with zeros to a multiple of 32, the padding split
///   between both ends (`floor(pad / 2)` in front), summed in windows of
///   32 (each left to right), and the window sums are summed the same way,
///   again in windows while there are more than 32 of them.
///
/// The padding zeros change no sum (every term is `+0.0` or more, or NaN),
/// so a window is the left-to-right sum of its real elements. The windows
/// are summed eight at a time, as eight independent chains, and each
/// window sum goes up the levels as soon as it is complete: no storage
/// beyond a few words per level.
pub(crate) fn windowed_sum(x: &[f32]) -> f32 {
    windowed_sum_by::<OneByOne>(x)
}

/// How eight full windows are summed, each left to right: one element at
/// a time ([`OneByOne`]), or in lanes (a vector backend transposes them).
pub(crate) trait EightWindows {
    /// The left-to-right sums of eight windows.
    fn eight_windows(group: &[[f32; WINDOW]; 8]) -> [f32; 8];
}

/// Eight windows as eight interleaved scalar chains ([`eight_windows`]).
pub(crate) struct OneByOne;

impl EightWindows for OneByOne {
    #[inline(always)]
    fn eight_windows(group: &[[f32; WINDOW]; 8]) -> [f32; 8] {
        eight_windows(group)
    }
}

/// [`windowed_sum`], with `E` summing eight full windows at a time. (A
/// type, not a closure: a closure may be compiled out of line, without the
/// caller's target features.)
#[inline(always)]
pub(crate) fn windowed_sum_by<E: EightWindows>(x: &[f32]) -> f32 {
    if x.len() <= WINDOW {
        return left_to_right(x);
    }
    if x.len() <= WINDOW * WINDOW {
        // One level of windows: their sums, left to right, are the sum.
        let mut total = 0.0;
        each_window::<E>(x, |sum| total = add(total, sum));
        return total;
    }
    let mut levels = Levels::new(x.len());
    each_window::<E>(x, |sum| levels.push(1, sum));
    levels.finish()
}

/// Calls `f` with the sum of each window of 32 (the first and last
/// shortened by the padding), in order.
#[inline(always)]
fn each_window<E: EightWindows>(x: &[f32], mut f: impl FnMut(f32)) {
    let (first, rest) = x.split_at(WINDOW - front_pad(x.len()));
    f(left_to_right(first));
    let (full, last) = rest.as_chunks::<WINDOW>();
    let (groups, singles) = full.as_chunks::<8>();
    for group in groups {
        for sum in E::eight_windows(group) {
            f(sum);
        }
    }
    for window in singles {
        f(left_to_right(window));
    }
    if !last.is_empty() {
        f(left_to_right(last));
    }
}

/// `((0 + x0) + x1) + ...`.
#[inline(always)]
fn left_to_right(x: &[f32]) -> f32 {
    x.iter().fold(0.0, |acc, &v| add(acc, v))
}

/// Eight windows summed left to right, interleaved: eight independent
/// dependency chains instead of one.
#[inline(always)]
fn eight_windows(group: &[[f32; WINDOW]; 8]) -> [f32; 8] {
    let mut acc = [0.0_f32; 8];
    for i in 0..WINDOW {
        for (a, w) in acc.iter_mut().zip(group) {
            if let Some(&v) = w.get(i) {
                *a = add(*a, v);
            }
        }
    }
    acc
}

/// The zeros padded in front of `len` items: half the padding to a
/// multiple of 32, rounded down.
#[inline(always)]
fn front_pad(len: usize) -> usize {
    ((WINDOW - len % WINDOW) % WINDOW) / 2
}

/// The window sums above the first level, accumulated as they arrive.
struct Levels {
    /// The level whose items are summed left to right (at most 32 of them).
    top: usize,
    /// Per level `k` (from 1): the front padding of its items' windows,
    /// the open window's sum, and how many items have arrived.
    front: [usize; MAX_LEVELS],
    open: [f32; MAX_LEVELS],
    arrived: [usize; MAX_LEVELS],
    /// The left-to-right sum of the top level's items.
    total: f32,
}

impl Levels {
    fn new(len: usize) -> Self {
        let mut levels = Levels {
            top: 0,
            front: [0; MAX_LEVELS],
            open: [0.0; MAX_LEVELS],
            arrived: [0; MAX_LEVELS],
            total: 0.0,
        };
        let mut count = len;
        while count > WINDOW {
            count = count.div_ceil(WINDOW);
            levels.top += 1;
            if let Some(f) = levels.front.get_mut(levels.top) {
                *f = front_pad(count);
            }
        }
        levels
    }

    /// Item `value` of level `k` (a window sum of level `k - 1`), in order.
    fn push(&mut self, k: usize, value: f32) {
        if k >= self.top {
            self.total = add(self.total, value);
            return;
        }
        let (Some(front), Some(arrived)) =
            (self.front.get(k).copied(), self.arrived.get(k).copied())
        else {
            return;
        };
        if arrived > 0 && (arrived + front) % WINDOW == 0 {
            let done = self.open.get(k).copied().unwrap_or(0.0);
            self.push(k + 1, done);
            if let Some(o) = self.open.get_mut(k) {
                *o = 0.0;
            }
        }
        if let Some(o) = self.open.get_mut(k) {
            *o = add(*o, value);
        }
        if let Some(a) = self.arrived.get_mut(k) {
            *a += 1;
        }
    }

    /// Closes the open windows, lowest level first, and returns the sum.
    fn finish(&mut self) -> f32 {
        for k in 1..self.top {
            let done = self.open.get(k).copied().unwrap_or(0.0);
            self.push(k + 1, done);
        }
        self.total
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::{WINDOW, windowed_sum};
    extern crate std;
    use std::vec::Vec;

    /// The definition, literally: item `j` of `level` is element `j` (level
    /// 0) or the left-to-right sum of window `j` over the level below,
    /// zeros padded `floor(pad / 2)` in front.
    fn item(x: &[f32], level: u32, j: usize) -> f32 {
        if level == 0 {
            return x[j];
        }
        let below = (0..level - 1).fold(x.len(), |c, _| c.div_ceil(WINDOW));
        let front = ((WINDOW - below % WINDOW) % WINDOW) / 2;
        let (lo, hi) = (
            (WINDOW * j).saturating_sub(front),
            (WINDOW * j + WINDOW - front).min(below),
        );
        (lo..hi).fold(0.0, |acc, i| acc + item(x, level - 1, i))
    }

    fn definition(x: &[f32]) -> f32 {
        let (mut levels, mut count) = (0, x.len());
        while count > WINDOW {
            count = count.div_ceil(WINDOW);
            levels += 1;
        }
        (0..count).fold(0.0, |acc, j| acc + item(x, levels, j))
    }

    /// Every length up to 3,000 and some up to 70,000 (three levels), on
    /// values whose sums round differently in every order.
    #[test]
    fn streaming_sum_is_the_definition() {
        let mut state = 0x2545_f491_u32;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            f32::from_bits(0x3f00_0000 | (state >> 9)) - 0.5 + (state & 7) as f32 * 1e-3
        };
        let lens = (0..3000).chain([32_767, 32_768, 32_769, 33_000, 65_536, 66_000, 70_001]);
        for len in lens {
            let x: Vec<f32> = (0..len).map(|_| next()).collect();
            assert_eq!(
                windowed_sum(&x).to_bits(),
                definition(&x).to_bits(),
                "len {len}"
            );
        }
    }
}
