//! Where a cell's state lives: the [`StateStorage`] trait, and the owned
//! storages [`Storage`] (fixed sizes) and [`HeapStorage`] (with `std`).

use super::Buffers;
use crate::params::Config;

/// Where a [`Cell`](crate::Cell) keeps its six state buffers, and lends
/// them out for each call.
///
/// Implemented for [`Buffers`] (six slices the caller owns, borrowed for
/// as long as the cell lives: firmware), [`Storage`](crate::Storage) (fixed sizes, for
/// firmware), [`HeapStorage`](crate::HeapStorage) (with `std`: any size, on
/// the heap), `[T; 6]` for any `T: BorrowMut<[f32]>` (six `Vec<f32>`, six
/// boxed slices, six arrays, in the order `j`, `v`, `s`, `thr`, `rfr`,
/// `tols`), and mutable references and boxes of these.
pub trait StateStorage {
    /// The six buffers, to read and write.
    fn buffers(&mut self) -> Buffers<'_>;
    /// The six buffers, to read: `[j, v, s, thr, rfr, tols]`.
    fn view(&self) -> [&[f32]; 6];
}

impl StateStorage for Buffers<'_> {
    fn buffers(&mut self) -> Buffers<'_> {
        Buffers {
            j: &mut *self.j,
            v: &mut *self.v,
            s: &mut *self.s,
            thr: &mut *self.thr,
            rfr: &mut *self.rfr,
            tols: &mut *self.tols,
        }
    }
    fn view(&self) -> [&[f32]; 6] {
        [
            &*self.j,
            &*self.v,
            &*self.s,
            &*self.thr,
            &*self.rfr,
            &*self.tols,
        ]
    }
}

impl<T: core::borrow::BorrowMut<[f32]>> StateStorage for [T; 6] {
    fn buffers(&mut self) -> Buffers<'_> {
        let [j, v, s, thr, rfr, tols] = self;
        Buffers {
            j: j.borrow_mut(),
            v: v.borrow_mut(),
            s: s.borrow_mut(),
            thr: thr.borrow_mut(),
            rfr: rfr.borrow_mut(),
            tols: tols.borrow_mut(),
        }
    }
    fn view(&self) -> [&[f32]; 6] {
        self.each_ref().map(|b| b.borrow())
    }
}

impl<S: StateStorage + ?Sized> StateStorage for &mut S {
    fn buffers(&mut self) -> Buffers<'_> {
        (**self).buffers()
    }
    fn view(&self) -> [&[f32]; 6] {
        (**self).view()
    }
}

#[cfg(feature = "std")]
impl<S: StateStorage + ?Sized> StateStorage for std::boxed::Box<S> {
    fn buffers(&mut self) -> Buffers<'_> {
        (**self).buffers()
    }
    fn view(&self) -> [&[f32]; 6] {
        (**self).view()
    }
}

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
/// let params = Storage::<32, 1>::config().validate()?;
/// let mut cell = Cell::new(params, storage.buffers(), 7)?;
/// cell.j_mut()[3] = 4.0;
/// cell.advance(0.0, 1.0)?;
/// assert_eq!(cell.s()[3], 1.0);
/// # Ok::<(), wtas::Error>(())
/// ```
///
/// `Debug` prints the shape, not the values.
#[derive(Clone)]
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
#[derive(Clone)]
#[repr(align(32))]
struct AlignedRows<const N: usize, const B: usize>([[f32; N]; B]);

impl<const N: usize, const B: usize> AlignedRows<N, B> {
    const ZERO: Self = AlignedRows([[0.0; N]; B]);
}

impl<const N: usize, const B: usize> core::fmt::Debug for Storage<N, B> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Storage")
            .field("n_units", &N)
            .field("batch_size", &B)
            .finish_non_exhaustive()
    }
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
    pub const fn config() -> Config {
        let mut config = Config::new(N);
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

impl<const N: usize, const B: usize> StateStorage for Storage<N, B> {
    fn buffers(&mut self) -> Buffers<'_> {
        Storage::buffers(self)
    }
    fn view(&self) -> [&[f32]; 6] {
        [&self.j, &self.v, &self.s, &self.thr, &self.rfr, &self.tols].map(|b| b.0.as_flattened())
    }
}

/// State of any size on the heap, in one allocation, every buffer on a
/// 32-byte boundary (as [`Storage`], which for large sizes would not fit
/// on a stack).
///
/// ```
/// use wtas::{Config, HeapStorage, Cell};
///
/// let params = Config { batch_size: 64, ..Config::new(4096) }.validate()?;
/// let mut cell = Cell::new(params, HeapStorage::new(params.len()), 1)?;
/// cell.advance(0.0, 1.0)?;
/// assert_eq!(cell.s().len(), 64 * 4096);
/// # Ok::<(), wtas::Error>(())
/// ```
///
/// A clone copies the state into a new allocation, aligned as this one.
/// `Debug` prints the buffers' length, not the values.
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
pub struct HeapStorage {
    mem: std::vec::Vec<f32>,
    start: usize,
    stride: usize,
    len: usize,
}

#[cfg(feature = "std")]
impl core::fmt::Debug for HeapStorage {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("HeapStorage")
            .field("len", &self.len)
            .finish_non_exhaustive()
    }
}

/// Not derived: a new allocation may sit at another offset from a 32-byte
/// boundary, so the copy finds its own `start`.
#[cfg(feature = "std")]
impl Clone for HeapStorage {
    fn clone(&self) -> Self {
        let mut copy = HeapStorage::new(self.len);
        for (to, from) in copy.ranges().into_iter().zip(self.ranges()) {
            if let (Some(to), Some(from)) = (copy.mem.get_mut(to), self.mem.get(from)) {
                to.copy_from_slice(from);
            }
        }
        copy
    }
}

#[cfg(feature = "std")]
impl HeapStorage {
    /// Zeroed state: six buffers of `len` values each (`params.len()`).
    pub fn new(len: usize) -> Self {
        // Each buffer starts a whole number of 32-byte blocks after the
        // first, which starts on one (at most 7 values in).
        let stride = len.div_ceil(8).saturating_mul(8);
        let mem = std::vec![0.0_f32; stride.saturating_mul(6).saturating_add(8)];
        let start = mem.as_ptr().align_offset(32).min(8);
        HeapStorage {
            mem,
            start,
            stride,
            len,
        }
    }

    /// The six buffers' ranges in `mem`.
    fn ranges(&self) -> [core::ops::Range<usize>; 6] {
        core::array::from_fn(|k| {
            let at = self.start + k * self.stride;
            at..at + self.len
        })
    }
}

#[cfg(feature = "std")]
impl StateStorage for HeapStorage {
    fn buffers(&mut self) -> Buffers<'_> {
        let (stride, len) = (self.stride, self.len);
        let mut rest = self.mem.get_mut(self.start..).unwrap_or_default();
        // `new` made room for six strides after `start`: every split holds.
        let mut next = || {
            let (head, tail) = core::mem::take(&mut rest)
                .split_at_mut_checked(stride)
                .unwrap_or_default();
            rest = tail;
            head.get_mut(..len).unwrap_or_default()
        };
        Buffers {
            j: next(),
            v: next(),
            s: next(),
            thr: next(),
            rfr: next(),
            tols: next(),
        }
    }
    fn view(&self) -> [&[f32]; 6] {
        self.ranges().map(|r| self.mem.get(r).unwrap_or_default())
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
