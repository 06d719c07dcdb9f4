//! Binding a cell and starting its state: `wtas_cell_bind`, seeding and
//! injected thresholds, in the bound and the per-call forms.

use super::check::{Status, aligned, input_span, non_null, overlap};
use super::handle::{load_buffers, load_call, load_cell, load_params};
use super::status::guard;
use super::{wtas_buffers, wtas_cell, wtas_params, wtas_status};
use crate::{Cell, Params};

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
#[cfg_attr(
    doc,
    doc = r#"
# Example of a failure

```
use wtas::ffi::*;
// Every pointer is checked first: nothing is written.
let status = unsafe { wtas_cell_bind(core::ptr::null_mut(), core::ptr::null(), core::ptr::null()) };
assert_eq!(status, wtas_status::WTAS_ERR_NULL);
```
"#
)]
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
        // SAFETY: non-null and aligned (checked), writable by the contract.
        unsafe { cell.write(wtas_cell::sealed(params, bufs)) };
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
#[cfg_attr(
    doc,
    doc = r#"
# Example of a failure

```
use wtas::ffi::*;
assert_eq!(unsafe { wtas_cell_seed(core::ptr::null_mut(), 42) }, wtas_status::WTAS_ERR_NULL);
```
"#
)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wtas_cell_seed(cell: *mut wtas_cell, seed: u64) -> wtas_status {
    guard(|| {
        // SAFETY: readable by the contract; checks inside.
        let (params, bufs, _) = unsafe { load_cell(cell) }?;
        // SAFETY: `load_cell` checked the buffers; valid and exclusive by contract.
        let slices = unsafe { bufs.slices() };
        Cell::new(params, slices, seed)?;
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
#[cfg_attr(
    doc,
    doc = r#"
# Example of a failure

```
use wtas::ffi::*;
let thr0 = [0.3_f32; 4];
let status = unsafe { wtas_cell_set_threshold0(core::ptr::null_mut(), thr0.as_ptr(), 4) };
assert_eq!(status, wtas_status::WTAS_ERR_NULL);
```
"#
)]
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

/// `wtas_cell_seed` without a cell: checks `*buffers` as `wtas_cell_bind`
/// does, then seeds them.
///
/// # Safety
/// `params` and `buffers` are NULL or point to readable objects; the
/// buffers are valid for reads and writes of their lengths and not
/// accessed by anyone else during the call.
#[cfg_attr(
    doc,
    doc = r#"
# Example of a failure

```
use wtas::ffi::*;
let status = unsafe { wtas_seed(core::ptr::null(), core::ptr::null(), 42) };
assert_eq!(status, wtas_status::WTAS_ERR_NULL);
```
"#
)]
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
        Cell::new(params, slices, seed)?;
        Ok(())
    })
}

/// `wtas_cell_set_threshold0` without a cell.
///
/// # Safety
/// As `wtas_seed`; `threshold0` is NULL or readable for `len` floats.
#[cfg_attr(
    doc,
    doc = r#"
# Example of a failure

```
use wtas::ffi::*;
let thr0 = [0.3_f32; 4];
let status =
    unsafe { wtas_set_threshold0(core::ptr::null(), core::ptr::null(), thr0.as_ptr(), 4) };
assert_eq!(status, wtas_status::WTAS_ERR_NULL);
```
"#
)]
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
    Cell::with_thresholds(params, slices, thr0)?;
    Ok(())
}
