//! Every backend's probabilities against the specification's, bit for bit,
//! on each pair of softmax path and `exp` range that the vector loops pick
//! an `exp` for.
//!
//! The loops run one of six `exp`s: the reference's inline one or
//! YNNPACK's (the shape's [`SoftmaxPath`]: YNNPACK from `batch × n >=
//! 4096`), each for any input, for inputs in [−inf, 0], or for inputs in
//! [−86, 0] (no clamp, no flush). Which one a pass runs is chosen per row:
//!
//! - the public softmax: any input;
//! - a plain step (a state the plain loops take, `dt >= 2^-102`): [−86, 0]
//!   where the row's spread `min - max` is at least −86, else [−inf, 0];
//! - any other step with a finite max: [−inf, 0].
//!
//! The spike-level tests see a wrong choice only where a spike hangs on the
//! last bit; here each probability is checked itself. The specification's
//! probabilities come from its literal step ([`spec::step_row`]): a unit
//! spikes exactly where its probability beats its threshold, so bisecting
//! the thresholds finds every probability's bits. A backend's softmax is
//! compared with them directly; its step is run twice, with every
//! threshold at the probability (no unit may spike) and one ulp below it
//! (every unit must spike), which pins the step's probabilities to the
//! same bits.
//!
//! The rows are narrow (every `x - max` in [−80, 0]) or wide (reaching
//! below −86, past both `exp`s' clamps, and `-inf` in some rows), in
//! shapes on both sides of 4,096 elements, with random values: the inline
//! `exp` and YNNPACK's differ in the last bit on about 2% of inputs, and
//! each case checks that they differ on some of its own, so that running
//! the other path's `exp` would fail it.

mod common;

use common::rng::Rng;
use wtas::kernels::spec::{self, StepInputs};
use wtas::kernels::{Backend, SoftmaxPath};
use wtas::{Buffers, Cell, Config};

/// Where the loops' `exp` without clamp and flush begins (`NO_FLUSH_FROM`
/// in the specification's `exp.rs`, crate-private).
const NO_FLUSH_FROM: f32 = -86.0;

/// Shapes `(batch, n)`: inline below 4,096 elements, YNNPACK from there;
/// rows with groups of four chunks, single chunks and a padded tail.
const SHAPES: [(usize, usize); 6] = [
    (3, 203),
    (1, 4095),
    (63, 65),
    (1, 4096),
    (64, 64),
    (3, 1366),
];

/// How far below its max a row reaches.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Spread {
    /// Every `x - max` in [−80, 0]: inside the no-flush range.
    Narrow,
    /// Most `x - max` in [−30, 0], the rest in [−88.1, −86] (the flush
    /// edge and both `exp`s' clamps, −87.8 and −88.03), [−200, −88] and
    /// `-inf` in some rows.
    Wide,
}

/// One row of `n` values, its max at a random unit. No value is
/// subnormal (the step flushes the operands of `x - max`, the public
/// softmax does not; they agree everywhere else).
///
/// The max is near 0 or far above it, and half the wide rows hold no
/// `-inf`, so that the row's spread is told apart from any other
/// combination of its min and max (`min + max`, `min / max`).
fn row(g: &mut Rng, n: usize, spread: Spread) -> Vec<f32> {
    let top = if g.below(2) == 0 {
        g.range(-3.0, 3.0)
    } else {
        g.range(40.0, 90.0)
    };
    let with_inf = g.below(2) == 0;
    let mut x: Vec<f32> = (0..n)
        .map(|_| match spread {
            Spread::Narrow => top - g.range(0.0, 80.0),
            Spread::Wide => match g.below(20) {
                0..=13 => top - g.range(0.0, 30.0),
                14 | 15 => top - g.range(86.0, 87.7),
                16 => top - g.range(87.7, 88.1),
                17 | 18 => top - g.range(88.0, 200.0),
                _ if with_inf => f32::NEG_INFINITY,
                _ => top - g.range(86.0, 100.0),
            },
        })
        .collect();
    let at = g.index(n);
    x[at] = top;
    if spread == Spread::Wide {
        // At least one value past the no-flush range, whatever was drawn.
        x[(at + 1) % n] = top - 100.0;
    }
    x
}

/// The inputs of a step that leaves every unit awake (`rfr = 0 >=
/// refract_time = 0`) with `v = j`, on `path`.
fn inputs(path: SoftmaxPath) -> StepInputs {
    StepInputs {
        resist_m: 1.0,
        refract_time: 0.0,
        thr_gain: 0.002,
        t: 1.0,
        dt: 1.0,
        path,
    }
}

/// The specification's probability of every unit of the row `x` on
/// `path`: `flush(exp(x - max) * (1 / sum))`, found from its literal step
/// alone. A unit spikes where its probability `p > thr` (a zero or
/// subnormal `thr` read as 0), so over the bit patterns of `thr` from
/// `+0.0` to `+inf` (ordered as their values) it spikes exactly below
/// `bits(p)`: bisection on all units at once. A NaN probability never
/// spikes and comes out as `+0.0`.
fn spec_probabilities(x: &[f32], path: SoftmaxPath) -> Vec<f32> {
    let n = x.len();
    let k = inputs(path);
    // `lo` spikes (−1: below every pattern), `hi` does not (`+inf`).
    let (mut lo, mut hi) = (vec![-1_i64; n], vec![0x7f80_0000_i64; n]);
    let (mut v, mut s, mut thr) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    let (mut rfr, mut tols) = (vec![0.0; n], vec![0.0; n]);
    while lo.iter().zip(&hi).any(|(l, h)| h - l > 1) {
        for ((t, l), h) in thr.iter_mut().zip(&lo).zip(&hi) {
            *t = f32::from_bits(((l + h).div_euclid(2)).max(0) as u32);
        }
        rfr.fill(0.0);
        tols.fill(0.0);
        let thr_in = thr.clone();
        spec::step_row(&k, x, &mut v, &mut s, &mut thr, &mut rfr, &mut tols).unwrap();
        for (((l, h), s), t) in lo.iter_mut().zip(&mut hi).zip(&s).zip(&thr_in) {
            if *h - *l > 1 {
                let mid = i64::from(t.to_bits());
                if *s == 1.0 { *l = mid } else { *h = mid }
            }
        }
        thr = thr_in;
    }
    hi.into_iter().map(|b| f32::from_bits(b as u32)).collect()
}

/// The specification's probabilities of `x`, `batch` rows of `n`, on the
/// shape's path.
fn spec_softmax(batch: usize, n: usize, x: &[f32]) -> Vec<f32> {
    let path = SoftmaxPath::for_shape(batch, n);
    x.chunks(n)
        .flat_map(|r| spec_probabilities(r, path))
        .collect()
}

/// How many of `ds` (values of `x - max`) the two paths' `exp`s give
/// different bits for, seen through the specification's step on the row
/// `[0, d]`: both paths sum two terms as `1 + exp(d)`, so the row's
/// probabilities differ between the paths only where `exp(d)` does.
fn exps_differ(ds: &[f32]) -> usize {
    ds.iter()
        .filter(|&&d| {
            let inline = spec_probabilities(&[0.0, d], SoftmaxPath::Inline);
            let ynnpack = spec_probabilities(&[0.0, d], SoftmaxPath::Ynnpack);
            inline
                .iter()
                .zip(&ynnpack)
                .any(|(a, b)| a.to_bits() != b.to_bits())
        })
        .count()
}

/// The spikes of one step of a cell of `batch` rows of `n` on `backend`
/// from the state `j = x`, thresholds `thr`, every unit awake. With
/// `plain`, `dt = 1` and the step is plain (thresholds at least
/// `f32::MIN_POSITIVE` in magnitude, `rfr` and `tols` zero); without,
/// `dt = 1e-31`, below `2^-102`, and the general loops step every row.
fn step_spikes(
    backend: Backend,
    batch: usize,
    n: usize,
    x: &[f32],
    thr: &[f32],
    plain: bool,
) -> Vec<f32> {
    let params = Config {
        batch_size: batch,
        refract_time: 0.0,
        ..Config::new(n)
    }
    .validate()
    .unwrap();
    let len = batch * n;
    let mut mem = vec![0.0_f32; 6 * len];
    mem[..len].copy_from_slice(x);
    mem[3 * len..4 * len].copy_from_slice(thr);
    let mut cell = Cell::resume(params, Buffers::from_slice(&mut mem, len).unwrap()).unwrap();
    cell.set_backend(backend).unwrap();
    cell.advance(1.0, if plain { 1.0 } else { 1e-31 }).unwrap();
    cell.s().to_vec()
}

/// `what` for unit `i` of `x`: its row, unit, `x - max` and probability.
fn describe(n: usize, x: &[f32], p: &[f32], i: usize) -> String {
    let r = &x[i / n * n..][..n];
    let max = r.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    format!(
        "row {}, unit {}: x - max = {:e}, the specification's probability {:e} ({:#010x})",
        i / n,
        i % n,
        x[i] - max,
        p[i],
        p[i].to_bits()
    )
}

/// Every backend on one shape and spread: the softmax, a plain step and a
/// general step, each probability against the specification's.
fn check(batch: usize, n: usize, spread: Spread, seed: u64) {
    let mut g = Rng::new(seed);
    let x: Vec<f32> = (0..batch).flat_map(|_| row(&mut g, n, spread)).collect();
    let path = SoftmaxPath::for_shape(batch, n);
    let case = format!("{batch} x {n}, {spread:?}, {path:?}");

    // The rows are what the case says.
    for r in x.chunks(n) {
        let max = r.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let min = r.iter().copied().fold(f32::INFINITY, f32::min);
        assert_eq!(
            min - max >= NO_FLUSH_FROM,
            spread == Spread::Narrow,
            "{case}: spread"
        );
    }
    // The two paths' `exp`s differ on some of this case's inputs.
    let ds: Vec<f32> = x
        .chunks(n)
        .flat_map(|r| {
            let max = r.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            r.iter().map(move |v| v - max)
        })
        .filter(|d| d.is_finite())
        .take(400)
        .collect();
    let differ = exps_differ(&ds);
    assert!(
        differ > 0,
        "{case}: the inline and YNNPACK exps agree on all {} inputs tried",
        ds.len()
    );

    let p = spec_softmax(batch, n, &x);
    assert!(
        p.iter().any(|p| *p > 0.0 && *p < 1.0),
        "{case}: no probability strictly between 0 and 1"
    );
    // Thresholds at each probability, and one ulp below it; a probability
    // too small for a normal threshold below it is bounded above by
    // `f32::MIN_POSITIVE` only (a plain step takes no smaller threshold).
    let at: Vec<f32> = p.iter().map(|&p| p.max(f32::MIN_POSITIVE)).collect();
    let below: Vec<f32> = p
        .iter()
        .map(|&p| {
            if p > f32::MIN_POSITIVE {
                f32::from_bits(p.to_bits() - 1)
            } else {
                -1.0
            }
        })
        .collect();

    for &backend in Backend::ALL.iter().filter(|b| b.is_available()) {
        let name = backend.name();
        let mut out = vec![0.0; x.len()];
        backend.softmax(batch, n, &x, &mut out).unwrap();
        for (i, (got, want)) in out.iter().zip(&p).enumerate() {
            assert!(
                got.to_bits() == want.to_bits(),
                "{case}, {name} softmax: {:e} ({:#010x}) at {}",
                got,
                got.to_bits(),
                describe(n, &x, &p, i)
            );
        }
        for plain in [true, false] {
            let step = if plain { "plain step" } else { "general step" };
            let none = step_spikes(backend, batch, n, &x, &at, plain);
            let all = step_spikes(backend, batch, n, &x, &below, plain);
            for i in 0..x.len() {
                assert!(
                    none[i] == 0.0,
                    "{case}, {name} {step}: probability above the specification's at {}",
                    describe(n, &x, &p, i)
                );
                assert!(
                    all[i] == 1.0,
                    "{case}, {name} {step}: probability below the specification's at {}",
                    describe(n, &x, &p, i)
                );
            }
        }
    }
}

#[test]
fn narrow_rows_every_backend_both_paths() {
    for (k, (batch, n)) in SHAPES.into_iter().enumerate() {
        check(batch, n, Spread::Narrow, 100 + k as u64);
    }
}

#[test]
fn wide_rows_every_backend_both_paths() {
    for (k, (batch, n)) in SHAPES.into_iter().enumerate() {
        check(batch, n, Spread::Wide, 200 + k as u64);
    }
}
