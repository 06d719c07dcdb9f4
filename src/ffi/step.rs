//! One step and the reset, in the bound (`wtas_cell_*`) and the per-call
//! (`wtas_*`) forms.

use super::check::Status;
use super::handle::{load_call, load_cell};
use super::status::guard;
use super::{wtas_buffers, wtas_cell, wtas_params, wtas_status};
use crate::{Cell, InputReset, Params};

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
#[cfg_attr(
    doc,
    doc = r#"
# Example of a failure

```
use wtas::ffi::*;
let status = unsafe { wtas_cell_advance(core::ptr::null_mut(), 0.0, 1.0) };
assert_eq!(status, wtas_status::WTAS_ERR_NULL);
```
"#
)]
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
#[cfg_attr(
    doc,
    doc = r#"
# Example of a failure

```
use wtas::ffi::*;
let status = unsafe { wtas_cell_reset(core::ptr::null_mut(), true) };
assert_eq!(status, wtas_status::WTAS_ERR_NULL);
```
"#
)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wtas_cell_reset(cell: *mut wtas_cell, zero_j: bool) -> wtas_status {
    guard(|| {
        // SAFETY: readable by the contract; checks inside.
        let (params, bufs, _) = unsafe { load_cell(cell) }?;
        // SAFETY: as `wtas_cell_seed`.
        unsafe { reset(params, bufs, zero_j) }
    })
}

/// `wtas_cell_advance` without a cell.
///
/// # Safety
/// As `wtas_seed`.
#[cfg_attr(
    doc,
    doc = r#"
# Example of a failure

```
use wtas::ffi::*;
let status = unsafe { wtas_advance(core::ptr::null(), core::ptr::null(), 0.0, 1.0) };
assert_eq!(status, wtas_status::WTAS_ERR_NULL);
```
"#
)]
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
#[cfg_attr(
    doc,
    doc = r#"
# Example of a failure

```
use wtas::ffi::*;
let status = unsafe { wtas_reset(core::ptr::null(), core::ptr::null(), false) };
assert_eq!(status, wtas_status::WTAS_ERR_NULL);
```
"#
)]
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
