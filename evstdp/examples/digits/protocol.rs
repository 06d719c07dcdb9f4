//! The digits protocol shared by the `digits` example and the short-training
//! test: data, split, training, labelling and classification.

#![allow(dead_code)]

use wtas_evstdp::{Hyper, Model, SeededDraws, Storage, init_weights};

/// Pixels per image (8 × 8).
pub const PIXELS: usize = 64;
/// Bytes per image in the file: the pixels, then the label.
pub const RECORD: usize = PIXELS + 1;
/// Classes (digits 0–9).
pub const CLASSES: usize = 10;
/// Units in the winner-take-all layer.
pub const UNITS: usize = 64;
/// Images in the file.
pub const IMAGES: usize = 1797;
/// The first `TRAIN` images train; the rest are held out.
pub const TRAIN: usize = 1200;
/// The kernel window of the exhibit's hyperparameters.
pub const WIN: usize = 2;

/// The 1,797 digits as 65-byte records (64 pixels 0..16, label); the type
/// checks the file's size.
pub static DIGITS: &[u8; IMAGES * RECORD] = include_bytes!("../../data/digits.bin");

/// Image `i`: pixels / 16 and its label.
pub fn image(i: usize) -> ([f32; PIXELS], usize) {
    let r = &DIGITS[i * RECORD..(i + 1) * RECORD];
    let mut x = [0.0; PIXELS];
    for (x, p) in x.iter_mut().zip(r) {
        *x = f32::from(*p) / 16.0;
    }
    (x, usize::from(r[PIXELS]))
}

/// The unit with most spikes (lowest index on a tie), if any spiked.
pub fn winner(counts: &[u32]) -> Option<usize> {
    let (mut best, mut at) = (0, None);
    for (k, c) in counts.iter().enumerate() {
        if *c > best {
            best = *c;
            at = Some(k);
        }
    }
    at
}

/// Per unit, how often it won each class.
#[derive(Clone)]
pub struct Labels {
    wins: Vec<[u32; CLASSES]>,
}

impl Labels {
    /// No wins yet.
    pub fn new(units: usize) -> Self {
        Labels {
            wins: vec![[0; CLASSES]; units],
        }
    }
    /// Records that the pattern of class `y` produced `counts`.
    pub fn record(&mut self, counts: &[u32], y: usize) {
        if let Some(k) = winner(counts) {
            self.wins[k][y] += 1;
        }
    }
    /// The class unit `k` wins most (lowest class on a tie), if it ever won.
    pub fn label(&self, k: usize) -> Option<usize> {
        let w = &self.wins[k];
        let best = *w.iter().max()?;
        (best > 0).then(|| w.iter().position(|c| *c == best).unwrap_or(0))
    }
    /// Units that won at least once.
    pub fn labelled(&self) -> usize {
        (0..self.wins.len())
            .filter(|k| self.label(*k).is_some())
            .count()
    }
    /// The class whose labelled units spiked most (a vote by spikes).
    pub fn classify(&self, counts: &[u32]) -> Option<usize> {
        let mut votes = [0u32; CLASSES];
        for (k, c) in counts.iter().enumerate() {
            if let Some(y) = self.label(k) {
                votes[y] += c;
            }
        }
        let best = *votes.iter().max()?;
        (best > 0).then(|| votes.iter().position(|v| *v == best).unwrap_or(0))
    }
}

/// What to run.
#[derive(Clone, Copy, Debug)]
pub struct Plan {
    /// Passes over the training images.
    pub epochs: usize,
    /// Training images used (the first `train` of the file).
    pub train: usize,
    /// Held-out images used (from image `TRAIN` on).
    pub test: usize,
    /// Seed of the weights, thresholds and draws.
    pub seed: u64,
}

impl Plan {
    /// The full run: 3 epochs over 1,200 images, 597 held out.
    pub const FULL: Plan = Plan {
        epochs: 3,
        train: TRAIN,
        test: IMAGES - TRAIN,
        seed: 2018,
    };
}

/// Accuracy after one epoch.
#[derive(Clone, Copy, Debug)]
pub struct EpochResult {
    /// 1-based.
    pub epoch: usize,
    /// Training patterns whose winner's label (at the time) was right, in %.
    pub running: f64,
    /// Held-out accuracy with labels from a frozen pass over the training
    /// images, in %.
    pub test: f64,
    /// Units with a label.
    pub labelled: usize,
}

/// The result of a run.
pub struct Outcome {
    /// One entry per epoch.
    pub epochs: Vec<EpochResult>,
    /// Final weights, row-major 64 × UNITS.
    pub weights: Vec<f32>,
    /// Patterns presented with learning on.
    pub trained: usize,
    /// Seconds spent in training presentations only.
    pub train_seconds: f64,
}

/// Trains and evaluates; `progress(epoch, done, running_accuracy)` is called
/// every few patterns.
pub fn run(plan: Plan, mut progress: impl FnMut(usize, usize, f64)) -> Outcome {
    let mut storage: Box<Storage<PIXELS, UNITS, WIN>> = Box::new(Storage::new());
    let mut draws = SeededDraws::new(plan.seed);
    init_weights(storage.weights_mut(), &mut draws);
    let hyper = Hyper::EXHIBIT;
    assert_eq!(hyper.win_len(), WIN);
    let mut model = Model::new(hyper, storage.buffers(), plan.seed ^ 0x5eed).expect("model");
    let mut counts = [0u32; UNITS];
    let mut epochs = Vec::new();
    let mut online = Labels::new(UNITS);
    let mut train_seconds = 0.0;
    for epoch in 1..=plan.epochs {
        let (mut right, mut seen) = (0usize, 0usize);
        let start = std::time::Instant::now();
        for i in 0..plan.train {
            let (x, y) = image(i);
            counts.fill(0);
            model
                .present(&x, &mut draws, true, &mut counts)
                .expect("step");
            if let Some(k) = winner(&counts) {
                right += usize::from(online.label(k) == Some(y));
            }
            seen += 1;
            online.record(&counts, y);
            if seen % 50 == 0 || seen == plan.train {
                progress(epoch, seen, 100.0 * right as f64 / seen as f64);
            }
        }
        train_seconds += start.elapsed().as_secs_f64();
        let (test, labelled) = evaluate(&mut model, &mut draws, plan);
        epochs.push(EpochResult {
            epoch,
            running: 100.0 * right as f64 / seen.max(1) as f64,
            test,
            labelled,
        });
    }
    Outcome {
        epochs,
        weights: model.weights().to_vec(),
        trained: plan.epochs * plan.train,
        train_seconds,
    }
}

/// Labels the units on the training images (learning off), then classifies
/// the held-out ones; returns accuracy in % and the labelled units.
pub fn evaluate(model: &mut Model<'_>, draws: &mut SeededDraws, plan: Plan) -> (f64, usize) {
    let mut counts = [0u32; UNITS];
    let mut labels = Labels::new(UNITS);
    for i in 0..plan.train {
        let (x, y) = image(i);
        counts.fill(0);
        model.present(&x, draws, false, &mut counts).expect("step");
        labels.record(&counts, y);
    }
    let mut right = 0;
    for i in TRAIN..TRAIN + plan.test {
        let (x, y) = image(i);
        counts.fill(0);
        model.present(&x, draws, false, &mut counts).expect("step");
        right += usize::from(labels.classify(&counts) == Some(y));
    }
    (
        100.0 * right as f64 / plan.test.max(1) as f64,
        labels.labelled(),
    )
}

/// Nearest class centroid on raw pixels: accuracy in % on the same split.
pub fn centroid_baseline(train: usize, test: usize) -> f64 {
    let mut sums = [[0.0f64; PIXELS]; CLASSES];
    let mut n = [0usize; CLASSES];
    for i in 0..train {
        let (x, y) = image(i);
        for (s, x) in sums[y].iter_mut().zip(x) {
            *s += f64::from(x);
        }
        n[y] += 1;
    }
    for (s, n) in sums.iter_mut().zip(n) {
        for s in s.iter_mut() {
            *s /= n.max(1) as f64;
        }
    }
    let mut right = 0;
    for i in TRAIN..TRAIN + test {
        let (x, y) = image(i);
        let d = |c: &[f64; PIXELS]| -> f64 {
            c.iter()
                .zip(x)
                .map(|(c, x)| (c - f64::from(x)).powi(2))
                .sum()
        };
        let mut best = 0;
        for c in 1..CLASSES {
            if d(&sums[c]) < d(&sums[best]) {
                best = c;
            }
        }
        right += usize::from(best == y);
    }
    100.0 * right as f64 / test.max(1) as f64
}
