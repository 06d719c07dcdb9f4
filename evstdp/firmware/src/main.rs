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

mod scenario;

use core::sync::atomic::{AtomicU32, Ordering};
use cortex_m_semihosting::{debug, hprintln};

const SYST_CSR: *mut u32 = 0xE000_E010 as *mut u32;
const SYST_RVR: *mut u32 = 0xE000_E014 as *mut u32;
const SYST_CVR: *mut u32 = 0xE000_E018 as *mut u32;
const RELOAD: u32 = 0x00FF_FFFF;
const CAL_LOOPS: u32 = 1_000_000;

static WRAPS: AtomicU32 = AtomicU32::new(0);

#[cortex_m_rt::exception]
fn SysTick() {
    WRAPS.store(WRAPS.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
}

fn clock_init() {
    // SAFETY: the architectural SysTick registers; nothing else uses them.
    unsafe {
        SYST_RVR.write_volatile(RELOAD);
        SYST_CVR.write_volatile(0);
        SYST_CSR.write_volatile(0b111);
        // Wait for the first reload, so that `now` starts near 0.
        let mut spins = 0u32;
        while SYST_CVR.read_volatile() == 0 && spins < 1_000_000 {
            spins += 1;
        }
    }
}

fn now() -> u64 {
    loop {
        let w = WRAPS.load(Ordering::SeqCst);
        // SAFETY: reading SysTick's current value register.
        let c = unsafe { SYST_CVR.read_volatile() } & RELOAD;
        if WRAPS.load(Ordering::SeqCst) == w {
            return ((w as u64) << 24) + (RELOAD - c) as u64;
        }
    }
}

/// Ticks of `2 * CAL_LOOPS` instructions (`subs` + `bne`), and that count.
#[inline(never)]
fn calibrate() -> (u64, u64) {
    let t0 = now();
    // SAFETY: a register-only loop.
    unsafe {
        core::arch::asm!(
            "2:",
            "subs {n}, #1",
            "bne 2b",
            n = inout(reg) CAL_LOOPS => _,
            options(nomem, nostack),
        );
    }
    (now().wrapping_sub(t0), 2 * CAL_LOOPS as u64)
}

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
