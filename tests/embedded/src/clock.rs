//! The firmware's clock: ticks of QEMU's virtual clock (SysTick on
//! Cortex-M, `minstret` on RISC-V). Under `-icount shift=0` that clock
//! advances once per instruction; [`calibrate`] measures the ticks of a
//! loop with a known number of instructions so that the host can convert.
//!
//! Shared by the firmware crates that run under QEMU (this one and
//! `evstdp/firmware`, which includes it with `#[path]`).

#[cfg(target_arch = "arm")]
pub use arm::{clock_init, now};
#[cfg(target_arch = "riscv32")]
pub use riscv::{clock_init, now};

/// Loop iterations of [`calibrate`]; each is two instructions.
const CAL_LOOPS: u32 = 1_000_000;

/// Ticks of `2 * CAL_LOOPS` instructions (a decrement and a branch), and
/// that count.
#[inline(never)]
pub fn calibrate() -> (u64, u64) {
    let t0 = now();
    // SAFETY: a register-only loop.
    #[cfg(target_arch = "arm")]
    unsafe {
        core::arch::asm!("2:", "subs {n}, #1", "bne 2b",
            n = inout(reg) CAL_LOOPS => _, options(nomem, nostack))
    };
    // SAFETY: a register-only loop.
    #[cfg(target_arch = "riscv32")]
    unsafe {
        core::arch::asm!("2:", "addi {n}, {n}, -1", "bnez {n}, 2b",
            n = inout(reg) CAL_LOOPS => _, options(nomem, nostack))
    };
    (now().wrapping_sub(t0), 2 * CAL_LOOPS as u64)
}

#[cfg(target_arch = "arm")]
mod arm {
    use core::sync::atomic::{AtomicU32, Ordering};

    const SYST_CSR: *mut u32 = 0xE000_E010 as *mut u32;
    const SYST_RVR: *mut u32 = 0xE000_E014 as *mut u32;
    const SYST_CVR: *mut u32 = 0xE000_E018 as *mut u32;
    const RELOAD: u32 = 0x00FF_FFFF;

    static WRAPS: AtomicU32 = AtomicU32::new(0);

    #[cortex_m_rt::exception]
    fn SysTick() {
        WRAPS.store(WRAPS.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
    }

    /// SysTick on the processor clock, interrupting on every wrap.
    pub fn clock_init() {
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

    /// Ticks since `clock_init`.
    pub fn now() -> u64 {
        loop {
            let w = WRAPS.load(Ordering::SeqCst);
            // SAFETY: reading SysTick's current value.
            let c = unsafe { SYST_CVR.read_volatile() } & RELOAD;
            if WRAPS.load(Ordering::SeqCst) == w {
                return ((w as u64) << 24) + (RELOAD - c) as u64;
            }
        }
    }
}

#[cfg(target_arch = "riscv32")]
mod riscv {
    pub fn clock_init() {}

    /// Instructions retired (exact under `-icount`).
    pub fn now() -> u64 {
        loop {
            let (hi, lo, hi2): (u32, u32, u32);
            // SAFETY: reads the machine counters.
            unsafe {
                core::arch::asm!(
                    "csrr {0}, minstreth",
                    "csrr {1}, minstret",
                    "csrr {2}, minstreth",
                    out(reg) hi, out(reg) lo, out(reg) hi2,
                    options(nomem, nostack),
                );
            }
            if hi == hi2 {
                return ((hi as u64) << 32) | lo as u64;
            }
        }
    }
}
