//! The owned cell, its storages, and the clock for long runs.
#![cfg(feature = "std")]

mod common;

use wtas::{
    BufferName, Buffers, Cell, Clock, Config, Error, HeapStorage, Params, StateStorage, Storage,
};

const N: usize = 13;
const B: usize = 3;

fn params() -> Params {
    common::stepping_config(N, B).validate().unwrap()
}

/// The input of step `k`: a winner that moves, plus a little noise.
fn input(k: usize, j: &mut [f32]) {
    for (i, x) in j.iter_mut().enumerate() {
        *x = ((i * 7 + k * 3) % 11) as f32 * 0.1;
    }
    j[(k * 5) % j.len()] = 6.0;
}

/// Twenty steps on a borrowed cell: the bits every owned cell must give.
fn reference_run() -> Vec<u32> {
    let mut mem = vec![0.0_f32; 6 * N * B];
    let mut cell = Cell::new(params(), Buffers::from_slice(&mut mem, N * B).unwrap(), 5).unwrap();
    for k in 0..20 {
        input(k, cell.j_mut());
        cell.advance(k as f32, 1.0).unwrap();
    }
    mem.iter().map(|x| x.to_bits()).collect()
}

fn owned_run<S: StateStorage>(state: S) -> Vec<u32> {
    let mut cell = Cell::new(params(), state, 5).unwrap();
    for k in 0..20 {
        input(k, cell.j_mut());
        cell.advance(k as f32, 1.0).unwrap();
    }
    let view = cell.state().view();
    view.iter()
        .flat_map(|b| b.iter().map(|x| x.to_bits()))
        .collect()
}

#[test]
fn every_storage_gives_the_borrowed_cells_bits() {
    let want = reference_run();
    assert_eq!(owned_run(Storage::<N, B>::new()), want, "Storage");
    assert_eq!(owned_run(HeapStorage::new(N * B)), want, "HeapStorage");
    assert_eq!(
        owned_run(Box::new(Storage::<N, B>::new())),
        want,
        "Box<Storage>"
    );
    let vecs: [Vec<f32>; 6] = std::array::from_fn(|_| vec![0.0; N * B]);
    assert_eq!(owned_run(vecs), want, "[Vec<f32>; 6]");
    let mut arrays = [[0.0_f32; N * B]; 6];
    assert_eq!(owned_run(&mut arrays), want, "&mut [[f32; _]; 6]");
}

#[test]
fn heap_storage_aligns_every_buffer() {
    for len in [1, 5, 8, 13, 64, 1000] {
        let mut heap = HeapStorage::new(len);
        let b = heap.buffers();
        for buf in [b.j, b.v, b.s, b.thr, b.rfr, b.tols] {
            assert_eq!(buf.len(), len);
            assert_eq!(buf.as_ptr() as usize % 32, 0, "len {len}");
        }
    }
}

#[test]
fn owned_cell_lives_in_a_struct_and_resumes() {
    struct Layer {
        cell: Cell<HeapStorage>,
        spikes: usize,
    }
    let mut layer = Layer {
        cell: Cell::new(params(), HeapStorage::new(N * B), 9).unwrap(),
        spikes: 0,
    };
    for k in 0..10 {
        input(k, layer.cell.j_mut());
        layer.cell.advance(k as f32, 1.0).unwrap();
        layer.spikes += (0..B)
            .map(|row| layer.cell.winners(row).expect("a row of the cell").count())
            .sum::<usize>();
    }
    assert!(layer.spikes >= 10, "{} spikes", layer.spikes);
    // The state goes out and comes back unchanged.
    let before: Vec<u32> = layer.cell.thr().iter().map(|x| x.to_bits()).collect();
    let state = layer.cell.into_state();
    let cell = Cell::resume(params(), state).unwrap();
    let after: Vec<u32> = cell.thr().iter().map(|x| x.to_bits()).collect();
    assert_eq!(before, after);
}

#[test]
fn owned_cell_errors_leave_the_state_as_it_was() {
    let mut cell = Cell::new(params(), Storage::<N, B>::new(), 1).unwrap();
    input(0, cell.j_mut());
    cell.advance(0.0, 1.0).unwrap();
    let snapshot = |c: &Cell<Storage<N, B>>| -> Vec<u32> {
        c.state()
            .view()
            .iter()
            .flat_map(|b| b.iter().map(|x| x.to_bits()))
            .collect()
    };
    let before = snapshot(&cell);
    assert_eq!(
        cell.advance(f32::NAN, 1.0),
        Err(Error::Time { value: f32::NAN })
    );
    assert_eq!(cell.advance(1.0, 0.0), Err(Error::Dt { value: 0.0 }));
    assert_eq!(snapshot(&cell), before);
    // Wrong lengths are refused when the cell is made.
    let short: [Vec<f32>; 6] = std::array::from_fn(|k| vec![0.0; N * B - usize::from(k == 4)]);
    assert_eq!(
        Cell::new(params(), short, 1).map(|_| ()),
        Err(Error::Length {
            buffer: BufferName::Rfr,
            expected: N * B,
            found: N * B - 1
        })
    );
}

/// A storage that lends a shorter `thr` after it was checked: `advance`
/// must refuse it, not panic and not write.
#[test]
fn a_storage_that_changes_its_lengths_is_refused() {
    struct Shrinking {
        mem: [Vec<f32>; 6],
        calls: usize,
    }
    impl StateStorage for Shrinking {
        fn buffers(&mut self) -> Buffers<'_> {
            self.calls += 1;
            let shrink = usize::from(self.calls > 1);
            let mut b = self.mem.buffers();
            let len = b.thr.len() - shrink;
            b.thr = &mut b.thr[..len];
            b
        }
        fn view(&self) -> [&[f32]; 6] {
            self.mem.view()
        }
    }
    let state = Shrinking {
        mem: std::array::from_fn(|_| vec![0.0; N * B]),
        calls: 0,
    };
    let mut cell = Cell::new(params(), state, 1).unwrap();
    let before: Vec<f32> = cell.thr().to_vec();
    assert!(matches!(
        cell.advance(0.0, 1.0),
        Err(Error::Length {
            buffer: BufferName::Thr,
            ..
        })
    ));
    assert_eq!(cell.thr(), before.as_slice());
}

/// Past `2^24` steps an `f32` time kept by `t += 1.0` stops, and `tols`
/// freezes; the clock's time keeps moving.
#[test]
fn clock_keeps_time_past_two_to_the_24() {
    let start = (1u64 << 24) - 4;
    let mut clock = Clock::starting_at_step(0.0, 1.0, start).unwrap();
    let mut t32 = start as f32;
    let mut last_t = f32::MIN;
    let mut stalls = 0;
    for _ in 0..64 {
        let (t, dt) = clock.tick();
        assert_eq!(dt, 1.0);
        assert!(t >= last_t, "time went back: {t} after {last_t}");
        if t == last_t {
            stalls += 1;
        }
        last_t = t;
        t32 += 1.0;
    }
    // The f32 counter is stuck at 2^24; the clock is 60 steps further on.
    assert_eq!(t32, 16_777_216.0);
    assert_eq!(last_t, 16_777_276.0);
    assert_eq!(clock.steps(), start + 64);
    // Every other step rounds to the same f32 (ties to even), never more.
    assert!(stalls <= 32, "{stalls} stalls");
    assert_eq!(clock.resolution(), 2.0);

    // Through a cell: the time of last spike keeps moving with the clock.
    let mut cell = Cell::with_thresholds(params(), Storage::<N, B>::new(), &[0.3; N]).unwrap();
    for _ in 0..8 {
        cell.j_mut().fill(0.0);
        cell.j_mut()[0] = 9.0;
        let (t, dt) = clock.tick();
        cell.advance(t, dt).unwrap();
        assert_eq!(cell.s()[0], 1.0);
        assert_eq!(cell.tols()[0], t);
    }
    assert!(cell.tols()[0] > 16_777_276.0);
}

#[test]
fn winners_names_the_units_that_spiked_and_refuses_a_row_past_the_last() {
    let mut cell = Cell::with_thresholds(params(), HeapStorage::new(N * B), &[0.3; N]).unwrap();
    cell.j_mut()[N + 4] = 9.0; // row 1, unit 4
    cell.advance(0.0, 1.0).unwrap();
    assert!(cell.winners(1).unwrap().eq([4]));
    assert!(cell.winners(B - 1).is_some());
    assert!(cell.winners(B).is_none(), "row {B} of a {B}-row cell");
    assert!(cell.winners(usize::MAX).is_none());
}

#[test]
fn a_cloned_cell_steps_on_its_own_copy_of_the_state() {
    for_each_clone(Cell::new(params(), HeapStorage::new(N * B), 5).unwrap());
    for_each_clone(Cell::new(params(), Storage::<N, B>::new(), 5).unwrap());

    fn for_each_clone<S: StateStorage + Clone>(mut cell: Cell<S>) {
        input(0, cell.j_mut());
        cell.advance(0.0, 1.0).unwrap();
        let mut copy = cell.clone();
        assert_eq!(copy.thr(), cell.thr());
        // The copy steps; the original keeps its state, then gives the
        // same bits when it takes the same step.
        input(1, copy.j_mut());
        copy.advance(1.0, 1.0).unwrap();
        assert_ne!(copy.tols(), cell.tols());
        input(1, cell.j_mut());
        cell.advance(1.0, 1.0).unwrap();
        let bits = |c: &Cell<S>| -> Vec<u32> {
            c.state()
                .view()
                .concat()
                .iter()
                .map(|x| x.to_bits())
                .collect()
        };
        assert_eq!(bits(&copy), bits(&cell));
    }
}

#[test]
fn a_cloned_heap_storage_is_aligned_and_equal() {
    let mut heap = HeapStorage::new(N * B);
    heap.buffers().thr.fill(0.5);
    for _ in 0..8 {
        let copy = heap.clone();
        assert_eq!(copy.view(), heap.view());
        for buf in copy.view() {
            assert!((buf.as_ptr() as usize).is_multiple_of(32));
        }
    }
}

#[test]
fn debug_prints_the_shape_not_the_state() {
    let big = common::params(1024, |c| c.batch_size = 4);
    let cell = Cell::new(big, HeapStorage::new(big.len()), 1).unwrap();
    let owned = format!("{cell:?}");
    assert!(
        owned.contains("n_units: 1024") && owned.contains("backend"),
        "{owned}"
    );
    let heap = format!("{:?}", HeapStorage::new(big.len()));
    let storage = format!("{:?}", Storage::<64, 2>::new());
    assert!(heap.contains("len: 4096"), "{heap}");
    assert!(
        storage.contains("n_units: 64") && storage.contains("batch_size: 2"),
        "{storage}"
    );
    let mut mem = vec![0.0_f32; 6 * 8];
    let buffers = format!("{:?}", Buffers::from_slice(&mut mem, 8).unwrap());
    let borrowed = format!(
        "{:?}",
        Cell::new(
            Config::new(8).validate().unwrap(),
            Buffers::from_slice(&mut mem, 8).unwrap(),
            1
        )
        .unwrap()
    );
    assert!(buffers.contains("tols_len: 8"), "{buffers}");
    for text in [&owned, &borrowed, &heap, &storage, &buffers] {
        assert!(text.len() < 400, "{} characters: {text}", text.len());
    }
}

#[test]
fn a_clock_rebuilt_from_its_getters_is_the_same_clock() {
    let mut clock = Clock::new(-2.5, 0.25).unwrap();
    for _ in 0..7 {
        clock.tick();
    }
    assert_eq!((clock.t0(), clock.dt(), clock.steps()), (-2.5, 0.25, 7));
    let mut resumed = Clock::starting_at_step(clock.t0(), clock.dt(), clock.steps()).unwrap();
    assert_eq!(resumed, clock);
    assert_eq!(resumed.tick(), clock.tick());
}
