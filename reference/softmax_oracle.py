#!/usr/bin/env python3
"""Compares a softmax against the reference, bit for bit, over many rows.

The reference is ``jax.jit(ngclearn.utils.model_utils.softmax)`` in the
pinned environment (``reference/env.sh``; this script re-runs itself there).
The target is either

* ``model``: ``reference/softmax_model.py`` (numpy), or
* ``wtas``: the crate's ``softmax_io`` example, which reads BATCH*N
  little-endian f32 on stdin and writes BATCH*N f32 probabilities on stdout
  (built once with ``cargo build --release --example softmax_io`` and then
  run per shape as ``target/release/examples/softmax_io BATCH N``; give
  ``--cargo`` to go through ``cargo run --release --example softmax_io --``
  on every shape instead).

Shapes (the default plan; ``--quick`` takes a small slice of it):

* every n from 1 to 300: batch 1, the largest batch below 4096 elements,
  the smallest at or above it, and a large batch (``--rows`` sets how many
  rows these large batches add up to);
* every batch from 1 to 300, with n on both sides of 4096 elements;
* random n up to ``--max-n`` (20,000) with random batches, on both sides of
  4096 elements where n allows;
* rows longer than YNNPACK's 32768-element slice (``--long``).

Each row is drawn from one of several kinds: Gaussian rows at scales from
1e-45 to 1e38 (overflowing to inf at the top), near-tie clusters (a few
units within ~1e-6 of each other, the rest far below), rows within a few
ulps, wide rows over exp's whole range, rows sprinkled with -inf, +inf,
NaN, subnormals and signed zeros, mostly-subnormal rows, constant rows and
small-integer rows.

A value matches when its bits are equal, or when both are NaN. The last
line is the summary::

    rows compared: R, shapes: S, mismatches: M rows (E values)

and the exit status is 1 if there was any mismatch.

``--results NAME`` writes the counts as a table into section NAME of
RESULTS.md (``tools/results.py``; ``--results-file`` names another file),
with the command and the date: ``oracle`` for the default plan against
wtas, ``oracle-xla-repeat`` for ``--path xla --repeat 12 --seed 1``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import _refenv  # noqa: E402

_refenv.ensure()

import numpy as np  # noqa: E402

import softmax_model  # noqa: E402

F32 = np.float32
LIMIT = 4096
KINDS = ["gauss", "extreme", "cluster", "ulps", "wide", "special", "subnormal",
         "constant", "integers"]
WEIGHTS = np.array([3, 2, 5, 2, 2, 3, 1, 1, 1], dtype=float)


# --------------------------------------------------------------------------
# Inputs

def _from_bits(u):
    return np.asarray(u, dtype=np.uint32).view(F32)


def rows_of(kind: str, rng: np.random.Generator, k: int, n: int) -> np.ndarray:
    if k == 0:
        return np.zeros((0, n), F32)
    with np.errstate(all="ignore"):
        if kind == "gauss":
            s = 10.0 ** rng.uniform(-3, 3, (k, 1))
            return (rng.standard_normal((k, n)) * s).astype(F32)
        if kind == "extreme":
            s = 10.0 ** rng.uniform(-45, 38.6, (k, 1))
            return (rng.standard_normal((k, n)) * s).astype(F32)
        if kind == "cluster":
            c = rng.standard_normal((k, 1)) * 10.0 ** rng.uniform(-2, 2.5, (k, 1))
            size = rng.integers(1, min(n, 64) + 1, k)
            # relative or absolute spread of about 1e-6
            rel = rng.random((k, 1)) < 0.5
            spread = np.where(rel, np.abs(c) * 1e-6 + 1e-30, 1e-6) * rng.uniform(0.2, 3, (k, 1))
            close = c + spread * rng.uniform(-1, 1, (k, n))
            # the others: far below (small exps) or moderately below
            gap = np.where(rng.random((k, n)) < 0.7,
                           rng.uniform(1, 40, (k, n)), rng.uniform(0, 6, (k, n)))
            far = c - gap
            member = np.argsort(rng.random((k, n)), axis=1) < size[:, None]
            return np.where(member, close, far).astype(F32)
        if kind == "ulps":
            base = (rng.standard_normal((k, 1)) * 10.0 ** rng.uniform(-3, 3, (k, 1))).astype(F32)
            b = base.view(np.uint32).astype(np.int64)
            d = rng.integers(-8, 9, (k, n))
            return _from_bits(np.clip(b + d, 0, 0xFFFFFFFF)).astype(F32)
        if kind == "wide":
            top = rng.uniform(-5, 5, (k, 1))
            return (top - rng.uniform(0, 1, (k, n)) ** rng.uniform(0.3, 3, (k, 1)) * 120).astype(F32)
        if kind == "special":
            x = (rng.standard_normal((k, n)) * 10.0 ** rng.uniform(-2, 2, (k, 1))).astype(F32)
            dens = rng.uniform(0, 0.2, (k, 1))
            hit = rng.random((k, n)) < dens
            # -inf is by far the most common: such rows stay valid
            pick = rng.choice(6, size=(k, n), p=[0.55, 0.1, 0.08, 0.17, 0.05, 0.05])
            subn = _from_bits(rng.integers(1, 0x00800000, (k, n)).astype(np.uint32))
            subn = np.where(rng.random((k, n)) < 0.5, subn, -subn)
            vals = np.select([pick == 0, pick == 1, pick == 2, pick == 3, pick == 4],
                             [F32(-np.inf), F32(np.inf), F32(np.nan), subn, F32(0)],
                             F32(-0.0)).astype(F32)
            return np.where(hit, vals, x).astype(F32)
        if kind == "subnormal":
            subn = _from_bits(rng.integers(0, 0x00800000, (k, n)).astype(np.uint32))
            sign = np.where(rng.random((k, n)) < 0.5, F32(1), F32(-1))
            x = (subn * sign).astype(F32)
            tiny = (rng.standard_normal((k, n)) * 1e-37).astype(F32)
            return np.where(rng.random((k, n)) < 0.1, tiny, x).astype(F32)
        if kind == "constant":
            v = (rng.standard_normal((k, 1)) * 10.0 ** rng.uniform(-5, 5, (k, 1))).astype(F32)
            return np.repeat(v, n, axis=1)
        if kind == "integers":
            return rng.integers(-4, 5, (k, n)).astype(F32)
    raise ValueError(kind)


def make_input(rng: np.random.Generator, batch: int, n: int) -> np.ndarray:
    kinds = rng.choice(len(KINDS), size=batch, p=WEIGHTS / WEIGHTS.sum())
    x = np.empty((batch, n), F32)
    for i, kind in enumerate(KINDS):
        idx = np.nonzero(kinds == i)[0]
        if idx.size:
            x[idx] = rows_of(kind, rng, idx.size, n)
    return x


# --------------------------------------------------------------------------
# Plan

def plan(args, rng: np.random.Generator) -> list[tuple[int, int]]:
    shapes: list[tuple[int, int]] = []
    ns = range(1, 301)
    harmonic = sum(1.0 / n for n in ns)
    for n in ns:
        above = -(-LIMIT // n)
        below = above - 1
        shapes.append((1, n))
        if below > 1:
            shapes.append((below, n))
        shapes.append((above, n))
        big = int(round(args.rows / harmonic / n))
        if big > 0:
            shapes.append((big, n))
    for b in range(1, 301):
        above = -(-LIMIT // b)
        shapes.append((b, above))
        if above > 1:
            shapes.append((b, above - 1))
    for _ in range(args.random_shapes):
        n = int(rng.integers(1, args.max_n + 1))
        if n < LIMIT and rng.random() < 0.5:
            edge = -(-LIMIT // n)
            b = int(edge if rng.random() < 0.5 else edge - 1) or 1
        else:
            b = int(rng.integers(1, max(1, min(300, args.max_elements // n)) + 1))
        shapes.append((b, n))
    if args.long:
        for b, n in [(1, 32767), (1, 32768), (1, 32769), (2, 40000), (1, 65536),
                     (1, 65537), (3, 50000), (1, 100000), (1, 200003)]:
            shapes.append((b, n))
    if args.quick:
        keep = rng.random(len(shapes)) < 0.05
        shapes = [s for s, k in zip(shapes, keep) if k]
        shapes = [(min(b, 2000), n) for b, n in shapes]
    return shapes


# --------------------------------------------------------------------------
# Targets

class WtasTarget:
    def __init__(self, use_cargo: bool):
        self.use_cargo = use_cargo
        if not use_cargo:
            subprocess.run(["cargo", "build", "--release", "--quiet", "--example", "softmax_io"],
                           cwd=ROOT, check=True)
            self.exe = ROOT / "target" / "release" / "examples" / "softmax_io"

    def __call__(self, x: np.ndarray) -> np.ndarray:
        b, n = x.shape
        if self.use_cargo:
            cmd = ["cargo", "run", "--release", "--quiet", "--example", "softmax_io", "--",
                   str(b), str(n)]
        else:
            cmd = [str(self.exe), str(b), str(n)]
        r = subprocess.run(cmd, cwd=ROOT, input=x.astype("<f4").tobytes(),
                           stdout=subprocess.PIPE, check=True)
        out = np.frombuffer(r.stdout, dtype="<f4")
        if out.size != b * n:
            raise SystemExit(f"softmax_io {b} {n}: {out.size} values on stdout, expected {b * n}")
        return out.reshape(b, n).astype(F32)


# --------------------------------------------------------------------------

def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--target", choices=["model", "wtas"], default="model")
    ap.add_argument("--rows", type=int, default=1_000_000,
                    help="rows in the large batches of n = 1..300 (default 1,000,000)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--random-shapes", type=int, default=300,
                    help="random (batch, n) shapes (default 300)")
    ap.add_argument("--max-n", type=int, default=20000)
    ap.add_argument("--max-elements", type=int, default=2_000_000,
                    help="cap on batch*n for random shapes")
    ap.add_argument("--long", action=argparse.BooleanOptionalAction, default=True,
                    help="also rows over 32768 elements (default on)")
    ap.add_argument("--quick", action="store_true", help="about 5%% of the shapes")
    ap.add_argument("--every-n", type=int, default=0, metavar="N",
                    help="instead of the plan: every n from 1 to N at batch 1 "
                         "(and at --every-n-batch, if given)")
    ap.add_argument("--every-n-batch", type=int, default=0)
    ap.add_argument("--cargo", action="store_true",
                    help="wtas: cargo run --release --example softmax_io per shape")
    ap.add_argument("--show", type=int, default=5, help="mismatching rows to print")
    ap.add_argument("--progress", action="store_true")
    ap.add_argument("--repeat", type=int, default=1,
                    help="fresh inputs per shape (default 1; raise it for many rows "
                         "of the small shapes, e.g. with --path xla)")
    ap.add_argument("--path", choices=["both", "xla", "ynn"], default="both",
                    help="only shapes below 4096 elements (xla) or at/above (ynn)")
    ap.add_argument("--no-fma", action="store_true",
                    help="model: a CPU without FMA3 (multiply-adds rounded twice)")
    ap.add_argument("--results", metavar="NAME",
                    help="write the counts into section NAME of RESULTS.md")
    ap.add_argument("--results-file", type=Path, default=ROOT / "RESULTS.md")
    args = ap.parse_args()

    import jax
    from ngclearn.utils.model_utils import softmax as ref_softmax

    ref = jax.jit(ref_softmax)
    if args.target == "model":
        fused = not args.no_fma
        target = lambda x: softmax_model.softmax(x, fused=fused)  # noqa: E731
    else:
        target = WtasTarget(args.cargo)

    rng = np.random.default_rng(args.seed)
    if args.every_n:
        shapes = [(1, n) for n in range(1, args.every_n + 1)]
        if args.every_n_batch:
            shapes += [(args.every_n_batch, n) for n in range(1, args.every_n + 1)]
    else:
        shapes = plan(args, rng)
    if args.path != "both":
        shapes = [(b, n) for b, n in shapes if (b * n >= LIMIT) == (args.path == "ynn")]
    print(f"reference: jax.jit(ngclearn softmax), {_refenv.versions()}; "
          f"target: {args.target}{' (no fma)' if args.no_fma else ''}; seed {args.seed}; "
          f"{len(shapes)} shapes; XLA_FLAGS={os.environ.get('XLA_FLAGS', '')!r}", flush=True)

    rows = values = bad_rows = bad_values = 0
    per_path = {"xla": [0, 0, 0], "ynn": [0, 0, 0]}  # shapes, rows, bad rows
    shown = 0
    t0 = time.time()
    for i, (b, n) in enumerate(s for s in shapes for _ in range(args.repeat)):
        if i and i % (200 * args.repeat) == 0:
            # Every compiled shape keeps its machine code mapped; thousands
            # of them exhaust the process's memory maps (vm.max_map_count)
            # and XLA's JIT then fails with "Cannot allocate memory".
            jax.clear_caches()
        x = make_input(rng, b, n)
        want = np.asarray(ref(x))
        got = target(x)
        same = (want.view(np.uint32) == got.view(np.uint32)) | (np.isnan(want) & np.isnan(got))
        row_bad = ~same.all(axis=1)
        path = "ynn" if b * n >= LIMIT else "xla"
        per_path[path][0] += 1 if i % args.repeat == 0 else 0
        per_path[path][1] += b
        per_path[path][2] += int(row_bad.sum())
        rows += b
        values += b * n
        bad_rows += int(row_bad.sum())
        bad_values += int((~same).sum())
        for r in np.nonzero(row_bad)[0]:
            if shown >= args.show:
                break
            shown += 1
            j = np.nonzero(~same[r])[0]
            print(f"mismatch: shape {b}x{n} ({path}) row {r}: {j.size} values differ, "
                  f"first at {j[0]}: reference {want[r, j[0]]!r} "
                  f"(0x{int(want[r, j[0]].view(np.uint32)):08X}), target {got[r, j[0]]!r} "
                  f"(0x{int(np.asarray(got[r, j[0]], F32).view(np.uint32)):08X})")
            if n <= 8:
                print(f"  row: {x[r].tolist()}")
        if args.progress and (i % 100 == 0 or i == len(shapes) * args.repeat - 1):
            print(f"  {i + 1}/{len(shapes) * args.repeat} calls, {rows} rows, {bad_rows} bad, "
                  f"{time.time() - t0:.0f} s", flush=True)
    for path, (s, r, bd) in per_path.items():
        label = "batch*n < 4096 (XLA)" if path == "xla" else "batch*n >= 4096 (YNNPACK)"
        print(f"{label}: {s} shapes, {r} rows, {bd} mismatching rows")
    print(f"values compared: {values}; {time.time() - t0:.0f} s")
    print(f"rows compared: {rows}, shapes: {len(shapes)}, "
          f"mismatches: {bad_rows} rows ({bad_values} values)")
    if args.results:
        write_results(args, per_path, values)
    return 1 if bad_rows else 0


def write_results(args, per_path: dict, values: int) -> None:
    """The run's counts, one row a softmax path (and their sum), as a
    section of the results file, under the command that produced them."""
    sys.path.insert(0, str(ROOT / "tools"))
    from results import section, write_section

    argv, skip = [], False
    for a in sys.argv[1:]:  # the plan: the command less its target and table
        if skip or a.startswith(("--results", "--target")):
            skip = a in ("--results", "--results-file", "--target")
            continue
        argv.append(a)
    run = " ".join(argv)
    label = {"xla": "XLA's code (`batch × n < 4096`)", "ynn": "YNNPACK (`batch × n >= 4096`)"}
    lines = ["| run | path | shapes | rows | mismatching rows |", "|---|---|---|---|---|"]
    used = {p: c for p, c in per_path.items() if c[0]}
    if len(used) > 1:
        used["both"] = [sum(c[k] for c in used.values()) for k in range(3)]
        label["both"] = f"both ({values:,} values)"
    for path, (s, r, bd) in used.items():
        lines.append(f"| `{run}` | {label[path]} | {s:,} | {r:,} | {bd:,} |" if run else
                     f"| default plan | {label[path]} | {s:,} | {r:,} | {bd:,} |")
    command = " ".join(["python3 reference/softmax_oracle.py", *sys.argv[1:]])
    write_section(args.results, section("\n".join(lines), command), args.results_file)
    print(f"wrote section {args.results!r} of {args.results_file}")


if __name__ == "__main__":
    sys.exit(main())
