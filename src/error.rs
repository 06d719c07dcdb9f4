//! The crate's one error type.
#![forbid(unsafe_code)]

use core::fmt;
use core::hash::{Hash, Hasher};
use core::mem::{Discriminant, discriminant};

/// A buffer named in a length error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum BufferName {
    /// Input current `j`.
    J,
    /// Membrane voltage `v`.
    V,
    /// Spikes `s`.
    S,
    /// Adaptive thresholds `thr`.
    Thr,
    /// Refractory timers `rfr`.
    Rfr,
    /// Times of last spike `tols`.
    Tols,
    /// Initial thresholds `threshold0` (one row of `n_units`).
    Threshold0,
    /// The input slice of a kernel building block.
    In,
    /// The output slice of a kernel building block.
    Out,
    /// One slice holding all six state buffers
    /// ([`Buffers::from_slice`](crate::Buffers::from_slice)).
    All,
}

impl BufferName {
    /// The six state buffers, in the order every part of the crate lists
    /// them ([`Buffers`](crate::Buffers), snapshots, the C ABI).
    pub const STATE: [BufferName; 6] = [
        BufferName::J,
        BufferName::V,
        BufferName::S,
        BufferName::Thr,
        BufferName::Rfr,
        BufferName::Tols,
    ];

    /// The buffer's name as the reference spells it.
    pub const fn name(self) -> &'static str {
        match self {
            BufferName::J => "j",
            BufferName::V => "v",
            BufferName::S => "s",
            BufferName::Thr => "thr",
            BufferName::Rfr => "rfr",
            BufferName::Tols => "tols",
            BufferName::Threshold0 => "threshold0",
            BufferName::In => "x",
            BufferName::Out => "out",
            BufferName::All => "state (all six buffers)",
        }
    }
}

/// Everything that can go wrong, as a small `Copy` value.
///
/// Every fallible call in this crate checks its arguments before it writes
/// anything, so an `Err` always leaves every buffer as it was.
///
/// A variant for a bad hyperparameter, `t` or `dt` carries the value that
/// was refused, and `Display` prints it:
///
/// ```
/// use wtas::{Config, Error};
///
/// let err = Config { tau_m: f32::NAN, ..Config::new(8) }.validate().unwrap_err();
/// assert!(matches!(err, Error::TauM { value } if value.is_nan()));
/// assert_eq!(err.to_string(), "tau_m must be finite and > 0, got NaN");
/// assert_eq!(err.message(), "tau_m must be finite and > 0"); // the static text
/// assert_eq!(err.value().map(f32::is_nan), Some(true));
/// ```
///
/// Equality and hashing compare those values by their bits, so that
/// `PartialEq` stays an equivalence (and `Eq` and `Hash` hold): an error
/// carrying a NaN equals itself (any NaN bits, as the check saw them), and
/// `-0.0` and `+0.0` are different values.
///
/// ```
/// use wtas::Error;
///
/// assert_eq!(Error::Dt { value: f32::NAN }, Error::Dt { value: f32::NAN });
/// assert_ne!(Error::Dt { value: 0.0 }, Error::Dt { value: -0.0 });
/// assert_ne!(Error::Dt { value: 0.0 }, Error::Time { value: 0.0 });
/// ```
#[derive(Clone, Copy, Debug)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Error {
    /// `n_units` is 0.
    NUnits,
    /// `batch_size` is 0.
    BatchSize,
    /// `n_units × batch_size` does not fit in `usize` (or, from
    /// [`Buffers::from_slice`](crate::Buffers::from_slice), `6 × len`).
    /// It carries no values: both factors are the caller's own.
    Size,
    /// `tau_m` is not finite and > 0.
    TauM {
        /// The `tau_m` refused.
        value: f32,
    },
    /// `resist_m` is not finite.
    ResistM {
        /// The `resist_m` refused.
        value: f32,
    },
    /// `thr_base` is not finite.
    ThrBase {
        /// The `thr_base` refused.
        value: f32,
    },
    /// `thr_gain` is not finite.
    ThrGain {
        /// The `thr_gain` refused.
        value: f32,
    },
    /// `refract_time` is not finite and ≥ 0.
    RefractTime {
        /// The `refract_time` refused.
        value: f32,
    },
    /// `thr_jitter` is not finite and ≥ 0.
    ThrJitter {
        /// The `thr_jitter` refused.
        value: f32,
    },
    /// A buffer has the wrong number of elements.
    ///
    /// Buffers are checked one at a time, and only the first wrong one is
    /// named: `threshold0` first where there is one, then `j`, `v`, `s`,
    /// `thr`, `rfr`, `tols`. Others may be wrong too.
    Length {
        /// Which buffer.
        buffer: BufferName,
        /// The length it must have.
        expected: usize,
        /// The length it has.
        found: usize,
    },
    /// An initial threshold handed to
    /// [`Cell::with_thresholds`](crate::Cell::with_thresholds) is NaN: a
    /// unit that could never fire. (A NaN the step itself writes is state
    /// like any other, and [`Cell::resume`](crate::Cell::resume) accepts
    /// it.)
    ThresholdNan,
    /// The requested backend cannot run on this CPU.
    BackendUnavailable,
    /// The time `t` passed to `advance` (or a [`Clock`](crate::Clock)'s
    /// start) is not finite.
    Time {
        /// The `t` refused.
        value: f32,
    },
    /// The step `dt` passed to `advance` (or to a [`Clock`](crate::Clock))
    /// is not finite and > 0.
    Dt {
        /// The `dt` refused.
        value: f32,
    },
}

impl Error {
    /// What went wrong, in a few words and without the offending values.
    ///
    /// This is where every message is written: `Display` starts with it,
    /// then names the values the variant carries, and the C ABI's
    /// `wtas_strerror` returns it for the matching status code.
    ///
    /// ```
    /// use wtas::Error;
    ///
    /// assert_eq!(Error::NUnits.message(), "n_units must be at least 1");
    /// assert_eq!(Error::Dt { value: -1.0 }.message(), "dt must be finite and > 0");
    /// ```
    pub const fn message(&self) -> &'static str {
        match self {
            Error::NUnits => "n_units must be at least 1",
            Error::BatchSize => "batch_size must be at least 1",
            Error::Size => "n_units * batch_size is too large for the address space",
            Error::TauM { .. } => "tau_m must be finite and > 0",
            Error::ResistM { .. } => "resist_m must be finite",
            Error::ThrBase { .. } => "thr_base must be finite",
            Error::ThrGain { .. } => "thr_gain must be finite",
            Error::RefractTime { .. } => "refract_time must be finite and >= 0",
            Error::ThrJitter { .. } => "thr_jitter must be finite and >= 0",
            Error::Length { .. } => "a buffer has the wrong number of elements",
            Error::ThresholdNan => "a threshold is NaN",
            Error::BackendUnavailable => "backend not available on this CPU",
            Error::Time { .. } => "t must be finite",
            Error::Dt { .. } => "dt must be finite and > 0",
        }
    }

    /// The refused value a bad hyperparameter, `t` or `dt` carries;
    /// `None` for the other variants.
    ///
    /// ```
    /// use wtas::{Config, Error};
    ///
    /// let err = Config { refract_time: -2.0, ..Config::new(4) }.validate().unwrap_err();
    /// assert_eq!(err, Error::RefractTime { value: -2.0 });
    /// assert_eq!(err.value(), Some(-2.0));
    /// assert_eq!(Error::NUnits.value(), None);
    /// ```
    pub const fn value(&self) -> Option<f32> {
        match *self {
            Error::TauM { value }
            | Error::ResistM { value }
            | Error::ThrBase { value }
            | Error::ThrGain { value }
            | Error::RefractTime { value }
            | Error::ThrJitter { value }
            | Error::Time { value }
            | Error::Dt { value } => Some(value),
            Error::NUnits
            | Error::BatchSize
            | Error::Size
            | Error::Length { .. }
            | Error::ThresholdNan
            | Error::BackendUnavailable => None,
        }
    }

    /// The variant and its fields as integers, a float by its bits: what
    /// equality and hashing compare.
    fn key(&self) -> Key {
        let length = match *self {
            Error::Length {
                buffer,
                expected,
                found,
            } => Some((buffer, expected, found)),
            _ => None,
        };
        (discriminant(self), self.value().map(f32::to_bits), length)
    }
}

/// An [`Error`] as the variant, the bits of a carried `f32`, and the fields
/// of [`Error::Length`]: all `Eq` and `Hash`.
type Key = (
    Discriminant<Error>,
    Option<u32>,
    Option<(BufferName, usize, usize)>,
);

/// By variant and fields, a carried `f32` by its bits (see [`Error`]).
impl PartialEq for Error {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl Eq for Error {}

/// Consistent with `PartialEq`: a carried `f32` is hashed by its bits.
impl Hash for Error {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key().hash(state);
    }
}

/// [`Error::message`], then the values the variant carries: `", got "`
/// and the refused value (printed as `{:?}` prints an `f32`: `NaN`, `inf`,
/// `-1.0`, `1e-40`), or for [`Error::Length`] the buffer and its lengths.
///
/// ```
/// use wtas::{BufferName, Error};
///
/// assert_eq!(Error::Time { value: f32::INFINITY }.to_string(), "t must be finite, got inf");
/// assert_eq!(Error::NUnits.to_string(), "n_units must be at least 1, got 0");
/// assert_eq!(
///     Error::Length { buffer: BufferName::Thr, expected: 8, found: 7 }.to_string(),
///     "a buffer has the wrong number of elements: `thr` has 7 elements, expected 8"
/// );
/// ```
impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())?;
        match *self {
            Error::Length {
                buffer,
                expected,
                found,
            } => write!(
                f,
                ": `{}` has {found} elements, expected {expected}",
                buffer.name()
            ),
            // The only value these refuse.
            Error::NUnits | Error::BatchSize => f.write_str(", got 0"),
            _ => match self.value() {
                Some(value) => write!(f, ", got {value:?}"),
                None => Ok(()),
            },
        }
    }
}

impl core::error::Error for Error {}

/// Checks that `buffer` has exactly `expected` elements.
pub(crate) fn check_len(buffer: BufferName, expected: usize, found: usize) -> Result<(), Error> {
    if expected == found {
        Ok(())
    } else {
        Err(Error::Length {
            buffer,
            expected,
            found,
        })
    }
}
