//! The cell: [`Cell`], its dynamics written once over any
//! [`StateStorage`] (borrowed [`Buffers`], [`Storage`], [`HeapStorage`]).
#![forbid(unsafe_code)]

mod clock;
#[cfg(feature = "serde")]
mod snapshot;
mod storage;
mod threshold;

pub use clock::Clock;
#[cfg(all(feature = "serde", feature = "std"))]
pub use snapshot::OwnedSnapshot;
#[cfg(feature = "serde")]
pub use snapshot::Snapshot;
#[cfg(feature = "std")]
pub use storage::HeapStorage;
pub use storage::{StateStorage, Storage};
pub use threshold::{SeedRng, draw_threshold0, seed_rng};
use threshold::{SeededStream, fill_threshold0};

use crate::error::{BufferName, Error, check_len};
use crate::kernels::Backend;
use crate::kernels::spec::{Row, StepConsts, plain_state};
use crate::params::Params;

/// The six state buffers of a cell, each `batch_size × n_units` values,
/// row-major (row `b` holds units `b * n_units .. (b + 1) * n_units`).
///
/// The caller owns them; a [`Cell`] borrows them for as long as it lives.
///
/// Any placement gives the same results. For full speed on CPUs with
/// 256-bit vectors, start each buffer on a 32-byte boundary and, with
/// several rows, make `n_units` a multiple of 8, so that every row starts
/// on one too: a vector load or store that straddles a cache line costs
/// extra (`Vec<f32>` typically gets only 16-byte alignment from the system
/// allocator). [`Storage`](crate::Storage) is aligned this way.
///
/// `Debug` prints each buffer's length, not its values.
pub struct Buffers<'a> {
    /// Input current, written by the caller before each step.
    pub j: &'a mut [f32],
    /// Membrane voltage after the last step.
    pub v: &'a mut [f32],
    /// Spikes of the last step: exactly `0.0` or `1.0`.
    pub s: &'a mut [f32],
    /// Adaptive thresholds, per row and unit.
    pub thr: &'a mut [f32],
    /// Refractory timers: time since each unit's last spike, plus one `dt`.
    pub rfr: &'a mut [f32],
    /// Time of each unit's last spike.
    pub tols: &'a mut [f32],
}

impl core::fmt::Debug for Buffers<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Buffers")
            .field("j_len", &self.j.len())
            .field("v_len", &self.v.len())
            .field("s_len", &self.s.len())
            .field("thr_len", &self.thr.len())
            .field("rfr_len", &self.rfr.len())
            .field("tols_len", &self.tols.len())
            .finish()
    }
}

impl<'a> Buffers<'a> {
    /// The six buffers, each `len` values, carved out of one slice of
    /// `6 × len` values in the order `j`, `v`, `s`, `thr`, `rfr`, `tols`.
    ///
    /// ```
    /// use wtas::{Buffers, Cell, Config};
    ///
    /// let params = Config { batch_size: 2, ..Config::new(8) }.validate()?;
    /// let mut mem = [0.0_f32; 6 * 16];
    /// let cell = Cell::new(params, Buffers::from_slice(&mut mem, params.len())?, 42)?;
    /// assert_eq!(cell.thr().len(), 16);
    ///
    /// // A slice of the wrong length is refused, naming what it should hold.
    /// let mut short = [0.0_f32; 10];
    /// assert_eq!(
    ///     Buffers::from_slice(&mut short, 2).unwrap_err(),
    ///     wtas::Error::Length { buffer: wtas::BufferName::All, expected: 12, found: 10 },
    /// );
    /// # Ok::<(), wtas::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Length`] for [`BufferName::All`] if `mem` does not hold exactly
    /// `6 × len` values; [`Error::Size`] if that product overflows.
    pub fn from_slice(mem: &'a mut [f32], len: usize) -> Result<Self, Error> {
        let total = len.checked_mul(6).ok_or(Error::Size)?;
        check_len(BufferName::All, total, mem.len())?;
        let mut rest = mem;
        let mut next = || {
            let (head, tail) = core::mem::take(&mut rest).split_at_mut_checked(len)?;
            rest = tail;
            Some(head)
        };
        match (next(), next(), next(), next(), next(), next()) {
            (Some(j), Some(v), Some(s), Some(thr), Some(rfr), Some(tols)) => Ok(Buffers {
                j,
                v,
                s,
                thr,
                rfr,
                tols,
            }),
            // The length was checked: every split succeeds.
            _ => Err(Error::Size),
        }
    }
}

/// The units of row `row` whose spike in `s` is `1.0`; `None` for a row
/// past the last.
fn winners(s: &[f32], n_units: usize, row: usize) -> Option<impl Iterator<Item = usize> + '_> {
    let r = s.chunks_exact(n_units.max(1)).nth(row)?;
    Some(
        r.iter()
            .enumerate()
            .filter_map(|(i, &x)| (x == 1.0).then_some(i)),
    )
}

/// What [`Cell::reset`] does with the input current `j`.
///
/// ngclearn zeroes `j` on reset only when no other component drives it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum InputReset {
    /// Leave `j` as it is (the input is driven from outside).
    Keep,
    /// Zero `j` too (nothing else drives it).
    Zero,
}

/// A winner-take-all spiking cell, its state kept in `S`: any
/// [`StateStorage`], such as [`HeapStorage`] (any size), [`Storage`]
/// (fixed sizes, no heap) or borrowed [`Buffers`] (six slices the caller
/// owns, for as long as the cell lives). The API is the same for all.
///
/// Each [`advance`](Cell::advance) computes, for every batch row, in `f32`:
///
/// 1. `mask = rfr >= refract_time`;
/// 2. `v = mask ? j * resist_m : +0.0` (a masked unit reads `+0.0` even when
///    `j` is negative, infinite or NaN; every NaN in `v` is `f32::NAN`);
/// 3. `p = softmax(v)` over the row: `exp(v - max) * (1 / sum)` with a
///    NaN-propagating max, so a row holding a NaN, a `+inf`, or only `-inf`
///    has all-NaN probabilities. Masked units still take part, with `v = 0`.
///    `exp`, the order of the sum and the one reciprocal per row are the
///    reference's own ([`kernels::softmax`](crate::kernels::softmax)), so
///    that near a tie the last bits, and the spike, are the reference's;
/// 4. `s = (p > thr) ? 1.0 : 0.0`; a NaN probability never spikes;
/// 5. `thr = max(thr + (count - 1) * thr_gain, 0.025)`, `count` being the
///    row's number of spikes, with a NaN-propagating `max`: a NaN threshold
///    (`inf - inf`, or one handed in) stays NaN and never fires again;
/// 6. `rfr = (rfr + dt) * (1 - s) + s * dt`: where `rfr + dt` overflows to
///    `inf` and the unit spikes, `inf * 0` makes `rfr` NaN, which keeps the
///    unit refractory from then on;
/// 7. `tols = (1 - s) * tols + s * t`.
///
/// As in the reference, which runs with flush-to-zero and
/// denormals-are-zero, every arithmetic operation reads a subnormal operand
/// as a zero of the same sign and writes a subnormal result as one (a
/// subnormal `j`, `resist_m`, `t`, `dt` or `thr_gain` counts as zero); a
/// comparison reads a subnormal as zero too. With `resist_m` exactly `±1`
/// the reference has no multiply, and a subnormal `j` reaches `v`
/// unflushed. Every NaN the step writes is `f32::NAN`.
///
/// ```
/// use wtas::{Buffers, Cell, Config};
///
/// let params = Config::new(4).validate()?;
/// let mut bufs = [[0.0_f32; 4]; 6];
/// let [j, v, s, thr, rfr, tols] = &mut bufs;
/// let mut cell = Cell::with_thresholds(params, Buffers { j, v, s, thr, rfr, tols }, &[0.3; 4])?;
/// cell.j_mut().copy_from_slice(&[0.0, 5.0, 0.0, 0.0]);
/// cell.advance(0.0, 1.0)?;
/// assert_eq!(cell.s(), &[0.0, 1.0, 0.0, 0.0]);
/// assert_eq!(cell.tols(), &[0.0, 0.0, 0.0, 0.0]); // spiked at t = 0
/// # Ok::<(), wtas::Error>(())
/// ```
///
/// A storage lends its buffers afresh for each call, so their lengths are
/// checked when the cell is made and again by each call (six comparisons);
/// a storage whose lengths change is refused with [`Error::Length`].
///
/// A clone is an independent cell with a copy of the state (when `S` is
/// `Clone`: [`Storage`], [`HeapStorage`], six `Vec`s). `Debug` prints the
/// parameters and the backend, not the state (which may be millions of
/// values): read it through [`s`](Cell::s), [`thr`](Cell::thr) and the
/// other accessors.
#[derive(Clone)]
pub struct Cell<S> {
    params: Params,
    backend: Backend,
    /// Whether the state allows the kernels' plain path (no tiny
    /// threshold, no subnormal, infinite or `-0.0` `tols`, no NaN with a
    /// payload; see `plain_state`): checked when state is handed in, kept
    /// by every step and reset.
    plain_state: bool,
    state: S,
}

impl<S> core::fmt::Debug for Cell<S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Cell")
            .field("params", &self.params)
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

/// One batch row, as the six walks over the buffers zip it.
type ZippedRow<'a> = (
    ((((&'a [f32], Out<'a>), Out<'a>), Out<'a>), Out<'a>),
    Out<'a>,
);
/// A buffer's row that the step writes.
type Out<'a> = &'a mut [f32];

/// Hands one row to the kernels: the one place the cell calls them.
/// Inlined: a frame of its own would hold the row a second time.
#[inline(always)]
fn step_row(backend: Backend, k: &StepConsts, row: ZippedRow<'_>) {
    let (((((j, v), s), thr), rfr), tols) = row;
    let row = Row {
        j,
        v,
        s,
        thr,
        rfr,
        tols,
    };
    backend.step_row(row, k);
}

/// `Error::Time` unless `t` is finite, `Error::Dt` unless `dt` is finite
/// and positive.
pub(crate) fn check_time(t: f32, dt: f32) -> Result<(), Error> {
    if !t.is_finite() {
        return Err(Error::Time { value: t });
    }
    if !(dt.is_finite() && dt > 0.0) {
        return Err(Error::Dt { value: dt });
    }
    Ok(())
}

/// One step of every row of `b`, `batch` rows of `n` units whose buffers
/// each hold `batch * n` values, with the step's constants `k`: the body
/// of [`Cell::advance`] once `t`, `dt` and the lengths are checked, and
/// the C ABI's step on the buffers its handle keeps, without building a
/// cell.
#[inline]
pub(crate) fn step_rows(n: usize, batch: usize, backend: Backend, k: &StepConsts, b: Buffers<'_>) {
    // Every buffer holds exactly `batch * n` values, so each `get`
    // succeeds and the product cannot overflow; checked access (not
    // `chunks_exact`, whose zero-size check stays in firmware images)
    // keeps the step free of panic paths.
    for row in 0..batch {
        let r = row * n..(row + 1) * n;
        if let (Some(j), Some(v), Some(s), Some(thr), Some(rfr), Some(tols)) = (
            b.j.get(r.clone()),
            b.v.get_mut(r.clone()),
            b.s.get_mut(r.clone()),
            b.thr.get_mut(r.clone()),
            b.rfr.get_mut(r.clone()),
            b.tols.get_mut(r),
        ) {
            step_row(backend, k, (((((j, v), s), thr), rfr), tols));
        }
    }
}

/// Whether this build's step reads the plain-state flag: not where the
/// size-first step runs for every backend (targets without SIMD), which
/// has no plain path. There the flag stays false and the scans that would
/// set it are left out of the firmware.
const STEP_READS_PLAIN: bool = !cfg!(all(feature = "size-first", not(wtas_simd)));

/// Whether `thr`, `rfr` and `tols` allow the kernels' plain path
/// ([`plain_state`]), in builds whose step reads the answer; else false,
/// which is always safe.
#[inline]
pub(crate) fn scan_plain(thr: &[f32], rfr: &[f32], tols: &[f32]) -> bool {
    STEP_READS_PLAIN && plain_state(thr, rfr, tols)
}

/// Whether a state stays plain after a step without looking at it: it
/// was plain before, and the step's time did not flush to `-0.0`. A step
/// floors every threshold and writes only canonical NaNs, so once a state
/// handed in has been stepped only its `tols` can still keep the plain
/// path away (test them where this is false); and a step whose time
/// flushes to `-0.0` may have written a `tols` of `-0.0`.
#[inline(always)]
pub(crate) fn stays_plain(plain_before: bool, k: &StepConsts) -> bool {
    plain_before && k.t.to_bits() != (-0.0_f32).to_bits()
}

/// Checks every buffer's length against `params`, the first wrong one
/// named.
fn check_lengths(params: &Params, b: &Buffers<'_>) -> Result<(), Error> {
    BufferName::STATE
        .into_iter()
        .zip(b.view())
        .try_for_each(|(name, buf)| check_len(name, params.len(), buf.len()))
}

impl<S: StateStorage> Cell<S> {
    /// A cell over a state whose plain-path flag the caller already knows
    /// (the C ABI keeps it in its handle, and bound the buffers after
    /// checking their lengths): nothing is checked or read here, and every
    /// call checks the lengths again.
    #[cfg(feature = "ffi")]
    pub(crate) fn from_parts(params: Params, state: S, plain_state: bool) -> Self {
        Cell {
            params,
            backend: Backend::detect(),
            plain_state,
            state,
        }
    }

    /// Whether the state allows the kernels' plain path.
    #[cfg(feature = "ffi")]
    pub(crate) fn is_plain(&self) -> bool {
        self.plain_state
    }

    /// Binds a state about to be written (the constructors then reset
    /// it), after checking only the lengths. Nothing is read: through the
    /// C ABI the buffers may be uninitialised here.
    fn bind_fresh(params: Params, mut state: S) -> Result<Self, Error> {
        check_lengths(&params, &state.buffers())?;
        Ok(Cell {
            params,
            backend: Backend::detect(),
            plain_state: false,
            state,
        })
    }

    /// The buffers, their lengths checked again (a storage lends fresh
    /// slices on every call), or `None`: six comparisons on the way of
    /// every step. `Option` rather than a `Result` holding the error, which
    /// firmware builds copy through the step's frame; the error is
    /// [`length_error`](Self::length_error), out of line.
    fn bufs(&mut self) -> Option<Buffers<'_>> {
        let len = self.params.len();
        let b = self.state.buffers();
        let ok = b.j.len() == len
            && b.v.len() == len
            && b.s.len() == len
            && b.thr.len() == len
            && b.rfr.len() == len
            && b.tols.len() == len;
        ok.then_some(b)
    }

    /// The error for buffers of which some length is wrong.
    #[cold]
    #[inline(never)]
    fn length_error(&mut self) -> Error {
        let b = self.state.buffers();
        // Called where some length differs, so `check_lengths` names it.
        check_lengths(&self.params, &b)
            .err()
            .unwrap_or(Error::Length {
                buffer: BufferName::J,
                expected: self.params.len(),
                found: b.j.len(),
            })
    }

    /// Sets row 0 of `thr` with `first` and copies it into every other row.
    fn fill_thr_rows(&mut self, first: impl FnOnce(&mut [f32])) {
        let n = self.params.n_units_nonzero().get();
        if let Some((row0, rest)) = self.state.buffers().thr.split_at_mut_checked(n) {
            first(row0);
            for row in rest.chunks_exact_mut(n) {
                row.copy_from_slice(row0);
            }
        }
    }

    /// Takes `state`, resets it (`j` is kept) and sets every row of
    /// `thr` to `threshold0` (one value per unit).
    ///
    /// This is how a saved model's thresholds are restored, and how the
    /// reference's recorded trajectories are replayed.
    ///
    /// # Errors
    /// [`Error::Length`] if a buffer or `threshold0` has the wrong length,
    /// [`Error::ThresholdNan`] if `threshold0` holds a NaN. Nothing is
    /// written on error.
    ///
    /// ```
    /// use wtas::{BufferName, Buffers, Cell, Config, Error};
    ///
    /// let params = Config::new(4).validate()?;
    /// let mut mem = [0.0_f32; 24];
    /// let made = Cell::with_thresholds(params, Buffers::from_slice(&mut mem, 4)?, &[0.3; 3]);
    /// assert_eq!(
    ///     made.map(|_| ()),
    ///     Err(Error::Length { buffer: BufferName::Threshold0, expected: 4, found: 3 })
    /// );
    /// let made = Cell::with_thresholds(params, Buffers::from_slice(&mut mem, 4)?, &[0.3, f32::NAN, 0.3, 0.3]);
    /// assert_eq!(made.map(|_| ()), Err(Error::ThresholdNan));
    /// assert_eq!(mem, [0.0; 24]); // nothing written
    /// # Ok::<(), wtas::Error>(())
    /// ```
    pub fn with_thresholds(params: Params, state: S, threshold0: &[f32]) -> Result<Self, Error> {
        check_len(BufferName::Threshold0, params.n_units(), threshold0.len())?;
        if threshold0.iter().any(|x| x.is_nan()) {
            return Err(Error::ThresholdNan);
        }
        let mut cell = Self::bind_fresh(params, state)?;
        cell.fill_thr_rows(|row| row.copy_from_slice(threshold0));
        cell.reset(InputReset::Keep);
        Ok(cell)
    }

    /// Takes `state`, resets it (`j` is kept) and draws
    /// `threshold0 = thr_base + U(-thr_jitter, thr_jitter)` per unit from
    /// `rng` (see [`draw_threshold0`]); every row of `thr` starts there.
    ///
    /// # Errors
    /// [`Error::Length`] for the first buffer with the wrong length; nothing
    /// is written and nothing is drawn.
    ///
    /// ```
    /// use wtas::rand_core::SeedableRng;
    /// use wtas::{BufferName, Buffers, Cell, Config, Error};
    ///
    /// let params = Config::new(4).validate()?;
    /// let mut rng = rand_xoshiro::Xoshiro128PlusPlus::seed_from_u64(1);
    /// let (mut j, mut v, mut s, mut thr, mut rfr) = ([0.0; 4], [0.0; 4], [0.0; 4], [0.0; 4], [0.0; 4]);
    /// let mut tols = [0.0; 3]; // one short
    /// let bufs = Buffers { j: &mut j, v: &mut v, s: &mut s, thr: &mut thr, rfr: &mut rfr, tols: &mut tols };
    /// assert_eq!(
    ///     Cell::with_rng(params, bufs, &mut rng).map(|_| ()),
    ///     Err(Error::Length { buffer: BufferName::Tols, expected: 4, found: 3 })
    /// );
    /// # Ok::<(), wtas::Error>(())
    /// ```
    pub fn with_rng<R: rand_core::Rng + ?Sized>(
        params: Params,
        state: S,
        rng: &mut R,
    ) -> Result<Self, Error> {
        Self::new_drawn(params, state, || rng.next_u32())
    }

    /// [`Cell::with_rng`] with [`seed_rng`]`(seed)`: the same seed gives
    /// the same thresholds on every target.
    ///
    /// # Errors
    /// As [`Cell::with_rng`].
    ///
    /// ```
    /// use wtas::{BufferName, Buffers, Cell, Config, Error};
    ///
    /// let params = Config::new(4).validate()?;
    /// let mut mem = [0.0_f32; 24];
    /// let cell = Cell::new(params, Buffers::from_slice(&mut mem, 4)?, 42)?;
    /// assert!(cell.thr().iter().all(|t| (0.35..=0.45).contains(t)));
    ///
    /// // Buffers for another shape are refused, the first wrong one named.
    /// let wider = Config { batch_size: 2, ..Config::new(4) }.validate()?;
    /// assert_eq!(
    ///     Cell::new(wider, Buffers::from_slice(&mut mem, 4)?, 42).map(|_| ()),
    ///     Err(Error::Length { buffer: BufferName::J, expected: 8, found: 4 })
    /// );
    /// # Ok::<(), wtas::Error>(())
    /// ```
    pub fn new(params: Params, state: S, seed: u64) -> Result<Self, Error> {
        let mut stream = SeededStream::new(seed);
        Self::new_drawn(params, state, || stream.next_u32())
    }

    /// The body of the drawing constructors.
    fn new_drawn(params: Params, state: S, next_u32: impl FnMut() -> u32) -> Result<Self, Error> {
        let mut cell = Self::bind_fresh(params, state)?;
        cell.fill_thr_rows(|row| fill_threshold0(&params, next_u32, row));
        cell.reset(InputReset::Keep);
        Ok(cell)
    }

    /// Takes a state that already holds values (for example one kept in
    /// retained RAM across a warm reboot) without changing them.
    ///
    /// Every state is accepted, the NaN thresholds and timers that the
    /// reference's own rules can write included: nothing is scanned.
    ///
    /// # Errors
    /// [`Error::Length`] if a buffer has the wrong length.
    ///
    /// ```
    /// use wtas::{BufferName, Buffers, Cell, Config, Error};
    ///
    /// let params = Config::new(4).validate()?;
    /// let mut mem = [0.0_f32; 24];
    /// mem[12..16].fill(f32::NAN); // NaN thresholds: a state the rules can write
    /// assert!(Cell::resume(params, Buffers::from_slice(&mut mem, 4)?).is_ok());
    /// let mut short = [0.0_f32; 18];
    /// let bufs = Buffers::from_slice(&mut short, 3)?;
    /// assert_eq!(
    ///     Cell::resume(params, bufs).map(|_| ()),
    ///     Err(Error::Length { buffer: BufferName::J, expected: 4, found: 3 })
    /// );
    /// # Ok::<(), wtas::Error>(())
    /// ```
    pub fn resume(params: Params, state: S) -> Result<Self, Error> {
        let mut cell = Self::bind_fresh(params, state)?;
        let [_, _, _, thr, rfr, tols] = cell.state.view();
        cell.plain_state = scan_plain(thr, rfr, tols);
        Ok(cell)
    }

    /// Advances every row by one step at time `t` with step `dt`.
    ///
    /// See [`Cell`] for the rules. The call allocates nothing, and a row's
    /// work is bounded by its length: the vector kernels take shorter paths
    /// where the values allow (a chunk of units none of which can fire
    /// skips the timers' arithmetic), with the same results.
    ///
    /// # Errors
    /// [`Error::Time`] if `t` is not finite, [`Error::Dt`] if `dt` is not
    /// finite and > 0, each with the value refused. The state is untouched
    /// on error.
    ///
    /// ```
    /// use wtas::{Buffers, Cell, Config, Error};
    ///
    /// let params = Config::new(4).validate()?;
    /// let mut mem = [0.0_f32; 24];
    /// let mut cell = Cell::new(params, Buffers::from_slice(&mut mem, 4)?, 1)?;
    /// assert_eq!(cell.advance(f32::INFINITY, 1.0), Err(Error::Time { value: f32::INFINITY }));
    /// let err = cell.advance(0.0, -1.0).unwrap_err();
    /// assert_eq!(err, Error::Dt { value: -1.0 });
    /// assert_eq!(err.to_string(), "dt must be finite and > 0, got -1.0");
    /// assert_eq!(cell.tols(), [0.0; 4]); // untouched
    /// # Ok::<(), wtas::Error>(())
    /// ```
    pub fn advance(&mut self, t: f32, dt: f32) -> Result<(), Error> {
        check_time(t, dt)?;
        let k = self.step_consts(t, dt);
        let n = self.params.n_units_nonzero().get();
        let backend = self.backend;
        let batch = self.params.batch_size();
        let Some(b) = self.bufs() else {
            return Err(self.length_error());
        };
        step_rows(n, batch, backend, &k, b);
        self.after_step(&k);
        Ok(())
    }

    /// The plain-path flag after a step, from this cell's `tols`.
    fn after_step(&mut self, k: &StepConsts) {
        if !stays_plain(self.plain_state, k) {
            let [_, _, _, _, _, tols] = self.state.view();
            self.plain_state = scan_plain(&[], &[], tols);
        }
    }

    /// The constants of one step (`t` and `dt` checked before).
    fn step_consts(&self, t: f32, dt: f32) -> StepConsts {
        StepConsts::new(self.params.step_inputs(t, dt), self.plain_state)
    }

    /// [`advance`](Cell::advance) with the batch rows split across rayon's
    /// thread pool. Rows are independent, so the result is bit for bit the
    /// serial one; it pays off only for large batches (see the benchmarks).
    ///
    /// # Errors
    /// As [`advance`](Cell::advance); the state is untouched on error.
    ///
    /// ```
    /// use wtas::{Buffers, Cell, Config, Error};
    ///
    /// let params = Config { batch_size: 4, ..Config::new(8) }.validate()?;
    /// let mut mem = vec![0.0_f32; 6 * params.len()];
    /// let mut cell = Cell::new(params, Buffers::from_slice(&mut mem, params.len())?, 1)?;
    /// cell.j_mut()[3] = 8.0;
    /// cell.advance_parallel(0.0, 1.0)?;
    /// assert_eq!(cell.s()[3], 1.0);
    /// assert_eq!(cell.advance_parallel(1.0, f32::NAN), Err(Error::Dt { value: f32::NAN }));
    /// # Ok::<(), wtas::Error>(())
    /// ```
    #[cfg(feature = "parallel")]
    #[cfg_attr(docsrs, doc(cfg(feature = "parallel")))]
    pub fn advance_parallel(&mut self, t: f32, dt: f32) -> Result<(), Error> {
        use rayon::prelude::*;
        check_time(t, dt)?;
        let k = self.step_consts(t, dt);
        let n = self.params.n_units_nonzero().get();
        let backend = self.backend;
        let Some(b) = self.bufs() else {
            return Err(self.length_error());
        };
        b.j.par_chunks(n)
            .zip(b.v.par_chunks_mut(n))
            .zip(b.s.par_chunks_mut(n))
            .zip(b.thr.par_chunks_mut(n))
            .zip(b.rfr.par_chunks_mut(n))
            .zip(b.tols.par_chunks_mut(n))
            .for_each(|row| step_row(backend, &k, row));
        self.after_step(&k);
        Ok(())
    }

    /// The reference's `reset()`: `v = s = tols = 0`, `rfr = refract_time`,
    /// thresholds kept; `j` zeroed only for [`InputReset::Zero`].
    ///
    /// Does nothing if the storage now lends buffers of another length
    /// than when the cell was made.
    pub fn reset(&mut self, input: InputReset) {
        let refract_time = self.params.refract_time();
        let Some(b) = self.bufs() else { return };
        if input == InputReset::Zero {
            b.j.fill(0.0);
        }
        b.v.fill(0.0);
        b.s.fill(0.0);
        b.tols.fill(0.0);
        b.rfr.fill(refract_time);
        self.plain_state = scan_plain(b.thr, &[], &[]);
    }

    /// The validated parameters.
    pub fn params(&self) -> &Params {
        &self.params
    }
    /// The backend `advance` runs on ([`Backend::detect`] unless changed).
    pub fn backend(&self) -> Backend {
        self.backend
    }
    /// Runs `advance` on `backend` from now on. All backends give identical
    /// bits; this exists for testing and benchmarking.
    ///
    /// # Errors
    /// [`Error::BackendUnavailable`] if this CPU cannot run it.
    ///
    /// ```
    /// use wtas::kernels::Backend;
    /// use wtas::{Buffers, Cell, Config, Error};
    ///
    /// let params = Config::new(4).validate()?;
    /// let mut mem = [0.0_f32; 24];
    /// let mut cell = Cell::new(params, Buffers::from_slice(&mut mem, 4)?, 1)?;
    /// for &backend in Backend::ALL {
    ///     match cell.set_backend(backend) {
    ///         Ok(()) => assert_eq!(cell.backend(), backend),
    ///         Err(e) => assert_eq!(e, Error::BackendUnavailable),
    ///     }
    /// }
    /// # Ok::<(), wtas::Error>(())
    /// ```
    pub fn set_backend(&mut self, backend: Backend) -> Result<(), Error> {
        if backend.is_available() {
            self.backend = backend;
            Ok(())
        } else {
            Err(Error::BackendUnavailable)
        }
    }
    /// Input current.
    pub fn j(&self) -> &[f32] {
        let [x, _, _, _, _, _] = self.state.view();
        x
    }
    /// Input current, to write before a step.
    pub fn j_mut(&mut self) -> &mut [f32] {
        self.state.buffers().j
    }
    /// Membrane voltage.
    pub fn v(&self) -> &[f32] {
        let [_, x, _, _, _, _] = self.state.view();
        x
    }
    /// Spikes: exactly `0.0` or `1.0`.
    pub fn s(&self) -> &[f32] {
        let [_, _, x, _, _, _] = self.state.view();
        x
    }
    /// Adaptive thresholds.
    pub fn thr(&self) -> &[f32] {
        let [_, _, _, x, _, _] = self.state.view();
        x
    }
    /// Refractory timers.
    pub fn rfr(&self) -> &[f32] {
        let [_, _, _, _, x, _] = self.state.view();
        x
    }
    /// Times of last spike.
    pub fn tols(&self) -> &[f32] {
        let [_, _, _, _, _, x] = self.state.view();
        x
    }
    /// The units that spiked in batch row `row` at the last step, in
    /// order; `None` for a row past the last.
    ///
    /// ```
    /// use wtas::{Buffers, Cell, Config};
    ///
    /// let params = Config { batch_size: 2, ..Config::new(4) }.validate()?;
    /// let mut mem = [0.0_f32; 6 * 8];
    /// let mut cell = Cell::with_thresholds(params, Buffers::from_slice(&mut mem, 8)?, &[0.3; 4])?;
    /// cell.j_mut().copy_from_slice(&[0.0, 6.0, 0.0, 0.0, 0.0, 0.0, 0.0, 6.0]);
    /// cell.advance(0.0, 1.0)?;
    /// assert!(cell.winners(0).unwrap().eq([1]));
    /// assert!(cell.winners(1).unwrap().eq([3]));
    /// assert!(cell.winners(2).is_none()); // two rows: 0 and 1
    /// # Ok::<(), wtas::Error>(())
    /// ```
    pub fn winners(&self, row: usize) -> Option<impl Iterator<Item = usize> + '_> {
        winners(self.s(), self.params.n_units(), row)
    }
    /// The state, to read.
    pub fn state(&self) -> &S {
        &self.state
    }
    /// Gives the state back (for borrowed [`Buffers`], the buffers).
    pub fn into_state(self) -> S {
        self.state
    }
}
