//! The specification: what one step computes, written to be read.
//!
//! Nothing here is about speed or instruction sets. The reference
//! ([`ngclearn`'s `WTASCell`](https://github.com/NACLab/ngc-learn), run as
//! XLA-compiled CPU code with flush-to-zero and denormals-are-zero) is
//! transcribed as:
//!
//! - [`step_row`]: the step itself, literally, one element at a time, with
//!   the reference's flushing emulated and every NaN written made
//!   canonical: the oracle. The golden, differential, soak and fuzz tests
//!   hold every [`Backend`](super::Backend) to it, bit for bit.
//! - `rules.rs` (inside the crate): the step's constants, derived once
//!   per step from its [`StepInputs`], and each rule on one element or
//!   lane, generic over the lane operations, in the forms the backends run (the
//!   voltage, the refractory test, the spike rule with the row's
//!   reciprocal, the timers, the threshold update with its floor, the
//!   flushing), each with the argument that its bits are the literal
//!   rule's;
//! - `exp.rs` and `ynn.rs`: the reference's two `exp`s (XLA's inline
//!   Cephes polynomial, YNNPACK's), fused multiply-adds included, and
//!   YNNPACK's 16-lane row sum; `reduce.rs`: XLA's windowed row sum, and
//!   the fixed tree that combines eight lane accumulators where the order
//!   cannot matter (maxima, spike counts);
//! - `contract.rs`: what the cell hands the kernels (one row of state, the
//!   shape's [`SoftmaxPath`]) and the table of building blocks every
//!   backend provides.
#![forbid(unsafe_code)]

pub(crate) mod contract;
pub(crate) mod exp;
pub(crate) mod reduce;
pub(crate) mod rules;
mod step;
pub(crate) mod ynn;

pub use contract::SoftmaxPath;
pub(crate) use contract::{Kernels, Row, StepLanes, plain_state};
pub(crate) use reduce::{
    EightWindows, WINDOW, reduce_add_lanes, reduce_max_lanes, windowed_sum, windowed_sum_by,
};
pub(crate) use rules::{
    StepConsts, awake, fire, fire_plain, nan_max, reciprocal, rfr_silent, spike_rules, threshold,
    threshold_any_nan, threshold_delta, timers_plain_any_nan, timers_plain_fired, voltage,
    voltage_any_nan,
};
pub use step::{StepInputs, THR_FLOOR, step_row};

/// Test inputs shared by the row sums' tests.
#[cfg(test)]
pub(crate) mod test_values {
    extern crate std;
    use std::vec::Vec;

    /// `len` values over 2^-27 .. 2^13 from an xorshift stream seeded with
    /// `state`: their sums round differently in every order.
    pub(crate) fn wide(len: usize, mut state: u32) -> Vec<f32> {
        (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                let m = state & 0x007f_ffff;
                f32::from_bits(((100 + m % 40) << 23) | m)
            })
            .collect()
    }
}
