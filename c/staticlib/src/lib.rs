//! `libwtas_c.a`: the `wtas_*` C functions for `no_std` targets.
//!
//! A panic cannot happen through the API (every entry point returns a
//! status), but a `no_std` static library must name a handler: it calls
//! `wtas_c_panic`, which the firmware defines (report and stop).
#![no_std]

pub use wtas::ffi::*;

unsafe extern "C" {
    /// Defined by the firmware: reports a panic and never returns.
    fn wtas_c_panic() -> !;
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    // SAFETY: `wtas_c_panic` takes no arguments and never returns.
    unsafe { wtas_c_panic() }
}
