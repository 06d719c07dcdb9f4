//! Initial thresholds.

use rand_core::{Rng, SeedableRng};

use crate::error::{BufferName, Error, check_len};
use crate::params::Params;

/// The generator behind the seeded shortcuts: xoshiro128++.
///
/// Its state is four `u32`s and each output costs a handful of 32-bit adds,
/// rotates and xors, which suits 32-bit microcontrollers without a 64-bit
/// ALU (unlike the xoshiro256 family); `++` is the all-purpose scrambler.
/// Seeding from a `u64` goes through SplitMix64, defined on integers only,
/// so a seed gives the same stream on every target.
pub type SeedRng = rand_xoshiro::Xoshiro128PlusPlus;

/// The generator [`Cell::new`](crate::Cell::new) uses.
pub fn seed_rng(seed: u64) -> SeedRng {
    SeedRng::seed_from_u64(seed)
}

/// Fills `threshold0` (one row of `n_units`) with
/// `thr_base + thr_jitter * (2u - 1)`, `u` uniform in `[0, 1)` with 24
/// random bits (`(next_u32 >> 8) / 2^24`), drawing one `u32` per unit.
///
/// `2u - 1` is exact, so the same generator state gives the same bits on
/// every target. The reference draws `U(-thr_jitter, thr_jitter)` from
/// JAX's generator instead, whose stream is not reproduced here: inject its
/// values with [`Cell::with_thresholds`](crate::Cell::with_thresholds) to replay it.
///
/// # Errors
/// [`Error::Length`] for [`BufferName::Threshold0`] if `threshold0.len()` is
/// not `n_units`; nothing is drawn.
///
/// ```
/// use wtas::{BufferName, Config, Error, draw_threshold0, seed_rng};
///
/// let params = Config::new(4).validate()?;
/// let mut thr0 = [0.0; 4];
/// draw_threshold0(&params, &mut seed_rng(7), &mut thr0)?;
/// assert!(thr0.iter().all(|t| (0.35..=0.45).contains(t)));
/// assert_eq!(
///     draw_threshold0(&params, &mut seed_rng(7), &mut [0.0; 5]),
///     Err(Error::Length { buffer: BufferName::Threshold0, expected: 4, found: 5 })
/// );
/// # Ok::<(), wtas::Error>(())
/// ```
pub fn draw_threshold0<R: Rng + ?Sized>(
    params: &Params,
    rng: &mut R,
    threshold0: &mut [f32],
) -> Result<(), Error> {
    check_len(BufferName::Threshold0, params.n_units(), threshold0.len())?;
    fill_threshold0(params, || rng.next_u32(), threshold0);
    Ok(())
}

/// The body of [`draw_threshold0`], over any source of `u32`s.
pub(crate) fn fill_threshold0(
    params: &Params,
    mut next_u32: impl FnMut() -> u32,
    threshold0: &mut [f32],
) {
    let (base, jitter) = (params.thr_base(), params.thr_jitter());
    for x in threshold0 {
        let u = (next_u32() >> 8) as f32 * (1.0 / 16_777_216.0);
        *x = base + jitter * (2.0 * u - 1.0);
    }
}

/// The stream of [`seed_rng`]`(seed)`, without going through `rand_core`'s
/// generic seeding: on a Cortex-M at `opt-level = "s"` that path keeps
/// out-of-line slice helpers with panic branches, which pull the panic and
/// formatting machinery (over 1 KiB) into firmware that calls
/// [`Cell::new`](crate::Cell::new). The test suite checks the
/// two streams against each other.
pub(crate) struct SeededStream([u32; 4]);

impl SeededStream {
    /// SplitMix64 twice, little-endian words, as `SeedableRng::seed_from_u64`
    /// and `from_seed` do (an all-zero state is replaced by the state of seed
    /// 0, which is `rand_xoshiro`'s fallback).
    pub(crate) fn new(seed: u64) -> Self {
        let (mut a, mut b) = Self::split_mix(seed);
        if a | b == 0 {
            (a, b) = Self::split_mix(0);
        }
        SeededStream([a as u32, (a >> 32) as u32, b as u32, (b >> 32) as u32])
    }

    /// The first two outputs of SplitMix64 seeded with `seed`.
    fn split_mix(seed: u64) -> (u64, u64) {
        let mut x = seed;
        let mut next = || {
            x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let z = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            let z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        };
        (next(), next())
    }

    /// xoshiro128++.
    pub(crate) fn next_u32(&mut self) -> u32 {
        let [s0, s1, s2, s3] = self.0;
        let out = s0.wrapping_add(s3).rotate_left(7).wrapping_add(s0);
        let s2 = s2 ^ s0;
        let s3 = s3 ^ s1;
        self.0 = [s0 ^ s3, s1 ^ s2, s2 ^ (s1 << 9), s3.rotate_left(11)];
        out
    }
}
