//! Accuracy and special values of the crate's own `exp`.
//!
//! Contract: less than 1 ulp from the exact `exp` (so at most 1 ulp from the
//! correctly rounded one) wherever that is
//! a normal float; below that `+0.0` (never a subnormal); `exp(-inf) = 0`,
//! `exp(+inf) = inf`, NaN in gives `f32::NAN` out. Every backend gives the
//! same bits as the scalar twin.

use wtas::kernels::{self, Backend, LANES};

/// Error of `y` against `exp(x)` computed in f64, in ulps of the f32 binade
/// of the exact result (binades below the normal range count as the lowest
/// normal one).
fn ulp_error(x: f32, y: f32) -> f64 {
    let exact = (x as f64).exp();
    let e = ((exact.to_bits() >> 52) & 0x7ff) as i32 - 1023;
    let ulp = 2f64.powi(e.max(-126) - 23);
    ((y as f64) - exact).abs() / ulp
}

/// Worst error so far and where.
#[derive(Default, Clone, Copy)]
struct Worst {
    ulp: f64,
    at: f32,
    checked: u64,
}

/// Checks up to eight inputs on every available backend against the contract.
fn check(inputs: &[f32], worst: &mut Worst) {
    let mut xs = [0.0; LANES];
    xs[..inputs.len()].copy_from_slice(inputs);
    let reference = Backend::Reference.exp8(xs);
    for &b in Backend::ALL.iter().filter(|b| b.is_available()) {
        let ys = b.exp8(xs);
        for i in 0..LANES {
            assert_eq!(
                ys[i].to_bits(),
                reference[i].to_bits(),
                "{} exp({:e}) differs from scalar",
                b.name(),
                xs[i]
            );
        }
    }
    for (&x, &y) in inputs.iter().zip(&reference) {
        assert_eq!(y.to_bits(), kernels::exp_f32(x).to_bits());
        assert!(!y.is_subnormal(), "exp({x:e}) = {y:e} is subnormal");
        let correctly_rounded = (x as f64).exp() as f32;
        if x.is_nan() {
            assert_eq!(y.to_bits(), f32::NAN.to_bits(), "exp(NaN)");
            continue;
        }
        if correctly_rounded.is_infinite() {
            assert_eq!(y, f32::INFINITY, "exp({x:e}) overflows");
            continue;
        }
        let err = ulp_error(x, y);
        if correctly_rounded >= f32::MIN_POSITIVE {
            assert!(err < 1.0, "exp({x:e}) = {y:e}: {err:.3} ulp");
        } else {
            assert!(
                y == 0.0 || err < 1.0,
                "exp({x:e}) = {y:e} below the normal range"
            );
            if y == 0.0 {
                assert_eq!(y.to_bits(), 0, "exp({x:e}) is -0.0");
            }
        }
        worst.checked += 1;
        if y != 0.0 && err > worst.ulp {
            *worst = Worst {
                ulp: err,
                at: x,
                checked: worst.checked,
            };
        }
    }
}

/// Checks every `step`-th f32 bit pattern from `lo` to `hi` (inclusive, both
/// bit patterns of negative floats, `lo` nearer zero).
fn sweep_negative(from_bits: u32, to_bits: u32, step: usize) -> Worst {
    let mut worst = Worst::default();
    let mut xs = [0.0; LANES];
    let mut k = 0;
    for bits in (from_bits..=to_bits).step_by(step) {
        xs[k] = f32::from_bits(bits);
        k += 1;
        if k == LANES {
            check(&xs, &mut worst);
            k = 0;
        }
    }
    check(&xs[..k], &mut worst);
    worst
}

#[test]
fn special_values() {
    let xs = [
        f32::NEG_INFINITY,
        f32::INFINITY,
        f32::NAN,
        -f32::NAN,
        0.0,
        -0.0,
        f32::MAX,
        f32::MIN,
    ];
    let ys = Backend::Reference.exp8(xs);
    assert_eq!(ys[0].to_bits(), 0, "exp(-inf) = +0");
    assert_eq!(ys[1], f32::INFINITY);
    assert_eq!(ys[2].to_bits(), f32::NAN.to_bits());
    assert_eq!(ys[3].to_bits(), f32::NAN.to_bits());
    assert_eq!(ys[4], 1.0);
    assert_eq!(ys[5], 1.0);
    assert_eq!(ys[6], f32::INFINITY);
    assert_eq!(ys[7].to_bits(), 0);
    let mut w = Worst::default();
    check(&xs, &mut w);
    // Payload NaNs, subnormal inputs, the edges of the normal output range.
    check(
        &[
            f32::from_bits(0x7f80_0001),
            f32::from_bits(0xffff_ffff),
            f32::from_bits(1),
            -f32::from_bits(1),
            -87.336_55,
            -87.336_54,
            88.722_83,
            88.722_84,
        ],
        &mut w,
    );
}

/// A dense sweep, run in every `cargo test`: every 3989th f32 in [-104, 0]
/// (about 280,000 inputs), every 4th near the bottom of the normal range, and
/// every 4001st of the positive inputs up to overflow, and every input in
/// [88, 89] around the overflow threshold.
#[test]
fn dense_sweep() {
    let neg = sweep_negative(0x8000_0000, (-104.0_f32).to_bits(), 3989);
    let edge = sweep_negative((-86.0_f32).to_bits(), (-88.0_f32).to_bits(), 4);
    let pos = {
        let mut worst = Worst::default();
        let top = 89.0_f32.to_bits();
        let mut xs = [0.0; LANES];
        for (i, bits) in (0..=top).step_by(4001).enumerate() {
            xs[i % LANES] = f32::from_bits(bits);
            if i % LANES == LANES - 1 {
                check(&xs, &mut worst);
            }
        }
        worst
    };
    // Every input from 88 to 89, across the overflow threshold.
    let top = {
        let mut worst = Worst::default();
        let bits: Vec<f32> = (88.0_f32.to_bits()..=89.0_f32.to_bits())
            .map(f32::from_bits)
            .collect();
        for xs in bits.chunks(LANES) {
            check(xs, &mut worst);
        }
        worst
    };
    for (name, w) in [
        ("[-104, 0]", neg),
        ("[-88, -86]", edge),
        ("[0, 89]", pos),
        ("[88, 89]", top),
    ] {
        println!(
            "exp {name}: {} inputs, max {:.3} ulp at {:e}",
            w.checked, w.ulp, w.at
        );
        assert!(w.checked > 50_000);
    }
}

/// Every f32 in [-104, 0]. Run in release mode (`.ci/run` does):
/// `cargo test --release --test exp -- --ignored`.
#[test]
#[ignore = "exhaustive: about a billion inputs, run in release mode"]
fn exhaustive_negative() {
    let lo = 0x8000_0000_u32;
    let hi = (-104.0_f32).to_bits();
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()) as u32;
    let span = (hi - lo) / threads + 1;
    let worst = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|k| {
                let from = lo + k * span;
                let to = (from + span - 1).min(hi);
                s.spawn(move || sweep_negative(from, to, 1))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap())
            .fold(Worst::default(), |a, b| {
                let mut m = if b.ulp > a.ulp { b } else { a };
                m.checked = a.checked + b.checked;
                m
            })
    });
    println!(
        "exp exhaustive [-104, 0]: {} inputs, max {:.3} ulp at {:e}",
        worst.checked, worst.ulp, worst.at
    );
    assert_eq!(worst.checked, (hi - lo + 1) as u64);
}
