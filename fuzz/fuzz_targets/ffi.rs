//! The C ABI under abuse: arbitrary configurations, buffer layouts carved
//! from one arena (overlapping, misaligned, NULL, wrong lengths),
//! corrupted `wtas_params` / `wtas_cell` handles, injected thresholds that
//! may alias the state, and arbitrary `t`, `dt`, resets and input bits,
//! through both the cell (`wtas_cell_*`) and the stateless (`wtas_*`)
//! forms.
//!
//! Every call returns a status, never `WTAS_ERR_PANIC`; a call that is not
//! `WTAS_OK` changes no byte of the arena, the params or the cell, and
//! names a problem the arguments really have; `WTAS_OK` is returned only
//! for valid arguments, and then the buffers hold exactly what the Rust
//! API computes from the same state.
#![no_main]

#[path = "../../tests/common/buffers.rs"]
mod buffers;
#[path = "../../tests/common/c_abi.rs"]
mod c_abi;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use wtas::ffi::*;
use wtas::{Buffers, Cell, Config, InputReset, Params};

use wtas_status::*;

/// Where the private checksum of a `wtas_cell` lies: it is `repr(C)` with
/// fields config, six buffer pointers, check (a `u64`).
const CELL_CHECK_AT: usize = size_of::<wtas_config>() + 6 * size_of::<*mut f32>();

// `decode` compares whole handles: no padding may hide in them.
const _: () = assert!(size_of::<wtas_params>() == size_of::<wtas_config>() + 16);
const _: () = assert!(size_of::<wtas_config>() == 40);

/// Elements of slack around the buffers in the arena.
const SLACK: usize = 24;

#[derive(Arbitrary, Debug, Clone, Copy)]
struct Place {
    /// 0: the default disjoint place; else an arbitrary element offset.
    offset: u16,
    /// Non-zero: a wrong length.
    len: u8,
    /// 1..=3: a misaligned pointer; 4: NULL.
    flaw: u8,
}

#[derive(Arbitrary, Debug)]
enum Op {
    ParamsInit,
    Bind,
    CorruptParams {
        at: u8,
        xor: u8,
    },
    CorruptCell(u8),
    Seed {
        seed: u64,
        stateless: bool,
    },
    SetThreshold0 {
        bits: Vec<u32>,
        len: u8,
        alias: Option<u16>,
        stateless: bool,
    },
    Advance {
        t: u32,
        dt: u32,
        j: Vec<u32>,
        stateless: bool,
    },
    Reset {
        zero: bool,
        stateless: bool,
    },
}

#[derive(Arbitrary, Debug)]
struct Input {
    n_units: u8,
    batch_size: u8,
    floats: [u32; 6],
    places: [Place; 6],
    init: Vec<u32>,
    ops: Vec<Op>,
}

fn len_from(n: usize, sel: u8) -> usize {
    let d = 1 + (sel as usize >> 2) % 5;
    match sel % 8 {
        1 => n + d,
        2 => n.saturating_sub(d),
        _ => n,
    }
}

/// The bytes of any plain value.
fn bytes_of<T>(x: &T) -> Vec<u8> {
    // SAFETY: reads size_of::<T>() bytes of a live value; every object
    // here was created fully initialised (zeroed before use).
    unsafe { core::slice::from_raw_parts(x as *const T as *const u8, size_of::<T>()).to_vec() }
}

/// What a (params, buffers) pair is, from the caller's side.
fn problems(
    params: Option<Params>,
    bufs: &wtas_buffers,
    places: &[(usize, usize, u8); 6],
) -> Vec<wtas_status> {
    let mut p = Vec::new();
    let Some(params) = params else {
        return vec![WTAS_ERR_HANDLE];
    };
    if places.iter().any(|x| x.2 == 4) {
        p.push(WTAS_ERR_NULL);
    }
    if places.iter().any(|x| (1..=3).contains(&x.2)) {
        p.push(WTAS_ERR_ALIGN);
    }
    let lens = [
        bufs.j_len,
        bufs.v_len,
        bufs.s_len,
        bufs.thr_len,
        bufs.rfr_len,
        bufs.tols_len,
    ];
    if lens.iter().any(|l| *l != params.len()) {
        p.push(WTAS_ERR_LENGTH);
    }
    if p.is_empty() {
        for a in 0..6 {
            for b in a + 1..6 {
                let (sa, sb) = (places[a].0, places[b].0);
                let (ea, eb) = (sa + places[a].1, sb + places[b].1);
                if sa < ea && sb < eb && sa < eb && sb < ea {
                    p.push(WTAS_ERR_ALIAS);
                }
            }
        }
    }
    p
}

/// Decodes a `wtas_params` as the library must: the parameters
/// `wtas_params_init` wrote while every byte of the handle is as it wrote
/// them, `None` after any change. (`wtas_params` has no padding on this
/// target, and its checksum catches every change to one field; changes to
/// several fields could collide only with probability about 2^-64.)
fn decode(raw: &wtas_params, good: &[u8], original: Option<Params>) -> Option<Params> {
    if bytes_of(raw) != good {
        return None;
    }
    original
}

fuzz_target!(|input: Input| {
    let f = |k: usize| f32::from_bits(input.floats[k]);
    let config = Config {
        n_units: input.n_units as usize % 40,
        batch_size: input.batch_size as usize % 5,
        tau_m: f(0),
        resist_m: f(1),
        thr_base: f(2),
        thr_gain: f(3),
        refract_time: f(4),
        thr_jitter: f(5),
    };
    let len = config.n_units * config.batch_size;
    let arena_len = 6 * (len + 8) + 2 * SLACK + 64;
    let mut arena: Vec<u32> = (0..arena_len)
        .map(|i| {
            input
                .init
                .get(i % input.init.len().max(1))
                .copied()
                .unwrap_or(0)
        })
        .collect();
    let base = arena.as_mut_ptr();
    // (element offset, length, flaw) per buffer.
    let places: [(usize, usize, u8); 6] = core::array::from_fn(|k| {
        let p = input.places[k];
        let l = len_from(len, p.len);
        let off = if p.offset == 0 {
            SLACK + k * (len + 8)
        } else {
            p.offset as usize % (arena_len - l - 1)
        };
        (off, l, p.flaw % 16)
    });
    let ptr = |(off, _, flaw): (usize, usize, u8)| -> *mut f32 {
        match flaw {
            // SAFETY: stays inside the arena (one spare element at the end).
            1..=3 => unsafe { (base as *mut u8).add(off * 4 + flaw as usize) as *mut f32 },
            4 => core::ptr::null_mut(),
            _ => unsafe { base.add(off) as *mut f32 },
        }
    };
    let bufs = c_abi::c_buffers(places.map(|p| (ptr(p), p.1)));
    // SAFETY: plain-old-data structs; all-zero is a valid (uninitialised,
    // hence rejected) handle.
    let mut params: wtas_params = unsafe { core::mem::zeroed() };
    let mut cell: wtas_cell = unsafe { core::mem::zeroed() };
    let mut good_params: Option<(Params, Vec<u8>)> = None;
    let mut bound_at_bind: Option<(Params, Vec<u8>)> = None;
    // A call in its stateless form, on the params and the buffers, or in
    // its bound form, on the cell, with the same other arguments.
    macro_rules! either_form {
        ($stateless:expr, $free:ident, $bound:ident, $($arg:expr),+) => {
            if $stateless {
                unsafe { $free(&params, &bufs, $($arg),+) }
            } else {
                unsafe { $bound(&mut cell, $($arg),+) }
            }
        };
    }

    for op in input.ops.iter().take(48) {
        let bound = bound_at_bind.clone();
        let arena_before = arena.clone();
        let (params_before, cell_before) = (bytes_of(&params), bytes_of(&cell));
        let cur = good_params
            .as_ref()
            .and_then(|(p, g)| decode(&params, g, Some(*p)));
        let layout = problems(cur, &bufs, &places);
        // The cell is bound while its checksum is what `wtas_cell_bind`
        // wrote (two equal corruptions cancel out).
        let checksum_bytes = |c: &wtas_cell| bytes_of(c)[CELL_CHECK_AT..CELL_CHECK_AT + 8].to_vec();
        let bound = bound
            .filter(|(_, m)| *m == checksum_bytes(&cell))
            .map(|(p, _)| p);
        // What a call refuses for its handle alone (a stateless call the
        // layout's problems, a cell call an unbound cell), and the params
        // it runs with.
        let refused = |stateless: bool| {
            if stateless {
                layout.clone()
            } else if bound.is_some() {
                vec![]
            } else {
                vec![WTAS_ERR_HANDLE]
            }
        };
        let params_for = |stateless: bool| if stateless { cur } else { bound };
        // The value-level outcome for a valid layout, and what Rust does.
        let (expect, st): (Vec<wtas_status>, wtas_status) = match op {
            Op::ParamsInit => {
                let st = unsafe { wtas_params_init(&mut params, &config) };
                if st == WTAS_OK {
                    let p = Params::try_new(config).unwrap();
                    assert_eq!(params.config, config);
                    assert_eq!(params.len, p.len());
                    good_params = Some((p, bytes_of(&params)));
                    continue;
                }
                let e = Params::try_new(config).err().map(status_of);
                let e = e.unwrap_or(WTAS_ERR_SIZE);
                (vec![e], st)
            }
            Op::Bind => {
                let st = unsafe { wtas_cell_bind(&mut cell, &params, &bufs) };
                if st == WTAS_OK {
                    assert!(layout.is_empty(), "bind accepted {layout:?}");
                    bound_at_bind = cur.map(|p| (p, checksum_bytes(&cell)));
                    continue;
                }
                (layout.clone(), st)
            }
            Op::CorruptParams { at, xor } => {
                // Any byte: a change to a valid configuration is caught too.
                let i = *at as usize % size_of::<wtas_params>();
                // SAFETY: in bounds of a plain struct.
                unsafe { *(&mut params as *mut wtas_params as *mut u8).add(i) ^= xor | 1 };
                continue;
            }
            Op::CorruptCell(xor) => {
                // Only the checksum: corrupting the stored buffer pointers
                // would break the caller's side of the contract.
                // SAFETY: in bounds of a plain struct.
                unsafe { *(&mut cell as *mut wtas_cell as *mut u8).add(CELL_CHECK_AT) ^= xor | 1 };
                continue;
            }
            Op::Seed { seed, stateless } => {
                let st = either_form!(*stateless, wtas_seed, wtas_cell_seed, *seed);
                let p = params_for(*stateless);
                let done = (&arena[..], &arena_before[..], &places);
                match state_call("seed", st, refused(*stateless), done, |sb| {
                    Cell::new(p.unwrap(), sb, *seed).unwrap();
                }) {
                    Some(refusal) => refusal,
                    None => continue,
                }
            }
            Op::SetThreshold0 {
                bits,
                len: l,
                alias,
                stateless,
            } => {
                let p = params_for(*stateless);
                let n = p.map_or(1, |p| p.n_units());
                let tl = len_from(n, *l);
                let mut own: Vec<u32> = (0..tl.max(1))
                    .map(|i| bits.get(i % bits.len().max(1)).copied().unwrap_or(0))
                    .collect();
                let (t0, t0_span) = match alias {
                    Some(a) => {
                        let off = *a as usize % (arena_len - tl - 1);
                        (
                            unsafe { base.add(off) as *const f32 },
                            Some((off, off + tl)),
                        )
                    }
                    None => (own.as_mut_ptr() as *const f32, None),
                };
                let st = either_form!(
                    *stateless,
                    wtas_set_threshold0,
                    wtas_cell_set_threshold0,
                    t0,
                    tl
                );
                let mut lay = refused(*stateless);
                if lay.is_empty() {
                    if tl != n {
                        lay.push(WTAS_ERR_LENGTH);
                    }
                    if let Some((a, b)) = t0_span
                        && a < b
                        && places
                            .iter()
                            .any(|pl| pl.0 < b && a < pl.0 + pl.1 && pl.1 > 0)
                    {
                        lay.push(WTAS_ERR_ALIAS);
                    }
                }
                let vals: Vec<f32> = unsafe { core::slice::from_raw_parts(t0, tl) }.to_vec();
                let vals: Vec<f32> = match t0_span {
                    Some((a, b)) => arena_before[a..b]
                        .iter()
                        .map(|x| f32::from_bits(*x))
                        .collect(),
                    None => vals,
                };
                if lay.is_empty() && vals.iter().any(|x| x.is_nan()) {
                    lay.push(WTAS_ERR_THRESHOLD_NAN);
                }
                let done = (&arena[..], &arena_before[..], &places);
                match state_call("set_threshold0", st, lay, done, |sb| {
                    Cell::with_thresholds(p.unwrap(), sb, &vals).unwrap();
                }) {
                    Some(refusal) => refusal,
                    None => continue,
                }
            }
            Op::Advance {
                t,
                dt,
                j,
                stateless,
            } => {
                let (t, dt) = (f32::from_bits(*t), f32::from_bits(*dt));
                let p = params_for(*stateless);
                let mut lay = refused(*stateless);
                if lay.is_empty() && !j.is_empty() && places[0].2 == 0 {
                    // Write the input through the (valid) j pointer.
                    let (off, l, _) = places[0];
                    for i in 0..l {
                        arena[off + i] = j[i % j.len()];
                    }
                }
                let arena_before = arena.clone();
                let st = either_form!(*stateless, wtas_advance, wtas_cell_advance, t, dt);
                if lay.is_empty() {
                    if !t.is_finite() {
                        lay.push(WTAS_ERR_TIME);
                    } else if !(dt.is_finite() && dt > 0.0) {
                        lay.push(WTAS_ERR_DT);
                    }
                }
                if st == WTAS_OK {
                    assert!(lay.is_empty(), "advance accepted {lay:?}");
                    let mut shadow = arena_before.clone();
                    let thr_nan = {
                        let (o, l, _) = places[3];
                        shadow[o..o + l].iter().any(|x| f32::from_bits(*x).is_nan())
                    };
                    if !thr_nan {
                        let sb = shadow_bufs(&mut shadow, &places);
                        Cell::resume(p.unwrap(), sb)
                            .unwrap()
                            .advance(t, dt)
                            .unwrap();
                        assert_eq!(arena, shadow, "wtas advance differs from Rust");
                    }
                    continue;
                }
                assert_ne!(st, WTAS_ERR_PANIC);
                assert!(lay.contains(&st), "advance: {st:?} not in {lay:?}");
                assert_eq!(
                    arena, arena_before,
                    "advance error {st:?} wrote to the arena"
                );
                continue;
            }
            Op::Reset { zero, stateless } => {
                let st = either_form!(*stateless, wtas_reset, wtas_cell_reset, *zero);
                let p = params_for(*stateless);
                let how = if *zero {
                    InputReset::Zero
                } else {
                    InputReset::Keep
                };
                let done = (&arena[..], &arena_before[..], &places);
                match state_call("reset", st, refused(*stateless), done, |sb| {
                    // `resume` refuses NaN thresholds; reset does not read
                    // them, and leaves them as they were.
                    let thr = sb.thr.to_vec();
                    sb.thr.fill(0.0);
                    let mut resumed = Cell::resume(p.unwrap(), sb).unwrap();
                    resumed.reset(how);
                    resumed.into_state().thr.copy_from_slice(&thr);
                }) {
                    Some(refusal) => refusal,
                    None => continue,
                }
            }
        };
        assert_ne!(st, WTAS_ERR_PANIC, "a panic reached the C ABI");
        assert!(!expect.is_empty(), "{op:?}: {st:?} for valid arguments");
        assert!(
            expect.contains(&st),
            "{op:?}: {st:?} is not one of {expect:?}"
        );
        assert_eq!(
            arena, arena_before,
            "{op:?}: error {st:?} wrote to a buffer"
        );
        assert_eq!(
            bytes_of(&params),
            params_before,
            "{op:?}: error {st:?} wrote params"
        );
        assert_eq!(
            bytes_of(&cell),
            cell_before,
            "{op:?}: error {st:?} wrote the cell"
        );
    }
});

/// The end of a call that writes only the state buffers, given its status
/// `st` and what its arguments make it refuse. Accepted: nothing may refuse
/// it, and the arena (`done.0`) must hold what `rust` writes into the state
/// buffers of a copy of the arena before the call (`done.1`); `None`.
/// Refused: the refusals and the status, for the checks every refusal gets.
fn state_call(
    call: &str,
    st: wtas_status,
    refused: Vec<wtas_status>,
    done: (&[u32], &[u32], &[(usize, usize, u8); 6]),
    rust: impl FnOnce(Buffers<'_>),
) -> Option<(Vec<wtas_status>, wtas_status)> {
    let (arena, before, places) = done;
    if st != WTAS_OK {
        return Some((refused, st));
    }
    assert!(refused.is_empty(), "{call} accepted {refused:?}");
    let mut shadow = before.to_vec();
    rust(shadow_bufs(&mut shadow, places));
    assert_eq!(arena, shadow, "wtas {call} differs from Rust");
    None
}

/// The six state buffers inside a copy of the arena (valid layouts only).
fn shadow_bufs<'a>(shadow: &'a mut [u32], places: &[(usize, usize, u8); 6]) -> Buffers<'a> {
    // The places are disjoint (checked by the caller's expectation), so
    // carving them one by one from sorted order is possible.
    let mut order: Vec<usize> = (0..6).collect();
    order.sort_by_key(|&k| places[k].0);
    let mut rest: &'a mut [u32] = shadow;
    let mut consumed = 0;
    let mut out: [Option<&'a mut [f32]>; 6] = Default::default();
    for k in order {
        let (off, l, _) = places[k];
        let r = core::mem::take(&mut rest);
        let (_, r) = r.split_at_mut(off - consumed);
        let (mid, r) = r.split_at_mut(l);
        rest = r;
        consumed = off + l;
        // SAFETY: u32 and f32 have the same size and alignment, any bits.
        out[k] = Some(unsafe { core::slice::from_raw_parts_mut(mid.as_mut_ptr() as *mut f32, l) });
    }
    buffers::separate(out.map(Option::unwrap))
}
