//! The evstdp learner as Cortex-M4F firmware (QEMU mps2-an386): learns the
//! digits stored in flash and prints, through semihosting:
//!
//! - `evstdp digest <hex>`: FNV-1a of the final weights (the host's
//!   `tests/firmware_digest.rs` computes the same run);
//! - `evstdp spikes <n>`, `evstdp patterns <n>`;
//! - `evstdp cal <ticks> <instructions>`: ticks of a loop of known length;
//! - `evstdp ticks-learn <n>`: clock ticks inside the learning presentations;
//! - `evstdp frozen <n>`, `evstdp ticks-frozen <n>`: the same for the
//!   patterns presented again with learning off;
//! - `evstdp sizeof-storage <bytes>`: the model's state.
//!
//! Under `qemu-system-arm -icount shift=0` the SysTick clock advances once
//! per instruction, so ticks convert to instructions with the calibration.
#![no_std]
#![no_main]

// The SysTick clock and its calibration, as the wtas firmware test has them.
#[path = "../../../tests/embedded/src/clock.rs"]
mod clock;
mod scenario;

use clock::{calibrate, clock_init, now};
use cortex_m_semihosting::{debug, hprintln};

#[cortex_m_rt::entry]
fn main() -> ! {
    // cortex-m-rt turns this into a `&'static mut`: the state lives in
    // `.bss`, with no allocator.
    static mut STORE: scenario::Store = scenario::Store::new();
    clock_init();
    let (cal_ticks, cal_instr) = calibrate();
    let (mut ticks, mut ticks_frozen) = (0u64, 0u64);
    let out = scenario::run(
        STORE,
        |_| {},
        |learn, f| {
            let t0 = now();
            f();
            let dt = now().wrapping_sub(t0);
            if learn {
                ticks += dt;
            } else {
                ticks_frozen += dt;
            }
        },
    );
    match out {
        Some(o) => {
            hprintln!("evstdp digest {:016x}", o.digest);
            hprintln!("evstdp spikes {}", o.spikes);
            hprintln!("evstdp patterns {}", scenario::PATTERNS);
            hprintln!("evstdp cal {} {}", cal_ticks, cal_instr);
            hprintln!("evstdp ticks-learn {}", ticks);
            hprintln!("evstdp frozen {}", scenario::FROZEN);
            hprintln!("evstdp ticks-frozen {}", ticks_frozen);
            hprintln!(
                "evstdp sizeof-storage {}",
                core::mem::size_of::<scenario::Store>()
            );
            debug::exit(debug::EXIT_SUCCESS);
        }
        None => {
            hprintln!("evstdp FAILED");
            debug::exit(debug::EXIT_FAILURE);
        }
    }
    #[allow(clippy::empty_loop)]
    loop {}
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    debug::exit(debug::EXIT_FAILURE);
    #[allow(clippy::empty_loop)]
    loop {}
}
