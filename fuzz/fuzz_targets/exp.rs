//! The reference's `exp` on eight arbitrary lanes (any f32 bit patterns):
//! every backend's `Backend::exp`, the `wide` entry point `kernels::exp` and the
//! scalar twin `exp_f32` agree bit for bit with the scalar kernels, and
//! each lane meets the documented contract against `exp` computed in f64.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wtas::kernels::{self, Backend, LANES};

/// Error of `y` against `exp(x)` in f64, in ulps of the f32 binade of the
/// exact result.
fn ulp_error(x: f32, y: f32) -> f64 {
    let exact = (x as f64).exp();
    let e = ((exact.to_bits() >> 52) & 0x7ff) as i32 - 1023;
    let ulp = 2f64.powi(e.max(-126) - 23);
    ((y as f64) - exact).abs() / ulp
}

fn check_lane(x: f32, y: f32) {
    if x.is_nan() {
        assert_eq!(
            y.to_bits(),
            f32::NAN.to_bits(),
            "exp({x:?}) is not f32::NAN"
        );
        return;
    }
    assert!(!y.is_nan(), "exp({x:e}) = NaN");
    assert!(!y.is_subnormal(), "exp({x:e}) = {y:e} is subnormal");
    assert!(y.is_sign_positive(), "exp({x:e}) = {y:e} is negative");
    let correctly_rounded = (x as f64).exp() as f32;
    if correctly_rounded.is_infinite() {
        assert_eq!(
            y,
            f32::INFINITY,
            "exp({x:e}) = {y:e}, must overflow to +inf"
        );
    } else if correctly_rounded >= f32::MIN_POSITIVE {
        // The reference's polynomial: within 2 ulp on the softmax's range,
        // less accurate near overflow, where its reduction is clamped.
        let err = ulp_error(x, y);
        let bound = if x <= 0.0 { 2.0 } else { 8.0 };
        assert!(err <= bound, "exp({x:e}) = {y:e}: {err:.3} ulp");
    } else {
        assert_eq!(
            y.to_bits(),
            0,
            "exp({x:e}) = {y:e}, expected +0.0 below the normal range"
        );
    }
}

fuzz_target!(|bits: [u32; LANES]| {
    let x = bits.map(f32::from_bits);
    let reference = Backend::Scalar.exp(x);
    for &b in Backend::ALL.iter().filter(|b| b.is_available()) {
        let y = b.exp(x);
        for i in 0..LANES {
            assert_eq!(
                y[i].to_bits(),
                reference[i].to_bits(),
                "{}: exp({:e}) differs from the reference",
                b.name(),
                x[i]
            );
        }
    }
    let wide = kernels::exp(wide::f32x8::new(x)).to_array();
    for i in 0..LANES {
        assert_eq!(
            wide[i].to_bits(),
            reference[i].to_bits(),
            "kernels::exp lane {i}"
        );
        assert_eq!(
            kernels::exp_f32(x[i]).to_bits(),
            reference[i].to_bits(),
            "exp_f32({:e})",
            x[i]
        );
        check_lane(x[i], reference[i]);
    }
});
