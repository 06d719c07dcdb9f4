//! Hyperparameters: [`Config`] as written by the caller, [`Params`] once validated.
#![forbid(unsafe_code)]

use core::num::NonZeroUsize;

use crate::Error;

/// The reference's hyperparameters, as the caller writes them; in C,
/// `wtas_config`.
///
/// Field names follow ngclearn's `WTASCell(name, n_units, tau_m, resist_m,
/// thr_base, thr_gain, refract_time, thr_jitter)`, plus the `batch_size` of
/// its compartments. Nothing is checked until it is validated (in C, fill
/// it with `wtas_config_default`, change fields as needed, then validate it
/// with `wtas_params_init`).
// Rust-only docs go through `cfg_attr(doc)`, which cbindgen does not
// read, so that the C header's comments stay C.
#[cfg_attr(
    doc,
    doc = r#"
[`Config::validate`] (or [`Params::try_new`]) turns it into [`Params`].

```
use wtas::Config;

let params = Config { batch_size: 4, refract_time: 2.0, ..Config::new(64) }
    .validate()
    .unwrap();
assert_eq!(params.len(), 256);
```
"#
)]
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[repr(C)]
pub struct Config {
    /// Units per batch row (the population size). At least 1.
    pub n_units: usize,
    /// Batch rows. At least 1.
    pub batch_size: usize,
    /// Membrane time constant. Finite and > 0. Kept and validated, but,
    /// exactly as in the reference, never used by the dynamics: the voltage
    /// is `j * resist_m` with no integration.
    #[cfg_attr(doc, doc = "\n[`Config::new`] sets it to [`Config::DEFAULT_TAU_M`].")]
    pub tau_m: f32,
    /// Membrane resistance: `v = j * resist_m`. Finite; any sign.
    pub resist_m: f32,
    /// Centre of the initial thresholds. Finite.
    pub thr_base: f32,
    /// Threshold change per step and per spike beyond one. Finite.
    pub thr_gain: f32,
    /// Refractory period: a unit is masked while `rfr < refract_time`.
    /// Finite and >= 0.
    pub refract_time: f32,
    /// Half-width of the uniform jitter of the initial thresholds. Finite
    /// and >= 0.
    pub thr_jitter: f32,
}

/// A named item and what it is (see [`describe`](crate::describe)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The name, as the reference spells it.
    pub name: &'static str,
    /// What it is.
    pub description: &'static str,
}

impl Entry {
    /// An entry named `name`.
    pub(crate) const fn new(name: &'static str, description: &'static str) -> Self {
        Entry { name, description }
    }
}

/// The hyperparameters as the reference's `WTASCell.help()` describes
/// them, in [`Config`]'s order ([`HELP`](crate::describe::HELP) lists them).
pub(crate) const HYPERPARAMETERS: &[Entry] = &[
    Entry::new("n_units", "Number of neuronal cells to model in this layer"),
    Entry::new(
        "batch_size",
        "Number of batch rows, each an independent population",
    ),
    Entry::new(
        "tau_m",
        "Cell membrane time constant (kept, unused by the dynamics)",
    ),
    Entry::new("resist_m", "Membrane resistance value"),
    Entry::new("thr_base", "Base voltage threshold value"),
    Entry::new(
        "thr_gain",
        "Amount to increment threshold by upon occurrence of spike",
    ),
    Entry::new("refract_time", "Length of relative refractory period"),
    Entry::new(
        "thr_jitter",
        "Scale of random uniform noise to apply to initial condition of threshold",
    ),
];

impl Config {
    /// The tau_m of the default configuration: 10.
    #[cfg_attr(
        doc,
        doc = r#"
The reference has no default for `tau_m`: `WTASCell(name, n_units,
tau_m, ...)` requires it. It also never reads it (see
[`Config::tau_m`]), so every finite value > 0 gives the same bits.
10 is the value this crate's examples, tests and benchmarks passed
when it was a required argument, and the one the comparison with
ngclearn gives the reference (`benches/compare_ngclearn.py`), so a
`Config::new(n_units)` equals the configurations written before.
Set the field to carry another model's value through
[`Params::tau_m`].
"#
    )]
    pub const DEFAULT_TAU_M: f32 = 10.0;

    /// The reference's defaults for a population of `n_units`:
    /// `batch_size = 1`, `tau_m = `[`Config::DEFAULT_TAU_M`], `resist_m = 1`,
    /// `thr_base = 0.4`, `thr_gain = 0.002`, `refract_time = 0`,
    /// `thr_jitter = 0.05`.
    ///
    /// Nothing is checked here: `n_units = 0` is refused by
    /// [`Config::validate`].
    ///
    /// ```
    /// use wtas::{Config, Error};
    ///
    /// let config = Config::new(8);
    /// assert_eq!(config.tau_m, Config::DEFAULT_TAU_M);
    /// let evstdp = Config { tau_m: 100.0, ..Config::new(8) };
    /// assert_eq!(evstdp.validate()?.tau_m(), 100.0);
    /// assert_eq!(Config::new(0).validate(), Err(Error::NUnits));
    /// # Ok::<(), wtas::Error>(())
    /// ```
    pub const fn new(n_units: usize) -> Self {
        Config {
            n_units,
            batch_size: 1,
            tau_m: Config::DEFAULT_TAU_M,
            resist_m: 1.0,
            thr_base: 0.4,
            thr_gain: 0.002,
            refract_time: 0.0,
            thr_jitter: 0.05,
        }
    }

    /// Every field as 64-bit words, in declaration order: each size a
    /// word, the floats' bits two to a word. What the C ABI's handle
    /// checksums cover. Field for field, so that a field added to `Config`
    /// fails to compile here until listed.
    #[cfg(feature = "ffi")]
    pub(crate) fn words(&self) -> [u64; 5] {
        let Config {
            n_units,
            batch_size,
            tau_m,
            resist_m,
            thr_base,
            thr_gain,
            refract_time,
            thr_jitter,
        } = *self;
        let pair = |lo: f32, hi: f32| u64::from(lo.to_bits()) | u64::from(hi.to_bits()) << 32;
        [
            n_units as u64,
            batch_size as u64,
            pair(tau_m, resist_m),
            pair(thr_base, thr_gain),
            pair(refract_time, thr_jitter),
        ]
    }

    /// Checks every field, in declaration order, and returns the first
    /// failure as the [`Error`] variant named after the field.
    ///
    /// # Errors
    /// The variant named after the first field that breaks its rule;
    /// for a float field it carries the refused value.
    ///
    /// ```
    /// use wtas::{Config, Error};
    ///
    /// assert_eq!(Config::new(0).validate(), Err(Error::NUnits));
    /// let nan = Config { resist_m: f32::NAN, ..Config::new(8) }.validate();
    /// assert_eq!(nan, Err(Error::ResistM { value: f32::NAN }));
    /// let negative = Config { refract_time: -1.0, ..Config::new(8) }.validate();
    /// assert_eq!(negative, Err(Error::RefractTime { value: -1.0 }));
    /// assert_eq!(
    ///     negative.unwrap_err().to_string(),
    ///     "refract_time must be finite and >= 0, got -1.0"
    /// );
    /// ```
    pub fn validate(self) -> Result<Params, Error> {
        Params::try_new(self)
    }
}

/// Validated hyperparameters. `Copy`, immutable, and cheap to pass around.
///
/// Holding a `Params` proves every field passed [`Config::validate`].
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "Config", into = "Config")
)]
pub struct Params {
    n_units: NonZeroUsize,
    batch_size: NonZeroUsize,
    len: usize,
    config: Config,
}

impl Params {
    /// Validates `config`. See [`Config`] for each field's rule.
    ///
    /// # Errors
    /// As [`Config::validate`].
    ///
    /// ```
    /// use wtas::{Config, Error, Params};
    ///
    /// let huge = Config { batch_size: usize::MAX, ..Config::new(2) };
    /// assert_eq!(Params::try_new(huge), Err(Error::Size));
    /// let zero = Config { tau_m: 0.0, ..Config::new(2) };
    /// assert_eq!(Params::try_new(zero), Err(Error::TauM { value: 0.0 }));
    /// assert_eq!(Params::try_from(zero), Err(Error::TauM { value: 0.0 }));
    /// ```
    #[inline]
    pub fn try_new(config: Config) -> Result<Self, Error> {
        let params = Self::sized(config)?;
        // Each rule, with the variant that carries the refused value.
        let finite = |value: f32, e: fn(f32) -> Error| {
            if value.is_finite() {
                Ok(())
            } else {
                Err(e(value))
            }
        };
        let non_negative = |value: f32, e: fn(f32) -> Error| {
            if value.is_finite() && value >= 0.0 {
                Ok(())
            } else {
                Err(e(value))
            }
        };
        let tau_m = config.tau_m;
        if !(tau_m.is_finite() && tau_m > 0.0) {
            return Err(Error::TauM { value: tau_m });
        }
        finite(config.resist_m, |value| Error::ResistM { value })?;
        finite(config.thr_base, |value| Error::ThrBase { value })?;
        finite(config.thr_gain, |value| Error::ThrGain { value })?;
        non_negative(config.refract_time, |value| Error::RefractTime { value })?;
        non_negative(config.thr_jitter, |value| Error::ThrJitter { value })?;
        Ok(params)
    }

    /// `config`'s parameters after the rules on its sizes alone (`n_units`,
    /// `batch_size`, their product), which the buffers' lengths rest on.
    #[inline]
    fn sized(config: Config) -> Result<Self, Error> {
        let n_units = NonZeroUsize::new(config.n_units).ok_or(Error::NUnits)?;
        let batch_size = NonZeroUsize::new(config.batch_size).ok_or(Error::BatchSize)?;
        let len = n_units.checked_mul(batch_size).ok_or(Error::Size)?.get();
        Ok(Params {
            n_units,
            batch_size,
            len,
            config,
        })
    }

    /// `config`'s parameters without its float rules, for a configuration
    /// known to have passed them: the C ABI's handles, whose checksum says
    /// their configuration is the one validated when they were made (the
    /// integer fields are still checked, since the lengths rest on them).
    #[inline]
    #[cfg(feature = "ffi")]
    pub(crate) fn revalidated_sizes(config: Config) -> Option<Self> {
        Self::sized(config).ok()
    }

    /// The configuration these parameters were validated from.
    pub const fn config(&self) -> Config {
        self.config
    }
    /// Units per batch row.
    pub const fn n_units(&self) -> usize {
        self.n_units.get()
    }
    /// Units per batch row, as the non-zero value it is.
    pub(crate) const fn n_units_nonzero(&self) -> NonZeroUsize {
        self.n_units
    }
    /// Batch rows.
    pub const fn batch_size(&self) -> usize {
        self.batch_size.get()
    }
    /// Elements in every state buffer: `batch_size × n_units`.
    #[allow(clippy::len_without_is_empty)] // never empty: both factors are ≥ 1
    pub const fn len(&self) -> usize {
        self.len
    }
    /// Which of the reference's softmax codes this shape runs: XLA's own
    /// below 4,096 elements (`batch_size × n_units`), YNNPACK's from there
    /// on. The cell reproduces the one its shape gets.
    pub const fn softmax_path(&self) -> crate::kernels::SoftmaxPath {
        crate::kernels::SoftmaxPath::for_shape(self.batch_size(), self.n_units())
    }
    /// The inputs of one step at time `t` with step `dt`: what the
    /// specification's step ([`spec::step_row`](crate::kernels::spec::step_row))
    /// reads besides the state, as [`Cell::advance`](crate::Cell::advance)
    /// gives them to the kernels.
    ///
    /// ```
    /// use wtas::Config;
    ///
    /// let params = Config { resist_m: 2.0, ..Config::new(8) }.validate()?;
    /// let inputs = params.step_inputs(3.0, 1.0);
    /// assert_eq!((inputs.resist_m, inputs.t, inputs.dt), (2.0, 3.0, 1.0));
    /// # Ok::<(), wtas::Error>(())
    /// ```
    pub const fn step_inputs(&self, t: f32, dt: f32) -> crate::kernels::spec::StepInputs {
        crate::kernels::spec::StepInputs {
            resist_m: self.resist_m(),
            refract_time: self.refract_time(),
            thr_gain: self.thr_gain(),
            t,
            dt,
            path: self.softmax_path(),
        }
    }
    /// Membrane time constant (validated, unused by the dynamics, as in the reference).
    pub const fn tau_m(&self) -> f32 {
        self.config.tau_m
    }
    /// Membrane resistance.
    pub const fn resist_m(&self) -> f32 {
        self.config.resist_m
    }
    /// Centre of the initial thresholds.
    pub const fn thr_base(&self) -> f32 {
        self.config.thr_base
    }
    /// Threshold gain.
    pub const fn thr_gain(&self) -> f32 {
        self.config.thr_gain
    }
    /// Refractory period.
    pub const fn refract_time(&self) -> f32 {
        self.config.refract_time
    }
    /// Half-width of the initial threshold jitter.
    pub const fn thr_jitter(&self) -> f32 {
        self.config.thr_jitter
    }
}

impl TryFrom<Config> for Params {
    type Error = Error;
    fn try_from(config: Config) -> Result<Self, Error> {
        Params::try_new(config)
    }
}

/// [`Params::config`].
impl From<Params> for Config {
    fn from(params: Params) -> Self {
        params.config
    }
}
