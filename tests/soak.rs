//! Soak test: more than 10^8 neuron-steps through an adversarial input
//! schedule, checking every rule and invariant after every step.
//!
//! Run it in release: `cargo test --release --test soak -- --ignored`.
//!
//! The schedule mixes ordinary currents with bursts of NaN and ±inf,
//! near-overflow currents, all-equal rows, long silences (zero rows and
//! all-`-inf` rows), negative resistance, refractory periods, invalid `t` /
//! `dt` (which must fail and change nothing), resets at random points and
//! backend switches, over several shapes (`n_units` 1 to 257).

#[path = "invariants/check.rs"]
mod check;
mod common;

use check::{State, check_reset, check_step, snapshot_into};
use common::buffers::Guarded;
use common::rng::Rng;
use std::time::Instant;
use wtas::kernels::Backend;
use wtas::kernels::spec::THR_FLOOR;
use wtas::{Cell, Config, Error, InputReset};

/// The neuron-steps to run, at least.
const NEURON_STEPS: u64 = 100_000_000;

/// What the input looks like for a stretch of steps.
#[derive(Clone, Copy, Debug)]
enum Phase {
    /// Small noise with one strong unit per row.
    Winner,
    /// Uniform noise in [-3, 3].
    Noise,
    /// Noise with some elements NaN.
    NanBurst,
    /// Noise with some elements ±inf.
    InfBurst,
    /// Currents near ±f32::MAX (voltages overflow with |resist_m| > 1).
    NearOverflow,
    /// Every element of a row the same value.
    AllEqual,
    /// All zero: nothing distinguishes the units.
    Silence,
    /// All `-inf`: an all-NaN softmax.
    NegInfRows,
    /// Arbitrary bit patterns, subnormals included.
    RawBits,
    /// Subnormal currents (as exponentially decaying traces reach after a
    /// long silence), with a few normal ones.
    Subnormal,
}

const PHASES: [Phase; 10] = [
    Phase::Subnormal,
    Phase::Winner,
    Phase::Noise,
    Phase::NanBurst,
    Phase::InfBurst,
    Phase::NearOverflow,
    Phase::AllEqual,
    Phase::Silence,
    Phase::NegInfRows,
    Phase::RawBits,
];

fn fill(rng: &mut Rng, phase: Phase, n: usize, j: &mut [f32]) {
    for row in j.chunks_exact_mut(n) {
        match phase {
            Phase::Winner => {
                for x in row.iter_mut() {
                    *x = rng.range(-0.5, 0.5);
                }
                let w = rng.index(n);
                row[w] = rng.range(3.0, 12.0);
            }
            Phase::Noise => row.iter_mut().for_each(|x| *x = rng.range(-3.0, 3.0)),
            Phase::Subnormal => {
                for x in row.iter_mut() {
                    let bits = rng.next_u32();
                    *x = if rng.chance(10) {
                        rng.range(-1e-30, 1e-30)
                    } else {
                        f32::from_bits(bits & 0x807f_ffff)
                    };
                }
            }
            Phase::NanBurst | Phase::InfBurst => {
                for x in row.iter_mut() {
                    *x = match (phase, rng.below(8)) {
                        (Phase::NanBurst, 0) => f32::NAN,
                        (Phase::NanBurst, 1) => f32::from_bits(0xffc0_1234), // payload, negative
                        (Phase::InfBurst, 0) => f32::INFINITY,
                        (Phase::InfBurst, 1) => f32::NEG_INFINITY,
                        _ => rng.range(-3.0, 3.0),
                    };
                }
            }
            Phase::NearOverflow => {
                for x in row.iter_mut() {
                    *x = f32::MAX * rng.range(-1.0, 1.0);
                }
            }
            Phase::AllEqual => {
                row.fill(rng.pick(&[0.0, 1.0, -7.5, 1e30, -1e30, f32::MAX, f32::MIN_POSITIVE]));
            }
            Phase::Silence => row.fill(0.0),
            Phase::NegInfRows => row.fill(f32::NEG_INFINITY),
            Phase::RawBits => row.iter_mut().for_each(|x| *x = rng.bits_f32()),
        }
    }
}

/// One cell's configuration in the soak: n_units, batch_size, resist_m,
/// thr_gain, refract_time, thr_jitter.
type Shape = (usize, usize, f32, f32, f32, f32);

const SHAPES: [Shape; 10] = [
    (1, 3, 1.0, 0.002, 0.0, 0.05),
    (7, 2, -2.0, 0.01, 1.5, 0.05),
    (8, 4, 1.0, -0.003, 0.0, 0.1),
    (13, 1, 4.0, 0.0005, 2.0, 0.0),
    (33, 3, 1.0, 0.002, 0.0, 0.05),
    (64, 2, 0.5, -0.001, 1.0, 0.02),
    (100, 2, 3.0, 0.004, 0.0, 0.05),
    // The float edges: a subnormal resistance, gain and refractory period
    // (all read as zero), and a tiny normal resistance whose products
    // underflow.
    (16, 2, 3e-40, 1e-41, 1e-40, 0.05),
    (24, 1, 1e-30, 0.002, 0.0, 0.05),
    (257, 2, -1.0, 0.002, 3.0, 0.05),
];

/// Figures from one cell's run.
#[derive(Default)]
struct Tally {
    neuron_steps: u64,
    steps: u64,
    spikes: u64,
    resets: u64,
    rejected: u64,
    max_thr: f32,
}

fn soak_shape(shape: Shape, seed: u64, neuron_steps: u64, tally: &mut Tally) {
    let (n_units, batch_size, resist_m, thr_gain, refract_time, thr_jitter) = shape;
    let config = Config {
        batch_size,
        resist_m,
        thr_gain,
        refract_time,
        thr_jitter,
        ..Config::new(n_units)
    };
    let params = config.validate().unwrap();
    let (n, len) = (params.n_units(), params.len());
    let mut rng = Rng::new(seed);
    let backends: Vec<Backend> = Backend::ALL
        .iter()
        .copied()
        .filter(|b| b.is_available())
        .collect();

    // Buffers in their own allocations, between guard values.
    let mut arena = Guarded::new([len; 6], |_, _| 0.0);
    let (bufs, guards) = arena.carve();
    let mut cell = Cell::new(params, bufs, seed).unwrap();

    let upper = |steps: u64| {
        f64::from(params.thr_base())
            + f64::from(params.thr_jitter())
            + steps as f64 * f64::from(params.thr_gain().abs())
    };
    let (mut old, mut new) = (State::default(), State::default());
    let (mut t, mut phase, mut phase_left) = (0.0_f32, Phase::Winner, 0u64);
    let mut steps_since_new = 0u64;
    let mut jbuf = vec![0.0_f32; len];
    let mut done = 0u64;
    while done < neuron_steps {
        if phase_left == 0 {
            phase = rng.pick(&PHASES);
            // Silences are long; bursts are short.
            phase_left = match phase {
                Phase::Silence | Phase::NegInfRows => 1 + rng.below(2000),
                Phase::NanBurst | Phase::InfBurst => 1 + rng.below(20),
                _ => 1 + rng.below(300),
            };
            if rng.chance(30) {
                cell.set_backend(rng.pick(&backends)).unwrap();
            }
        }
        phase_left -= 1;
        fill(&mut rng, phase, n, &mut jbuf);
        cell.j_mut().copy_from_slice(&jbuf);

        if rng.chance(1) {
            let input = rng.pick(&[InputReset::Zero, InputReset::Keep]);
            snapshot_into(&cell, &mut old);
            cell.reset(input);
            snapshot_into(&cell, &mut new);
            check_reset(&params, &old, &new, input);
            tally.resets += 1;
        }

        // Now and then an invalid `t` or `dt`: an error, and nothing changes.
        if rng.chance(2) {
            snapshot_into(&cell, &mut old);
            let bad = [f32::NAN, f32::INFINITY, f32::NEG_INFINITY];
            let (bt, bdt) = match rng.below(3) {
                0 => (rng.pick(&bad), 1.0),
                1 => (t, rng.pick(&[0.0, -0.0, -1.0, f32::NAN, f32::INFINITY])),
                _ => (f32::NAN, f32::NAN),
            };
            // `t` is checked first; the error carries the value refused.
            let want = if bt.is_finite() {
                Error::Dt { value: bdt }
            } else {
                Error::Time { value: bt }
            };
            assert_eq!(cell.advance(bt, bdt), Err(want));
            snapshot_into(&cell, &mut new);
            assert_eq!(old, new, "a rejected step changed the state");
            tally.rejected += 1;
        }

        // Now and then a subnormal `dt` (read as zero), a tiny normal one,
        // or a huge one that makes the timers overflow.
        let dt = match rng.below(40) {
            0 => 5e-41,
            1 => 2e-38,
            2 => 1e38,
            k => [1.0, 0.5, 0.1, 2.5][k as usize % 4],
        };
        t += dt;
        if !t.is_finite() {
            t = 0.0;
        }
        // Now and then `t = ±0.0` or a subnormal `t`.
        let step_t = if rng.chance(2) {
            rng.pick(&[-0.0, 0.0, 1e-40, -1e-40])
        } else {
            t
        };
        snapshot_into(&cell, &mut old);
        cell.advance(step_t, dt).unwrap();
        snapshot_into(&cell, &mut new);
        tally.spikes += check_step(&params, &old, &new, step_t, dt);
        steps_since_new += 1;
        // Each step's f32 sum rounds up by at most half an ulp.
        let hi =
            upper(steps_since_new) * (1.0 + steps_since_new as f64 * f64::from(f32::EPSILON) / 2.0);
        for &x in cell.thr() {
            assert!(
                x >= THR_FLOOR && f64::from(x) <= hi,
                "thr {x:e} outside [0.025, {hi:e}]"
            );
            tally.max_thr = tally.max_thr.max(x);
        }
        tally.steps += 1;
        done += len as u64;
    }
    tally.neuron_steps += done;
    guards.check();
}

#[test]
#[ignore = "long: run with `cargo test --release --test soak -- --ignored`"]
fn soak() {
    let start = Instant::now();
    let mut tally = Tally::default();
    let per_shape = NEURON_STEPS.div_ceil(SHAPES.len() as u64);
    for (k, shape) in SHAPES.into_iter().enumerate() {
        soak_shape(shape, 0x5eed_0000 + k as u64, per_shape, &mut tally);
    }
    assert!(tally.neuron_steps >= NEURON_STEPS);
    println!(
        "soak: {} neuron-steps in {} steps ({} spikes, {} resets, {} rejected steps), \
         max thr {:e}, {:.1} s",
        tally.neuron_steps,
        tally.steps,
        tally.spikes,
        tally.resets,
        tally.rejected,
        tally.max_thr,
        start.elapsed().as_secs_f64()
    );
}
