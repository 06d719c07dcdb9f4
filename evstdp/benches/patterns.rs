//! Patterns per second of the evstdp model (64 inputs, 64 units, 50 steps
//! per pattern) and where a pattern's time goes, component by component.
//!
//! ```text
//! taskset -c 0 cargo bench -p wtas-evstdp --bench patterns
//! ```
//!
//! - `pattern/learn`: one training presentation (reset, 50 steps, STDP on),
//!   cycling through the first 64 digits;
//! - `pattern/frozen`: the same without the STDP update;
//! - `component/*`: one call of each part of a step, on a state taken from
//!   the middle of a real presentation (`evolve` with one post-synaptic
//!   spike, as in a typical spiking step).
//!
//! `evstdp/scripts/speed_compare.py` runs this next to ngclearn's fastest
//! path and prints the table.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use wtas_evstdp::{Hyper, Model, SeededDraws, Storage, bernoulli, init_weights};

const DIGITS: &[u8] = include_bytes!("../data/digits.bin");

fn image(i: usize) -> [f32; 64] {
    let mut x = [0.0; 64];
    for (x, p) in x.iter_mut().zip(&DIGITS[i * 65..i * 65 + 64]) {
        *x = f32::from(*p) / 16.0;
    }
    x
}

fn bench(c: &mut Criterion) {
    let images: Vec<[f32; 64]> = (0..64).map(image).collect();
    let mut storage: Box<Storage<64, 64, 2>> = Box::new(Storage::new());
    let mut draws = SeededDraws::new(1);
    init_weights(storage.weights_mut(), &mut draws);
    let hyper = Hyper::EXHIBIT;
    let mut model = Model::new(hyper, storage.buffers(), 2).unwrap();
    let mut counts = [0u32; 64];
    // Warm the model up a little so the weights are those of a learner.
    for x in images.iter().cycle().take(256) {
        model.present(x, &mut draws, true, &mut counts).unwrap();
    }
    let mut g = c.benchmark_group("pattern");
    let mut i = 0;
    g.bench_function("learn", |b| {
        b.iter(|| {
            i = (i + 1) % images.len();
            model
                .present(black_box(&images[i]), &mut draws, true, &mut counts)
                .unwrap()
        })
    });
    g.bench_function("frozen", |b| {
        b.iter(|| {
            i = (i + 1) % images.len();
            model
                .present(black_box(&images[i]), &mut draws, false, &mut counts)
                .unwrap()
        })
    });
    g.finish();

    // A mid-pattern state: 25 steps into a presentation.
    model.reset();
    for k in 0..25 {
        model
            .step(&images[3], k as f32 * hyper.dt, &mut draws, true)
            .unwrap();
    }
    let epsp = model.epsp().to_vec();
    let tols = model.input_tols().to_vec();
    let w0 = model.weights().to_vec();
    let syn = hyper.synapse();
    let kern = hyper.kernel();
    let mut g = c.benchmark_group("component");
    let mut j = [0.0f32; 64];
    g.bench_function("forward", |b| {
        b.iter(|| {
            syn.forward(black_box(&epsp), black_box(&w0), &mut j)
                .unwrap()
        })
    });
    let (mut s, mut t0) = ([0.0f32; 64], [0.0f32; 64]);
    g.bench_function("bernoulli", |b| {
        b.iter(|| bernoulli(black_box(&images[3]), 75.0, &mut draws, &mut s, &mut t0))
    });
    let mut tf = [0.0f32; 128];
    let mut ep = [0.0f32; 64];
    g.bench_function("kernel", |b| {
        b.iter(|| kern.advance(black_box(&s), 75.0, &mut tf, &mut ep).unwrap())
    });
    let mut post = [0.0f32; 64];
    post[7] = 1.0;
    let mut w = w0.clone();
    g.bench_function("evolve_one_spike", |b| {
        b.iter(|| {
            syn.evolve(black_box(&tols), black_box(&post), 75.0, &mut w)
                .unwrap()
        })
    });
    g.bench_function("cell_advance", |b| {
        let mut t = 0.0;
        b.iter(|| {
            t += 3.0;
            model.cell_mut().advance(black_box(t), 3.0).unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
