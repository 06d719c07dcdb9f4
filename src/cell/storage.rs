//! Owned, fixed-size state for firmware.

use super::Buffers;
use crate::params::Config;

/// The six state buffers of a cell with `N` units and `B` batch rows, owned
/// and sized at compile time: place it in a `static` or on the stack.
///
/// `Storage::<N, B>::new()` is `const` and all zeros. It holds
/// `6 × 4 × N × B` bytes.
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
    j: [[f32; N]; B],
    v: [[f32; N]; B],
    s: [[f32; N]; B],
    thr: [[f32; N]; B],
    rfr: [[f32; N]; B],
    tols: [[f32; N]; B],
}

impl<const N: usize, const B: usize> Storage<N, B> {
    /// All buffers zero.
    pub const fn new() -> Self {
        Storage {
            j: [[0.0; N]; B],
            v: [[0.0; N]; B],
            s: [[0.0; N]; B],
            thr: [[0.0; N]; B],
            rfr: [[0.0; N]; B],
            tols: [[0.0; N]; B],
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
            j: self.j.as_flattened_mut(),
            v: self.v.as_flattened_mut(),
            s: self.s.as_flattened_mut(),
            thr: self.thr.as_flattened_mut(),
            rfr: self.rfr.as_flattened_mut(),
            tols: self.tols.as_flattened_mut(),
        }
    }
}

impl<const N: usize, const B: usize> Default for Storage<N, B> {
    fn default() -> Self {
        Self::new()
    }
}
