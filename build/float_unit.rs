//! Whether the target computes `f32` arithmetic in hardware, decided from
//! what a stable compiler tells a build script.
//!
//! Stable `rustc` prints no Arm floating-point features
//! (`rustc --print cfg --target thumbv7em-none-eabihf` lists none) and no
//! RISC-V `f`, so the target features alone would put every microcontroller
//! on the soft-float path. What stable does expose is the ABI
//! (`target_abi = "eabihf"`: floats passed in FPU registers, which needs
//! an FPU) and the target's name, whose RISC-V ISA string names its
//! extensions. A nightly compiler (or `RUSTC_BOOTSTRAP`) also prints the
//! features, which are then taken into account as well.
//!
//! Shared by `build.rs` and `tests/float_unit.rs`, which checks the
//! decision against the configuration each target's compiler prints.

/// What the decision is made from: the `CARGO_CFG_*` values a build script
/// sees, and the target's name (`TARGET`).
pub struct TargetCfg<'a> {
    /// `target_arch`, for example `arm` or `riscv32`.
    pub arch: &'a str,
    /// `target_abi`, for example `eabihf`; empty where there is none.
    pub abi: &'a str,
    /// `target_feature`, comma-separated.
    pub features: &'a str,
    /// The target's name, for example `riscv32imafc-unknown-none-elf`.
    pub target: &'a str,
    /// The `wtas_float` cfg, if set: `"hard"` or `"soft"` (the override).
    pub forced: Option<&'a str>,
}

/// The floating-point path a target gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FloatUnit {
    /// `f32` arithmetic in hardware.
    Hard,
    /// No floating-point unit: the crate's own soft-float routines.
    Soft,
}

/// The path for `cfg`, or an error naming a bad override.
pub fn float_unit(cfg: &TargetCfg) -> Result<FloatUnit, String> {
    match cfg.forced {
        Some("hard") => return Ok(FloatUnit::Hard),
        Some("soft") => return Ok(FloatUnit::Soft),
        Some(other) => {
            return Err(format!(
                "wtas: cfg wtas_float = {other:?} is not \"hard\" or \"soft\""
            ));
        }
        None => {}
    }
    let has = |f: &str| cfg.features.split(',').any(|x| x == f);
    let hard = match cfg.arch {
        // `eabihf` passes floats in FPU registers; `fpregs` is printed by
        // compilers that print Arm features.
        "arm" => cfg.abi == "eabihf" || has("fpregs"),
        "riscv32" | "riscv64" => has("f") || has("d") || riscv_isa_has_f(cfg.target),
        _ => true,
    };
    Ok(if hard {
        FloatUnit::Hard
    } else {
        FloatUnit::Soft
    })
}

/// Whether a RISC-V target's name names the F extension: the ISA string
/// after `riscv32` / `riscv64` holds `f`, `d` or `g` (`g` = `imafd`), or
/// is an application profile (`a23`: RVA23 includes F and D).
fn riscv_isa_has_f(target: &str) -> bool {
    let Some(rest) = target
        .strip_prefix("riscv32")
        .or_else(|| target.strip_prefix("riscv64"))
    else {
        return false;
    };
    let isa = rest.split('-').next().unwrap_or("");
    if let Some(profile) = isa.strip_prefix('a')
        && !profile.is_empty()
        && profile.bytes().all(|b| b.is_ascii_digit())
    {
        return true;
    }
    isa.contains(['f', 'd', 'g'])
}
