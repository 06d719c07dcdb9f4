//! The board: semihosting output and exit, the clock (`clock.rs`), the
//! stack pointer.

#[cfg(target_arch = "arm")]
pub use arm::*;
pub use clock::{calibrate, clock_init, now};
#[cfg(target_arch = "riscv32")]
pub use riscv::*;

#[path = "clock.rs"]
mod clock;

/// The stack pointer.
pub fn stack_pointer() -> usize {
    let sp: usize;
    // SAFETY: reads SP.
    #[cfg(target_arch = "arm")]
    unsafe {
        core::arch::asm!("mov {}, sp", out(reg) sp, options(nomem, nostack))
    };
    // SAFETY: reads SP.
    #[cfg(target_arch = "riscv32")]
    unsafe {
        core::arch::asm!("mv {}, sp", out(reg) sp, options(nomem, nostack))
    };
    sp
}

#[cfg(target_arch = "arm")]
mod arm {
    use cortex_m_semihosting::{debug, syscall1};

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
