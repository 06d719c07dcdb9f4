//! Arbitrary rows (any f32 bit patterns, any length) through every
//! available backend and the free functions (which dispatch to
//! `Backend::detect()`): `row_max`, `exp_sum`, `spike_mask`, `softmax` and
//! `Backend::exp` give the same bits and the same `Result` as the scalar kernels,
//! and a whole multi-row `Cell::advance` sequence gives, on every backend,
//! the state bits of the specification's literal step
//! (`kernels::spec::step_row`).
#![no_main]

#[path = "../../tests/invariants/check.rs"]
mod check;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use wtas::kernels::{self, Backend, LANES};
use wtas::{Buffers, Cell, Config, Error, InputReset, Params};

#[derive(Arbitrary, Debug)]
struct Kernels {
    x: Vec<u32>,
    /// Replaces `row_max(x)` as the `max` of `exp_sum`.
    max: Option<u32>,
    /// Replaces the exp-sum as the `sum` of `spike_mask`.
    sum: Option<u32>,
    /// Thresholds for `spike_mask`, cycled to the row length.
    thr: Vec<u32>,
    /// Non-zero: make `out` / `thr` one of the wrong lengths.
    out_len: u8,
    thr_len: u8,
}

#[derive(Arbitrary, Debug)]
enum Op {
    Step { t: u32, dt: u32, j: Vec<u32> },
    Tick(u8),
    Reset(bool),
}

#[derive(Arbitrary, Debug)]
struct Whole {
    n_units: u8,
    batch_size: u8,
    resist_m: u32,
    thr_gain: u32,
    refract_time: u32,
    /// The initial state of all six buffers, cycled.
    state: Vec<u32>,
    ops: Vec<Op>,
}

#[derive(Arbitrary, Debug)]
struct Input {
    kernels: Kernels,
    whole: Option<Whole>,
}

fn bits(x: &[f32]) -> Vec<u32> {
    x.iter().map(|v| v.to_bits()).collect()
}

fn cycled(src: &[u32], n: usize, default: f32) -> Vec<f32> {
    (0..n)
        .map(|i| {
            src.get(i % src.len().max(1))
                .map_or(default, |b| f32::from_bits(*b))
        })
        .collect()
}

/// Length `n`, or a wrong one when `sel` is non-zero.
fn len_from(n: usize, sel: u8) -> usize {
    match sel % 4 {
        0 => n,
        1 => n + 1 + (sel as usize >> 2) % 9,
        _ => n.saturating_sub(1 + (sel as usize >> 2) % 9),
    }
}

const SENTINEL: f32 = f32::from_bits(0x7fa5_5a5a);

/// Everything one backend produces from the kernel inputs.
#[derive(PartialEq, Debug)]
struct KernelOut {
    max: u32,
    exp_sum: Result<u32, Error>,
    e: Vec<u32>,
    mask: Result<u32, Error>,
    s: Vec<u32>,
    softmax: Result<(), Error>,
    p: Vec<u32>,
    exp8: Vec<u32>,
}

fn run_kernels(k: &Kernels, x: &[f32], thr: &[f32], run: &dyn Fn(Op2) -> Ret) -> KernelOut {
    let max = run(Op2::RowMax(x)).f();
    let m = k.max.map_or(max, f32::from_bits);
    let mut e = vec![SENTINEL; len_from(x.len(), k.out_len)];
    let exp_sum = run(Op2::ExpSum(x, m, &mut e)).r();
    let sum = k
        .sum
        .map(f32::from_bits)
        .or(exp_sum.ok().map(f32::from_bits))
        .unwrap_or(1.0);
    let mut s: Vec<f32> = x.to_vec();
    let mask = run(Op2::SpikeMask(&mut s, sum, thr)).r();
    let mut p = vec![SENTINEL; len_from(x.len(), k.out_len)];
    let softmax = run(Op2::Softmax(x, &mut p)).u();
    let mut exp8 = Vec::new();
    for c in x.chunks(LANES) {
        let mut lanes = [0.0; LANES];
        lanes[..c.len()].copy_from_slice(c);
        exp8.extend(run(Op2::Exp8(lanes)).a().map(f32::to_bits));
    }
    KernelOut {
        max: max.to_bits(),
        exp_sum,
        e: bits(&e),
        mask,
        s: bits(&s),
        softmax,
        p: bits(&p),
        exp8,
    }
}

/// One kernel call, so the same driver runs on a backend or the free functions.
enum Op2<'a> {
    RowMax(&'a [f32]),
    ExpSum(&'a [f32], f32, &'a mut [f32]),
    SpikeMask(&'a mut [f32], f32, &'a [f32]),
    Softmax(&'a [f32], &'a mut [f32]),
    Exp8([f32; LANES]),
}

enum Ret {
    F(f32),
    R(Result<f32, Error>),
    U(Result<(), Error>),
    A([f32; LANES]),
}

impl Ret {
    fn f(self) -> f32 {
        match self {
            Ret::F(x) => x,
            _ => unreachable!(),
        }
    }
    fn r(self) -> Result<u32, Error> {
        match self {
            Ret::R(x) => x.map(f32::to_bits),
            _ => unreachable!(),
        }
    }
    fn u(self) -> Result<(), Error> {
        match self {
            Ret::U(x) => x,
            _ => unreachable!(),
        }
    }
    fn a(self) -> [f32; LANES] {
        match self {
            Ret::A(x) => x,
            _ => unreachable!(),
        }
    }
}

fn on_backend(b: Backend) -> impl Fn(Op2) -> Ret {
    move |op| match op {
        Op2::RowMax(x) => Ret::F(b.row_max(x)),
        Op2::ExpSum(x, m, o) => Ret::R(b.exp_sum(x, m, o)),
        Op2::SpikeMask(e, s, t) => Ret::R(b.spike_mask(e, s, t)),
        Op2::Softmax(x, o) => Ret::U(b.softmax(1, x.len(), x, o)),
        Op2::Exp8(x) => Ret::A(b.exp(x)),
    }
}

fn free_functions(op: Op2) -> Ret {
    match op {
        Op2::RowMax(x) => Ret::F(kernels::row_max(x)),
        Op2::ExpSum(x, m, o) => Ret::R(kernels::exp_sum(x, m, o)),
        Op2::SpikeMask(e, s, t) => Ret::R(kernels::spike_mask(e, s, t)),
        Op2::Softmax(x, o) => Ret::U(kernels::softmax(1, x.len(), x, o)),
        Op2::Exp8(x) => Ret::A(kernels::exp(wide::f32x8::new(x)).to_array()),
    }
}

fn check_kernels(k: &Kernels) {
    let x: Vec<f32> = k.x.iter().take(300).map(|b| f32::from_bits(*b)).collect();
    let thr = cycled(&k.thr, len_from(x.len(), k.thr_len), 0.5);
    let reference = run_kernels(k, &x, &thr, &on_backend(Backend::Scalar));
    // Contract points that hold whatever the backend.
    if f32::from_bits(reference.max).is_nan() {
        assert_eq!(
            reference.max,
            f32::NAN.to_bits(),
            "row_max NaN not canonical"
        );
    }
    if !k.out_len.is_multiple_of(4) && len_from(x.len(), k.out_len) != x.len() {
        assert!(reference.exp_sum.is_err() && reference.softmax.is_err());
        assert!(
            reference.e.iter().all(|b| *b == SENTINEL.to_bits()),
            "written on error"
        );
    }
    for &b in Backend::ALL.iter().filter(|b| b.is_available()) {
        let got = run_kernels(k, &x, &thr, &on_backend(b));
        assert_eq!(
            got,
            reference,
            "backend {} differs from the reference",
            b.name()
        );
    }
    let got = run_kernels(k, &x, &thr, &free_functions);
    assert_eq!(got, reference, "free functions differ from the reference");
}

/// The six buffers of one cell, flat: j, v, s, thr, rfr, tols.
fn state_of(cell: &Cell<Buffers<'_>>) -> [Vec<u32>; 6] {
    [
        bits(cell.j()),
        bits(cell.v()),
        bits(cell.s()),
        bits(cell.thr()),
        bits(cell.rfr()),
        bits(cell.tols()),
    ]
}

/// The state of `cell` after one step at `t` by the specification's
/// literal step, row by row.
fn spec_after(cell: &Cell<Buffers<'_>>, t: f32, dt: f32) -> [Vec<u32>; 6] {
    let mut state = check::fields(cell).map(<[f32]>::to_vec);
    check::spec_step(cell.params(), t, dt, &mut state);
    state.map(|x| bits(&x))
}

fn check_whole(w: &Whole) {
    let config = Config {
        n_units: 1 + w.n_units as usize % 40,
        batch_size: 1 + w.batch_size as usize % 4,
        resist_m: f32::from_bits(w.resist_m),
        thr_gain: f32::from_bits(w.thr_gain),
        refract_time: f32::from_bits(w.refract_time),
        ..Config::new(1)
    };
    let Ok(params) = Params::try_new(config) else {
        return;
    };
    let len = params.len();
    // The six buffers back to back: j, v, s, thr, rfr, tols.
    let mut init: Vec<f32> = (0..6)
        .flat_map(|k| {
            let src: Vec<u32> = w.state.iter().skip(k).step_by(6).copied().collect();
            cycled(&src, len, 0.0)
        })
        .collect();
    for x in &mut init[3 * len..4 * len] {
        if x.is_nan() {
            *x = 0.4; // `resume` rejects NaN thresholds
        }
    }
    // The scalar kernels first, then every other backend this CPU runs.
    let backends: Vec<Backend> = core::iter::once(Backend::Scalar)
        .chain(
            Backend::ALL
                .iter()
                .copied()
                .filter(|b| *b != Backend::Scalar && b.is_available()),
        )
        .collect();
    let mut mems: Vec<Vec<f32>> = backends.iter().map(|_| init.clone()).collect();
    let mut cells: Vec<Cell<Buffers<'_>>> = mems
        .iter_mut()
        .zip(&backends)
        .map(|(m, &b)| {
            let mut c = Cell::resume(params, Buffers::from_slice(m, len).unwrap()).unwrap();
            c.set_backend(b).unwrap();
            c
        })
        .collect();
    let mut t = 0.0_f32;
    for op in w.ops.iter().take(64) {
        match op {
            Op::Step { t: tb, dt, j } => {
                let jv = cycled(j, len, 0.0);
                let (tb, dt) = (f32::from_bits(*tb), f32::from_bits(*dt));
                if !j.is_empty() {
                    for c in &mut cells {
                        c.j_mut().copy_from_slice(&jv);
                    }
                }
                let want = spec_after(&cells[0], tb, dt);
                let r: Vec<_> = cells.iter_mut().map(|c| c.advance(tb, dt)).collect();
                assert!(r.iter().all(|x| *x == r[0]), "results differ: {r:?}");
                if r[0].is_ok() {
                    assert_eq!(
                        state_of(&cells[0]),
                        want,
                        "the step differs from the specification"
                    );
                }
            }
            Op::Tick(n) => {
                for _ in 0..(*n % 16) {
                    t += 1.0;
                    let want = spec_after(&cells[0], t, 1.0);
                    for c in &mut cells {
                        c.advance(t, 1.0).unwrap();
                    }
                    assert_eq!(
                        state_of(&cells[0]),
                        want,
                        "the step differs from the specification"
                    );
                }
            }
            Op::Reset(zero) => {
                for c in &mut cells {
                    c.reset(if *zero {
                        InputReset::Zero
                    } else {
                        InputReset::Keep
                    });
                }
            }
        }
        let reference = state_of(&cells[0]);
        for (c, b) in cells.iter().zip(&backends).skip(1) {
            assert_eq!(state_of(c), reference, "backend {} state differs", b.name());
        }
    }
}

fuzz_target!(|input: Input| {
    check_kernels(&input.kernels);
    if let Some(w) = &input.whole {
        check_whole(w);
    }
});
