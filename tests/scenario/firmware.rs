//! The firmware scenario, shared word for word by the firmware
//! (`tests/embedded`), the WebAssembly test (`tests/wasm`) and the host test
//! (`tests/firmware_digest.rs`), so that they cannot drift apart. It lives
//! outside the firmware crate so that the published package ships it
//! (a package leaves out folders that hold their own `Cargo.toml`).
//!
//! 64 units, batch 1, 2,000 steps of `dt = 1`, refractory time 3 and
//! threshold gain 0.01. The input is drawn on the device from xorshift32:
//! uniform noise, two winners that drift across the population, and rare
//! NaN, `+inf`, `-inf` and large values. The cell is reset every 300 steps,
//! alternately keeping and zeroing `j`.
//!
//! Then, after one more reset, 400 steps at near ties: a block of 40 units
//! (moving along the row) within 7 ulp of 1.0, the others near -17.
//! Whenever the thresholds sit at their floor, 0.025, each block unit's
//! probability is within a few ulp of it (`1 / 40 = 0.025`), so which of
//! them spike is decided by the last bits of the row sum (its order: the
//! block straddles the sum's two windows of 32) and of the reciprocal.
//! (Changing either changes the digest.) Last, the bits of `exp` on a
//! sweep of 16,384 inputs over [-88, 0] and of the softmax of 16 near-tie
//! rows, where the fused multiply-adds of `exp` decide the last bits.
//! So the digest proves the same bits at ties on every target.
//!
//! After every step (and every reset) the bit patterns of `j`, `v`, `s`,
//! `thr`, `rfr` and `tols` are folded into a 64-bit FNV-1a digest, one
//! 32-bit word at a time.
//!
//! Only IEEE-754 basic operations on exactly representable values are used
//! here, so the input is the same on every target.

use wtas::{Cell, Config, Error, InputReset, Storage};

/// Units per row.
pub const N: usize = 64;
/// Batch rows.
pub const B: usize = 1;
/// Steps in the run.
pub const STEPS: u32 = 2000;
/// Seed of the initial thresholds ([`Cell::new`]).
pub const SEED: u64 = 0x5eed_f00d;
/// Seed of the input generator.
pub const INPUT_SEED: u32 = 0x9e37_79b9;
/// Steps between resets.
pub const RESET_EVERY: u32 = 300;
/// Time step.
pub const DT: f32 = 1.0;
/// Steps of the near-tie phase that follows the main run.
pub const TIE_STEPS: u32 = 400;
/// Units of the near-tie block: each holds a probability near `1 / 40`,
/// the threshold floor.
pub const TIE_BLOCK: usize = 40;

/// The scenario's owned state.
pub type ScenarioStorage = Storage<N, B>;

/// The scenario's hyperparameters: refractory time and threshold gain on.
pub const fn config() -> Config {
    let mut config = Storage::<N, B>::config();
    config.refract_time = 3.0;
    config.thr_gain = 0.01;
    config
}

/// The cell of the scenario over `storage`, thresholds drawn from [`SEED`].
pub fn new_cell(storage: &mut ScenarioStorage) -> Result<Cell<wtas::Buffers<'_>>, Error> {
    Cell::new(config().validate()?, storage.buffers(), SEED)
}

/// xorshift32 input generator.
pub struct Input {
    state: u32,
}

impl Input {
    /// The generator at [`INPUT_SEED`].
    pub const fn new() -> Self {
        Input { state: INPUT_SEED }
    }

    fn next(&mut self) -> u32 {
        let mut x = self.state;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.state = x;
        x
    }

    /// Writes the input of `step` into `j` (`B × N` values).
    pub fn fill(&mut self, step: u32, j: &mut [f32]) {
        // Two winners drifting at different speeds.
        let w1 = ((step / 37) * 5 + 3) as usize % N;
        let w2 = ((step / 53) * 11 + 40) as usize % N;
        let second_on = (step / 91) % 2 == 1;
        for (i, x) in j.iter_mut().enumerate() {
            let r = self.next();
            let unit = i % N;
            // Low 20 bits: noise in [-0.5, 0.5), exactly representable.
            let noise = (r & 0xF_FFFF) as f32 * (1.0 / 1_048_576.0) - 0.5;
            *x = match r >> 20 {
                0 => f32::NAN,
                1 => f32::INFINITY,
                2 => f32::NEG_INFINITY,
                3 | 4 => 90.0 + noise,
                _ if unit == w1 => 3.0 + noise,
                _ if unit == w2 && second_on => 2.5 + noise,
                _ => noise,
            };
        }
    }
}

impl Input {
    /// Writes the input of near-tie step `step` into `j`: [`TIE_BLOCK`]
    /// units from `(7 * step) % N` on (wrapping) at `1 + k * 2^-23` with
    /// `k` in `0..8`, the others at `-17 + u / 65536` with `u` in
    /// `0..65536`. All exactly representable.
    pub fn fill_tie(&mut self, step: u32, j: &mut [f32]) {
        let start = (7 * step) as usize % N;
        for (i, x) in j.iter_mut().enumerate() {
            let r = self.next();
            *x = if (i % N + N - start) % N < TIE_BLOCK {
                1.0 + (r & 7) as f32 * f32::EPSILON
            } else {
                -17.0 + (r & 0xFFFF) as f32 * (1.0 / 65_536.0)
            };
        }
    }
}

impl Default for Input {
    fn default() -> Self {
        Self::new()
    }
}

/// 64-bit FNV-1a, one 32-bit word at a time.
pub struct Digest(u64);

impl Digest {
    /// The FNV-1a offset basis.
    pub const fn new() -> Self {
        Digest(0xcbf2_9ce4_8422_2325)
    }
    /// Folds one word.
    pub fn word(&mut self, w: u32) {
        self.0 ^= w as u64;
        self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
    }
    /// Folds the bit patterns of `xs`.
    pub fn floats(&mut self, xs: &[f32]) {
        for x in xs {
            self.word(x.to_bits());
        }
    }
    /// The digest so far.
    pub const fn value(&self) -> u64 {
        self.0
    }
}

impl Default for Digest {
    fn default() -> Self {
        Self::new()
    }
}

/// What the scenario drives: a [`Cell`], or a stand-in without wtas.
pub trait Layer {
    /// The input current, to write before a step.
    fn j_mut(&mut self) -> &mut [f32];
    /// One step at time `t`; false on error.
    fn advance(&mut self, t: f32) -> bool;
    /// Resets the state.
    fn reset(&mut self, input: InputReset);
    /// Folds `j`, `v`, `s`, `thr`, `rfr`, `tols` into `d`.
    fn fold(&self, d: &mut Digest);
    /// Called once before the near-tie phase (the firmware's timing stops
    /// there, so that its per-step figures stay those of the main run).
    fn tie_phase(&mut self) {}
    /// Folds the kernel building blocks' bits on fixed inputs into `d`
    /// (see [`fold_kernels`]); a stand-in without wtas folds nothing.
    fn fold_kernels(&self, _d: &mut Digest) {}
}

/// Folds `exp` on 16,384 inputs over [-88, 0] and the softmax of 16
/// near-tie rows (from [`Input::fill_tie`] with its own generator) into `d`.
pub fn fold_kernels(d: &mut Digest) {
    for i in 0..16_384_u32 {
        // Basic IEEE operations only: the same inputs on every target.
        let x = i as f32 * (-11.0 / 2048.0) - (i % 13) as f32 * 1.0e-4;
        d.word(wtas::kernels::exp_f32(x).to_bits());
    }
    let mut input = Input {
        state: INPUT_SEED ^ 0x5555_5555,
    };
    let (mut x, mut p) = ([0.0_f32; N], [0.0_f32; N]);
    for row in 0..16 {
        input.fill_tie(row, &mut x);
        // Lengths are right by construction; an error folds a marker.
        match wtas::kernels::softmax(1, N, &x, &mut p) {
            Ok(()) => d.floats(&p),
            Err(_) => d.word(u32::MAX),
        }
    }
}

impl Layer for Cell<wtas::Buffers<'_>> {
    fn j_mut(&mut self) -> &mut [f32] {
        Cell::j_mut(self)
    }
    fn advance(&mut self, t: f32) -> bool {
        Cell::advance(self, t, DT).is_ok()
    }
    fn reset(&mut self, input: InputReset) {
        Cell::reset(self, input)
    }
    fn fold(&self, d: &mut Digest) {
        d.floats(self.j());
        d.floats(self.v());
        d.floats(self.s());
        d.floats(self.thr());
        d.floats(self.rfr());
        d.floats(self.tols());
    }
    fn fold_kernels(&self, d: &mut Digest) {
        fold_kernels(d)
    }
}

/// Runs the scenario on `layer` and returns the digest.
pub fn run<L: Layer>(layer: &mut L) -> u64 {
    let mut input = Input::new();
    let mut d = Digest::new();
    for step in 0..STEPS {
        if step > 0 && step % RESET_EVERY == 0 {
            let how = if (step / RESET_EVERY) % 2 == 1 {
                InputReset::Keep
            } else {
                InputReset::Zero
            };
            layer.reset(how);
            layer.fold(&mut d);
        }
        input.fill(step, layer.j_mut());
        let ok = layer.advance(step as f32 * DT);
        d.word(ok as u32);
        layer.fold(&mut d);
    }
    layer.tie_phase();
    layer.reset(InputReset::Zero);
    layer.fold(&mut d);
    for step in 0..TIE_STEPS {
        input.fill_tie(step, layer.j_mut());
        let ok = layer.advance((STEPS + step) as f32 * DT);
        d.word(ok as u32);
        layer.fold(&mut d);
    }
    layer.fold_kernels(&mut d);
    d.value()
}
