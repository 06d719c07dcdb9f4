//! wtas firmware test: runs the shared scenario on the device and prints its
//! digest, timings and stack use through semihosting.
//!
//! Output lines (all start with `wtas `):
//! - `wtas digest <hex>`: the scenario's digest;
//! - `wtas cal <ticks> <instructions>`: clock ticks for a loop of known
//!   instruction count (to turn ticks into instructions under `-icount`);
//! - `wtas ticks-total <n>`: the whole run;
//! - `wtas ticks-advance <n>`: inside the 2,000 `advance` calls only;
//! - `wtas stack-advance <bytes>`: stack high-water mark of one `advance`;
//! - `wtas sizeof-storage <bytes>`, `wtas sizeof-cell <bytes>`;
//! - with `profile`: `wtas prof <name> <ticks> <calls>`.
#![no_std]
#![no_main]
#![cfg_attr(feature = "panic-app", allow(dead_code, unused_imports))]

mod out;
#[path = "../../scenario/firmware.rs"]
mod scenario;
mod sys;

use core::hint::black_box;
use out::Line;
use scenario::{Layer, ScenarioStorage};

#[cfg(target_arch = "arm")]
#[cortex_m_rt::entry]
fn main() -> ! {
    // cortex-m-rt turns this into a `&'static mut`: the state lives in
    // `.bss`, with no allocator and nothing on the stack.
    static mut STORAGE: ScenarioStorage = ScenarioStorage::new();
    app(STORAGE)
}

#[cfg(target_arch = "riscv32")]
#[no_mangle]
extern "C" fn rv_main() -> ! {
    static mut STORAGE: ScenarioStorage = ScenarioStorage::new();
    // SAFETY: `rv_main` is entered exactly once, from `_start`, so this is
    // the only reference to STORAGE there ever is.
    app(unsafe { &mut *core::ptr::addr_of_mut!(STORAGE) })
}

/// A layer that counts clock ticks spent inside `advance` (in the main
/// run; not in the near-tie phase).
struct Timed<L> {
    inner: L,
    ticks: u64,
    timing: bool,
}

impl<L: Layer> Layer for Timed<L> {
    fn j_mut(&mut self) -> &mut [f32] {
        self.inner.j_mut()
    }
    #[inline(never)]
    fn advance(&mut self, t: f32) -> bool {
        let t0 = sys::now();
        let ok = self.inner.advance(t);
        if self.timing {
            self.ticks += sys::now().wrapping_sub(t0);
        }
        ok
    }
    fn reset(&mut self, input: wtas::InputReset) {
        self.inner.reset(input)
    }
    fn fold(&self, d: &mut scenario::Digest) {
        self.inner.fold(d)
    }
    fn tie_phase(&mut self) {
        self.timing = false;
        self.inner.tie_phase()
    }
    fn fold_kernels(&self, d: &mut scenario::Digest) {
        self.inner.fold_kernels(d)
    }
}

/// The same firmware with every wtas call removed: the state is only
/// hashed. The baseline for flash and instruction counts.
#[cfg(feature = "nostep")]
struct NoStep<'a>(wtas::Buffers<'a>);

/// The panic-check firmware: only `Params` validation, `Cell::new`,
/// `Cell::resume`, `advance` and `reset`, on scenario input. With `panic-never` too, it
/// links only if none of them has a reachable panic path.
#[cfg(feature = "panic-app")]
fn app(storage: &'static mut ScenarioStorage) -> ! {
    let params = match scenario::config().validate() {
        Ok(p) => p,
        Err(_) => sys::fail("wtas error: config\n\0"),
    };
    let seeded = match wtas::Cell::new(params, storage.buffers(), scenario::SEED) {
        Ok(c) => c,
        Err(_) => sys::fail("wtas error: new\n\0"),
    };
    let mut cell = match wtas::Cell::resume(params, seeded.into_state()) {
        Ok(c) => c,
        Err(_) => sys::fail("wtas error: resume\n\0"),
    };
    let mut input = scenario::Input::new();
    let mut d = scenario::Digest::new();
    for step in 0..black_box(scenario::STEPS) {
        if step % scenario::RESET_EVERY == 0 {
            cell.reset(black_box(wtas::InputReset::Zero));
        }
        input.fill(step, cell.j_mut());
        d.word(
            cell.advance(black_box(step as f32), black_box(scenario::DT))
                .is_ok() as u32,
        );
        scenario::Layer::fold(&cell, &mut d);
    }
    Line::new()
        .s("wtas panic-check-run ")
        .hex(d.value())
        .print();
    sys::exit_ok()
}

#[cfg(not(feature = "panic-app"))]
fn app(storage: &'static mut ScenarioStorage) -> ! {
    sys::clock_init();
    let (cal_ticks, cal_instructions) = sys::calibrate();
    Line::new()
        .s("wtas cal ")
        .u(cal_ticks)
        .s(" ")
        .u(cal_instructions)
        .print();
    Line::new()
        .s("wtas sizeof-storage ")
        .u(core::mem::size_of::<ScenarioStorage>() as u64)
        .print();

    // Everything but the layer is the same in both builds, so that the
    // difference of their `.text` is the wtas code alone.
    Line::new()
        .s("wtas sizeof-cell ")
        .u(core::mem::size_of::<wtas::Cell<wtas::Buffers<'static>>>() as u64)
        .print();
    #[cfg(not(feature = "nostep"))]
    let (inner, name) = match scenario::new_cell(storage) {
        Ok(cell) => (cell, "wtas digest "),
        Err(_) => sys::fail("wtas error: new_cell failed\n\0"),
    };
    #[cfg(feature = "nostep")]
    let (inner, name) = (NoStep(storage.buffers()), "wtas digest-nostep ");
    let mut layer = Timed {
        inner,
        ticks: 0,
        timing: true,
    };
    let t0 = sys::now();
    let digest = scenario::run(&mut layer);
    let total = sys::now().wrapping_sub(t0);
    Line::new().s(name).hex(digest).print();
    Line::new().s("wtas ticks-total ").u(total).print();
    Line::new().s("wtas ticks-advance ").u(layer.ticks).print();
    let used = stack_probe(&mut layer.inner);
    Line::new().s("wtas stack-advance ").u(used as u64).print();
    #[cfg(all(feature = "profile", not(feature = "nostep")))]
    profile::run(&mut layer.inner);
    black_box(());
    sys::exit_ok()
}

#[cfg(feature = "nostep")]
impl Layer for NoStep<'_> {
    fn j_mut(&mut self) -> &mut [f32] {
        self.0.j
    }
    fn advance(&mut self, _t: f32) -> bool {
        true
    }
    fn reset(&mut self, _input: wtas::InputReset) {}
    fn fold(&self, d: &mut scenario::Digest) {
        let b = &self.0;
        d.floats(b.j);
        d.floats(b.v);
        d.floats(b.s);
        d.floats(b.thr);
        d.floats(b.rfr);
        d.floats(b.tols);
    }
}

/// Stack painted below the probe's frame, in bytes.
const PAINT_BYTES: usize = 4096;
/// Gap left unpainted right below the probe's stack pointer, for the frames
/// of `paint` and `lowest_touched` themselves.
const GAP: usize = 64;
const PAINT: u32 = 0x5A5A_A5A5;

/// Stack high-water mark of one `advance` call, in bytes: paints the stack
/// below the current frame, makes one call, and finds the lowest word the
/// call changed. Counts the call's own frame and everything below it
/// (`GAP` bytes or less reads as `GAP`).
#[inline(never)]
fn stack_probe<L: Layer>(layer: &mut L) -> usize {
    let sp = sys::stack_pointer() & !3;
    let (lo, hi) = (sp - GAP - PAINT_BYTES, sp - GAP);
    paint(lo, hi);
    black_box(one_step(black_box(layer)));
    sp - lowest_touched(lo, hi)
}

#[inline(never)]
fn one_step<L: Layer>(layer: &mut L) -> bool {
    layer.advance(black_box(1.0e4))
}

#[inline(never)]
fn paint(lo: usize, hi: usize) {
    let mut p = lo;
    while p < hi {
        // SAFETY: free stack below every live frame (see `stack_probe`).
        unsafe { (p as *mut u32).write_volatile(PAINT) };
        p += 4;
    }
}

#[inline(never)]
fn lowest_touched(lo: usize, hi: usize) -> usize {
    let mut p = lo;
    while p < hi {
        // SAFETY: as in `paint`.
        if unsafe { (p as *const u32).read_volatile() } != PAINT {
            return p;
        }
        p += 4;
    }
    hi
}

/// The kernels one by one, on one realistic row, to see what dominates.
#[cfg(all(feature = "profile", not(feature = "nostep")))]
mod profile {
    use super::{black_box, scenario, sys, Line};
    use wtas::kernels::Backend;

    const REPS: u64 = 200;

    fn report(name: &str, ticks: u64, calls: u64) {
        Line::new()
            .s("wtas prof ")
            .s(name)
            .s(" ")
            .u(ticks)
            .s(" ")
            .u(calls)
            .print();
    }

    fn time(name: &str, mut f: impl FnMut()) {
        let t0 = sys::now();
        for _ in 0..REPS {
            f();
        }
        report(name, sys::now().wrapping_sub(t0), REPS);
    }

    pub fn run(cell: &mut wtas::Cell<wtas::Buffers<'_>>) {
        let mut x = [0.0_f32; scenario::N];
        let mut input = scenario::Input::new();
        input.fill(5, &mut x);
        for v in x.iter_mut() {
            if !v.is_finite() || *v > 10.0 {
                *v = 0.0;
            }
        }
        let mut thr = [0.0_f32; scenario::N];
        thr.copy_from_slice(cell.thr());
        let mut e = [0.0_f32; scenario::N];
        let be = Backend::detect();
        time("empty", || {
            black_box(&mut x);
        });
        time("row_max", || {
            black_box(be.row_max(black_box(&x)));
        });
        let max = be.row_max(&x);
        let mut sum = 0.0;
        time("exp_sum", || {
            sum = be
                .exp_sum(black_box(&x), black_box(max), &mut e)
                .unwrap_or(0.0);
        });
        let e0 = e;
        time("spike_mask", || {
            e.copy_from_slice(&e0);
            black_box(be.spike_mask(black_box(&mut e), black_box(sum), &thr).ok());
        });
        time("copy64", || {
            e.copy_from_slice(black_box(&e0));
        });
        time("exp8x8", || {
            for c in x.chunks_exact(8) {
                let mut a = [0.0_f32; 8];
                a.copy_from_slice(c);
                black_box(be.exp(black_box(a)));
            }
        });
        time("div64", || {
            for (o, v) in e.iter_mut().zip(e0.iter()) {
                *o = black_box(*v) / black_box(sum);
            }
        });
        cell.j_mut().copy_from_slice(&x);
        let mut t = 1.0e4_f32;
        time("advance-portable", || {
            t += 1.0;
            black_box(cell.advance(t, 1.0).is_ok());
        });
        if cell.set_backend(Backend::Scalar).is_ok() {
            time("advance-reference", || {
                t += 1.0;
                black_box(cell.advance(t, 1.0).is_ok());
            });
        }
    }
}
