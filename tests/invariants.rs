//! Regression tests for hostile inputs found while fuzzing (see `fuzz/`),
//! and the float edges where the reference writes NaN.

#[path = "invariants/check.rs"]
mod check;
mod common;

use check::advance_checked;
use wtas::kernels::Backend;
use wtas::{Buffers, Cell, Config, Params};

/// An injected `-inf` threshold plus a gain so large that
/// `(count - 1) * thr_gain` overflows to `+inf`: `-inf + inf` is NaN, which
/// the reference's NaN-propagating floor keeps, so the cell writes it too
/// (and the unit never fires again). Found by the `step` fuzz target.
#[test]
fn infinite_threshold_turns_nan_as_in_the_reference() {
    let params = common::params(4, |c| c.thr_gain = f32::MAX);
    let mut mem = [[0.0_f32; 4]; 6];
    let made = Cell::with_thresholds(
        params,
        Buffers::from_slice(mem.as_flattened_mut(), params.len()).unwrap(),
        &[f32::NEG_INFINITY; 4],
    );
    let mut cell = made.expect("an infinite threshold0 is a valid state");
    advance_checked(&mut cell, 0.0, 1.0);
    assert!(cell.thr().iter().all(|x| x.is_nan()), "{:?}", cell.thr());
}

/// The same through `Cell::new`: `thr_base - thr_jitter` overflows
/// to `-inf` for some units, and a huge gain then makes the delta `+inf`.
#[test]
fn seeded_threshold_overflow_follows_the_reference() {
    let Ok(params) = Config {
        thr_base: -f32::MAX,
        thr_jitter: f32::MAX,
        thr_gain: f32::MAX,
        ..Config::new(8)
    }
    .validate() else {
        return; // refusing thr_base ± thr_jitter that overflows is a fix too
    };
    let mut mem = [[0.0_f32; 8]; 6];
    let Ok(mut cell) = Cell::new(
        params,
        Buffers::from_slice(mem.as_flattened_mut(), params.len()).unwrap(),
        1,
    ) else {
        return; // refusing the configuration is a fix too
    };
    assert!(cell.thr().iter().any(|x| x.is_infinite()));
    for step in 0..8 {
        advance_checked(&mut cell, step as f32, 1.0);
    }
}

/// A resumed state with a `+inf` threshold next to low ones and a huge
/// negative gain: three spikes make the delta `-inf`, and `inf - inf` a NaN
/// threshold; the NaN state the cell wrote must resume and keep stepping.
#[test]
fn resumed_infinite_threshold_turns_nan_and_resumes() {
    let params = common::params(4, |c| c.thr_gain = -f32::MAX);
    let mut mem = [[0.0_f32; 4]; 6];
    mem[3] = [f32::INFINITY, 0.1, 0.1, 0.1];
    let mut cell = Cell::resume(
        params,
        Buffers::from_slice(mem.as_flattened_mut(), params.len()).unwrap(),
    )
    .expect("an infinite threshold is a valid state");
    advance_checked(&mut cell, 0.0, 1.0);
    assert!(cell.thr()[0].is_nan());
    let bufs = cell.into_state();
    let mut cell = Cell::resume(params, bufs).expect("a NaN threshold the cell wrote resumes");
    advance_checked(&mut cell, 1.0, 1.0);
    assert!(cell.thr()[0].is_nan());
}

/// `rfr + dt` overflowing to `inf` on a unit that spikes: `inf * (1 - 1)`
/// makes `rfr` NaN, as in the reference; the state resumes and the NaN
/// timer keeps the unit refractory (a NaN never compares `>=`).
#[test]
fn overflowing_timer_turns_nan_and_resumes() {
    let params = common::params(2, |c| c.refract_time = 3e38);
    let mut mem = [[0.0_f32; 2]; 6];
    mem[0] = [5.0, 0.0];
    mem[3] = [0.1, 0.9];
    mem[4] = [3.3e38, 3.3e38];
    let bufs = Buffers::from_slice(mem.as_flattened_mut(), params.len()).unwrap();
    let mut cell = Cell::resume(params, bufs).unwrap();
    advance_checked(&mut cell, 0.0, 1e38);
    assert_eq!(cell.s(), [1.0, 0.0]);
    assert_eq!(cell.rfr()[0].to_bits(), f32::NAN.to_bits());
    assert_eq!(cell.rfr()[1], f32::INFINITY);
    let mut cell = Cell::resume(params, cell.into_state()).unwrap();
    advance_checked(&mut cell, 1.0, 1.0);
    assert_eq!(cell.v()[0], 0.0, "a NaN timer keeps the unit refractory");
}

/// A state the cell itself produced must stay resumable: here finite
/// thresholds overflow to `+inf` through a huge gain (so a fix that makes
/// `resume` refuse infinite thresholds must also keep `advance` from
/// producing them, for example by saturating at `f32::MAX`).
#[test]
fn own_state_stays_resumable() {
    let params = common::params(4, |c| {
        c.thr_gain = 1e38;
        c.thr_jitter = 0.0;
    });
    let mut mem = [[0.0_f32; 4]; 6];
    {
        let mut cell = Cell::with_thresholds(
            params,
            Buffers::from_slice(mem.as_flattened_mut(), params.len()).unwrap(),
            &[3e38, 0.1, 0.1, 0.1],
        )
        .unwrap();
        for step in 0..4 {
            advance_checked(&mut cell, step as f32, 1.0);
        }
    }
    let mut cell = Cell::resume(
        params,
        Buffers::from_slice(mem.as_flattened_mut(), params.len()).unwrap(),
    )
    .expect("the cell's own state must be resumable");
    advance_checked(&mut cell, 4.0, 1.0);
}

/// A probability below `f32::MIN_POSITIVE` is flushed to zero before the
/// comparison, and a zero or subnormal threshold reads as zero: such a
/// probability fires over a negative threshold only.
#[test]
fn subnormal_probability_against_tiny_thresholds() {
    let params = Config::new(4).validate().unwrap();
    // exp(-87.3) is just above f32::MIN_POSITIVE; divided by a sum of
    // about 3 it is subnormal (about 4.06e-39).
    let cases = [
        (0.0, false),
        (-0.0, false),
        (1e-40, false),
        (-1e-40, false),
        (3e-39, false),
        (f32::from_bits(1), false),
        (-2.0, true),
    ];
    let backends = Backend::ALL.iter().filter(|b| b.is_available());
    for (&backend, (thr, fires)) in backends.flat_map(|b| cases.iter().map(move |&c| (b, c))) {
        let mut mem = [[0.0_f32; 4]; 6];
        let bufs = Buffers::from_slice(mem.as_flattened_mut(), params.len()).unwrap();
        let mut cell = Cell::with_thresholds(params, bufs, &[0.9, 0.9, 0.9, thr]).unwrap();
        cell.set_backend(backend).unwrap();
        cell.j_mut().copy_from_slice(&[0.0, 0.0, 0.0, -87.3]);
        advance_checked(&mut cell, 0.0, 1.0);
        assert_eq!(
            cell.s()[3] == 1.0,
            fires,
            "thr {thr:e} on {}",
            backend.name()
        );
    }
}

/// The edges of the plain path's conditions, on every backend, each alone
/// so that it decides the path: a timer or a threshold that is a NaN with
/// a payload, a `tols` of `-0.0` on a silent unit, and a time that flushes to `-0.0`,
/// which can write `tols = -0.0` on a unit that fires. Each step goes
/// through the literal checker, which recomputes the reference's
/// arithmetic forms.
#[test]
fn plain_path_conditions_at_their_edges() {
    let params = common::params(4, |c| c.refract_time = 2.0);
    for &backend in Backend::ALL.iter().filter(|b| b.is_available()) {
        let name = backend.name();
        // j: unit 0 wins; thr; rfr: all awake; tols.
        let state = [
            [9.0, 0.0, 0.0, 0.0],
            [0.0; 4],
            [0.0; 4],
            [0.5; 4],
            [5.0; 4],
            [-3.0, 7.0, 0.0, -1.0],
        ];

        // A NaN with a payload, as unit 1's timer (`rfr + dt` keeps it,
        // the rule makes it canonical) and as unit 2's threshold (through
        // `+ delta` and the floor): canonical after the step.
        for (field, unit) in [(4, 1), (3, 2)] {
            for nan in [0x7fc0_1234, 0xffc0_0000, 0x7f80_0001] {
                let mut mem = state;
                mem[field][unit] = f32::from_bits(nan);
                let mut cell = resumed(params, &mut mem, backend);
                advance_checked(&mut cell, 1.0, 1.0);
                let got = check::fields(&cell)[field][unit];
                assert_eq!(got.to_bits(), f32::NAN.to_bits(), "{name} {nan:x}");
            }
        }

        // A silent unit's `tols` of -0.0 becomes +0.0 (`-0 + 0 * t`).
        let mut mem = state;
        mem[5][2] = -0.0;
        let mut cell = resumed(params, &mut mem, backend);
        advance_checked(&mut cell, 1.0, 1.0);
        assert_eq!(cell.tols()[2].to_bits(), 0, "{name}");

        // A time that flushes to -0.0 makes unit 3's tols -0.0 as it
        // fires (`0 * -1 + -0`); the next step, where it is refractory
        // and silent, must turn that into +0.0.
        let mut mem = state;
        mem[0] = [0.0, 0.0, 0.0, 9.0];
        let mut cell = resumed(params, &mut mem, backend);
        advance_checked(&mut cell, -1e-40, 1.0);
        assert_eq!(cell.tols()[3].to_bits(), (-0.0_f32).to_bits(), "{name}");
        advance_checked(&mut cell, 2.0, 1.0);
        assert_eq!(cell.tols()[3].to_bits(), 0, "{name}");
    }
}

/// A cell over `mem` on `backend`, its state taken as it is.
fn resumed(params: Params, mem: &mut [[f32; 4]; 6], backend: Backend) -> Cell<Buffers<'_>> {
    let bufs = Buffers::from_slice(mem.as_flattened_mut(), params.len()).unwrap();
    let mut cell = Cell::resume(params, bufs).unwrap();
    cell.set_backend(backend).unwrap();
    cell
}
