#!/usr/bin/env python3
"""wtas's step against the hand-written AVX2+FMA C step (and, with
``--before REV``, against wtas at another revision), criterion medians.

Runs the step benchmark's `step`, `c_step` and `c_step_recip` groups at
every benchmark size, pinned to one CPU, ``--runs`` times back to back
(default 2: on a shared machine the ratios move between runs, and the
table shows by how much). With ``--before REV`` each run also runs the
`step` group of REV's benchmark (built in a temporary ``git worktree``),
right before the working tree's, on the same CPU. Prints a markdown
table: the first run's medians and every run's ratios (wtas's time over
the C step's with one reciprocal per row, and over REV's). With
``--results`` it replaces the section ``c-criterion`` of RESULTS.md
(``tools/results.py``), with the command and the date; ``--dry-run``
prints that section instead.

    python3 tools/bench_c.py --results
    python3 tools/bench_c.py --before b313f72 --results
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from results import RESULTS, markers, replace, section, write_section  # noqa: E402
from revision import checkout  # noqa: E402

SIZES = [(1, 16), (1, 64), (1, 1024), (16, 1024), (64, 4096)]
GROUPS = ("step", "c_step", "c_step_recip")


def bench(crate: Path, target_dir: Path, cpu: int, groups: tuple, extra: list[str]) -> dict:
    """Runs `groups` of `crate`'s step benchmark; their medians (ns per step)."""
    filt = "^(" + "|".join(groups) + ")/B(" + "|".join(f"{b}xN{n}" for b, n in SIZES) + ")$"
    cmd = ["cargo", "bench", "-p", "wtas", "--bench", "step", "--", filt, *extra]
    if shutil.which("taskset"):
        cmd = ["taskset", "-c", str(cpu), *cmd]
    print("running: " + " ".join(shlex.quote(c) for c in cmd), file=sys.stderr)
    env = dict(os.environ, CARGO_TARGET_DIR=str(target_dir))
    subprocess.run(cmd, cwd=crate, check=True, env=env)
    out = {}
    for b, n in SIZES:
        for group in groups:
            f = target_dir / "criterion" / group / f"B{b}xN{n}" / "new" / "estimates.json"
            out[(group, b, n)] = json.loads(f.read_text())["median"]["point_estimate"]
    return out


def time(ns: float) -> str:
    """Three significant figures, in ns or µs."""
    if ns < 1e3:
        return f"{ns:.3g} ns"
    us = ns / 1e3
    return f"{us:.3g} µs" if us < 100 else f"{us:.0f} µs"


def table(runs: list[dict], before: str | None) -> str:
    head = ["size (B×N)"]
    head += [f"run 1: {before}"] if before else []
    head += ["run 1: wtas", "run 1: C divide", "run 1: C reciprocal"]
    head += [f"run {k}: wtas / C reciprocal" for k in range(1, len(runs) + 1)]
    if before:
        head += [f"run {k}: wtas / {before}" for k in range(1, len(runs) + 1)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for b, n in SIZES:
        first = runs[0]
        row = [f"{b}×{n}"]
        row += [time(first[("before", b, n)])] if before else []
        row += [time(first[(g, b, n)]) for g in GROUPS]
        row += [f"{r[('step', b, n)] / r[('c_step_recip', b, n)]:.2f}" for r in runs]
        if before:
            row += [f"{r[('step', b, n)] / r[('before', b, n)]:.2f}" for r in runs]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--cpu", type=int, default=1, help="the CPU taskset pins the benchmark to")
    ap.add_argument("--before", metavar="REV", help="also benchmark wtas's step at REV")
    ap.add_argument("--bench-args", default="", help="extra criterion arguments")
    ap.add_argument("--results", action="store_true", help="write the section c-criterion of RESULTS.md")
    ap.add_argument("--dry-run", action="store_true", help="print the section instead of writing it")
    args = ap.parse_args(argv)
    meta = subprocess.run(["cargo", "metadata", "--format-version", "1", "--no-deps"], cwd=ROOT,
                          check=True, capture_output=True, text=True).stdout
    target_dir = Path(json.loads(meta)["target_directory"])
    extra = shlex.split(args.bench_args)
    runs = []
    with tempfile.TemporaryDirectory(prefix="bench-c-") as t, ExitStack() as stack:
        old, label = (stack.enter_context(checkout(args.before, Path(t) / "before"))
                      if args.before else (None, None))
        for _ in range(args.runs):
            run = {}
            if old is not None:
                got = bench(old, Path(t) / "target", args.cpu, ("step",), extra)
                run.update({("before", b, n): v for (_, b, n), v in got.items()})
            run.update(bench(ROOT, target_dir, args.cpu, GROUPS, extra))
            runs.append(run)
    body = table(runs, label)
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
