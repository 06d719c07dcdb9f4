//! A winner-take-all spiking neuron layer: ngclearn's `WTASCell`, bit-exact,
//! `no_std`, allocation-free and hand-vectorized.
//!
//! Each step, for every batch row of `n_units` cells, input current `j`
//! becomes a voltage `v = j * resist_m` (`+0.0` for units still refractory),
//! a softmax over the row turns voltages into spike probabilities, and a unit
//! spikes where its probability exceeds its adaptive threshold. Thresholds
//! move by `thr_gain * (spikes_in_row - 1)` each step, homeostasis toward
//! exactly one winner per row, with a floor of 0.025. [`Cell`] states the
//! rules exactly.
//!
//! # Start here
//!
//! A [`Cell`] that owns its state (here a [`HeapStorage`]) is one value
//! that can live in a struct; a [`Clock`] hands each step its time, for
//! runs of any length.
//!
//! ```
//! use wtas::{Cell, Clock, Config, HeapStorage};
//!
//! // 16 units, 2 batch rows; the other hyperparameters are the reference's defaults.
//! let params = Config { batch_size: 2, ..Config::new(16) }.validate()?;
//! let mut cell = Cell::new(params, HeapStorage::new(params.len()), 42)?;
//! let mut clock = Clock::new(0.0, 1.0)?;
//!
//! for step in 0..100 {
//!     let j = cell.j_mut(); // row-major: row 1 starts at index 16
//!     j.fill(0.0);
//!     j[step % 16] = 8.0; // row 0: a winner that moves
//!     j[16 + 3] = 8.0; // row 1: always unit 3
//!     let (t, dt) = clock.tick();
//!     cell.advance(t, dt)?;
//! }
//! assert!(cell.winners(0).unwrap().eq([99 % 16]));
//! assert!(cell.winners(1).unwrap().eq([3]));
//! # Ok::<(), wtas::Error>(())
//! ```
//!
//! [`HeapStorage`] (with `std`) holds state of any size; [`Storage`]
//! holds it with compile-time sizes and no heap; six `Vec<f32>` work too.
//!
//! # Firmware: borrowed buffers
//!
//! Without `std` (`default-features = false`) the crate uses only `core`
//! and allocates nothing. A [`Storage`] fits in a `static`; or the same
//! [`Cell`] borrows six buffers the caller owns (here carved out of one array by
//! [`Buffers::from_slice`]), for as long as it lives:
//!
//! ```
//! use wtas::{Buffers, Cell, Config};
//!
//! let params = Config::new(8).validate()?;
//! let mut mem = [0.0_f32; 6 * 8]; // j, v, s, thr, rfr, tols
//! let mut cell = Cell::new(params, Buffers::from_slice(&mut mem, params.len())?, 42)?;
//! cell.j_mut()[2] = 6.0;
//! cell.advance(0.0, 1.0)?;
//! assert_eq!(cell.s()[2], 1.0);
//! # Ok::<(), wtas::Error>(())
//! ```
//!
//! # Layout
//!
//! - [`Config`] / [`Params`]: hyperparameters, validated once.
//! - [`Cell`]: the cell, written once over a [`StateStorage`], the one
//!   place its six buffers (`j`, `v`, `s`, `thr`, `rfr`, `tols`) live:
//!   [`HeapStorage`] (any size), [`Storage`] (fixed sizes, no heap),
//!   borrowed [`Buffers`] (firmware, the C ABI), six `Vec<f32>`.
//!   [`Clock`]: the time of each step.
//! - [`describe`]: what the cell is (compartments, hyperparameters,
//!   dynamics), like the reference's `WTASCell.help()`.
//! - [`kernels`]: the building blocks (row max, `exp`, exp-sum, spike mask,
//!   softmax) and the [`Backend`](kernels::Backend)s: the element-by-element
//!   reference (what microcontrollers run) and eight-lane implementations,
//!   all bit-identical.
//! - `ffi` (feature `ffi`): the C ABI behind `include/wtas.h`.
//!
//! # Features
//!
//! - `std` (default): changes no result; it only adds conveniences
//!   (runtime CPU detection, [`HeapStorage`], `std::error::Error`). Turn it
//!   off (`default-features = false`) for firmware.
//! - `ffi`: the C ABI in the `ffi` module, for a `staticlib` or `cdylib` build.
//! - `parallel` (implies `std`): `Cell::advance_parallel` splits batch
//!   rows across threads with rayon, with the serial step's exact bits.
//! - `serde` (`no_std`): `Serialize` and `Deserialize` for [`Config`],
//!   [`Params`] (which reads as a `Config` and is validated: an invalid one
//!   is a deserialize error carrying [`Error::message`]) and [`Clock`], and
//!   state snapshots that restore bit for bit, NaN payloads included: a
//!   `Snapshot` (from `Cell::snapshot`) writes every `f32` as its `u32`
//!   bits, and `Cell::restore` reads one back into caller-owned buffers or
//!   a `Storage` without allocating; with `std`, `OwnedSnapshot` reads one
//!   of any shape into `Vec`s.
//! - `defmt` (`no_std`): `defmt::Format` for [`Config`], [`Params`],
//!   [`Error`] and [`BufferName`], to log them from firmware.
#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]
// `unsafe_code` and `missing_docs` are denied in Cargo.toml's `[lints]`.
// No panic path in the library: every failure is an `Err`, every index is
// proven in range by construction (chunking, zipping, validated lengths).
#![deny(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::unreachable,
    clippy::todo,
    clippy::unimplemented
)]

#[cfg(feature = "std")]
extern crate std;

mod cell;
pub mod describe;
mod error;
#[cfg(feature = "ffi")]
#[cfg_attr(docsrs, doc(cfg(feature = "ffi")))]
pub mod ffi;
pub mod kernels;
mod params;

#[cfg(feature = "std")]
pub use cell::HeapStorage;
#[cfg(all(feature = "serde", feature = "std"))]
pub use cell::OwnedSnapshot;
#[cfg(feature = "serde")]
pub use cell::Snapshot;
pub use cell::{Buffers, Cell, InputReset, SeedRng, Storage, draw_threshold0, seed_rng};
pub use cell::{Clock, StateStorage};
pub use error::{BufferName, Error};

/// The README's examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
pub use params::{Config, Params};
/// The `rand_core` this crate's [`Cell::with_rng`] takes generators of,
/// re-exported so that callers need not match its version by hand.
pub use rand_core;
