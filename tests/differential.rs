//! Every backend against the specification, bit for bit: whole steps
//! against its literal step (`kernels::spec::step_row`), and the kernel
//! building blocks against the scalar backend's (whose steps are held to
//! the specification here too).
//!
//! One macro expands the same tests for every backend: every row length
//! 0..=70 at several unaligned start offsets, inputs biased toward special
//! values, whole multi-row steps, and property tests. A backend this CPU
//! cannot run falls back to the portable one and must still match.

#[path = "invariants/check.rs"]
mod check;
mod common;

use common::rng::Rng;
use proptest::prelude::*;
use wtas::kernels::Backend;
use wtas::{Buffers, Cell, Config, InputReset};

/// A value biased toward the special cases: ±0, ±inf, NaNs with payloads,
/// subnormals, ±f32::MAX, exact ties, and ordinary values of every scale.
fn special(g: &mut Rng, prev: f32) -> f32 {
    match g.below(16) {
        0 => 0.0,
        1 => -0.0,
        2 => f32::INFINITY,
        3 => f32::NEG_INFINITY,
        4 => f32::from_bits(0x7fc0_0000 | (g.next_u32() & 0x003f_ffff)),
        5 => f32::from_bits(0x0000_0001 + (g.next_u32() & 0x007f_fffe)),
        6 => -f32::from_bits(1 + (g.next_u32() & 0x007f_fffe)),
        7 => f32::MAX,
        8 => f32::MIN,
        9 | 10 => prev,
        11 => g.bits_f32(),
        _ => (g.below(2001) as f32 - 1000.0) * 10f32.powi(g.below(7) as i32 - 3),
    }
}

/// Mostly ordinary values, sometimes special: for whole steps, where an
/// all-special row would rarely spike.
fn current(g: &mut Rng, prev: f32) -> f32 {
    if g.below(8) == 0 {
        special(g, prev)
    } else {
        (g.below(2001) as f32 - 1000.0) / 100.0
    }
}

/// A near-tie input for unit `i`: two units in three within 7 ulp of 1.0,
/// the others far below (their exponentials still move the sum's last
/// bits).
fn tie(g: &mut Rng, i: usize) -> f32 {
    if i.is_multiple_of(3) {
        -12.0 + g.below(1 << 16) as f32 / 65_536.0
    } else {
        1.0 + g.below(8) as f32 * f32::EPSILON
    }
}

fn bits(x: &[f32]) -> Vec<u32> {
    x.iter().map(|v| v.to_bits()).collect()
}

/// Every kernel building block on `backend` and on the scalar backend,
/// over the same input; panics on the first differing bit.
fn check_kernels(backend: Backend, x: &[f32], thr: &[f32], sum: f32, what: &str) {
    let n = x.len();
    let reference = Backend::Scalar;
    assert_eq!(
        backend.row_max(x).to_bits(),
        reference.row_max(x).to_bits(),
        "row_max {what}"
    );
    let max = reference.row_max(x);
    for m in [max, 0.0, -1.5, f32::INFINITY, f32::NEG_INFINITY] {
        let (mut a, mut b) = (vec![0.0; n], vec![0.0; n]);
        let sa = backend.exp_sum(x, m, &mut a).unwrap();
        let sb = reference.exp_sum(x, m, &mut b).unwrap();
        assert_eq!(sa.to_bits(), sb.to_bits(), "exp_sum sum {what} max {m}");
        assert_eq!(bits(&a), bits(&b), "exp_sum out {what} max {m}");
    }
    let (mut a, mut b) = (x.to_vec(), x.to_vec());
    let ca = backend.spike_mask(&mut a, sum, thr).unwrap();
    let cb = reference.spike_mask(&mut b, sum, thr).unwrap();
    assert_eq!(ca.to_bits(), cb.to_bits(), "spike_mask count {what}");
    assert_eq!(bits(&a), bits(&b), "spike_mask {what}");
    let (mut a, mut b) = (vec![0.0; n], vec![0.0; n]);
    backend.softmax(1, n, x, &mut a).unwrap();
    reference.softmax(1, n, x, &mut b).unwrap();
    assert_eq!(bits(&a), bits(&b), "softmax {what}");
    // The same values as rows of a batch: each row is its own softmax.
    if n.is_multiple_of(2) && n > 0 {
        let (mut a, mut b) = (vec![0.0; n], vec![0.0; n]);
        backend.softmax(2, n / 2, x, &mut a).unwrap();
        reference.softmax(2, n / 2, x, &mut b).unwrap();
        assert_eq!(bits(&a), bits(&b), "softmax 2 rows {what}");
    }
}

/// Runs twelve steps of a cell on `backend`, with the buffers placed
/// `offset` values into one allocation, and checks every step against the
/// specification's literal step (`kernels::spec::step_row`), bit for bit.
///
/// Odd seeds draw the float edges: subnormal, tiny, huge and `±1`
/// resistances, subnormal or zero refractory periods and gains, subnormal
/// and overflowing `dt`, `t = ±0.0` and subnormal `t`, and a resumed state
/// with subnormal, negative and non-finite timers and tiny thresholds.
///
/// Seeds `4k + 2` draw near ties instead: most units of a row within 7 ulp
/// of 1.0 (the rest far below), thresholds near the cluster's
/// probability, so that spikes hang on the last bits of `exp`, the row
/// sum and the reciprocal.
fn check_steps(backend: Backend, n_units: usize, batch: usize, offset: usize, seed: u64) {
    let mut g = Rng::new(seed);
    let edges = seed % 2 == 1;
    let ties = seed % 4 == 2;
    let mut config = Config {
        batch_size: batch,
        refract_time: 2.0,
        thr_gain: 0.01,
        thr_base: 0.2,
        thr_jitter: 0.1,
        ..Config::new(n_units)
    };
    let mut dt = 0.5;
    if ties {
        // Two thirds of a row in the cluster: probabilities near 1.5 / n.
        config.thr_base = 1.5 / n_units as f32;
        config.thr_jitter = 0.0;
        config.thr_gain = 1e-6;
        config.refract_time = 0.0;
    }
    if edges {
        config.resist_m = g.pick(&[1.0, -1.0, 2.5, 0.5, 3e-40, -1e-39, 1e-30, 1e20, -3.0]);
        config.refract_time = g.pick(&[2.0, 0.0, 1e-40, 3e38, 0.5]);
        config.thr_gain = g.pick(&[0.01, 1e-41, -0.5, 1e38, 0.0]);
        dt = g.pick(&[0.5, 5e-41, 2e-38, 2e38, 3e-39, 1.0]);
    }
    let params = config.validate().unwrap();
    let len = params.len();
    // The six buffers back to back in one allocation, `offset` values in.
    let mut mem = vec![0.0_f32; offset + 6 * len];
    if edges {
        // A state to resume from: j, v, s as they are, then thr, rfr, tols.
        let state = &mut mem[offset..];
        for x in &mut state[3 * len..4 * len] {
            *x = g.pick(&[0.3, 1e-40, -1e-40, 0.0, -0.0, 0.025, -2.0, 0.9]);
        }
        let mut prev = 0.0;
        for x in &mut state[4 * len..] {
            prev = special(&mut g, prev);
            *x = prev;
        }
    }
    let bufs = Buffers::from_slice(&mut mem[offset..], len).unwrap();
    let mut cell = if edges {
        Cell::resume(params, bufs).unwrap()
    } else {
        Cell::new(params, bufs, seed).unwrap()
    };
    cell.set_backend(backend).ok();
    let mut prev = 0.0;
    for step in 0..12 {
        if step == 7 {
            cell.reset(InputReset::Keep);
        }
        for (i, j) in cell.j_mut().iter_mut().enumerate() {
            prev = if ties {
                tie(&mut g, i + step)
            } else {
                current(&mut g, prev)
            };
            *j = prev;
        }
        let t = if edges && g.below(3) == 0 {
            g.pick(&[-0.0, 0.0, 1e-40, -1e-40, 3e38])
        } else {
            step as f32 * 0.5
        };
        check::advance_checked(&mut cell, t, dt);
    }
}

macro_rules! differential_tests {
    ($($(#[$attr:meta])* $module:ident => $backend:expr;)*) => {$(
        $(#[$attr])*
        mod $module {
            use super::*;

            const BACKEND: Backend = $backend;

            #[test]
            fn kernels_every_length_and_offset() {
                let mut g = Rng::new(0);
                for len in 0..=70 {
                    for offset in 0..4 {
                        for round in 0..6 {
                            let mut prev = 0.0;
                            let mut x = vec![0.0; len + offset];
                            for v in x.iter_mut() {
                                prev = special(&mut g, prev);
                                *v = prev;
                            }
                            let thr: Vec<f32> = (0..len + offset).map(|_| special(&mut g, 0.5)).collect();
                            let sum = [1.0, 3.0, 0.0, f32::NAN, f32::INFINITY, 1e-30][round];
                            let what = format!("len {len} offset {offset} round {round}");
                            check_kernels(BACKEND, &x[offset..], &thr[offset..], sum, &what);
                        }
                    }
                }
            }

            #[test]
            fn exp_lanes() {
                let mut g = Rng::new(42);
                for _ in 0..20_000 {
                    let x: [f32; 8] = core::array::from_fn(|_| special(&mut g, -1.0));
                    let (a, b) = (BACKEND.exp(x), Backend::Scalar.exp(x));
                    assert_eq!(a.map(f32::to_bits), b.map(f32::to_bits), "exp {x:?}");
                }
            }

            /// Near ties on both of the reference's softmax paths: rows
            /// around 32 and 1,024 (the sum's windows), and shapes of 4,096
            /// elements or more (YNNPACK's exp and 16-lane sum).
            #[test]
            fn steps_near_ties_both_paths() {
                let shapes = [(3, 2), (31, 2), (32, 3), (33, 2), (100, 3), (1025, 1), (4095, 1),
                    (4096, 1), (1366, 3), (64, 64), (5000, 1), (1100, 4)];
                for (k, (n_units, batch)) in shapes.into_iter().enumerate() {
                    check_steps(BACKEND, n_units, batch, k % 4, 4 * k as u64 + 2);
                }
            }

            /// The public softmax on both paths, near ties, every backend.
            #[test]
            fn softmax_near_ties_both_paths() {
                let mut g = Rng::new(7);
                for (batch, n) in [(1, 33), (2, 2047), (1, 4096), (3, 1366), (64, 64), (1, 40_000)] {
                    let x: Vec<f32> = (0..batch * n).map(|i| tie(&mut g, i)).collect();
                    let (mut a, mut b) = (vec![0.0; x.len()], vec![0.0; x.len()]);
                    BACKEND.softmax(batch, n, &x, &mut a).unwrap();
                    Backend::Scalar.softmax(batch, n, &x, &mut b).unwrap();
                    assert_eq!(bits(&a), bits(&b), "softmax {batch} x {n}");
                }
            }

            #[test]
            fn steps_every_row_length() {
                for n_units in 1..=70 {
                    // Odd seeds for the float edges, even ones for ordinary runs.
                    for seed in [2 * n_units as u64, 2 * n_units as u64 + 1] {
                        check_steps(BACKEND, n_units, 3, n_units % 4, seed);
                    }
                }
            }

            proptest! {
                #[test]
                fn kernels_match_reference(
                    x in prop::collection::vec(special_f32(), 0..100),
                    t in special_f32(),
                    sum in special_f32(),
                ) {
                    let thr = vec![t; x.len()];
                    check_kernels(BACKEND, &x, &thr, sum, "proptest");
                }

                #[test]
                fn steps_match_reference(
                    n_units in 1usize..40,
                    batch in 1usize..4,
                    offset in 0usize..8,
                    seed in any::<u64>(),
                ) {
                    check_steps(BACKEND, n_units, batch, offset, seed);
                }
            }
        }
    )*};
}

/// Any f32, with the special values and near-ties much more likely than
/// uniform bits would make them.
fn special_f32() -> impl Strategy<Value = f32> {
    prop_oneof![
        3 => any::<u32>().prop_map(f32::from_bits),
        3 => -100.0f32..100.0,
        1 => Just(0.0f32),
        1 => Just(-0.0f32),
        1 => Just(f32::INFINITY),
        1 => Just(f32::NEG_INFINITY),
        1 => Just(f32::NAN),
        1 => Just(f32::MAX),
        1 => Just(f32::MIN),
        1 => (1u32..0x0080_0000).prop_map(f32::from_bits),
        1 => Just(1.0f32),
    ]
}

differential_tests! {
    scalar => Backend::Scalar;
    array => Backend::Array;
    portable => Backend::Portable;
    #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
    avx2 => Backend::Avx2;
}

/// The backends a run on this CPU actually exercised, for the record.
#[test]
fn report_backends() {
    for b in Backend::ALL {
        println!(
            "backend {}: {}",
            b.name(),
            if b.is_available() {
                "runs here"
            } else {
                "falls back"
            }
        );
    }
    assert!(Backend::detect().is_available());
}
