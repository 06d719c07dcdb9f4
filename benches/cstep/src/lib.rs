//! A hand-written AVX2+FMA C step (`src/step.c`), the baseline that wtas's
//! `step` benchmark is measured against. Bench-only, never published.
//!
//! On x86-64 (`cfg(cstep)`, set by the build script) [`CStep`] exists once
//! the CPU is seen to run AVX2 and FMA; elsewhere the crate is empty.
#![cfg_attr(not(cstep), allow(unused))]

/// The constants of one step.
#[derive(Clone, Copy, Debug)]
pub struct Consts {
    /// Membrane resistance.
    pub resist_m: f32,
    /// A unit is awake where `rfr >= refract_time`.
    pub refract_time: f32,
    /// Threshold adaptation gain.
    pub thr_gain: f32,
    /// The step's time.
    pub t: f32,
    /// The step's length.
    pub dt: f32,
}

/// The six state buffers, each `batch × n` values, row-major.
#[derive(Debug)]
pub struct State<'a> {
    /// Input current.
    pub j: &'a [f32],
    /// Voltages.
    pub v: &'a mut [f32],
    /// Spikes.
    pub s: &'a mut [f32],
    /// Thresholds.
    pub thr: &'a mut [f32],
    /// Refractory timers.
    pub rfr: &'a mut [f32],
    /// Times of last spike.
    pub tols: &'a mut [f32],
}

/// How the spike rule turns `e` and the row sum into a probability.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Spike {
    /// `e / sum > thr`, as the reference.
    Divide,
    /// `e * (1 / sum) > thr`.
    Reciprocal,
}

/// Proof that the CPU runs AVX2 and FMA, and the C step.
#[derive(Clone, Copy, Debug)]
pub struct CStep(());

#[cfg(cstep)]
unsafe extern "C" {
    fn wtas_cstep_step(
        batch: usize,
        n: usize,
        j: *const f32,
        v: *mut f32,
        s: *mut f32,
        thr: *mut f32,
        rfr: *mut f32,
        tols: *mut f32,
        resist_m: f32,
        refract_time: f32,
        thr_gain: f32,
        t: f32,
        dt: f32,
        recip: i32,
    );
}

impl CStep {
    /// `Some` on x86-64 CPUs that run AVX2 and FMA.
    pub fn detect() -> Option<Self> {
        #[cfg(cstep)]
        if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
            return Some(CStep(()));
        }
        None
    }

    /// One step of `batch` rows of `n` units.
    ///
    /// # Panics
    /// If a buffer does not hold `batch × n` values.
    pub fn step(self, batch: usize, n: usize, st: &mut State<'_>, k: Consts, spike: Spike) {
        let len = batch.checked_mul(n).expect("batch × n overflows");
        let outs = [
            &mut *st.v,
            &mut *st.s,
            &mut *st.thr,
            &mut *st.rfr,
            &mut *st.tols,
        ];
        assert!(
            st.j.len() == len && outs.iter().all(|b| b.len() == len),
            "every buffer holds batch × n values"
        );
        let [v, s, thr, rfr, tols] = outs.map(|b| b.as_mut_ptr());
        #[cfg(cstep)]
        {
            // SAFETY: `self` proves the CPU runs AVX2 and FMA, the features
            // the C was compiled for; every pointer is valid for `batch × n`
            // values (checked above), the six buffers are distinct borrows
            // (so they do not overlap), and the C reads and writes only
            // within them.
            unsafe {
                wtas_cstep_step(
                    batch,
                    n,
                    st.j.as_ptr(),
                    v,
                    s,
                    thr,
                    rfr,
                    tols,
                    k.resist_m,
                    k.refract_time,
                    k.thr_gain,
                    k.t,
                    k.dt,
                    i32::from(spike == Spike::Reciprocal),
                )
            }
        }
        #[cfg(not(cstep))]
        let _ = (self, k, spike, v, s, thr, rfr, tols);
    }
}
