//! A short training run on the digits (one epoch over the 1,200 training
//! images; the 597 held-out images classified) must classify far above chance (10%), though below the full
//! run of the `digits` example. The model, data and protocol are the
//! example's own (`examples/digits/protocol.rs`); everything is seeded, so
//! the run is deterministic.

#[path = "../examples/digits/protocol.rs"]
mod protocol;

use protocol::Plan;

/// Well below what this run reaches (44.1%) and the full run (58.3% after
/// 3 epochs), three times chance.
const FLOOR: f64 = 30.0;

#[test]
fn short_training_beats_the_floor() {
    let plan = Plan {
        epochs: 1,
        ..Plan::FULL
    };
    let out = protocol::run(plan, |_, _, _| {});
    let acc = out.epochs[0].test;
    println!(
        "short training: held-out accuracy {acc:.1}% ({} units labelled), floor {FLOOR}%",
        out.epochs[0].labelled
    );
    assert!(
        acc >= FLOOR,
        "held-out accuracy {acc:.1}% is below the floor {FLOOR}%"
    );
    // Learning moved the weights away from their initial range [0.025, 0.8).
    assert!(out.weights.iter().any(|w| *w > 0.8 || *w < 0.025));
}
