//! A cell's six buffers where one slice and `Buffers::from_slice` do not
//! fit: buffers of different lengths, or each in its own allocation between
//! guard values that show a write out of bounds.

#![allow(dead_code)]

use wtas::Buffers;

/// Six separate slices as a cell's buffers, in the order j, v, s, thr,
/// rfr, tols.
pub fn separate<'a>([j, v, s, thr, rfr, tols]: [&'a mut [f32]; 6]) -> Buffers<'a> {
    Buffers {
        j,
        v,
        s,
        thr,
        rfr,
        tols,
    }
}

/// Guard values on each side of every buffer in a [`Guarded`].
pub const GUARD: usize = 16;

/// The bits of guard value `i` (counted over both sides) of buffer `k`: a
/// signalling-NaN pattern that names its place and no rule of the crate can
/// produce.
pub fn sentinel(k: usize, i: usize) -> u32 {
    0xffa0_0000 | ((k as u32) << 12) | i as u32
}

/// Six buffers, each in its own allocation between [`GUARD`] sentinel
/// values on either side.
pub struct Guarded {
    arenas: [Vec<f32>; 6],
}

impl Guarded {
    /// Buffers of `lens` values; value `i` of buffer `k` is `init(k, i)`.
    pub fn new(lens: [usize; 6], mut init: impl FnMut(usize, usize) -> f32) -> Self {
        let arenas = std::array::from_fn(|k| {
            let guard = |i| f32::from_bits(sentinel(k, i));
            (0..GUARD)
                .map(guard)
                .chain((0..lens[k]).map(|i| init(k, i)))
                .chain((GUARD..2 * GUARD).map(guard))
                .collect()
        });
        Guarded { arenas }
    }

    /// Every allocation, guards included, as bit patterns.
    pub fn bits(&self) -> [Vec<u32>; 6] {
        self.arenas
            .each_ref()
            .map(|a| a.iter().map(|x| x.to_bits()).collect())
    }

    /// The six buffers, and the guards around them.
    pub fn carve(&mut self) -> (Buffers<'_>, Guards<'_>) {
        let mut guards = Vec::with_capacity(6);
        let mut slices = Vec::with_capacity(6);
        for a in &mut self.arenas {
            let len = a.len() - 2 * GUARD;
            let (lo, rest) = a.split_at_mut(GUARD);
            let (mid, hi) = rest.split_at_mut(len);
            guards.push((&*lo, &*hi));
            slices.push(mid);
        }
        let slices: [&mut [f32]; 6] = slices.try_into().unwrap();
        (separate(slices), Guards(guards))
    }
}

/// The guard values of a carved [`Guarded`].
pub struct Guards<'a>(Vec<(&'a [f32], &'a [f32])>);

impl Guards<'_> {
    /// Panics if any guard value was overwritten.
    pub fn check(&self) {
        for (k, (lo, hi)) in self.0.iter().enumerate() {
            for (i, x) in lo.iter().chain(hi.iter()).enumerate() {
                assert_eq!(
                    x.to_bits(),
                    sentinel(k, i),
                    "guard {i} of buffer {k} overwritten"
                );
            }
        }
    }
}
