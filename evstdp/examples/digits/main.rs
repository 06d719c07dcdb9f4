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
//! classifier on raw pixels. With `--features plot` the receptive fields and
//! the accuracy curve are also written as SVG to `evstdp/figures/`:
//!
//! ```text
//! cargo run --release -p wtas-evstdp --features plot --example digits
//! ```

mod protocol;

#[cfg(feature = "plot")]
mod plot;

use std::io::{IsTerminal, Write};
use std::path::Path;

use protocol::{IMAGES, Plan, TRAIN, UNITS};

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

    #[cfg(feature = "plot")]
    {
        let figs = root.join("figures");
        std::fs::create_dir_all(&figs)?;
        plot::draw_fields(&out.weights, &figs.join("receptive_fields.svg"))?;
        plot::draw_accuracy(
            &out.epochs,
            &running,
            &ngc_acc,
            baseline,
            plan.train as f64,
            &figs.join("accuracy.svg"),
        )?;
        eprintln!(
            "{:>12} evstdp/figures/receptive_fields.svg, evstdp/figures/accuracy.svg",
            "Wrote"
        );
    }
    #[cfg(not(feature = "plot"))]
    {
        let _ = &running;
        eprintln!(
            "{:>12} no figures drawn (`--features plot` draws evstdp/figures/*.svg)",
            "Note"
        );
    }
    std::io::stdout().flush()?;
    Ok(())
}
