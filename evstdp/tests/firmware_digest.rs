//! The firmware's learning run (`firmware/src/scenario.rs`: 300 digits from
//! flash, learning on, then 50 with learning off) on the host, on the default, scalar and compact wtas
//! backends, which must agree bit for bit; prints the digest that
//! `firmware/run-qemu.sh` compares with the Cortex-M4F's.

#[path = "../firmware/src/scenario.rs"]
mod scenario;

use wtas::kernels::Backend;

fn run(backend: Option<Backend>) -> scenario::Outcome {
    let mut store = Box::new(scenario::Store::new());
    scenario::run(
        &mut store,
        |cell| {
            if let Some(b) = backend {
                cell.set_backend(b).expect("backend");
            }
        },
        |_, f| f(),
    )
    .expect("run")
}

#[test]
fn host_digest() {
    let default = run(None);
    for b in [Backend::Array, Backend::Scalar] {
        let o = run(Some(b));
        assert_eq!(
            o.digest, default.digest,
            "{b:?} differs from the default backend"
        );
        assert_eq!(o.spikes, default.spikes);
    }
    assert!(default.spikes > 1000, "the run must spike and learn");
    println!("evstdp-host-digest {:016x}", default.digest);
    println!("evstdp-host-spikes {}", default.spikes);
}
