//! wtas in firmware, stepped from a timer interrupt.
//!
//! `main` starts SysTick at 1 kHz and sleeps; each SysTick interrupt reads
//! the inputs into `j`, advances the cell one step and acts on the spikes.
//! All state lives in the handler's `static mut` items, which cortex-m-rt
//! hands to the handler as `&mut` (no `unsafe`, no heap, no RTOS).
//!
//! Under QEMU the "sensor" is a bump of current that moves to the next unit
//! every 5 ticks; the handler records each tick's winner and, after
//! `TICKS` ticks, prints them over semihosting and exits.
#![no_std]
#![no_main]

use cortex_m::peripheral::syst::SystClkSource;
use cortex_m_rt::{entry, exception};
use cortex_m_semihosting::{debug, hprint, hprintln};
use wtas::{Cell, Params, Storage};

/// Units in the layer, and batch rows (one).
const UNITS: usize = 16;
/// Ticks to run before reporting and exiting.
const TICKS: usize = 40;
/// SysTick reload for 1 kHz at mps2-an386's 25 MHz core clock.
const RELOAD: u32 = 25_000 - 1;

#[entry]
fn main() -> ! {
    let mut core = cortex_m::Peripherals::take().unwrap();
    core.SYST.set_clock_source(SystClkSource::Core);
    core.SYST.set_reload(RELOAD);
    core.SYST.clear_current();
    core.SYST.enable_counter();
    core.SYST.enable_interrupt();
    loop {
        cortex_m::asm::wfi(); // all the work happens in SysTick
    }
}

#[exception]
fn SysTick() {
    // cortex-m-rt turns these into `&mut` owned by this handler.
    static mut STATE: Storage<UNITS, 1> = Storage::new();
    static mut PARAMS: Option<Params> = None;
    static mut TICK: usize = 0;
    static mut WINNERS: [i8; TICKS] = [-1; TICKS];

    let tick = *TICK;
    // The first tick starts a fresh state; later ones resume the state the
    // buffers hold (a cheap check of `thr`, no copy).
    let params = *PARAMS;
    let cell = match params {
        None => Storage::<UNITS, 1>::config().validate().and_then(|p| {
            *PARAMS = Some(p);
            Cell::new(p, STATE.buffers(), 42)
        }),
        Some(p) => Cell::resume(p, STATE.buffers()),
    };
    let Ok(mut cell) = cell else {
        fail("cannot build the cell")
    };

    read_sensors(tick, cell.j_mut());
    // `t` is the tick count in f32: exact up to 2^24 ticks (4.6 hours at
    // 1 kHz); a long-running device keeps time in a wider integer and
    // restarts the count (or the cell) before that.
    if cell.advance(tick as f32, 1.0).is_err() {
        fail("advance failed");
    }
    if let Some(slot) = WINNERS.get_mut(tick) {
        *slot = act_on(cell.s());
    }

    *TICK += 1;
    if *TICK == TICKS {
        hprint!("systick: winners");
        for w in WINNERS.iter() {
            hprint!(" {}", w);
        }
        hprintln!();
        hprintln!("systick: {} ticks done", TICKS);
        debug::exit(debug::EXIT_SUCCESS);
    }
}

/// Stands in for the board's inputs: a strong current on unit
/// `(tick / 5) % UNITS`, none elsewhere.
fn read_sensors(tick: usize, j: &mut [f32]) {
    j.fill(0.0);
    if let Some(x) = j.get_mut((tick / 5) % UNITS) {
        *x = 8.0;
    }
}

/// Stands in for the board's outputs: the index of the unit that spiked
/// (-1 if none did, or if several did).
fn act_on(s: &[f32]) -> i8 {
    let mut winner = -1;
    for (i, &x) in s.iter().enumerate() {
        if x == 1.0 {
            if winner != -1 {
                return -1;
            }
            winner = i as i8;
        }
    }
    winner
}

fn fail(why: &str) -> ! {
    hprintln!("systick: {}", why);
    debug::exit(debug::EXIT_FAILURE);
    loop {
        cortex_m::asm::wfi();
    }
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    fail("panic")
}
