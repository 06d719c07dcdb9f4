//! The `serde` feature: `Config` and `Params` through real formats (JSON,
//! self-describing; postcard, compact and positional), `Params` validated
//! when read, and state snapshots restored bit for bit, NaN payloads
//! included, into caller buffers, an `Cell` and an `OwnedSnapshot`.

use wtas::{BufferName, Buffers, Cell, Config, Error, OwnedSnapshot, Params, Storage};

/// Every value a state may hold whose bits a careless format would lose:
/// NaNs with non-canonical payloads and signs, signed zeros, infinities,
/// subnormals, and the extremes.
const AWKWARD: [u32; 16] = [
    0x7fc0_1234, // quiet NaN, payload
    0xffa0_0001, // signalling NaN, negative, payload
    0x7f80_0001, // signalling NaN, smallest payload
    0xffc0_0000, // negative quiet NaN
    0x7fc0_0000, // f32::NAN
    0x0000_0000, // +0
    0x8000_0000, // -0
    0x7f80_0000, // +inf
    0xff80_0000, // -inf
    0x0000_0001, // smallest subnormal
    0x807f_ffff, // largest negative subnormal
    0x0080_0000, // smallest normal
    0x7f7f_ffff, // f32::MAX
    0x3f80_0000, // 1.0
    0x3ecc_cccd, // 0.4
    0xc2c8_0000, // -100.0
];

fn bits(x: &[f32]) -> Vec<u32> {
    x.iter().map(|v| v.to_bits()).collect()
}

/// The six buffers of a `Cell` or an `OwnedCell` as bit patterns: j, v,
/// s, thr, rfr, tols.
macro_rules! state_bits {
    ($cell:expr) => {{
        let c = &$cell;
        [c.j(), c.v(), c.s(), c.thr(), c.rfr(), c.tols()].map(bits)
    }};
}

/// A config with no default value left, so that a field read into the
/// wrong place would show.
fn config() -> Config {
    Config {
        n_units: 8,
        batch_size: 2,
        tau_m: 12.5,
        resist_m: -1.25,
        thr_base: 0.375,
        thr_gain: 0.003,
        refract_time: 2.0,
        thr_jitter: 0.0625,
    }
}

#[test]
fn config_and_params_round_trip() {
    let config = config();
    let params = config.validate().unwrap();

    let json = serde_json::to_string(&config).unwrap();
    assert_eq!(serde_json::from_str::<Config>(&json).unwrap(), config);
    // Params reads and writes as its Config.
    assert_eq!(serde_json::to_string(&params).unwrap(), json);
    assert_eq!(serde_json::from_str::<Params>(&json).unwrap(), params);

    let mut buf = [0_u8; 128];
    let bytes = postcard::to_slice(&params, &mut buf).unwrap();
    assert_eq!(postcard::from_bytes::<Params>(bytes).unwrap(), params);
    let bytes = postcard::to_slice(&config, &mut buf).unwrap();
    assert_eq!(postcard::from_bytes::<Config>(bytes).unwrap(), config);
}

#[test]
fn invalid_params_are_rejected_with_the_crate_message() {
    // Each case: a change to the config, and the error it must give.
    type Change = fn(&mut Config);
    let cases: [(Change, Error); 6] = [
        (|c| c.n_units = 0, Error::NUnits),
        (|c| c.batch_size = 0, Error::BatchSize),
        (|c| c.batch_size = usize::MAX, Error::Size),
        (|c| c.tau_m = 0.0, Error::TauM { value: 0.0 }),
        (
            |c| c.refract_time = -1.0,
            Error::RefractTime { value: -1.0 },
        ),
        (
            |c| c.thr_jitter = f32::INFINITY,
            Error::ThrJitter {
                value: f32::INFINITY,
            },
        ),
    ];
    for (change, want) in cases {
        let mut bad = config();
        change(&mut bad);
        // A Config of any value reads back; as Params it is refused.
        let mut buf = [0_u8; 128];
        let bytes = postcard::to_slice(&bad, &mut buf).unwrap();
        assert_eq!(postcard::from_bytes::<Config>(bytes).unwrap(), bad);
        assert!(postcard::from_bytes::<Params>(bytes).is_err(), "{want:?}");

        if bad.thr_jitter.is_finite() {
            let json = serde_json::to_string(&bad).unwrap();
            let err = serde_json::from_str::<Params>(&json).unwrap_err();
            assert!(
                err.to_string().starts_with(want.message()),
                "{err} for {want:?}"
            );
        }
    }
    // JSON writes a non-finite f32 as `null`, which does not read as one.
    let json = serde_json::to_string(&Config {
        thr_jitter: f32::INFINITY,
        ..config()
    })
    .unwrap();
    assert!(serde_json::from_str::<Params>(&json).is_err());
    // A field missing.
    assert!(serde_json::from_str::<Params>(r#"{"n_units": 4}"#).is_err());
}

/// A two-row, eight-unit state of the awkward values, with every buffer
/// different, stepped once so that it is a state the rules wrote in part.
fn awkward_state() -> [Vec<f32>; 6] {
    std::array::from_fn(|k| {
        (0..16)
            .map(|i| f32::from_bits(AWKWARD[(i + 3 * k) % AWKWARD.len()]))
            .collect()
    })
}

#[test]
fn snapshot_restores_every_bit_and_steps_identically() {
    let params = config().validate().unwrap();
    let mut original = awkward_state();
    let before = original.each_ref().map(|b| bits(b));
    let [j, v, s, thr, rfr, tols] = &mut original;
    let mut cell = Cell::resume(
        params,
        Buffers {
            j,
            v,
            s,
            thr,
            rfr,
            tols,
        },
    )
    .unwrap();

    // Snapshot the raw state (NaN payloads in every buffer) in both formats.
    let json = serde_json::to_string(&cell.snapshot().unwrap()).unwrap();
    let mut buf = vec![0_u8; 4096];
    let post = postcard::to_slice(&cell.snapshot().unwrap(), &mut buf)
        .unwrap()
        .to_vec();

    let mut from_json = [[7.0_f32; 16]; 6];
    let mut from_post = [[7.0_f32; 16]; 6];
    {
        let mut de = serde_json::Deserializer::from_str(&json);
        let bufs = Buffers::from_slice(from_json.as_flattened_mut(), 16).unwrap();
        let mut a = Cell::restore(&mut de, bufs).unwrap();
        let mut de = postcard::Deserializer::from_bytes(&post);
        let bufs = Buffers::from_slice(from_post.as_flattened_mut(), 16).unwrap();
        let mut b = Cell::restore(&mut de, bufs).unwrap();
        assert_eq!(a.params(), &params);
        assert_eq!(b.params(), &params);

        // Every state value restored bit for bit.
        assert_eq!(state_bits!(a), before);
        assert_eq!(state_bits!(b), before);

        // All three cells advance by one step to the same bits.
        cell.advance(3.0, 0.5).unwrap();
        a.advance(3.0, 0.5).unwrap();
        b.advance(3.0, 0.5).unwrap();
        let want = state_bits!(cell);
        assert_eq!(state_bits!(a), want);
        assert_eq!(state_bits!(b), want);
        // The step did something: the test would see a lost bit.
        assert_ne!(want, before);
    }
}

#[test]
fn snapshot_payloads_are_on_the_wire() {
    // The JSON names the fields and holds the bits as integers.
    let params = Config::new(2).validate().unwrap();
    let state = [
        [f32::from_bits(0x7fc0_1234), -0.0],
        [0.0; 2],
        [0.0; 2],
        [f32::from_bits(0xffa0_0001), f32::from_bits(1)],
        [f32::INFINITY, f32::NEG_INFINITY],
        [0.0; 2],
    ];
    let snap = wtas::Snapshot::new(params, state.each_ref().map(|b| b.as_slice())).unwrap();
    let json = serde_json::to_value(snap).unwrap();
    assert_eq!(
        json["j"],
        serde_json::json!([0x7fc0_1234_u32, 0x8000_0000_u32])
    );
    assert_eq!(json["thr"], serde_json::json!([0xffa0_0001_u32, 1]));
    assert_eq!(
        json["rfr"],
        serde_json::json!([0x7f80_0000_u32, 0xff80_0000_u32])
    );
    assert_eq!(json["params"]["tau_m"], serde_json::json!(10.0));
}

#[test]
fn owned_cell_and_owned_snapshot_round_trip() {
    let params = Storage::<8, 2>::config().validate().unwrap();
    let mut cell = Cell::new(params, Storage::<8, 2>::new(), 3).unwrap();
    for step in 0..5 {
        cell.j_mut()[step] = 6.0;
        cell.j_mut()[9] = f32::from_bits(0xffa0_0001);
        cell.advance(step as f32, 1.0).unwrap();
    }
    let mut buf = [0_u8; 1024];
    let bytes = postcard::to_slice(&cell.snapshot().unwrap(), &mut buf).unwrap();

    // Into fixed storage, as firmware would.
    let mut back = Cell::restore(
        &mut postcard::Deserializer::from_bytes(bytes),
        Storage::<8, 2>::new(),
    )
    .unwrap();
    // Into memory of the snapshot's own shape.
    let snap: OwnedSnapshot = postcard::from_bytes(bytes).unwrap();
    assert_eq!(snap.params(), &params);
    // It writes what it read.
    let mut again = [0_u8; 1024];
    assert_eq!(postcard::to_slice(&snap, &mut again).unwrap(), bytes);
    let (p, state) = snap.into_parts();
    let mut heap = Cell::resume(p, state).unwrap();

    let want = state_bits!(cell);
    assert_eq!(state_bits!(back), want);
    assert_eq!(state_bits!(heap), want);
    for c in [&mut cell as &mut dyn Step, &mut back, &mut heap] {
        c.step();
    }
    // The stepped state (j is the step's input, written by `step`).
    let want = state_bits!(cell);
    assert_eq!(state_bits!(back)[1..], want[1..]);
    assert_eq!(state_bits!(heap)[1..], want[1..]);
}

/// One step of either kind of owned cell.
trait Step {
    fn step(&mut self);
}
impl<S: wtas::StateStorage> Step for Cell<S> {
    fn step(&mut self) {
        self.j_mut()[1] = 9.0;
        self.advance(5.0, 1.0).unwrap();
    }
}

#[test]
fn restore_refuses_wrong_shapes_and_bad_input() {
    let params = Config::new(4).validate().unwrap();
    let state = [[0.5_f32; 4]; 6];
    let snap = wtas::Snapshot::new(params, state.each_ref().map(|b| b.as_slice())).unwrap();
    let json = serde_json::to_string(&snap).unwrap();
    let restore = |json: &str, mem: &mut [f32], len: usize| {
        let bufs = Buffers::from_slice(mem, len).unwrap();
        Cell::restore(&mut serde_json::Deserializer::from_str(json), bufs)
            .map(|_| ())
            .map_err(|e| e.to_string())
    };
    // What a buffer of `found` values, not 4, is refused with.
    let length = |buffer, found| {
        Error::Length {
            buffer,
            expected: 4,
            found,
        }
        .to_string()
    };

    // Buffers of another shape: refused before anything is written.
    let mut mem = [9.0_f32; 30];
    let err = restore(&json, &mut mem, 5).unwrap_err();
    assert!(err.starts_with(&length(BufferName::J, 5)), "{err}");
    assert_eq!(mem, [9.0; 30]);

    // A buffer in the snapshot longer or shorter than its params say.
    let mut mem = [0.0_f32; 24];
    let long = json.replacen(
        "\"thr\":[1056964608,1056964608,1056964608,1056964608]",
        "\"thr\":[1056964608,1056964608,1056964608,1056964608,0]",
        1,
    );
    assert_ne!(long, json);
    let err = restore(&long, &mut mem, 4).unwrap_err();
    assert!(err.starts_with(&length(BufferName::Thr, 5)), "{err}");
    let short = json.replacen("\"rfr\":[1056964608,", "\"rfr\":[", 1);
    let err = restore(&short, &mut mem, 4).unwrap_err();
    assert!(err.starts_with(&length(BufferName::Rfr, 3)), "{err}");
    assert!(serde_json::from_str::<OwnedSnapshot>(&short).is_err());

    // Missing, duplicated and unknown fields, invalid params.
    let missing = json.replacen(
        ",\"tols\":[1056964608,1056964608,1056964608,1056964608]",
        "",
        1,
    );
    assert_ne!(missing, json);
    let twice = json.replacen("\"v\":", "\"j\":", 1);
    let unknown = json.replacen("\"v\":", "\"w\":", 1);
    for (input, message) in [
        (&missing, "missing field `tols`"),
        (&twice, "duplicate field `j`"),
        (&unknown, "unknown field `w`"),
    ] {
        let err = restore(input, &mut mem, 4).unwrap_err();
        assert!(err.contains(message), "{err}");
    }
    let bad = json.replacen("\"n_units\":4", "\"n_units\":0", 1);
    assert!(
        restore(&bad, &mut mem, 4)
            .unwrap_err()
            .starts_with(Error::NUnits.message())
    );
    assert!(serde_json::from_str::<OwnedSnapshot>(&bad).is_err());

    // Fields in another order read the same; a truncated postcard input fails.
    let reordered = format!(
        "{{\"tols\":{t},\"rfr\":{t},\"thr\":{t},\"s\":{t},\"v\":{t},\"j\":{t},\"params\":{p}}}",
        t = "[1056964608,1056964608,1056964608,1056964608]",
        p = serde_json::to_string(&params).unwrap(),
    );
    assert_eq!(restore(&reordered, &mut mem, 4), Ok(()));
    assert_eq!(mem, [0.5; 24]);
    let mut buf = [0_u8; 256];
    let bytes = postcard::to_slice(&snap, &mut buf).unwrap();
    for cut in 0..bytes.len() {
        let mut mem = [0.0_f32; 24];
        let bufs = Buffers::from_slice(&mut mem, 4).unwrap();
        let mut de = postcard::Deserializer::from_bytes(&bytes[..cut]);
        assert!(Cell::restore(&mut de, bufs).is_err(), "cut at {cut}");
        assert!(postcard::from_bytes::<OwnedSnapshot>(&bytes[..cut]).is_err());
    }
}

#[test]
fn a_snapshot_of_mismatched_buffers_is_refused() {
    // Buffers of another length than the params say: no snapshot, rather
    // than one that could not be read back.
    let params = Config::new(4).validate().unwrap();
    let mut state: [Vec<f32>; 6] = std::array::from_fn(|_| vec![0.0; 4]);
    assert!(wtas::Snapshot::new(params, state.each_ref().map(|b| b.as_slice())).is_ok());
    state[5].push(0.0);
    assert_eq!(
        wtas::Snapshot::new(params, state.each_ref().map(|b| b.as_slice())).unwrap_err(),
        Error::Length {
            buffer: BufferName::Tols,
            expected: 4,
            found: 5
        },
    );
}

#[test]
fn clock_round_trips_and_is_validated_when_read() {
    let mut clock = wtas::Clock::new(3.5, 0.125).unwrap();
    for _ in 0..1000 {
        clock.tick();
    }
    let json = serde_json::to_string(&clock).unwrap();
    assert_eq!(json, r#"{"t0":3.5,"dt":0.125,"steps":1000}"#);
    let mut back: wtas::Clock = serde_json::from_str(&json).unwrap();
    assert_eq!(back, clock);
    assert_eq!(back.tick(), clock.tick());
    let mut buf = [0_u8; 32];
    let bytes = postcard::to_slice(&clock, &mut buf).unwrap();
    assert_eq!(postcard::from_bytes::<wtas::Clock>(bytes).unwrap(), clock);
    // A step or start the constructor refuses is refused when read.
    let err = serde_json::from_str::<wtas::Clock>(r#"{"t0":0.0,"dt":0.0,"steps":1}"#).unwrap_err();
    assert!(
        err.to_string().contains("dt must be finite and > 0"),
        "{err}"
    );
    let err = serde_json::from_str::<wtas::Clock>(r#"{"t0":0.0,"dt":-1.0,"steps":1}"#).unwrap_err();
    assert!(err.to_string().contains("got -1.0"), "{err}");
}
