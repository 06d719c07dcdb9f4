//! A whole cell under abuse: arbitrary hyperparameters, sizes, buffer
//! lengths, constructors, `t`, `dt`, resets, backends and input bits over
//! many steps.
//!
//! Every call must return (never panic); every `Err` must be the typed error
//! the arguments call for and must leave every buffer bit-for-bit as it
//! was; every `Ok` step must follow the rules exactly, flushing included (the
//! shared checker `tests/invariants/check.rs` recomputes `v`, `s`, `thr`,
//! `rfr`, `tols` from the state before the step), with `s ∈ {0.0, 1.0}`. Each buffer is carved out
//! of a larger array whose guard regions hold a sentinel pattern that must
//! never change.
#![no_main]

#[path = "../../tests/common/buffers.rs"]
mod buffers;
#[path = "../../tests/invariants/check.rs"]
mod check;

use arbitrary::Arbitrary;
use buffers::{GUARD, Guarded};
use check::{advance_checked, check_reset, check_step, snapshot};
use libfuzzer_sys::fuzz_target;
use wtas::kernels::Backend;
use wtas::kernels::spec::THR_FLOOR;
use wtas::{BufferName, Buffers, Cell, Config, Error, InputReset, Params};

/// Largest state (elements per buffer) the target allocates; larger valid
/// shapes are exercised through the wrong-length path only.
const MAX_LEN: usize = 2048;

/// An `f32`: any bit pattern, or one of the values that matter most.
#[derive(Arbitrary, Debug, Clone, Copy)]
enum F {
    Bits(u32),
    Special(u8),
}

const SPECIAL: [f32; 20] = [
    f32::INFINITY,
    f32::NEG_INFINITY,
    f32::NAN,
    f32::MAX,
    f32::MIN,
    0.0,
    -0.0,
    f32::MIN_POSITIVE,
    1.0,
    -1.0,
    THR_FLOOR,
    0.5,
    1e38,
    -1e38,
    f32::from_bits(1),
    // Subnormals (read as zero by the reference), a tiny normal, and a
    // value whose sums overflow.
    -f32::from_bits(0x0040_0000),
    1e-40,
    f32::from_bits(0x007f_ffff),
    2e-38,
    3e38,
];

impl F {
    fn get(self) -> f32 {
        match self {
            F::Bits(b) => f32::from_bits(b),
            F::Special(k) => SPECIAL[k as usize % SPECIAL.len()],
        }
    }
}

#[derive(Arbitrary, Debug)]
enum Size {
    Small(u8),
    Raw(usize),
}

#[derive(Arbitrary, Debug)]
enum Ctor {
    /// `Cell::with_thresholds` with these `threshold0` bits (cycled to `n_units` unless
    /// `t0_len` asks for a wrong length).
    WithThresholds {
        threshold0: Vec<F>,
        t0_len: u8,
    },
    Seeded(u64),
    Resume,
}

#[derive(Arbitrary, Debug)]
enum Op {
    /// One `advance(t, dt)`, after writing `j` (cycled) if it is non-empty.
    Step {
        t: F,
        dt: F,
        j: Vec<F>,
    },
    /// `n` well-formed steps: `t` counting up by `dt` from `t0`.
    Tick {
        n: u8,
        t0: i16,
        dt: u8,
    },
    /// Writes one input value.
    Poke {
        at: u16,
        bits: F,
    },
    Reset(bool),
    Backend(u8),
    /// Near ties: two units in three within 7 ulp of `base / 4`, the others
    /// far below; then one step, checked, and compared bit for bit with the
    /// same step of a twin cell on the scalar kernels.
    Ties {
        base: i8,
        seed: u32,
    },
}

#[derive(Arbitrary, Debug)]
struct Input {
    n_units: Size,
    batch_size: Size,
    tau_m: F,
    resist_m: F,
    thr_base: F,
    thr_gain: F,
    refract_time: F,
    thr_jitter: F,
    /// Per buffer (j, v, s, thr, rfr, tols): non-zero asks for a wrong length.
    lens: [u8; 6],
    /// Initial contents of the buffers, cycled.
    init: Vec<F>,
    ctor: Ctor,
    ops: Vec<Op>,
}

fn size(s: &Size, modulus: usize) -> usize {
    match s {
        Size::Small(x) => *x as usize % modulus,
        Size::Raw(x) => *x,
    }
}

/// Length `n`, or a wrong one when `sel` is non-zero.
fn len_from(n: usize, sel: u8) -> usize {
    let d = 1 + (sel as usize >> 2) % 9;
    match sel % 4 {
        0 => n,
        1 | 3 => n.saturating_add(d),
        _ => n.saturating_sub(d),
    }
}

/// The error `Params::try_new` must give, fields checked in order, with
/// the refused value (errors compare it by its bits).
fn expected_params_error(c: &Config) -> Option<Error> {
    let finite = |x: f32| x.is_finite();
    let nonneg = |x: f32| x.is_finite() && x >= 0.0;
    if c.n_units == 0 {
        Some(Error::NUnits)
    } else if c.batch_size == 0 {
        Some(Error::BatchSize)
    } else if c.n_units.checked_mul(c.batch_size).is_none() {
        Some(Error::Size)
    } else if !(c.tau_m.is_finite() && c.tau_m > 0.0) {
        Some(Error::TauM { value: c.tau_m })
    } else if !finite(c.resist_m) {
        Some(Error::ResistM { value: c.resist_m })
    } else if !finite(c.thr_base) {
        Some(Error::ThrBase { value: c.thr_base })
    } else if !finite(c.thr_gain) {
        Some(Error::ThrGain { value: c.thr_gain })
    } else if !nonneg(c.refract_time) {
        Some(Error::RefractTime {
            value: c.refract_time,
        })
    } else if !nonneg(c.thr_jitter) {
        Some(Error::ThrJitter {
            value: c.thr_jitter,
        })
    } else {
        None
    }
}

fn bits(x: &[f32]) -> Vec<u32> {
    x.iter().map(|v| v.to_bits()).collect()
}

fuzz_target!(|input: Input| {
    let config = Config {
        n_units: size(&input.n_units, 70),
        batch_size: size(&input.batch_size, 6),
        tau_m: input.tau_m.get(),
        resist_m: input.resist_m.get(),
        thr_base: input.thr_base.get(),
        thr_gain: input.thr_gain.get(),
        refract_time: input.refract_time.get(),
        thr_jitter: input.thr_jitter.get(),
    };
    let params = match Params::try_new(config) {
        Ok(p) => {
            assert_eq!(expected_params_error(&config), None);
            assert_eq!(p.config(), config);
            assert_eq!(p.len(), config.n_units * config.batch_size);
            p
        }
        Err(e) => {
            assert_eq!(Some(e), expected_params_error(&config), "{config:?}");
            return;
        }
    };
    let len = params.len();
    let n = params.n_units();

    // Buffer lengths; a valid shape too large to allocate here is checked
    // with small (necessarily wrong) buffers.
    let lens: [usize; 6] = core::array::from_fn(|k| {
        if len > MAX_LEN {
            input.lens[k] as usize % 17
        } else {
            len_from(len, input.lens[k])
        }
    });
    let mut arena = Guarded::new(lens, |k, i| {
        let b = input.init.get((i * 6 + k) % input.init.len().max(1));
        b.map_or(0.0, |b| b.get())
    });
    let before = arena.bits();
    let threshold0: Vec<f32> = match &input.ctor {
        Ctor::WithThresholds { threshold0, t0_len } => {
            let l = if n > MAX_LEN {
                *t0_len as usize % 17
            } else {
                len_from(n, *t0_len)
            };
            (0..l)
                .map(|i| {
                    threshold0
                        .get(i % threshold0.len().max(1))
                        .map_or(0.3, |b| b.get())
                })
                .collect()
        }
        _ => Vec::new(),
    };

    // Carve the six slices; keep the guards.
    let (bufs, guards) = arena.carve();

    // What the constructor must do.
    let first_bad = (0..6).find(|&k| lens[k] != len);
    let length_error = |k: usize| Error::Length {
        buffer: BufferName::STATE[k],
        expected: len,
        found: lens[k],
    };
    let expected: Result<(), Error> = match &input.ctor {
        Ctor::WithThresholds { .. } if threshold0.len() != n => Err(Error::Length {
            buffer: BufferName::Threshold0,
            expected: n,
            found: threshold0.len(),
        }),
        Ctor::WithThresholds { .. } if threshold0.iter().any(|x| x.is_nan()) => {
            Err(Error::ThresholdNan)
        }
        _ if first_bad.is_some() => Err(length_error(first_bad.unwrap())),
        _ => Ok(()),
    };
    let made = match &input.ctor {
        Ctor::WithThresholds { .. } => Cell::with_thresholds(params, bufs, &threshold0),
        Ctor::Seeded(seed) => Cell::new(params, bufs, *seed),
        Ctor::Resume => Cell::resume(params, bufs),
    };
    let mut cell = match made {
        Ok(cell) => {
            assert_eq!(expected, Ok(()), "constructor accepted bad input");
            cell
        }
        Err(e) => {
            // Any wrong buffer may be named first; the error must be a true one.
            match (e, expected) {
                (Error::Length { buffer, .. }, Err(Error::Length { .. })) => {
                    let k = BufferName::STATE.iter().position(|b| *b == buffer);
                    match k {
                        Some(k) => assert_eq!(e, length_error(k)),
                        None => assert_eq!(Err(e), expected),
                    }
                }
                _ => assert_eq!(Err(e), expected),
            }
            drop(guards);
            assert_eq!(
                before,
                arena.bits(),
                "constructor error {e:?} wrote to a buffer"
            );
            return;
        }
    };
    guards.check();

    // The constructor's own rules.
    let st = snapshot(&cell);
    let zero = 0.0_f32.to_bits();
    assert_eq!(
        st[0],
        before[0][GUARD..GUARD + len],
        "constructor changed j"
    );
    match &input.ctor {
        Ctor::Resume => {
            for k in 0..6 {
                assert_eq!(
                    st[k],
                    before[k][GUARD..GUARD + len],
                    "resume changed buffer {k}"
                );
            }
        }
        ctor => {
            assert!(st[1].iter().chain(&st[2]).chain(&st[5]).all(|b| *b == zero));
            assert!(st[4].iter().all(|b| *b == params.refract_time().to_bits()));
            for row in st[3].chunks_exact(n) {
                match ctor {
                    Ctor::WithThresholds { .. } => assert_eq!(row, &bits(&threshold0)[..]),
                    _ => {
                        assert_eq!(row, &st[3][..n]);
                        let (b, jit) = (params.thr_base(), params.thr_jitter());
                        for x in row.iter().map(|x| f32::from_bits(*x)) {
                            assert!(x >= b - jit && x <= b + jit, "thr0 {x:e} out of range");
                        }
                    }
                }
            }
        }
    }

    let mut steps = 0usize;
    for op in input.ops.iter().take(256) {
        match op {
            Op::Step { t, dt, j } => {
                if !j.is_empty() {
                    for (i, x) in cell.j_mut().iter_mut().enumerate() {
                        *x = j[i % j.len()].get();
                    }
                }
                let (t, dt) = (t.get(), dt.get());
                let old = snapshot(&cell);
                let want = if !t.is_finite() {
                    Err(Error::Time { value: t })
                } else if !(dt.is_finite() && dt > 0.0) {
                    Err(Error::Dt { value: dt })
                } else {
                    Ok(())
                };
                let got = cell.advance(t, dt);
                assert_eq!(got, want, "advance({t:e}, {dt:e})");
                let new = snapshot(&cell);
                if got.is_err() {
                    assert_eq!(old, new, "advance error changed the state");
                } else {
                    check_step(&params, &old, &new, t, dt);
                }
                steps += 1;
            }
            Op::Tick { n: count, t0, dt } => {
                let dt = [1.0, 0.5, 0.1, 1e-3, 3.0, 1e30, 5e-41, 2e-38, 1e38][*dt as usize % 9];
                for k in 0..*count as usize % 32 {
                    // With the largest `dt` the time overflows after a few
                    // ticks; a well-formed run stops there (`Op::Step`
                    // covers the `Error::Time` an infinite `t` gives).
                    let t = *t0 as f32 + k as f32 * dt;
                    if !t.is_finite() {
                        break;
                    }
                    advance_checked(&mut cell, t, dt);
                    steps += 1;
                }
            }
            Op::Ties { base, seed } => {
                let b = *base as f32 * 0.25;
                let mut r = *seed | 1;
                for (i, x) in cell.j_mut().iter_mut().enumerate() {
                    r ^= r << 13;
                    r ^= r >> 17;
                    r ^= r << 5;
                    *x = if i % 3 == 0 {
                        b - 12.0 - (r & 0xffff) as f32 / 65_536.0
                    } else {
                        f32::from_bits(b.to_bits().wrapping_add(r & 7))
                    };
                }
                let old = snapshot(&cell);
                let mut twin_mem: Vec<f32> =
                    old.iter().flatten().map(|b| f32::from_bits(*b)).collect();
                let twin = Buffers::from_slice(&mut twin_mem, len)
                    .and_then(|bufs| Cell::resume(params, bufs));
                let t = steps as f32;
                advance_checked(&mut cell, t, 1.0);
                if let Ok(mut twin) = twin {
                    twin.set_backend(Backend::Scalar).unwrap();
                    twin.advance(t, 1.0).unwrap();
                    assert_eq!(
                        snapshot(&cell),
                        snapshot(&twin),
                        "near ties: {:?} vs the scalar kernels",
                        cell.backend()
                    );
                }
                steps += 1;
            }
            Op::Poke { at, bits: b } => {
                let j = cell.j_mut();
                let i = *at as usize % j.len();
                j[i] = b.get();
            }
            Op::Reset(z) => {
                let input = if *z {
                    InputReset::Zero
                } else {
                    InputReset::Keep
                };
                let old = snapshot(&cell);
                cell.reset(input);
                check_reset(&params, &old, &snapshot(&cell), input);
            }
            Op::Backend(i) => {
                let b = Backend::ALL[*i as usize % Backend::ALL.len()];
                let old = cell.backend();
                match cell.set_backend(b) {
                    Ok(()) => {
                        assert!(b.is_available());
                        assert_eq!(cell.backend(), b);
                    }
                    Err(e) => {
                        assert_eq!(e, Error::BackendUnavailable);
                        assert!(!b.is_available());
                        assert_eq!(cell.backend(), old);
                    }
                }
            }
        }
        if steps > 2000 {
            break;
        }
    }
    guards.check();
});
