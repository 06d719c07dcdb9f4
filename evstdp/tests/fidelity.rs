//! Replays trajectories of ngclearn's own evstdp circuit, recorded by
//! `evstdp/scripts/record_ngclearn.py` (ngclearn 3.2.3, jax 0.10.2 and
//! jaxlib 0.10.2 on CPU), bit for bit: every `.npz` in the directory named
//! by `WTAS_EVSTDP_DIR` when it is set, the committed ones in `tests/data/`
//! otherwise. One line per file: `fidelity: <file>: <steps> steps,
//! bit-exact`.
//!
//! Each file carries its settings: `dt`, `steps_per_pattern`, the sizes (of
//! `x` and `w0`) and the hyperparameters as `f64` scalars `hp_*` (the
//! exhibit's value for any that is absent). The Bernoulli draws, the
//! initial weights and the cell's initial thresholds are injected. The
//! draws are JAX's own uniform values wherever a pixel's probability lies
//! strictly between 0 and 1; where it is 0 or 1 the draw cannot change the
//! spike and the file stores 0.5 (see the script). The recorded input
//! spikes are compared too, so the stored draws are checked to reproduce
//! them.
//!
//! Every field is compared bit for bit at every step: the Bernoulli spikes
//! and times of last spike, the EPSPs, the cell's `j`, `v`, `s`, `thr`,
//! `rfr` and `tols` (in full, or as their FNV-1a digests in files recorded
//! with `--digests`), and the weights (their digest after every step, and
//! in full after every pattern where the file has them). No field needs a
//! tolerance. What it took, each shown by removing it and replaying the
//! committed trajectories (the files that then fail):
//!
//! - the dot product `epsp · W` in XLA's order, increasing input index,
//!   each term a fused multiply-add; with separate roundings `j` and `v`
//!   are up to 4 ulp off from step 3 on (`dt1`, `tau_w_nu`, `units400`,
//!   `units33`, `presyn0`, `mixed`; at the exhibit's settings every EPSP is
//!   0 or 1 and every product is exact, so `ngclearn_trajectory` and
//!   `exhibit_100x100` cannot see it);
//! - with `n_hid % 8 == 1`, the last unit's first 8 terms of the dot
//!   product unfused, as the compiled kernel's epilogue has them
//!   (`units33`; one ulp of `j` at a few steps);
//! - with 2 units, unit 0's first 8 terms unfused, as the same kernel has
//!   them at that size (`units2`; one ulp of `j` at 4 of 100 steps);
//! - with 1 unit, the products rounded and summed in XLA's windows of 32
//!   (`units1`; `j` up to 5 ulp off from step 2 on);
//! - `1 + lmbda` summed in `f64` and rounded once; in `f32` the weights
//!   differ from the first update on (`lmbda`, at lmbda 0.0097);
//! - the STDP update's two fused multiply-adds (every file);
//! - the kernel's exp as XLA compiles it (the polynomial of wtas's
//!   `exp_f32`, its multiply-adds fused; unfused, the EPSPs are 1 ulp off:
//!   `tau_w_nu`, `mixed`);
//! - flush to zero, as XLA's CPU runtime runs: a subnormal `exp` is 0
//!   (`ftz_exp`, tau_w 0.011428, where a spike one step old gives
//!   exp(-87.5)), and in the dot product a subnormal product or partial
//!   sum is 0 (`ftz_dot`, tau_w 0.011494: EPSPs of 1.6e-38 times weights
//!   below 0.7);
//! - the kernel's division by `tau_w` as a multiplication by
//!   `1 / f32(tau_w)`; with the division, `mixed` (tau_w 1.3) fails;
//! - `t = dt · i` and `int(nu / dt)` in `f64`: with dt 0.1, `t` in `f32`
//!   arithmetic differs from step 9, and the window has 25 rows instead of
//!   26 (`mixed`);
//! - `presyn_win_len > 0` tested on the `f64`: at 0 only a pre-synaptic
//!   spike at `t` itself potentiates (`presyn0`);
//! - initial weights above `w_bound` (`mixed`, w_bound 0.7) used as they
//!   are by the first forward pass and clipped, all of them, by the first
//!   update;
//! - the depression's `(-w · (1+λ)) · A-` with its two constants folded
//!   into their `f32` product, as XLA's simplifier does (`mixed`, A- 0.35).
//!
//! On a mismatch the test names the file, step and field and the largest
//! difference in ulp per field, so a change of order (another XLA version
//! or shape) shows up as a measured difference, not a silent tolerance.

#[path = "npz/mod.rs"]
mod npz;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use wtas_evstdp::{HeapStorage, Hyper, Model, RecordedDraws, digest};

const FIELDS: [&str; 9] = [
    "z0_s", "z0_tols", "epsp", "j", "v", "s", "thr", "rfr", "tols",
];

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

/// How a per-step field is recorded.
enum Recorded {
    Full(Vec<f32>),
    Digests(Vec<u64>),
}

/// What one replay found.
struct Replay {
    steps: usize,
    n_in: usize,
    n_hid: usize,
    post_spikes: u64,
    hyper: Hyper,
    mismatches: Vec<String>,
}

/// The hyperparameters of a file: its `dt`, `steps_per_pattern` and
/// `hp_*` scalars, the exhibit's values for those absent.
fn hyper_of(a: &HashMap<String, npz::Array>) -> Result<Hyper, String> {
    let scalar = |name: &str, default: f64| -> Result<f64, String> {
        match a.get(name) {
            Some(v) => Ok(v.f64s()?[0]),
            None => Ok(default),
        }
    };
    let e = Hyper::EXHIBIT;
    let steps = match a.get("steps_per_pattern") {
        Some(v) => v.i64s()?[0] as usize,
        None => e.steps,
    };
    Ok(Hyper {
        dt: scalar("dt", e.dt)?,
        steps,
        tau_w: scalar("hp_tau_w", e.tau_w)?,
        nu: scalar("hp_nu", e.nu)?,
        eta: scalar("hp_eta", e.eta)?,
        lmbda: scalar("hp_lmbda", e.lmbda)?,
        presyn_win_len: scalar("hp_presyn_win_len", e.presyn_win_len)?,
        w_bound: scalar("hp_w_bound", e.w_bound)?,
        tau_m: scalar("hp_tau_m", e.tau_m)?,
        resist_m: scalar("hp_resist_m", e.resist_m)?,
        thr_base: scalar("hp_thr_base", e.thr_base)?,
        thr_gain: scalar("hp_thr_gain", e.thr_gain)?,
        refract_time: scalar("hp_refract", e.refract_time)?,
        thr_jitter: scalar("hp_thr_jitter", e.thr_jitter)?,
        a_plus: scalar("hp_a_plus", e.a_plus)?,
        a_minus: scalar("hp_a_minus", e.a_minus)?,
    })
}

fn replay(path: &Path) -> Result<Replay, String> {
    let a = npz::read(path)?;
    let get = |name: &str| a.get(name).ok_or_else(|| format!("missing array {name}"));
    let x = get("x")?;
    let n_in = *x.shape.last().ok_or("x has no shape")?;
    let x = x.f32s()?;
    let t = get("t")?.f32s()?;
    let u = get("u")?.f32s()?;
    let w0 = get("w0")?.f32s()?;
    let thr0 = get("thr0")?.f32s()?;
    // Absent in files recorded with `--digests` (the per-step digests of
    // the weights stand for it).
    let w_end = match a.get("w_end") {
        Some(v) => v.f32s()?,
        None => Vec::new(),
    };
    let w_fnv = get("w_fnv")?.u64s()?;
    let hyper = hyper_of(&a)?;
    let rec = FIELDS
        .iter()
        .map(|f| match (a.get(*f), a.get(&format!("{f}_fnv"))) {
            (Some(v), _) => Ok(Recorded::Full(v.f32s()?)),
            (None, Some(v)) => Ok(Recorded::Digests(v.u64s()?)),
            (None, None) => Err(format!("missing array {f} (or {f}_fnv)")),
        })
        .collect::<Result<Vec<_>, String>>()?;

    let n_hid = thr0.len();
    let steps = t.len();
    let per = hyper.steps;
    let patterns = x.len() / n_in;
    if steps != patterns * per || w0.len() != n_in * n_hid || w_fnv.len() != steps {
        return Err(format!(
            "inconsistent sizes: {steps} steps, {patterns} patterns of {per}, w0 {}",
            w0.len()
        ));
    }
    let ends = w_end.len() / (n_in * n_hid);

    let mut st = HeapStorage::new(n_in, n_hid, hyper.win_len());
    st.weights_mut().copy_from_slice(&w0);
    let bufs = st.buffers();
    let mut model = Model::with_thresholds(hyper, bufs, &thr0).map_err(|e| e.to_string())?;
    let mut draws = RecordedDraws::new(&u);
    let mut worst = [0u32; 9];
    let mut mismatches = Vec::new();
    let mut post_spikes = 0u64;
    for p in 0..patterns {
        model.reset();
        let xp = &x[p * n_in..(p + 1) * n_in];
        for i in 0..per {
            let k = p * per + i;
            let tk = hyper.time(i);
            if t[k].to_bits() != tk.to_bits() {
                return Err(format!(
                    "step {k}: recorded t {} is not dt * {i} = {tk}",
                    t[k]
                ));
            }
            model
                .step(xp, tk, &mut draws, true)
                .map_err(|e| e.to_string())?;
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
                let same = match r {
                    Recorded::Full(r) => {
                        let r = &r[k * o.len()..(k + 1) * o.len()];
                        let same = bits_equal(o, r);
                        if !same {
                            worst[f] = worst[f].max(ulps(o, r));
                        }
                        same
                    }
                    Recorded::Digests(r) => digest(o) == r[k],
                };
                if !same && mismatches.len() < 10 {
                    mismatches.push(format!("step {k}: {} differs", FIELDS[f]));
                }
            }
            post_spikes += c.s().iter().filter(|s| **s != 0.0).count() as u64;
            if digest(model.weights()) != w_fnv[k] && mismatches.len() < 10 {
                mismatches.push(format!("step {k}: weights differ (digest)"));
            }
        }
        // The weights in full after this pattern, if recorded.
        let at = if ends == patterns {
            Some(p)
        } else if p == patterns - 1 && ends > 0 {
            Some(ends - 1)
        } else {
            None
        };
        if let Some(e) = at {
            let we = &w_end[e * n_in * n_hid..(e + 1) * n_in * n_hid];
            if !bits_equal(model.weights(), we) {
                mismatches.push(format!(
                    "pattern {p}: weights differ, max {} ulp",
                    ulps(model.weights(), we)
                ));
            }
        }
    }
    if draws.used() != steps * n_in {
        return Err(format!("{} draws used of {}", draws.used(), steps * n_in));
    }
    if !mismatches.is_empty() {
        let version = |k: &str| a.get(k).and_then(|v| v.string().ok());
        mismatches.push(format!(
            "recorded with jax {}, jaxlib {} (the replay follows jax 0.10.2, jaxlib 0.10.2 on x86-64 with FMA)",
            version("jax").unwrap_or_else(|| "?".into()),
            version("jaxlib").unwrap_or_else(|| "?".into())
        ));
        mismatches.push(format!(
            "worst ulp per fully recorded field: {:?}",
            FIELDS.iter().zip(worst).collect::<Vec<_>>()
        ));
    }
    Ok(Replay {
        steps,
        n_in,
        n_hid,
        post_spikes,
        hyper,
        mismatches,
    })
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut f: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "npz"))
        .collect();
    f.sort();
    f
}

#[test]
fn replays_match_ngclearn_bit_for_bit() {
    let user = std::env::var_os("WTAS_EVSTDP_DIR").map(PathBuf::from);
    let dir = user
        .clone()
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data"));
    let paths = files(&dir);
    assert!(!paths.is_empty(), "no .npz files in {}", dir.display());
    let mut failed = Vec::new();
    let mut done = Vec::new();
    for path in &paths {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        match replay(path) {
            Ok(r) if r.mismatches.is_empty() => {
                println!("fidelity: {name}: {} steps, bit-exact", r.steps);
                done.push(r);
            }
            Ok(r) => {
                println!("fidelity: {name}: {} steps, DIFFERS", r.steps);
                failed.push(format!("{name}: {:#?}", r.mismatches));
            }
            Err(e) => {
                println!("fidelity: {name}: cannot replay: {e}");
                failed.push(format!("{name}: {e}"));
            }
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
    if user.is_none() {
        // The committed set must see every difference it is there for.
        let e = Hyper::EXHIBIT;
        let has = |what: &str, f: &dyn Fn(&Replay) -> bool| {
            assert!(done.iter().any(f), "no committed trajectory with {what}");
        };
        has("dt 1", &|r| r.hyper.dt == 1.0);
        has("another tau_w and nu", &|r| {
            r.hyper.tau_w != e.tau_w && r.hyper.nu != e.nu
        });
        has("an lmbda whose f32 sum rounds differently", &|r| {
            let l = r.hyper.lmbda;
            ((1.0 + l) as f32).to_bits() != (1.0 + l as f32).to_bits()
        });
        has("the exhibit's 100 x 100 size", &|r| {
            r.n_in == 100
                && r.n_hid == 100
                && r.hyper
                    == Hyper {
                        steps: r.hyper.steps,
                        ..e
                    }
        });
        has("400 units", &|r| r.n_hid == 400);
        has("units % 8 == 1", &|r| r.n_hid % 8 == 1 && r.n_hid > 8);
        has("1 unit, more than 32 inputs", &|r| {
            r.n_hid == 1 && r.n_in > 32
        });
        has("2 units", &|r| r.n_hid == 2 && r.n_in >= 3);
        has("flushed subnormals (tau_w near 1/87)", &|r| {
            r.hyper.tau_w < 0.012
        });
        has("presyn_win_len 0", &|r| r.hyper.presyn_win_len == 0.0);
        has("A+ and A- other than 1", &|r| {
            r.hyper.a_plus != 1.0 && r.hyper.a_minus != 1.0
        });
        has("w_bound inside the initial weights' range", &|r| {
            r.hyper.w_bound < 0.8
        });
        for r in &done {
            assert!(r.post_spikes > 0, "a trajectory without learning");
        }
    }
}
