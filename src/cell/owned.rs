//! A cell that owns its state: one value to keep in a struct.

use super::{Buffers, Cell, InputReset, winners};
use crate::error::Error;
use crate::kernels::Backend;
use crate::params::Params;

/// Something that owns the six state buffers and lends them out: what an
/// [`OwnedCell`] keeps.
///
/// Implemented for [`Storage`](crate::Storage) (fixed sizes, for
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

/// A winner-take-all cell that owns its state `S`: the same dynamics as
/// [`Cell`], in one value that can live in a struct next to anything
/// else, with no borrow to keep alive between steps.
///
/// ```
/// use wtas::{Config, OwnedCell, Storage};
///
/// struct Layer {
///     cell: OwnedCell<Storage<16, 1>>,
///     steps: u32,
/// }
///
/// let params = Storage::<16, 1>::config().validate()?;
/// let mut layer = Layer { cell: OwnedCell::new(params, Storage::new(), 7)?, steps: 0 };
/// for step in 0..5 {
///     layer.cell.j_mut()[3] = 8.0;
///     layer.cell.advance(step as f32, 1.0)?;
///     layer.steps += 1;
/// }
/// assert_eq!(layer.cell.s()[3], 1.0);
///
/// // Buffers of the wrong length are refused when the cell is made.
/// let short = [vec![0.0_f32; 15], vec![0.0; 16], vec![0.0; 16], vec![0.0; 16], vec![0.0; 16], vec![0.0; 16]];
/// assert!(matches!(
///     OwnedCell::new(params, short, 7),
///     Err(wtas::Error::Length { buffer: wtas::BufferName::J, expected: 16, found: 15 })
/// ));
/// # Ok::<(), wtas::Error>(())
/// ```
///
/// A clone is an independent cell with a copy of the state (when `S` is
/// `Clone`: [`Storage`](crate::Storage), [`HeapStorage`](crate::HeapStorage),
/// six `Vec`s). `Debug` prints the parameters and the backend, not the
/// state.
#[derive(Clone)]
pub struct OwnedCell<S> {
    params: Params,
    backend: Backend,
    plain_state: bool,
    state: S,
}

impl<S> core::fmt::Debug for OwnedCell<S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("OwnedCell")
            .field("params", &self.params)
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

impl<S: StateStorage> OwnedCell<S> {
    /// Keeps what `make` built over `state`'s buffers.
    fn keep(
        params: Params,
        mut state: S,
        make: impl FnOnce(Params, Buffers<'_>) -> Result<Cell<'_>, Error>,
    ) -> Result<Self, Error> {
        let (backend, plain_state) = {
            let cell = make(params, state.buffers())?;
            (cell.backend, cell.plain_state)
        };
        Ok(OwnedCell {
            params,
            backend,
            plain_state,
            state,
        })
    }

    /// [`Cell::new`] over `state`.
    ///
    /// # Errors
    /// As [`Cell::new`]; `state` is dropped with the error (see the
    /// example on [`OwnedCell`]).
    pub fn new(params: Params, state: S, seed: u64) -> Result<Self, Error> {
        Self::keep(params, state, |p, b| Cell::new(p, b, seed))
    }

    /// [`Cell::with_thresholds`] over `state`: the thresholds start at `threshold0`.
    ///
    /// # Errors
    /// As [`Cell::with_thresholds`].
    ///
    /// ```
    /// use wtas::{Error, OwnedCell, Storage};
    ///
    /// let params = Storage::<4, 1>::config().validate()?;
    /// let made = OwnedCell::with_thresholds(params, Storage::<4, 1>::new(), &[0.3, 0.3, f32::NAN, 0.3]);
    /// assert!(matches!(made, Err(Error::ThresholdNan)));
    /// # Ok::<(), wtas::Error>(())
    /// ```
    pub fn with_thresholds(params: Params, state: S, threshold0: &[f32]) -> Result<Self, Error> {
        Self::keep(params, state, |p, b| {
            Cell::with_thresholds(p, b, threshold0)
        })
    }

    /// [`Cell::resume`] over `state`: the state is kept as it is.
    ///
    /// # Errors
    /// As [`Cell::resume`].
    ///
    /// ```
    /// use wtas::{BufferName, Config, Error, OwnedCell};
    ///
    /// let params = Config::new(4).validate()?;
    /// let five: [Vec<f32>; 6] = std::array::from_fn(|_| vec![0.0; 5]);
    /// assert_eq!(
    ///     OwnedCell::resume(params, five).map(|_| ()),
    ///     Err(Error::Length { buffer: BufferName::J, expected: 4, found: 5 })
    /// );
    /// # Ok::<(), wtas::Error>(())
    /// ```
    pub fn resume(params: Params, state: S) -> Result<Self, Error> {
        Self::keep(params, state, |p, b| Cell::resume(p, b))
    }

    /// The state as a borrowed [`Cell`], for the duration of one call.
    /// The lengths were checked when the cell was made, and are checked
    /// again here (six comparisons), since `S` lends fresh slices each time.
    ///
    /// # Errors
    /// [`Error::Length`] if `S` now lends buffers of another length.
    ///
    /// ```
    /// use wtas::{OwnedCell, Storage};
    ///
    /// let params = Storage::<4, 1>::config().validate()?;
    /// let mut owned = OwnedCell::new(params, Storage::<4, 1>::new(), 1)?;
    /// let cell = owned.cell()?; // Storage always lends the same lengths
    /// assert_eq!(cell.thr().len(), 4);
    /// # Ok::<(), wtas::Error>(())
    /// ```
    ///
    /// A storage whose buffers change length is refused from then on:
    ///
    /// ```
    /// use std::cell::Cell as Flag;
    /// use wtas::{BufferName, Buffers, Config, Error, OwnedCell, StateStorage};
    ///
    /// /// Six buffers of 4 that lend only 3 values once `short` is set.
    /// struct Shrinking {
    ///     mem: [[f32; 4]; 6],
    ///     short: Flag<bool>,
    /// }
    /// impl StateStorage for Shrinking {
    ///     fn buffers(&mut self) -> Buffers<'_> {
    ///         let n = if self.short.get() { 3 } else { 4 };
    ///         let [j, v, s, thr, rfr, tols] = self.mem.each_mut().map(|b| &mut b[..n]);
    ///         Buffers { j, v, s, thr, rfr, tols }
    ///     }
    ///     fn view(&self) -> [&[f32]; 6] {
    ///         self.mem.each_ref().map(|b| &b[..])
    ///     }
    /// }
    ///
    /// let params = Config::new(4).validate()?;
    /// let state = Shrinking { mem: [[0.0; 4]; 6], short: Flag::new(false) };
    /// let mut owned = OwnedCell::new(params, state, 1)?;
    /// owned.state().short.set(true);
    /// let short = Error::Length { buffer: BufferName::J, expected: 4, found: 3 };
    /// assert_eq!(owned.cell().map(|_| ()), Err(short));
    /// assert_eq!(owned.advance(0.0, 1.0), Err(short));
    /// # Ok::<(), wtas::Error>(())
    /// ```
    pub fn cell(&mut self) -> Result<Cell<'_>, Error> {
        let bufs = self.state.buffers();
        Cell::check(&self.params, &bufs)?;
        Ok(Cell {
            params: self.params,
            backend: self.backend,
            bufs,
            plain_state: self.plain_state,
        })
    }

    /// [`Cell::advance`].
    ///
    /// # Errors
    /// As [`Cell::advance`], plus [`Error::Length`] if `S` lent buffers of
    /// another length than when the cell was made. The state is untouched
    /// on error.
    ///
    /// ```
    /// use wtas::{Error, OwnedCell, Storage};
    ///
    /// let params = Storage::<4, 1>::config().validate()?;
    /// let mut cell = OwnedCell::new(params, Storage::<4, 1>::new(), 1)?;
    /// assert_eq!(cell.advance(f32::NAN, 1.0), Err(Error::Time { value: f32::NAN }));
    /// assert_eq!(cell.advance(0.0, 0.0), Err(Error::Dt { value: 0.0 }));
    /// # Ok::<(), wtas::Error>(())
    /// ```
    pub fn advance(&mut self, t: f32, dt: f32) -> Result<(), Error> {
        let mut cell = self.cell()?;
        let result = cell.advance(t, dt);
        self.plain_state = cell.plain_state;
        result
    }

    /// [`Cell::reset`].
    pub fn reset(&mut self, input: InputReset) {
        if let Ok(mut cell) = self.cell() {
            cell.reset(input);
            self.plain_state = cell.plain_state;
        }
    }

    /// Runs `advance` on `backend` from now on.
    ///
    /// # Errors
    /// [`Error::BackendUnavailable`] if this CPU cannot run it.
    ///
    /// ```
    /// use wtas::kernels::Backend;
    /// use wtas::{Error, OwnedCell, Storage};
    ///
    /// let params = Storage::<4, 1>::config().validate()?;
    /// let mut cell = OwnedCell::new(params, Storage::<4, 1>::new(), 1)?;
    /// for &b in Backend::ALL {
    ///     assert!(matches!(cell.set_backend(b), Ok(()) | Err(Error::BackendUnavailable)));
    /// }
    /// # Ok::<(), wtas::Error>(())
    /// ```
    pub fn set_backend(&mut self, backend: Backend) -> Result<(), Error> {
        if backend.is_available() {
            self.backend = backend;
            Ok(())
        } else {
            Err(Error::BackendUnavailable)
        }
    }

    /// The validated parameters.
    pub fn params(&self) -> &Params {
        &self.params
    }
    /// The backend `advance` runs on.
    pub fn backend(&self) -> Backend {
        self.backend
    }
    /// Input current.
    pub fn j(&self) -> &[f32] {
        let [x, _, _, _, _, _] = self.state.view();
        x
    }
    /// Input current, to write before a step.
    pub fn j_mut(&mut self) -> &mut [f32] {
        self.state.buffers().j
    }
    /// Membrane voltage.
    pub fn v(&self) -> &[f32] {
        let [_, x, _, _, _, _] = self.state.view();
        x
    }
    /// Spikes: exactly `0.0` or `1.0`.
    pub fn s(&self) -> &[f32] {
        let [_, _, x, _, _, _] = self.state.view();
        x
    }
    /// Adaptive thresholds.
    pub fn thr(&self) -> &[f32] {
        let [_, _, _, x, _, _] = self.state.view();
        x
    }
    /// Refractory timers.
    pub fn rfr(&self) -> &[f32] {
        let [_, _, _, _, x, _] = self.state.view();
        x
    }
    /// Times of last spike.
    pub fn tols(&self) -> &[f32] {
        let [_, _, _, _, _, x] = self.state.view();
        x
    }
    /// The units that spiked in batch row `row` at the last step, in
    /// order; `None` for a row past the last (see [`Cell::winners`]).
    pub fn winners(&self, row: usize) -> Option<impl Iterator<Item = usize> + '_> {
        winners(self.s(), self.params.n_units(), row)
    }
    /// The state, to read.
    pub fn state(&self) -> &S {
        &self.state
    }
    /// Gives the state back.
    pub fn into_state(self) -> S {
        self.state
    }
}
