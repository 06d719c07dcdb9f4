//! The step, literally: the oracle every backend is tested against.
//!
//! [`step_row`] transcribes the reference's rules one element at a time, in
//! the order the reference states them, with its flush-to-zero and
//! denormals-are-zero arithmetic emulated around every operation and every
//! NaN it writes made canonical. It is written to be read, not to be fast:
//! no rule is rewritten into a cheaper form, no case is left out. The
//! backends ([`Backend`](crate::kernels::Backend)) compute the same bits by
//! the optimized forms of the rules (`rules.rs`); the golden, differential,
//! soak and fuzz tests hold every backend to this function, bit for bit.
//!
//! What the reference's compiled softmax computes beyond plain arithmetic,
//! its `exp` and the order of its row sum, is the one thing taken from the
//! rest of the specification (`exp.rs`, `ynn.rs`, `reduce.rs`), as the
//! shape's [`SoftmaxPath`] says.

use super::contract::SoftmaxPath;
use super::{exp, reduce, ynn};
use crate::error::{BufferName, Error, check_len};

/// Floor of the adaptive threshold (rule 5).
pub const THR_FLOOR: f32 = 0.025;

/// The inputs of one step besides the state: the cell's parameters that
/// the dynamics read, the time, and the shape's softmax code.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepInputs {
    /// Membrane resistance: `v = j * resist_m` where a unit is awake.
    pub resist_m: f32,
    /// Refractory period: a unit is awake where `rfr >= refract_time`.
    pub refract_time: f32,
    /// Threshold gain: `thr += (count - 1) * thr_gain`.
    pub thr_gain: f32,
    /// The time of this step.
    pub t: f32,
    /// The step's length.
    pub dt: f32,
    /// Which softmax code the cell's shape runs
    /// ([`SoftmaxPath::for_shape`]`(batch, n)`).
    pub path: SoftmaxPath,
}

/// Flush-to-zero of one value: a subnormal becomes a zero of its sign.
fn ftz(x: f32) -> f32 {
    if x.is_subnormal() {
        f32::from_bits(x.to_bits() & 0x8000_0000)
    } else {
        x
    }
}

/// The reference's arithmetic, as XLA's CPU code runs it: denormal
/// operands read as zero, a subnormal result written as zero.
fn add(a: f32, b: f32) -> f32 {
    ftz(ftz(a) + ftz(b))
}
fn sub(a: f32, b: f32) -> f32 {
    ftz(ftz(a) - ftz(b))
}
fn mul(a: f32, b: f32) -> f32 {
    ftz(ftz(a) * ftz(b))
}
fn div(a: f32, b: f32) -> f32 {
    ftz(ftz(a) / ftz(b))
}

/// Every NaN written to state is the canonical `f32::NAN`: instruction
/// sets disagree on the sign and payload of a NaN made by arithmetic.
fn canonical(x: f32) -> f32 {
    if x.is_nan() { f32::NAN } else { x }
}

/// The NaN-propagating `max(a, b)`: `a` if `a > b` or `a` is NaN, else `b`.
fn nan_max(a: f32, b: f32) -> f32 {
    if a > b || a.is_nan() { a } else { b }
}

/// Rules 1 and 2: the refractory test (a comparison reads denormals as
/// zero) and the voltage. The reference's graph has no multiply for
/// `resist_m = ±1`, so a subnormal `j` passes through there.
fn voltage(j: f32, rfr: f32, k: &StepInputs) -> f32 {
    if ftz(rfr) >= ftz(k.refract_time) {
        let v = if k.resist_m == 1.0 {
            j
        } else if k.resist_m == -1.0 {
            -j
        } else {
            mul(j, k.resist_m)
        };
        canonical(v)
    } else {
        0.0
    }
}

/// The reference's `exp` of `x - max` for the shape's softmax code.
fn exp_shifted(x: f32, max: f32, path: SoftmaxPath) -> f32 {
    let x = sub(x, max);
    match path {
        SoftmaxPath::Inline => exp::exp_f32(x),
        SoftmaxPath::Ynnpack => ynn::exp(x),
    }
}

/// The row sum of the exponentials, in the order of the shape's code.
fn row_sum(e: &[f32], path: SoftmaxPath) -> f32 {
    match path {
        SoftmaxPath::Inline => reduce::windowed_sum(e),
        SoftmaxPath::Ynnpack => ynn::row_sum_scalar(e),
    }
}

/// Rule 4: a unit spikes where its probability `e * (1 / sum)` (the row's
/// one reciprocal, one product per element) beats its threshold, both read
/// flushed; an ordered `>`, so a NaN never spikes.
fn spikes(e: f32, inv: f32, thr: f32) -> f32 {
    if mul(e, inv) > ftz(thr) { 1.0 } else { 0.0 }
}

/// Rules 6 and 7, in the reference's arithmetic form:
/// `rfr = (rfr + dt) * (1 - s) + s * dt`, `tols = (1 - s) * tols + s * t`.
fn timers(s: f32, rfr: f32, tols: f32, k: &StepInputs) -> (f32, f32) {
    let not_s = sub(1.0, s);
    let rfr = add(mul(add(rfr, k.dt), not_s), mul(s, k.dt));
    let tols = add(mul(not_s, tols), mul(s, k.t));
    (canonical(rfr), canonical(tols))
}

/// Rule 5: `thr = max(thr + (count - 1) * thr_gain, 0.025)`, one product,
/// one sum, the NaN-propagating floor.
fn threshold(thr: f32, delta: f32) -> f32 {
    canonical(nan_max(add(thr, delta), THR_FLOOR))
}

/// Advances one batch row of state by one step, literally: the oracle.
///
/// `j` is read; `v`, `s`, `thr`, `rfr` and `tols` are updated in place
/// (the exponentials are kept in `s` until they become spikes). Returns
/// the row's number of spikes. The bits are those of the reference, and
/// those of every [`Backend`](crate::kernels::Backend)'s step.
///
/// # Errors
/// [`Error::Length`] for the first buffer whose length differs from `j`'s,
/// without writing.
///
/// ```
/// use wtas::kernels::SoftmaxPath;
/// use wtas::kernels::spec::{StepInputs, step_row};
///
/// let k = StepInputs {
///     resist_m: 1.0,
///     refract_time: 0.0,
///     thr_gain: 0.002,
///     t: 1.0,
///     dt: 1.0,
///     path: SoftmaxPath::for_shape(1, 3),
/// };
/// let (mut v, mut s) = ([0.0; 3], [0.0; 3]);
/// let (mut thr, mut rfr, mut tols) = ([0.4; 3], [0.0; 3], [0.0; 3]);
/// let spikes = step_row(&k, &[5.0, 0.0, 0.0], &mut v, &mut s, &mut thr, &mut rfr, &mut tols)?;
/// assert_eq!((spikes, s), (1, [1.0, 0.0, 0.0]));
/// assert_eq!((rfr, tols), ([1.0; 3], [1.0, 0.0, 0.0]));
/// # Ok::<(), wtas::Error>(())
/// ```
pub fn step_row(
    k: &StepInputs,
    j: &[f32],
    v: &mut [f32],
    s: &mut [f32],
    thr: &mut [f32],
    rfr: &mut [f32],
    tols: &mut [f32],
) -> Result<usize, Error> {
    let n = j.len();
    check_len(BufferName::V, n, v.len())?;
    check_len(BufferName::S, n, s.len())?;
    check_len(BufferName::Thr, n, thr.len())?;
    check_len(BufferName::Rfr, n, rfr.len())?;
    check_len(BufferName::Tols, n, tols.len())?;

    // Rules 1 and 2: voltages, and their NaN-propagating max.
    let mut max = f32::NEG_INFINITY;
    for ((v, &j), &rfr) in v.iter_mut().zip(j).zip(&*rfr) {
        *v = voltage(j, rfr, k);
        max = nan_max(max, *v);
    }

    // Rule 3: the softmax's exponentials (parked in `s`), their sum in the
    // reference's order, and the row's one reciprocal.
    for (e, &v) in s.iter_mut().zip(&*v) {
        *e = exp_shifted(v, max, k.path);
    }
    let inv = div(1.0, row_sum(s, k.path));

    // Rules 4, 6 and 7: spikes, refractory timers, times of last spike.
    let mut count = 0;
    for (((s, &thr), rfr), tols) in s.iter_mut().zip(&*thr).zip(&mut *rfr).zip(&mut *tols) {
        *s = spikes(*s, inv, thr);
        (*rfr, *tols) = timers(*s, *rfr, *tols, k);
        count += usize::from(*s == 1.0);
    }

    // Rule 5: the thresholds follow the row's spike count, a whole number,
    // exact in `f32` and in every summation order up to 2^24 spikes. (A
    // row with more spikes than that, which needs more than 2^24 units,
    // is not covered: the backends then sum the ones in their eight-lane
    // order, this counts exactly, and the reference's order is not known.)
    #[allow(clippy::cast_precision_loss)]
    let delta = mul(sub(count as f32, 1.0), k.thr_gain);
    for thr in thr.iter_mut() {
        *thr = threshold(*thr, delta);
    }
    Ok(count)
}
