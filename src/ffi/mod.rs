//! The C ABI: `wtas_*` functions over caller-allocated state.
//!
//! Built with `--features ffi` as a `staticlib` (or a `cdylib` on hosts);
//! the matching header is `include/wtas.h`, generated from this module by
//! `cbindgen`. The style follows well-kept C APIs such as BLAKE3's: the
//! caller allocates every object, functions take the state first, buffers
//! go in as a pointer and a length, and every fallible function returns a
//! [`wtas_status`].
//!
//! Each fallible function's docs end with an example of a failure, called
//! from Rust (`failure_example!`, which keeps it out of the C header).
//!
//! One file per concern: status codes and their messages (`status.rs`),
//! the argument checker (`check.rs`), the handles and how a call opens
//! them (`handle.rs`), configuration (`config.rs`), the cell's entry points
//! (`cell.rs`: bind, start a state, step, reset; the calls without a cell
//! bind a temporary one), the kernel building blocks (`kernels.rs`) and
//! the version (`version.rs`). `wtas_config` is the crate's
//! [`Config`](crate::Config), which is `#[repr(C)]`.
//!
//! # Rules every function follows
//!
//! - All checks come before any write: on any status other than `WTAS_OK`,
//!   no buffer, no output argument and no state has been modified.
//! - Checks run in this order, and the first failure is returned: null
//!   pointers (`WTAS_ERR_NULL`), misaligned pointers (`WTAS_ERR_ALIGN`),
//!   handles not written by this library or changed since
//!   (`WTAS_ERR_HANDLE`; [`wtas_params`] says exactly what is detected),
//!   invalid parameters (one code per field), buffer lengths
//!   (`WTAS_ERR_LENGTH`),
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

/// An entry point's "Example of a failure" doc section from the Rust code
/// it runs. Attached with `#[cfg_attr(doc, doc = failure_example!(..))]`:
/// `cbindgen` reads neither, so the C header's comments stay C.
#[cfg(doc)]
macro_rules! failure_example {
    ($code:literal) => {
        concat!("# Example of a failure\n\n```\n", $code, "```\n")
    };
}

// In the order the header lists them (rustfmt keeps these groups apart).
mod status;

mod check;

mod config;

mod handle;

mod cell;

mod kernels;

mod version;

pub use crate::Config as wtas_config;
pub use cell::{
    wtas_advance, wtas_cell_advance, wtas_cell_bind, wtas_cell_reset, wtas_cell_seed,
    wtas_cell_set_threshold0, wtas_reset, wtas_seed, wtas_set_threshold0,
};
pub use config::{wtas_config_default, wtas_params_init};
pub use handle::{wtas_buffers, wtas_cell, wtas_params};
pub use kernels::{wtas_exp, wtas_exp_sum, wtas_row_max, wtas_softmax, wtas_spike_mask};
pub use status::{status_of, wtas_status, wtas_strerror};
pub use version::wtas_version;
