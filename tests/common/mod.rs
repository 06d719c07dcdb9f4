//! Shared test support: small configurations, reading the reference's
//! recorded trajectories, the cell's buffers where one slice does not fit,
//! and the generator.
#![allow(dead_code)]

pub mod buffers;
#[cfg(feature = "ffi")]
pub mod c_abi;
pub mod rng;

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use wtas::{Config, Params};

/// `Config::new(n_units)` with the changes `set` makes, validated.
pub fn params(n_units: usize, set: impl FnOnce(&mut Config)) -> Params {
    let mut config = Config::new(n_units);
    set(&mut config);
    config.validate().unwrap()
}

/// `batch_size` rows of `n_units` with a refractory time and a threshold
/// gain, so that a few steps exercise both.
pub fn stepping_config(n_units: usize, batch_size: usize) -> Config {
    Config {
        batch_size,
        refract_time: 1.0,
        thr_gain: 0.01,
        ..Config::new(n_units)
    }
}

/// One recorded trajectory (see `tests/golden/README.md`).
pub struct Trajectory {
    pub name: String,
    pub n_units: usize,
    pub batch_size: usize,
    pub resist_m: f32,
    pub thr_base: f32,
    pub thr_gain: f32,
    pub refract_time: f32,
    pub thr_jitter: f32,
    pub dt: f32,
    pub thr0: Vec<f32>,
    pub t: Vec<f32>,
    pub reset: Vec<bool>,
    pub j: Vec<f32>,
    pub v: Vec<f32>,
    pub s: Vec<f32>,
    pub thr: Vec<f32>,
    pub rfr: Vec<f32>,
    pub tols: Vec<f32>,
}

impl Trajectory {
    pub fn steps(&self) -> usize {
        self.t.len()
    }
    /// Elements per step: batch × units.
    pub fn len(&self) -> usize {
        self.n_units * self.batch_size
    }

    pub fn load(path: &Path) -> Result<Self, String> {
        let err = |e: &dyn std::fmt::Display| format!("{}: {e}", path.display());
        // An `.npz` is a zip archive of `.npy` files (stored, or deflated by
        // `np.savez_compressed`).
        let mut npz = zip::ZipArchive::new(BufReader::new(File::open(path).map_err(|e| err(&e))?))
            .map_err(|e| err(&e))?;
        fn arr<T: npyz::Deserialize>(
            npz: &mut zip::ZipArchive<BufReader<File>>,
            name: &str,
        ) -> Result<Vec<T>, String> {
            let entry = npz
                .by_name(&format!("{name}.npy"))
                .map_err(|e| format!("array `{name}`: {e}"))?;
            npyz::NpyFile::new(entry)
                .and_then(|f| f.into_vec())
                .map_err(|e| format!("{name}: {e}"))
        }
        let scalar_i =
            |npz: &mut _, name| -> Result<usize, String> { Ok(arr::<i64>(npz, name)?[0] as usize) };
        let scalar_f =
            |npz: &mut _, name| -> Result<f32, String> { Ok(arr::<f64>(npz, name)?[0] as f32) };
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let t = Trajectory {
            n_units: scalar_i(&mut npz, "n_units").map_err(|e| err(&e))?,
            batch_size: scalar_i(&mut npz, "batch_size").map_err(|e| err(&e))?,
            resist_m: scalar_f(&mut npz, "resist_m").map_err(|e| err(&e))?,
            thr_base: scalar_f(&mut npz, "thr_base").map_err(|e| err(&e))?,
            thr_gain: scalar_f(&mut npz, "thr_gain").map_err(|e| err(&e))?,
            refract_time: scalar_f(&mut npz, "refract_time").map_err(|e| err(&e))?,
            thr_jitter: scalar_f(&mut npz, "thr_jitter").map_err(|e| err(&e))?,
            dt: scalar_f(&mut npz, "dt").map_err(|e| err(&e))?,
            thr0: arr(&mut npz, "thr0").map_err(|e| err(&e))?,
            t: arr(&mut npz, "t").map_err(|e| err(&e))?,
            reset: arr(&mut npz, "reset").map_err(|e| err(&e))?,
            j: arr(&mut npz, "j").map_err(|e| err(&e))?,
            v: arr(&mut npz, "v").map_err(|e| err(&e))?,
            s: arr(&mut npz, "s").map_err(|e| err(&e))?,
            thr: arr(&mut npz, "thr").map_err(|e| err(&e))?,
            rfr: arr(&mut npz, "rfr").map_err(|e| err(&e))?,
            tols: arr(&mut npz, "tols").map_err(|e| err(&e))?,
            name,
        };
        let per_step = t.len() * t.steps();
        for (field, len) in [
            ("j", t.j.len()),
            ("v", t.v.len()),
            ("s", t.s.len()),
            ("thr", t.thr.len()),
            ("rfr", t.rfr.len()),
            ("tols", t.tols.len()),
        ] {
            if len != per_step {
                return Err(err(&format!(
                    "`{field}` has {len} values, expected {per_step}"
                )));
            }
        }
        if t.thr0.len() != t.n_units || t.reset.len() != t.steps() {
            return Err(err(&"`thr0` or `reset` has the wrong shape"));
        }
        Ok(t)
    }

    pub fn config(&self) -> wtas::Config {
        wtas::Config {
            n_units: self.n_units,
            batch_size: self.batch_size,
            tau_m: 1.0,
            resist_m: self.resist_m,
            thr_base: self.thr_base,
            thr_gain: self.thr_gain,
            refract_time: self.refract_time,
            thr_jitter: self.thr_jitter,
        }
    }
}

/// The checked-in trajectories (`tests/golden/` and the float-edge ones in
/// `tests/golden/edges/`), plus every `.npz` in `$WTAS_GOLDEN_DIR`.
pub fn golden_files() -> Vec<PathBuf> {
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut dirs = vec![golden.join(""), golden.join("edges"), golden.join("ties")];
    if let Some(extra) = std::env::var_os("WTAS_GOLDEN_DIR") {
        dirs.push(PathBuf::from(extra));
    }
    let mut files = Vec::new();
    for dir in dirs {
        let entries = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot read golden directory {}: {e}", dir.display()));
        let mut here: Vec<PathBuf> = entries
            .map(|e| e.expect("directory entry").path())
            .filter(|p| p.extension().is_some_and(|x| x == "npz"))
            .collect();
        here.sort();
        files.extend(here);
    }
    files
}

/// Bitwise equality, except that any NaN equals any NaN.
pub fn same(a: f32, b: f32) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}
