//! The size-first step (feature `size-first`): the specification's literal
//! step ([`spec::step_row`]) run as the step itself, one element at a
//! time, with no unrolling and no second version of any pass.
//!
//! For parts whose flash is scarcer than their cycles: with the feature,
//! it is what [`Backend::Scalar`](crate::kernels::Backend::Scalar) runs,
//! and on targets without SIMD registers every backend. It links none of
//! the scalar kernels ([`scalar`](super::scalar)), which stay the default:
//! it is less code than they are, and takes more instructions per step.

#![forbid(unsafe_code)]

use crate::kernels::spec::{self, Row, StepConsts, StepInputs};

/// Advances one batch row by the specification's step. Inlined into its
/// caller: a frame of its own would hold the step's inputs a second time
/// (96 B more stack on the Cortex-M4F).
///
/// The step's constants go back to the form the specification reads:
/// every one of them is read flushed there, so the flushed values the
/// cell derives give the same bits. The refractory period is the one
/// derived value: `awake_from` stands for a flushed zero period with the
/// largest negative subnormal, and `rfr >= -0.0` is `rfr >= 0.0`.
#[inline]
pub(crate) fn step_row(row: Row<'_>, k: &StepConsts) {
    let refract_time = if k.awake_from < 0.0 && k.awake_from > -f32::MIN_POSITIVE {
        0.0
    } else {
        k.awake_from
    };
    let inputs = StepInputs {
        resist_m: k.resist_m,
        refract_time,
        thr_gain: k.thr_gain,
        t: k.t,
        dt: k.dt,
        path: k.path,
    };
    // The cell binds buffers of equal lengths, so this never fails.
    let _ = spec::step_row(&inputs, row.j, row.v, row.s, row.thr, row.rfr, row.tols);
}
