//! Replays ngclearn's own evstdp circuit, recorded by
//! `evstdp/scripts/record_ngclearn.py` (ngclearn 3.2.3, jax 0.10.2 on CPU):
//! 24 digits × 50 steps = 1,200 steps, 64 inputs, 16 units, with the
//! Bernoulli draws, the initial weights and the cell's initial thresholds
//! injected.
//!
//! The draws are JAX's own uniform values wherever a pixel's probability
//! lies strictly between 0 and 1; where it is 0 or 1 the draw cannot change
//! the spike and the file stores 0.5 (see the script). The recorded input
//! spikes are compared too, so the stored draws are checked to reproduce
//! them.
//!
//! Every field is compared bit for bit at every step: the Bernoulli spikes
//! and times of last spike, the EPSPs, the cell's `j`, `v`, `s`, `thr`,
//! `rfr` and `tols`, and the weights (their FNV-1a digest after every step,
//! in full after every pattern). No field needs a tolerance, for two
//! reasons found on this recording:
//!
//! - the one reduction whose order could differ, XLA's dot product
//!   `epsp · W`, sums over the inputs in increasing order at this shape,
//!   which [`EventStdp::forward`](wtas_evstdp::EventStdp::forward) does too
//!   (pairwise and 2/4/8/16-lane orders were tried and match only the
//!   trivial steps);
//! - XLA's CPU compiler fuses two multiply-adds of the STDP update
//!   (`w_bound - w·(1+λ)` and `w + dW·eta`) into single-rounding FMAs;
//!   computed with two roundings each, the weights differed from the first
//!   post-synaptic spike on (step 2) by 1 to 4 ulp, and `j` (hence `v`)
//!   by up to 3 ulp, while the spikes still agreed. With `fmaf` in both
//!   places every field is equal.
//!
//! On any mismatch the test reports the largest difference in ulp per
//! field, so a change of order (another XLA version or shape) shows up as a
//! measured difference, not a silent tolerance.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use wtas_evstdp::{Buffers, Hyper, Model, RecordedDraws, digest};

type Npz = npyz::npz::NpzArchive<BufReader<File>>;

fn arr<T: npyz::Deserialize>(npz: &mut Npz, name: &str) -> Vec<T> {
    npz.by_name(name)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .unwrap_or_else(|| panic!("missing array {name}"))
        .into_vec()
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Largest distance in units in the last place between two equally long
/// f32 slices (0 when every bit pattern is equal).
fn ulps(a: &[f32], b: &[f32]) -> u32 {
    a.iter()
        .zip(b)
        .map(|(x, y)| {
            let key = |v: f32| {
                let i = v.to_bits() as i32;
                if i < 0 { i32::MIN - i } else { i }
            };
            key(*x).abs_diff(key(*y))
        })
        .max()
        .unwrap_or(0)
}

fn bits_equal(a: &[f32], b: &[f32]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
}

#[test]
fn replay_matches_ngclearn_bit_for_bit() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/ngclearn_trajectory.npz");
    let mut npz = Npz::new(BufReader::new(File::open(&path).expect("open trajectory"))).unwrap();
    let x: Vec<f32> = arr(&mut npz, "x");
    let t: Vec<f32> = arr(&mut npz, "t");
    let u: Vec<f32> = arr(&mut npz, "u");
    let w0: Vec<f32> = arr(&mut npz, "w0");
    let thr0: Vec<f32> = arr(&mut npz, "thr0");
    let w_end: Vec<f32> = arr(&mut npz, "w_end");
    let w_fnv: Vec<u64> = arr(&mut npz, "w_fnv");
    let steps_per_pattern = arr::<i64>(&mut npz, "steps_per_pattern")[0] as usize;
    let dt = arr::<f32>(&mut npz, "dt")[0];
    let fields = [
        "z0_s", "z0_tols", "epsp", "j", "v", "s", "thr", "rfr", "tols",
    ];
    let rec: Vec<Vec<f32>> = fields.iter().map(|f| arr(&mut npz, f)).collect();

    let n_in = 64;
    let n_hid = thr0.len();
    let steps = t.len();
    let patterns = x.len() / n_in;
    assert_eq!(steps, patterns * steps_per_pattern);
    assert!(steps >= 1000, "at least 1,000 steps, got {steps}");
    assert_eq!(w0.len(), n_in * n_hid);
    let hyper = Hyper {
        steps: steps_per_pattern,
        dt,
        ..Hyper::EXHIBIT
    };

    let (mut xs, mut xt, mut ep) = (vec![0.0; n_in], vec![0.0; n_in], vec![0.0; n_in]);
    let mut tf = vec![0.0; hyper.win_len() * n_in];
    let mut w = w0.clone();
    let mut cell = vec![vec![0.0_f32; n_hid]; 6];
    let [j, v, s, thr, rfr, tols] = cell.as_mut_slice() else {
        unreachable!()
    };
    let bufs = Buffers {
        x_s: &mut xs,
        x_tols: &mut xt,
        tf: &mut tf,
        epsp: &mut ep,
        w: &mut w,
        cell: wtas::Buffers {
            j,
            v,
            s,
            thr,
            rfr,
            tols,
        },
    };
    let mut model = Model::with_thresholds(hyper, bufs, &thr0).unwrap();
    let mut draws = RecordedDraws::new(&u);
    let mut worst = [0u32; 9];
    let mut mismatches = Vec::new();
    let (mut post_spikes, mut in_spikes) = (0.0_f32, 0.0_f32);
    for p in 0..patterns {
        model.reset();
        let xp = &x[p * n_in..(p + 1) * n_in];
        for i in 0..steps_per_pattern {
            let k = p * steps_per_pattern + i;
            assert_eq!(t[k], i as f32 * dt);
            model.step(xp, t[k], &mut draws, true).unwrap();
            let c = model.cell();
            let ours: [&[f32]; 9] = [
                model.input_spikes(),
                model.input_tols(),
                model.epsp(),
                c.j(),
                c.v(),
                c.s(),
                c.thr(),
                c.rfr(),
                c.tols(),
            ];
            for (f, (o, r)) in ours.iter().zip(&rec).enumerate() {
                let n = o.len();
                let r = &r[k * n..(k + 1) * n];
                if !bits_equal(o, r) {
                    worst[f] = worst[f].max(ulps(o, r));
                    if mismatches.len() < 10 {
                        mismatches.push(format!("step {k}: {} differs", fields[f]));
                    }
                }
            }
            post_spikes += c.s().iter().sum::<f32>();
            in_spikes += model.input_spikes().iter().sum::<f32>();
            if digest(model.weights()) != w_fnv[k] && mismatches.len() < 10 {
                mismatches.push(format!("step {k}: weights differ (digest)"));
            }
        }
        let we = &w_end[p * n_in * n_hid..(p + 1) * n_in * n_hid];
        if !bits_equal(model.weights(), we) {
            mismatches.push(format!(
                "pattern {p}: weights differ, max {} ulp",
                ulps(model.weights(), we)
            ));
        }
    }
    assert_eq!(draws.used(), steps * n_in);
    println!(
        "fidelity: {steps} steps, {patterns} patterns, {post_spikes} post spikes, {in_spikes} input spikes; \
         worst ulp per field {:?}",
        fields.iter().zip(worst).collect::<Vec<_>>()
    );
    assert!(post_spikes > 100.0, "the trajectory must exercise learning");
    assert!(mismatches.is_empty(), "{mismatches:#?}");
}
