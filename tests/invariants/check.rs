//! Test-side helpers around the specification's literal step
//! (`wtas::kernels::spec::step_row`): state snapshots, one step checked
//! against the specification, one reset checked against its rules.

#![allow(dead_code)]

use wtas::kernels::spec;
use wtas::{Cell, InputReset, Params};

/// The six buffers of a cell as bit patterns: j, v, s, thr, rfr, tols.
pub type State = [Vec<u32>; 6];

/// The cell's six buffers: j, v, s, thr, rfr, tols.
pub fn fields<'a>(cell: &'a Cell<wtas::Buffers<'_>>) -> [&'a [f32]; 6] {
    [
        cell.j(),
        cell.v(),
        cell.s(),
        cell.thr(),
        cell.rfr(),
        cell.tols(),
    ]
}

/// Copies the cell's state into `out` (reusing its allocations).
pub fn snapshot_into(cell: &Cell<wtas::Buffers<'_>>, out: &mut State) {
    for (o, s) in out.iter_mut().zip(fields(cell)) {
        o.clear();
        o.extend(s.iter().map(|x| x.to_bits()));
    }
}

/// The cell's state as bit patterns.
pub fn snapshot(cell: &Cell<wtas::Buffers<'_>>) -> State {
    let mut s = State::default();
    snapshot_into(cell, &mut s);
    s
}

/// Steps every row of `state` (j, v, s, thr, rfr, tols) of a cell with
/// `params` by the specification's literal step; returns the spikes.
pub fn spec_step(params: &Params, t: f32, dt: f32, state: &mut [Vec<f32>; 6]) -> u64 {
    let n = params.n_units();
    let k = params.step_inputs(t, dt);
    let [j, v, s, thr, rfr, tols] = state;
    let mut spikes = 0;
    for row in 0..params.batch_size() {
        let r = row * n..(row + 1) * n;
        let count = spec::step_row(
            &k,
            &j[r.clone()],
            &mut v[r.clone()],
            &mut s[r.clone()],
            &mut thr[r.clone()],
            &mut rfr[r.clone()],
            &mut tols[r],
        )
        .unwrap();
        spikes += count as u64;
    }
    spikes
}

/// Checks one successful `advance(t, dt)` from `old` to `new` against the
/// specification's literal step ([`spec::step_row`]), row by row: every
/// field bit for bit (every NaN written is canonical, so bits decide).
/// Returns the number of spikes.
pub fn check_step(params: &Params, old: &State, new: &State, t: f32, dt: f32) -> u64 {
    let n = params.n_units();
    assert_eq!(old[0], new[0], "advance changed j");
    let mut state = old
        .each_ref()
        .map(|x| x.iter().map(|b| f32::from_bits(*b)).collect());
    let spikes = spec_step(params, t, dt, &mut state);
    let [j, v, s, thr, rfr, tols] = state;
    let want = [&j, &v, &s, &thr, &rfr, &tols];
    for (field, (name, want)) in ["j", "v", "s", "thr", "rfr", "tols"]
        .iter()
        .zip(want)
        .enumerate()
    {
        for (i, (&got, want)) in new[field].iter().zip(want).enumerate() {
            assert!(
                got == want.to_bits(),
                "{name}[{i}] (row {}, unit {}): got {:e} ({got:#010x}), the specification {want:e} ({:#010x})",
                i / n.max(1),
                i % n.max(1),
                f32::from_bits(got),
                want.to_bits()
            );
        }
    }
    spikes
}

/// One `advance(t, dt)` of `cell` that must succeed, checked with
/// [`check_step`]; returns the number of spikes.
pub fn advance_checked(cell: &mut Cell<wtas::Buffers<'_>>, t: f32, dt: f32) -> u64 {
    let old = snapshot(cell);
    cell.advance(t, dt).unwrap();
    check_step(cell.params(), &old, &snapshot(cell), t, dt)
}

/// Checks one `reset(input)` from `old` to `new`: `j` zeroed or kept as
/// `input` says, `v`, `s` and `tols` all `+0.0`, every `rfr` equal to
/// `refract_time`, `thr` unchanged.
pub fn check_reset(params: &Params, old: &State, new: &State, input: InputReset) {
    let zero = 0.0_f32.to_bits();
    match input {
        InputReset::Zero => assert!(new[0].iter().all(|b| *b == zero), "reset kept j"),
        InputReset::Keep => assert_eq!(new[0], old[0], "reset changed j"),
    }
    assert!(
        new[1]
            .iter()
            .chain(&new[2])
            .chain(&new[5])
            .all(|b| *b == zero),
        "reset left v, s or tols nonzero"
    );
    let rt = params.refract_time().to_bits();
    assert!(
        new[4].iter().all(|b| *b == rt),
        "reset left rfr off refract_time"
    );
    assert_eq!(new[3], old[3], "reset changed thr");
}
