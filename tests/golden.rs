//! Replays the reference's recorded trajectories through the specification's
//! literal step (`kernels::spec::step_row`) and through the public API on
//! every backend this CPU can run, and checks every field of every step bit
//! for bit (NaN equals NaN).

#[path = "invariants/check.rs"]
mod check;
mod common;

use check::{fields, spec_step};
use common::{Trajectory, golden_files, same};
use wtas::kernels::Backend;
use wtas::{Buffers, Cell, InputReset};

/// Where a trajectory is replayed: the specification's step, or a cell on
/// a backend.
#[derive(Clone, Copy)]
enum On {
    Spec,
    Cell(Backend),
}

impl On {
    fn name(self) -> &'static str {
        match self {
            On::Spec => "spec",
            On::Cell(backend) => backend.name(),
        }
    }
}

/// Replays one trajectory; returns the first mismatch.
fn replay(traj: &Trajectory, on: On) -> Result<(), String> {
    let params = traj.config().validate().map_err(|e| e.to_string())?;
    let n = traj.len();
    let mut mem = vec![0.0_f32; 6 * n];
    let bufs = Buffers::from_slice(&mut mem, n).map_err(|e| e.to_string())?;
    let mut cell = Cell::with_thresholds(params, bufs, &traj.thr0).map_err(|e| e.to_string())?;
    if let On::Cell(backend) = on {
        cell.set_backend(backend).map_err(|e| e.to_string())?;
    }
    // The specification's state: the cell's at first (and after a reset,
    // which the cell applies to its own state, never advanced here).
    let values = |cell: &Cell<wtas::Buffers<'_>>| fields(cell).map(<[f32]>::to_vec);
    let mut st = values(&cell);
    for step in 0..traj.steps() {
        if traj.reset[step] {
            cell.reset(InputReset::Zero);
            let thr = std::mem::take(&mut st[3]);
            st = values(&cell);
            st[3] = thr;
        }
        let at = step * n..(step + 1) * n;
        let fields: [&[f32]; 5] = match on {
            On::Cell(_) => {
                cell.j_mut().copy_from_slice(&traj.j[at.clone()]);
                cell.advance(traj.t[step], traj.dt)
                    .map_err(|e| e.to_string())?;
                [cell.v(), cell.s(), cell.thr(), cell.rfr(), cell.tols()]
            }
            On::Spec => {
                st[0].copy_from_slice(&traj.j[at.clone()]);
                spec_step(&params, traj.t[step], traj.dt, &mut st);
                [&st[1], &st[2], &st[3], &st[4], &st[5]]
            }
        };
        let names = ["v", "s", "thr", "rfr", "tols"];
        let recorded: [&[f32]; 5] = [
            &traj.v[at.clone()],
            &traj.s[at.clone()],
            &traj.thr[at.clone()],
            &traj.rfr[at.clone()],
            &traj.tols[at.clone()],
        ];
        let fields = names
            .into_iter()
            .zip(fields)
            .zip(recorded)
            .map(|((a, b), c)| (a, b, c));
        for (field, ours, theirs) in fields {
            if let Some(i) = (0..n).find(|&i| !same(ours[i], theirs[i])) {
                return Err(format!(
                    "{} [{}]: step {step}, field {field}, row {}, unit {}: got {:e} ({:#010x}), reference {:e} ({:#010x})",
                    traj.name,
                    on.name(),
                    i / traj.n_units,
                    i % traj.n_units,
                    ours[i],
                    ours[i].to_bits(),
                    theirs[i],
                    theirs[i].to_bits(),
                ));
            }
        }
    }
    Ok(())
}

/// A test without libtest's harness (`harness = false` in Cargo.toml), so
/// that its summary line shows in a plain `cargo test`: replays every file
/// on the specification and every backend, prints `golden: F files, S steps, all bit-exact`, and
/// exits non-zero on the first file with a mismatch.
fn main() {
    let files = golden_files();
    assert!(!files.is_empty(), "no golden .npz file found");
    let mut steps = 0;
    let mut failures = Vec::new();
    for path in &files {
        let traj = Trajectory::load(path).unwrap_or_else(|e| panic!("{e}"));
        let backends = Backend::ALL.iter().filter(|b| b.is_available());
        for on in std::iter::once(On::Spec).chain(backends.map(|&b| On::Cell(b))) {
            if let Err(e) = replay(&traj, on) {
                failures.push(e);
            }
        }
        steps += traj.steps();
    }
    assert!(
        failures.is_empty(),
        "golden mismatches:\n{}",
        failures.join("\n")
    );
    println!(
        "golden: {} files, {steps} steps, all bit-exact",
        files.len()
    );
}
