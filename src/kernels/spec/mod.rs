//! The specification: what one step computes, written to be read.
//!
//! Nothing here is about speed or instruction sets. The reference
//! ([`ngclearn`'s `WTASCell`](https://github.com/NACLab/ngc-learn), run as
//! XLA-compiled CPU code with flush-to-zero and denormals-are-zero) is
//! transcribed as:
//!
//! - [`rules`]: each rule on one element (or lane), generic over the lane
//!   operations: the voltage, the spike rule, the refractory timer and time
//!   of last spike, the NaN-propagating threshold floor, and the flushing;
//! - [`reduce`]: the row sum in the reference's order (windows of 32), and
//!   the one fixed tree that combines eight lane accumulators where the
//!   order cannot matter (maxima, spike counts);
//! - [`exp`]: the reference's `exp`, fused multiply-adds included;
//! - [`contract`]: what the cell hands the kernels: one row of state and
//!   the step's constants, derived once per step;
//! - [`step_row`]: the step itself, literally, one element at a time, with
//!   the reference's flushing emulated: the oracle. It is what the golden,
//!   differential, soak and fuzz tests hold every backend to, bit for bit.
#![forbid(unsafe_code)]

pub(crate) mod contract;
pub(crate) mod exp;
pub(crate) mod reduce;
pub(crate) mod rules;
mod step;
pub(crate) mod ynn;

pub use contract::SoftmaxPath;
pub(crate) use contract::{Kernels, Row, StepConsts, StepLanes, plain_state};
pub(crate) use reduce::{
    EightWindows, WINDOW, reduce_add_lanes, reduce_max_lanes, windowed_sum, windowed_sum_by,
};
pub(crate) use rules::{
    awake, fire, fire_plain, nan_max, reciprocal, rfr_silent, spike_rules, threshold,
    threshold_any_nan, threshold_delta, timers_plain_any_nan, timers_plain_fired, voltage,
    voltage_any_nan,
};
pub use step::{StepInputs, THR_FLOOR, step_row};
