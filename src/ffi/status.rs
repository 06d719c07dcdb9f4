//! Status codes, their one message each, and the panic guard.

use core::ffi::{CStr, c_char, c_int};

use crate::{BufferName, Error};

/// A status code: `WTAS_OK` (0) or the reason a call did nothing.
///
/// `wtas_strerror` gives a static message for each.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[must_use]
pub enum wtas_status {
    /// Success.
    WTAS_OK = 0,
    /// A pointer argument is NULL.
    WTAS_ERR_NULL = 1,
    /// A pointer is not aligned for its type (4 bytes for `float`).
    WTAS_ERR_ALIGN = 2,
    /// A `wtas_params` or `wtas_cell` was not written by `wtas_params_init`
    /// / `wtas_cell_bind`, or one of its fields has been changed since.
    /// See `wtas_params` for exactly what is detected.
    WTAS_ERR_HANDLE = 3,
    /// A buffer has the wrong number of elements (or would end beyond the
    /// address space).
    WTAS_ERR_LENGTH = 4,
    /// Two buffers that must be disjoint overlap (or are the same buffer).
    WTAS_ERR_ALIAS = 5,
    /// `n_units` is 0.
    WTAS_ERR_N_UNITS = 6,
    /// `batch_size` is 0.
    WTAS_ERR_BATCH_SIZE = 7,
    /// `n_units * batch_size * sizeof(float)` does not fit in the address
    /// space.
    WTAS_ERR_SIZE = 8,
    /// `tau_m` is not finite and > 0.
    WTAS_ERR_TAU_M = 9,
    /// `resist_m` is not finite.
    WTAS_ERR_RESIST_M = 10,
    /// `thr_base` is not finite.
    WTAS_ERR_THR_BASE = 11,
    /// `thr_gain` is not finite.
    WTAS_ERR_THR_GAIN = 12,
    /// `refract_time` is not finite and >= 0.
    WTAS_ERR_REFRACT_TIME = 13,
    /// `thr_jitter` is not finite and >= 0.
    WTAS_ERR_THR_JITTER = 14,
    /// An injected initial threshold is NaN.
    WTAS_ERR_THRESHOLD_NAN = 15,
    /// The time `t` is not finite.
    WTAS_ERR_TIME = 16,
    /// The step `dt` is not finite and > 0.
    WTAS_ERR_DT = 17,
    /// Internal error: a Rust panic was caught at the boundary. Please report it.
    WTAS_ERR_PANIC = 18,
}

use wtas_status::*;

/// Every status, in code order: `ALL[i] as c_int == i`.
pub(super) const ALL: [wtas_status; 19] = [
    WTAS_OK,
    WTAS_ERR_NULL,
    WTAS_ERR_ALIGN,
    WTAS_ERR_HANDLE,
    WTAS_ERR_LENGTH,
    WTAS_ERR_ALIAS,
    WTAS_ERR_N_UNITS,
    WTAS_ERR_BATCH_SIZE,
    WTAS_ERR_SIZE,
    WTAS_ERR_TAU_M,
    WTAS_ERR_RESIST_M,
    WTAS_ERR_THR_BASE,
    WTAS_ERR_THR_GAIN,
    WTAS_ERR_REFRACT_TIME,
    WTAS_ERR_THR_JITTER,
    WTAS_ERR_THRESHOLD_NAN,
    WTAS_ERR_TIME,
    WTAS_ERR_DT,
    WTAS_ERR_PANIC,
];

/// The one mapping from the crate's [`Error`] to a status code.
pub fn status_of(e: Error) -> wtas_status {
    match e {
        Error::NUnits => WTAS_ERR_N_UNITS,
        Error::BatchSize => WTAS_ERR_BATCH_SIZE,
        Error::Size => WTAS_ERR_SIZE,
        Error::TauM { .. } => WTAS_ERR_TAU_M,
        Error::ResistM { .. } => WTAS_ERR_RESIST_M,
        Error::ThrBase { .. } => WTAS_ERR_THR_BASE,
        Error::ThrGain { .. } => WTAS_ERR_THR_GAIN,
        Error::RefractTime { .. } => WTAS_ERR_REFRACT_TIME,
        Error::ThrJitter { .. } => WTAS_ERR_THR_JITTER,
        Error::Length { .. } => WTAS_ERR_LENGTH,
        Error::ThresholdNan => WTAS_ERR_THRESHOLD_NAN,
        // Choosing a backend has no C entry point: this error cannot reach
        // the C side, and would be an internal error if it did.
        Error::BackendUnavailable => WTAS_ERR_PANIC,
        Error::Time { .. } => WTAS_ERR_TIME,
        Error::Dt { .. } => WTAS_ERR_DT,
    }
}

impl From<Error> for wtas_status {
    fn from(e: Error) -> Self {
        status_of(e)
    }
}

/// `s` and a terminating NUL in an array of exactly `N = s.len() + 1`
/// bytes (any other `N` gives a string that fails the `CStr` check below).
const fn with_nul<const N: usize>(s: &str) -> [u8; N] {
    let mut out = [0_u8; N];
    if let Some((head, _)) = out.split_at_mut_checked(s.len()) {
        head.copy_from_slice(s.as_bytes());
    }
    out
}

/// [`Error::message`] of `$e` as a `&'static CStr`, built at compile time,
/// so the C messages are the Rust ones and not a second copy. The message
/// does not depend on a variant's fields, so any value stands in for them.
macro_rules! c_message {
    ($e:expr) => {{
        const MESSAGE: &str = $e.message();
        const BYTES: [u8; MESSAGE.len() + 1] = with_nul(MESSAGE);
        match CStr::from_bytes_with_nul(&BYTES) {
            Ok(c) => c,
            // Only if a message held a NUL; the tests check none does.
            Err(_) => c"(unprintable message)",
        }
    }};
}

impl wtas_status {
    /// The status's message. Where the status stands for an [`Error`], it
    /// is that error's [`Error::message`].
    pub const fn message(self) -> &'static CStr {
        match self {
            WTAS_OK => c"success",
            WTAS_ERR_NULL => c"null pointer argument",
            WTAS_ERR_ALIGN => c"pointer not aligned for its type",
            WTAS_ERR_HANDLE => c"wtas_params / wtas_cell not initialised, or changed since",
            WTAS_ERR_LENGTH => c_message!(Error::Length {
                buffer: BufferName::J,
                expected: 0,
                found: 0
            }),
            WTAS_ERR_ALIAS => c"buffers overlap",
            WTAS_ERR_N_UNITS => c_message!(Error::NUnits),
            WTAS_ERR_BATCH_SIZE => c_message!(Error::BatchSize),
            WTAS_ERR_SIZE => c_message!(Error::Size),
            WTAS_ERR_TAU_M => c_message!(Error::TauM { value: 0.0 }),
            WTAS_ERR_RESIST_M => c_message!(Error::ResistM { value: 0.0 }),
            WTAS_ERR_THR_BASE => c_message!(Error::ThrBase { value: 0.0 }),
            WTAS_ERR_THR_GAIN => c_message!(Error::ThrGain { value: 0.0 }),
            WTAS_ERR_REFRACT_TIME => c_message!(Error::RefractTime { value: 0.0 }),
            WTAS_ERR_THR_JITTER => c_message!(Error::ThrJitter { value: 0.0 }),
            WTAS_ERR_THRESHOLD_NAN => c_message!(Error::ThresholdNan),
            WTAS_ERR_TIME => c_message!(Error::Time { value: 0.0 }),
            WTAS_ERR_DT => c_message!(Error::Dt { value: 0.0 }),
            WTAS_ERR_PANIC => c"internal error: panic caught at the C boundary",
        }
    }
}

/// The message for codes that are not a `wtas_status`.
const UNKNOWN: &CStr = c"unknown wtas status code";

/// A static, NUL-terminated English message for a status code (a
/// `wtas_status` value as an `int`); unknown codes get
/// `"unknown wtas status code"`. Never NULL, never fails.
#[unsafe(no_mangle)]
pub extern "C" fn wtas_strerror(code: c_int) -> *const c_char {
    usize::try_from(code)
        .ok()
        .and_then(|i| ALL.get(i))
        .map_or(UNKNOWN, |s| s.message())
        .as_ptr()
}

/// Runs `f`, turning its result (and, with `std`, any panic) into a status.
#[inline]
pub(super) fn guard(f: impl FnOnce() -> Result<(), wtas_status>) -> wtas_status {
    #[cfg(feature = "std")]
    let r =
        std::panic::catch_unwind(core::panic::AssertUnwindSafe(f)).unwrap_or(Err(WTAS_ERR_PANIC));
    #[cfg(not(feature = "std"))]
    let r = f();
    match r {
        Ok(()) => WTAS_OK,
        Err(e) => e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_indices_and_messages_are_distinct() {
        let unknown = wtas_strerror(-1);
        for (i, s) in ALL.iter().enumerate() {
            assert_eq!(*s as c_int, i as c_int);
            let m = wtas_strerror(i as c_int);
            assert_eq!(m, s.message().as_ptr());
            assert_ne!(m, unknown, "{s:?}");
            assert!(!s.message().is_empty(), "{s:?}");
            for other in ALL.iter().take(i) {
                assert_ne!(s.message(), other.message(), "{s:?} and {other:?}");
            }
        }
        assert_eq!(wtas_strerror(ALL.len() as c_int), unknown);
        assert_eq!(wtas_strerror(c_int::MIN), unknown);
    }

    #[cfg(feature = "std")]
    #[test]
    fn error_statuses_carry_the_error_message() {
        let errors = [
            Error::NUnits,
            Error::BatchSize,
            Error::Size,
            Error::TauM { value: f32::NAN },
            Error::ResistM { value: f32::NAN },
            Error::ThrBase { value: f32::NAN },
            Error::ThrGain { value: f32::NAN },
            Error::RefractTime { value: f32::NAN },
            Error::ThrJitter { value: f32::NAN },
            Error::Length {
                buffer: BufferName::Tols,
                expected: 6,
                found: 5,
            },
            Error::ThresholdNan,
            Error::Time { value: f32::NAN },
            Error::Dt { value: f32::NAN },
        ];
        for e in errors {
            let c = status_of(e).message().to_str();
            assert_eq!(c, Ok(e.message()), "{e:?}");
            assert!(std::format!("{e}").starts_with(e.message()), "{e:?}");
        }
    }
}
