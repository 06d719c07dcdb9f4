//! Initial thresholds.

use rand_core::{Rng, SeedableRng};

use crate::error::{Buffer, Error, check_len};
use crate::params::Params;

/// The generator behind the seeded shortcuts: xoshiro128++.
///
/// Its state is four `u32`s and each output costs a handful of 32-bit adds,
/// rotates and xors, which suits 32-bit microcontrollers without a 64-bit
/// ALU (unlike the xoshiro256 family); `++` is the all-purpose scrambler.
/// Seeding from a `u64` goes through SplitMix64, defined on integers only,
/// so a seed gives the same stream on every target.
pub type SeedRng = rand_xoshiro::Xoshiro128PlusPlus;

/// The generator [`Cell::new_seeded`](crate::Cell::new_seeded) uses.
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
/// values with [`Cell::new`](crate::Cell::new) to replay it.
///
/// # Errors
/// [`Error::Length`] for [`Buffer::Threshold0`] if `threshold0.len()` is
/// not `n_units`; nothing is drawn.
pub fn draw_threshold0<R: Rng + ?Sized>(
    params: &Params,
    rng: &mut R,
    threshold0: &mut [f32],
) -> Result<(), Error> {
    check_len(Buffer::Threshold0, params.n_units(), threshold0.len())?;
    let (base, jitter) = (params.thr_base(), params.thr_jitter());
    for x in threshold0 {
        let u = (rng.next_u32() >> 8) as f32 * (1.0 / 16_777_216.0);
        *x = base + jitter * (2.0 * u - 1.0);
    }
    Ok(())
}
