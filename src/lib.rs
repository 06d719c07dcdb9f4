//! A winner-take-all spiking neuron layer: ngclearn's `WTASCell`, bit-exact,
//! `no_std`, allocation-free and hand-vectorized.
//!
//! Each step, for every batch row of `n_units` cells, input current `j`
//! becomes a voltage `v = j * resist_m` (`+0.0` for units still refractory),
//! a softmax over the row turns voltages into spike probabilities, and a unit
//! spikes where its probability exceeds its adaptive threshold. Thresholds
//! move by `thr_gain * (spikes_in_row - 1)` each step, homeostasis toward
//! exactly one winner per row, with a floor of 0.025.
//!
//! ```
//! use wtas::{Buffers, Cell, Config};
//!
//! // 8 units, 2 batch rows, the reference's default hyperparameters.
//! let params = Config { batch_size: 2, ..Config::new(8) }.validate()?;
//!
//! // The caller owns the state: six buffers of batch_size × n_units.
//! let mut mem = [[0.0_f32; 16]; 6];
//! let [j, v, s, thr, rfr, tols] = &mut mem;
//! let mut cell = Cell::new(params, Buffers { j, v, s, thr, rfr, tols }, 42)?;
//!
//! for step in 0..10 {
//!     // A strong input on unit 2 of row 0 and unit 5 of row 1.
//!     let j = cell.j_mut();
//!     j.fill(0.0);
//!     j[2] = 6.0;
//!     j[8 + 5] = 6.0;
//!     cell.advance(step as f32, 1.0)?;
//! }
//! assert_eq!(cell.s()[2], 1.0);
//! assert_eq!(cell.s()[8 + 5], 1.0);
//! assert_eq!(cell.s().iter().sum::<f32>(), 2.0); // one winner per row
//! # Ok::<(), wtas::Error>(())
//! ```
//!
//! # Layout
//!
//! - [`Config`] / [`Params`]: hyperparameters, validated once.
//! - [`Cell`]: the dynamics over caller-owned [`Buffers`]; [`Storage`] owns
//!   them with compile-time sizes, for firmware.
//! - [`describe`]: what the cell is (compartments, hyperparameters,
//!   dynamics), like the reference's `WTASCell.help()`.
//! - [`kernels`]: the building blocks (row max, `exp`, exp-sum, spike mask)
//!   and the [`Backend`](kernels::Backend)s: the element-by-element
//!   reference (what microcontrollers run) and eight-lane implementations,
//!   all bit-identical.
//!
//! # Features
//!
//! - `std` (default): changes no result; it only adds conveniences
//!   (runtime CPU detection). Turn it off (`default-features = false`) for
//!   firmware.
//! - `ffi`: the C ABI in the `ffi` module, for a `staticlib` or `cdylib` build.
//! - `parallel` (implies `std`): `Cell::advance_parallel` splits batch
//!   rows across threads with rayon, with the serial step's exact bits.
//! - `serde` (`no_std`): `Serialize` and `Deserialize` for [`Config`] and
//!   [`Params`] (which reads as a `Config` and is validated: an invalid one
//!   is a deserialize error carrying [`Error::message`]), and state
//!   snapshots that restore bit for bit, NaN payloads included: a
//!   `Snapshot` (from `Cell::snapshot` or `OwnedCell::snapshot`) writes
//!   every `f32` as its `u32` bits, and `Cell::restore` /
//!   `OwnedCell::restore` read one back into caller-owned buffers or a
//!   `Storage` without allocating; with `std`, `OwnedSnapshot` reads one
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
pub use cell::{Clock, OwnedCell, StateStorage};
pub use error::{BufferName, Error};

/// The README's examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
pub use params::{Config, Params};
/// The `rand_core` this crate's [`Cell::with_rng`] takes generators of,
/// re-exported so that callers need not match its version by hand.
pub use rand_core;
