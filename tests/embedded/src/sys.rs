//! The board: semihosting output and exit, a clock, the stack pointer.
//!
//! The clock counts ticks of QEMU's virtual clock (SysTick on Cortex-M,
//! `minstret` on RISC-V). Under `-icount shift=0` that clock advances once
//! per instruction; [`calibrate`] measures the ticks of a loop with a known
//! number of instructions so that the host can convert.

#[cfg(target_arch = "arm")]
pub use arm::*;
#[cfg(target_arch = "riscv32")]
pub use riscv::*;

/// Loop iterations of [`calibrate`]; each is two instructions.
const CAL_LOOPS: u32 = 1_000_000;

#[cfg(target_arch = "arm")]
mod arm {
    use core::sync::atomic::{AtomicU32, Ordering};
    use cortex_m_semihosting::{debug, syscall1};

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

    /// Ticks of `2 * CAL_LOOPS` instructions (`subs` + `bne`), and that count.
    #[inline(never)]
    pub fn calibrate() -> (u64, u64) {
        let t0 = now();
        // SAFETY: a register-only loop.
        unsafe {
            core::arch::asm!(
                "2:",
                "subs {n}, #1",
                "bne 2b",
                n = inout(reg) super::CAL_LOOPS => _,
                options(nomem, nostack),
            );
        }
        (now().wrapping_sub(t0), 2 * super::CAL_LOOPS as u64)
    }

    pub fn stack_pointer() -> usize {
        let sp: usize;
        // SAFETY: reads SP.
        unsafe { core::arch::asm!("mov {}, sp", out(reg) sp, options(nomem, nostack)) };
        sp
    }

    /// Prints a NUL-terminated buffer.
    pub fn write0(buf: &[u8]) {
        // SAFETY: `buf` ends in NUL (see `Line`).
        unsafe { syscall1!(WRITE0, buf.as_ptr()) };
    }

    pub fn exit_ok() -> ! {
        debug::exit(debug::EXIT_SUCCESS);
        #[allow(clippy::empty_loop)]
        loop {}
    }

    pub fn fail(msg: &str) -> ! {
        write0(msg.as_bytes());
        debug::exit(debug::EXIT_FAILURE);
        #[allow(clippy::empty_loop)]
        loop {}
    }
}

#[cfg(target_arch = "riscv32")]
mod riscv {
    // A minimal entry: stack, zeroed .bss, then `rv_main`. `.data` needs no
    // copy: QEMU loads the ELF straight into RAM.
    core::arch::global_asm!(
        ".section .text.start, \"ax\"",
        ".global _start",
        "_start:",
        ".option push",
        ".option norelax",
        "la sp, _stack_top",
        ".option pop",
        "la t0, _sbss",
        "la t1, _ebss",
        "1:",
        "bgeu t0, t1, 2f",
        "sw zero, 0(t0)",
        "addi t0, t0, 4",
        "j 1b",
        "2:",
        "call rv_main",
        "3:",
        "j 3b",
        // The semihosting trap: these three uncompressed instructions,
        // together and 16-byte aligned.
        ".section .text.semihosting, \"ax\"",
        ".balign 16",
        ".global wtas_fw_semihosting",
        "wtas_fw_semihosting:",
        ".option push",
        ".option norvc",
        "slli x0, x0, 0x1f",
        "ebreak",
        "srai x0, x0, 7",
        ".option pop",
        "ret",
    );

    extern "C" {
        fn wtas_fw_semihosting(op: usize, arg: usize) -> usize;
    }

    const SYS_WRITE0: usize = 0x04;
    const SYS_EXIT: usize = 0x18;
    const ADP_STOPPED_APPLICATION_EXIT: usize = 0x20026;
    const ADP_STOPPED_RUN_TIME_ERROR: usize = 0x20023;

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

    #[inline(never)]
    pub fn calibrate() -> (u64, u64) {
        let t0 = now();
        // SAFETY: a register-only loop.
        unsafe {
            core::arch::asm!(
                "2:",
                "addi {n}, {n}, -1",
                "bnez {n}, 2b",
                n = inout(reg) super::CAL_LOOPS => _,
                options(nomem, nostack),
            );
        }
        (now().wrapping_sub(t0), 2 * super::CAL_LOOPS as u64)
    }

    pub fn stack_pointer() -> usize {
        let sp: usize;
        // SAFETY: reads SP.
        unsafe { core::arch::asm!("mv {}, sp", out(reg) sp, options(nomem, nostack)) };
        sp
    }

    pub fn write0(buf: &[u8]) {
        // SAFETY: `buf` ends in NUL (see `Line`).
        unsafe { wtas_fw_semihosting(SYS_WRITE0, buf.as_ptr() as usize) };
    }

    pub fn exit_ok() -> ! {
        // SAFETY: semihosting exit.
        unsafe { wtas_fw_semihosting(SYS_EXIT, ADP_STOPPED_APPLICATION_EXIT) };
        #[allow(clippy::empty_loop)]
        loop {}
    }

    pub fn fail(msg: &str) -> ! {
        write0(msg.as_bytes());
        // SAFETY: semihosting exit.
        unsafe { wtas_fw_semihosting(SYS_EXIT, ADP_STOPPED_RUN_TIME_ERROR) };
        #[allow(clippy::empty_loop)]
        loop {}
    }
}

#[cfg(not(feature = "panic-never"))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    fail("wtas firmware: PANIC\n\0")
}

/// The panic check: this handler calls a function that exists nowhere, so a
/// firmware that still has a reachable panic path cannot be linked.
#[cfg(feature = "panic-never")]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    extern "C" {
        fn wtas_firmware_has_a_reachable_panic_path() -> !;
    }
    // SAFETY: never linked unless a panic path survives, and then the link
    // fails.
    unsafe { wtas_firmware_has_a_reachable_panic_path() }
}
