//! The one deterministic generator of the tests, the soak and the benches:
//! xorshift64*, seeded through SplitMix64's finaliser. Tiny, reproducible on
//! every target, and good enough for inputs and schedules (not for
//! statistics).

#![allow(dead_code)]

/// A seeded xorshift64* stream.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// The stream for `seed`; nearby seeds give unrelated streams.
    pub fn new(seed: u64) -> Self {
        let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        // xorshift never leaves the all-zero state.
        Rng((z ^ (z >> 31)).max(1))
    }

    /// The next 64 bits.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// The next 32 bits (the high half, the better one).
    pub fn next_u32(&mut self) -> u32 {
        (self.next() >> 32) as u32
    }

    /// Any `f32` bit pattern: NaNs, infinities and subnormals included.
    pub fn bits_f32(&mut self) -> f32 {
        f32::from_bits(self.next_u32())
    }

    /// Uniform in `[0, n)` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }

    /// A uniform index into `[0, n)` (`n > 0`).
    pub fn index(&mut self, n: usize) -> usize {
        self.below(n as u64) as usize
    }

    /// One of `xs`, uniformly.
    pub fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.index(xs.len())]
    }

    /// Uniform in `[lo, hi)`, on a grid of `2^-24` of the width.
    pub fn range(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * ((self.next() >> 40) as f32 / (1u64 << 24) as f32)
    }

    /// True with probability `percent / 100`.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// The step benchmark's input (`benches/step.rs`, also checked against
/// the C baseline by `tests/c_baseline.rs`): small noise everywhere and
/// one strong unit per row, so about one unit wins per row.
pub fn bench_input(batch: usize, units: usize) -> Vec<f32> {
    let mut rng = Rng::new(1);
    let mut j = Vec::with_capacity(batch * units);
    for b in 0..batch {
        for u in 0..units {
            let noise = rng.range(-0.5, 0.5);
            let bump = if u == (b * 7 + 3) % units { 12.0 } else { 0.0 };
            j.push(noise + bump);
        }
    }
    j
}
