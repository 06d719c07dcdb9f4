//! The C ABI: `wtas_*` functions over caller-allocated state.
//!
//! Built with `--features ffi` as a `staticlib` (or a `cdylib` on hosts);
//! the matching header is `include/wtas.h`, generated from this module by
//! `cbindgen`. The style follows well-kept C APIs such as BLAKE3's: the
//! caller allocates every object, functions take the state first, buffers
//! go in as a pointer and a length, and every fallible function returns a
//! [`wtas_status`].
//!
//! # Rules every function follows
//!
//! - All checks come before any write: on any status other than `WTAS_OK`,
//!   no buffer, no output argument and no state has been modified.
//! - Checks run in this order, and the first failure is returned: null
//!   pointers (`WTAS_ERR_NULL`), misaligned pointers (`WTAS_ERR_ALIGN`),
//!   uninitialised or corrupted handles (`WTAS_ERR_HANDLE`), invalid
//!   parameters (one code per field), buffer lengths (`WTAS_ERR_LENGTH`),
//!   overlapping buffers (`WTAS_ERR_ALIAS`), then the values themselves
//!   (`WTAS_ERR_THRESHOLD_NAN`, `WTAS_ERR_TIME`, `WTAS_ERR_DT`).
//! - Every pointer must be non-null, even for an empty buffer.
//! - No function allocates, keeps a pointer after it returns (except
//!   `wtas_cell_bind`, which stores the buffer pointers in the cell), or
//!   touches global state: calls on distinct cells with disjoint buffers
//!   may run on different threads at once.
//! - No panic crosses the boundary. With the `std` feature (hosts), every
//!   function runs inside `std::panic::catch_unwind` and reports a caught
//!   panic as `WTAS_ERR_PANIC` (none is known to be reachable). Without
//!   `std` (firmware, `panic = "abort"`), the final binary's panic handler
//!   runs instead; Rust also aborts, rather than unwind, if a panic ever
//!   reaches an `extern "C"` function.
#![allow(unsafe_code)]
#![allow(non_camel_case_types)]

use core::ffi::{c_char, c_int};

use crate::{Buffers, Cell, Config, Error, InputReset, Params, kernels};

/// A status code: `WTAS_OK` (0) or the reason a call did nothing.
///
/// `wtas_strerror` gives a static message for each.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[must_use]
pub enum wtas_status {
    /// Success.
    WTAS_OK = 0,
    /// A pointer argument is NULL.
    WTAS_ERR_NULL = 1,
    /// A pointer is not aligned for its type (4 bytes for `float`).
    WTAS_ERR_ALIGN = 2,
    /// A `wtas_params` or `wtas_cell` was not initialised by
    /// `wtas_params_init` / `wtas_cell_bind`, or has been modified since.
    WTAS_ERR_HANDLE = 3,
    /// A buffer has the wrong number of elements (or would end beyond the
    /// address space).
    WTAS_ERR_LENGTH = 4,
    /// Two buffers that must be disjoint overlap (or are the same buffer).
    WTAS_ERR_ALIAS = 5,
    /// `n_units` is 0.
    WTAS_ERR_N_UNITS = 6,
    /// `batch_size` is 0.
    WTAS_ERR_BATCH_SIZE = 7,
    /// `n_units * batch_size * sizeof(float)` does not fit in the address
    /// space.
    WTAS_ERR_SIZE = 8,
    /// `tau_m` is not finite and > 0.
    WTAS_ERR_TAU_M = 9,
    /// `resist_m` is not finite.
    WTAS_ERR_RESIST_M = 10,
    /// `thr_base` is not finite.
    WTAS_ERR_THR_BASE = 11,
    /// `thr_gain` is not finite.
    WTAS_ERR_THR_GAIN = 12,
    /// `refract_time` is not finite and >= 0.
    WTAS_ERR_REFRACT_TIME = 13,
    /// `thr_jitter` is not finite and >= 0.
    WTAS_ERR_THR_JITTER = 14,
    /// An injected initial threshold is NaN.
    WTAS_ERR_THRESHOLD_NAN = 15,
    /// The time `t` is not finite.
    WTAS_ERR_TIME = 16,
    /// The step `dt` is not finite and > 0.
    WTAS_ERR_DT = 17,
    /// The requested kernel backend cannot run on this CPU.
    WTAS_ERR_BACKEND = 18,
    /// Internal error: a Rust panic was caught at the boundary. Please report it.
    WTAS_ERR_PANIC = 19,
}

/// Validated hyperparameters, written by `wtas_params_init`.
///
/// Allocate it anywhere (stack, static, heap); it holds no pointer and may
/// be copied with `memcpy` or plain assignment. Read `config` and `len`
/// freely but do not modify any field: every function re-checks it and
/// returns `WTAS_ERR_HANDLE` for a modified or uninitialised one.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct wtas_params {
    /// The validated configuration.
    pub config: Config,
    /// Elements in every state buffer: `batch_size * n_units`.
    pub len: usize,
    /// Private.
    magic: u32,
}

/// The six state buffers of a cell: pointers to caller-owned `float`
/// arrays and their lengths in elements.
///
/// Each must hold `batch_size * n_units` values, row-major (row `b` holds
/// units `b * n_units .. (b + 1) * n_units`), be aligned for `float`, and
/// not overlap any of the other five.
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
/// the cell; it owns nothing and needs no destruction.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct wtas_cell {
    /// Private.
    params: wtas_params,
    /// Private.
    buffers: wtas_buffers,
    /// Private.
    magic: u32,
}

const PARAMS_MAGIC: u32 = 0x5754_4150; // "WTAP"
const CELL_MAGIC: u32 = 0x5754_4143; // "WTAC"

type Status = Result<(), wtas_status>;

/// Checked parameters, the buffers, and the buffers' byte spans.
type Loaded = (Params, wtas_buffers, [(usize, usize); 6]);

/// The one mapping from the crate's [`Error`] to a status code.
pub fn status_of(e: Error) -> wtas_status {
    use wtas_status::*;
    match e {
        Error::NUnits => WTAS_ERR_N_UNITS,
        Error::BatchSize => WTAS_ERR_BATCH_SIZE,
        Error::Size => WTAS_ERR_SIZE,
        Error::TauM => WTAS_ERR_TAU_M,
        Error::ResistM => WTAS_ERR_RESIST_M,
        Error::ThrBase => WTAS_ERR_THR_BASE,
        Error::ThrGain => WTAS_ERR_THR_GAIN,
        Error::RefractTime => WTAS_ERR_REFRACT_TIME,
        Error::ThrJitter => WTAS_ERR_THR_JITTER,
        Error::Length { .. } => WTAS_ERR_LENGTH,
        Error::ThresholdNan => WTAS_ERR_THRESHOLD_NAN,
        Error::BackendUnavailable => WTAS_ERR_BACKEND,
        Error::Time => WTAS_ERR_TIME,
        Error::Dt => WTAS_ERR_DT,
    }
}

impl From<Error> for wtas_status {
    fn from(e: Error) -> Self {
        status_of(e)
    }
}

/// Runs `f`, turning its result (and, with `std`, any panic) into a status.
#[inline]
fn guard(f: impl FnOnce() -> Status) -> wtas_status {
    #[cfg(feature = "std")]
    let r = std::panic::catch_unwind(core::panic::AssertUnwindSafe(f))
        .unwrap_or(Err(wtas_status::WTAS_ERR_PANIC));
    #[cfg(not(feature = "std"))]
    let r = f();
    match r {
        Ok(()) => wtas_status::WTAS_OK,
        Err(e) => e,
    }
}

/// `WTAS_ERR_NULL` if `p` is null.
fn non_null<T>(p: *const T) -> Status {
    if p.is_null() {
        Err(wtas_status::WTAS_ERR_NULL)
    } else {
        Ok(())
    }
}

/// `WTAS_ERR_ALIGN` if `p` is not aligned for `T`.
fn aligned<T>(p: *const T) -> Status {
    if p.is_aligned() {
        Ok(())
    } else {
        Err(wtas_status::WTAS_ERR_ALIGN)
    }
}

/// Null, then alignment.
fn usable<T>(p: *const T) -> Status {
    non_null(p)?;
    aligned(p)
}

/// A buffer's byte range `[start, end)`; `WTAS_ERR_LENGTH` if it would end
/// beyond the address space.
fn span(p: *const f32, len: usize) -> Result<(usize, usize), wtas_status> {
    let start = p as usize;
    let end = len
        .checked_mul(size_of::<f32>())
        .filter(|&b| b <= isize::MAX as usize)
        .and_then(|b| start.checked_add(b))
        .ok_or(wtas_status::WTAS_ERR_LENGTH)?;
    Ok((start, end))
}

/// Whether two byte ranges share a byte (empty ranges share none).
fn overlap(a: (usize, usize), b: (usize, usize)) -> bool {
    a.0 < a.1 && b.0 < b.1 && a.0 < b.1 && b.0 < a.1
}

/// `WTAS_ERR_ALIAS` if any two of `spans` overlap.
fn disjoint(spans: &[(usize, usize)]) -> Status {
    for (i, &a) in spans.iter().enumerate() {
        if spans
            .get(i + 1..)
            .unwrap_or(&[])
            .iter()
            .any(|&b| overlap(a, b))
        {
            return Err(wtas_status::WTAS_ERR_ALIAS);
        }
    }
    Ok(())
}

/// `Params::try_new`, plus the C rule that every buffer's size in bytes
/// fits in `isize` (so it can be a slice).
fn validate(config: Config) -> Result<Params, wtas_status> {
    let params = Params::try_new(config)?;
    match params.len().checked_mul(size_of::<f32>()) {
        Some(b) if b <= isize::MAX as usize => Ok(params),
        _ => Err(wtas_status::WTAS_ERR_SIZE),
    }
}

/// Reads and re-checks a `wtas_params` (null, alignment, handle, values).
///
/// # Safety
/// `p`, if non-null and aligned, points to readable memory of the size of
/// a `wtas_params` (every bit pattern is a valid `wtas_params`).
unsafe fn load_params(p: *const wtas_params) -> Result<Params, wtas_status> {
    usable(p)?;
    // SAFETY: non-null and aligned, checked above; readable by the
    // caller's contract; `wtas_params` holds only integers and floats, so
    // any bits are a valid value.
    let raw = unsafe { p.read() };
    if raw.magic != PARAMS_MAGIC {
        return Err(wtas_status::WTAS_ERR_HANDLE);
    }
    let params = validate(raw.config).map_err(|_| wtas_status::WTAS_ERR_HANDLE)?;
    if params.len() != raw.len {
        return Err(wtas_status::WTAS_ERR_HANDLE);
    }
    Ok(params)
}

/// Reads a `wtas_buffers` by value.
///
/// # Safety
/// As [`load_params`], for a `wtas_buffers`.
unsafe fn load_buffers(p: *const wtas_buffers) -> Result<wtas_buffers, wtas_status> {
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
    fn check(&self, params: &Params) -> Result<[(usize, usize); 6], wtas_status> {
        let pairs = self.pairs();
        for (p, _) in pairs {
            non_null(p)?;
        }
        for (p, _) in pairs {
            aligned(p)?;
        }
        for (_, len) in pairs {
            if len != params.len() {
                return Err(wtas_status::WTAS_ERR_LENGTH);
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
    unsafe fn slices<'a>(&self) -> Buffers<'a> {
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

/// Reads and re-checks a bound cell: its params, then its buffers.
///
/// # Safety
/// As [`load_params`], for a `wtas_cell`.
unsafe fn load_cell(cell: *const wtas_cell) -> Result<Loaded, wtas_status> {
    usable(cell)?;
    // SAFETY: non-null and aligned, checked above; readable by the
    // caller's contract; every field is an integer, a float or a raw
    // pointer, so any bits are a valid value.
    let raw = unsafe { cell.read() };
    if raw.magic != CELL_MAGIC {
        return Err(wtas_status::WTAS_ERR_HANDLE);
    }
    // SAFETY: `&raw.params` is a valid, aligned local.
    let params = unsafe { load_params(&raw.params) }?;
    let spans = raw
        .buffers
        .check(&params)
        .map_err(|_| wtas_status::WTAS_ERR_HANDLE)?;
    Ok((params, raw.buffers, spans))
}

/// Checks a read-only input slice (null, alignment, size) and returns its span.
fn input_span(p: *const f32, len: usize) -> Result<(usize, usize), wtas_status> {
    usable(p)?;
    span(p, len)
}

// ---------------------------------------------------------------------------
// Parameters
// ---------------------------------------------------------------------------

/// Writes the reference's defaults for `n_units` units and `tau_m` into
/// `*config`: `batch_size = 1`, `resist_m = 1`, `thr_base = 0.4`,
/// `thr_gain = 0.002`, `refract_time = 0`, `thr_jitter = 0.05`.
///
/// Nothing is validated here: change fields as needed, then call
/// `wtas_params_init`.
///
/// Returns `WTAS_ERR_NULL` or `WTAS_ERR_ALIGN` for a bad `config` pointer.
///
/// # Safety
/// `config` is NULL or points to writable memory for one `wtas_config`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wtas_config_default(
    config: *mut Config,
    n_units: usize,
    tau_m: f32,
) -> wtas_status {
    guard(|| {
        usable(config)?;
        // SAFETY: non-null and aligned (checked), writable by the contract.
        unsafe { config.write(Config::new(n_units, tau_m)) };
        Ok(())
    })
}

/// Validates `*config` and, on success, writes the result to `*params`.
///
/// Fields are checked in declaration order and the first failure is
/// returned: `WTAS_ERR_N_UNITS`, `WTAS_ERR_BATCH_SIZE`, `WTAS_ERR_SIZE`,
/// `WTAS_ERR_TAU_M`, `WTAS_ERR_RESIST_M`, `WTAS_ERR_THR_BASE`,
/// `WTAS_ERR_THR_GAIN`, `WTAS_ERR_REFRACT_TIME`, `WTAS_ERR_THR_JITTER`.
/// `*params` is untouched on error.
///
/// # Safety
/// `params` is NULL or points to writable memory for one `wtas_params`;
/// `config` is NULL or points to a readable `wtas_config`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wtas_params_init(
    params: *mut wtas_params,
    config: *const Config,
) -> wtas_status {
    guard(|| {
        non_null(params)?;
        non_null(config)?;
        aligned(params)?;
        aligned(config)?;
        // SAFETY: non-null and aligned (checked), readable by the contract;
        // `Config` holds only integers and floats.
        let config = unsafe { config.read() };
        let validated = validate(config)?;
        let out = wtas_params {
            config,
            len: validated.len(),
            magic: PARAMS_MAGIC,
        };
        // SAFETY: non-null and aligned (checked), writable by the contract.
        unsafe { params.write(out) };
        Ok(())
    })
}

// ---------------------------------------------------------------------------
// Bound cell
// ---------------------------------------------------------------------------

/// Binds `*buffers` to `*cell` under `*params`, after checking pointers,
/// lengths and that no two buffers overlap.
///
/// Only `*cell` is written: the buffers are neither read nor written, so
/// they may be uninitialised. Then either start a fresh state with
/// `wtas_cell_seed` or `wtas_cell_set_threshold0`, or keep a state the
/// buffers already hold (for example one kept in retained RAM) and go on
/// with `wtas_cell_advance`. Binding again rebinds.
///
/// # Safety
/// `cell` is NULL or points to writable memory for one `wtas_cell`;
/// `params` and `buffers` are NULL or point to readable objects. The
/// buffers must stay valid for reads and writes as long as the cell is
/// used, and nothing else may access them during a `wtas_cell_*` call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wtas_cell_bind(
    cell: *mut wtas_cell,
    params: *const wtas_params,
    buffers: *const wtas_buffers,
) -> wtas_status {
    guard(|| {
        non_null(cell)?;
        non_null(params)?;
        non_null(buffers)?;
        aligned(cell)?;
        // SAFETY: readable by the contract; null and alignment checked inside.
        let bufs = unsafe { load_buffers(buffers) }?;
        // SAFETY: as above.
        let p = unsafe { load_params(params) }?;
        bufs.check(&p)?;
        // SAFETY: `params` passed `load_params`, so it is readable and aligned.
        let params = unsafe { params.read() };
        let out = wtas_cell {
            params,
            buffers: bufs,
            magic: CELL_MAGIC,
        };
        // SAFETY: non-null and aligned (checked), writable by the contract.
        unsafe { cell.write(out) };
        Ok(())
    })
}

/// Starts a fresh state in a bound cell: draws the initial thresholds
/// `thr_base + thr_jitter * (2u - 1)`, `u` uniform, from `seed` (the same
/// seed gives the same bits on every target), copies them to every row of
/// `thr`, and resets `v = s = tols = 0`, `rfr = refract_time`. `j` is kept.
///
/// # Safety
/// `cell` is NULL or points to a readable `wtas_cell`; if it was bound,
/// its buffers are valid and not accessed by anyone else during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wtas_cell_seed(cell: *mut wtas_cell, seed: u64) -> wtas_status {
    guard(|| {
        // SAFETY: readable by the contract; checks inside.
        let (params, bufs, _) = unsafe { load_cell(cell) }?;
        // SAFETY: `load_cell` checked the buffers; valid and exclusive by contract.
        let slices = unsafe { bufs.slices() };
        Cell::new_seeded(params, slices, seed)?;
        Ok(())
    })
}

/// Starts a fresh state in a bound cell from injected initial thresholds:
/// copies `threshold0` (`n_units` values) to every row of `thr`, and
/// resets `v = s = tols = 0`, `rfr = refract_time`. `j` is kept. This is
/// how a saved model is restored or a recorded trajectory replayed.
///
/// `WTAS_ERR_LENGTH` if `len != n_units`, `WTAS_ERR_ALIAS` if
/// `threshold0` overlaps a state buffer, `WTAS_ERR_THRESHOLD_NAN` if it
/// holds a NaN.
///
/// # Safety
/// As `wtas_cell_seed`; `threshold0` is NULL or readable for `len` floats.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wtas_cell_set_threshold0(
    cell: *mut wtas_cell,
    threshold0: *const f32,
    len: usize,
) -> wtas_status {
    guard(|| {
        non_null(cell)?;
        non_null(threshold0)?;
        // SAFETY: readable by the contract; checks inside.
        let (params, bufs, spans) = unsafe { load_cell(cell) }?;
        // SAFETY: as `wtas_cell_seed`, plus `threshold0` readable by contract.
        unsafe { set_threshold0(params, bufs, spans, threshold0, len) }
    })
}

/// Advances every batch row of a bound cell by one step at time `t` with
/// step `dt`, reading `j` and updating `v`, `s`, `thr`, `rfr` and `tols`.
///
/// `WTAS_ERR_TIME` if `t` is not finite, `WTAS_ERR_DT` if `dt` is not
/// finite and > 0. Allocates nothing; a row's work depends only on its
/// length.
///
/// # Safety
/// As `wtas_cell_seed`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wtas_cell_advance(cell: *mut wtas_cell, t: f32, dt: f32) -> wtas_status {
    guard(|| {
        // SAFETY: readable by the contract; checks inside.
        let (params, bufs, _) = unsafe { load_cell(cell) }?;
        // SAFETY: as `wtas_cell_seed`.
        unsafe { advance(params, bufs, t, dt) }
    })
}

/// The reference's `reset()` on a bound cell: `v = s = tols = 0`,
/// `rfr = refract_time`, thresholds kept, and `j` zeroed only if `zero_j`
/// (ngclearn zeroes it unless another component drives it).
///
/// # Safety
/// As `wtas_cell_seed`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wtas_cell_reset(cell: *mut wtas_cell, zero_j: bool) -> wtas_status {
    guard(|| {
        // SAFETY: readable by the contract; checks inside.
        let (params, bufs, _) = unsafe { load_cell(cell) }?;
        // SAFETY: as `wtas_cell_seed`.
        unsafe { reset(params, bufs, zero_j) }
    })
}

// ---------------------------------------------------------------------------
// Per call: parameters and buffers passed to each call
// ---------------------------------------------------------------------------

/// `wtas_cell_seed` without a cell: checks `*buffers` as `wtas_cell_bind`
/// does, then seeds them.
///
/// # Safety
/// `params` and `buffers` are NULL or point to readable objects; the
/// buffers are valid for reads and writes of their lengths and not
/// accessed by anyone else during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wtas_seed(
    params: *const wtas_params,
    buffers: *const wtas_buffers,
    seed: u64,
) -> wtas_status {
    guard(|| {
        // SAFETY: contract of this function; checks inside.
        let (params, bufs, _) = unsafe { load_call(params, buffers) }?;
        // SAFETY: checked by `load_call`; valid and exclusive by contract.
        let slices = unsafe { bufs.slices() };
        Cell::new_seeded(params, slices, seed)?;
        Ok(())
    })
}

/// `wtas_cell_set_threshold0` without a cell.
///
/// # Safety
/// As `wtas_seed`; `threshold0` is NULL or readable for `len` floats.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wtas_set_threshold0(
    params: *const wtas_params,
    buffers: *const wtas_buffers,
    threshold0: *const f32,
    len: usize,
) -> wtas_status {
    guard(|| {
        non_null(params)?;
        non_null(buffers)?;
        non_null(threshold0)?;
        // SAFETY: contract of this function; checks inside.
        let (params, bufs, spans) = unsafe { load_call(params, buffers) }?;
        // SAFETY: as above.
        unsafe { set_threshold0(params, bufs, spans, threshold0, len) }
    })
}

/// `wtas_cell_advance` without a cell.
///
/// # Safety
/// As `wtas_seed`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wtas_advance(
    params: *const wtas_params,
    buffers: *const wtas_buffers,
    t: f32,
    dt: f32,
) -> wtas_status {
    guard(|| {
        // SAFETY: contract of this function; checks inside.
        let (params, bufs, _) = unsafe { load_call(params, buffers) }?;
        // SAFETY: as above.
        unsafe { advance(params, bufs, t, dt) }
    })
}

/// `wtas_cell_reset` without a cell.
///
/// # Safety
/// As `wtas_seed`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wtas_reset(
    params: *const wtas_params,
    buffers: *const wtas_buffers,
    zero_j: bool,
) -> wtas_status {
    guard(|| {
        // SAFETY: contract of this function; checks inside.
        let (params, bufs, _) = unsafe { load_call(params, buffers) }?;
        // SAFETY: as above.
        unsafe { reset(params, bufs, zero_j) }
    })
}

/// Loads and checks per-call arguments: nulls first, then params, then buffers.
///
/// # Safety
/// Both are NULL or point to readable objects.
unsafe fn load_call(
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

/// Shared body of the two `set_threshold0` forms.
///
/// # Safety
/// `bufs` passed `check` (giving `spans`) and is valid and exclusive;
/// `threshold0` is non-null and readable for `len` floats.
unsafe fn set_threshold0(
    params: Params,
    bufs: wtas_buffers,
    spans: [(usize, usize); 6],
    threshold0: *const f32,
    len: usize,
) -> Status {
    let t0 = input_span(threshold0, len)?;
    if len != params.n_units() {
        return Err(wtas_status::WTAS_ERR_LENGTH);
    }
    if spans.iter().any(|&s| overlap(s, t0)) {
        return Err(wtas_status::WTAS_ERR_ALIAS);
    }
    // SAFETY: non-null, aligned, size-checked, readable by contract, and
    // disjoint from every `&mut` buffer below.
    let thr0 = unsafe { core::slice::from_raw_parts(threshold0, len) };
    // SAFETY: contract of this function.
    let slices = unsafe { bufs.slices() };
    Cell::new(params, slices, thr0)?;
    Ok(())
}

/// Shared body of the two `advance` forms.
///
/// # Safety
/// `bufs` passed `check` and is valid and exclusive.
unsafe fn advance(params: Params, bufs: wtas_buffers, t: f32, dt: f32) -> Status {
    // SAFETY: contract of this function.
    let slices = unsafe { bufs.slices() };
    Cell::bind(params, slices)?.advance(t, dt)?;
    Ok(())
}

/// Shared body of the two `reset` forms.
///
/// # Safety
/// `bufs` passed `check` and is valid and exclusive.
unsafe fn reset(params: Params, bufs: wtas_buffers, zero_j: bool) -> Status {
    // SAFETY: contract of this function.
    let slices = unsafe { bufs.slices() };
    let input = if zero_j {
        InputReset::Zero
    } else {
        InputReset::Keep
    };
    Cell::bind(params, slices)?.reset(input);
    Ok(())
}

// ---------------------------------------------------------------------------
// Kernel building blocks
// ---------------------------------------------------------------------------

/// Writes the NaN-propagating maximum of `x[0..len]` to `*max`: any NaN
/// gives NaN, an empty row gives `-INFINITY`.
///
/// # Safety
/// `x` is NULL or readable for `len` floats; `max` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wtas_row_max(x: *const f32, len: usize, max: *mut f32) -> wtas_status {
    guard(|| {
        non_null(x)?;
        non_null(max)?;
        let xs = input_span(x, len)?;
        aligned(max)?;
        if overlap(xs, span(max, 1)?) {
            return Err(wtas_status::WTAS_ERR_ALIAS);
        }
        // SAFETY: non-null, aligned, size-checked, readable by contract.
        let x = unsafe { core::slice::from_raw_parts(x, len) };
        let m = kernels::row_max(x);
        // SAFETY: non-null, aligned, writable by contract; `x` no longer used.
        unsafe { max.write(m) };
        Ok(())
    })
}

/// This crate's `exp` of one value, written to `*out`: at most 2 ulp from
/// the correctly rounded result, never subnormal, `exp(-inf) = +0`.
///
/// # Safety
/// `out` is NULL or writable for one float.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wtas_exp(x: f32, out: *mut f32) -> wtas_status {
    guard(|| {
        usable(out)?;
        // SAFETY: non-null, aligned, writable by contract.
        unsafe { out.write(kernels::exp_f32(x)) };
        Ok(())
    })
}

/// `out[i] = exp(x[i] - max)` for `i < len`, and the sum of `out` in
/// `*sum`. `max` is normally `wtas_row_max(x)`; a NaN or infinite `max`
/// makes every `out[i]` and the sum NaN.
///
/// `WTAS_ERR_LENGTH` if `out_len != x_len`; `WTAS_ERR_ALIAS` if `out`
/// overlaps `x` (no in-place form) or `sum` points into either.
///
/// # Safety
/// `x` is NULL or readable for `x_len` floats, `out` NULL or writable for
/// `out_len` floats, `sum` NULL or writable for one float.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wtas_exp_sum(
    x: *const f32,
    x_len: usize,
    max: f32,
    out: *mut f32,
    out_len: usize,
    sum: *mut f32,
) -> wtas_status {
    guard(|| {
        non_null(x)?;
        non_null(out)?;
        non_null(sum)?;
        let xs = input_span(x, x_len)?;
        let os = input_span(out, out_len)?;
        aligned(sum)?;
        if x_len != out_len {
            return Err(wtas_status::WTAS_ERR_LENGTH);
        }
        disjoint(&[xs, os, span(sum, 1)?])?;
        // SAFETY: non-null, aligned, size-checked, readable by contract,
        // disjoint from `out`.
        let x = unsafe { core::slice::from_raw_parts(x, x_len) };
        // SAFETY: as above, writable by contract.
        let out = unsafe { core::slice::from_raw_parts_mut(out, out_len) };
        let total = kernels::exp_sum(x, max, out)?;
        // SAFETY: non-null, aligned, writable, disjoint from both slices.
        unsafe { sum.write(total) };
        Ok(())
    })
}

/// In place: `e_then_s[i] = (e_then_s[i] / sum > thr[i]) ? 1.0 : 0.0`,
/// and the number of spikes (as a float) in `*count`. This is the spike
/// rule on the output of `wtas_exp_sum`; a NaN probability or threshold
/// never spikes.
///
/// `WTAS_ERR_LENGTH` if `thr_len != len`; `WTAS_ERR_ALIAS` if `thr`
/// overlaps `e_then_s` or `count` points into either.
///
/// # Safety
/// `e_then_s` is NULL or readable and writable for `len` floats, `thr`
/// NULL or readable for `thr_len` floats, `count` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wtas_spike_mask(
    e_then_s: *mut f32,
    len: usize,
    sum: f32,
    thr: *const f32,
    thr_len: usize,
    count: *mut f32,
) -> wtas_status {
    guard(|| {
        non_null(e_then_s)?;
        non_null(thr)?;
        non_null(count)?;
        let es = input_span(e_then_s, len)?;
        let ts = input_span(thr, thr_len)?;
        aligned(count)?;
        if thr_len != len {
            return Err(wtas_status::WTAS_ERR_LENGTH);
        }
        disjoint(&[es, ts, span(count, 1)?])?;
        // SAFETY: non-null, aligned, size-checked, readable and writable by
        // contract, disjoint from `thr`.
        let e = unsafe { core::slice::from_raw_parts_mut(e_then_s, len) };
        // SAFETY: as above, readable by contract.
        let thr = unsafe { core::slice::from_raw_parts(thr, thr_len) };
        let n = kernels::spike_mask(e, sum, thr)?;
        // SAFETY: non-null, aligned, writable, disjoint from both slices.
        unsafe { count.write(n) };
        Ok(())
    })
}

/// `out = softmax(x)`: `exp(x - max(x)) / sum`, as the reference computes
/// it. A row holding a NaN, a `+inf`, or only `-inf` gives all-NaN output.
///
/// `WTAS_ERR_LENGTH` if `out_len != x_len`; `WTAS_ERR_ALIAS` if `out`
/// overlaps `x` (no in-place form).
///
/// # Safety
/// `x` is NULL or readable for `x_len` floats, `out` NULL or writable for
/// `out_len` floats.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wtas_softmax(
    x: *const f32,
    x_len: usize,
    out: *mut f32,
    out_len: usize,
) -> wtas_status {
    guard(|| {
        non_null(x)?;
        non_null(out)?;
        let xs = input_span(x, x_len)?;
        let os = input_span(out, out_len)?;
        if x_len != out_len {
            return Err(wtas_status::WTAS_ERR_LENGTH);
        }
        disjoint(&[xs, os])?;
        // SAFETY: non-null, aligned, size-checked, readable by contract,
        // disjoint from `out`.
        let x = unsafe { core::slice::from_raw_parts(x, x_len) };
        // SAFETY: as above, writable by contract.
        let out = unsafe { core::slice::from_raw_parts_mut(out, out_len) };
        kernels::softmax(x, out)?;
        Ok(())
    })
}

// ---------------------------------------------------------------------------
// Version and messages
// ---------------------------------------------------------------------------

/// The library version, e.g. `"0.1.0"`: a static NUL-terminated string.
/// Cannot fail.
#[unsafe(no_mangle)]
pub extern "C" fn wtas_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// A static, NUL-terminated English message for a status code (a
/// `wtas_status` value as an `int`); unknown codes get
/// `"unknown wtas status code"`. Never NULL, never fails.
#[unsafe(no_mangle)]
pub extern "C" fn wtas_strerror(code: c_int) -> *const c_char {
    let msg: &'static core::ffi::CStr = match code {
        0 => c"success",
        1 => c"null pointer argument",
        2 => c"pointer not aligned for its type",
        3 => c"uninitialised or corrupted wtas_params / wtas_cell",
        4 => c"buffer has the wrong number of elements",
        5 => c"buffers overlap",
        6 => c"n_units must be at least 1",
        7 => c"batch_size must be at least 1",
        8 => c"n_units * batch_size * sizeof(float) overflows",
        9 => c"tau_m must be finite and > 0",
        10 => c"resist_m must be finite",
        11 => c"thr_base must be finite",
        12 => c"thr_gain must be finite",
        13 => c"refract_time must be finite and >= 0",
        14 => c"thr_jitter must be finite and >= 0",
        15 => c"a threshold is NaN",
        16 => c"t must be finite",
        17 => c"dt must be finite and > 0",
        18 => c"backend not available on this CPU",
        19 => c"internal error: panic caught at the C boundary",
        _ => c"unknown wtas status code",
    };
    msg.as_ptr()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_has_its_own_message() {
        let all = [
            wtas_status::WTAS_OK,
            wtas_status::WTAS_ERR_NULL,
            wtas_status::WTAS_ERR_ALIGN,
            wtas_status::WTAS_ERR_HANDLE,
            wtas_status::WTAS_ERR_LENGTH,
            wtas_status::WTAS_ERR_ALIAS,
            wtas_status::WTAS_ERR_N_UNITS,
            wtas_status::WTAS_ERR_BATCH_SIZE,
            wtas_status::WTAS_ERR_SIZE,
            wtas_status::WTAS_ERR_TAU_M,
            wtas_status::WTAS_ERR_RESIST_M,
            wtas_status::WTAS_ERR_THR_BASE,
            wtas_status::WTAS_ERR_THR_GAIN,
            wtas_status::WTAS_ERR_REFRACT_TIME,
            wtas_status::WTAS_ERR_THR_JITTER,
            wtas_status::WTAS_ERR_THRESHOLD_NAN,
            wtas_status::WTAS_ERR_TIME,
            wtas_status::WTAS_ERR_DT,
            wtas_status::WTAS_ERR_BACKEND,
            wtas_status::WTAS_ERR_PANIC,
        ];
        let unknown = wtas_strerror(-1);
        for (i, s) in all.iter().enumerate() {
            assert_eq!(*s as c_int, i as c_int);
            let m = wtas_strerror(i as c_int);
            assert_ne!(m, unknown, "{s:?}");
            for j in 0..i {
                assert_ne!(m, wtas_strerror(j as c_int));
            }
        }
        assert_eq!(wtas_strerror(all.len() as c_int), unknown);
    }
}
