//! Time for long runs: a step counter that hands `advance` its `f32` time.

/// The time of each step, counted in a wide type, handed to
/// [`Cell::advance`](crate::Cell::advance) as the `f32` the reference uses.
///
/// The reference's `t` is an `f32`, and so are the `tols` it records. A
/// loop that keeps `t` itself as an `f32` (`t += dt`) stops advancing once
/// `t` reaches `2^24 · dt` (about 4.7 hours at 1 kHz with `dt = 1`):
/// `t + dt` rounds back to `t`, and `tols` freezes with no error. A `Clock`
/// counts steps in a `u64` and computes each step's time as
/// `t0 + steps · dt` in `f64`, rounded once to `f32`, so time never stops:
/// the `f32` handed to the cell is always the nearest one to the true
/// time. What `f32` cannot avoid is coarser resolution as time grows: the
/// spacing of `f32` values near `t` is `t · 2^-23`, about one second after
/// 97 days, so `tols` of units that fire close together may then round to
/// the same value. [`Clock::resolution`] says how coarse it is now.
///
/// ```
/// use wtas::{Clock, Config, Cell, Storage};
///
/// let params = Storage::<8, 1>::config().validate()?;
/// let mut cell = Cell::new(params, Storage::<8, 1>::new(), 3)?;
/// let mut clock = Clock::new(0.0, 1.0)?;
/// for _ in 0..3 {
///     let (t, dt) = clock.tick();
///     cell.advance(t, dt)?;
/// }
/// assert_eq!(clock.steps(), 3);
/// assert_eq!(clock.now(), 3.0);
///
/// // An `f32` counter would have stalled at 2^24; the clock does not.
/// let mut late = Clock::starting_at_step(0.0, 1.0, 1 << 24)?;
/// assert_eq!(late.tick().0, 16_777_216.0);
/// assert_eq!(late.tick().0, 16_777_216.0); // 2^24 + 1 rounds to 2^24 in f32...
/// assert_eq!(late.tick().0, 16_777_218.0); // ...but the count goes on.
///
/// // A step that is not finite and positive is refused.
/// assert_eq!(Clock::new(0.0, 0.0).unwrap_err(), wtas::Error::Dt { value: 0.0 });
/// # Ok::<(), wtas::Error>(())
/// ```
///
/// To resume a run, keep the clock with the state: with the `serde`
/// feature it is saved as its start `t0`, its step `dt` and the steps
/// counted (validated again when read back), or rebuild it from
/// [`t0`](Clock::t0), [`dt`](Clock::dt) and [`steps`](Clock::steps):
///
/// ```
/// use wtas::Clock;
///
/// let mut clock = Clock::new(5.0, 0.5)?;
/// clock.tick();
/// let resumed = Clock::starting_at_step(clock.t0(), clock.dt(), clock.steps())?;
/// assert_eq!(resumed, clock);
/// assert_eq!(resumed.now(), 5.5);
/// # Ok::<(), wtas::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "ClockFields", into = "ClockFields")
)]
pub struct Clock {
    t0: f64,
    dt: f32,
    steps: u64,
}

impl Clock {
    /// A clock whose first tick is at time `t0`, advancing by `dt`.
    ///
    /// # Errors
    /// [`Error::Time`](crate::Error::Time) if `t0` is not finite,
    /// [`Error::Dt`](crate::Error::Dt) if `dt` is not finite and > 0, each
    /// with the value refused.
    ///
    /// ```
    /// use wtas::{Clock, Error};
    ///
    /// assert_eq!(Clock::new(f32::NAN, 1.0), Err(Error::Time { value: f32::NAN }));
    /// assert_eq!(Clock::new(0.0, -1.0), Err(Error::Dt { value: -1.0 }));
    /// assert_eq!(Clock::new(0.0, -1.0).unwrap_err().to_string(), "dt must be finite and > 0, got -1.0");
    /// ```
    pub fn new(t0: f32, dt: f32) -> Result<Self, crate::Error> {
        Self::starting_at_step(t0, dt, 0)
    }

    /// A clock that has already counted `steps` steps (to resume a run).
    ///
    /// # Errors
    /// As [`Clock::new`].
    ///
    /// ```
    /// use wtas::Clock;
    ///
    /// let clock = Clock::starting_at_step(0.0, 0.5, 10)?;
    /// assert_eq!(clock.now(), 5.0);
    /// assert_eq!(
    ///     Clock::starting_at_step(0.0, f32::INFINITY, 10),
    ///     Err(wtas::Error::Dt { value: f32::INFINITY })
    /// );
    /// # Ok::<(), wtas::Error>(())
    /// ```
    pub fn starting_at_step(t0: f32, dt: f32, steps: u64) -> Result<Self, crate::Error> {
        if !t0.is_finite() {
            return Err(crate::Error::Time { value: t0 });
        }
        if !(dt.is_finite() && dt > 0.0) {
            return Err(crate::Error::Dt { value: dt });
        }
        Ok(Clock {
            t0: f64::from(t0),
            dt,
            steps,
        })
    }

    /// The time of the next step, exactly (`t0 + steps · dt` in `f64`).
    pub fn now(&self) -> f64 {
        self.t0 + self.steps as f64 * f64::from(self.dt)
    }

    /// The `(t, dt)` to hand to `advance` for the next step, and counts it.
    /// `t` is [`now`](Clock::now) rounded to `f32`; past `f32::MAX` it stays
    /// at `f32::MAX`, so `advance` never sees an infinite time.
    pub fn tick(&mut self) -> (f32, f32) {
        let t = self.now() as f32;
        self.steps = self.steps.saturating_add(1);
        (if t.is_finite() { t } else { f32::MAX }, self.dt)
    }

    /// Steps counted so far.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// The time of the first step, as given to [`Clock::new`].
    pub fn t0(&self) -> f32 {
        // Exact: `t0` was an `f32` widened to `f64`.
        self.t0 as f32
    }

    /// The step, as given to [`Clock::new`].
    pub fn dt(&self) -> f32 {
        self.dt
    }

    /// The spacing of `f32` values at the current time: how finely `t` and
    /// `tols` can tell steps apart now.
    pub fn resolution(&self) -> f32 {
        let t = (self.now() as f32).abs();
        let up = f32::from_bits(t.to_bits().saturating_add(1));
        up - t
    }
}

/// What a [`Clock`] is saved as: its constructor's arguments.
#[cfg(feature = "serde")]
#[derive(serde::Serialize, serde::Deserialize)]
struct ClockFields {
    t0: f32,
    dt: f32,
    steps: u64,
}

#[cfg(feature = "serde")]
impl From<Clock> for ClockFields {
    fn from(clock: Clock) -> Self {
        ClockFields {
            t0: clock.t0(),
            dt: clock.dt,
            steps: clock.steps,
        }
    }
}

#[cfg(feature = "serde")]
impl TryFrom<ClockFields> for Clock {
    type Error = crate::Error;
    fn try_from(f: ClockFields) -> Result<Self, crate::Error> {
        Clock::starting_at_step(f.t0, f.dt, f.steps)
    }
}
