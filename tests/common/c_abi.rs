//! The C ABI's side of the test support: a cell's buffers in their C form.

#![allow(dead_code)]

use wtas::ffi::wtas_buffers;

/// The C form of six buffers given as (pointer, length), in the order j,
/// v, s, thr, rfr, tols.
pub fn c_buffers(buffers: [(*mut f32, usize); 6]) -> wtas_buffers {
    let [
        (j, j_len),
        (v, v_len),
        (s, s_len),
        (thr, thr_len),
        (rfr, rfr_len),
        (tols, tols_len),
    ] = buffers;
    wtas_buffers {
        j,
        j_len,
        v,
        v_len,
        s,
        s_len,
        thr,
        thr_len,
        rfr,
        rfr_len,
        tols,
        tols_len,
    }
}
