//! The firmware scenario (`tests/embedded`) on the host.
//!
//! `tests/embedded/run-qemu.sh` runs this test, reads the `wtas-host-digest`
//! line it prints, and compares every firmware's digest with it.
//!
//! The scenario lives in the firmware crate, which the published package
//! does not ship; `build.rs` sets `cfg(wtas_firmware_scenario)` where the
//! file is present (any checkout of the repository); elsewhere the test is
//! ignored, and says why.

#[cfg(wtas_firmware_scenario)]
#[path = "embedded/src/scenario.rs"]
#[allow(dead_code)]
mod scenario;

#[cfg(wtas_firmware_scenario)]
use wtas::kernels::Backend;

/// The digest of the scenario; every backend and every target must give it.
#[cfg(wtas_firmware_scenario)]
const EXPECTED: u64 = 0xa368_f2e5_2727_8fc8;

#[cfg(wtas_firmware_scenario)]
fn digest(backend: Option<Backend>) -> u64 {
    let mut storage = scenario::ScenarioStorage::new();
    let mut cell = scenario::new_cell(&mut storage).expect("valid scenario");
    if let Some(backend) = backend {
        cell.set_backend(backend).expect("backend available");
    }
    scenario::run(&mut cell)
}

#[test]
#[cfg_attr(
    not(wtas_firmware_scenario),
    ignore = "needs tests/embedded/src/scenario.rs, which the package does not ship"
)]
fn firmware_scenario_digest() {
    #[cfg(not(wtas_firmware_scenario))]
    panic!("tests/embedded/src/scenario.rs is missing: run this test from the repository");
    #[cfg(wtas_firmware_scenario)]
    firmware_scenario_digest_impl();
}

#[cfg(wtas_firmware_scenario)]
fn firmware_scenario_digest_impl() {
    let dispatched = digest(None);
    let reference = digest(Some(Backend::Reference));
    println!("wtas-host-digest {dispatched:016x}");
    println!("wtas-host-digest-reference {reference:016x}");
    assert_eq!(
        dispatched,
        reference,
        "dispatched backend {:?} and the reference disagree",
        Backend::detect()
    );
    assert_eq!(dispatched, EXPECTED, "the scenario's digest drifted");
}
