#!/usr/bin/env python3
"""Replays golden ``.npz`` trajectories through the golden README's rules,
with ``reference/softmax_model.py`` for the softmax, and reports every
field of every step that differs (bits; NaN equals NaN).

    python3 reference/replay_golden.py GOLDEN_DIR_OR_FILES...

It checks a recording (for example one made by ``record_ties.py``) without
jax, and it checks the model against recordings: the thresholds in the
``ties/`` files sit inside the cluster's spread of probabilities, so the
spikes there depend on the softmax's last bits. Exit status 1 on any
difference. Needs numpy only.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import softmax_model as M  # noqa: E402

F32 = np.float32
FIELDS = ("v", "s", "thr", "rfr", "tols")
KEYS = {"n_units", "batch_size", "resist_m", "thr_base", "thr_gain", "refract_time",
        "thr_jitter", "dt", "thr0", "t", "reset", "j", *FIELDS, "meta"}


def same(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = np.asarray(a, F32)
    b = np.asarray(b, F32)
    return (a.view(np.uint32) == b.view(np.uint32)) | (np.isnan(a) & np.isnan(b))


def replay(path: Path, fused: bool) -> list[str]:
    d = np.load(path)
    problems = []
    if set(d.files) != KEYS:
        problems.append(f"keys differ from the golden format: {sorted(set(d.files) ^ KEYS)}")
        return problems
    steps, b, n = d["j"].shape
    if d["thr0"].shape != (1, n) or d["t"].shape != (steps,) or d["reset"].shape != (steps,):
        problems.append("shapes differ from the golden format")
        return problems
    json.loads(bytes(d["meta"]).decode())
    R, gain = F32(d["resist_m"]), F32(d["thr_gain"])
    T, dt = F32(d["refract_time"]), F32(d["dt"])
    s = np.zeros((b, n), F32)
    tols = s.copy()
    rfr = np.full((b, n), T, F32)
    thr = np.broadcast_to(d["thr0"], (b, n)).astype(F32)
    one = F32(1)
    for k in range(steps):
        if d["reset"][k]:
            s[:] = 0
            tols[:] = 0
            rfr[:] = T
        j = d["j"][k]
        mask = rfr >= T                                             # rule 1
        jv = j if R == 1 else (-j if R == -1 else M.mul(j, R))      # rule 2
        v = np.where(mask, jv, F32(0)).astype(F32)
        p = M.softmax(v, fused=fused)                               # rule 3
        s = (p > thr).astype(F32)                                   # rule 4
        count = s.sum(axis=1, keepdims=True).astype(F32)
        thr = np.maximum(M.add(thr, M.mul(M.sub(count, one), gain)), F32(0.025)).astype(F32)
        rfr = M.add(M.mul(M.add(rfr, dt), M.sub(one, s)), M.mul(s, dt))  # rule 6
        tols = M.add(M.mul(M.sub(one, s), tols), M.mul(s, d["t"][k]))    # rule 7
        for name, val in zip(FIELDS, (v, s, thr, rfr, tols)):
            ok = same(d[name][k], val)
            if not ok.all():
                problems.append(f"step {k}: {name} differs in {int((~ok).sum())} values")
    return problems


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="+", help=".npz files or directories (searched recursively)")
    ap.add_argument("--no-fma", action="store_true", help="model a CPU without FMA3")
    args = ap.parse_args()
    files = []
    for p in map(Path, args.paths):
        files += sorted(p.rglob("*.npz")) if p.is_dir() else [p]
    bad = steps = 0
    for f in files:
        problems = replay(f, not args.no_fma)
        steps += int(np.load(f)["t"].shape[0])
        print(f"{f.name}: " + ("ok" if not problems else "; ".join(problems[:4])))
        bad += bool(problems)
    print(f"{len(files)} files, {steps} steps, {bad} files differ")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
