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
    python3 tools/callgrind_step.py --ffi --rev 8eac630 --rev .  # the C ABI's step

``--rev .`` is the working tree; any other revision is checked out into a
temporary directory with ``git worktree``. The driver uses only
``Config``, ``Params``, ``Buffers::from_slice``, ``Cell::new`` and
``Cell::advance``, which every revision since the near-tie work has.
``--results NAME`` writes the table into RESULTS.md (``tools/results.py``).

``--ffi`` counts the same step through the C ABI (``wtas_cell_advance`` on
a handle bound to the same buffers) beside ``Cell::advance``, at 1×64 and
1×1024, in instructions per step, with the C step's ratio to the Rust one.
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
    let a: Vec<usize> = std::env::args().skip(1).take(3).map(|s| s.parse().unwrap()).collect();
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
    step(params, bufs, steps);
}
"""

# `Cell::advance`, as DRIVER's step or beside the C ABI's.
RUST_STEP = r"""
fn rust_step(params: wtas::Params, bufs: Buffers<'_>, steps: usize) {
    let mut cell = Cell::new(params, bufs, 1).unwrap();
    for k in 0..steps {
        cell.advance(black_box(k as f32), black_box(1.0)).unwrap();
    }
}
"""

# The step of DRIVER through the C ABI, or `Cell::advance` if the fourth
# argument is `rust`.
FFI_STEP = r"""
#[allow(unsafe_code)]
fn step(params: wtas::Params, bufs: Buffers<'_>, steps: usize) {
    use std::mem::MaybeUninit;
    use wtas::ffi::*;
    if std::env::args().nth(4).as_deref() == Some("rust") {
        return rust_step(params, bufs, steps);
    }
    let n = params.len();
    let b = wtas_buffers {
        j: bufs.j.as_mut_ptr(), j_len: n, v: bufs.v.as_mut_ptr(), v_len: n,
        s: bufs.s.as_mut_ptr(), s_len: n, thr: bufs.thr.as_mut_ptr(), thr_len: n,
        rfr: bufs.rfr.as_mut_ptr(), rfr_len: n, tols: bufs.tols.as_mut_ptr(), tols_len: n,
    };
    let (mut hp, mut hc) = (MaybeUninit::uninit(), MaybeUninit::uninit());
    // SAFETY: the six buffers are `bufs`' slices, `n` floats each, used by
    // nothing else while the handle steps them.
    unsafe {
        assert_eq!(wtas_params_init(hp.as_mut_ptr(), &params.config()), wtas_status::WTAS_OK);
        assert_eq!(wtas_cell_bind(hc.as_mut_ptr(), hp.as_ptr(), &b), wtas_status::WTAS_OK);
        assert_eq!(wtas_cell_seed(hc.as_mut_ptr(), 1), wtas_status::WTAS_OK);
        for k in 0..steps {
            let status = wtas_cell_advance(hc.as_mut_ptr(), black_box(k as f32), black_box(1.0));
            assert_eq!(status, wtas_status::WTAS_OK);
        }
    }
}
"""


def run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=True, text=True, **kw)


def build_driver(crate: Path, work: Path, ffi: bool = False) -> Path:
    """Builds the driver against the crate at ``crate`` (through the C ABI
    if ``ffi``); returns its path."""
    (work / "src").mkdir(parents=True, exist_ok=True)
    features = ', features = ["ffi"]' if ffi else ""
    (work / "Cargo.toml").write_text(
        "[package]\nname = \"callgrind-step\"\nversion = \"0.0.0\"\nedition = \"2021\"\n"
        "publish = false\n\n[workspace]\n\n[dependencies]\n"
        f"wtas = {{ path = \"{crate}\"{features} }}\n\n[profile.release]\ndebug = false\n"
    )
    step = FFI_STEP if ffi else "fn step(p: wtas::Params, b: Buffers<'_>, s: usize) { rust_step(p, b, s) }"
    (work / "src" / "main.rs").write_text(DRIVER + RUST_STEP + step)
    run(["cargo", "build", "--release", "--quiet", "--manifest-path", str(work / "Cargo.toml")])
    return work / "target" / "release" / "callgrind-step"


def instructions(binary: Path, batch: int, units: int, steps: int, out: Path,
                 mode: str = "rust") -> int:
    """callgrind's total instruction count of one run."""
    run(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", str(binary),
         str(batch), str(units), str(steps), mode],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    for line in out.read_text().splitlines():
        if line.startswith("summary:") or line.startswith("totals:"):
            return int(line.split()[1])
    raise SystemExit(f"callgrind-step: no total in {out}")


def per_step(binary: Path, batch: int, units: int, tmp: Path, mode: str = "rust") -> float:
    """Instructions per step (the difference of two runs over their steps)."""
    lo = 10
    hi = 40 if batch * units >= 1 << 18 else 110
    counts = [
        instructions(binary, batch, units, s, tmp / f"cg.{batch}x{units}.{s}", mode)
        for s in (lo, hi)
    ]
    return (counts[1] - counts[0]) / (hi - lo)


def per_neuron_step(binary: Path, batch: int, units: int, tmp: Path) -> float:
    return per_step(binary, batch, units, tmp) / (batch * units)


FFI_SIZES = [(1, 64), (1, 1024)]


def ffi_table(revs: list[str]) -> str:
    """Instructions per step of `Cell::advance` and `wtas_cell_advance`,
    and their ratio, for each revision."""
    columns = []
    with tempfile.TemporaryDirectory(prefix="callgrind-step-") as t:
        tmp = Path(t)
        for i, rev in enumerate(revs):
            with checkout(rev, tmp / f"rev{i}") as (crate, label):
                binary = build_driver(crate, tmp / f"driver{i}", ffi=True)
                pairs = [
                    (per_step(binary, b, n, tmp, "rust"), per_step(binary, b, n, tmp, "c"))
                    for b, n in FFI_SIZES
                ]
            columns.append((label, pairs))
            print(f"{label}: " + ", ".join(f"{b}x{n} rust {r:.0f} c {c:.0f}"
                                           for (b, n), (r, c) in zip(FFI_SIZES, pairs)),
                  file=sys.stderr)
    head = "| size (B×N) | " + " | ".join(
        f"{label} Rust | {label} C | {label} C/Rust" for label, _ in columns) + " |"
    rule = "|---|" + "---|---|---|" * len(columns)
    rows = [
        f"| {b}×{n} | " + " | ".join(
            f"{col[k][0]:,.0f} | {col[k][1]:,.0f} | {col[k][1] / col[k][0]:.3f}" for _, col in columns
        ) + " |"
        for k, (b, n) in enumerate(FFI_SIZES)
    ]
    return "\n".join([head, rule, *rows])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rev", action="append", help="a revision, or . for the working tree (repeatable)")
    ap.add_argument("--results", metavar="NAME", help="write the table into RESULTS.md's section NAME")
    ap.add_argument("--ffi", action="store_true", help="the C ABI's step beside Cell::advance")
    args = ap.parse_args()
    revs = args.rev or ["."]
    if shutil.which("valgrind") is None:
        raise SystemExit("callgrind-step: valgrind is not installed")
    if args.ffi:
        table = ffi_table(revs)
        print(table)
        if args.results:
            from results import section, write_section

            cmd = "python3 tools/callgrind_step.py --ffi " + " ".join(f"--rev {r}" for r in revs)
            write_section(args.results, section(table, cmd.strip()))
        return

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
