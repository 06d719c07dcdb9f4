//! The C ABI called from Rust on small sizes: results equal the Rust API's
//! bit for bit, every refusal leaves every byte as it was, and the handle
//! checks catch handles changed into other valid states. Small enough to
//! run under Miri (`.ci/miri`), which also checks the raw-pointer code for
//! undefined behaviour.
// Calling the C ABI is `unsafe` by nature.
#![allow(unsafe_code)]

mod common;

use std::ffi::CStr;

use common::buffers::separate;
use common::c_abi::c_buffers;

use wtas::ffi::*;
use wtas::{Buffers, Cell, Config, Error, InputReset, kernels};

use wtas_status::*;

const N: usize = 5;
const B: usize = 2;
const L: usize = N * B;

/// Six state buffers of `L` floats, in one allocation.
struct State([[f32; L]; 6]);

impl State {
    fn new() -> Self {
        State([[0.0; L]; 6])
    }

    fn ffi(&mut self) -> wtas_buffers {
        c_buffers(self.0.each_mut().map(|b| (b.as_mut_ptr(), L)))
    }

    fn rust(&mut self) -> Buffers<'_> {
        separate(self.0.each_mut().map(|b| &mut b[..]))
    }

    fn bits(&self) -> Vec<u32> {
        self.0.iter().flatten().map(|x| x.to_bits()).collect()
    }
}

fn params() -> wtas_params {
    let mut c = std::mem::MaybeUninit::<wtas_config>::uninit();
    let mut p = std::mem::MaybeUninit::<wtas_params>::uninit();
    // SAFETY: valid, aligned pointers to writable locals.
    unsafe {
        assert_eq!(wtas_config_default(c.as_mut_ptr(), N, 10.0), WTAS_OK);
        let mut c = c.assume_init();
        assert_eq!(c, Config::new(N));
        c.batch_size = B;
        c.refract_time = 1.0;
        c.thr_gain = 0.01;
        assert_eq!(wtas_params_init(p.as_mut_ptr(), &c), WTAS_OK);
        p.assume_init()
    }
}

fn input(step: usize, j: &mut [f32]) {
    for (i, x) in j.iter_mut().enumerate() {
        *x = ((i * 7 + step * 3) % 11) as f32 * 0.5 - 1.0;
    }
}

#[test]
fn bound_and_per_call_forms_equal_the_rust_api() {
    let p = params();
    let (mut rust, mut bound, mut call) = (State::new(), State::new(), State::new());
    let mut rcell = Cell::new(
        common::stepping_config(N, B).validate().unwrap(),
        rust.rust(),
        7,
    )
    .unwrap();
    let bb = bound.ffi();
    let cb = call.ffi();
    let mut cell = std::mem::MaybeUninit::<wtas_cell>::uninit();
    // SAFETY: every pointer is valid for its length, the buffers are
    // disjoint and only touched through the calls below.
    unsafe {
        assert_eq!(wtas_cell_bind(cell.as_mut_ptr(), &p, &bb), WTAS_OK);
        let cell = cell.as_mut_ptr();
        assert_eq!(wtas_cell_seed(cell, 7), WTAS_OK);
        assert_eq!(wtas_seed(&p, &cb, 7), WTAS_OK);
        for step in 0..6 {
            input(step, rcell.j_mut());
            input(step, std::slice::from_raw_parts_mut(bb.j, L));
            input(step, std::slice::from_raw_parts_mut(cb.j, L));
            let t = step as f32;
            rcell.advance(t, 1.0).unwrap();
            assert_eq!(wtas_cell_advance(cell, t, 1.0), WTAS_OK);
            assert_eq!(wtas_advance(&p, &cb, t, 1.0), WTAS_OK);
            if step == 3 {
                rcell.reset(InputReset::Keep);
                assert_eq!(wtas_cell_reset(cell, false), WTAS_OK);
                assert_eq!(wtas_reset(&p, &cb, false), WTAS_OK);
            }
        }
    }
    assert_eq!(bound.bits(), rust.bits());
    assert_eq!(call.bits(), rust.bits());
    assert!(rust.0[2].contains(&1.0), "no spike at all");
}

/// The test's parameters, `st` as C buffers, and a cell bound to them with
/// its state seeded with 1.
fn seeded_cell(st: &mut State) -> (wtas_params, wtas_buffers, wtas_cell) {
    let (p, bufs) = (params(), st.ffi());
    let mut cell = std::mem::MaybeUninit::<wtas_cell>::uninit();
    // SAFETY: `bufs` holds valid, disjoint buffers of `p`'s length, only
    // touched through the library's calls while the cell is used.
    unsafe {
        assert_eq!(wtas_cell_bind(cell.as_mut_ptr(), &p, &bufs), WTAS_OK);
        assert_eq!(wtas_cell_seed(cell.as_mut_ptr(), 1), WTAS_OK);
        (p, bufs, cell.assume_init())
    }
}

#[test]
fn handles_changed_into_other_valid_states_are_refused() {
    let mut st = State::new();
    let (p, bufs, cell) = seeded_cell(&mut st);
    let before = st.bits();
    let mut changed = Vec::new();
    let mut q = p;
    q.config.thr_gain = 0.5;
    changed.push(q);
    let mut q = p;
    (q.config.n_units, q.config.batch_size) = (B, N); // same product, same len
    changed.push(q);
    let mut q = p;
    q.config.refract_time = -0.0; // same value, other bits
    changed.push(q);
    for q in &changed {
        let mut c2 = std::mem::MaybeUninit::<wtas_cell>::zeroed();
        // SAFETY: as above.
        unsafe {
            assert_eq!(wtas_cell_bind(c2.as_mut_ptr(), q, &bufs), WTAS_ERR_HANDLE);
            assert_eq!(wtas_advance(q, &bufs, 0.0, 1.0), WTAS_ERR_HANDLE);
            assert_eq!(wtas_seed(q, &bufs, 3), WTAS_ERR_HANDLE);
        }
    }
    // SAFETY: plain data; all zeros is a value the library must refuse.
    let zero: wtas_params = unsafe { std::mem::zeroed() };
    // SAFETY: as above.
    unsafe { assert_eq!(wtas_reset(&zero, &bufs, true), WTAS_ERR_HANDLE) };

    // A cell whose stored buffer pointer moved to other valid memory.
    let mut other = [0.0_f32; L];
    let mut moved = cell;
    // SAFETY: `wtas_cell` is repr(C): the configuration, then the six
    // buffer pointers, the second of them `v`; we overwrite it as C code
    // could.
    unsafe {
        let base = (&raw mut moved).cast::<u8>();
        let v_at = size_of::<wtas_config>() + size_of::<*mut f32>();
        base.add(v_at).cast::<*mut f32>().write(other.as_mut_ptr());
        assert_eq!(wtas_cell_advance(&mut moved, 0.0, 1.0), WTAS_ERR_HANDLE);
    }
    assert_eq!(st.bits(), before, "a refused call wrote");
    assert!(other.iter().all(|&x| x == 0.0));

    // Copies are valid handles.
    let mut copy = cell;
    let q = p;
    // SAFETY: as above.
    unsafe {
        assert_eq!(wtas_cell_advance(&mut copy, 0.0, 1.0), WTAS_OK);
        assert_eq!(wtas_advance(&q, &bufs, 1.0, 1.0), WTAS_OK);
    }
}

/// Every bit of every checked byte: `wtas_params` whole (configuration,
/// `len`, checksum), and a bound `wtas_cell` up to and including its
/// checksum (configuration and the six buffer pointers), but not its
/// plain-state flag, which lies outside the checksum on purpose. Each
/// flipped bit is refused, and nothing is written.
#[test]
fn every_flipped_bit_of_a_handle_is_refused() {
    let mut st = State::new();
    let (p, bufs, cell) = seeded_cell(&mut st);
    let before = st.bits();
    // The layouts the loops below rely on: no padding, the flag last.
    assert_eq!(size_of::<wtas_params>(), size_of::<wtas_config>() + 16);
    let cell_checked = size_of::<wtas_config>() + 6 * size_of::<*mut f32>() + 8;
    assert_eq!(size_of::<wtas_cell>(), cell_checked + 8);
    for byte in 0..size_of::<wtas_params>() {
        for bit in 0..8 {
            let mut q = p;
            // SAFETY: in bounds of a plain struct with no padding.
            unsafe { *(&raw mut q).cast::<u8>().add(byte) ^= 1 << bit };
            let mut c2 = std::mem::MaybeUninit::<wtas_cell>::zeroed();
            // SAFETY: as above.
            let status = unsafe { wtas_cell_bind(c2.as_mut_ptr(), &q, &bufs) };
            assert_eq!(status, WTAS_ERR_HANDLE, "params byte {byte} bit {bit}");
        }
    }
    for byte in 0..cell_checked {
        for bit in 0..8 {
            let mut c = cell;
            // SAFETY: in bounds of a plain struct with no padding; the
            // library must refuse the changed handle before using a pointer.
            unsafe {
                *(&raw mut c).cast::<u8>().add(byte) ^= 1 << bit;
                let status = wtas_cell_advance(&mut c, 0.0, 1.0);
                assert_eq!(status, WTAS_ERR_HANDLE, "cell byte {byte} bit {bit}");
            }
        }
    }
    assert_eq!(st.bits(), before, "a refused call wrote");
    // Handles filled with one byte value: never valid.
    for fill in [0x00_u8, 0xff, 0xa5] {
        // SAFETY: every bit pattern is a value of these plain structs.
        let (q, mut c) = unsafe {
            let mut q = std::mem::MaybeUninit::<wtas_params>::uninit();
            let mut c = std::mem::MaybeUninit::<wtas_cell>::uninit();
            q.as_mut_ptr().write_bytes(fill, 1);
            c.as_mut_ptr().write_bytes(fill, 1);
            (q.assume_init(), c.assume_init())
        };
        let mut c2 = std::mem::MaybeUninit::<wtas_cell>::zeroed();
        // SAFETY: the library must refuse both before using a pointer.
        unsafe {
            assert_eq!(wtas_cell_bind(c2.as_mut_ptr(), &q, &bufs), WTAS_ERR_HANDLE);
            assert_eq!(wtas_cell_advance(&mut c, 0.0, 1.0), WTAS_ERR_HANDLE);
        }
    }
    // The flag is outside the checksum: clearing it keeps the handle valid.
    let mut c = cell;
    // SAFETY: the flag is the last 8 bytes; 0 is always a valid flag.
    unsafe {
        (&raw mut c)
            .cast::<u8>()
            .add(cell_checked)
            .write_bytes(0, 8);
        assert_eq!(wtas_cell_advance(&mut c, 0.0, 1.0), WTAS_OK);
    }
}

#[test]
fn bad_pointers_are_refused_before_any_write() {
    let p = params();
    let mut st = State::new();
    let good = st.ffi();
    let before = st.bits();
    let mut shared = [0.0_f32; 2 * L];
    let mut cases = Vec::new();
    let mut b = good;
    b.s = std::ptr::null_mut();
    cases.push((b, WTAS_ERR_NULL));
    let mut b = good;
    b.thr = b.thr.cast::<u8>().wrapping_add(1).cast();
    cases.push((b, WTAS_ERR_ALIGN));
    let mut b = good;
    b.rfr_len = L - 1;
    cases.push((b, WTAS_ERR_LENGTH));
    let mut b = good;
    b.tols = b.j;
    cases.push((b, WTAS_ERR_ALIAS));
    let mut b = good;
    (b.j, b.v) = (shared.as_mut_ptr(), shared.as_mut_ptr().wrapping_add(L - 1));
    cases.push((b, WTAS_ERR_ALIAS));
    for (b, want) in cases {
        let mut c = std::mem::MaybeUninit::<wtas_cell>::zeroed();
        let c_before = c;
        // SAFETY: every non-null, aligned pointer is valid for its
        // length; the library must refuse before using the others.
        unsafe {
            assert_eq!(wtas_cell_bind(c.as_mut_ptr(), &p, &b), want);
            assert_eq!(wtas_advance(&p, &b, 0.0, 1.0), want);
            assert_eq!(wtas_reset(&p, &b, true), want);
            assert_eq!(
                std::slice::from_raw_parts(c.as_ptr().cast::<u8>(), size_of::<wtas_cell>()),
                std::slice::from_raw_parts(c_before.as_ptr().cast::<u8>(), size_of::<wtas_cell>()),
            );
        }
    }
    assert_eq!(st.bits(), before);
    assert!(shared.iter().all(|&x| x == 0.0));
    // SAFETY: as above; `threshold0` overlaps `thr`, or holds a NaN.
    unsafe {
        assert_eq!(
            wtas_set_threshold0(&p, &good, good.thr.add(1), N),
            WTAS_ERR_ALIAS
        );
        let nan = [0.3, f32::NAN, 0.3, 0.3, 0.3];
        assert_eq!(
            wtas_set_threshold0(&p, &good, nan.as_ptr(), N),
            WTAS_ERR_THRESHOLD_NAN
        );
        assert_eq!(wtas_advance(&p, &good, f32::INFINITY, 1.0), WTAS_ERR_TIME);
        assert_eq!(wtas_advance(&p, &good, 0.0, 0.0), WTAS_ERR_DT);
    }
    assert_eq!(st.bits(), before);
}

#[test]
fn kernels_equal_the_rust_kernels() {
    let x = [0.5_f32, -1.0, 2.0, f32::NEG_INFINITY, 1.5, 0.0, -3.0];
    let thr = [0.1_f32; 7];
    let (mut max, mut sum, mut count, mut e) = (0.0_f32, 0.0_f32, 0.0_f32, [0.0_f32; 7]);
    let mut soft = [0.0_f32; 7];
    // SAFETY: every pointer is valid for its length; no overlaps.
    unsafe {
        assert_eq!(wtas_row_max(x.as_ptr(), x.len(), &mut max), WTAS_OK);
        assert_eq!(
            wtas_exp_sum(x.as_ptr(), 7, max, e.as_mut_ptr(), 7, &mut sum),
            WTAS_OK
        );
        assert_eq!(
            wtas_spike_mask(e.as_mut_ptr(), 7, sum, thr.as_ptr(), 7, &mut count),
            WTAS_OK
        );
        assert_eq!(wtas_softmax(1, 7, x.as_ptr(), soft.as_mut_ptr()), WTAS_OK);
        let mut one = 0.0;
        assert_eq!(wtas_exp(-0.75, &mut one), WTAS_OK);
        assert_eq!(one.to_bits(), kernels::exp_f32(-0.75).to_bits());
        assert_eq!(
            wtas_exp_sum(x.as_ptr(), 7, max, e.as_mut_ptr(), 6, &mut sum),
            WTAS_ERR_LENGTH
        );
    }
    let mut re = [0.0_f32; 7];
    let rmax = kernels::row_max(&x);
    let rsum = kernels::exp_sum(&x, rmax, &mut re).unwrap();
    let rcount = kernels::spike_mask(&mut re, rsum, &thr).unwrap();
    let mut rsoft = [0.0_f32; 7];
    kernels::softmax(1, 7, &x, &mut rsoft).unwrap();
    assert_eq!(max.to_bits(), rmax.to_bits());
    assert_eq!(sum.to_bits(), rsum.to_bits());
    assert_eq!(count.to_bits(), rcount.to_bits());
    assert_eq!(e.map(f32::to_bits), re.map(f32::to_bits));
    assert_eq!(soft.map(f32::to_bits), rsoft.map(f32::to_bits));
    assert!(count >= 1.0);
}

#[test]
fn strerror_speaks_with_the_errors_words() {
    let msg = |s: wtas_status| {
        // SAFETY: `wtas_strerror` returns a static NUL-terminated string.
        unsafe { CStr::from_ptr(wtas_strerror(s as i32)) }
            .to_str()
            .unwrap()
    };
    for e in [
        Error::NUnits,
        Error::TauM { value: -1.0 },
        Error::ThresholdNan,
        Error::Dt { value: f32::NAN },
    ] {
        assert_eq!(msg(status_of(e)), e.message());
        assert!(e.to_string().starts_with(e.message()));
    }
    assert_eq!(msg(WTAS_OK), "success");
    // SAFETY: as above.
    let unknown = unsafe { CStr::from_ptr(wtas_strerror(-7)) };
    assert_eq!(unknown.to_str().unwrap(), "unknown wtas status code");
    // SAFETY: `wtas_version` returns a static NUL-terminated string.
    let version = unsafe { CStr::from_ptr(wtas_version()) };
    assert_eq!(version.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
}
