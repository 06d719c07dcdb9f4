//! The backends: the instructions each one runs.
//!
//! A backend implements the [lane operations](super::lanes) and runs the
//! [loops](super::loops) on them, or, for [`scalar`], runs the rules on
//! plain `f32` in loops of its own:
//!
//! - [`scalar`]: one element at a time, tuned for cores without SIMD
//!   (Cortex-M0, M4F, RISC-V), which run it for every [`Backend`];
//! - [`array`]: eight `f32`s as a plain array, the one-lane operations
//!   applied lane by lane (what the compiler makes of portable code);
//! - [`portable`]: `wide::f32x8`, whatever SIMD the build targets;
//! - `size_first` (feature `size-first`): a step written for size as
//!   the scalar backend's, for less code;
//! - `avx2`: 256-bit AVX2 intrinsics, usable only through a value that
//!   proves the CPU has AVX2.
//!
//! [`Backend`]: super::Backend

pub(crate) mod array;
#[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
pub(crate) mod avx2;
pub(crate) mod portable;
pub(crate) mod scalar;
#[cfg(feature = "size-first")]
pub(crate) mod size_first;
