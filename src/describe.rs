//! Static metadata about the cell, like the reference's `WTASCell.help()`:
//! [`HELP`] lists its compartments, hyperparameters and dynamics.
//!
//! ```
//! use wtas::describe::HELP;
//!
//! let names: Vec<&str> = HELP.hyperparameters.iter().map(|h| h.name).collect();
//! assert_eq!(names[..3], ["n_units", "batch_size", "tau_m"]);
//! println!("{HELP}"); // an indented outline
//! ```
#![forbid(unsafe_code)]

use core::fmt;

pub use crate::params::Entry;

/// What the cell is: its compartments, hyperparameters and dynamics.
///
/// `Display` prints it as an indented outline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Help {
    /// The cell type, as the reference names it.
    pub cell_type: &'static str,
    /// Input compartments.
    pub inputs: &'static [Entry],
    /// State compartments.
    pub states: &'static [Entry],
    /// Output compartments.
    pub outputs: &'static [Entry],
    /// Hyperparameters, with the fields of [`Config`](crate::Config).
    pub hyperparameters: &'static [Entry],
    /// The dynamics, as the reference states them.
    pub dynamics: &'static str,
}

/// The cell's description.
///
/// ```
/// let help = wtas::describe::HELP;
/// assert_eq!(help.cell_type, "WTASCell");
/// assert!(help.hyperparameters.iter().any(|h| h.name == "thr_gain"));
/// ```
pub const HELP: Help = Help {
    cell_type: "WTASCell",
    inputs: &[Entry::new("j", "External input electrical current")],
    states: &[
        Entry::new("v", "Membrane potential/voltage at time t"),
        Entry::new("rfr", "Current state of (relative) refractory variable"),
        Entry::new("thr", "Current state of voltage threshold at time t"),
    ],
    outputs: &[
        Entry::new("s", "Emitted spikes/pulses at time t"),
        Entry::new("tols", "Time-of-last-spike"),
    ],
    hyperparameters: crate::params::HYPERPARAMETERS,
    dynamics: "tau_m * dv/dt = j * resist_m; v_p = softmax(v); s = v_p > thr",
};

impl fmt::Display for Help {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}: winner-take-all spiking cell", self.cell_type)?;
        for (title, entries) in [
            ("inputs", self.inputs),
            ("states", self.states),
            ("outputs", self.outputs),
            ("hyperparameters", self.hyperparameters),
        ] {
            writeln!(f, "  {title}:")?;
            for entry in entries {
                writeln!(f, "    {}: {}", entry.name, entry.description)?;
            }
        }
        write!(f, "  dynamics: {}", self.dynamics)
    }
}
