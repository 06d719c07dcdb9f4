//! The cell's entry points: binding (`wtas_cell_bind`), starting a state
//! (seeded or injected thresholds), the step and the reset; and the same
//! four without a cell (`wtas_seed`, ...), each a temporary cell bound
//! for one call.

use core::mem::MaybeUninit;

use super::check::{arg, args, input_span, overlap, span};
use super::handle::{Opened, load_buffers, load_params, with_cell};
use super::status::guard;
use super::{wtas_buffers, wtas_cell, wtas_params, wtas_status};
use crate::{Buffers, Cell, InputReset, StateStorage};

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
#[cfg_attr(doc, doc = failure_example!(r#"
use wtas::ffi::*;
// Every pointer is checked first: nothing is written.
let status = unsafe { wtas_cell_bind(core::ptr::null_mut(), core::ptr::null(), core::ptr::null()) };
assert_eq!(status, wtas_status::WTAS_ERR_NULL);
"#))]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wtas_cell_bind(
    cell: *mut wtas_cell,
    params: *const wtas_params,
    buffers: *const wtas_buffers,
) -> wtas_status {
    guard(|| {
        args([arg(cell), arg(params), arg(buffers)])?;
        // SAFETY: non-null and aligned (checked), readable by the contract.
        let bufs = unsafe { load_buffers(buffers) };
        // SAFETY: as above.
        let (raw, p) = unsafe { load_params(params) }?;
        bufs.check(&p)?;
        // SAFETY: non-null and aligned (checked), writable by the contract.
        unsafe { cell.write(wtas_cell::sealed(raw, bufs)) };
        Ok(())
    })
}

/// Every call on a bound cell: the pointer checks (`cell` and `more`),
/// then [`with_cell`].
///
/// # Safety
/// As `wtas_cell_seed`.
unsafe fn on_cell<'a>(
    cell: *mut wtas_cell,
    more: Option<*const f32>,
    f: impl FnOnce(Opened<'a>) -> Result<bool, wtas_status>,
) -> wtas_status {
    guard(|| {
        match more {
            Some(p) => args([arg(cell), arg(p)])?,
            None => args([arg(cell)])?,
        }
        // SAFETY: non-null and aligned (checked); the rest by the contract.
        unsafe { with_cell(cell, f) }
    })
}

/// [`on_cell`] for a call on the cell the handle holds (its state kept).
///
/// # Safety
/// As `wtas_cell_seed`.
unsafe fn on_bound(
    cell: *mut wtas_cell,
    act: impl FnOnce(&mut Cell<Buffers<'_>>) -> Result<(), crate::Error>,
) -> wtas_status {
    // SAFETY: the contract of this function.
    unsafe {
        on_cell(cell, None, |o| {
            let mut c = o.cell();
            act(&mut c)?;
            Ok(c.is_plain())
        })
    }
}

/// `f`, typed for buffers of any lifetime (a closure's lifetimes are not
/// inferred as generic otherwise).
fn for_any_buffers<F>(f: F) -> F
where
    F: for<'a> FnOnce(Opened<'a>) -> Result<bool, wtas_status>,
{
    f
}

/// Every call without a cell: binds a temporary one (the same checks and
/// statuses as `wtas_cell_bind`), then runs `f` on it.
///
/// # Safety
/// As `wtas_seed`.
unsafe fn on_temporary(
    params: *const wtas_params,
    buffers: *const wtas_buffers,
    f: impl FnOnce(*mut wtas_cell) -> wtas_status,
) -> wtas_status {
    let mut cell = MaybeUninit::<wtas_cell>::uninit();
    // SAFETY: the contract of this function; `cell` is writable.
    match unsafe { wtas_cell_bind(cell.as_mut_ptr(), params, buffers) } {
        wtas_status::WTAS_OK => f(cell.as_mut_ptr()),
        failed => failed,
    }
}

/// Starts a fresh state in a bound cell: draws the initial thresholds
/// `thr_base + thr_jitter * (2u - 1)`, `u` uniform, from `seed` (the same
/// seed gives the same bits on every target), copies them to every row of
/// `thr`, and resets `v = s = tols = 0`, `rfr = refract_time`. `j` is kept.
///
/// # Safety
/// `cell` is NULL or points to a readable and writable `wtas_cell`; if it was bound,
/// its buffers are valid and not accessed by anyone else during the call.
#[cfg_attr(doc, doc = failure_example!(r#"
use wtas::ffi::*;
assert_eq!(unsafe { wtas_cell_seed(core::ptr::null_mut(), 42) }, wtas_status::WTAS_ERR_NULL);
"#))]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wtas_cell_seed(cell: *mut wtas_cell, seed: u64) -> wtas_status {
    // SAFETY: the contract of this function.
    unsafe {
        on_cell(cell, None, |o| {
            Ok(Cell::new(o.params, o.bufs, seed)?.is_plain())
        })
    }
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
#[cfg_attr(doc, doc = failure_example!(r#"
use wtas::ffi::*;
let thr0 = [0.3_f32; 4];
let status = unsafe { wtas_cell_set_threshold0(core::ptr::null_mut(), thr0.as_ptr(), 4) };
assert_eq!(status, wtas_status::WTAS_ERR_NULL);
"#))]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wtas_cell_set_threshold0(
    cell: *mut wtas_cell,
    threshold0: *const f32,
    len: usize,
) -> wtas_status {
    let set = for_any_buffers(|o| {
        let t0 = input_span(threshold0, len)?;
        if len != o.params.n_units() {
            return Err(wtas_status::WTAS_ERR_LENGTH);
        }
        // The state's slices are the buffers `wtas_cell_bind` checked.
        for buf in o.bufs.view() {
            if overlap(span(buf.as_ptr(), buf.len())?, t0) {
                return Err(wtas_status::WTAS_ERR_ALIAS);
            }
        }
        // SAFETY: non-null, aligned, size-checked, readable by the
        // contract, and disjoint from every state buffer.
        let thr0 = unsafe { core::slice::from_raw_parts(threshold0, len) };
        Ok(Cell::with_thresholds(o.params, o.bufs, thr0)?.is_plain())
    });
    // SAFETY: the contract of this function.
    unsafe { on_cell(cell, Some(threshold0), set) }
}

/// Advances every batch row of a bound cell by one step at time `t` with
/// step `dt`, reading `j` and updating `v`, `s`, `thr`, `rfr` and `tols`.
///
/// The rules are the reference's, exactly: `v = j * resist_m` where
/// `rfr >= refract_time`, else `+0.0`; a row-wise softmax; a spike where
/// the probability exceeds `thr`; `thr = max(thr + (count - 1) * thr_gain,
/// 0.025)`, which stays NaN once NaN (`inf - inf`); `rfr = (rfr + dt) *
/// (1 - s) + s * dt`, which becomes NaN where `rfr + dt` overflows on a
/// spiking unit; `tols = (1 - s) * tols + s * t`. As in the reference,
/// which runs with flush-to-zero and denormals-are-zero, every arithmetic
/// operation reads a subnormal operand as a zero of the same sign and
/// writes a subnormal result as one (a subnormal `j`, `resist_m`, `t`,
/// `dt` or `thr_gain` counts as zero), except that with `resist_m` exactly
/// 1 or -1 a subnormal `j` reaches `v` unflushed. Every NaN written is the
/// quiet NaN `0x7fc00000`. State with NaN thresholds or timers is valid
/// input: a bound cell steps it as the reference would.
///
/// `WTAS_ERR_TIME` if `t` is not finite, `WTAS_ERR_DT` if `dt` is not
/// finite and > 0. Allocates nothing; a row's work depends only on its
/// length.
///
/// # Safety
/// As `wtas_cell_seed`.
#[cfg_attr(doc, doc = failure_example!(r#"
use wtas::ffi::*;
let status = unsafe { wtas_cell_advance(core::ptr::null_mut(), 0.0, 1.0) };
assert_eq!(status, wtas_status::WTAS_ERR_NULL);
"#))]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wtas_cell_advance(cell: *mut wtas_cell, t: f32, dt: f32) -> wtas_status {
    // SAFETY: the contract of this function.
    unsafe { on_cell(cell, None, |o| Ok(o.advance(t, dt)?)) }
}

/// The reference's `reset()` on a bound cell: `v = s = tols = 0`,
/// `rfr = refract_time`, thresholds kept, and `j` zeroed only if `zero_j`
/// (ngclearn zeroes it unless another component drives it).
///
/// # Safety
/// As `wtas_cell_seed`.
#[cfg_attr(doc, doc = failure_example!(r#"
use wtas::ffi::*;
let status = unsafe { wtas_cell_reset(core::ptr::null_mut(), true) };
assert_eq!(status, wtas_status::WTAS_ERR_NULL);
"#))]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wtas_cell_reset(cell: *mut wtas_cell, zero_j: bool) -> wtas_status {
    let input = if zero_j {
        InputReset::Zero
    } else {
        InputReset::Keep
    };
    // SAFETY: the contract of this function.
    unsafe {
        on_bound(cell, |c| {
            c.reset(input);
            Ok(())
        })
    }
}

/// `wtas_cell_seed` without a cell: binds a temporary cell as
/// `wtas_cell_bind` does (same checks, same statuses), then seeds it.
///
/// # Safety
/// `params` and `buffers` are NULL or point to readable objects; the
/// buffers are valid for reads and writes of their lengths and not
/// accessed by anyone else during the call.
#[cfg_attr(doc, doc = failure_example!(r#"
use wtas::ffi::*;
let status = unsafe { wtas_seed(core::ptr::null(), core::ptr::null(), 42) };
assert_eq!(status, wtas_status::WTAS_ERR_NULL);
"#))]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wtas_seed(
    params: *const wtas_params,
    buffers: *const wtas_buffers,
    seed: u64,
) -> wtas_status {
    // SAFETY: the contract of this function.
    unsafe { on_temporary(params, buffers, |c| wtas_cell_seed(c, seed)) }
}

/// `wtas_cell_set_threshold0` without a cell: binds a temporary cell as
/// `wtas_cell_bind` does, then calls it.
///
/// # Safety
/// As `wtas_seed`; `threshold0` is NULL or readable for `len` floats.
#[cfg_attr(doc, doc = failure_example!(r#"
use wtas::ffi::*;
let thr0 = [0.3_f32; 4];
let status =
    unsafe { wtas_set_threshold0(core::ptr::null(), core::ptr::null(), thr0.as_ptr(), 4) };
assert_eq!(status, wtas_status::WTAS_ERR_NULL);
"#))]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wtas_set_threshold0(
    params: *const wtas_params,
    buffers: *const wtas_buffers,
    threshold0: *const f32,
    len: usize,
) -> wtas_status {
    if threshold0.is_null() {
        // Null pointers come first, before the buffers are checked.
        return wtas_status::WTAS_ERR_NULL;
    }
    // SAFETY: the contract of this function.
    unsafe {
        on_temporary(params, buffers, |c| {
            wtas_cell_set_threshold0(c, threshold0, len)
        })
    }
}

/// `wtas_cell_advance` without a cell: binds a temporary cell as
/// `wtas_cell_bind` does, then steps it (through the general path: a
/// temporary cell has not seen the state before).
///
/// # Safety
/// As `wtas_seed`.
#[cfg_attr(doc, doc = failure_example!(r#"
use wtas::ffi::*;
let status = unsafe { wtas_advance(core::ptr::null(), core::ptr::null(), 0.0, 1.0) };
assert_eq!(status, wtas_status::WTAS_ERR_NULL);
"#))]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wtas_advance(
    params: *const wtas_params,
    buffers: *const wtas_buffers,
    t: f32,
    dt: f32,
) -> wtas_status {
    // SAFETY: the contract of this function.
    unsafe { on_temporary(params, buffers, |c| wtas_cell_advance(c, t, dt)) }
}

/// `wtas_cell_reset` without a cell: binds a temporary cell as
/// `wtas_cell_bind` does, then resets it.
///
/// # Safety
/// As `wtas_seed`.
#[cfg_attr(doc, doc = failure_example!(r#"
use wtas::ffi::*;
let status = unsafe { wtas_reset(core::ptr::null(), core::ptr::null(), false) };
assert_eq!(status, wtas_status::WTAS_ERR_NULL);
"#))]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wtas_reset(
    params: *const wtas_params,
    buffers: *const wtas_buffers,
    zero_j: bool,
) -> wtas_status {
    // SAFETY: the contract of this function.
    unsafe { on_temporary(params, buffers, |c| wtas_cell_reset(c, zero_j)) }
}
