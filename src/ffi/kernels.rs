//! The kernel building blocks: row maximum, `exp`, exp-sum, spike mask
//! and softmax, each on caller-owned arrays.

use super::check::{aligned, disjoint, input_span, non_null, overlap, span, usable};
use super::status::guard;
use super::wtas_status;
use crate::kernels;

/// Writes the NaN-propagating maximum of the `len` values at `x` to
/// `*max`: any NaN gives NaN, an empty row gives `-INFINITY`.
///
/// # Safety
/// `x` is NULL or readable for `len` floats; `max` is NULL or writable.
#[cfg_attr(
    doc,
    doc = r#"
# Example of a failure

```
use wtas::ffi::*;
let x = [1.0_f32, 2.0];
let status = unsafe { wtas_row_max(x.as_ptr(), x.len(), core::ptr::null_mut()) };
assert_eq!(status, wtas_status::WTAS_ERR_NULL);
```
"#
)]
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

/// The reference's `exp` of one value (the polynomial its compiled softmax
/// runs), written to `*out`: results below `FLT_MIN` are `+0`,
/// `exp(-inf) = +0`.
///
/// # Safety
/// `out` is NULL or writable for one float.
#[cfg_attr(
    doc,
    doc = r#"
# Example of a failure

```
use wtas::ffi::*;
assert_eq!(unsafe { wtas_exp(1.0, core::ptr::null_mut()) }, wtas_status::WTAS_ERR_NULL);
```
"#
)]
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
#[cfg_attr(
    doc,
    doc = r#"
# Example of a failure

```
use wtas::ffi::*;
let (x, mut out, mut sum) = ([0.0_f32; 4], [7.0_f32; 3], 7.0_f32);
let status = unsafe { wtas_exp_sum(x.as_ptr(), 4, 0.0, out.as_mut_ptr(), 3, &mut sum) };
assert_eq!(status, wtas_status::WTAS_ERR_LENGTH);
assert_eq!((out, sum), ([7.0; 3], 7.0)); // untouched
```
"#
)]
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

/// In place: `e_then_s[i] = (e_then_s[i] * (1 / sum) > thr[i]) ? 1.0 : 0.0`
/// (one reciprocal, as the reference computes it), and the number of
/// spikes (as a float) in `*count`. This is the spike rule on the output of
/// `wtas_exp_sum`; a NaN probability or threshold never spikes.
///
/// `WTAS_ERR_LENGTH` if `thr_len != len`; `WTAS_ERR_ALIAS` if `thr`
/// overlaps `e_then_s` or `count` points into either.
///
/// # Safety
/// `e_then_s` is NULL or readable and writable for `len` floats, `thr`
/// NULL or readable for `thr_len` floats, `count` NULL or writable.
#[cfg_attr(
    doc,
    doc = r#"
# Example of a failure

```
use wtas::ffi::*;
let (mut e, thr, mut count) = ([0.5_f32; 4], [0.1_f32; 3], 7.0_f32);
let status =
    unsafe { wtas_spike_mask(e.as_mut_ptr(), 4, 1.0, thr.as_ptr(), 3, &mut count) };
assert_eq!(status, wtas_status::WTAS_ERR_LENGTH);
assert_eq!((e, count), ([0.5; 4], 7.0)); // untouched
```
"#
)]
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

/// `out = softmax(x)` for `batch` rows of `n` values (row-major, both
/// arrays `batch * n` floats long): the reference's probabilities bit for
/// bit, `flush(exp(x - max) * (1 / sum))` with the reference's `exp` and
/// its row-sum order (see the Rust `kernels::softmax`). A row holding a
/// NaN, a `+inf`, or only `-inf` gives all-NaN output.
///
/// `WTAS_ERR_SIZE` if `batch * n` overflows; `WTAS_ERR_ALIAS` if `out`
/// overlaps `x` (no in-place form).
///
/// # Safety
/// `x` is NULL or readable for `batch * n` floats, `out` NULL or writable
/// for `batch * n` floats.
#[cfg_attr(
    doc,
    doc = r#"
# Example of a failure

```
use wtas::ffi::*;
let (x, mut out) = ([0.0_f32; 4], [7.0_f32; 4]);
let status = unsafe { wtas_softmax(usize::MAX, 2, x.as_ptr(), out.as_mut_ptr()) };
assert_eq!(status, wtas_status::WTAS_ERR_SIZE);
assert_eq!(out, [7.0; 4]); // untouched
```
"#
)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wtas_softmax(
    batch: usize,
    n: usize,
    x: *const f32,
    out: *mut f32,
) -> wtas_status {
    guard(|| {
        non_null(x)?;
        non_null(out)?;
        let len = batch.checked_mul(n).ok_or(wtas_status::WTAS_ERR_SIZE)?;
        let xs = input_span(x, len)?;
        let os = input_span(out, len)?;
        disjoint(&[xs, os])?;
        // SAFETY: non-null, aligned, size-checked, readable by contract,
        // disjoint from `out`.
        let x = unsafe { core::slice::from_raw_parts(x, len) };
        // SAFETY: as above, writable by contract.
        let out = unsafe { core::slice::from_raw_parts_mut(out, len) };
        kernels::softmax(batch, n, x, out)?;
        Ok(())
    })
}
