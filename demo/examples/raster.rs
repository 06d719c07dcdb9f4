//! The crate's demo: a 32-unit winner-take-all cell driven by a drifting
//! bump of input current plus noise.
//!
//! It prints a spike raster and a threshold summary, and writes an SVG plot
//! (spike raster over the threshold traces). Run it with
//! `cargo run --release --example raster [-- out.svg]` from the repository root.

use plotters::prelude::*;
use wtas::{Cell, Config, Storage};

const UNITS: usize = 32;
const STEPS: usize = 300;

/// Deterministic noise (xorshift32) mapped to [-1, 1).
struct Noise(u32);
impl Noise {
    fn next(&mut self) -> f32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 17;
        self.0 ^= self.0 << 5;
        (self.0 >> 8) as f32 / 8_388_608.0 - 1.0
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "raster.svg".into());

    let config = Config {
        thr_base: 0.15,
        thr_jitter: 0.05,
        thr_gain: 0.01,
        refract_time: 3.0,
        ..Storage::<UNITS, 1>::config()
    };
    let params = config.validate()?;
    let mut storage = Storage::<UNITS, 1>::new();
    let mut cell = Cell::new(params, storage.buffers(), 2024)?;
    let mut noise = Noise(0x2545_f491);

    let mut spikes = vec![[false; UNITS]; STEPS];
    let mut thr_trace = vec![[0.0_f32; UNITS]; STEPS];
    for step in 0..STEPS {
        // A Gaussian bump of current whose centre drifts across the layer
        // and back, plus noise everywhere.
        let phase = step as f32 / STEPS as f32 * std::f32::consts::TAU;
        let centre = (UNITS as f32 - 1.0) * (0.5 - 0.45 * phase.cos());
        for (i, j) in cell.j_mut().iter_mut().enumerate() {
            let d = (i as f32 - centre) / 2.5;
            *j = 3.0 * (-0.5 * d * d).exp() + 0.6 * noise.next();
        }
        cell.advance(step as f32, 1.0)?;
        for (spiked, &s) in spikes[step].iter_mut().zip(cell.s()) {
            *spiked = s == 1.0;
        }
        thr_trace[step].copy_from_slice(cell.thr());
    }

    print_raster(&spikes);
    print_summary(&spikes, &thr_trace, params.thr_base());
    plot(&out, &spikes, &thr_trace)?;
    println!("\nwrote {out}");
    Ok(())
}

/// Units top to bottom, time left to right, three steps per column.
fn print_raster(spikes: &[[bool; UNITS]]) {
    const PER_COLUMN: usize = 3;
    println!(
        "spike raster: {UNITS} units (rows) x {STEPS} steps ({PER_COLUMN} steps per column)\n"
    );
    for unit in (0..UNITS).rev() {
        let line: String = spikes
            .chunks(PER_COLUMN)
            .map(|c| if c.iter().any(|s| s[unit]) { '|' } else { '.' })
            .collect();
        println!("{unit:>3} {line}");
    }
}

fn print_summary(spikes: &[[bool; UNITS]], thr: &[[f32; UNITS]], thr_base: f32) {
    let mut winners = [0usize; 4];
    for s in spikes {
        winners[s.iter().filter(|&&x| x).count().min(3)] += 1;
    }
    println!(
        "\nspikes per step: 0 -> {} steps, 1 -> {} steps, 2 -> {} steps, 3+ -> {} steps",
        winners[0], winners[1], winners[2], winners[3]
    );
    println!("\nthresholds (start near thr_base = {thr_base}):");
    println!("{:>6} {:>8} {:>8} {:>8}", "step", "min", "mean", "max");
    for step in [0, 24, 49, 99, 149, 199, 249, STEPS - 1] {
        let row = &thr[step];
        let min = row.iter().copied().fold(f32::INFINITY, f32::min);
        let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let mean = row.iter().sum::<f32>() / UNITS as f32;
        println!("{step:>6} {min:>8.4} {mean:>8.4} {max:>8.4}");
    }
}

fn plot(
    path: &str,
    spikes: &[[bool; UNITS]],
    thr: &[[f32; UNITS]],
) -> Result<(), Box<dyn std::error::Error>> {
    let root = SVGBackend::new(path, (1000, 700)).into_drawing_area();
    root.fill(&WHITE)?;
    let (top, bottom) = root.split_vertically(420);

    let mut raster = ChartBuilder::on(&top)
        .caption(
            "wtas: spike raster (drifting input bump)",
            ("sans-serif", 20),
        )
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(40)
        .build_cartesian_2d(0..STEPS as i32, 0..UNITS as i32)?;
    raster
        .configure_mesh()
        .x_desc("step")
        .y_desc("unit")
        .disable_mesh()
        .draw()?;
    raster.draw_series(spikes.iter().enumerate().flat_map(|(t, s)| {
        s.iter()
            .enumerate()
            .filter(|(_, x)| **x)
            .map(move |(u, _)| {
                Rectangle::new(
                    [(t as i32, u as i32), (t as i32 + 1, u as i32 + 1)],
                    BLACK.filled(),
                )
            })
    }))?;

    let hi = thr.iter().flatten().copied().fold(0.0_f32, f32::max) * 1.05;
    let mut trace = ChartBuilder::on(&bottom)
        .caption(
            "adaptive thresholds (grey: each unit, red: mean)",
            ("sans-serif", 18),
        )
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(40)
        .build_cartesian_2d(0..STEPS as i32, 0.0_f32..hi)?;
    trace.configure_mesh().x_desc("step").y_desc("thr").draw()?;
    for unit in 0..UNITS {
        trace.draw_series(LineSeries::new(
            thr.iter().enumerate().map(|(t, r)| (t as i32, r[unit])),
            RGBColor(180, 180, 180),
        ))?;
    }
    trace.draw_series(LineSeries::new(
        thr.iter()
            .enumerate()
            .map(|(t, r)| (t as i32, r.iter().sum::<f32>() / UNITS as f32)),
        RED.stroke_width(2),
    ))?;
    root.present()?;
    Ok(())
}
