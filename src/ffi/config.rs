//! Hyperparameters on the C side: `wtas_config` (the crate's `Config`) and
//! its validation into a `wtas_params`.

use super::check::{arg, args};
use super::status::guard;
use super::{wtas_params, wtas_status};
use crate::{Config, Params};

/// `Params::try_new`, plus the C rule that every buffer's size in bytes
/// fits in `isize` (so it can be a slice).
pub(super) fn validate(config: Config) -> Result<Params, wtas_status> {
    let params = Params::try_new(config)?;
    match params.len().checked_mul(size_of::<f32>()) {
        Some(b) if b <= isize::MAX as usize => Ok(params),
        _ => Err(wtas_status::WTAS_ERR_SIZE),
    }
}

/// Writes the reference's defaults for `n_units` units into `*config`:
/// `batch_size = 1`, `resist_m = 1`, `thr_base = 0.4`, `thr_gain = 0.002`,
/// `refract_time = 0`, `thr_jitter = 0.05`, and `tau_m` as given (the
/// reference has no default for it).
///
/// Nothing is validated here: change fields as needed, then call
/// `wtas_params_init`.
///
/// Returns `WTAS_ERR_NULL` or `WTAS_ERR_ALIGN` for a bad `config` pointer.
///
/// # Safety
/// `config` is NULL or points to writable memory for one `wtas_config`.
#[cfg_attr(doc, doc = failure_example!(r#"
use wtas::ffi::*;
let status = unsafe { wtas_config_default(core::ptr::null_mut(), 8, 10.0) };
assert_eq!(status, wtas_status::WTAS_ERR_NULL);
"#))]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wtas_config_default(
    config: *mut Config,
    n_units: usize,
    tau_m: f32,
) -> wtas_status {
    guard(|| {
        args([arg(config)])?;
        // SAFETY: non-null and aligned (checked), writable by the contract.
        unsafe {
            config.write(Config {
                tau_m,
                ..Config::new(n_units)
            })
        };
        Ok(())
    })
}

/// Validates `*config` and, on success, writes the result to `*params`.
///
/// Fields are checked in declaration order and the first failure is
/// returned: `WTAS_ERR_N_UNITS`, `WTAS_ERR_BATCH_SIZE`, `WTAS_ERR_SIZE`,
/// `WTAS_ERR_TAU_M`, `WTAS_ERR_RESIST_M`, `WTAS_ERR_THR_BASE`,
/// `WTAS_ERR_THR_GAIN`, `WTAS_ERR_REFRACT_TIME`, `WTAS_ERR_THR_JITTER`.
/// `*params` is untouched on error.
///
/// # Safety
/// `params` is NULL or points to writable memory for one `wtas_params`;
/// `config` is NULL or points to a readable `wtas_config`.
#[cfg_attr(doc, doc = failure_example!(r#"
use core::mem::MaybeUninit;
use wtas::ffi::*;

let (mut config, mut params) = (MaybeUninit::uninit(), MaybeUninit::uninit());
let status = unsafe {
    assert_eq!(wtas_config_default(config.as_mut_ptr(), 8, 10.0), wtas_status::WTAS_OK);
    let mut config: wtas_config = config.assume_init();
    config.n_units = 0;
    wtas_params_init(params.as_mut_ptr(), &config)
};
assert_eq!(status, wtas_status::WTAS_ERR_N_UNITS);
"#))]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wtas_params_init(
    params: *mut wtas_params,
    config: *const Config,
) -> wtas_status {
    guard(|| {
        args([arg(params), arg(config)])?;
        // SAFETY: non-null and aligned (checked), readable by the contract;
        // `Config` holds only integers and floats.
        let config = unsafe { config.read() };
        let validated = validate(config)?;
        let out = wtas_params::sealed(config, validated.len());
        // SAFETY: non-null and aligned (checked), writable by the contract.
        unsafe { params.write(out) };
        Ok(())
    })
}
