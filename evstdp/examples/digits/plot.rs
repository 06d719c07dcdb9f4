//! The `digits` example's figures (SVG, with plotters): the `plot` feature.

use std::path::Path;

use plotters::prelude::*;

use crate::protocol::{self, PIXELS, UNITS};

/// Each unit's 64 weights as an 8×8 grey tile (white = 1), 8 × 8 tiles.
pub fn draw_fields(w: &[f32], path: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let (tile, gap, cols) = (8 * 6, 4, 8);
    let side = cols * (tile + gap) + gap;
    let rows = UNITS.div_ceil(cols);
    let root = SVGBackend::new(path, (side as u32, (rows * (tile + gap) + gap) as u32))
        .into_drawing_area();
    root.fill(&RGBColor(40, 40, 40))?;
    let px = tile / 8;
    for k in 0..UNITS {
        let (ox, oy) = (
            gap + (k % cols) * (tile + gap),
            gap + (k / cols) * (tile + gap),
        );
        for p in 0..PIXELS {
            let v = w[p * UNITS + k].clamp(0.0, 1.0);
            let g = (v * 255.0).round() as u8;
            let (x, y) = ((ox + (p % 8) * px) as i32, (oy + (p / 8) * px) as i32);
            root.draw(&Rectangle::new(
                [(x, y), (x + px as i32, y + px as i32)],
                RGBColor(g, g, g).filled(),
            ))?;
        }
    }
    root.present()?;
    Ok(())
}

/// Accuracy over training (x: training patterns seen): the running
/// training accuracy every 50 patterns, and the held-out accuracy after each
/// epoch for Rust and ngclearn, with the centroid baseline.
pub fn draw_accuracy(
    epochs: &[protocol::EpochResult],
    running: &[(f64, f64)],
    ngc: &[(usize, f64)],
    baseline: f64,
    per_epoch: f64,
    path: &Path,
) -> Result<(), Box<dyn std::error::Error>> {
    let root = SVGBackend::new(path, (640, 360)).into_drawing_area();
    root.fill(&WHITE)?;
    let xmax = per_epoch * epochs.len().max(1) as f64;
    let mut chart = ChartBuilder::on(&root)
        .caption("accuracy over training (8x8 digits)", ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(48)
        .build_cartesian_2d(0.0..xmax, 0.0..100.0)?;
    chart
        .configure_mesh()
        .x_desc("training patterns seen")
        .y_desc("accuracy (%)")
        .draw()?;
    let at = |e: usize| e as f64 * per_epoch;
    let grey = RGBColor(120, 120, 200);
    chart
        .draw_series(LineSeries::new(
            running.iter().copied(),
            grey.stroke_width(1),
        ))?
        .label("Rust, running (training, within the epoch)")
        .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], grey));
    chart
        .draw_series(LineSeries::new(
            epochs.iter().map(|e| (at(e.epoch), e.test)),
            BLUE.stroke_width(2),
        ))?
        .label("Rust, held-out after each epoch")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], BLUE.stroke_width(2)));
    if !ngc.is_empty() {
        chart
            .draw_series(LineSeries::new(
                ngc.iter().map(|(e, a)| (at(*e), *a)),
                RED.stroke_width(2),
            ))?
            .label("ngclearn 3.2.3, held-out after each epoch")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], RED.stroke_width(2)));
    }
    chart
        .draw_series(LineSeries::new(
            [(0.0, baseline), (xmax, baseline)],
            BLACK.stroke_width(1),
        ))?
        .label("nearest class centroid, raw pixels")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], BLACK));
    chart
        .configure_series_labels()
        .border_style(BLACK)
        .background_style(WHITE)
        .position(SeriesLabelPosition::LowerRight)
        .draw()?;
    root.present()?;
    Ok(())
}
