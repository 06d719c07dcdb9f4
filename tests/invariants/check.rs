//! The per-step invariants shared by the soak test and the regression
//! tests: the rules of `tests/golden/README.md` recomputed from the state
//! before a step.

#![allow(dead_code)]

use wtas::{Cell, InputReset, Params};

/// The threshold floor.
pub const THR_FLOOR: f32 = 0.025;

/// The six buffers of a cell as bit patterns: j, v, s, thr, rfr, tols.
pub type State = [Vec<u32>; 6];

/// Copies the cell's state into `out` (reusing its allocations).
pub fn snapshot_into(cell: &Cell<wtas::Buffers<'_>>, out: &mut State) {
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
pub fn snapshot(cell: &Cell<wtas::Buffers<'_>>) -> State {
    let mut s = State::default();
    snapshot_into(cell, &mut s);
    s
}

fn nan_max(a: f32, b: f32) -> f32 {
    if a > b || a.is_nan() { a } else { b }
}

/// Flush-to-zero of one value: a subnormal becomes a zero of its sign.
pub fn ftz(x: f32) -> f32 {
    if x.is_subnormal() {
        f32::from_bits(x.to_bits() & 0x8000_0000)
    } else {
        x
    }
}

/// The reference's arithmetic, as XLA's CPU code runs it: denormals are
/// read as zero and a subnormal result is written as zero.
fn add(a: f32, b: f32) -> f32 {
    ftz(ftz(a) + ftz(b))
}
fn sub(a: f32, b: f32) -> f32 {
    ftz(ftz(a) - ftz(b))
}
fn mul(a: f32, b: f32) -> f32 {
    ftz(ftz(a) * ftz(b))
}

/// Bitwise equality, except that any NaN equals any NaN.
fn same(a: f32, b: f32) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

/// Every NaN the cell writes is the canonical `f32::NAN`.
fn assert_canonical(x: u32, what: &str) {
    if f32::from_bits(x).is_nan() {
        assert_eq!(x, f32::NAN.to_bits(), "{what} is a non-canonical NaN");
    }
}

/// Checks one successful `advance(t, dt)` from `old` to `new` against the
/// rules of `tests/golden/README.md`, transcribed literally with the
/// reference's flushing emulated (no rewrite of the kernels' is used):
/// `v`, `rfr`, `tols` and `thr` bit for bit (any NaN equals any NaN, and
/// every NaN written is canonical), `s ∈ {0.0, 1.0}`, no spike in a row
/// whose max is not finite and none over a threshold of 1 or more.
/// Returns the number of spikes.
pub fn check_step(params: &Params, old: &State, new: &State, t: f32, dt: f32) -> u64 {
    let n = params.n_units();
    let f = |v: &Vec<u32>, i: usize| f32::from_bits(v[i]);
    let (resist_m, gain) = (params.resist_m(), params.thr_gain());
    assert_eq!(old[0], new[0], "advance changed j");
    let mut spikes = 0;
    for row in 0..params.batch_size() {
        let r = row * n..(row + 1) * n;
        let mut count = 0.0_f32;
        let mut row_max = f32::NEG_INFINITY;
        for i in r.clone() {
            // Rules 1 and 2: a comparison reads denormals as zero; the
            // graph has no multiply for resist_m = ±1.
            let j = f(&old[0], i);
            let v = if ftz(f(&old[4], i)) >= ftz(params.refract_time()) {
                let v = if resist_m == 1.0 {
                    j
                } else if resist_m == -1.0 {
                    -j
                } else {
                    mul(j, resist_m)
                };
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
            let s = f32::from_bits(s);
            if s == 1.0 {
                assert!(ftz(f(&old[3], i)) < 1.0, "s[{i}] fired over thr >= 1");
                count += 1.0;
            }
            // Rules 6 and 7, arithmetic.
            let not_s = sub(1.0, s);
            let rfr = add(mul(add(f(&old[4], i), dt), not_s), mul(s, dt));
            assert!(
                same(f(&new[4], i), rfr),
                "rfr[{i}]: rule 6: got {:e}, want {rfr:e}",
                f(&new[4], i)
            );
            assert_canonical(new[4][i], "rfr");
            let tols = add(mul(not_s, f(&old[5], i)), mul(s, t));
            assert!(
                same(f(&new[5], i), tols),
                "tols[{i}]: rule 7: got {:e} ({:#x}), want {tols:e} ({:#x})",
                f(&new[5], i),
                new[5][i],
                tols.to_bits()
            );
            assert_canonical(new[5][i], "tols");
        }
        if !row_max.is_finite() {
            assert_eq!(count, 0.0, "row {row} (max {row_max}) spiked");
        }
        spikes += count as u64;
        // Rule 5: one product, one sum, the NaN-propagating floor.
        let delta = mul(sub(count, 1.0), gain);
        for i in r {
            let want = nan_max(add(f(&old[3], i), delta), THR_FLOOR);
            let thr = f(&new[3], i);
            assert!(
                same(thr, want),
                "thr[{i}]: rule 5: got {thr:e}, want {want:e} (was {:e}, delta {delta:e})",
                f(&old[3], i)
            );
            assert!(
                thr.is_nan() || thr >= THR_FLOOR,
                "thr[{i}] = {thr:e} below the floor"
            );
            assert_canonical(new[3][i], "thr");
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
