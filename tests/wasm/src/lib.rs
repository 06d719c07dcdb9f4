//! The wtas test harness for WebAssembly: a `no_std` module, built for
//! `wasm32-unknown-unknown` with `simd128`, whose exports `run.mjs` (Node)
//! calls to compute the firmware scenario's digest and to replay the
//! reference's golden trajectories on every backend.
//!
//! State lives in memory the caller owns (Node grows the module's memory and
//! passes pointers): six consecutive arrays of `batch_size × n_units` `f32`
//! (`j`, `v`, `s`, `thr`, `rfr`, `tols`), bound with `Cell::resume` on each
//! call, and the recorded hyperparameters in a `Hyper` record beside them. Status codes: 0 ok, 1 bad backend index, 2 invalid
//! parameters, 3 the call itself failed.
#![no_std]

#[path = "../../scenario/firmware.rs"]
#[allow(dead_code)]
mod scenario;

use wtas::kernels::Backend;
use wtas::{Buffers, Cell, Config, InputReset, Params};

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

/// The backend at `index` in `Backend::ALL`.
fn backend(index: u32) -> Option<Backend> {
    Backend::ALL.get(index as usize).copied()
}

/// Number of backends this build has (`Backend::ALL`).
#[unsafe(no_mangle)]
pub extern "C" fn wasm_backend_count() -> u32 {
    Backend::ALL.len() as u32
}

/// Address of backend `index`'s name (UTF-8, `wasm_backend_name_len`
/// bytes), or null.
#[unsafe(no_mangle)]
pub extern "C" fn wasm_backend_name_ptr(index: u32) -> *const u8 {
    backend(index).map_or(core::ptr::null(), |b| b.name().as_ptr())
}

/// Length of backend `index`'s name, 0 if there is none.
#[unsafe(no_mangle)]
pub extern "C" fn wasm_backend_name_len(index: u32) -> u32 {
    backend(index).map_or(0, |b| b.name().len() as u32)
}

/// Index of `Backend::detect()` in `Backend::ALL`.
#[unsafe(no_mangle)]
pub extern "C" fn wasm_backend_detect() -> u32 {
    let d = Backend::detect();
    Backend::ALL
        .iter()
        .position(|&b| b == d)
        .unwrap_or(usize::MAX) as u32
}

/// The firmware scenario's digest on backend `index`; 0 if the index is
/// invalid or the scenario's cell cannot be built (a real digest is never 0
/// in practice, and the caller compares it with the host's anyway).
#[unsafe(no_mangle)]
pub extern "C" fn wasm_digest(index: u32) -> u64 {
    let Some(b) = backend(index) else { return 0 };
    let mut storage = scenario::ScenarioStorage::new();
    let Ok(mut cell) = scenario::new_cell(&mut storage) else {
        return 0;
    };
    if cell.set_backend(b).is_err() {
        return 0;
    }
    scenario::run(&mut cell)
}

/// The recorded hyperparameters, as `run.mjs` writes them into memory:
/// seven consecutive 4-byte words.
#[repr(C)]
pub struct Hyper {
    n_units: u32,
    batch_size: u32,
    resist_m: f32,
    thr_base: f32,
    thr_gain: f32,
    refract_time: f32,
    thr_jitter: f32,
}

/// The validated parameters at `hyper` and the six arrays starting at
/// `state`: `Err(2)` if the parameters are invalid.
///
/// # Safety
/// `hyper` points to a `Hyper`; `state` is 4-byte aligned and points to
/// `6 × n_units × batch_size` `f32` that nothing else accesses while the
/// result lives.
unsafe fn bind<'a>(state: *mut f32, hyper: *const Hyper) -> Result<(Params, Buffers<'a>), u32> {
    // SAFETY: the caller guarantees a readable `Hyper`.
    let h = unsafe { &*hyper };
    let p = Config {
        n_units: h.n_units as usize,
        batch_size: h.batch_size as usize,
        tau_m: 1.0,
        resist_m: h.resist_m,
        thr_base: h.thr_base,
        thr_gain: h.thr_gain,
        refract_time: h.refract_time,
        thr_jitter: h.thr_jitter,
    }
    .validate()
    .map_err(|_| 2u32)?;
    let n = p.len();
    // SAFETY: the caller guarantees `6 × n` exclusive, aligned floats.
    let all = unsafe { core::slice::from_raw_parts_mut(state, 6 * n) };
    let (j, rest) = all.split_at_mut(n);
    let (v, rest) = rest.split_at_mut(n);
    let (s, rest) = rest.split_at_mut(n);
    let (thr, rest) = rest.split_at_mut(n);
    let (rfr, tols) = rest.split_at_mut(n);
    let bufs = Buffers {
        j,
        v,
        s,
        thr,
        rfr,
        tols,
    };
    Ok((p, bufs))
}

/// `Cell::with_thresholds` over the state at `state`, with the `n_units` initial
/// thresholds at `thr0`.
///
/// # Safety
/// `state` and `hyper` as for every function here (see `bind`): a
/// `Hyper`, and `6 × batch_size × n_units` aligned floats owned by the
/// caller; `thr0`: `n_units` aligned floats, outside the state.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_init(state: *mut f32, hyper: *const Hyper, thr0: *const f32) -> u32 {
    // SAFETY: the caller's contract (above).
    let (p, bufs) = match unsafe { bind(state, hyper) } {
        Ok(bound) => bound,
        Err(code) => return code,
    };
    // SAFETY: the caller's contract (above).
    let thr0 = unsafe { core::slice::from_raw_parts(thr0, p.n_units()) };
    match Cell::with_thresholds(p, bufs, thr0) {
        Ok(_) => 0,
        Err(_) => 3,
    }
}

/// `Cell::reset(InputReset::Zero)` on the state at `state`.
///
/// # Safety
/// As [`wasm_init`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_reset(state: *mut f32, hyper: *const Hyper) -> u32 {
    // SAFETY: the caller's contract (see `wasm_init`).
    let (p, bufs) = match unsafe { bind(state, hyper) } {
        Ok(bound) => bound,
        Err(code) => return code,
    };
    match Cell::resume(p, bufs) {
        Ok(mut cell) => {
            cell.reset(InputReset::Zero);
            0
        }
        Err(_) => 3,
    }
}

/// One `Cell::advance(t, dt)` on backend `index`, over the state at
/// `state` (whose `j` the caller has written).
///
/// # Safety
/// As [`wasm_init`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wasm_advance(
    state: *mut f32,
    hyper: *const Hyper,
    index: u32,
    t: f32,
    dt: f32,
) -> u32 {
    let Some(b) = backend(index) else { return 1 };
    // SAFETY: the caller's contract (see `wasm_init`).
    let (p, bufs) = match unsafe { bind(state, hyper) } {
        Ok(bound) => bound,
        Err(code) => return code,
    };
    let Ok(mut cell) = Cell::resume(p, bufs) else {
        return 3;
    };
    if cell.set_backend(b).is_err() || cell.advance(t, dt).is_err() {
        return 3;
    }
    0
}
