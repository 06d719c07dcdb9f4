//! The crate's one error type.
#![forbid(unsafe_code)]

use core::fmt;

/// A buffer named in a length error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Buffer {
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
    /// The output slice of a kernel building block.
    Out,
    /// One slice holding all six state buffers
    /// ([`Buffers::from_slice`](crate::Buffers::from_slice)).
    All,
}

impl Buffer {
    /// The buffer's name as the reference spells it.
    pub const fn name(self) -> &'static str {
        match self {
            Buffer::J => "j",
            Buffer::V => "v",
            Buffer::S => "s",
            Buffer::Thr => "thr",
            Buffer::Rfr => "rfr",
            Buffer::Tols => "tols",
            Buffer::Threshold0 => "threshold0",
            Buffer::Out => "out",
            Buffer::All => "state (all six buffers)",
        }
    }
}

/// Everything that can go wrong, as a small `Copy` value.
///
/// Every fallible call in this crate checks its arguments before it writes
/// anything, so an `Err` always leaves every buffer as it was.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Error {
    /// `n_units` is 0.
    NUnits,
    /// `batch_size` is 0.
    BatchSize,
    /// `n_units × batch_size` does not fit in `usize`.
    Size,
    /// `tau_m` is not finite and > 0.
    TauM,
    /// `resist_m` is not finite.
    ResistM,
    /// `thr_base` is not finite.
    ThrBase,
    /// `thr_gain` is not finite.
    ThrGain,
    /// `refract_time` is not finite and ≥ 0.
    RefractTime,
    /// `thr_jitter` is not finite and ≥ 0.
    ThrJitter,
    /// A buffer has the wrong number of elements.
    Length {
        /// Which buffer.
        buffer: Buffer,
        /// The length it must have.
        expected: usize,
        /// The length it has.
        found: usize,
    },
    /// An initial threshold handed to [`Cell::new`](crate::Cell::new) is
    /// NaN: a unit that could never fire. (A NaN the step itself writes is
    /// state like any other, and [`Cell::resume`](crate::Cell::resume)
    /// accepts it.)
    ThresholdNan,
    /// The requested backend cannot run on this CPU.
    BackendUnavailable,
    /// The time `t` passed to `advance` is not finite.
    Time,
    /// The step `dt` passed to `advance` is not finite and > 0.
    Dt,
}

impl Error {
    /// What went wrong, in a few words and without the offending values.
    ///
    /// This is where every message is written: `Display` starts with it,
    /// and the C ABI's `wtas_strerror` returns it for the matching status
    /// code.
    ///
    /// ```
    /// assert_eq!(wtas::Error::NUnits.message(), "n_units must be at least 1");
    /// ```
    pub const fn message(&self) -> &'static str {
        match self {
            Error::NUnits => "n_units must be at least 1",
            Error::BatchSize => "batch_size must be at least 1",
            Error::Size => "n_units * batch_size is too large for the address space",
            Error::TauM => "tau_m must be finite and > 0",
            Error::ResistM => "resist_m must be finite",
            Error::ThrBase => "thr_base must be finite",
            Error::ThrGain => "thr_gain must be finite",
            Error::RefractTime => "refract_time must be finite and >= 0",
            Error::ThrJitter => "thr_jitter must be finite and >= 0",
            Error::Length { .. } => "a buffer has the wrong number of elements",
            Error::ThresholdNan => "a threshold is NaN",
            Error::BackendUnavailable => "backend not available on this CPU",
            Error::Time => "t must be finite",
            Error::Dt => "dt must be finite and > 0",
        }
    }
}

/// [`Error::message`], then the details a variant carries.
impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())?;
        match self {
            Error::Length {
                buffer,
                expected,
                found,
            } => write!(
                f,
                ": `{}` has {found} elements, expected {expected}",
                buffer.name()
            ),
            _ => Ok(()),
        }
    }
}

impl core::error::Error for Error {}

/// Checks that `buffer` has exactly `expected` elements.
pub(crate) fn check_len(buffer: Buffer, expected: usize, found: usize) -> Result<(), Error> {
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
