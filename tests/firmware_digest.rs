//! The firmware scenario (`tests/embedded`) on the host.
//!
//! `tests/embedded/run-qemu.sh` runs this test, reads the `wtas-host-digest`
//! line it prints, and compares every firmware's digest with it. The
//! scenario (`tests/scenario/firmware.rs`) ships with the package, so the
//! test runs there too.

#[path = "scenario/firmware.rs"]
#[allow(dead_code)]
mod scenario;

use wtas::kernels::Backend;

/// The digest of the scenario; every backend and every target must give it.
const EXPECTED: u64 = 0xa368_f2e5_2727_8fc8;

fn digest(backend: Option<Backend>) -> u64 {
    let mut storage = scenario::ScenarioStorage::new();
    let mut cell = scenario::new_cell(&mut storage).expect("valid scenario");
    if let Some(backend) = backend {
        cell.set_backend(backend).expect("backend available");
    }
    scenario::run(&mut cell)
}

#[test]
fn firmware_scenario_digest() {
    let dispatched = digest(None);
    let reference = digest(Some(Backend::Scalar));
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
