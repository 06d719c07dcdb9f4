//! Puts the memory map of the target board where the linker finds it.
use std::{env, fs, path::PathBuf};

fn main() {
    let out = PathBuf::from(env::var_os("OUT_DIR").unwrap());
    let target = env::var("TARGET").unwrap();
    let memory = if target.starts_with("thumbv7em") {
        // QEMU mps2-an386 (Cortex-M4F).
        "MEMORY\n{\n  FLASH : ORIGIN = 0x00000000, LENGTH = 4M\n  RAM : ORIGIN = 0x20000000, LENGTH = 4M\n}\n"
    } else {
        // QEMU microbit (nRF51, Cortex-M0).
        "MEMORY\n{\n  FLASH : ORIGIN = 0x00000000, LENGTH = 256K\n  RAM : ORIGIN = 0x20000000, LENGTH = 16K\n}\n"
    };
    fs::write(out.join("memory.x"), memory).unwrap();
    fs::copy("riscv.x", out.join("riscv.x")).unwrap();
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed=riscv.x");
    println!("cargo:rerun-if-changed=build.rs");
}
