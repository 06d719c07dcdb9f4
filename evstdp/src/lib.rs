//! Event-based STDP learning on the [`wtas`] cell: the model `WTASCell` was
//! made for (Tavanaei, Masquelier & Maida 2018, "Representation learning
//! using event-based STDP", Neural Networks 105), as ngclearn's model museum
//! builds it in its `evstdp_patches` exhibit.
//!
//! Four components, each a function over caller-owned slices, `no_std` and
//! allocation-free:
//!
//! - [`bernoulli`]: each input value `p` becomes a spike with probability
//!   `p` per step (`u < p` for a uniform draw `u` from any [`Draws`]), and
//!   each input's time of last spike is tracked;
//! - [`ExpKernel`]: spikes become EPSPs, `Σ exp(-(t - tf)/tau_w)` over a
//!   window of recent spike times, with XLA's own `exp` (that of
//!   [`wtas::kernels::exp_f32`]);
//! - [`EventStdp`]: the synapse drives the cell with `j = epsp · W` and, on
//!   each post-synaptic spike, potentiates the weights from inputs that
//!   spiked within `presyn_win_len` and depresses the others;
//! - [`wtas::Cell`]: the winner-take-all layer.
//!
//! [`Model`] wires them in the exhibit's order (synapse, encoder, kernel,
//! cell, then the synapse's evolve) and presents one pattern for
//! [`Hyper::steps`] steps. Every operation is the reference's own `f32`
//! arithmetic in the reference's order, as XLA compiles ngclearn's graph
//! for any hyperparameters a user can pass: the hyperparameters formed as
//! Python and XLA form them (see [`Hyper`]), the fused multiply-adds where
//! XLA contracts a multiply and an add (the dot product `epsp · W`, the
//! STDP update, the `exp`), the dot product's order, the divisions XLA
//! turns into multiplications, and the flush to zero its CPU runtime runs
//! with (a subnormal result is 0). A replay of ngclearn's recorded draws gives
//! its bits (`tests/fidelity.rs`, which replays any trajectory that
//! `scripts/record_ngclearn.py` records). This holds for ngclearn 3.2.3
//! with jax 0.10.2 and jaxlib 0.10.2 on x86-64 CPUs with FMA, whose
//! compiled HLO, LLVM IR and object code it was read from; another XLA
//! version, or a CPU without FMA (where XLA cannot fuse), may compile the
//! graph differently.
//!
//! ```
//! use wtas_evstdp::{Buffers, Hyper, Model, SeededDraws, init_weights};
//!
//! const IN: usize = 4;
//! const HID: usize = 2;
//! let hyper = Hyper::EXHIBIT;
//! let (mut s, mut tols, mut epsp) = ([0.0; IN], [0.0; IN], [0.0; IN]);
//! let mut tf = [0.0; IN * 2]; // hyper.win_len() rows
//! let mut w = [0.0; IN * HID];
//! let mut cell = [[0.0_f32; HID]; 6];
//! let [j, v, cs, thr, rfr, ctols] = &mut cell;
//! let mut draws = SeededDraws::new(7);
//! init_weights(&mut w, &mut draws);
//! let bufs = Buffers {
//!     x_s: &mut s, x_tols: &mut tols, tf: &mut tf, epsp: &mut epsp, w: &mut w,
//!     cell: wtas::Buffers { j, v, s: cs, thr, rfr, tols: ctols },
//! };
//! let mut model = Model::new(hyper, bufs, 42)?;
//! let mut counts = [0u32; HID];
//! let spikes = model.present(&[1.0, 1.0, 0.0, 0.0], &mut draws, true, &mut counts)?;
//! assert_eq!(spikes, counts.iter().sum::<u32>());
//! # Ok::<(), wtas_evstdp::Error>(())
//! ```
#![no_std]
#![deny(missing_docs)]
// Only the CPU-specific fused multiply-adds (module `hw`) and their calls
// opt in.
#![deny(unsafe_code)]

#[cfg(feature = "std")]
extern crate std;

use rand_core::Rng;

/// Errors from building or running a [`Model`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The wtas cell refused its configuration, buffers or step.
    Cell(wtas::Error),
    /// A buffer has the wrong length.
    Length {
        /// Which buffer.
        what: &'static str,
        /// The length the model needs.
        expected: usize,
        /// The length given.
        got: usize,
    },
    /// A weight is negative, infinite or NaN.
    WeightRange,
    /// A hyperparameter is out of its domain.
    Hyper(&'static str),
    /// A layer shape whose compiled arithmetic the model does not follow.
    Shape(&'static str),
}

impl From<wtas::Error> for Error {
    fn from(e: wtas::Error) -> Self {
        Error::Cell(e)
    }
}

impl core::fmt::Display for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Error::Cell(e) => write!(f, "wtas cell: {e}"),
            Error::Length {
                what,
                expected,
                got,
            } => {
                write!(f, "buffer {what}: expected {expected} values, got {got}")
            }
            Error::WeightRange => f.write_str("a weight is negative, infinite or NaN"),
            Error::Hyper(what) => write!(f, "hyperparameter out of range: {what}"),
            Error::Shape(what) => write!(f, "layer shape not supported: {what}"),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for Error {}

/// One unit with this many inputs or more: XLA hands the sum to YNNPACK.
const YNN_INPUTS: usize = 4096;

/// Refuses the one shape whose arithmetic is not followed: a layer of 1 unit
/// with 4,096 inputs or more, whose dot product XLA compiles into a YNNPACK
/// fusion (a multiply and YNNPACK's 16-lane sum), not into its own loops.
fn check_shape(n_in: usize, n_hid: usize) -> Result<(), Error> {
    if n_hid == 1 && n_in >= YNN_INPUTS {
        return Err(Error::Shape(
            "1 unit with 4096 inputs or more (XLA sums that dot product in a YNNPACK fusion)",
        ));
    }
    Ok(())
}

fn check(what: &'static str, expected: usize, got: usize) -> Result<(), Error> {
    if expected == got {
        Ok(())
    } else {
        Err(Error::Length {
            what,
            expected,
            got,
        })
    }
}

/// The lower clip of every weight after an update (fixed in ngclearn's
/// `EventSTDPSynapse.evolve`).
pub const W_MIN: f32 = 0.01;

/// Every hyperparameter of the model, as a user passes it to ngclearn's
/// components: `f64`, Python's floats.
///
/// The model forms each constant from these as the reference's compiled
/// graph does (jax 0.10.2, jaxlib 0.10.2 on CPU): a value that meets an
/// `f32` array is rounded once to `f32` (`dt`, `tau_w`, `eta`,
/// `presyn_win_len`, `w_bound` and the cell's); `1 + lmbda` is summed in
/// `f64` (Python) and rounded once; the kernel's window `int(nu / dt) + 1`
/// and the test `presyn_win_len > 0` are Python arithmetic on the `f64`
/// values; and XLA turns the kernel's division by the constant `tau_w` into
/// a multiplication by `1 / f32(tau_w)`, rounded in `f32`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hyper {
    /// Integration step (ms).
    pub dt: f64,
    /// Steps per pattern (`T`).
    pub steps: usize,
    /// Exponential kernel time constant.
    pub tau_w: f64,
    /// Exponential kernel window (ms); the kernel keeps `nu / dt` spike times.
    pub nu: f64,
    /// Learning rate.
    pub eta: f64,
    /// Degree of synaptic disconnect ("lambda").
    pub lmbda: f64,
    /// Strength of potentiation.
    pub a_plus: f64,
    /// Strength of depression.
    pub a_minus: f64,
    /// How far back (ms) a pre-synaptic spike counts as causal.
    pub presyn_win_len: f64,
    /// Upper bound of every weight.
    pub w_bound: f64,
    /// Cell membrane time constant (no effect on the cell's dynamics).
    pub tau_m: f64,
    /// Cell membrane resistance.
    pub resist_m: f64,
    /// Base of the adaptive thresholds.
    pub thr_base: f64,
    /// Threshold change per extra spike in a step.
    pub thr_gain: f64,
    /// Refractory period (ms).
    pub refract_time: f64,
    /// Half-width of the initial thresholds' uniform jitter.
    pub thr_jitter: f64,
}

impl Hyper {
    /// The `evstdp_patches` exhibit's values: dt 3, T 50, tau_w 0.5, nu 4,
    /// eta 0.0055, lmbda 0.01, A± 1, presyn_win_len 3, w_bound 1; cell
    /// tau_m 100, resist_m 1, thr_base 0.2, thr_gain 0.002, refract_time 5,
    /// thr_jitter 0.055.
    pub const EXHIBIT: Hyper = Hyper {
        dt: 3.0,
        steps: 50,
        tau_w: 0.5,
        nu: 4.0,
        eta: 0.0055,
        lmbda: 0.01,
        a_plus: 1.0,
        a_minus: 1.0,
        presyn_win_len: 3.0,
        w_bound: 1.0,
        tau_m: 100.0,
        resist_m: 1.0,
        thr_base: 0.2,
        thr_gain: 0.002,
        refract_time: 5.0,
        thr_jitter: 0.055,
    };

    /// Rows of the kernel's spike-time window: `int(nu / dt) + 1`, as
    /// ngclearn's `ExpKernel` computes it (in `f64`); 2 for the exhibit.
    pub fn win_len(&self) -> usize {
        (self.nu / self.dt) as usize + 1
    }

    /// The step's `dt` as the compiled step receives it (`f32`).
    pub fn dt_f32(&self) -> f32 {
        self.dt as f32
    }

    /// Time of step `i` of a pattern: `dt * i` in `f64` (a Python float),
    /// rounded once to `f32` where the compiled step receives it.
    pub fn time(&self, i: usize) -> f32 {
        (self.dt * i as f64) as f32
    }

    /// The wtas cell's configuration for `n_hid` units, batch 1 (each
    /// value rounded once to `f32`).
    pub fn cell_config(&self, n_hid: usize) -> wtas::Config {
        wtas::Config {
            batch_size: 1,
            resist_m: self.resist_m as f32,
            thr_base: self.thr_base as f32,
            thr_gain: self.thr_gain as f32,
            refract_time: self.refract_time as f32,
            thr_jitter: self.thr_jitter as f32,
            tau_m: self.tau_m as f32,
            ..wtas::Config::new(n_hid)
        }
    }

    /// The kernel of these hyperparameters.
    pub fn kernel(&self) -> ExpKernel {
        ExpKernel {
            // XLA's algebraic simplifier rewrites `x / c` for a constant `c`
            // as `x * (1 / c)`, the reciprocal folded in f32.
            inv_tau_w: 1.0 / self.tau_w as f32,
            win_len: self.win_len(),
        }
    }

    /// The synapse's learning rule of these hyperparameters.
    pub fn synapse(&self) -> EventStdp {
        EventStdp {
            eta: self.eta as f32,
            // ngclearn computes `1. + lmbda` in Python floats (f64) and
            // rounds once when it meets the f32 weights.
            one_plus_lmbda: (1.0 + self.lmbda) as f32,
            a_plus: self.a_plus as f32,
            a_minus: self.a_minus as f32,
            presyn_win_len: self.presyn_win_len as f32,
            // `if self.presyn_win_len > 0.` is Python's test, on the f64.
            windowed: self.presyn_win_len > 0.0,
            w_bound: self.w_bound as f32,
        }
    }
}

/// A source of uniform draws in `[0, 1)` for the Bernoulli encoder.
pub trait Draws {
    /// The next draw.
    fn uniform(&mut self) -> f32;
}

/// Draws from wtas's seeded generator ([`wtas::seed_rng`], xoshiro128++):
/// `u = (next_u32 >> 8) / 2^24`, the same on every target.
#[derive(Clone, Debug)]
pub struct SeededDraws(wtas::SeedRng);

impl SeededDraws {
    /// The stream of `seed`.
    pub fn new(seed: u64) -> Self {
        SeededDraws(wtas::seed_rng(seed))
    }
    /// The next raw 32-bit output.
    pub fn next_u32(&mut self) -> u32 {
        self.0.next_u32()
    }
}

impl Draws for SeededDraws {
    fn uniform(&mut self) -> f32 {
        (self.0.next_u32() >> 8) as f32 * (1.0 / 16_777_216.0)
    }
}

/// Draws replayed from a slice (for example a reference's recorded ones);
/// once it is exhausted every draw is NaN, which never spikes.
#[derive(Clone, Debug)]
pub struct RecordedDraws<'a> {
    u: &'a [f32],
    at: usize,
}

impl<'a> RecordedDraws<'a> {
    /// Replays `u` in order.
    pub fn new(u: &'a [f32]) -> Self {
        RecordedDraws { u, at: 0 }
    }
    /// Draws taken so far.
    pub fn used(&self) -> usize {
        self.at
    }
}

impl Draws for RecordedDraws<'_> {
    fn uniform(&mut self) -> f32 {
        let u = self.u.get(self.at).copied().unwrap_or(f32::NAN);
        self.at += 1;
        u
    }
}

/// ngclearn's `BernoulliCell.advance_state`: `s = (u < p) ? 1 : 0` with one
/// draw per input, in order, then `tols = (1 - s) * tols + s * t`.
///
/// All three slices must have the same length (extra elements are left
/// alone: the loop runs over the shortest).
pub fn bernoulli<D: Draws + ?Sized>(
    p: &[f32],
    t: f32,
    draws: &mut D,
    s: &mut [f32],
    tols: &mut [f32],
) {
    for ((p, s), tols) in p.iter().zip(s.iter_mut()).zip(tols.iter_mut()) {
        let u = draws.uniform();
        *s = if u < *p { 1.0 } else { 0.0 };
        *tols = (1.0 - *s) * *tols + *s * t;
    }
}

/// ngclearn's `ExpKernel`: a window of `win_len` rows of spike times (row
/// `r` holds `n` values) and `epsp = Σ exp(-(t - tf)/tau_w) · (tf > 0)` over
/// rows `0 .. win_len - 1`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ExpKernel {
    /// `1 / tau_w`, rounded in `f32` from the `f32` time constant: XLA
    /// compiles the division by the constant `tau_w` into a multiplication
    /// by this reciprocal.
    pub inv_tau_w: f32,
    /// Rows in the window (`int(nu/dt) + 1`).
    pub win_len: usize,
}

impl ExpKernel {
    /// One step at time `t` with input spikes `s` (`n` values): row
    /// `win_len - 1` of `tf` becomes `s * t`, the rows rotate up by one (as
    /// `jnp.roll(tf, -1, axis=0)`), and `epsp` is summed over the first
    /// `win_len - 1` rows, in row order, of
    /// [`wtas::kernels::exp_f32`]`((t - tf) · -inv_tau_w)` where `tf > 0` and `+0.0`
    /// elsewhere: XLA compiles the product with the mask into a select, so
    /// a masked term is `+0.0` whatever the exponential is, and it is not
    /// computed.
    ///
    /// # Errors
    /// [`Error::Length`] if `tf` is not `win_len × n` or `epsp` not `n`.
    pub fn advance(
        &self,
        s: &[f32],
        t: f32,
        tf: &mut [f32],
        epsp: &mut [f32],
    ) -> Result<(), Error> {
        let n = s.len();
        check("tf", self.win_len * n, tf.len())?;
        check("epsp", n, epsp.len())?;
        if self.win_len == 0 || n == 0 {
            return Ok(());
        }
        let last = (self.win_len - 1) * n;
        for (tf, s) in tf[last..].iter_mut().zip(s) {
            *tf = *s * t;
        }
        tf.rotate_left(n);
        epsp.fill(0.0);
        let rows = &tf[..last];
        #[cfg(all(feature = "std", target_arch = "x86_64"))]
        if hw::available() {
            // SAFETY: the CPU has AVX2 and FMA (checked at run time).
            #[allow(unsafe_code)] // the AVX2 and FMA paths, checked above
            unsafe {
                hw::kernel_sum(rows, t, -self.inv_tau_w, epsp)
            };
            return Ok(());
        }
        #[cfg(any(target_arch = "aarch64", evstdp_vfma))]
        {
            kernel_sum::<hw::Fused>(rows, t, -self.inv_tau_w, epsp);
            return Ok(());
        }
        #[allow(unreachable_code)]
        {
            kernel_sum::<Soft>(rows, t, -self.inv_tau_w, epsp);
            Ok(())
        }
    }
}

/// `epsp[i] = Σ_rows (tf > 0 ? exp((t - tf) · neg_inv) : +0.0)`, in row
/// order, as XLA's fused reduction adds them (the first term from `+0.0`,
/// which the sum of non-negative terms does not change).
#[inline(always)]
fn kernel_sum<F: Fma>(rows: &[f32], t: f32, neg_inv: f32, epsp: &mut [f32]) {
    for row in rows.chunks_exact(epsp.len()) {
        for (e, tf) in epsp.iter_mut().zip(row) {
            if F::BRANCHLESS {
                // Every exp, then a select (a vector loop without branches
                // on the input spikes): adding +0.0 leaves the sum as it is.
                let v = exp_with::<F>((t - *tf) * neg_inv);
                *e += if *tf > 0.0 { v } else { 0.0 };
            } else if *tf > 0.0 {
                *e += exp_with::<F>((t - *tf) * neg_inv);
            }
        }
    }
}

/// `exp` as XLA's CPU backend (jaxlib 0.10.2) compiles `jnp.exp` inside the
/// kernel's fusion, bit for bit on x86-64 with FMA, where its LLVM IR is
/// contracted into fused multiply-adds (read from the object code of the
/// recorded process): Cephes' `expf`,
///
/// - `x` clamped to `[-87.8, 88.8]`;
/// - `n = floor(fma(x, log2(e), 0.5))`, clamped to `[-127, 127]`;
/// - `r = fma(-n, C2, fma(-n, C1, x))` with `C1 = 0.693359375`,
///   `C2 = -2.12194440e-4`;
/// - `p = fma(fma(fma(fma(fma(P0, r, P1), r, P2), r, P3), r, P4), r, 0.5)`
///   (Cephes' coefficients);
/// - `exp = (fma(p, r·r, r) + 1) · 2^n`, `2^n` built in the exponent field
///   from `n + 127` (so `n = -127` gives `+0.0`);
/// - a subnormal result is `+0.0`: XLA's CPU runtime runs with
///   flush-to-zero.
///
/// This is [`wtas::kernels::exp_f32`], the same operations (the tests check
/// every input of the range where it is not 0, 1 or infinite), generic here
/// over how the fused multiply-add is computed so that it inlines into the
/// kernel's vector loop with the CPU's FMA instruction. `exp(±0) = 1`
/// exactly, which is taken directly. NaN propagates.
#[inline(always)]
fn exp_with<F: Fma>(x: f32) -> f32 {
    // The result at ±0 is exactly 1 either way; software fmas make the
    // shortcut worth a branch.
    if !F::BRANCHLESS && x == 0.0 {
        return 1.0;
    }
    const LOG2E: f32 = f32::from_bits(0x3fb8_aa3b);
    const C1: f32 = f32::from_bits(0x3f31_8000);
    const C2: f32 = f32::from_bits(0xb95e_8083);
    const P: [f32; 5] = [
        f32::from_bits(0x3950_6967),
        f32::from_bits(0x3ab7_43ce),
        f32::from_bits(0x3c08_8908),
        f32::from_bits(0x3d2a_a9c1),
        f32::from_bits(0x3e2a_aaaa),
    ];
    // `select(x >= lo, x, lo)` then `select(x <= hi, x, hi)`, unordered
    // comparisons: a NaN passes through.
    let x = if x < -87.8 { -87.8 } else { x };
    let x = if x > 88.8 { 88.8 } else { x };
    let n = F::floor(F::fma(x, LOG2E, 0.5));
    let n = if n < -127.0 { -127.0 } else { n };
    let n = if n > 127.0 { 127.0 } else { n };
    let r = F::fma(-n, C2, F::fma(-n, C1, x));
    let mut p = F::fma(P[0], r, P[1]);
    for c in &P[2..] {
        p = F::fma(p, r, *c);
    }
    let p = F::fma(p, r, 0.5);
    let y = F::fma(p, r * r, r) + 1.0;
    // 2^n in the exponent field, as XLA's `(int(n) + 127) << 23`: for the
    // integer n in [-127, 127], `n + 127 + 2^23` holds n + 127 in its low
    // mantissa bits (n = -127 gives +0.0, as there). Float arithmetic
    // rather than a conversion, so that the loop vectorizes; a NaN `n`
    // gives some finite factor, and the product stays NaN, as there.
    let k = (n + (127.0 + 8_388_608.0)).to_bits() & 0x007f_ffff;
    let e = y * f32::from_bits(k << 23);
    // Flush to zero (a NaN stays).
    if e < f32::MIN_POSITIVE { 0.0 } else { e }
}

/// ngclearn's `EventSTDPSynapse`: the dense forward pass and the
/// event-driven, post-synaptic STDP update, over a row-major weight matrix
/// `w[i * n_hid + k]` (input `i`, unit `k`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EventStdp {
    /// Learning rate.
    pub eta: f32,
    /// `1 + lmbda`, summed in `f64` and rounded once to `f32`.
    pub one_plus_lmbda: f32,
    /// Potentiation strength.
    pub a_plus: f32,
    /// Depression strength.
    pub a_minus: f32,
    /// Causal window (ms).
    pub presyn_win_len: f32,
    /// Whether the causal window is open (`presyn_win_len > 0`, tested on
    /// the `f64` value as ngclearn does); if not, only a pre-synaptic spike
    /// at `t` itself counts.
    pub windowed: bool,
    /// Upper bound of the weights.
    pub w_bound: f32,
}

impl EventStdp {
    /// `j[k] = Σ_i epsp[i] · w[i][k]` as XLA's CPU backend compiles
    /// ngclearn's `jnp.matmul(inputs, weights)` (a `1 × n_in` by
    /// `n_in × n_hid` dot): its column-major matrix-vector kernel
    /// (`col_major_gemv_F32_8_8_<n_hid>_<n_in>`, tiles of 8 units by 8
    /// inputs) keeps each `j[k]` in a register and adds the inputs' terms
    /// in increasing `i` from `+0.0`, each as a fused multiply-add
    /// (`vfmadd231ps`): `j[k] = fma(epsp[i], w[i][k], j[k])`, rounded once
    /// per term. Read from the optimized HLO, LLVM IR and object code of
    /// the recorded process (jax 0.10.2, jaxlib 0.10.2) and checked bit for
    /// bit on the recorded trajectories (1 to 400 units) and, on its own,
    /// on `jnp.matmul` up to 4096 × 4096. One exception, from the object
    /// code: when `n_hid % 8 == 1` (and `n_hid > 8`), the last unit's
    /// first 8 terms are a multiply and an add, rounded twice (see
    /// `forward_with`), and so are unit 0's with 2 units (both with 3
    /// inputs or more). A layer of 1 unit is no dot at all: XLA makes it
    /// a multiply and a sum, which with more than 32 inputs adds the
    /// rounded products in windows of 32 (`windowed_sum`); up to 32 it is
    /// the fused sequential order. From 4,096 inputs on, XLA hands that
    /// one-unit sum to YNNPACK, which this does not follow: such a shape is
    /// refused ([`Error::Shape`]).
    ///
    /// XLA's CPU runtime flushes subnormal inputs and results to zero
    /// (DAZ and FTZ). Where an EPSP is tiny enough for that to matter
    /// (nonzero and below 2^-60), every term is computed so. Weights are
    /// taken to be 0 or at least 2^-60, as every weight is after an update
    /// (at least [`W_MIN`]) and as ngclearn's initializer draws them
    /// (scanning them on every call would double its time); [`Model`]
    /// checks its initial weights once and flushes as the reference where
    /// one is smaller.
    ///
    /// Only the active inputs are visited: a term with `epsp[i] == 0` is
    /// `+0.0`, which leaves a sum that starts at `+0.0` (with finite,
    /// non-negative weights, which [`Model`] checks) unchanged. A term with
    /// `epsp[i] == 1` is `fma(1, w, j) = j + w`, one rounding, which is a
    /// plain add (the only case at the exhibit's settings). The others use
    /// the CPU's FMA instruction where there is one (x86-64 with AVX2 and
    /// FMA, detected at run time with the `std` feature; aarch64; Cortex-M
    /// with `vfma.f32`) and the correctly rounded [`fma`] elsewhere: the
    /// same bits on every target.
    ///
    /// # Errors
    /// [`Error::Length`] if `w` is not `epsp.len() × j.len()`;
    /// [`Error::Shape`] for 1 unit with 4,096 inputs or more.
    pub fn forward(&self, epsp: &[f32], w: &[f32], j: &mut [f32]) -> Result<(), Error> {
        self.forward_ftz(epsp, w, j, false, true)
    }

    /// [`forward`](EventStdp::forward), told whether any weight is tiny
    /// (nonzero and below 2^-60) and whether an EPSP may be: [`Model`]
    /// knows without scanning.
    fn forward_ftz(
        &self,
        epsp: &[f32],
        w: &[f32],
        j: &mut [f32],
        tiny_weights: bool,
        tiny_epsp_possible: bool,
    ) -> Result<(), Error> {
        let n_hid = j.len();
        check("w", epsp.len() * n_hid, w.len())?;
        check_shape(epsp.len(), n_hid)?;
        j.fill(0.0);
        if n_hid == 0 {
            return Ok(());
        }
        if tiny_weights || (tiny_epsp_possible && any_tiny(epsp)) {
            // A product or a partial sum may be subnormal: every operation
            // as the reference's runtime does it, inputs and results
            // flushed to zero. (Otherwise every product of an EPSP and a
            // weight, both 0 or at least 2^-60, is 0 or at least 2^-120, and
            // so is every partial sum: flushing would change nothing.)
            forward_with::<Ftz>(epsp, w, j);
            return Ok(());
        }
        #[cfg(all(feature = "std", target_arch = "x86_64"))]
        if hw::available() {
            // SAFETY: the CPU has AVX2 and FMA (checked at run time).
            #[allow(unsafe_code)] // the AVX2 and FMA paths, checked above
            unsafe {
                hw::forward(epsp, w, j)
            };
            return Ok(());
        }
        #[cfg(any(target_arch = "aarch64", evstdp_vfma))]
        {
            forward_with::<hw::Fused>(epsp, w, j);
            return Ok(());
        }
        #[allow(unreachable_code)]
        {
            forward_with::<Soft>(epsp, w, j);
            Ok(())
        }
    }

    /// The update at time `t` after a step, as ngclearn's `evolve`:
    ///
    /// - `pre[i] = (t - presyn_win_len < pre_tols[i]) && pre_tols[i] > 0`
    ///   (if not [`windowed`](EventStdp::windowed):
    ///   `pre_tols[i] == t && pre_tols[i] > 0`);
    /// - `dW = pre ? (w_bound - w·(1+λ))·A+ : -w·((1+λ)·A-)`, times
    ///   `post[k]` (XLA's algebraic simplifier folds the depression's two
    ///   constants into their `f32` product);
    /// - `w = clip(w + dW·eta, W_MIN, w_bound)`.
    ///
    /// XLA's CPU compiler contracts two of these into fused multiply-adds,
    /// each rounded once: `w_bound - w·(1+λ)` and `w + dW·eta`. Both are
    /// computed here as fused multiply-adds (hardware or [`fma`], as in
    /// [`forward`](EventStdp::forward)), which is what makes the weights
    /// match ngclearn's bit for bit (with separate roundings they drift by a
    /// few ulp from the first update on; see `tests/fidelity.rs`).
    ///
    /// Columns with `post[k] == 0` are skipped: there `dW·eta` is `±0.0`,
    /// so where `w` is already in `[W_MIN, w_bound]` the reference leaves
    /// it bit for bit as it is ([`Model`] clips every weight once, at its
    /// first update, if they were not all in range; every update keeps
    /// them there).
    ///
    /// # Errors
    /// [`Error::Length`] if `w` is not `pre_tols.len() × post.len()`.
    pub fn evolve(
        &self,
        pre_tols: &[f32],
        post: &[f32],
        t: f32,
        w: &mut [f32],
    ) -> Result<(), Error> {
        let n_hid = post.len();
        check("w", pre_tols.len() * n_hid, w.len())?;
        if n_hid == 0 || post.iter().all(|p| *p == 0.0) {
            return Ok(());
        }
        #[cfg(all(feature = "std", target_arch = "x86_64"))]
        if hw::available() {
            // SAFETY: the CPU has AVX2 and FMA (checked at run time).
            #[allow(unsafe_code)] // the AVX2 and FMA paths, checked above
            unsafe {
                hw::evolve(self, pre_tols, post, t, w)
            };
            return Ok(());
        }
        #[cfg(any(target_arch = "aarch64", evstdp_vfma))]
        {
            self.evolve_with::<hw::Fused>(pre_tols, post, t, w);
            return Ok(());
        }
        #[allow(unreachable_code)]
        {
            self.evolve_with::<Soft>(pre_tols, post, t, w);
            Ok(())
        }
    }

    #[inline(always)]
    fn evolve_with<F: Fma>(&self, pre_tols: &[f32], post: &[f32], t: f32, w: &mut [f32]) {
        let n_hid = post.len();
        // XLA computes `t - presyn_win_len` as `t + (-presyn_win_len)`:
        // the same value.
        let lo = t - self.presyn_win_len;
        // One weight: `pre` from the input's time of last spike, both sides
        // of the `jnp.where`, the gate, the fused update and the clip (max
        // with the lower bound, then min with the upper).
        let update = |tols: f32, w: f32, post: f32| {
            let pre = tols > 0.0 && if self.windowed { lo < tols } else { tols == t };
            // XLA folds the two constants of `(-w · (1+λ)) · A-` into one,
            // their f32 product.
            let neg = -w * (self.one_plus_lmbda * self.a_minus);
            let dw = if F::BRANCHLESS || pre {
                let pos = F::fma(-w, self.one_plus_lmbda, self.w_bound) * self.a_plus;
                if pre { pos } else { neg }
            } else {
                neg
            };
            F::fma(dw * post, self.eta, w).max(W_MIN).min(self.w_bound)
        };
        for (k, post) in post.iter().enumerate() {
            if *post == 0.0 {
                continue;
            }
            // Column k: every input's weight onto the unit that spiked.
            if F::BRANCHLESS {
                // Eight inputs at a time, gathered into lanes, so that the
                // select on `pre` is a vector blend rather than a branch
                // that follows the input spikes.
                for (c, tols) in pre_tols.chunks(8).enumerate() {
                    let (mut wv, mut tv) = ([W_MIN; 8], [0.0f32; 8]);
                    for (l, tols) in tols.iter().enumerate() {
                        wv[l] = w[(c * 8 + l) * n_hid + k];
                        tv[l] = *tols;
                    }
                    let mut out = [0.0f32; 8];
                    for ((o, tols), w) in out.iter_mut().zip(tv).zip(wv) {
                        *o = update(tols, w, *post);
                    }
                    for (l, o) in out.iter().take(tols.len()).enumerate() {
                        w[(c * 8 + l) * n_hid + k] = *o;
                    }
                }
            } else {
                for (tols, w) in pre_tols.iter().zip(w.iter_mut().skip(k).step_by(n_hid)) {
                    *w = update(*tols, *w, *post);
                }
            }
        }
    }
}

/// A fused multiply-add, `a · b + c` rounded once.
trait Fma {
    /// Whether to compute without branches on the data: where `fma` is one
    /// instruction on a core with wide vectors and branch prediction,
    /// computing both sides of a select (in vector loops) beats a branch
    /// that follows the input spikes; on a small core (or with software
    /// fmas) skipping work is cheaper.
    const BRANCHLESS: bool;
    fn fma(a: f32, b: f32, c: f32) -> f32;
    /// `a · b`, rounded.
    #[inline(always)]
    fn mul(a: f32, b: f32) -> f32 {
        a * b
    }
    /// `a + b`, rounded.
    #[inline(always)]
    fn add(a: f32, b: f32) -> f32 {
        a + b
    }
    /// `floor`, as `libm::floorf` (an instruction where there is one).
    #[inline(always)]
    fn floor(x: f32) -> f32 {
        libm::floorf(x)
    }
}

/// The correctly rounded [`fma`] of this crate, on any target.
struct Soft;

impl Fma for Soft {
    const BRANCHLESS: bool = false;
    #[inline(always)]
    fn fma(a: f32, b: f32, c: f32) -> f32 {
        fma(a, b, c)
    }
}

/// Below this (and nonzero) an EPSP or weight may give a subnormal product.
const TINY: f32 = 8.673_617e-19; // 2^-60

/// `0 < |x| < TINY` (NaN is not tiny), as one unsigned comparison of the
/// bits.
#[inline(always)]
fn tiny(x: f32) -> bool {
    (x.to_bits() & 0x7fff_ffff).wrapping_sub(1) < TINY.to_bits() - 1
}

/// Whether any of `x` is [`tiny`] (no early exit, so that it vectorizes).
fn any_tiny(x: &[f32]) -> bool {
    x.iter().fold(false, |any, x| any | tiny(*x))
}

/// XLA's CPU runtime: [`Soft`]'s operations with subnormal inputs read as
/// zero and subnormal results written as zero (DAZ and FTZ).
struct Ftz;

impl Ftz {
    #[inline(always)]
    fn flush(x: f32) -> f32 {
        if x.is_subnormal() {
            0.0f32.copysign(x)
        } else {
            x
        }
    }
}

impl Fma for Ftz {
    const BRANCHLESS: bool = false;
    fn fma(a: f32, b: f32, c: f32) -> f32 {
        Self::flush(fma(Self::flush(a), Self::flush(b), Self::flush(c)))
    }
    fn mul(a: f32, b: f32) -> f32 {
        Self::flush(Self::flush(a) * Self::flush(b))
    }
    fn add(a: f32, b: f32) -> f32 {
        Self::flush(Self::flush(a) + Self::flush(b))
    }
}

/// The forward pass's loop over the active inputs, generic over how the
/// fused multiply-add is computed (every way gives the same bits), with the
/// shapes where XLA's compiled dot differs from the fused sequential order.
#[inline(always)]
fn forward_with<F: Fma>(epsp: &[f32], w: &[f32], j: &mut [f32]) {
    let (n_in, n_hid) = (epsp.len(), j.len());
    if n_hid == 1 && n_in > WINDOW {
        // One unit: XLA rewrites the dot as a multiply and a reduce; past
        // 32 inputs the reduce is split into windows (see `windowed_sum`),
        // and the products, in their own fusion, are rounded on their own.
        j[0] = windowed_sum(n_in, &|i| F::mul(epsp[i], w[i]));
        return;
    }
    forward_rows::<F>(epsp, w, j);
    // XLA's gemv kernel handles the units past the last tile of 8 in a
    // scalar loop whose first tile of 8 inputs stores the first input's
    // product and adds the others. Where LLVM leaves that multiply in
    // another basic block than its add (read from the object code), the
    // terms are a multiply and an add, rounded twice, not fused: with
    // exactly one unit past the tiles (`n_hid % 8 == 1`, more than 8 units)
    // for that last unit, and with 2 units for unit 0. Fewer than 8
    // inputs: all of them; with 1 or 2 inputs every term is fused (probed
    // on `jnp.matmul` at 9, 33 and 2 units).
    let unfused_unit = match n_hid {
        _ if n_in < 3 => None,
        2 => Some(0),
        n if n % 8 == 1 && n > 8 => Some(n - 1),
        _ => None,
    };
    if let Some(k) = unfused_unit {
        let unfused = n_in.min(8);
        let mut acc = 0.0f32;
        for (i, e) in epsp.iter().enumerate() {
            if *e != 0.0 {
                let w = w[i * n_hid + k];
                acc = if i < unfused {
                    F::add(acc, F::mul(*e, w))
                } else {
                    F::fma(*e, w, acc)
                };
            }
        }
        j[k] = acc;
    }
}

/// The width of XLA's reduce windows.
const WINDOW: usize = 32;

/// `Σ x(i)` for `i < n` as XLA's CPU backend sums a reduce of `n` values:
/// with `n <= 32`, left to right from `+0.0`; otherwise a `reduce-window`
/// of width and stride 32 over the values padded with `P = (-n) mod 32`
/// zeros, `P / 2` (rounded down) before and the rest after, each window
/// summed left to right from `+0.0`, and the same again over the window
/// sums until at most 32 remain (as `reference/ARITHMETIC.md` has it for
/// the cell's softmax sum; read here from the optimized HLO and object
/// code of a one-unit layer).
fn windowed_sum(n: usize, x: &dyn Fn(usize) -> f32) -> f32 {
    if n <= WINDOW {
        return (0..n).fold(0.0, |acc, i| acc + x(i));
    }
    let pad = (WINDOW - n % WINDOW) % WINDOW;
    let before = pad / 2;
    let window = |k: usize| {
        (k * WINDOW..(k + 1) * WINDOW)
            .filter_map(|p| p.checked_sub(before).filter(|i| *i < n))
            .fold(0.0, |acc, i| acc + x(i))
    };
    windowed_sum((n + pad) / WINDOW, &window)
}

#[inline(always)]
fn forward_rows<F: Fma>(epsp: &[f32], w: &[f32], j: &mut [f32]) {
    let n_hid = j.len();
    if F::BRANCHLESS {
        // The active inputs' indices first, without a branch on the input
        // spikes (which a predictor cannot learn), then one fused row each
        // (`fma(1, w, j)` is `j + w`, so no case for EPSP 1 either).
        for (c, e) in epsp.chunks(64).enumerate() {
            let mut active = [0u16; 64];
            let mut n = 0;
            for (i, e) in e.iter().enumerate() {
                active[n] = i as u16;
                n += usize::from(*e != 0.0);
            }
            for &i in &active[..n] {
                let i = c * 64 + usize::from(i);
                let e = epsp[i];
                for (j, w) in j.iter_mut().zip(&w[i * n_hid..(i + 1) * n_hid]) {
                    *j = F::fma(e, *w, *j);
                }
            }
        }
        return;
    }
    for (e, row) in epsp.iter().zip(w.chunks_exact(n_hid)) {
        if *e == 0.0 {
            continue;
        }
        if *e == 1.0 {
            for (j, w) in j.iter_mut().zip(row) {
                *j = F::add(*j, *w);
            }
        } else {
            for (j, w) in j.iter_mut().zip(row) {
                *j = F::fma(*e, *w, *j);
            }
        }
    }
}

/// The CPU's own fused multiply-add, where the target has one: compiled
/// with AVX2 and FMA on x86-64 (chosen at run time), always on aarch64 and
/// on Cortex-M cores with `vfma.f32` (`cfg(evstdp_vfma)`, set by
/// `build.rs`).
#[cfg(any(
    all(feature = "std", target_arch = "x86_64"),
    target_arch = "aarch64",
    evstdp_vfma
))]
#[allow(unsafe_code)]
mod hw {
    use super::Fma;
    #[cfg(target_arch = "x86_64")]
    use super::{EventStdp, forward_with};

    /// `f32::mul_add`, one instruction where the code is compiled for it.
    pub(super) struct Fused;

    impl Fma for Fused {
        // Cortex-M: no vectors, a short pipeline.
        const BRANCHLESS: bool = cfg!(not(evstdp_vfma));
        #[cfg(feature = "std")]
        #[inline(always)]
        fn floor(x: f32) -> f32 {
            x.floor()
        }
        #[inline(always)]
        fn fma(a: f32, b: f32, c: f32) -> f32 {
            // One instruction where the code is compiled for it (`VFMA`
            // on Cortex-M, FMA inside `forward` below on x86-64).
            wtas::kernels::fma(a, b, c)
        }
    }

    /// Whether this CPU has AVX2 and FMA (cached by std).
    #[cfg(target_arch = "x86_64")]
    pub(super) fn available() -> bool {
        std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma")
    }

    /// # Safety
    /// The CPU must have AVX2 and FMA.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn forward(epsp: &[f32], w: &[f32], j: &mut [f32]) {
        forward_with::<Fused>(epsp, w, j);
    }

    /// # Safety
    /// The CPU must have AVX2 and FMA.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn kernel_sum(rows: &[f32], t: f32, neg_inv: f32, epsp: &mut [f32]) {
        super::kernel_sum::<Fused>(rows, t, neg_inv, epsp);
    }

    /// # Safety
    /// The CPU must have AVX2 and FMA.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn evolve(
        syn: &EventStdp,
        pre_tols: &[f32],
        post: &[f32],
        t: f32,
        w: &mut [f32],
    ) {
        syn.evolve_with::<Fused>(pre_tols, post, t, w);
    }
}

/// `a · b + c` rounded once to `f32` (a fused multiply-add), on every
/// target, with or without an FMA instruction.
///
/// The product of two `f32` is exact in `f64`, so `r = a·b + c` in `f64` is
/// rounded once; rounding `r` to `f32` then gives the correctly rounded
/// result unless `r` is exactly halfway between two `f32` (its low 29
/// significand bits are `0x1000_0000`) or the result is subnormal, the two
/// cases where a second rounding can differ. Those rare cases go to
/// [`libm::fmaf`] (correct but slower in software); this is musl's `fmaf`
/// method.
pub fn fma(a: f32, b: f32, c: f32) -> f32 {
    let r = f64::from(a) * f64::from(b) + f64::from(c);
    let bits = r.to_bits();
    let midpoint = bits & 0x1fff_ffff == 0x1000_0000;
    if midpoint || (r != 0.0 && r.abs() < f64::from(f32::MIN_POSITIVE)) {
        libm::fmaf(a, b, c)
    } else {
        r as f32
    }
}

/// Fills `w` with `0.025 + 0.775 · u`, `u` uniform in `[0, 1)` from
/// `draws` (ngclearn's default `uniform(0.025, 0.8)` initializer, with this
/// crate's generator).
pub fn init_weights<D: Draws + ?Sized>(w: &mut [f32], draws: &mut D) {
    for w in w {
        *w = 0.025 + (0.8 - 0.025) * draws.uniform();
    }
}

/// FNV-1a (64-bit) over the weights' bit patterns, one 32-bit word at a
/// time: `h = (h ^ bits) · 0x100000001b3` from `0xcbf29ce484222325`.
pub fn digest(w: &[f32]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for x in w {
        h = (h ^ u64::from(x.to_bits())).wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The model's buffers, all caller-owned: `n_in` inputs, `n_hid` units.
#[derive(Debug)]
pub struct Buffers<'a> {
    /// Input spikes of the last step (`n_in`).
    pub x_s: &'a mut [f32],
    /// Inputs' times of last spike (`n_in`).
    pub x_tols: &'a mut [f32],
    /// The kernel's window of spike times (`win_len × n_in`).
    pub tf: &'a mut [f32],
    /// EPSPs of the last step (`n_in`).
    pub epsp: &'a mut [f32],
    /// Weights, row-major `n_in × n_hid`; kept across patterns.
    pub w: &'a mut [f32],
    /// The cell's six buffers (`n_hid` each).
    pub cell: wtas::Buffers<'a>,
}

/// Owned buffers for `I` inputs, `H` units and a kernel window of `W` rows,
/// sized at compile time (for firmware: place it in a `static`).
#[derive(Debug)]
pub struct Storage<const I: usize, const H: usize, const W: usize> {
    x_s: [f32; I],
    x_tols: [f32; I],
    tf: [[f32; I]; W],
    epsp: [f32; I],
    w: [[f32; H]; I],
    cell: wtas::Storage<H, 1>,
}

impl<const I: usize, const H: usize, const W: usize> Default for Storage<I, H, W> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const I: usize, const H: usize, const W: usize> Storage<I, H, W> {
    /// All zeros.
    pub const fn new() -> Self {
        Storage {
            x_s: [0.0; I],
            x_tols: [0.0; I],
            tf: [[0.0; I]; W],
            epsp: [0.0; I],
            w: [[0.0; H]; I],
            cell: wtas::Storage::new(),
        }
    }
    /// The weights, to initialise before building a [`Model`].
    pub fn weights_mut(&mut self) -> &mut [f32] {
        self.w.as_flattened_mut()
    }
    /// Borrows everything as [`Buffers`].
    pub fn buffers(&mut self) -> Buffers<'_> {
        Buffers {
            x_s: &mut self.x_s,
            x_tols: &mut self.x_tols,
            tf: self.tf.as_flattened_mut(),
            epsp: &mut self.epsp,
            w: self.w.as_flattened_mut(),
            cell: self.cell.buffers(),
        }
    }
}

/// Owned buffers on the heap for `n_in` inputs, `n_hid` units and a kernel
/// window of `win_len` rows ([`Hyper::win_len`]), sized at run time: what
/// [`Storage`] is for sizes known at compile time.
#[cfg(feature = "std")]
#[derive(Clone, Debug)]
pub struct HeapStorage {
    x_s: std::vec::Vec<f32>,
    x_tols: std::vec::Vec<f32>,
    tf: std::vec::Vec<f32>,
    epsp: std::vec::Vec<f32>,
    w: std::vec::Vec<f32>,
    cell: wtas::HeapStorage,
}

#[cfg(feature = "std")]
impl HeapStorage {
    /// All zeros.
    pub fn new(n_in: usize, n_hid: usize, win_len: usize) -> Self {
        let zeros = |n: usize| std::vec![0.0; n];
        HeapStorage {
            x_s: zeros(n_in),
            x_tols: zeros(n_in),
            tf: zeros(win_len * n_in),
            epsp: zeros(n_in),
            w: zeros(n_in * n_hid),
            cell: wtas::HeapStorage::new(n_hid),
        }
    }
    /// The weights, to initialise before building a [`Model`].
    pub fn weights_mut(&mut self) -> &mut [f32] {
        &mut self.w
    }
    /// Borrows everything as [`Buffers`].
    pub fn buffers(&mut self) -> Buffers<'_> {
        use wtas::StateStorage;
        Buffers {
            x_s: &mut self.x_s,
            x_tols: &mut self.x_tols,
            tf: &mut self.tf,
            epsp: &mut self.epsp,
            w: &mut self.w,
            cell: self.cell.buffers(),
        }
    }
}

/// The exhibit's circuit: Bernoulli encoder → exponential kernel →
/// event-STDP synapse → wtas cell, batch 1.
#[derive(Debug)]
pub struct Model<'a> {
    hyper: Hyper,
    kernel: ExpKernel,
    synapse: EventStdp,
    x_s: &'a mut [f32],
    x_tols: &'a mut [f32],
    tf: &'a mut [f32],
    epsp: &'a mut [f32],
    w: &'a mut [f32],
    /// Whether every weight is in `[W_MIN, w_bound]`, which every update
    /// keeps (then the update skips the columns of silent units).
    clipped: bool,
    /// Whether a weight is nonzero and below 2^-60 (possible only before
    /// the first update): then the forward pass flushes as XLA's runtime.
    tiny_weights: bool,
    /// Whether an EPSP can be nonzero and below 2^-60: only if a spike
    /// still in the kernel's window can be more than about 41 `tau_w` old.
    tiny_epsp_possible: bool,
    cell: wtas::Cell<wtas::Buffers<'a>>,
}

impl<'a> Model<'a> {
    fn checked(hyper: &Hyper, b: &Buffers<'_>, n_hid: usize) -> Result<(), Error> {
        let dt = hyper.dt_f32();
        if !(dt.is_finite() && dt > 0.0) {
            return Err(Error::Hyper("dt"));
        }
        if !(hyper.nu.is_finite() && hyper.nu >= 0.0) {
            return Err(Error::Hyper("nu"));
        }
        // ngclearn asserts `presyn_win_len >= 0.`
        if hyper.presyn_win_len.is_nan() || hyper.presyn_win_len < 0.0 {
            return Err(Error::Hyper("presyn_win_len"));
        }
        let w_bound = hyper.w_bound as f32;
        if w_bound.is_nan() || w_bound < W_MIN {
            return Err(Error::Hyper("w_bound"));
        }
        let n_in = b.x_s.len();
        check("x_tols", n_in, b.x_tols.len())?;
        check("epsp", n_in, b.epsp.len())?;
        check("tf", hyper.win_len() * n_in, b.tf.len())?;
        check("w", n_in * n_hid, b.w.len())?;
        check_shape(n_in, n_hid)?;
        if b.w.iter().any(|w| !(w.is_finite() && *w >= 0.0)) {
            return Err(Error::WeightRange);
        }
        Ok(())
    }

    fn assemble(
        hyper: Hyper,
        b: Buffers<'a>,
        cell: impl FnOnce(wtas::Buffers<'a>) -> Result<wtas::Cell<wtas::Buffers<'a>>, wtas::Error>,
    ) -> Result<Self, Error> {
        let n_hid = b.cell.j.len();
        Self::checked(&hyper, &b, n_hid)?;
        let w_bound = hyper.w_bound as f32;
        let mut model = Model {
            hyper,
            kernel: hyper.kernel(),
            synapse: hyper.synapse(),
            x_s: b.x_s,
            x_tols: b.x_tols,
            tf: b.tf,
            epsp: b.epsp,
            clipped: b.w.iter().all(|w| *w >= W_MIN && *w <= w_bound),
            tiny_weights: b.w.iter().any(|w| tiny(*w)),
            // Every nonzero term of an EPSP is at least exp(-win_len · dt /
            // tau_w); below exp(-40) (4e-18, with a wide margin above
            // 2^-60 for the f32 roundings) the forward pass looks.
            tiny_epsp_possible: {
                let age = hyper.win_len() as f64 * hyper.dt / hyper.tau_w;
                age.is_nan() || age > 40.0
            },
            w: b.w,
            cell: cell(b.cell)?,
        };
        model.reset();
        Ok(model)
    }

    /// Builds the model over `buffers`, whose weights must already be set
    /// (finite and non-negative; ngclearn's own initializer draws them from
    /// `[0.025, 0.8)`), with the cell's initial thresholds `threshold0` (one
    /// per unit). Weights outside `[W_MIN, w_bound]` are used as they are
    /// until the first update, which clips every weight, as the reference's
    /// does.
    ///
    /// # Errors
    /// [`Error::Length`], [`Error::WeightRange`], [`Error::Hyper`],
    /// [`Error::Shape`] (1 unit with 4,096 inputs or more, see
    /// [`EventStdp::forward`]), or the cell's own errors.
    pub fn with_thresholds(
        hyper: Hyper,
        buffers: Buffers<'a>,
        threshold0: &[f32],
    ) -> Result<Self, Error> {
        let params = hyper.cell_config(buffers.cell.j.len()).validate()?;
        Self::assemble(hyper, buffers, |b| {
            wtas::Cell::with_thresholds(params, b, threshold0)
        })
    }

    /// As [`Model::with_thresholds`], with the thresholds drawn from `seed`
    /// by [`wtas::Cell::new`].
    ///
    /// # Errors
    /// As [`Model::with_thresholds`].
    pub fn new(hyper: Hyper, buffers: Buffers<'a>, seed: u64) -> Result<Self, Error> {
        let params = hyper.cell_config(buffers.cell.j.len()).validate()?;
        Self::assemble(hyper, buffers, |b| wtas::Cell::new(params, b, seed))
    }

    /// The reset before each pattern (ngclearn's reset process): input
    /// spikes, times of last spike, the kernel's window and EPSPs to zero,
    /// and the cell's reset (thresholds and weights are kept).
    pub fn reset(&mut self) {
        self.x_s.fill(0.0);
        self.x_tols.fill(0.0);
        self.tf.fill(0.0);
        self.epsp.fill(0.0);
        self.cell.reset(wtas::InputReset::Zero);
    }

    /// One step at time `t` for the input probabilities `x` (`n_in`): the
    /// synapse's forward pass from the previous step's EPSPs, the Bernoulli
    /// encoder, the kernel, the cell, and (if `learn`) the STDP update.
    ///
    /// # Errors
    /// [`Error::Length`] if `x` is not `n_in` long; the cell's errors.
    pub fn step<D: Draws + ?Sized>(
        &mut self,
        x: &[f32],
        t: f32,
        draws: &mut D,
        learn: bool,
    ) -> Result<(), Error> {
        check("x", self.x_s.len(), x.len())?;
        self.synapse.forward_ftz(
            self.epsp,
            self.w,
            self.cell.j_mut(),
            self.tiny_weights,
            self.tiny_epsp_possible,
        )?;
        bernoulli(x, t, draws, self.x_s, self.x_tols);
        self.kernel.advance(self.x_s, t, self.tf, self.epsp)?;
        self.cell.advance(t, self.hyper.dt_f32())?;
        if learn {
            self.synapse.evolve(self.x_tols, self.cell.s(), t, self.w)?;
            if !self.clipped {
                // The reference clips every weight at every update; for a
                // silent unit's column that is `clip(w + ±0.0)`, `clip(w)`.
                let hi = self.synapse.w_bound;
                for w in self.w.iter_mut() {
                    *w = w.max(W_MIN).min(hi);
                }
                self.clipped = true;
                self.tiny_weights = false;
            }
        }
        Ok(())
    }

    /// Presents one pattern: [`reset`](Model::reset), then
    /// [`Hyper::steps`] steps at [`Hyper::time`]`(i)` (`dt · i` in `f64`, then
    /// `f32`). Adds each unit's spikes to
    /// `counts` (`n_hid`) and returns the pattern's total.
    ///
    /// # Errors
    /// As [`Model::step`]; [`Error::Length`] for `counts`.
    pub fn present<D: Draws + ?Sized>(
        &mut self,
        x: &[f32],
        draws: &mut D,
        learn: bool,
        counts: &mut [u32],
    ) -> Result<u32, Error> {
        check("counts", self.n_hid(), counts.len())?;
        self.reset();
        let mut total = 0;
        for i in 0..self.hyper.steps {
            self.step(x, self.hyper.time(i), draws, learn)?;
            for (c, s) in counts.iter_mut().zip(self.cell.s()) {
                let k = u32::from(*s != 0.0);
                *c += k;
                total += k;
            }
        }
        Ok(total)
    }

    /// Inputs.
    pub fn n_in(&self) -> usize {
        self.x_s.len()
    }
    /// Units.
    pub fn n_hid(&self) -> usize {
        self.cell.s().len()
    }
    /// The hyperparameters.
    pub fn hyper(&self) -> &Hyper {
        &self.hyper
    }
    /// Weights, row-major `n_in × n_hid`.
    pub fn weights(&self) -> &[f32] {
        self.w
    }
    /// The cell (its `j`, `v`, `s`, `thr`, `rfr`, `tols`).
    pub fn cell(&self) -> &wtas::Cell<wtas::Buffers<'a>> {
        &self.cell
    }
    /// The cell, mutably (for example to choose its backend).
    pub fn cell_mut(&mut self) -> &mut wtas::Cell<wtas::Buffers<'a>> {
        &mut self.cell
    }
    /// Input spikes of the last step.
    pub fn input_spikes(&self) -> &[f32] {
        self.x_s
    }
    /// Inputs' times of last spike.
    pub fn input_tols(&self) -> &[f32] {
        self.x_tols
    }
    /// EPSPs of the last step.
    pub fn epsp(&self) -> &[f32] {
        self.epsp
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::{vec, vec::Vec};

    use super::{EventStdp, Fma, Hyper, Soft, exp_with, fma, forward_with, kernel_sum};

    /// std's `mul_add`: correctly rounded on every target (an instruction
    /// or a software routine), the yardstick for [`Soft`] and the hardware
    /// paths.
    struct Std;

    impl Fma for Std {
        const BRANCHLESS: bool = true;
        fn fma(a: f32, b: f32, c: f32) -> f32 {
            a.mul_add(b, c)
        }
    }

    fn xorshift(mut x: u64) -> impl FnMut() -> u64 {
        move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        }
    }

    /// Every CPU path of `exp_with` against wtas's `exp_f32` (the same
    /// function, public in wtas): every f32 from -87.8 (where the clamp
    /// starts) to 88.8 by steps of 997 bit patterns, every f32 in [-87.8, -87.3]
    /// (results near and below `f32::MIN_POSITIVE`, flushed), and the edges.
    #[test]
    fn exp_is_wtas_exp() {
        let same = |x: f32| {
            let want = wtas::kernels::exp_f32(x).to_bits();
            assert_eq!(exp_with::<Std>(x).to_bits(), want, "{x}");
            assert_eq!(exp_with::<Soft>(x).to_bits(), want, "{x}");
            #[cfg(any(
                all(feature = "std", target_arch = "x86_64"),
                target_arch = "aarch64",
                evstdp_vfma
            ))]
            assert_eq!(exp_with::<super::hw::Fused>(x).to_bits(), want, "{x}");
        };
        let neg = ((-0.0f32).to_bits()..=(-87.8f32).to_bits()).step_by(997);
        let pos = (0.0f32.to_bits()..=88.8f32.to_bits()).step_by(997);
        for b in neg
            .chain(pos)
            .chain((-87.3f32).to_bits()..=(-87.8f32).to_bits())
        {
            same(f32::from_bits(b));
        }
        for x in [
            0.0,
            -0.0,
            -87.8,
            -88.0,
            -1e30,
            f32::NEG_INFINITY,
            88.8,
            100.0,
        ] {
            same(x);
        }
        assert_eq!(exp_with::<Std>(0.0), 1.0);
        assert_eq!(exp_with::<Std>(f32::NEG_INFINITY), 0.0);
        assert!(exp_with::<Std>(f32::NAN).is_nan());
        assert_eq!(exp_with::<Std>(-87.5), 0.0);
        // The kernel at tau_w 0.7, three steps after a spike.
        let x = -3.0 * (1.0 / 0.7_f32);
        assert_eq!(exp_with::<Std>(x).to_bits(), 0x3c61_8183);
    }

    /// The forward pass, the kernel and the update give the same bits with
    /// the crate's software fma as with std's.
    #[test]
    fn software_and_std_fma_agree() {
        let mut next = xorshift(0x2545_f491_4f6c_dd1d);
        let mut u = || (next() >> 40) as f32 / 16_777_216.0;
        let (n_in, n_hid) = (37, 33);
        let syn: EventStdp = Hyper {
            lmbda: 0.0097,
            eta: 0.02,
            ..Hyper::EXHIBIT
        }
        .synapse();
        for round in 0..200 {
            let epsp: Vec<f32> = (0..n_in)
                .map(|i| match (i + round) % 4 {
                    0 => 0.0,
                    1 => 1.0,
                    _ => 2.0 * u(),
                })
                .collect();
            let w: Vec<f32> = (0..n_in * n_hid).map(|_| 0.01 + 0.99 * u()).collect();
            let (mut a, mut b) = (vec![0.0; n_hid], vec![0.0; n_hid]);
            forward_with::<Soft>(&epsp, &w, &mut a);
            forward_with::<Std>(&epsp, &w, &mut b);
            assert_eq!(
                a.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
                b.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
            );
            let mut j = vec![0.0; n_hid];
            syn.forward(&epsp, &w, &mut j).unwrap();
            assert_eq!(j, b);

            let tf: Vec<f32> = (0..3 * n_in)
                .map(|i| if i % 3 == 0 { 0.0 } else { 30.0 * u() })
                .collect();
            let (mut a, mut b) = (vec![0.0; n_in], vec![0.0; n_in]);
            kernel_sum::<Soft>(&tf, 31.0, -1.0 / 0.7, &mut a);
            kernel_sum::<Std>(&tf, 31.0, -1.0 / 0.7, &mut b);
            assert_eq!(
                a.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
                b.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
            );

            let tols: Vec<f32> = (0..n_in)
                .map(|i| if i % 5 == 0 { 0.0 } else { 9.0 * u() })
                .collect();
            let post: Vec<f32> = (0..n_hid)
                .map(|k| f32::from(u8::from(k % 7 == round % 7)))
                .collect();
            let (mut a, mut b, mut c) = (w.clone(), w.clone(), w.clone());
            syn.evolve_with::<Soft>(&tols, &post, 9.0, &mut a);
            syn.evolve_with::<Std>(&tols, &post, 9.0, &mut b);
            syn.evolve(&tols, &post, 9.0, &mut c).unwrap();
            assert_eq!(
                a.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
                b.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
            );
            assert_eq!(b, c);
        }
    }

    /// `windowed_sum` against the padded windows written out, level by
    /// level, at sizes around each boundary (32, 1,024), on values whose
    /// sum depends on the order.
    #[test]
    fn windowed_sum_pads_and_nests() {
        fn spelled_out(mut v: Vec<f32>) -> f32 {
            while v.len() > 32 {
                let pad = (32 - v.len() % 32) % 32;
                let mut p = vec![0.0; pad / 2];
                p.extend(&v);
                p.resize(v.len() + pad, 0.0);
                v = p
                    .chunks(32)
                    .map(|c| c.iter().fold(0.0, |a, x| a + x))
                    .collect();
            }
            v.iter().fold(0.0, |a, x| a + x)
        }
        let mut next = xorshift(0x1234_5678_9abc_def1);
        for n in [
            0, 1, 31, 32, 33, 63, 100, 1000, 1023, 1024, 1025, 2047, 3000, 4095,
        ] {
            let v: Vec<f32> = (0..n)
                .map(|_| f32::from_bits(0x3000_0000 + (next() as u32 & 0x0fff_ffff)))
                .collect();
            let got = super::windowed_sum(n, &|i| v[i]);
            assert_eq!(got.to_bits(), spelled_out(v.clone()).to_bits(), "{n}");
        }
    }

    /// A tiny weight (here subnormal) is read as zero and a subnormal
    /// partial sum written as zero where the model knows of it, as by the
    /// reference's DAZ and FTZ; the public `forward` takes weights to be 0
    /// or at least 2^-60 and adds it as it is.
    #[test]
    fn tiny_weights_flush_where_known() {
        let syn = Hyper::EXHIBIT.synapse();
        let sub = f32::from_bits(0x0000_1000);
        let (e, w) = ([1.0, 1.0], [sub, 0.5, 0.5, sub, 0.25, 0.25]);
        let mut j = [0.0; 3];
        syn.forward_ftz(&e, &w, &mut j, true, true).unwrap();
        assert_eq!(j, [0.0, 0.75, 0.75]);
        syn.forward(&e, &w, &mut j).unwrap();
        assert_eq!(j, [2.0 * sub, 0.75, 0.75]);
        // A tiny EPSP is looked for on every call.
        let e = [f32::from_bits(0x0080_0000), 0.0];
        syn.forward(&e, &[0.5, 0.5, 0.5, 0.5, 0.5, 0.5], &mut j)
            .unwrap();
        assert_eq!(j, [0.0; 3]);
    }

    /// One unit with 4,096 inputs or more is refused; 4,095 is followed.
    #[test]
    fn one_unit_ynnpack_shape_is_refused() {
        let syn = Hyper::EXHIBIT.synapse();
        let mut j = [0.0];
        let (e, w) = (vec![1.0; 4096], vec![0.5; 4096]);
        assert!(matches!(
            syn.forward(&e, &w, &mut j),
            Err(super::Error::Shape(_))
        ));
        syn.forward(&e[1..], &w[1..], &mut j).unwrap();
        assert_eq!(j[0], 2047.5);
    }

    /// `1 + lmbda` is summed in f64 and rounded once: at 0.0097 that is
    /// one ulp below the f32 sum.
    #[test]
    fn one_plus_lmbda_rounds_once() {
        let syn = Hyper {
            lmbda: 0.0097,
            ..Hyper::EXHIBIT
        }
        .synapse();
        assert_eq!(syn.one_plus_lmbda.to_bits(), 0x3f81_3dd9);
        assert_eq!((1.0 + 0.0097_f32).to_bits(), 0x3f81_3dda);
    }

    /// The fast path equals `libm::fmaf` on random triples and on exact
    /// halfway cases.
    #[test]
    fn fma_matches_libm() {
        let mut next = xorshift(0x9e37_79b9_7f4a_7c15);
        for i in 0..200_000 {
            let r = next();
            let (a, b, c) = if i % 2 == 0 {
                // Anywhere in the float range.
                (
                    f32::from_bits(r as u32),
                    f32::from_bits((r >> 32) as u32),
                    f32::from_bits(next() as u32),
                )
            } else {
                // The weights' range, where the model uses it.
                let u = |v: u64| (v >> 40) as f32 / 16_777_216.0;
                (-u(r), 1.01, u(next()))
            };
            let (f, g) = (fma(a, b, c), libm::fmaf(a, b, c));
            assert!(
                f.to_bits() == g.to_bits() || (f.is_nan() && g.is_nan()),
                "{a} {b} {c}"
            );
        }
        // 1 + 2^-24 (a midpoint between 1 and 1 + 2^-23), nudged by 2^-60:
        // rounding through f64 twice would give 1.0.
        let (a, b, c) = (1.0 + f32::EPSILON, f32::EPSILON / 2.0, 1.0);
        assert_eq!(fma(a, b, c).to_bits(), libm::fmaf(a, b, c).to_bits());
        assert_eq!(fma(a, b, c), 1.0 + f32::EPSILON);
    }
}
