//! Kernel building blocks: row max, `exp`, exp-sum, spike mask, softmax.
//!
//! These are the pieces [`Cell::advance`](crate::Cell::advance) is made of,
//! public so that other kernels can use them. Each has one exact contract and
//! gives identical bits on every [`Backend`]:
//!
//! - [`row_max`]: NaN-propagating maximum;
//! - [`exp`] (eight lanes) and [`exp_f32`] (one value): the reference's
//!   `exp`, the polynomial its compiled softmax runs, bit for bit;
//! - [`exp_sum`]: `out = exp(x - max)` and the sum of `out` in the
//!   reference's order;
//! - [`spike_mask`]: `s = (e * (1 / sum) > thr) ? 1 : 0`, in place, and
//!   the count;
//! - [`softmax`]: row by row, the passes above and the product by the
//!   row's reciprocal: the reference's probabilities, bit for bit.
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

// The layout is the architecture: `spec` says what is computed (and holds
// the literal step, the oracle), `lanes` the operations every backend
// implements and their one-lane definition, `loops` how the eight-lane
// backends walk a row, and `backend` which instructions each backend runs.
// Without SIMD every backend runs `backend::scalar`, and the eight-lane
// code is compiled only for its types; host builds check it in full.
#[cfg_attr(not(wtas_simd), allow(dead_code))]
mod backend;
#[cfg_attr(not(wtas_simd), allow(dead_code))]
mod lanes;
#[cfg_attr(not(wtas_simd), allow(dead_code))]
mod loops;
pub mod spec;

pub use lanes::LANES;
pub use spec::SoftmaxPath;
/// The eight-lane vector type [`exp`] takes, re-exported from `wide` so
/// that callers need not depend on a matching `wide` themselves.
pub use wide::f32x8;

use crate::error::{BufferName, Error, check_len};
#[cfg(all(wtas_simd, any(target_arch = "x86", target_arch = "x86_64")))]
use backend::avx2::Avx2Cpu;
use spec::{Kernels, Row, StepConsts};

/// A set of kernels: one element at a time, or eight lanes at a time.
///
/// Every backend computes the same operations in the same order, lane by
/// lane, and so gives identical bits for every input: those of the
/// specification's literal step ([`spec::step_row`]), which the tests hold
/// every backend to. Choosing one changes only the speed. On targets
/// without SIMD registers (Cortex-M, RISC-V) every backend runs the
/// [`Scalar`](Backend::Scalar) kernels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Backend {
    /// One element at a time, on plain `f32`: the smallest code, tuned for
    /// cores without SIMD registers, which run it for every backend.
    Scalar,
    /// Eight lanes as a plain array: portable code that the compiler may
    /// vectorize with the target's baseline SIMD.
    Array,
    /// `wide::f32x8`, in whatever form the build's target features give it
    /// (AVX, SSE2, NEON or WebAssembly SIMD).
    Portable,
    /// 256-bit AVX2, chosen at run time (with `std`) even when the build
    /// does not enable it. On a CPU without AVX2 it runs [`Backend::Portable`].
    #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
    Avx2,
}

/// The eight-lane loops on arrays.
#[cfg(wtas_simd)]
static ARRAY: Kernels = loops::kernels::<backend::array::Array>();
/// The eight-lane loops on `wide::f32x8`.
#[cfg(wtas_simd)]
static PORTABLE: Kernels = loops::kernels::<f32x8>();

impl Backend {
    /// Every backend this crate has on this architecture, available on this
    /// CPU or not.
    pub const ALL: &'static [Backend] = &[
        Backend::Scalar,
        Backend::Array,
        Backend::Portable,
        #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
        Backend::Avx2,
    ];

    /// The fastest backend this build has: AVX2 where it can run it
    /// (each call then runs the portable kernels on a CPU without AVX2),
    /// else the portable backend. [`detect`](Self::detect) is this once
    /// the CPU is known; the C ABI's step, which has no cell to keep a
    /// detected backend in, runs it without detecting first.
    pub(crate) const FASTEST: Backend = {
        #[cfg(all(wtas_simd, any(target_arch = "x86", target_arch = "x86_64")))]
        let fastest = Backend::Avx2;
        #[cfg(not(all(wtas_simd, any(target_arch = "x86", target_arch = "x86_64"))))]
        let fastest = Backend::Portable;
        fastest
    };

    /// The fastest backend this CPU can run. With `std` this is decided at
    /// run time; without it, by the build's target features.
    pub fn detect() -> Backend {
        #[cfg(all(wtas_simd, any(target_arch = "x86", target_arch = "x86_64")))]
        if Avx2Cpu::detect().is_none() {
            return Backend::Portable;
        }
        Backend::FASTEST
    }

    /// Whether this CPU runs the backend at full speed.
    pub fn is_available(self) -> bool {
        match self {
            Backend::Scalar | Backend::Array | Backend::Portable => true,
            #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
            Backend::Avx2 => {
                #[cfg(wtas_simd)]
                let available = Avx2Cpu::detect().is_some();
                #[cfg(not(wtas_simd))]
                let available = false;
                available
            }
        }
    }

    /// A short name, for reports and benchmark IDs.
    pub const fn name(self) -> &'static str {
        match self {
            Backend::Scalar => "scalar",
            Backend::Array => "array",
            Backend::Portable => "portable",
            #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
            Backend::Avx2 => "avx2",
        }
    }

    /// The kernels this backend runs here: the one table every building
    /// block is dispatched through. Without SIMD registers every backend
    /// runs the scalar kernels: `wide` would only emulate eight lanes with
    /// scalar code, and one copy of the kernels keeps firmware small.
    /// `Avx2` without AVX2 runs the portable kernels, with the same bits.
    #[inline]
    fn kernels(self) -> &'static Kernels {
        #[cfg(wtas_simd)]
        match self {
            Backend::Scalar => &backend::scalar::KERNELS,
            Backend::Array => &ARRAY,
            Backend::Portable => &PORTABLE,
            #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
            Backend::Avx2 => Avx2Cpu::detect().map_or(&PORTABLE, Avx2Cpu::kernels),
        }
        #[cfg(not(wtas_simd))]
        {
            let _ = self;
            &backend::scalar::KERNELS
        }
    }

    /// [`row_max`] on this backend.
    pub fn row_max(self, x: &[f32]) -> f32 {
        (self.kernels().row_max)(x)
    }

    /// [`exp`] on this backend, on eight lanes given as an array.
    pub fn exp(self, x: [f32; LANES]) -> [f32; LANES] {
        (self.kernels().exp)(x)
    }

    /// [`exp_sum`] on this backend.
    ///
    /// # Errors
    /// As [`exp_sum`].
    ///
    /// ```
    /// use wtas::kernels::Backend;
    ///
    /// let mut out = [0.0; 1];
    /// assert!(Backend::Scalar.exp_sum(&[1.0, 2.0], 2.0, &mut out).is_err());
    /// ```
    pub fn exp_sum(self, x: &[f32], max: f32, out: &mut [f32]) -> Result<f32, Error> {
        check_len(BufferName::Out, x.len(), out.len())?;
        Ok((self.kernels().exp_sum)(x, max, out, SoftmaxPath::Inline))
    }

    /// [`spike_mask`] on this backend.
    ///
    /// # Errors
    /// As [`spike_mask`].
    ///
    /// ```
    /// use wtas::kernels::Backend;
    ///
    /// assert!(Backend::Portable.spike_mask(&mut [1.0, 0.5], 1.5, &[0.1]).is_err());
    /// ```
    pub fn spike_mask(self, e_then_s: &mut [f32], sum: f32, thr: &[f32]) -> Result<f32, Error> {
        check_len(BufferName::Thr, e_then_s.len(), thr.len())?;
        let inv = spec::reciprocal(sum);
        Ok((self.kernels().spike_mask)(e_then_s, inv, thr))
    }

    /// [`softmax`] on this backend.
    ///
    /// # Errors
    /// As [`softmax`].
    ///
    /// ```
    /// use wtas::kernels::Backend;
    ///
    /// assert!(Backend::detect().softmax(1, 2, &[1.0, 2.0], &mut [0.0; 3]).is_err());
    /// ```
    pub fn softmax(self, batch: usize, n: usize, x: &[f32], out: &mut [f32]) -> Result<(), Error> {
        let len = batch.checked_mul(n).ok_or(Error::Size)?;
        check_len(BufferName::In, len, x.len())?;
        check_len(BufferName::Out, len, out.len())?;
        if n == 0 {
            return Ok(());
        }
        let path = SoftmaxPath::for_shape(batch, n);
        let k = self.kernels();
        for (x, out) in x.chunks_exact(n).zip(out.chunks_exact_mut(n)) {
            let sum = (k.exp_sum)(x, (k.row_max)(x), out, path);
            (k.scale_in_place)(out, spec::reciprocal(sum));
        }
        Ok(())
    }

    /// Advances one batch row by one step.
    #[inline(always)]
    pub(crate) fn step_row(self, row: Row<'_>, k: &StepConsts) {
        // Size-first: the scalar backend (every backend without SIMD) is
        // the step written for size, called directly, so that no table
        // links the other kernels in.
        #[cfg(feature = "size-first")]
        if cfg!(not(wtas_simd)) || self == Backend::Scalar {
            return backend::size_first::step_row(row, k);
        }
        (self.kernels().step_row)(row, k)
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

/// The reference's `exp`, on eight lanes: the polynomial that XLA's CPU
/// compiler emits inside the reference's softmax (Cephes' `expf`, its
/// multiply-adds fused), so that near a tie the last bits are the
/// reference's.
///
/// - About 2 ulp from the correctly rounded `exp` on the softmax's range
///   [−87.3, 0]; results below `f32::MIN_POSITIVE` are `+0.0` (the
///   reference flushes), and inputs below −87.8 give `+0.0`.
/// - `exp(±0) = 1.0`, `exp(-inf) = +0.0`, `exp(+inf) = +inf`.
/// - NaN gives `f32::NAN` (the canonical quiet NaN).
///
/// Bit-identical to [`exp_f32`] lane by lane, on every target.
pub fn exp(x: f32x8) -> f32x8 {
    spec::exp::exp(x)
}

/// The reference's `exp` on one value: the scalar twin of [`exp`], with the
/// same contract and the same bits.
pub fn exp_f32(x: f32) -> f32 {
    spec::exp::exp_f32(x)
}

/// `a * b + c` rounded once (IEEE-754 fused multiply-add), the operation
/// the reference's compiled `exp` fuses: the same bits on every target.
///
/// Cortex-M4F and M33 run their `VFMA.F32`; cores without a floating-point
/// unit an integer routine; hosts the CPU's FMA where the code is compiled
/// for it (and a correctly rounded software `fma` elsewhere).
///
/// ```
/// use wtas::kernels::fma;
///
/// let (a, b) = (1.0 + f32::EPSILON, 1.0 - f32::EPSILON);
/// // a * b = 1 - EPSILON^2: the separate product rounds it to 1.0.
/// assert_eq!(fma(a, b, -1.0), -f32::EPSILON * f32::EPSILON);
/// assert_eq!(a * b - 1.0, 0.0);
/// ```
#[inline(always)]
pub fn fma(a: f32, b: f32, c: f32) -> f32 {
    lanes::fma(a, b, c)
}

/// `out[i] = exp(x[i] - max)`; returns the sum of `out`.
///
/// `max` is normally [`row_max`]`(x)`, which makes every `out[i]` lie in
/// `[0, 1]` and the sum lie in `[1, x.len()]`. For a non-empty `x`, a NaN
/// or infinite `max` makes every `out[i]` and the sum NaN, as in the
/// reference's softmax; an empty `x` sums to `0.0`. The sum is taken in
/// the reference's order for rows of fewer than 4,096 elements: left to
/// right up to 32 values, in windows of 32 beyond (see [`softmax`]).
///
/// # Errors
/// [`Error::Length`] for [`BufferName::Out`] if the lengths differ, without
/// writing.
///
/// ```
/// use wtas::{BufferName, Error, kernels};
///
/// let mut out = [0.0; 2];
/// assert_eq!(
///     kernels::exp_sum(&[1.0, 2.0, 3.0], 3.0, &mut out),
///     Err(Error::Length { buffer: BufferName::Out, expected: 3, found: 2 })
/// );
/// assert_eq!(out, [0.0; 2]);
/// assert_eq!(kernels::exp_sum(&[], f32::NAN, &mut []), Ok(0.0));
/// ```
pub fn exp_sum(x: &[f32], max: f32, out: &mut [f32]) -> Result<f32, Error> {
    Backend::detect().exp_sum(x, max, out)
}

/// In place: `s[i] = (e[i] * (1 / sum) > thr[i]) ? 1.0 : 0.0`; returns the
/// number of spikes as `f32`.
///
/// This is the reference's spike rule on the output of [`exp_sum`]: the
/// probability is `e` times the row's one reciprocal `1 / sum`, each
/// correctly rounded, as the reference's compiled graph computes it, and is
/// compared with an ordered `>`, so a NaN probability or a NaN threshold
/// never spikes. The masks are lane selects, with no per-element branch.
///
/// # Errors
/// [`Error::Length`] for [`BufferName::Thr`] if the lengths differ, without
/// writing.
///
/// ```
/// use wtas::{BufferName, Error, kernels};
///
/// let mut e = [1.0, 0.1, 0.01];
/// let sum = 1.11;
/// assert_eq!(kernels::spike_mask(&mut e, sum, &[0.5, 0.5, 0.5]), Ok(1.0));
/// assert_eq!(e, [1.0, 0.0, 0.0]);
/// assert_eq!(
///     kernels::spike_mask(&mut e, sum, &[0.5]),
///     Err(Error::Length { buffer: BufferName::Thr, expected: 3, found: 1 })
/// );
/// ```
pub fn spike_mask(e_then_s: &mut [f32], sum: f32, thr: &[f32]) -> Result<f32, Error> {
    Backend::detect().spike_mask(e_then_s, sum, thr)
}

/// `out = softmax(x)` row by row, as the reference computes it: `x` and
/// `out` are row-major `batch × n`, and each row's probabilities are
/// `flush(exp(x - max) * (1 / sum))`, bit for bit the reference's
/// (`jax.jit(ngclearn.utils.model_utils.softmax)`, jax/jaxlib 0.10.2 on
/// x86-64) for shapes of fewer than 4,096 elements:
///
/// - `max` is the row's NaN-propagating maximum;
/// - `exp` is the reference's ([`exp`]);
/// - `sum` adds the row left to right when it has at most 32 elements;
///   a longer row is padded with zeros to a multiple of 32 (the padding
///   split between both ends, the smaller half in front), summed in windows
///   of 32 (each left to right), and the window sums are summed the same
///   way (in windows again while there are more than 32);
/// - one reciprocal per row, one product per element, and a subnormal
///   probability flushed to `+0.0`, as the reference's flush-to-zero does.
///
/// A row holding a NaN, a `+inf`, or only `-inf` gives all-NaN output (the
/// canonical `f32::NAN`).
///
/// # Errors
/// [`Error::Size`] if `batch × n` overflows; [`Error::Length`] for
/// [`BufferName::In`] or [`BufferName::Out`] if `x` or `out` is not
/// `batch × n` long. Nothing is written then.
///
/// ```
/// use wtas::{BufferName, Error, kernels};
///
/// let mut p = [0.0; 4];
/// kernels::softmax(2, 2, &[0.0, 0.0, 1.0, f32::NAN], &mut p)?;
/// assert_eq!(p[..2], [0.5, 0.5]);
/// assert!(p[2].is_nan() && p[3].is_nan());
/// assert_eq!(
///     kernels::softmax(2, 3, &[0.0; 4], &mut p),
///     Err(Error::Length { buffer: BufferName::In, expected: 6, found: 4 })
/// );
/// # Ok::<(), wtas::Error>(())
/// ```
pub fn softmax(batch: usize, n: usize, x: &[f32], out: &mut [f32]) -> Result<(), Error> {
    Backend::detect().softmax(batch, n, x, out)
}
