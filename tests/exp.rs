//! The reference's `exp`: every backend against a literal transcription of
//! the polynomial the reference's compiled softmax runs (`DESIGN.md`,
//! "The softmax's last bits"), written here with the standard library's
//! `mul_add`, `floor`, `max`, `min` and an integer conversion, none of the
//! crate's own bit tricks; plus its accuracy, special values and flushing.

use wtas::kernels::{self, Backend, LANES};

/// The transcription: Cephes' `expf` as XLA emits it, each `fma` rounded
/// once, then flush-to-zero.
fn reference_exp(x: f32) -> f32 {
    let c = f32::from_bits;
    if x.is_nan() {
        return x;
    }
    let x = x.max(c(0xc2af_999a)).min(c(0x42b1_999a)); // [-87.8, 88.8]
    let fx = x.mul_add(c(0x3fb8_aa3b), 0.5).floor().clamp(-127.0, 127.0);
    let r = (-fx).mul_add(c(0x3f31_8000), x);
    let r = (-fx).mul_add(c(0xb95e_8083), r);
    let mut y = c(0x3950_6967).mul_add(r, c(0x3ab7_43ce));
    for k in [0x3c08_8908, 0x3d2a_a9c1, 0x3e2a_aaaa, 0x3f00_0000] {
        y = y.mul_add(r, c(k));
    }
    let y = y.mul_add(r * r, r) + 1.0;
    let e = y * f32::from_bits(((fx as i32 + 127) as u32) << 23);
    if e.is_subnormal() { 0.0 } else { e }
}

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

/// Checks up to eight inputs: every backend given (and the scalar twin)
/// against the transcription, bit for bit (any NaN for a NaN); tracks the
/// accuracy of normal results.
fn check_on(backends: &[Backend], inputs: &[f32], worst: &mut Worst) {
    let mut xs = [0.0; LANES];
    xs[..inputs.len()].copy_from_slice(inputs);
    let want = xs.map(reference_exp);
    let same = |a: f32, b: f32| a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan());
    for &b in backends.iter().filter(|b| b.is_available()) {
        let ys = b.exp(xs);
        for i in 0..LANES {
            assert!(
                same(ys[i], want[i]),
                "{} exp({:e} = {:#010x}) = {:#010x}, the reference's {:#010x}",
                b.name(),
                xs[i],
                xs[i].to_bits(),
                ys[i].to_bits(),
                want[i].to_bits()
            );
        }
    }
    for (&x, &y) in inputs.iter().zip(&want) {
        assert!(same(kernels::exp_f32(x), y), "exp_f32({x:e})");
        assert!(!y.is_subnormal(), "exp({x:e}) = {y:e} is subnormal");
        worst.checked += 1;
        if x.is_nan() || y == 0.0 || y.is_infinite() {
            continue;
        }
        let err = ulp_error(x, y);
        // The reference's exp is Cephes' single-precision polynomial: within
        // a few ulp wherever its result is normal, on the softmax's range
        // [-87.8, 0]; near overflow, where `n` is clamped to 127 and the
        // reduced argument leaves the polynomial's interval, less so.
        let bound = if x <= 0.0 { 3.0 } else { 8.0 };
        assert!(err < bound, "exp({x:e}) = {y:e}: {err:.3} ulp");
        if err > worst.ulp {
            *worst = Worst {
                ulp: err,
                at: x,
                checked: worst.checked,
            };
        }
    }
}

fn check(inputs: &[f32], worst: &mut Worst) {
    check_on(Backend::ALL, inputs, worst);
}

/// Checks every `step`-th f32 bit pattern from `lo` to `hi` (inclusive, both
/// bit patterns of negative floats, `lo` nearer zero) on `backends`.
fn sweep_negative_on(backends: &[Backend], from_bits: u32, to_bits: u32, step: usize) -> Worst {
    let mut worst = Worst::default();
    let mut xs = [0.0; LANES];
    let mut k = 0;
    for bits in (from_bits..=to_bits).step_by(step) {
        xs[k] = f32::from_bits(bits);
        k += 1;
        if k == LANES {
            check_on(backends, &xs, &mut worst);
            k = 0;
        }
    }
    check_on(backends, &xs[..k], &mut worst);
    worst
}

fn sweep_negative(from_bits: u32, to_bits: u32, step: usize) -> Worst {
    sweep_negative_on(Backend::ALL, from_bits, to_bits, step)
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
    let ys = Backend::Scalar.exp(xs);
    assert_eq!(ys[0].to_bits(), 0, "exp(-inf) = +0");
    assert_eq!(ys[1], f32::INFINITY);
    assert_eq!(ys[2].to_bits(), f32::NAN.to_bits(), "exp(NaN) is f32::NAN");
    assert_eq!(ys[3].to_bits(), f32::NAN.to_bits(), "exp(-NaN) is f32::NAN");
    assert_eq!(ys[4], 1.0);
    assert_eq!(ys[5], 1.0);
    assert_eq!(ys[6], f32::INFINITY);
    assert_eq!(ys[7].to_bits(), 0);
    let mut w = Worst::default();
    check(&xs, &mut w);
    // Payload NaNs, subnormal inputs, the clamps, where 2^n is 0 (n = -127)
    // and where the result turns subnormal (flushed).
    check(
        &[
            f32::from_bits(0x7f80_0001),
            f32::from_bits(0xffff_ffff),
            f32::from_bits(1),
            -f32::from_bits(1),
            f32::from_bits(0xc2af_999a),
            f32::from_bits(0x42b1_999a),
            -87.5,
            -87.0,
        ],
        &mut w,
    );
    // exp(0) is exactly 1, and tiny inputs give 1.
    assert_eq!(kernels::exp_f32(-1e-30), 1.0);
    assert_eq!(kernels::exp_f32(-f32::from_bits(1)), 1.0);
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

/// Every f32 in [-104, 0] on the scalar kernels and the detected
/// backend (the others share their code with one of these or run in the
/// dense sweep). Run in release mode (`.ci/run` does):
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
                s.spawn(move || {
                    sweep_negative_on(&[Backend::Scalar, Backend::detect()], from, to, 1)
                })
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
