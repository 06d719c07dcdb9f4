//! Kernel building blocks: row max, `exp`, exp-sum, spike mask, softmax.
//!
//! These are the pieces [`Cell::advance`](crate::Cell::advance) is made of,
//! public so that other kernels can use them. Each has one exact contract and
//! gives identical bits on every [`Backend`]:
//!
//! - [`row_max`]: NaN-propagating maximum;
//! - [`exp`] (eight lanes) and [`exp_f32`] (one value): this crate's own
//!   `exp`, at most 2 ulp from the correctly rounded result;
//! - [`exp_sum`]: `out = exp(x - max)` and the sum of `out`;
//! - [`spike_mask`]: `s = (e / sum > thr) ? 1 : 0`, in place, and the count;
//! - [`softmax`]: the three passes above plus the division, as the
//!   reference's softmax computes it.
//!
//! The free functions run on [`Backend::detect()`]; the methods of
//! [`Backend`] run on a chosen one.
//!
//! ```
//! use wtas::kernels;
//!
//! let x = [1.0_f32, 2.0, 3.0];
//! let mut e = [0.0; 3];
//! let max = kernels::row_max(&x);
//! let sum = kernels::exp_sum(&x, max, &mut e)?;
//! assert_eq!(max, 3.0);
//! assert_eq!(e[2], 1.0);
//! assert!((sum - (1.0 + (-1.0_f32).exp() + (-2.0_f32).exp())).abs() < 1e-6);
//! # Ok::<(), wtas::Error>(())
//! ```

#[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
mod avx2;
mod compact;
mod exp;
// Without SIMD every backend runs `compact`, and the eight-lane kernels are
// compiled only for their types; host builds check them in full.
#[cfg_attr(not(wtas_simd), allow(dead_code))]
mod interleave;
#[cfg_attr(not(wtas_simd), allow(dead_code))]
mod lanes;
mod portable;
#[cfg_attr(not(wtas_simd), allow(dead_code))]
pub(crate) mod rows;
#[cfg_attr(not(wtas_simd), allow(dead_code))]
mod scalar;

pub use lanes::LANES;

use crate::error::{Buffer, Error, check_len};
#[cfg(wtas_simd)]
use scalar::Scalar;
use wide::f32x8;

/// A set of kernels: the scalar reference, a vector implementation, or the
/// compact one.
///
/// Every backend computes the same operations in the same order, lane by
/// lane, and so gives identical bits for every input. Choosing one changes
/// only the speed. On targets without SIMD registers (Cortex-M, RISC-V)
/// every backend runs the [`Compact`](Backend::Compact) kernels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Backend {
    /// The scalar reference: eight lanes as a plain array. It is the
    /// specification the other backends are tested against.
    Scalar,
    /// `wide::f32x8`, in whatever form the build's target features give it
    /// (AVX, SSE2, NEON or WebAssembly SIMD).
    Portable,
    /// One element at a time, for the smallest code: the same operations
    /// as [`Backend::Scalar`] on each lane, without chunks or padding.
    ///
    /// On targets without SIMD registers (Cortex-M, RISC-V) every backend
    /// runs these kernels, so firmware carries one small copy of them.
    Compact,
    /// 256-bit AVX2, chosen at run time (with `std`) even when the build
    /// does not enable it. On a CPU without AVX2 it runs [`Backend::Portable`].
    #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
    Avx2,
}

/// Runs the generic kernel `$generic` on `$backend`'s lanes; the AVX2
/// backend goes through its CPU-checked entry point `avx2::$name`.
#[cfg(wtas_simd)]
macro_rules! dispatch {
    ($backend:expr, $generic:ident / $name:ident ($($arg:expr),*)) => {
        match $backend {
            Backend::Scalar => rows::$generic::<Scalar>($($arg),*),
            Backend::Portable => rows::$generic::<f32x8>($($arg),*),
            Backend::Compact => compact::$name($($arg),*),
            #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
            Backend::Avx2 => avx2::$name($($arg),*),
        }
    };
}

/// Without SIMD registers every backend runs the compact kernels: `wide`
/// would only emulate eight lanes with scalar code, and one copy of the
/// kernels keeps firmware small. The bits are the same on every backend.
#[cfg(not(wtas_simd))]
macro_rules! dispatch {
    ($backend:expr, $generic:ident / $name:ident ($($arg:expr),*)) => {{
        let _ = $backend;
        compact::$name($($arg),*)
    }};
}

impl Backend {
    /// Every backend this crate has on this architecture, available on this
    /// CPU or not.
    pub const ALL: &'static [Backend] = &[
        Backend::Scalar,
        Backend::Portable,
        Backend::Compact,
        #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
        Backend::Avx2,
    ];

    /// The fastest backend this CPU can run. With `std` this is decided at
    /// run time; without it, by the build's target features.
    pub fn detect() -> Backend {
        #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
        if avx2::available() {
            return Backend::Avx2;
        }
        Backend::Portable
    }

    /// Whether this CPU runs the backend at full speed.
    pub fn is_available(self) -> bool {
        match self {
            Backend::Scalar | Backend::Portable | Backend::Compact => true,
            #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
            Backend::Avx2 => avx2::available(),
        }
    }

    /// A short name, for reports and benchmark IDs.
    pub const fn name(self) -> &'static str {
        match self {
            Backend::Scalar => "scalar",
            Backend::Portable => "portable",
            Backend::Compact => "compact",
            #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
            Backend::Avx2 => "avx2",
        }
    }

    /// [`row_max`] on this backend.
    pub fn row_max(self, x: &[f32]) -> f32 {
        dispatch!(self, row_max / row_max(x))
    }

    /// [`exp`] on this backend, on eight lanes given as an array.
    pub fn exp8(self, x: [f32; LANES]) -> [f32; LANES] {
        dispatch!(self, exp_array / exp_array(x))
    }

    /// [`exp_sum`] on this backend.
    pub fn exp_sum(self, x: &[f32], max: f32, out: &mut [f32]) -> Result<f32, Error> {
        check_len(Buffer::Out, x.len(), out.len())?;
        Ok(dispatch!(self, exp_sum / exp_sum(x, max, out)))
    }

    /// [`spike_mask`] on this backend.
    pub fn spike_mask(self, e_then_s: &mut [f32], sum: f32, thr: &[f32]) -> Result<f32, Error> {
        check_len(Buffer::Thr, e_then_s.len(), thr.len())?;
        Ok(dispatch!(self, spike_mask / spike_mask(e_then_s, sum, thr)))
    }

    /// [`softmax`] on this backend.
    pub fn softmax(self, x: &[f32], out: &mut [f32]) -> Result<(), Error> {
        let sum = self.exp_sum(x, self.row_max(x), out)?;
        dispatch!(self, divide_in_place / divide_in_place(out, sum));
        Ok(())
    }

    /// Advances one batch row by one step.
    pub(crate) fn step_row(self, row: rows::Row<'_>, k: &rows::StepConsts) {
        dispatch!(self, step_row / step_row(row, k))
    }
}

/// NaN-propagating maximum of `x`.
///
/// - Any NaN in `x` gives `f32::NAN` (the canonical quiet NaN).
/// - An empty slice gives `f32::NEG_INFINITY`.
/// - Between `+0.0` and `-0.0` the result is one of them, the same one on
///   every backend and target.
pub fn row_max(x: &[f32]) -> f32 {
    Backend::detect().row_max(x)
}

/// This crate's `exp`, on eight lanes.
///
/// - At most 2 ulp from the correctly rounded `exp` wherever that is a
///   normal float (inputs in about [−87.336, 88.722]).
/// - Never subnormal: every result below `f32::MIN_POSITIVE` is `+0.0`.
/// - `exp(-inf) = +0.0`, `exp(+inf) = +inf`, overflow gives `+inf`,
///   `exp(±0) = 1.0`.
/// - NaN gives `f32::NAN` (the canonical quiet NaN).
///
/// Bit-identical to [`exp_f32`] lane by lane, on every target.
pub fn exp(x: f32x8) -> f32x8 {
    exp::exp(x)
}

/// This crate's `exp` on one value: the scalar twin of [`exp`], with the
/// same contract and the same bits.
pub fn exp_f32(x: f32) -> f32 {
    scalar::exp_one(x)
}

/// `out[i] = exp(x[i] - max)`; returns the sum of `out`.
///
/// `max` is normally [`row_max`]`(x)`, which makes every `out[i]` lie in
/// `[0, 1]` and the sum lie in `[1, x.len()]`. A NaN or infinite `max`
/// makes every `out[i]` and the sum NaN, as in the reference's softmax.
/// The sum is taken in eight lane accumulators combined in a fixed order.
///
/// Returns [`Error::Length`] for [`Buffer::Out`] if the lengths differ,
/// without writing.
pub fn exp_sum(x: &[f32], max: f32, out: &mut [f32]) -> Result<f32, Error> {
    Backend::detect().exp_sum(x, max, out)
}

/// In place: `s[i] = (e[i] / sum > thr[i]) ? 1.0 : 0.0`; returns the number
/// of spikes as `f32`.
///
/// This is the reference's spike rule on the output of [`exp_sum`]: the
/// probability `e / sum` is computed with one correctly rounded division and
/// compared with an ordered `>`, so a NaN probability or a NaN threshold
/// never spikes. The masks are lane selects, with no per-element branch.
///
/// Returns [`Error::Length`] for [`Buffer::Thr`] if the lengths differ,
/// without writing.
pub fn spike_mask(e_then_s: &mut [f32], sum: f32, thr: &[f32]) -> Result<f32, Error> {
    Backend::detect().spike_mask(e_then_s, sum, thr)
}

/// `out = softmax(x)`: `exp(x - max(x)) / sum`, as the reference computes it.
///
/// A row holding a NaN, a `+inf`, or only `-inf` gives all-NaN output.
/// Returns [`Error::Length`] for [`Buffer::Out`] if the lengths differ,
/// without writing.
pub fn softmax(x: &[f32], out: &mut [f32]) -> Result<(), Error> {
    Backend::detect().softmax(x, out)
}
