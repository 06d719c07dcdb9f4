//! The floating-point path each target gets (`build/float_unit.rs`), decided
//! from the configuration that target's compiler prints: every target whose
//! ABI passes floats in FPU registers, and every RISC-V target whose ISA
//! string names F, takes the hardware path; every other Arm and RISC-V
//! target the soft-float one.
//!
//! `rustc --print cfg --target T` needs no installed target, so this runs
//! with the compiler that builds the tests (stable in CI, which prints no
//! Arm or RISC-V float features: the case the decision must get right).

#[path = "../build/float_unit.rs"]
#[allow(dead_code)]
mod float_unit;

use float_unit::{FloatUnit, TargetCfg, float_unit};
use std::process::Command;

/// `target_arch`, `target_abi` and `target_feature` as the compiler prints
/// them for `target` with `extra` flags.
fn printed_cfg(target: &str, extra: &[&str]) -> (String, String, String) {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let out = Command::new(rustc)
        .args(["--print", "cfg", "--target", target])
        .args(extra)
        .output()
        .expect("rustc runs");
    assert!(
        out.status.success(),
        "rustc --print cfg --target {target} failed"
    );
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    let value = |key: &str| -> Vec<String> {
        text.lines()
            .filter_map(|l| l.strip_prefix(key)?.strip_prefix("=\"")?.strip_suffix('"'))
            .map(String::from)
            .collect()
    };
    let one = |key: &str| value(key).into_iter().next().unwrap_or_default();
    (
        one("target_arch"),
        one("target_abi"),
        value("target_feature").join(","),
    )
}

fn decide(target: &str, extra: &[&str], forced: Option<&str>) -> Result<FloatUnit, String> {
    let (arch, abi, features) = printed_cfg(target, extra);
    float_unit(&TargetCfg {
        arch: &arch,
        abi: &abi,
        features: &features,
        target,
        forced,
    })
}

const HARD: &[&str] = &[
    "thumbv7em-none-eabihf",
    "thumbv8m.main-none-eabihf",
    "thumbv7a-none-eabihf",
    "armv7a-none-eabihf",
    "armv7r-none-eabihf",
    "armv8r-none-eabihf",
    "armv7-unknown-linux-gnueabihf",
    "riscv32imafc-unknown-none-elf",
    "riscv64gc-unknown-none-elf",
    "riscv64gc-unknown-linux-gnu",
    "x86_64-unknown-linux-gnu",
    "aarch64-unknown-none",
    "wasm32-unknown-unknown",
];

const SOFT: &[&str] = &[
    "thumbv7em-none-eabi",
    "thumbv7m-none-eabi",
    "thumbv6m-none-eabi",
    "thumbv8m.base-none-eabi",
    "thumbv8m.main-none-eabi",
    "riscv32imac-unknown-none-elf",
    "riscv32imc-unknown-none-elf",
    "riscv32i-unknown-none-elf",
    "riscv64imac-unknown-none-elf",
];

#[test]
fn every_hard_float_target_takes_the_fpu_path() {
    for t in HARD {
        assert_eq!(decide(t, &[], None), Ok(FloatUnit::Hard), "{t}");
    }
}

#[test]
fn every_target_without_an_fpu_takes_the_soft_float_path() {
    for t in SOFT {
        assert_eq!(decide(t, &[], None), Ok(FloatUnit::Soft), "{t}");
    }
}

// Not listed: `armv7a-none-eabi`, an FPU behind the soft-float ABI. A
// compiler that prints Arm features (nightly, `RUSTC_BOOTSTRAP`) shows its
// `fpregs` and gets the FPU path; stable shows nothing and gets soft float:
// both right, with the same bits.

/// The override wins both ways, for example for `thumbv7em-none-eabi` with
/// `-C target-feature=+vfp4d16sp` (an FPU behind the soft-float ABI, which
/// stable does not print), and a bad value is an error that names it.
#[test]
fn the_wtas_float_cfg_overrides_the_decision() {
    let fpu_soft_abi: &[&str] = &["-C", "target-feature=+vfp4d16sp"];
    for (target, extra, forced, want) in [
        ("thumbv7em-none-eabi", fpu_soft_abi, None, FloatUnit::Soft),
        (
            "thumbv7em-none-eabi",
            fpu_soft_abi,
            Some("hard"),
            FloatUnit::Hard,
        ),
        ("thumbv7em-none-eabihf", &[], Some("soft"), FloatUnit::Soft),
    ] {
        assert_eq!(
            decide(target, extra, forced),
            Ok(want),
            "{target} {forced:?}"
        );
    }
    let err = decide("thumbv7em-none-eabihf", &[], Some("fpu")).unwrap_err();
    assert!(err.contains("\"fpu\""), "{err}");
}

/// A compiler that does print the features (nightly, or
/// `RUSTC_BOOTSTRAP`) is read too: `fpregs` alone means an FPU.
#[test]
fn printed_features_count_where_a_compiler_prints_them() {
    for (arch, abi, features, target, want) in [
        ("arm", "eabi", "fpregs,vfp2", "custom", FloatUnit::Hard),
        ("arm", "eabi", "mclass", "custom", FloatUnit::Soft),
        ("riscv32", "", "m,f", "custom", FloatUnit::Hard),
        ("riscv32", "", "m,a,c", "custom", FloatUnit::Soft),
        (
            "riscv64",
            "",
            "",
            "riscv64a23-unknown-linux-gnu",
            FloatUnit::Hard,
        ),
    ] {
        let cfg = TargetCfg {
            arch,
            abi,
            features,
            target,
            forced: None,
        };
        assert_eq!(
            float_unit(&cfg),
            Ok(want),
            "{arch} {abi} {features} {target}"
        );
    }
}
