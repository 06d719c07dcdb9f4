//! The handles C code holds (`wtas_params`, `wtas_buffers`, `wtas_cell`)
//! and how every call reads and re-checks them.

use super::check::{aligned, disjoint, non_null, span, usable};
use super::config::{validate, wtas_config};
use super::wtas_status::{self, *};
use crate::{Buffers, Params};

/// Validated hyperparameters, written by `wtas_params_init`.
///
/// Allocate it anywhere (stack, static, heap); it holds no pointer and may
/// be copied with `memcpy` or plain assignment. Read `config` and `len`
/// freely but do not change them.
///
/// Handle check: `wtas_params_init` stores a 64-bit checksum of `config`
/// and `len`, and every function that takes a `wtas_params` (directly or
/// inside a `wtas_cell`) recomputes it and re-validates `config`, returning
/// `WTAS_ERR_HANDLE` on any mismatch. What this detects, exactly:
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
    pub config: wtas_config,
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
/// parameters (including their own checksum) and the twelve stored buffer
/// pointers and lengths. A change to any one stored field (for example a
/// buffer pointer moved to other valid memory) is always detected. The
/// check covers the handle only: the contents of the buffers are the
/// state, any value is accepted there, and buffers freed or reused behind
/// the cell's back are not detected.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct wtas_cell {
    /// Private.
    params: wtas_params,
    /// Private.
    buffers: wtas_buffers,
    /// Private: the checksum.
    check: u64,
}

/// Starting values of the two checksums ("wtas-prm", "wtas-cel"), so a
/// params checksum never validates a cell and all-zero handles fail.
const PARAMS_SEED: u64 = u64::from_le_bytes(*b"wtas-prm");
const CELL_SEED: u64 = u64::from_le_bytes(*b"wtas-cel");

/// FNV-1a's step over 64-bit words: `h -> (h ^ w) * P` with `P` odd is a
/// bijection in `h` and in `w`, so changing any one word always changes the
/// result, and the all-zero input never gives 0.
fn checksum(seed: u64, words: impl IntoIterator<Item = u64>) -> u64 {
    const FNV_PRIME: u64 = 0x0000_0100_0000_01B3;
    words
        .into_iter()
        .fold(seed, |h, w| (h ^ w).wrapping_mul(FNV_PRIME))
}

impl wtas_params {
    /// A handle for `config` (already validated) with `len` elements.
    pub(super) fn sealed(config: wtas_config, len: usize) -> Self {
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
        let c = &self.config;
        checksum(
            PARAMS_SEED,
            [
                c.n_units as u64,
                c.batch_size as u64,
                u64::from(c.tau_m.to_bits()),
                u64::from(c.resist_m.to_bits()),
                u64::from(c.thr_base.to_bits()),
                u64::from(c.thr_gain.to_bits()),
                u64::from(c.refract_time.to_bits()),
                u64::from(c.thr_jitter.to_bits()),
                self.len as u64,
            ],
        )
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
    /// A handle binding `buffers` (already checked) under `params`.
    pub(super) fn sealed(params: wtas_params, buffers: wtas_buffers) -> Self {
        let mut c = wtas_cell {
            params,
            buffers,
            check: 0,
        };
        c.check = c.checksum();
        c
    }

    /// The checksum of every field but `check`.
    fn checksum(&self) -> u64 {
        let params = [self.params.checksum(), self.params.check];
        let buffers = self
            .buffers
            .pairs()
            .into_iter()
            .flat_map(|(p, len)| [p as usize as u64, len as u64]);
        checksum(CELL_SEED, params.into_iter().chain(buffers))
    }
}

/// Checked parameters, the buffers, and the buffers' byte spans.
pub(super) type Loaded = (Params, wtas_buffers, [(usize, usize); 6]);

/// Reads and re-checks a `wtas_params` (null, alignment, handle, values).
///
/// # Safety
/// `p`, if non-null and aligned, points to readable memory of the size of
/// a `wtas_params` (every bit pattern is a valid `wtas_params`).
pub(super) unsafe fn load_params(p: *const wtas_params) -> Result<Params, wtas_status> {
    usable(p)?;
    // SAFETY: non-null and aligned, checked above; readable by the
    // caller's contract; `wtas_params` holds only integers and floats, so
    // any bits are a valid value.
    unsafe { p.read() }.open()
}

/// Reads a `wtas_buffers` by value.
///
/// # Safety
/// As [`load_params`], for a `wtas_buffers`.
pub(super) unsafe fn load_buffers(p: *const wtas_buffers) -> Result<wtas_buffers, wtas_status> {
    usable(p)?;
    // SAFETY: non-null and aligned, checked above; readable by the
    // caller's contract; raw pointers and integers accept any bits.
    Ok(unsafe { p.read() })
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
    /// pairwise disjointness; returns the six byte spans.
    pub(super) fn check(&self, params: &Params) -> Result<[(usize, usize); 6], wtas_status> {
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
        disjoint(&spans)?;
        Ok(spans)
    }

    /// Borrows the buffers as slices.
    ///
    /// # Safety
    /// [`wtas_buffers::check`] passed, and each buffer is valid for reads
    /// and writes of its length and not accessed by anyone else for `'a`.
    pub(super) unsafe fn slices<'a>(&self) -> Buffers<'a> {
        // SAFETY (for each of the six): non-null and aligned (checked),
        // `len * 4 <= isize::MAX` (checked), valid and exclusively ours by
        // the caller's contract, and pairwise disjoint (checked), so the six
        // `&mut` never alias.
        unsafe {
            Buffers {
                j: core::slice::from_raw_parts_mut(self.j, self.j_len),
                v: core::slice::from_raw_parts_mut(self.v, self.v_len),
                s: core::slice::from_raw_parts_mut(self.s, self.s_len),
                thr: core::slice::from_raw_parts_mut(self.thr, self.thr_len),
                rfr: core::slice::from_raw_parts_mut(self.rfr, self.rfr_len),
                tols: core::slice::from_raw_parts_mut(self.tols, self.tols_len),
            }
        }
    }
}

/// Reads and re-checks a bound cell: its checksum, its params, then its
/// buffers.
///
/// # Safety
/// As [`load_params`], for a `wtas_cell`.
pub(super) unsafe fn load_cell(cell: *const wtas_cell) -> Result<Loaded, wtas_status> {
    usable(cell)?;
    // SAFETY: non-null and aligned, checked above; readable by the
    // caller's contract; every field is an integer, a float or a raw
    // pointer, so any bits are a valid value.
    let raw = unsafe { cell.read() };
    if raw.check != raw.checksum() {
        return Err(WTAS_ERR_HANDLE);
    }
    let params = raw.params.open()?;
    let spans = raw.buffers.check(&params).map_err(|_| WTAS_ERR_HANDLE)?;
    Ok((params, raw.buffers, spans))
}

/// Loads and checks per-call arguments: nulls first, then params, then buffers.
///
/// # Safety
/// Both are NULL or point to readable objects.
pub(super) unsafe fn load_call(
    params: *const wtas_params,
    buffers: *const wtas_buffers,
) -> Result<Loaded, wtas_status> {
    non_null(params)?;
    non_null(buffers)?;
    // SAFETY: contract of this function.
    let bufs = unsafe { load_buffers(buffers) }?;
    // SAFETY: contract of this function.
    let params = unsafe { load_params(params) }?;
    let spans = bufs.check(&params)?;
    Ok((params, bufs, spans))
}
