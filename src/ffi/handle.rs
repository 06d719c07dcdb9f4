//! The handles C code holds (`wtas_params`, `wtas_buffers`, `wtas_cell`)
//! and how every call reads and re-checks them.

use super::check::{aligned, disjoint, non_null, span};
use super::config::validate;
use super::wtas_status::{self, *};
use crate::cell::{check_time, scan_plain, stays_plain, step_rows};
use crate::kernels::Backend;
use crate::kernels::spec::StepConsts;
use crate::{Buffers, Cell, Config, Params, StateStorage};

/// Validated hyperparameters, written by `wtas_params_init`.
///
/// Allocate it anywhere (stack, static, heap); it holds no pointer and may
/// be copied with `memcpy` or plain assignment. Read `config` and `len`
/// freely but do not change them.
///
/// Handle check: `wtas_params_init` stores a 64-bit checksum of `config`
/// and `len`, and every function that takes a `wtas_params` (directly or
/// inside a `wtas_cell`) recomputes it, returning `WTAS_ERR_HANDLE` on any
/// mismatch; a `wtas_params` passed directly also has `config` validated
/// again, and a bound cell its sizes. What this detects, exactly:
///
/// - a `wtas_params` that `wtas_params_init` never wrote: always if it is
///   all zeros, otherwise unless its bytes happen to hold a matching
///   checksum (a chance of about 2^-64 for arbitrary bytes);
/// - a change to any one field (any bit of one `config` field, of `len`,
///   or of the checksum), even into another valid configuration such as a
///   new `thr_gain`, always;
/// - changes to several fields at once (such as `n_units` and
///   `batch_size` swapped), except with probability about 2^-64 for
///   changes unrelated to the checksum's formula. The checksum is not a
///   secret: code that recomputes it on purpose is not detected.
///
/// Not detected: changes to padding bytes (they hold no state), and
/// copies, which are valid handles by design.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct wtas_params {
    /// The validated configuration.
    pub config: Config,
    /// Elements in every state buffer: `batch_size * n_units`.
    pub len: usize,
    /// Private: the checksum.
    check: u64,
}

/// The six state buffers of a cell: pointers to caller-owned `float`
/// arrays and their lengths in elements.
///
/// Each must hold `batch_size * n_units` values, row-major (row `b` holds
/// elements `b * n_units` to `(b + 1) * n_units - 1`), be aligned for
/// `float`, and not overlap any of the other five.
///
/// - `j`: input current, written by the caller before each step;
/// - `v`: membrane voltage after the last step;
/// - `s`: spikes of the last step, exactly 0.0 or 1.0;
/// - `thr`: adaptive thresholds;
/// - `rfr`: refractory timers;
/// - `tols`: time of each unit's last spike.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct wtas_buffers {
    /// Input current.
    pub j: *mut f32,
    /// Elements in `j`.
    pub j_len: usize,
    /// Membrane voltage.
    pub v: *mut f32,
    /// Elements in `v`.
    pub v_len: usize,
    /// Spikes.
    pub s: *mut f32,
    /// Elements in `s`.
    pub s_len: usize,
    /// Adaptive thresholds.
    pub thr: *mut f32,
    /// Elements in `thr`.
    pub thr_len: usize,
    /// Refractory timers.
    pub rfr: *mut f32,
    /// Elements in `rfr`.
    pub rfr_len: usize,
    /// Times of last spike.
    pub tols: *mut f32,
    /// Elements in `tols`.
    pub tols_len: usize,
}

/// A cell: validated parameters bound to caller-owned buffers.
///
/// Allocate it anywhere and initialise it with `wtas_cell_bind`. All
/// fields are private: read the buffers through the pointers you bound.
/// It stores the buffer pointers, so the buffers must outlive every use of
/// the cell; it owns nothing and needs no destruction. A copy refers to
/// the same buffers.
///
/// Handle check: as for `wtas_params`, with a checksum over the stored
/// configuration and the six stored buffer pointers (every buffer holds
/// `batch_size * n_units` floats, checked when binding). A change to any
/// one stored field (for example a buffer pointer moved to other valid
/// memory) is always detected. The check covers the handle only: the
/// contents of the buffers are the state, any value is accepted there, and
/// buffers freed or reused behind the cell's back are not detected.
///
/// The cell also remembers whether its state allows the step's fast path
/// (no tiny threshold, no unusual time of last spike), as a Rust cell
/// does, so that a step does not scan the state first. That flag is outside
/// the checksum: binding clears it, and starting or resetting a state, and
/// each step, set it from the state. Clearing it is always safe (the step
/// then takes the general path, with the same results).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct wtas_cell {
    /// Private: the validated configuration.
    config: Config,
    /// Private: the buffers, in `j v s thr rfr tols` order.
    buffers: [*mut f32; 6],
    /// Private: the checksum.
    check: u64,
    /// Private: 1 if the state allows the fast path, else 0.
    plain_state: u64,
}

/// Starting values of the two checksums ("wtas-prm", "wtas-cel"), so a
/// params checksum never validates a cell and all-zero handles fail.
const PARAMS_SEED: u64 = u64::from_le_bytes(*b"wtas-prm");
const CELL_SEED: u64 = u64::from_le_bytes(*b"wtas-cel");

/// The weight of word `k` in [`checksum`]: odd, so that multiplying by it
/// is a bijection on 64-bit words, distinct for every `k` below 32, and
/// below 2^31 so that x86-64 multiplies by it straight from memory.
const fn weight(k: usize) -> u64 {
    ((0x9E37_79B9_u32.wrapping_mul(k as u32 * 2 + 1) >> 1) | 1) as u64
}

/// `seed + sum(words[k] * weight(k))`, wrapping, over the words of
/// `first` and then of `then`. Changing any one word changes the sum by a
/// non-zero multiple of an odd weight, so it always changes the result,
/// and all-zero words give the seed, never 0. Four independent sums: the
/// multiplies do not wait on each other, so checking a handle on every
/// step costs a few nanoseconds. (Two arrays of fixed lengths, not a
/// slice of slices: the loops unroll into one multiply and add a word.)
#[inline(always)]
fn checksum<const A: usize, const B: usize>(seed: u64, first: [u64; A], then: [u64; B]) -> u64 {
    let mut sums = [seed, 0, 0, 0];
    let mut add = |k: usize, w: u64| {
        if let Some(sum) = sums.get_mut(k % 4) {
            *sum = sum.wrapping_add(w.wrapping_mul(weight(k)));
        }
    };
    for (k, &w) in first.iter().enumerate() {
        add(k, w);
    }
    for (k, &w) in then.iter().enumerate() {
        add(A + k, w);
    }
    let [a, b, c, d] = sums;
    a.wrapping_add(b).wrapping_add(c.wrapping_add(d))
}

impl wtas_params {
    /// A handle for `config` (already validated) with `len` elements.
    pub(super) fn sealed(config: Config, len: usize) -> Self {
        let mut p = wtas_params {
            config,
            len,
            check: 0,
        };
        p.check = p.checksum();
        p
    }

    /// The checksum of every field but `check`.
    fn checksum(&self) -> u64 {
        checksum(PARAMS_SEED, self.config.words(), [self.len as u64])
    }

    /// Re-checks a handle: the checksum, then the configuration itself.
    fn open(&self) -> Result<Params, wtas_status> {
        if self.check != self.checksum() {
            return Err(WTAS_ERR_HANDLE);
        }
        let params = validate(self.config).map_err(|_| WTAS_ERR_HANDLE)?;
        if params.len() != self.len {
            return Err(WTAS_ERR_HANDLE);
        }
        Ok(params)
    }
}

impl wtas_cell {
    /// A handle binding `buffers` (already checked) under `params`, its
    /// state not yet known to allow the fast path.
    pub(super) fn sealed(params: wtas_params, buffers: wtas_buffers) -> Self {
        let mut c = wtas_cell {
            config: params.config,
            buffers: buffers.pairs().map(|(ptr, _)| ptr),
            check: 0,
            plain_state: 0,
        };
        c.check = c.checksum();
        c
    }

    /// The checksum of every stored field but `check` and the flag.
    fn checksum(&self) -> u64 {
        let buffers = self.buffers.map(|p| p as usize as u64);
        checksum(CELL_SEED, self.config.words(), buffers)
    }
}

/// Reads and re-checks a `wtas_params` (already checked non-null and
/// aligned): the checksum, then the configuration itself.
///
/// # Safety
/// `p` points to readable memory of the size of a `wtas_params` (every
/// bit pattern is a valid `wtas_params`).
pub(super) unsafe fn load_params(
    p: *const wtas_params,
) -> Result<(wtas_params, Params), wtas_status> {
    // SAFETY: readable by the contract; `wtas_params` holds only integers
    // and floats, so any bits are a valid value.
    let raw = unsafe { p.read() };
    Ok((raw, raw.open()?))
}

/// Reads a `wtas_buffers` (already checked non-null and aligned) by value.
///
/// # Safety
/// As [`load_params`], for a `wtas_buffers`.
pub(super) unsafe fn load_buffers(p: *const wtas_buffers) -> wtas_buffers {
    // SAFETY: readable by the contract; raw pointers and integers accept
    // any bits.
    unsafe { p.read() }
}

impl wtas_buffers {
    /// The six (pointer, length) pairs, in `j v s thr rfr tols` order.
    fn pairs(&self) -> [(*mut f32, usize); 6] {
        [
            (self.j, self.j_len),
            (self.v, self.v_len),
            (self.s, self.s_len),
            (self.thr, self.thr_len),
            (self.rfr, self.rfr_len),
            (self.tols, self.tols_len),
        ]
    }

    /// Checks pointers (null, alignment), lengths against `params`, and
    /// pairwise disjointness.
    pub(super) fn check(&self, params: &Params) -> Result<(), wtas_status> {
        let pairs = self.pairs();
        for (p, _) in pairs {
            non_null(p)?;
        }
        for (p, _) in pairs {
            aligned(p)?;
        }
        for (_, len) in pairs {
            if len != params.len() {
                return Err(WTAS_ERR_LENGTH);
            }
        }
        let mut spans = [(0, 0); 6];
        for (span_out, (p, len)) in spans.iter_mut().zip(pairs) {
            *span_out = span(p, len)?;
        }
        disjoint(&spans)
    }
}

/// Borrows a bound cell's six buffers as slices of `len` floats each.
///
/// # Safety
/// `wtas_cell_bind` checked these pointers against `len` (non-null,
/// aligned, `len` floats each, `len * 4 <= isize::MAX`, pairwise disjoint),
/// and each buffer is valid for reads and writes of `len` floats and not
/// accessed by anyone else for `'a`.
unsafe fn slices<'a>(buffers: [*mut f32; 6], len: usize) -> Buffers<'a> {
    let [j, v, s, thr, rfr, tols] = buffers;
    // SAFETY (for each of the six): as the contract says; disjoint, so the
    // six `&mut` never alias.
    unsafe {
        Buffers {
            j: core::slice::from_raw_parts_mut(j, len),
            v: core::slice::from_raw_parts_mut(v, len),
            s: core::slice::from_raw_parts_mut(s, len),
            thr: core::slice::from_raw_parts_mut(thr, len),
            rfr: core::slice::from_raw_parts_mut(rfr, len),
            tols: core::slice::from_raw_parts_mut(tols, len),
        }
    }
}

/// A bound cell opened for one call: what [`with_cell`] hands its body.
pub(super) struct Opened<'a> {
    /// The re-validated parameters.
    pub params: Params,
    /// The buffers, as slices.
    pub bufs: Buffers<'a>,
    /// The flag the handle keeps: whether the state allows the fast path.
    pub plain_state: bool,
}

impl<'a> Opened<'a> {
    /// The cell over the buffers, with the handle's flag: no pass over the
    /// state.
    pub fn cell(self) -> Cell<Buffers<'a>> {
        Cell::from_parts(self.params, self.bufs, self.plain_state)
    }

    /// [`Cell::advance`] on the opened buffers, its body run on them in
    /// place (building the cell would copy the handle's fields once more
    /// on every step); returns the flag after the step.
    #[inline(always)]
    pub fn advance(mut self, t: f32, dt: f32) -> Result<bool, crate::Error> {
        check_time(t, dt)?;
        let k = StepConsts::new(self.params.step_inputs(t, dt), self.plain_state);
        let (n, batch) = (self.params.n_units(), self.params.batch_size());
        step_rows(n, batch, Backend::FASTEST, &k, self.bufs.buffers());
        Ok(stays_plain(self.plain_state, &k) || scan_plain(&[], &[], self.bufs.tols))
    }
}

/// Opens a bound cell (already checked non-null and aligned) for one
/// call: checks its checksum, which covers every stored field, and the
/// sizes of its parameters; then runs `f`, and stores in the handle
/// the flag `f` returns (whether the cell it ran leaves a state that
/// allows the fast path). The buffers are not checked again:
/// the checksum says they are the ones `wtas_cell_bind` checked (a handle
/// whose checksum was recomputed on purpose is not detected, see
/// `wtas_params`). No pass over the state.
///
/// # Safety
/// `cell` points to a readable and writable `wtas_cell`; if it was bound,
/// its buffers are valid for reads and writes of their lengths and not
/// accessed by anyone else for `'a`, which ends with the call.
#[inline(always)]
pub(super) unsafe fn with_cell<'a>(
    cell: *mut wtas_cell,
    f: impl FnOnce(Opened<'a>) -> Result<bool, wtas_status>,
) -> Result<(), wtas_status> {
    let (params, buffers, plain_state) = {
        // SAFETY: aligned and readable by the contract; every field is an
        // integer, a float or a raw pointer, so any bits are a valid
        // value; the reference ends before anything is written.
        let raw = unsafe { &*cell };
        if raw.check != raw.checksum() {
            return Err(WTAS_ERR_HANDLE);
        }
        // The checksum vouches for the configuration `wtas_cell_bind`
        // validated: only the sizes the buffers' lengths rest on are
        // checked again (a float rule re-run per step costs a C step about
        // a twelfth of a 64-unit step).
        let params = Params::revalidated_sizes(raw.config).ok_or(WTAS_ERR_HANDLE)?;
        (params, raw.buffers, raw.plain_state == 1)
    };
    // SAFETY: the checksum holds, so these are the buffers
    // `wtas_cell_bind` checked against these parameters' length (non-null,
    // aligned, lengths, disjoint); valid and exclusive by the contract.
    let bufs = unsafe { slices(buffers, params.len()) };
    let opened = Opened {
        params,
        bufs,
        plain_state,
    };
    let flag = u64::from(f(opened)?);
    // SAFETY: writable by the contract; the buffers' slices are gone.
    unsafe { (&raw mut (*cell).plain_state).write(flag) };
    Ok(())
}
