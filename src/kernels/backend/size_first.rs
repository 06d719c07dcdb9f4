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

use crate::kernels::spec::{self, Row, StepConsts};

/// Advances one batch row by the specification's step, on the inputs the
/// constants were derived from ([`StepConsts::inputs`]). Inlined into its
/// caller: a frame of its own would hold the step's inputs a second time.
#[inline]
pub(crate) fn step_row(row: Row<'_>, k: &StepConsts) {
    // The cell binds buffers of equal lengths, so this never fails.
    let _ = spec::step_row(&k.inputs(), row.j, row.v, row.s, row.thr, row.rfr, row.tols);
}
