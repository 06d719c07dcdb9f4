//! Criterion benchmarks: the step on every backend, the memory floor, and
//! the kernel building blocks.
//!
//! Throughput is in elements: one element is one neuron-step (one unit of
//! one batch row advanced by one step).
//!
//! - `step`: the public `Cell::advance` on the detected backend;
//! - `step_array`: the same on eight-lane arrays (portable code, which the
//!   compiler may still vectorize with the target's baseline SIMD);
//! - `step_portable`: the same on `wide::f32x8` as this build compiled it;
//! - `step_scalar`: the same on the element-by-element scalar
//!   kernels, which targets without SIMD run;
//! - `step_parallel` (with `--features parallel`): rows across threads;
//! - `c_step`, `c_step_recip`: the baseline, a hand-written AVX2+FMA C step
//!   (`benches/cstep/`) on the same state, dividing by the row sum as the
//!   reference does, or multiplying by its reciprocal (x86-64 with AVX2 and
//!   FMA; in the repository only);
//! - `ffi_step` (with `--features ffi`): `wtas_cell_advance` through the C
//!   ABI and `Cell::advance` side by side, on the same state, at 1x64 and
//!   1x1024: what a C caller pays over a Rust one;
//! - `touch`: reads `j`, `thr`, `rfr`, `tols` and writes `v`, `s`, `thr`,
//!   `rfr`, `tols` with no arithmetic: the bytes any step must move;
//! - `kernels`: row max, exp-sum, spike mask and `exp` on one 1024-row;
//! - `clock`: a dependent `f64` add chain, to convert times to cycles.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use wtas::kernels::{self, Backend};
use wtas::{Buffers, Cell, Config};

#[path = "../tests/common/rng.rs"]
mod rng;
use rng::bench_input;

/// The benchmark sizes: (batch, units).
const SIZES: [(usize, usize); 5] = [(1, 16), (1, 64), (1, 1024), (16, 1024), (64, 4096)];

fn id(batch: usize, units: usize) -> String {
    format!("B{batch}xN{units}")
}

/// Realistic input: small noise everywhere and one strong unit per row
/// (`bench_input`), so about one unit wins per row.
fn input(batch: usize, units: usize) -> Vec<f32> {
    bench_input(batch, units)
}

/// A zeroed allocation with room for `n` values from a 64-byte boundary.
fn allocation(n: usize) -> Vec<f32> {
    vec![0.0_f32; n + 16]
}

/// The `n` values of `mem` that start on a 64-byte boundary: a cache line,
/// past the 32 bytes that `Buffers`' docs recommend. `Vec<f32>` alone is
/// only 16-byte aligned here, and AVX2 loads and stores that straddle cache
/// lines slow the step by about a fifth.
fn aligned(mem: &mut [f32], n: usize) -> &mut [f32] {
    let start = mem.as_ptr().align_offset(64);
    &mut mem[start..start + n]
}

/// The time of the benchmarked steps: one step later each call, back to
/// zero now and then (so that it stays an exact float).
struct StepTime(f32);

impl StepTime {
    fn tick(&mut self) -> f32 {
        self.0 = if self.0 >= 1.0e6 { 0.0 } else { self.0 + 1.0 };
        self.0
    }
}

/// A seeded cell of `batch × units` over `mem` (an [`allocation`] of six
/// buffers, each starting on a cache line: `n` is a multiple of 16), its
/// input set.
fn new_cell(mem: &mut [f32], batch: usize, units: usize) -> Cell<Buffers<'_>> {
    let n = batch * units;
    let params = config(batch, units).validate().unwrap();
    let bufs = Buffers::from_slice(aligned(mem, 6 * n), n).unwrap();
    bufs.j.copy_from_slice(&input(batch, units));
    Cell::new(params, bufs, 1).unwrap()
}

fn config(batch: usize, units: usize) -> Config {
    Config {
        batch_size: batch,
        refract_time: 2.0,
        thr_gain: 0.002,
        ..Config::new(units)
    }
}

/// How a step is called: serially, or with rows split across threads.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Serial,
    #[cfg(feature = "parallel")]
    Parallel,
}

fn bench_step_group(c: &mut Criterion, group_name: &str, backend: Backend, mode: Mode) {
    let mut group = c.benchmark_group(group_name);
    for (batch, units) in SIZES {
        let n = batch * units;
        let mut mem = allocation(6 * n);
        let mut cell = new_cell(&mut mem, batch, units);
        cell.set_backend(backend).unwrap();
        group.throughput(Throughput::Elements(n as u64));
        let mut clock = StepTime(0.0);
        group.bench_function(BenchmarkId::from_parameter(id(batch, units)), |b| {
            b.iter(|| {
                let t = clock.tick();
                match mode {
                    Mode::Serial => cell.advance(black_box(t), black_box(1.0)).unwrap(),
                    #[cfg(feature = "parallel")]
                    Mode::Parallel => cell.advance_parallel(black_box(t), black_box(1.0)).unwrap(),
                }
            })
        });
    }
    group.finish();
}

fn step(c: &mut Criterion) {
    bench_step_group(c, "step", Backend::detect(), Mode::Serial);
    bench_step_group(c, "step_array", Backend::Array, Mode::Serial);
    bench_step_group(c, "step_portable", Backend::Portable, Mode::Serial);
    bench_step_group(c, "step_scalar", Backend::Scalar, Mode::Serial);
    // `cargo bench --features parallel`: rows across rayon's threads.
    #[cfg(feature = "parallel")]
    bench_step_group(c, "step_parallel", Backend::detect(), Mode::Parallel);
}

/// `wtas_cell_advance` (the C ABI) against `Cell::advance`, in one group
/// so that both run under the same machine load.
#[cfg(feature = "ffi")]
#[allow(unsafe_code)]
fn ffi_step(c: &mut Criterion) {
    use std::mem::MaybeUninit;
    use wtas::ffi::*;

    let mut group = c.benchmark_group("ffi_step");
    for (batch, units) in [(1, 64), (1, 1024)] {
        let n = batch * units;
        group.throughput(Throughput::Elements(n as u64));
        let base = config(batch, units);

        let mut mem = allocation(6 * n);
        let mut cell = new_cell(&mut mem, batch, units);
        let mut t = 0.0_f32;
        group.bench_function(format!("rust/{}", id(batch, units)), |b| {
            b.iter(|| {
                t = if t > 1.0e6 { 0.0 } else { t + 1.0 };
                cell.advance(black_box(t), black_box(1.0)).unwrap()
            })
        });

        let mut cmem = allocation(6 * n);
        let cbufs = aligned(&mut cmem, 6 * n);
        cbufs[..n].copy_from_slice(&input(batch, units));
        let [j, v, s, thr, rfr, tols]: [*mut f32; 6] =
            std::array::from_fn(|k| cbufs[k * n..].as_mut_ptr());
        let buffers = wtas_buffers {
            j,
            j_len: n,
            v,
            v_len: n,
            s,
            s_len: n,
            thr,
            thr_len: n,
            rfr,
            rfr_len: n,
            tols,
            tols_len: n,
        };
        let (mut conf, mut params, mut handle) = (
            MaybeUninit::uninit(),
            MaybeUninit::uninit(),
            MaybeUninit::uninit(),
        );
        // SAFETY: every pointer is valid for its object; the buffers outlive
        // the handle, and nothing else touches them while it is used.
        let mut handle: wtas_cell = unsafe {
            assert_eq!(
                wtas_config_default(conf.as_mut_ptr(), units, base.tau_m),
                wtas_status::WTAS_OK
            );
            let mut conf: wtas_config = conf.assume_init();
            conf.batch_size = base.batch_size;
            conf.refract_time = base.refract_time;
            conf.thr_gain = base.thr_gain;
            assert_eq!(
                wtas_params_init(params.as_mut_ptr(), &conf),
                wtas_status::WTAS_OK
            );
            let params = params.assume_init();
            assert_eq!(
                wtas_cell_bind(handle.as_mut_ptr(), &params, &buffers),
                wtas_status::WTAS_OK
            );
            let mut handle = handle.assume_init();
            assert_eq!(wtas_cell_seed(&mut handle, 1), wtas_status::WTAS_OK);
            handle
        };
        let mut t = 0.0_f32;
        group.bench_function(format!("c/{}", id(batch, units)), |b| {
            b.iter(|| {
                t = if t > 1.0e6 { 0.0 } else { t + 1.0 };
                // SAFETY: as above.
                let status =
                    unsafe { wtas_cell_advance(&mut handle, black_box(t), black_box(1.0)) };
                assert_eq!(status, wtas_status::WTAS_OK);
            })
        });
    }
    group.finish();
}

/// The C baseline on the state `bench_step_group` starts from.
#[cfg(wtas_cstep)]
fn c_step(c: &mut Criterion) {
    use wtas_cstep::{CStep, Consts, Spike, State};
    let Some(cstep) = CStep::detect() else {
        return;
    };
    for (group_name, spike) in [
        ("c_step", Spike::Divide),
        ("c_step_recip", Spike::Reciprocal),
    ] {
        let mut group = c.benchmark_group(group_name);
        for (batch, units) in SIZES {
            let n = batch * units;
            let mut mem = allocation(6 * n);
            let b = new_cell(&mut mem, batch, units).into_state();
            let mut st = State {
                j: b.j,
                v: b.v,
                s: b.s,
                thr: b.thr,
                rfr: b.rfr,
                tols: b.tols,
            };
            let p = config(batch, units);
            group.throughput(Throughput::Elements(n as u64));
            let mut clock = StepTime(0.0);
            group.bench_function(BenchmarkId::from_parameter(id(batch, units)), |bch| {
                bch.iter(|| {
                    let t = clock.tick();
                    let k = Consts {
                        resist_m: p.resist_m,
                        refract_time: p.refract_time,
                        thr_gain: p.thr_gain,
                        t: black_box(t),
                        dt: black_box(1.0),
                    };
                    cstep.step(batch, units, &mut st, k, spike);
                })
            });
        }
        group.finish();
    }
}

/// The memory floor: every byte a step must read and write, no math.
fn touch(c: &mut Criterion) {
    let mut group = c.benchmark_group("touch");
    for (batch, units) in SIZES {
        let n = batch * units;
        let mut mem = allocation(6 * n);
        let m = Buffers::from_slice(aligned(&mut mem, 6 * n), n).unwrap();
        m.j.copy_from_slice(&input(batch, units));
        m.thr.fill(0.3);
        m.rfr.fill(1.0);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(BenchmarkId::from_parameter(id(batch, units)), |b| {
            b.iter(|| {
                let it = black_box(&*m.j)
                    .iter()
                    .zip(m.v.iter_mut())
                    .zip(m.s.iter_mut())
                    .zip(m.thr.iter_mut())
                    .zip(m.rfr.iter_mut())
                    .zip(m.tols.iter_mut());
                // Reads j, thr, rfr, tols; writes v, s, thr, rfr, tols.
                for (((((j, v), s), thr), rfr), tols) in it {
                    let (a, b, c, d) = (*j, *thr, *rfr, *tols);
                    *v = a;
                    *s = b;
                    *thr = c;
                    *rfr = d;
                    *tols = a;
                }
                black_box((&m.v, &m.s, &m.thr, &m.rfr, &m.tols));
            })
        });
    }
    group.finish();
}

/// The building blocks on one row of 1024, on every backend.
fn building_blocks(c: &mut Criterion) {
    const N: usize = 1024;
    let mut mem = allocation(3 * N);
    let (x, rest) = aligned(&mut mem, 3 * N).split_at_mut(N);
    let (thr, out) = rest.split_at_mut(N);
    x.copy_from_slice(&input(1, N));
    thr.fill(0.3);
    let (x, thr) = (&*x, &*thr);
    let mut group = c.benchmark_group("kernels");
    group.throughput(Throughput::Elements(N as u64));
    for &backend in Backend::ALL.iter().filter(|b| b.is_available()) {
        let name = backend.name();
        group.bench_function(format!("row_max/{name}/N{N}"), |b| {
            b.iter(|| backend.row_max(black_box(x)))
        });
        group.bench_function(format!("exp_sum/{name}/N{N}"), |b| {
            b.iter(|| backend.exp_sum(black_box(x), 12.5, out).unwrap())
        });
        let sum = backend.exp_sum(x, 12.5, out).unwrap();
        let e = out.to_vec();
        group.bench_function(format!("spike_mask/{name}/N{N}"), |b| {
            b.iter(|| {
                out.copy_from_slice(&e);
                backend.spike_mask(black_box(&mut *out), sum, thr).unwrap()
            })
        });
        let lanes: Vec<[f32; 8]> = x.chunks_exact(8).map(|c| c.try_into().unwrap()).collect();
        group.bench_function(format!("exp/{name}/N{N}"), |b| {
            b.iter(|| {
                let mut acc = 0.0;
                for l in black_box(&lanes) {
                    acc += backend.exp(*l)[0];
                }
                acc
            })
        });
    }
    group.bench_function(format!("exp_f32/scalar/N{N}"), |b| {
        b.iter(|| {
            black_box(x)
                .iter()
                .map(|&v| kernels::exp_f32(v - 12.5))
                .sum::<f32>()
        })
    });
    group.finish();
}

/// A clock reference: a chain of dependent `f64` additions, which the
/// compiler may not reorder. On AMD Zen 2/3 an `f64` add has a latency of 3
/// cycles, so `cycles per ns = 3 × adds / time`. Used to turn the step's
/// time into cycles per neuron-step on machines whose cycle counters are not
/// readable.
fn clock(c: &mut Criterion) {
    const ADDS: u64 = 4096;
    let mut group = c.benchmark_group("clock");
    group.throughput(Throughput::Elements(ADDS));
    group.bench_function("f64_add_chain", |b| {
        let step = black_box(1.0e-9_f64);
        b.iter(|| {
            let mut x = black_box(0.0_f64);
            for _ in 0..ADDS {
                x += step;
            }
            x
        })
    });
    group.finish();
}

#[cfg(feature = "ffi")]
criterion_group!(c_abi, ffi_step);
#[cfg(wtas_cstep)]
criterion_group!(benches, step, c_step, touch, building_blocks, clock);
#[cfg(not(wtas_cstep))]
criterion_group!(benches, step, touch, building_blocks, clock);
#[cfg(feature = "ffi")]
criterion_main!(benches, c_abi);
#[cfg(not(feature = "ffi"))]
criterion_main!(benches);
