//! Trains the evstdp model on scikit-learn's 8×8 digits and measures what
//! its representation is worth.
//!
//! ```text
//! cargo run --release -p wtas-evstdp --example digits
//! ```
//!
//! The first 1,200 images train (3 epochs, learning on); after each epoch a
//! frozen pass labels every unit with the class it wins most on the training
//! images, and the 597 held-out images are classified by a vote of their
//! spikes. The table sets this against ngclearn's same model on the same data
//! and epochs (recorded by `evstdp/scripts/digits_ngclearn.py` into
//! `evstdp/data/ngclearn_digits.txt`) and against a nearest-class-centroid
//! classifier on raw pixels. The receptive fields and the accuracy curve are
//! written as SVG to `evstdp/figures/`.

mod protocol;

use std::io::{IsTerminal, Write};
use std::path::Path;

use plotters::prelude::*;
use protocol::{IMAGES, PIXELS, Plan, TRAIN, UNITS};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut plan = Plan::FULL;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--epochs" => plan.epochs = args.next().ok_or("--epochs N")?.parse()?,
            _ => return Err(format!("unknown argument {a} (usage: digits [--epochs N])").into()),
        }
    }
    let tty = std::io::stderr().is_terminal();
    eprintln!(
        "{:>12} {} units on {} training / {} held-out digits, {} epochs, {} steps per pattern",
        "Training",
        UNITS,
        plan.train,
        plan.test,
        plan.epochs,
        wtas_evstdp::Hyper::EXHIBIT.steps
    );
    let mut running: Vec<(f64, f64)> = Vec::new();
    let out = protocol::run(plan, |epoch, done, acc| {
        running.push((((epoch - 1) * plan.train + done) as f64, acc));
        let width = 30;
        let filled = done * width / plan.train;
        let bar = format!("{}>{}", "=".repeat(filled), " ".repeat(width - filled));
        let line = format!(
            "{:>12} [{bar}] epoch {epoch}/{}, {done}/{} patterns, running accuracy {acc:5.1}%",
            "Epoch", plan.epochs, plan.train
        );
        if tty {
            eprint!("\r{line}");
            if done == plan.train {
                eprintln!();
            }
        } else if done % 300 == 0 || done == plan.train {
            eprintln!("{line}");
        }
    });
    for e in &out.epochs {
        eprintln!(
            "{:>12} epoch {}: held-out accuracy {:.1}% ({} of {UNITS} units labelled)",
            "Evaluated", e.epoch, e.test, e.labelled
        );
    }
    let pps = out.trained as f64 / out.train_seconds;
    eprintln!(
        "{:>12} {} training patterns in {:.2} s ({pps:.0} patterns/s, learning on, one thread)",
        "Finished", out.trained, out.train_seconds
    );
    let baseline = protocol::centroid_baseline(plan.train, plan.test);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let ngc = std::fs::read_to_string(root.join("data/ngclearn_digits.txt")).ok();
    let ngc_acc: Vec<(usize, f64)> = ngc
        .iter()
        .flat_map(|s| s.lines())
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.len() >= 4 && f[0] == "epoch" && f[2] == "test")
                .then(|| Some((f[1].parse().ok()?, f[3].parse().ok()?)))?
        })
        .collect();

    println!();
    println!(
        "Held-out accuracy, {} training / {} held-out digits (first {TRAIN} / last {} of {IMAGES}):",
        plan.train,
        plan.test,
        IMAGES - TRAIN
    );
    println!();
    let head: Vec<String> = (1..=plan.epochs).map(|e| format!("epoch {e}")).collect();
    println!("| model | {} |", head.join(" | "));
    println!("|---|{}", "---:|".repeat(plan.epochs));
    let row = |v: Vec<String>| v.join(" | ");
    println!(
        "| wtas-evstdp (Rust) | {} |",
        row(out
            .epochs
            .iter()
            .map(|e| format!("{:.1}%", e.test))
            .collect())
    );
    if ngc_acc.is_empty() {
        println!("| ngclearn 3.2.3 | (no evstdp/data/ngclearn_digits.txt) |");
    } else {
        println!(
            "| ngclearn 3.2.3 (same model) | {} |",
            row((1..=plan.epochs)
                .map(|e| ngc_acc
                    .iter()
                    .find(|(k, _)| *k == e)
                    .map_or("n/a".into(), |(_, a)| format!("{a:.1}%")))
                .collect())
        );
    }
    println!(
        "| nearest class centroid, raw pixels | {} |",
        row(vec![format!("{baseline:.1}%"); plan.epochs])
    );
    println!();
    println!(
        "final weights digest {:016x}",
        wtas_evstdp::digest(&out.weights)
    );

    let figs = root.join("figures");
    std::fs::create_dir_all(&figs)?;
    draw_fields(&out.weights, &figs.join("receptive_fields.svg"))?;
    let per_epoch = plan.train as f64;
    draw_accuracy(
        &out.epochs,
        &running,
        &ngc_acc,
        baseline,
        per_epoch,
        &figs.join("accuracy.svg"),
    )?;
    eprintln!(
        "{:>12} evstdp/figures/receptive_fields.svg, evstdp/figures/accuracy.svg",
        "Wrote"
    );
    std::io::stdout().flush()?;
    Ok(())
}

/// Each unit's 64 weights as an 8×8 grey tile (white = 1), 8 × 8 tiles.
fn draw_fields(w: &[f32], path: &Path) -> Result<(), Box<dyn std::error::Error>> {
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
fn draw_accuracy(
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
