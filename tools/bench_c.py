#!/usr/bin/env python3
"""wtas's step against the hand-written AVX2+FMA C step, criterion medians.

Runs the step benchmark's `step` and `c_step` groups (`c_step_recip` too,
for criterion's own report) at 1×1024, 16×1024 and 64×4096, pinned to one
CPU, ``--runs`` times back to back (default 2: on a shared machine the
ratio moves between runs, and the table shows by how much), and prints a
markdown table: the first run's medians and every run's ratio (wtas's time
over the dividing C step's). With ``--results`` it replaces the section
``c-criterion`` of RESULTS.md (``tools/results.py``), with the command and
the date; ``--dry-run`` prints that section instead.

    python3 tools/bench_c.py --results
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from results import RESULTS, markers, replace, section, write_section  # noqa: E402

SIZES = [(1, 1024), (16, 1024), (64, 4096)]
FILTER = "^(step|c_step|c_step_recip)/B(1xN1024|16xN1024|64xN4096)$"


def bench(cpu: int, extra: list[str]) -> None:
    cmd = ["cargo", "bench", "-p", "wtas", "--bench", "step", "--", FILTER, *extra]
    if shutil.which("taskset"):
        cmd = ["taskset", "-c", str(cpu), *cmd]
    print("running: " + " ".join(shlex.quote(c) for c in cmd), file=sys.stderr)
    subprocess.run(cmd, cwd=ROOT, check=True)


def medians(target_dir: Path) -> dict:
    """Criterion's median (ns per step) of `step` and `c_step`, by size."""
    out = {}
    for b, n in SIZES:
        for group in ("step", "c_step"):
            f = target_dir / "criterion" / group / f"B{b}xN{n}" / "new" / "estimates.json"
            out[(group, b, n)] = json.loads(f.read_text())["median"]["point_estimate"]
    return out


def time(ns: float) -> str:
    """Three significant figures, in µs."""
    us = ns / 1e3
    return f"{us:.3g} µs" if us < 100 else f"{us:.0f} µs"


def table(runs: list[dict]) -> str:
    head = ["size (B×N)", "run 1: wtas", "run 1: C divide", "run 1 ratio"]
    head += [f"run {k} ratio" for k in range(2, len(runs) + 1)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for b, n in SIZES:
        first = runs[0]
        row = [f"{b}×{n}", time(first[("step", b, n)]), time(first[("c_step", b, n)])]
        row += [f"{r[('step', b, n)] / r[('c_step', b, n)]:.2f}" for r in runs]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--cpu", type=int, default=1, help="the CPU taskset pins the benchmark to")
    ap.add_argument("--bench-args", default="", help="extra criterion arguments")
    ap.add_argument("--results", action="store_true", help="write the section c-criterion of RESULTS.md")
    ap.add_argument("--dry-run", action="store_true", help="print the section instead of writing it")
    args = ap.parse_args(argv)
    meta = subprocess.run(["cargo", "metadata", "--format-version", "1", "--no-deps"], cwd=ROOT,
                          check=True, capture_output=True, text=True).stdout
    target_dir = Path(json.loads(meta)["target_directory"])
    runs = []
    for _ in range(args.runs):
        bench(args.cpu, shlex.split(args.bench_args))
        runs.append(medians(target_dir))
    body = table(runs)
    print(body)
    if args.results or args.dry_run:
        command = " ".join(["python3 tools/bench_c.py", *map(shlex.quote, argv)])
        content = section(body, command)
        if args.dry_run:
            replace(RESULTS.read_text(), "c-criterion", content)
            begin, end = markers("c-criterion")
            print(f"{begin}\n{content}\n{end}")
        else:
            write_section("c-criterion", content)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
