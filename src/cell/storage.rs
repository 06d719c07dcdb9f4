//! Owned, fixed-size state for firmware.

use super::Buffers;
use crate::params::Config;

/// The six state buffers of a cell with `N` units and `B` batch rows, owned
/// and sized at compile time: place it in a `static` or on the stack.
///
/// `Storage::<N, B>::new()` is `const` and all zeros. It holds
/// `6 × 4 × N × B` bytes, each buffer starting on a 32-byte boundary (see
/// [`Buffers`] on alignment); with `N × B` a multiple of 8 there is no
/// padding between them.
///
/// ```
/// use wtas::{Cell, Storage};
///
/// let mut storage = Storage::<32, 1>::new();
/// let params = Storage::<32, 1>::config(10.0).validate()?;
/// let mut cell = Cell::new_seeded(params, storage.buffers(), 7)?;
/// cell.j_mut()[3] = 4.0;
/// cell.advance(0.0, 1.0)?;
/// assert_eq!(cell.s()[3], 1.0);
/// # Ok::<(), wtas::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Storage<const N: usize, const B: usize> {
    j: AlignedRows<N, B>,
    v: AlignedRows<N, B>,
    s: AlignedRows<N, B>,
    thr: AlignedRows<N, B>,
    rfr: AlignedRows<N, B>,
    tols: AlignedRows<N, B>,
}

/// One buffer, on a 32-byte boundary: no 256-bit load or store of its
/// first row straddles a cache line.
#[derive(Clone, Debug)]
#[repr(align(32))]
struct AlignedRows<const N: usize, const B: usize>([[f32; N]; B]);

impl<const N: usize, const B: usize> AlignedRows<N, B> {
    const ZERO: Self = AlignedRows([[0.0; N]; B]);
}

impl<const N: usize, const B: usize> Storage<N, B> {
    /// All buffers zero.
    pub const fn new() -> Self {
        Storage {
            j: AlignedRows::ZERO,
            v: AlignedRows::ZERO,
            s: AlignedRows::ZERO,
            thr: AlignedRows::ZERO,
            rfr: AlignedRows::ZERO,
            tols: AlignedRows::ZERO,
        }
    }

    /// The reference's defaults ([`Config::new`]) with this storage's shape.
    pub const fn config(tau_m: f32) -> Config {
        let mut config = Config::new(N, tau_m);
        config.batch_size = B;
        config
    }

    /// Borrows the buffers, flattened row-major, for a [`Cell`](crate::Cell).
    pub fn buffers(&mut self) -> Buffers<'_> {
        Buffers {
            j: self.j.0.as_flattened_mut(),
            v: self.v.0.as_flattened_mut(),
            s: self.s.0.as_flattened_mut(),
            thr: self.thr.0.as_flattened_mut(),
            rfr: self.rfr.0.as_flattened_mut(),
            tols: self.tols.0.as_flattened_mut(),
        }
    }
}

impl<const N: usize, const B: usize> Default for Storage<N, B> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::Storage;

    #[test]
    fn every_buffer_starts_on_32_bytes() {
        // 15 values per buffer: without the alignment, the buffers after
        // the first would start 60 bytes apart.
        let mut storage = Storage::<5, 3>::new();
        let b = storage.buffers();
        for buf in [b.j, b.v, b.s, b.thr, b.rfr, b.tols] {
            assert_eq!(buf.len(), 15);
            assert!((buf.as_ptr() as usize).is_multiple_of(32));
        }
    }
}
