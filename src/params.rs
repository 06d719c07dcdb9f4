//! Hyperparameters: [`Config`] as written by the caller, [`Params`] once validated.
#![forbid(unsafe_code)]

use core::num::NonZeroUsize;

use crate::Error;

/// The reference's hyperparameters, as the caller writes them.
///
/// Field names follow ngclearn's `WTASCell(name, n_units, tau_m, resist_m,
/// thr_base, thr_gain, refract_time, thr_jitter)`, plus the `batch_size` of
/// its compartments. Nothing is checked until [`Config::validate`] (or
/// [`Params::try_new`]) turns it into [`Params`].
///
/// ```
/// use wtas::Config;
///
/// let params = Config { batch_size: 4, refract_time: 2.0, ..Config::new(64, 10.0) }
///     .validate()
///     .unwrap();
/// assert_eq!(params.len(), 256);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[repr(C)]
pub struct Config {
    /// Units per batch row (the population size). At least 1.
    pub n_units: usize,
    /// Batch rows. At least 1.
    pub batch_size: usize,
    /// Membrane time constant. Finite and > 0.
    ///
    /// Kept and validated, but, exactly as in the reference, never used by
    /// the dynamics: the voltage is `j * resist_m` with no integration.
    pub tau_m: f32,
    /// Membrane resistance: `v = j * resist_m`. Finite; any sign.
    pub resist_m: f32,
    /// Centre of the initial thresholds. Finite.
    pub thr_base: f32,
    /// Threshold change per step and per spike beyond one. Finite.
    pub thr_gain: f32,
    /// Refractory period: a unit is masked while `rfr < refract_time`.
    /// Finite and ≥ 0.
    pub refract_time: f32,
    /// Half-width of the uniform jitter of the initial thresholds. Finite and ≥ 0.
    pub thr_jitter: f32,
}

impl Config {
    /// The reference's defaults for a population of `n_units` and a given
    /// `tau_m`: `batch_size = 1`, `resist_m = 1`, `thr_base = 0.4`,
    /// `thr_gain = 0.002`, `refract_time = 0`, `thr_jitter = 0.05`.
    pub const fn new(n_units: usize, tau_m: f32) -> Self {
        Config {
            n_units,
            batch_size: 1,
            tau_m,
            resist_m: 1.0,
            thr_base: 0.4,
            thr_gain: 0.002,
            refract_time: 0.0,
            thr_jitter: 0.05,
        }
    }

    /// Checks every field, in declaration order, and returns the first
    /// failure as the [`Error`] variant named after the field.
    ///
    /// # Errors
    /// The variant named after the first field that breaks its rule.
    ///
    /// ```
    /// use wtas::{Config, Error};
    ///
    /// assert_eq!(Config::new(0, 10.0).validate(), Err(Error::NUnits));
    /// assert_eq!(Config { resist_m: f32::NAN, ..Config::new(8, 10.0) }.validate(), Err(Error::ResistM));
    /// assert_eq!(Config { refract_time: -1.0, ..Config::new(8, 10.0) }.validate(), Err(Error::RefractTime));
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
    /// let huge = Config { batch_size: usize::MAX, ..Config::new(2, 10.0) };
    /// assert_eq!(Params::try_new(huge), Err(Error::Size));
    /// assert_eq!(Params::try_new(Config::new(2, 0.0)), Err(Error::TauM));
    /// ```
    pub fn try_new(config: Config) -> Result<Self, Error> {
        let n_units = NonZeroUsize::new(config.n_units).ok_or(Error::NUnits)?;
        let batch_size = NonZeroUsize::new(config.batch_size).ok_or(Error::BatchSize)?;
        let len = n_units.checked_mul(batch_size).ok_or(Error::Size)?.get();
        let finite = |x: f32, e| if x.is_finite() { Ok(()) } else { Err(e) };
        let non_negative = |x: f32, e| {
            if x.is_finite() && x >= 0.0 {
                Ok(())
            } else {
                Err(e)
            }
        };
        if !(config.tau_m.is_finite() && config.tau_m > 0.0) {
            return Err(Error::TauM);
        }
        finite(config.resist_m, Error::ResistM)?;
        finite(config.thr_base, Error::ThrBase)?;
        finite(config.thr_gain, Error::ThrGain)?;
        non_negative(config.refract_time, Error::RefractTime)?;
        non_negative(config.thr_jitter, Error::ThrJitter)?;
        Ok(Params {
            n_units,
            batch_size,
            len,
            config,
        })
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
