//! The per-step invariants shared by the soak test and the regression
//! tests: the rules of `tests/golden/README.md` recomputed from the state
//! before a step.

#![allow(dead_code)]

use wtas::{Cell, Params};

/// The threshold floor.
pub const THR_FLOOR: f32 = 0.025;

/// The six buffers of a cell as bit patterns: j, v, s, thr, rfr, tols.
pub type State = [Vec<u32>; 6];

/// Copies the cell's state into `out` (reusing its allocations).
pub fn snapshot_into(cell: &Cell<'_>, out: &mut State) {
    let src: [&[f32]; 6] = [
        cell.j(),
        cell.v(),
        cell.s(),
        cell.thr(),
        cell.rfr(),
        cell.tols(),
    ];
    for (o, s) in out.iter_mut().zip(src) {
        o.clear();
        o.extend(s.iter().map(|x| x.to_bits()));
    }
}

/// The cell's state as bit patterns.
pub fn snapshot(cell: &Cell<'_>) -> State {
    let mut s = State::default();
    snapshot_into(cell, &mut s);
    s
}

fn nan_max(a: f32, b: f32) -> f32 {
    if a > b || a.is_nan() { a } else { b }
}

/// Checks one successful `advance(t, dt)` from `old` to `new`: every rule,
/// bit for bit, plus `s ∈ {0.0, 1.0}` and `thr ≥ 0.025`, never NaN.
/// Returns the number of spikes.
pub fn check_step(params: &Params, old: &State, new: &State, t: f32, dt: f32) -> u64 {
    let n = params.n_units();
    let f = |v: &Vec<u32>, i: usize| f32::from_bits(v[i]);
    assert_eq!(old[0], new[0], "advance changed j");
    let mut spikes = 0;
    for row in 0..params.batch_size() {
        let r = row * n..(row + 1) * n;
        let mut count = 0.0_f32;
        let mut row_max = f32::NEG_INFINITY;
        for i in r.clone() {
            let v = if f(&old[4], i) >= params.refract_time() {
                let v = f(&old[0], i) * params.resist_m();
                if v.is_nan() { f32::NAN } else { v }
            } else {
                0.0
            };
            assert_eq!(new[1][i], v.to_bits(), "v[{i}]: rule 2");
            row_max = nan_max(row_max, v);
            let s = new[2][i];
            assert!(
                s == 0.0_f32.to_bits() || s == 1.0_f32.to_bits(),
                "s[{i}] = {:?} is not exactly 0.0 or 1.0",
                f32::from_bits(s)
            );
            let fired = s == 1.0_f32.to_bits();
            if fired {
                assert!(f(&old[3], i) < 1.0, "s[{i}] fired over thr >= 1");
                count += 1.0;
            }
            let rfr = if fired { dt } else { f(&old[4], i) + dt };
            assert_eq!(new[4][i], rfr.to_bits(), "rfr[{i}]: rule 6");
            let tols = if fired { t } else { f(&old[5], i) };
            assert_eq!(new[5][i], tols.to_bits(), "tols[{i}]: rule 7");
        }
        if !row_max.is_finite() {
            assert_eq!(count, 0.0, "row {row} (max {row_max}) spiked");
        }
        spikes += count as u64;
        let delta = (count - 1.0) * params.thr_gain();
        for i in r {
            let thr = f(&new[3], i);
            assert!(
                !thr.is_nan(),
                "thr[{i}] is NaN (was {:e}, delta {delta:e})",
                f(&old[3], i)
            );
            assert!(thr >= THR_FLOOR, "thr[{i}] = {thr:e} below the floor");
            // Rule 5, except that `inf - inf` gives the floor, not NaN.
            let sum = f(&old[3], i) + delta;
            let want = if sum.is_nan() {
                THR_FLOOR
            } else {
                nan_max(sum, THR_FLOOR)
            };
            assert_eq!(new[3][i], want.to_bits(), "thr[{i}]: rule 5");
        }
    }
    spikes
}
