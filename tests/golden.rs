//! Replays the reference's recorded trajectories through the public API and
//! checks every field of every step bit for bit (NaN equals NaN), on every
//! backend this CPU can run.

mod common;

use common::{Trajectory, golden_files, same};
use wtas::kernels::Backend;
use wtas::{Buffers, Cell, InputReset};

/// Replays one trajectory on one backend; returns the first mismatch.
fn replay(traj: &Trajectory, backend: Backend) -> Result<(), String> {
    let params = traj.config().validate().map_err(|e| e.to_string())?;
    let n = traj.len();
    let mut mem = vec![0.0_f32; 6 * n];
    let bufs = Buffers::from_slice(&mut mem, n).map_err(|e| e.to_string())?;
    let mut cell = Cell::with_thresholds(params, bufs, &traj.thr0).map_err(|e| e.to_string())?;
    cell.set_backend(backend).map_err(|e| e.to_string())?;
    for step in 0..traj.steps() {
        if traj.reset[step] {
            cell.reset(InputReset::Zero);
        }
        let at = step * n..(step + 1) * n;
        cell.j_mut().copy_from_slice(&traj.j[at.clone()]);
        cell.advance(traj.t[step], traj.dt)
            .map_err(|e| e.to_string())?;
        let fields: [(&str, &[f32], &[f32]); 5] = [
            ("v", cell.v(), &traj.v[at.clone()]),
            ("s", cell.s(), &traj.s[at.clone()]),
            ("thr", cell.thr(), &traj.thr[at.clone()]),
            ("rfr", cell.rfr(), &traj.rfr[at.clone()]),
            ("tols", cell.tols(), &traj.tols[at.clone()]),
        ];
        for (field, ours, theirs) in fields {
            if let Some(i) = (0..n).find(|&i| !same(ours[i], theirs[i])) {
                return Err(format!(
                    "{} [{}]: step {step}, field {field}, row {}, unit {}: got {:e} ({:#010x}), reference {:e} ({:#010x})",
                    traj.name,
                    backend.name(),
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
/// on every backend, prints `golden: F files, S steps, all bit-exact`, and
/// exits non-zero on the first file with a mismatch.
fn main() {
    let files = golden_files();
    assert!(!files.is_empty(), "no golden .npz file found");
    let mut steps = 0;
    let mut failures = Vec::new();
    for path in &files {
        let traj = Trajectory::load(path).unwrap_or_else(|e| panic!("{e}"));
        for &backend in Backend::ALL.iter().filter(|b| b.is_available()) {
            if let Err(e) = replay(&traj, backend) {
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
