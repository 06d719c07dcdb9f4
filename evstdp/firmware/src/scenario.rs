//! The learning run the firmware does and the host repeats: the first
//! `PATTERNS` digits, stored in flash, presented once each with learning
//! on, from seeded weights, thresholds and draws.

use wtas_evstdp::{Hyper, Model, SeededDraws, Storage, init_weights};

/// Digits learnt (stored in flash: 65 bytes each).
pub const PATTERNS: usize = 300;
/// Inputs (8 × 8 pixels).
pub const IN: usize = 64;
/// Units.
pub const HID: usize = 64;
/// Kernel window rows for the exhibit's hyperparameters.
pub const WIN: usize = 2;
/// Seed of the weights and draws (thresholds: `SEED ^ 0x5eed`).
pub const SEED: u64 = 2018;

/// The first `PATTERNS` records of the digits file.
pub static DIGITS: [u8; PATTERNS * 65] = head(include_bytes!("../../data/digits.bin"));

const fn head<const M: usize>(all: &[u8]) -> [u8; M] {
    let mut out = [0u8; M];
    let mut i = 0;
    while i < M {
        out[i] = all[i];
        i += 1;
    }
    out
}

/// The model's buffers.
pub type Store = Storage<IN, HID, WIN>;

/// What a run produced.
pub struct Outcome {
    /// FNV-1a digest of the final weights.
    pub digest: u64,
    /// Post-synaptic spikes over the whole run (both passes).
    pub spikes: u32,
}

/// Patterns presented again after learning, with learning off (to measure
/// what the STDP update costs); they leave the weights unchanged.
pub const FROZEN: usize = 50;

/// Learns the stored digits once each, then presents the first `FROZEN`
/// again with learning off. `around(learn, f)` runs `f` (one pattern) and
/// may time it; `setup` is called on the cell before the run (to pick a
/// backend on the host).
pub fn run(
    store: &mut Store,
    setup: impl FnOnce(&mut wtas::Cell<wtas::Buffers<'_>>),
    mut around: impl FnMut(bool, &mut dyn FnMut()),
) -> Option<Outcome> {
    let mut draws = SeededDraws::new(SEED);
    init_weights(store.weights_mut(), &mut draws);
    let mut model = Model::new(Hyper::EXHIBIT, store.buffers(), SEED ^ 0x5eed).ok()?;
    setup(model.cell_mut());
    let mut counts = [0u32; HID];
    let mut spikes = 0;
    let mut ok = true;
    let records = DIGITS.chunks_exact(65);
    for (i, rec) in records.clone().chain(records.take(FROZEN)).enumerate() {
        let learn = i < PATTERNS;
        let mut x = [0.0f32; IN];
        for (x, p) in x.iter_mut().zip(rec) {
            *x = f32::from(*p) / 16.0;
        }
        around(
            learn,
            &mut || match model.present(&x, &mut draws, learn, &mut counts) {
                Ok(n) => spikes += n,
                Err(_) => ok = false,
            },
        );
    }
    ok.then(|| Outcome {
        digest: wtas_evstdp::digest(model.weights()),
        spikes,
    })
}
