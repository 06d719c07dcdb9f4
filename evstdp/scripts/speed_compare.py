#!/usr/bin/env python3
"""Patterns per second on one core: the Rust evstdp model against ngclearn
3.2.3's fastest path for the same model, side by side in one run.

From the repository root, in the venv ``benches/compare_ngclearn.py
--setup-only`` builds:

    taskset -c 0 env XLA_FLAGS="--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1" \\
        target/ngclearn-venv/bin/python evstdp/scripts/speed_compare.py

1. Runs ``cargo bench -p wtas-evstdp --bench patterns`` (pinned to the CPU
   this process is pinned to) and reads criterion's median time per
   pattern (``pattern/learn``, ``pattern/frozen``) and per component.
2. Times ngclearn's model (``digits_ngclearn.epoch_fns``: one ``jax.jit``
   call per epoch, ``lax.scan`` over patterns and over the 50 steps of each)
   on the 1,200 training digits, learning on and off, after compilation;
   median of REPEATS epochs.
3. Prints one markdown table and writes it to ``evstdp/speed.md``.
"""

import datetime as _dt
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from record_ngclearn import ROOT, build, load_digits  # noqa: E402
from digits_ngclearn import UNITS, TRAIN, T, build_frozen, epoch_fns  # noqa: E402

REPEATS = 5
OUT = ROOT / "evstdp" / "speed.md"


def criterion(name: str) -> float:
    p = ROOT / "target" / "criterion" / name / "new" / "estimates.json"
    return json.loads(p.read_text())["median"]["point_estimate"]


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "?"


def main() -> int:
    import jax
    from ngcsimlib._src.global_state.manager import global_state_manager as gsm

    cpus = sorted(os.sched_getaffinity(0))
    cmd = ["cargo", "bench", "-p", "wtas-evstdp", "--bench", "patterns", "--",
           "--warm-up-time", "1", "--measurement-time", "4"]
    print("running", " ".join(cmd), file=sys.stderr, flush=True)
    subprocess.run(cmd, cwd=ROOT, check=True, stdout=sys.stderr)
    rust = {k: criterion(k) for k in ("pattern/learn", "pattern/frozen", "component/forward",
                                      "component/bernoulli", "component/kernel",
                                      "component/cell_advance", "component/evolve_one_spike")}

    X, _ = load_digits()
    m = build(64, UNITS, seed=2018, name="speed")
    learn, frozen = epoch_fns(m, build_frozen(m, "speed"))
    xs = jax.numpy.asarray(X[:TRAIN])
    state = gsm.state
    ngc = {}
    for name, fn in (("learn", learn), ("frozen", frozen)):
        state, c = fn(state, xs)  # compile
        jax.block_until_ready(c)
        per = []
        for _ in range(REPEATS):
            t0 = time.perf_counter()
            state, c = fn(state, xs)
            jax.block_until_ready(c)
            per.append((time.perf_counter() - t0) / TRAIN)
        ngc[name] = statistics.median(per) * 1e9

    rows = []
    for mode in ("learn", "frozen"):
        r, n = rust[f"pattern/{mode}"], ngc[mode]
        rows.append(f"| {mode} | {1e9 / r:,.0f} | {1e9 / n:,.0f} | {n / r:.1f}x |")
    comp = rust
    per_step = sum(comp[k] for k in ("component/forward", "component/bernoulli", "component/kernel",
                                     "component/cell_advance"))
    text = "\n".join([
        f"Patterns per second, one core ({cpu_model()}; affinity {cpus}; "
        f"{_dt.datetime.now(_dt.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores, shared); "
        f"64 inputs, {UNITS} units, {T} steps per pattern, the first {TRAIN} digits.",
        "",
        "| mode | wtas-evstdp (Rust) | ngclearn 3.2.3 (jit + lax.scan) | Rust / ngclearn |",
        "|---|---:|---:|---:|",
        *rows,
        "",
        "Rust, one call of each component (ns, criterion median): "
        + ", ".join(f"{k.split('/')[1]} {v:.0f}" for k, v in comp.items() if k.startswith("component/"))
        + f"; the four per-step parts sum to {per_step:.0f} ns, x{T} = {per_step * T / 1e3:.1f} us "
        f"of a frozen pattern's {rust['pattern/frozen'] / 1e3:.1f} us.",
        "",
        f"jax {jax.__version__}, XLA_FLAGS={os.environ.get('XLA_FLAGS', '')!r}; "
        "command: `taskset -c 0 env XLA_FLAGS=... target/ngclearn-venv/bin/python evstdp/scripts/speed_compare.py`.",
    ])
    print(text)
    OUT.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
