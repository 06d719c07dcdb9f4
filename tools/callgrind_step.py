#!/usr/bin/env python3
"""Instructions per neuron-step of `Cell::advance`, counted by callgrind,
for one or more revisions of the crate side by side.

For each revision a small driver (written here, built in release mode
against that revision) advances a B×N cell from the same input; callgrind
counts the whole run at two step counts, and the difference over the steps
between, divided by B×N, is the figure: start-up, input and construction
cancel out. Instruction counts do not depend on the machine's load.

    python3 tools/callgrind_step.py                      # the working tree
    python3 tools/callgrind_step.py --rev b313f72 --rev .  # before and after
    python3 tools/callgrind_step.py --rev b313f72 --rev . --results x86-step

``--rev .`` is the working tree; any other revision is checked out into a
temporary directory with ``git worktree``. The driver uses only
``Config``, ``Params``, ``Buffers::from_slice``, ``Cell::new`` and
``Cell::advance``, which every revision since the near-tie work has.
``--results NAME`` writes the table into RESULTS.md (``tools/results.py``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from revision import checkout  # noqa: E402

SIZES = [(1, 16), (1, 64), (1, 1024), (16, 1024), (64, 4096)]

DRIVER = r"""
use std::hint::black_box;
use wtas::{Buffers, Cell, Config};

fn main() {
    let a: Vec<usize> = std::env::args().skip(1).map(|s| s.parse().unwrap()).collect();
    let (batch, units, steps) = (a[0], a[1], a[2]);
    let n = batch * units;
    let params = Config { batch_size: batch, refract_time: 2.0, thr_gain: 0.002, ..Config::new(units) }
        .validate()
        .unwrap();
    let mut mem = vec![0.0_f32; 6 * n];
    let bufs = Buffers::from_slice(&mut mem, n).unwrap();
    // Small noise everywhere and one strong unit per row: about one winner.
    let mut state = 0x2545_f491_u32;
    for (i, j) in bufs.j.iter_mut().enumerate() {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        *j = (state >> 8) as f32 / 16_777_216.0 * 0.5 + if i % units == 3 { 4.0 } else { 0.0 };
    }
    let mut cell = Cell::new(params, bufs, 1).unwrap();
    for k in 0..steps {
        cell.advance(black_box(k as f32), black_box(1.0)).unwrap();
    }
}
"""


def run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=True, text=True, **kw)


def build_driver(crate: Path, work: Path) -> Path:
    """Builds the driver against the crate at ``crate``; returns its path."""
    (work / "src").mkdir(parents=True, exist_ok=True)
    (work / "Cargo.toml").write_text(
        "[package]\nname = \"callgrind-step\"\nversion = \"0.0.0\"\nedition = \"2021\"\n"
        "publish = false\n\n[workspace]\n\n[dependencies]\n"
        f"wtas = {{ path = \"{crate}\" }}\n\n[profile.release]\ndebug = false\n"
    )
    (work / "src" / "main.rs").write_text(DRIVER)
    run(["cargo", "build", "--release", "--quiet", "--manifest-path", str(work / "Cargo.toml")])
    return work / "target" / "release" / "callgrind-step"


def instructions(binary: Path, batch: int, units: int, steps: int, out: Path) -> int:
    """callgrind's total instruction count of one run."""
    run(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", str(binary),
         str(batch), str(units), str(steps)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    for line in out.read_text().splitlines():
        if line.startswith("summary:") or line.startswith("totals:"):
            return int(line.split()[1])
    raise SystemExit(f"callgrind-step: no total in {out}")


def per_neuron_step(binary: Path, batch: int, units: int, tmp: Path) -> float:
    lo = 10
    hi = 40 if batch * units >= 1 << 18 else 110
    counts = [instructions(binary, batch, units, s, tmp / f"cg.{batch}x{units}.{s}") for s in (lo, hi)]
    return (counts[1] - counts[0]) / ((hi - lo) * batch * units)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rev", action="append", help="a revision, or . for the working tree (repeatable)")
    ap.add_argument("--results", metavar="NAME", help="write the table into RESULTS.md's section NAME")
    args = ap.parse_args()
    revs = args.rev or ["."]
    if shutil.which("valgrind") is None:
        raise SystemExit("callgrind-step: valgrind is not installed")

    columns = []
    with tempfile.TemporaryDirectory(prefix="callgrind-step-") as t:
        tmp = Path(t)
        for i, rev in enumerate(revs):
            with checkout(rev, tmp / f"rev{i}") as (crate, label):
                binary = build_driver(crate, tmp / f"driver{i}")
                figures = [per_neuron_step(binary, b, n, tmp) for b, n in SIZES]
            columns.append((label, figures))
            print(f"{label}: " + ", ".join(f"{b}x{n} {f:.2f}" for (b, n), f in zip(SIZES, figures)),
                  file=sys.stderr)

    head = "| size (B×N) | " + " | ".join(label for label, _ in columns) + " |"
    rule = "|---|" + "---|" * len(columns)
    rows = [
        f"| {b}×{n} | " + " | ".join(f"{col[k]:.2f}" for _, col in columns) + " |"
        for k, (b, n) in enumerate(SIZES)
    ]
    table = "\n".join([head, rule, *rows])
    print(table)
    if args.results:
        from results import section, write_section

        cmd = "python3 tools/callgrind_step.py " + " ".join(f"--rev {r}" for r in revs)
        write_section(args.results, section(table, cmd.strip()))


if __name__ == "__main__":
    main()
