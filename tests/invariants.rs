//! Regression tests for hostile inputs found while fuzzing (see `fuzz/`).

#[path = "invariants/check.rs"]
mod check;

use check::{check_step, snapshot};
use wtas::{Buffers, Cell, Config, Error};

/// An injected `-inf` threshold plus a gain so large that
/// `(count - 1) * thr_gain` overflows to `+inf`: `-inf + inf` is NaN, and a
/// NaN threshold stays NaN forever (and `Cell::resume` then refuses the
/// state). Found by the `step` fuzz target.
///
/// Fixed: the threshold update writes the floor where `inf - inf` would
/// give NaN.
#[test]
fn infinite_threshold_never_turns_nan() {
    let params = Config {
        thr_gain: f32::MAX,
        ..Config::new(4, 10.0)
    }
    .validate()
    .unwrap();
    let mut mem = [[0.0_f32; 4]; 6];
    let [j, v, s, thr, rfr, tols] = &mut mem;
    let made = Cell::new(
        params,
        Buffers {
            j,
            v,
            s,
            thr,
            rfr,
            tols,
        },
        &[f32::NEG_INFINITY; 4],
    );
    // Either the constructor refuses the threshold...
    let Ok(mut cell) = made else {
        assert!(matches!(made, Err(Error::ThresholdNan)) || made.is_err());
        return;
    };
    // ...or every step keeps the thresholds valid.
    let old = snapshot(&cell);
    cell.advance(0.0, 1.0).unwrap();
    check_step(&params, &old, &snapshot(&cell), 0.0, 1.0);
}

/// The same through `Cell::new_seeded`: `thr_base - thr_jitter` overflows
/// to `-inf` for some units, and a huge gain then makes the delta `+inf`.
#[test]
fn seeded_threshold_overflow_never_turns_nan() {
    let Ok(params) = Config {
        thr_base: -f32::MAX,
        thr_jitter: f32::MAX,
        thr_gain: f32::MAX,
        ..Config::new(8, 10.0)
    }
    .validate() else {
        return; // refusing thr_base ± thr_jitter that overflows is a fix too
    };
    let mut mem = [[0.0_f32; 8]; 6];
    let [j, v, s, thr, rfr, tols] = &mut mem;
    let Ok(mut cell) = Cell::new_seeded(
        params,
        Buffers {
            j,
            v,
            s,
            thr,
            rfr,
            tols,
        },
        1,
    ) else {
        return; // refusing the configuration is a fix too
    };
    assert!(cell.thr().iter().any(|x| x.is_infinite()));
    for step in 0..8 {
        let old = snapshot(&cell);
        cell.advance(step as f32, 1.0).unwrap();
        check_step(&params, &old, &snapshot(&cell), step as f32, 1.0);
    }
}

/// A resumed state with a `+inf` threshold next to low ones and a huge
/// negative gain: three spikes make the delta `-inf`.
#[test]
fn resumed_infinite_threshold_never_turns_nan() {
    let params = Config {
        thr_gain: -f32::MAX,
        ..Config::new(4, 10.0)
    }
    .validate()
    .unwrap();
    let mut mem = [[0.0_f32; 4]; 6];
    mem[3] = [f32::INFINITY, 0.1, 0.1, 0.1];
    let [j, v, s, thr, rfr, tols] = &mut mem;
    let Ok(mut cell) = Cell::resume(
        params,
        Buffers {
            j,
            v,
            s,
            thr,
            rfr,
            tols,
        },
    ) else {
        return;
    };
    let old = snapshot(&cell);
    cell.advance(0.0, 1.0).unwrap();
    check_step(&params, &old, &snapshot(&cell), 0.0, 1.0);
}

/// A state the cell itself produced must stay resumable: here finite
/// thresholds overflow to `+inf` through a huge gain (so a fix that makes
/// `resume` refuse infinite thresholds must also keep `advance` from
/// producing them, for example by saturating at `f32::MAX`).
#[test]
fn own_state_stays_resumable() {
    let params = Config {
        thr_gain: 1e38,
        thr_jitter: 0.0,
        ..Config::new(4, 10.0)
    }
    .validate()
    .unwrap();
    let mut mem = [[0.0_f32; 4]; 6];
    {
        let [j, v, s, thr, rfr, tols] = &mut mem;
        let mut cell = Cell::new(
            params,
            Buffers {
                j,
                v,
                s,
                thr,
                rfr,
                tols,
            },
            &[3e38, 0.1, 0.1, 0.1],
        )
        .unwrap();
        for step in 0..4 {
            let old = snapshot(&cell);
            cell.advance(step as f32, 1.0).unwrap();
            check_step(&params, &old, &snapshot(&cell), step as f32, 1.0);
        }
    }
    let [j, v, s, thr, rfr, tols] = &mut mem;
    let mut cell = Cell::resume(
        params,
        Buffers {
            j,
            v,
            s,
            thr,
            rfr,
            tols,
        },
    )
    .expect("the cell's own state must be resumable");
    let old = snapshot(&cell);
    cell.advance(4.0, 1.0).unwrap();
    check_step(&params, &old, &snapshot(&cell), 4.0, 1.0);
}
