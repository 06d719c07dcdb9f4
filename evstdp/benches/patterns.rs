//! Patterns per second of the evstdp model and where a pattern's time goes,
//! without a benchmark framework (so that the crate's dev-dependencies stay
//! small): plain `Instant` timings, medians and ranges of repeated runs.
//!
//! ```text
//! taskset -c 0 cargo bench -p wtas-evstdp --bench patterns
//! taskset -c 0 cargo bench -p wtas-evstdp --bench patterns -- --epoch learn 100 100
//! ```
//!
//! Without arguments: for 64 inputs × 64 units (the 8×8 digits) and 100 ×
//! 100 (the exhibit's size: the digits resampled to 10×10, as
//! `evstdp/scripts/record_ngclearn.py` does), five timed epochs of each
//! mode over the first 1,200 digits (`learn`: STDP on; `frozen`: off), each
//! after a warm-up epoch, then the time of one call of each part of a step
//! on a state taken from the middle of a real presentation (fastest of 15
//! batches).
//!
//! `--epoch MODE IN HID`: one warm-up epoch, then one timed epoch; prints
//! `patterns_per_second <value>` (what `evstdp/scripts/speed_compare.py`
//! runs, alternating with ngclearn). `--components IN HID`: only the
//! per-component timings.

use std::hint::black_box;
use std::time::Instant;

use wtas_evstdp::{HeapStorage, Hyper, Model, SeededDraws, bernoulli, init_weights};

const DIGITS: &[u8] = include_bytes!("../data/digits.bin");
const TRAIN: usize = 1200;

/// Digit `i` on `n_in` inputs: pixels / 16, resampled by nearest neighbour
/// to a square grid when `n_in` is a square other than 64.
fn image(i: usize, n_in: usize) -> Vec<f32> {
    let px = &DIGITS[i * 65..i * 65 + 64];
    let side = (n_in as f64).sqrt().round() as usize;
    (0..n_in)
        .map(|k| {
            let p = if n_in == 64 {
                k
            } else if side * side == n_in {
                (k / side) * 8 / side * 8 + (k % side) * 8 / side
            } else {
                k % 64
            };
            f32::from(px[p]) / 16.0
        })
        .collect()
}

/// The model's buffers, owned, with weights from `draws`.
fn storage(hyper: &Hyper, n_in: usize, n_hid: usize, draws: &mut SeededDraws) -> HeapStorage {
    let mut st = HeapStorage::new(n_in, n_hid, hyper.win_len());
    init_weights(st.weights_mut(), draws);
    st
}

fn model(st: &mut HeapStorage, hyper: Hyper) -> Model<'_> {
    Model::new(hyper, st.buffers(), 2018 ^ 0x5eed).expect("model")
}

/// One epoch over the first `TRAIN` digits; returns (seconds, spikes).
fn epoch(
    model: &mut Model<'_>,
    images: &[Vec<f32>],
    draws: &mut SeededDraws,
    learn: bool,
) -> (f64, u32) {
    let mut counts = vec![0u32; model.n_hid()];
    let mut spikes = 0;
    let start = Instant::now();
    for x in images {
        spikes += model
            .present(black_box(x), draws, learn, &mut counts)
            .expect("present");
    }
    (start.elapsed().as_secs_f64(), spikes)
}

/// Patterns per second of `runs` timed epochs, each after one warm-up
/// epoch (a fresh model each time, from the same seed), and the post
/// spikes per pattern of the last.
fn epochs(learn: bool, n_in: usize, n_hid: usize, runs: usize) -> (Vec<f64>, f64) {
    let hyper = Hyper::EXHIBIT;
    let images: Vec<Vec<f32>> = (0..TRAIN).map(|i| image(i, n_in)).collect();
    let mut spikes = 0;
    let pps = (0..runs)
        .map(|_| {
            let mut draws = SeededDraws::new(2018);
            let mut st = storage(&hyper, n_in, n_hid, &mut draws);
            let mut model = model(&mut st, hyper);
            epoch(&mut model, &images, &mut draws, true);
            let (s, n) = epoch(&mut model, &images, &mut draws, learn);
            spikes = n;
            TRAIN as f64 / s
        })
        .collect();
    (pps, f64::from(spikes) / TRAIN as f64)
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Nanoseconds per call of `f` in the fastest of 15 batches of `iters`
/// calls (on a shared machine the fastest batch is the least disturbed).
fn per_call(iters: usize, mut f: impl FnMut()) -> f64 {
    (0..15)
        .map(|_| {
            let s = Instant::now();
            for _ in 0..iters {
                f();
            }
            s.elapsed().as_secs_f64() * 1e9 / iters as f64
        })
        .fold(f64::MAX, f64::min)
}

/// One call of each part of a step, on a state 25 steps into a pattern.
fn components(n_in: usize, n_hid: usize) {
    let hyper = Hyper::EXHIBIT;
    let mut draws = SeededDraws::new(1);
    let mut st = storage(&hyper, n_in, n_hid, &mut draws);
    let mut model = model(&mut st, hyper);
    let images: Vec<Vec<f32>> = (0..64).map(|i| image(i, n_in)).collect();
    let mut counts = vec![0u32; n_hid];
    for x in images.iter().cycle().take(256) {
        model
            .present(x, &mut draws, true, &mut counts)
            .expect("warm");
    }
    let mut i = 0;
    let frozen = per_call(200, || {
        i = (i + 1) % images.len();
        model
            .present(black_box(&images[i]), &mut draws, false, &mut counts)
            .expect("present");
    });
    model.reset();
    for k in 0..25 {
        model
            .step(&images[3], hyper.time(k), &mut draws, true)
            .expect("step");
    }
    let epsp = model.epsp().to_vec();
    let tols = model.input_tols().to_vec();
    let w0 = model.weights().to_vec();
    let (syn, kern) = (hyper.synapse(), hyper.kernel());
    let active = epsp.iter().filter(|e| **e != 0.0).count();
    let mut j = vec![0.0f32; n_hid];
    let forward = per_call(20_000, || {
        syn.forward(black_box(&epsp), black_box(&w0), &mut j)
            .expect("forward")
    });
    let (mut s, mut t0) = (vec![0.0f32; n_in], vec![0.0f32; n_in]);
    let bern = per_call(20_000, || {
        bernoulli(black_box(&images[3]), 75.0, &mut draws, &mut s, &mut t0)
    });
    let mut tf = vec![0.0f32; hyper.win_len() * n_in];
    let mut ep = vec![0.0f32; n_in];
    let kernel = per_call(20_000, || {
        kern.advance(black_box(&s), 75.0, &mut tf, &mut ep)
            .expect("kernel")
    });
    let mut post = vec![0.0f32; n_hid];
    post[7] = 1.0;
    let mut w = w0.clone();
    let evolve = per_call(20_000, || {
        syn.evolve(black_box(&tols), black_box(&post), 75.0, &mut w)
            .expect("evolve")
    });
    let mut t = 0.0;
    let cell = per_call(20_000, || {
        t += 3.0;
        model.cell_mut().advance(black_box(t), 3.0).expect("cell")
    });
    let step = forward + bern + kernel + cell;
    println!(
        "components {n_in}x{n_hid} (ns per call, fastest batch): forward {forward:.0} ({active} of {n_in} inputs active), \
         bernoulli {bern:.0}, kernel {kernel:.0}, cell {cell:.0}, evolve with one post spike {evolve:.0}; \
         a frozen step's four parts sum to {step:.0} ns, x50 = {:.1} us of a frozen pattern's {:.1} us \
         (each part timed alone, in a loop of independent calls)",
        step * 50.0 / 1e3,
        frozen / 1e3
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(at) = args.iter().position(|a| a == "--epoch") {
        let get = |k: usize| args.get(at + k).expect("--epoch MODE IN HID");
        let learn = get(1) == "learn";
        let (n_in, n_hid) = (get(2).parse().expect("IN"), get(3).parse().expect("HID"));
        let pps = epochs(learn, n_in, n_hid, 1).0[0];
        println!("patterns_per_second {pps:.1}");
        return;
    }
    if let Some(at) = args.iter().position(|a| a == "--components") {
        let get = |k: usize| args.get(at + k).expect("--components IN HID");
        components(get(1).parse().expect("IN"), get(2).parse().expect("HID"));
        return;
    }
    // `cargo bench` passes `--bench`; any other argument is a size filter.
    let filter = args.iter().find(|a| !a.starts_with("--"));
    for (n_in, n_hid) in [(64, 64), (100, 100)] {
        let name = format!("{n_in}x{n_hid}");
        if filter.is_some_and(|f| !name.contains(f.as_str())) {
            continue;
        }
        for learn in [true, false] {
            let (mut v, spikes) = epochs(learn, n_in, n_hid, 5);
            let (lo, hi) = (
                v.iter().copied().fold(f64::MAX, f64::min),
                v.iter().copied().fold(0.0, f64::max),
            );
            println!(
                "pattern/{}/{name}: median {:.0} patterns/s (range {lo:.0} to {hi:.0}, 5 epochs of {TRAIN}; {spikes:.1} post spikes per pattern)",
                if learn { "learn" } else { "frozen" },
                median(&mut v)
            );
        }
        components(n_in, n_hid);
    }
}
