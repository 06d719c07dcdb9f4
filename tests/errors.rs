//! Every invalid parameter, length, threshold and `t`/`dt` gives its own
//! error and leaves every buffer as it was.

#[path = "invariants/check.rs"]
mod check;
mod common;

use check::snapshot;
use common::buffers::separate;
use common::rng::Rng;
use wtas::kernels::{self, Backend};
use wtas::{BufferName, Buffers, Cell, Config, Error, InputReset, Params};

const BAD: [f32; 3] = [f32::NAN, f32::INFINITY, f32::NEG_INFINITY];

fn base() -> Config {
    Config {
        batch_size: 2,
        refract_time: 1.0,
        ..Config::new(5)
    }
}

/// [`base`] with the changes `set` makes.
fn base_with(set: impl FnOnce(&mut Config)) -> Config {
    let mut config = base();
    set(&mut config);
    config
}

#[test]
fn every_invalid_parameter_names_its_field() {
    assert_eq!(base().validate().map(|p| p.len()), Ok(10));
    // Each float field: where it is, and the error that names it.
    type Field = (fn(&mut Config) -> &mut f32, fn(f32) -> Error);
    let floats: [Field; 6] = [
        (|c| &mut c.tau_m, |value| Error::TauM { value }),
        (|c| &mut c.resist_m, |value| Error::ResistM { value }),
        (|c| &mut c.thr_base, |value| Error::ThrBase { value }),
        (|c| &mut c.thr_gain, |value| Error::ThrGain { value }),
        (
            |c| &mut c.refract_time,
            |value| Error::RefractTime { value },
        ),
        (|c| &mut c.thr_jitter, |value| Error::ThrJitter { value }),
    ];
    let [tau_m, _, _, _, refract_time, thr_jitter] = floats;
    // Every non-finite value in every float field, then the finite values
    // out of range.
    let bad_floats = floats
        .into_iter()
        .flat_map(|field| BAD.map(|x| (field, x)))
        .chain([
            (tau_m, 0.0),
            (tau_m, -1.0),
            (refract_time, -0.5),
            (thr_jitter, -1e-9),
        ])
        .map(|((at, error), x)| {
            let mut config = base();
            *at(&mut config) = x;
            (config, error(x))
        });
    let sizes = [
        (base_with(|c| c.n_units = 0), Error::NUnits),
        (base_with(|c| c.batch_size = 0), Error::BatchSize),
        (
            base_with(|c| (c.n_units, c.batch_size) = (usize::MAX, 2)),
            Error::Size,
        ),
    ];
    let cases: Vec<(Config, Error)> = sizes.into_iter().chain(bad_floats).collect();
    assert_eq!(cases.len(), 25);
    for (config, expected) in cases {
        assert_eq!(Params::try_new(config), Err(expected), "{config:?}");
        assert_eq!(Params::try_from(config), Err(expected));
        // The message names the refused value, exactly as `{:?}` prints it.
        let shown = Params::try_new(config).unwrap_err().to_string();
        match expected.value() {
            Some(x) => assert!(shown.ends_with(&format!(", got {x:?}")), "{shown}"),
            None => assert!(
                !shown.contains("got") || shown.ends_with("got 0"),
                "{shown}"
            ),
        }
    }
    // Messages name the field as the reference spells it.
    for (e, field) in [
        (Error::NUnits, "n_units"),
        (Error::BatchSize, "batch_size"),
        (Error::TauM { value: f32::NAN }, "tau_m"),
        (Error::ResistM { value: f32::NAN }, "resist_m"),
        (Error::ThrBase { value: f32::NAN }, "thr_base"),
        (Error::ThrGain { value: f32::NAN }, "thr_gain"),
        (Error::RefractTime { value: f32::NAN }, "refract_time"),
        (Error::ThrJitter { value: f32::NAN }, "thr_jitter"),
    ] {
        assert!(e.to_string().contains(field), "{e}");
    }
    assert_eq!(
        Error::TauM { value: f32::NAN }.to_string(),
        "tau_m must be finite and > 0, got NaN"
    );
    assert_eq!(
        Error::ThrGain {
            value: f32::NEG_INFINITY
        }
        .to_string(),
        "thr_gain must be finite, got -inf"
    );
    assert_eq!(
        Error::BatchSize.to_string(),
        "batch_size must be at least 1, got 0"
    );
    // Negative resistance and gain, and zero refractory time, are valid.
    let ok = Config {
        resist_m: -2.0,
        thr_gain: -0.1,
        refract_time: 0.0,
        thr_jitter: 0.0,
        ..base()
    };
    assert!(ok.validate().is_ok());
}

/// Buffer `k` of `len` values, in a recognisable pattern.
fn pattern(k: usize, len: usize) -> impl Iterator<Item = f32> {
    (0..len).map(move |i| (k * 100 + i) as f32 + 0.25)
}

/// Six buffers of `len` in one slice, filled with a recognisable pattern.
fn mem(len: usize) -> Vec<f32> {
    (0..6).flat_map(|k| pattern(k, len)).collect()
}

fn bits(x: &[f32]) -> Vec<u32> {
    x.iter().map(|x| x.to_bits()).collect()
}

#[test]
fn wrong_lengths_are_refused_before_any_write() {
    let params = base().validate().unwrap();
    for (k, buffer) in BufferName::STATE.into_iter().enumerate() {
        for wrong in [0, 9, 11] {
            let mut m: [Vec<f32>; 6] =
                std::array::from_fn(|i| pattern(i, if i == k { wrong } else { 10 }).collect());
            let before = bits(&m.concat());
            let error = Error::Length {
                buffer,
                expected: 10,
                found: wrong,
            };
            let expected = Err(error);
            let r = Cell::with_thresholds(
                params,
                separate(m.each_mut().map(Vec::as_mut_slice)),
                &[0.3; 5],
            )
            .map(|_| ());
            assert_eq!(r, expected);
            let r = Cell::new(params, separate(m.each_mut().map(Vec::as_mut_slice)), 1).map(|_| ());
            assert_eq!(r, expected);
            let r = Cell::resume(params, separate(m.each_mut().map(Vec::as_mut_slice))).map(|_| ());
            assert_eq!(r, expected);
            assert_eq!(
                bits(&m.concat()),
                before,
                "{buffer:?} length {wrong}: a buffer was written"
            );
            assert!(error.to_string().contains(buffer.name()));
        }
    }
}

#[test]
fn bad_threshold0_is_refused_before_any_write() {
    let params = base().validate().unwrap();
    for (thr0, expected) in [
        (
            vec![0.3; 4],
            Error::Length {
                buffer: BufferName::Threshold0,
                expected: 5,
                found: 4,
            },
        ),
        (
            vec![0.3; 10],
            Error::Length {
                buffer: BufferName::Threshold0,
                expected: 5,
                found: 10,
            },
        ),
        (vec![0.3, 0.3, f32::NAN, 0.3, 0.3], Error::ThresholdNan),
    ] {
        let mut m = mem(10);
        let before = bits(&m);
        let r = Cell::with_thresholds(params, Buffers::from_slice(&mut m, 10).unwrap(), &thr0)
            .map(|_| ());
        assert_eq!(r, Err(expected));
        assert_eq!(bits(&m), before);
    }
    let mut out = [0.0; 4];
    assert_eq!(
        wtas::draw_threshold0(&params, &mut wtas::seed_rng(3), &mut out),
        Err(Error::Length {
            buffer: BufferName::Threshold0,
            expected: 5,
            found: 4
        })
    );
    assert_eq!(out, [0.0; 4]);
    // Resuming from a NaN threshold is accepted: the reference's own rules
    // write one at `inf - inf`, and the state must stay resumable.
    let mut m = mem(10);
    m[3 * 10 + 7] = f32::NAN;
    let r = Cell::resume(params, Buffers::from_slice(&mut m, 10).unwrap()).map(|_| ());
    assert_eq!(r, Ok(()));
}

#[test]
fn bad_t_and_dt_leave_the_state_untouched() {
    let params = base().validate().unwrap();
    let mut m = mem(10);
    let mut cell = Cell::new(params, Buffers::from_slice(&mut m, 10).unwrap(), 9).unwrap();
    cell.j_mut()
        .copy_from_slice(&[0.0, 3.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0]);
    cell.advance(0.0, 1.0).unwrap();
    let before = snapshot(&cell);
    for t in BAD {
        assert_eq!(cell.advance(t, 1.0), Err(Error::Time { value: t }));
    }
    for dt in [0.0, -0.0, -1.0, f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
        assert_eq!(cell.advance(1.0, dt), Err(Error::Dt { value: dt }));
        assert_eq!(
            cell.advance(f32::NAN, dt),
            Err(Error::Time { value: f32::NAN }),
            "t is checked first"
        );
    }
    assert_eq!(snapshot(&cell), before);
    // Tiny positive dt and negative finite t are valid.
    assert!(cell.advance(-5.0, f32::from_bits(1)).is_ok());
}

#[test]
fn kernel_length_errors_write_nothing() {
    for b in Backend::ALL {
        let x = [1.0, 2.0, 3.0];
        let mut out = [7.0; 2];
        assert_eq!(
            b.exp_sum(&x, 3.0, &mut out),
            Err(Error::Length {
                buffer: BufferName::Out,
                expected: 3,
                found: 2
            })
        );
        assert_eq!(
            b.softmax(1, 3, &x, &mut out),
            Err(Error::Length {
                buffer: BufferName::Out,
                expected: 3,
                found: 2
            })
        );
        assert_eq!(
            b.softmax(2, 2, &x, &mut out),
            Err(Error::Length {
                buffer: BufferName::In,
                expected: 4,
                found: 3
            })
        );
        assert_eq!(b.softmax(usize::MAX, 2, &x, &mut out), Err(Error::Size));
        assert_eq!(out, [7.0; 2]);
        let mut e = [0.5; 3];
        assert_eq!(
            b.spike_mask(&mut e, 1.0, &[0.1; 4]),
            Err(Error::Length {
                buffer: BufferName::Thr,
                expected: 3,
                found: 4
            })
        );
        assert_eq!(e, [0.5; 3]);
    }
    assert!(kernels::exp_sum(&[], 0.0, &mut []).is_ok());
}

#[test]
fn reset_keeps_thresholds_and_zeroes_j_only_on_request() {
    let params = base().validate().unwrap();
    let mut m = mem(10);
    let mut cell = Cell::new(params, Buffers::from_slice(&mut m, 10).unwrap(), 5).unwrap();
    cell.j_mut().fill(2.0);
    cell.j_mut()[3] = 9.0;
    cell.advance(4.0, 1.0).unwrap();
    let thr: Vec<f32> = cell.thr().to_vec();
    assert_eq!(cell.s()[3], 1.0);
    assert_eq!(cell.tols()[3], 4.0);
    cell.reset(InputReset::Keep);
    assert_eq!(cell.thr(), &thr[..]);
    assert!(
        cell.v()
            .iter()
            .chain(cell.s())
            .chain(cell.tols())
            .all(|x| x.to_bits() == 0)
    );
    assert!(cell.rfr().iter().all(|&x| x == 1.0));
    assert_eq!(cell.j()[3], 9.0);
    cell.reset(InputReset::Zero);
    assert!(cell.j().iter().all(|x| x.to_bits() == 0));
    assert_eq!(cell.thr(), &thr[..]);
}

#[test]
fn seeded_thresholds_are_reproducible_and_in_range() {
    let params = common::params(1000, |c| {
        c.thr_base = 0.4;
        c.thr_jitter = 0.05;
    });
    let (mut a, mut b) = (vec![0.0; 1000], vec![0.0; 1000]);
    wtas::draw_threshold0(&params, &mut wtas::seed_rng(11), &mut a).unwrap();
    wtas::draw_threshold0(&params, &mut wtas::seed_rng(11), &mut b).unwrap();
    assert_eq!(a, b);
    assert!(a.iter().all(|&x| (0.35..0.45).contains(&x)));
    let mean = a.iter().sum::<f32>() / 1000.0;
    assert!((mean - 0.4).abs() < 0.005, "mean {mean}");
    wtas::draw_threshold0(&params, &mut wtas::seed_rng(12), &mut b).unwrap();
    assert_ne!(a, b);
    // Pinned: the same seed must give these bits on every target.
    assert_eq!(
        &a[..3].iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
        &PINNED
    );
}

/// xoshiro128++ seeded with 11 through SplitMix64, recorded on x86_64.
const PINNED: [u32; 3] = [1053514491, 1052804682, 1051959293];

/// `Cell::new` draws from its own copy of the generator (smaller
/// firmware); it must be exactly the stream of `seed_rng(seed)`.
#[test]
fn cell_new_draws_the_seed_rng_stream() {
    let params = common::params(37, |c| {
        c.batch_size = 2;
        c.thr_base = 0.4;
        c.thr_jitter = 0.05;
    });
    let mut seeds = vec![0, 1, 11, u64::MAX, 0x9e37_79b9_7f4a_7c15];
    let mut rng = Rng::new(0x1234_5678_9abc_def0);
    seeds.extend((0..500).map(|_| rng.next()));
    for seed in seeds {
        let mut expected = vec![0.0; 37];
        wtas::draw_threshold0(&params, &mut wtas::seed_rng(seed), &mut expected).unwrap();
        let mut storage = wtas::Storage::<37, 2>::new();
        let cell = Cell::new(params, storage.buffers(), seed).unwrap();
        let bits = |x: &[f32]| x.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&cell.thr()[..37]), bits(&expected), "seed {seed:#x}");
        assert_eq!(bits(&cell.thr()[37..]), bits(&expected), "seed {seed:#x}");
    }
}
