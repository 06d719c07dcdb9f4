//! The step benchmark's C baseline (`benches/cstep/`, hand-written AVX2 +
//! FMA, its own `exp`) is a real step: on the benchmark's input it gives
//! the same spikes, voltages, timers and thresholds as wtas, step after
//! step, with tails (row lengths that are not a multiple of eight) too.
//! Only in the repository, on x86-64 CPUs with AVX2 and FMA.
#![cfg(wtas_cstep)]

mod common;

use common::rng::bench_input;
use wtas::{Buffers, Cell, Config};
use wtas_cstep::{CStep, Consts, Spike, State};

/// Realistic input: small noise everywhere and one strong unit per row
/// (`bench_input`), so about one unit wins per row.
fn input(batch: usize, units: usize) -> Vec<f32> {
    bench_input(batch, units)
}

#[test]
fn c_step_agrees_with_wtas_on_the_bench_input() {
    let Some(cstep) = CStep::detect() else {
        eprintln!("skipped: this CPU does not run AVX2 and FMA");
        return;
    };
    let sizes = [(1, 16), (1, 1024), (4, 1027), (16, 1024), (3, 13)];
    for ((batch, units), spike) in sizes
        .into_iter()
        .flat_map(|s| [(s, Spike::Divide), (s, Spike::Reciprocal)])
    {
        let config = Config {
            batch_size: batch,
            refract_time: 2.0,
            thr_gain: 0.002,
            ..Config::new(units)
        };
        let params = config.validate().unwrap();
        let n = batch * units;
        let (mut a, mut b) = (vec![0.0_f32; 6 * n], vec![0.0_f32; 6 * n]);
        let mut cell = Cell::new(params, Buffers::from_slice(&mut a, n).unwrap(), 1).unwrap();
        cell.j_mut().copy_from_slice(&input(batch, units));
        let c = Buffers::from_slice(&mut b, n).unwrap();
        c.j.copy_from_slice(cell.j());
        c.thr.copy_from_slice(cell.thr());
        c.rfr.copy_from_slice(cell.rfr());
        c.tols.copy_from_slice(cell.tols());
        let mut st = State {
            j: c.j,
            v: c.v,
            s: c.s,
            thr: c.thr,
            rfr: c.rfr,
            tols: c.tols,
        };
        let mut spikes = 0.0;
        for step in 0..60 {
            let t = step as f32;
            cell.advance(t, 1.0).unwrap();
            let k = Consts {
                resist_m: config.resist_m,
                refract_time: config.refract_time,
                thr_gain: config.thr_gain,
                t,
                dt: 1.0,
            };
            cstep.step(batch, units, &mut st, k, spike);
            let at = format!("{spike:?}, B{batch}xN{units}, step {step}");
            assert_eq!(cell.s(), &*st.s, "spikes, {at}");
            assert_eq!(cell.v(), &*st.v, "voltages, {at}");
            assert_eq!(cell.rfr(), &*st.rfr, "refractory timers, {at}");
            assert_eq!(cell.tols(), &*st.tols, "times of last spike, {at}");
            assert_eq!(cell.thr(), &*st.thr, "thresholds, {at}");
            spikes += cell.s().iter().sum::<f32>();
        }
        // Units fire, and not all of them: the rule is exercised both ways.
        assert!(
            spikes >= batch as f32 && spikes < (60 * n) as f32 / 2.0,
            "{spikes} spikes"
        );
    }
}
