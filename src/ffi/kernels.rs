//! The kernel building blocks: row maximum, `exp`, exp-sum, spike mask
//! and softmax, each on caller-owned arrays.

use super::check::{arg, args, kernel_args};
use super::status::guard;
use super::wtas_status;
use crate::kernels;

/// The whole of an entry point whose kernel reads one row and writes
/// another (and `O` single floats): checks every argument with
/// [`kernel_args`], runs `kernel` on the two rows, writes the floats it
/// returns to `outs`, and returns the status ([`guard`]).
///
/// # Safety
/// `read` is NULL or readable for `read_len` floats, `write` NULL or
/// readable and writable for `write_len` floats, each of `outs` NULL or
/// writable for one float, and nothing else accesses them during the call.
unsafe fn on_rows<const O: usize>(
    (read, read_len): (*const f32, usize),
    (write, write_len): (*mut f32, usize),
    outs: [*mut f32; O],
    kernel: impl FnOnce(&[f32], &mut [f32]) -> Result<[f32; O], crate::Error>,
) -> wtas_status {
    guard(|| {
        kernel_args(
            [(read, read_len), (write.cast_const(), write_len)],
            outs.map(<*mut f32>::cast_const),
        )?;
        // SAFETY: non-null, aligned, within the address space and disjoint
        // (checked just above), readable and writable by the contract.
        let (read, write) = unsafe {
            (
                core::slice::from_raw_parts(read, read_len),
                core::slice::from_raw_parts_mut(write, write_len),
            )
        };
        for (out, value) in outs.into_iter().zip(kernel(read, write)?) {
            // SAFETY: non-null, aligned, disjoint from both rows (checked),
            // writable by the contract; the rows are no longer used.
            unsafe { out.write(value) };
        }
        Ok(())
    })
}

/// Writes the NaN-propagating maximum of the `len` values at `x` to
/// `*max`: any NaN gives NaN, an empty row gives `-INFINITY`.
///
/// # Safety
/// `x` is NULL or readable for `len` floats; `max` is NULL or writable.
#[cfg_attr(doc, doc = failure_example!(r#"
use wtas::ffi::*;
let x = [1.0_f32, 2.0];
let status = unsafe { wtas_row_max(x.as_ptr(), x.len(), core::ptr::null_mut()) };
assert_eq!(status, wtas_status::WTAS_ERR_NULL);
"#))]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wtas_row_max(x: *const f32, len: usize, max: *mut f32) -> wtas_status {
    guard(|| {
        kernel_args([(x, len)], [max.cast_const()])?;
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
#[cfg_attr(doc, doc = failure_example!(r#"
use wtas::ffi::*;
assert_eq!(unsafe { wtas_exp(1.0, core::ptr::null_mut()) }, wtas_status::WTAS_ERR_NULL);
"#))]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wtas_exp(x: f32, out: *mut f32) -> wtas_status {
    guard(|| {
        kernel_args([], [out.cast_const()])?;
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
#[cfg_attr(doc, doc = failure_example!(r#"
use wtas::ffi::*;
let (x, mut out, mut sum) = ([0.0_f32; 4], [7.0_f32; 3], 7.0_f32);
let status = unsafe { wtas_exp_sum(x.as_ptr(), 4, 0.0, out.as_mut_ptr(), 3, &mut sum) };
assert_eq!(status, wtas_status::WTAS_ERR_LENGTH);
assert_eq!((out, sum), ([7.0; 3], 7.0)); // untouched
"#))]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wtas_exp_sum(
    x: *const f32,
    x_len: usize,
    max: f32,
    out: *mut f32,
    out_len: usize,
    sum: *mut f32,
) -> wtas_status {
    // SAFETY: the contract of this function.
    unsafe {
        on_rows((x, x_len), (out, out_len), [sum], |x, out| {
            Ok([kernels::exp_sum(x, max, out)?])
        })
    }
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
#[cfg_attr(doc, doc = failure_example!(r#"
use wtas::ffi::*;
let (mut e, thr, mut count) = ([0.5_f32; 4], [0.1_f32; 3], 7.0_f32);
let status =
    unsafe { wtas_spike_mask(e.as_mut_ptr(), 4, 1.0, thr.as_ptr(), 3, &mut count) };
assert_eq!(status, wtas_status::WTAS_ERR_LENGTH);
assert_eq!((e, count), ([0.5; 4], 7.0)); // untouched
"#))]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wtas_spike_mask(
    e_then_s: *mut f32,
    len: usize,
    sum: f32,
    thr: *const f32,
    thr_len: usize,
    count: *mut f32,
) -> wtas_status {
    // SAFETY: the contract of this function.
    unsafe {
        on_rows((thr, thr_len), (e_then_s, len), [count], |thr, e| {
            Ok([kernels::spike_mask(e, sum, thr)?])
        })
    }
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
#[cfg_attr(doc, doc = failure_example!(r#"
use wtas::ffi::*;
let (x, mut out) = ([0.0_f32; 4], [7.0_f32; 4]);
let status = unsafe { wtas_softmax(usize::MAX, 2, x.as_ptr(), out.as_mut_ptr()) };
assert_eq!(status, wtas_status::WTAS_ERR_SIZE);
assert_eq!(out, [7.0; 4]); // untouched
"#))]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wtas_softmax(
    batch: usize,
    n: usize,
    x: *const f32,
    out: *mut f32,
) -> wtas_status {
    let Some(len) = batch.checked_mul(n) else {
        // Pointers are checked before sizes.
        return guard(|| args([arg(x), arg(out)]).and(Err(wtas_status::WTAS_ERR_SIZE)));
    };
    // SAFETY: the contract of this function.
    unsafe {
        on_rows((x, len), (out, len), [], |x, out| {
            kernels::softmax(batch, n, x, out).map(|()| [])
        })
    }
}
