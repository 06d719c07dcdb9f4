//! `advance_parallel` gives the serial step's bits (feature `parallel`).
#![cfg(feature = "parallel")]

mod common;

use common::rng::Rng;
use wtas::{Buffers, Cell, Config, InputReset};

#[test]
fn parallel_step_equals_serial() {
    for (batch, units) in [(1, 1), (3, 17), (16, 64), (64, 257)] {
        let params = Config {
            batch_size: batch,
            refract_time: 2.0,
            thr_gain: 0.01,
            ..Config::new(units)
        }
        .validate()
        .unwrap();
        let n = batch * units;
        let (mut a, mut b) = (vec![0.0_f32; 6 * n], vec![0.0_f32; 6 * n]);
        let bufs = Buffers::from_slice(&mut a, n).unwrap();
        let mut serial = Cell::new(params, bufs, 3).unwrap();
        let bufs = Buffers::from_slice(&mut b, n).unwrap();
        let mut parallel = Cell::new(params, bufs, 3).unwrap();
        let mut rng = Rng::new(12345);
        for step in 0..40 {
            for (p, q) in serial.j_mut().iter_mut().zip(parallel.j_mut()) {
                *p = rng.range(-8.0, 8.0);
                *q = *p;
            }
            if step == 25 {
                serial.reset(InputReset::Keep);
                parallel.reset(InputReset::Keep);
            }
            serial.advance(step as f32, 1.0).unwrap();
            parallel.advance_parallel(step as f32, 1.0).unwrap();
            for (x, y) in [
                (serial.v(), parallel.v()),
                (serial.s(), parallel.s()),
                (serial.thr(), parallel.thr()),
                (serial.rfr(), parallel.rfr()),
                (serial.tols(), parallel.tols()),
            ] {
                assert!(
                    x.iter().zip(y).all(|(p, q)| p.to_bits() == q.to_bits()),
                    "{batch}x{units} step {step}"
                );
            }
        }
        assert_eq!(
            parallel.advance_parallel(f32::NAN, 1.0),
            Err(wtas::Error::Time { value: f32::NAN })
        );
        assert_eq!(
            parallel.advance_parallel(0.0, 0.0),
            Err(wtas::Error::Dt { value: 0.0 })
        );
    }
}
