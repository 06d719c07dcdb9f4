#!/usr/bin/env python3
"""Patterns per second on one core: the Rust evstdp model against ngclearn
3.2.3's fastest path for the same model, in alternating runs.

From the repository root, in the venv ``benches/compare_ngclearn.py
--setup-only`` builds:

    taskset -c 0 env XLA_FLAGS="--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1" \\
        target/ngclearn-venv/bin/python evstdp/scripts/speed_compare.py

For each size (64 inputs x 64 units on the 8x8 digits; 100 x 100, the
exhibit's size, on the digits resampled to 10x10 as ``record_ngclearn.py``
does) and each mode (``learn``: STDP on; ``frozen``: off), the same 1,200
training digits, 50 steps each at the exhibit's settings:

- Rust: ``cargo bench -p wtas-evstdp --bench patterns -- --epoch MODE IN
  HID``, a fresh process each run: one warm-up epoch, then one timed epoch;
- ngclearn: ``digits_ngclearn.epoch_fns`` (one ``jax.jit`` call per epoch,
  ``lax.scan`` over patterns and over the 50 steps of each), compiled and
  warmed up by two epochs first (the second call compiles again for the
  state the first returns), then one timed epoch per run;

run RUNS times each, alternating (Rust, ngclearn, Rust, ...), on the CPU
this process is pinned to. Reports the median and range of each side and
the ratio of the medians, then the Rust side's time per component
(``--components``), and writes ``evstdp/speed.md``.
"""

import datetime as _dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from record_ngclearn import ROOT, build, patterns  # noqa: E402
from digits_ngclearn import TRAIN, T, build_frozen, epoch_fns  # noqa: E402

RUNS = 9
SIZES = ((64, 64), (100, 100))
OUT = ROOT / "evstdp" / "speed.md"


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "?"


def bench_binary() -> str:
    cmd = ["cargo", "bench", "-p", "wtas-evstdp", "--bench", "patterns", "--no-run",
           "--message-format=json"]
    print("building:", " ".join(cmd), file=sys.stderr, flush=True)
    out = subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        msg = json.loads(line)
        if msg.get("reason") == "compiler-artifact" and msg.get("target", {}).get("name") == "patterns" \
                and msg.get("executable"):
            return msg["executable"]
    sys.exit("no bench executable in cargo's output")


def rust_epoch(exe, mode, n_in, n_hid) -> float:
    out = subprocess.run([exe, "--epoch", mode, str(n_in), str(n_hid)], check=True,
                         capture_output=True, text=True).stdout
    return float(out.split()[-1])


def profile(exe, n_in, n_hid):
    """Shares of a learning run's time by function (``perf``, if present):
    the parts where they run together, as they do in a pattern."""
    if not shutil.which("perf"):
        return None
    data = ROOT / "target" / "evstdp-perf.data"
    r = subprocess.run(["perf", "record", "-q", "-o", str(data), "--", exe, "--epoch", "learn", str(n_in),
                        str(n_hid)], capture_output=True, text=True)
    if r.returncode != 0:
        return None
    out = subprocess.run(["perf", "report", "-i", str(data), "--no-children", "--stdio", "--sort", "symbol"],
                         capture_output=True, text=True).stdout
    names = {"hw::evolve": "STDP update", "hw::forward": "forward (epsp . W)", "hw::kernel_sum": "kernel (exp)",
             "Model::step": "step (Bernoulli draws inlined)", "step_row": "wtas cell"}
    shares = {}
    for line in out.splitlines():
        f = line.split()
        if len(f) >= 3 and f[0].endswith("%") and "[.]" in f:
            sym = " ".join(f[f.index("[.]") + 1:])
            for k, v in names.items():
                if k in sym:
                    shares[v] = shares.get(v, 0.0) + float(f[0][:-1])
    return ", ".join(f"{k} {v:.0f}%" for k, v in sorted(shares.items(), key=lambda kv: -kv[1]))


def fmt(v) -> str:
    return f"{statistics.median(v):,.0f} ({min(v):,.0f} to {max(v):,.0f})"


def main() -> int:
    import jax
    import jaxlib  # noqa: F401
    from importlib.metadata import version

    exe = bench_binary()
    cpus = sorted(os.sched_getaffinity(0))
    load0 = os.getloadavg()[0]
    start = _dt.datetime.now(_dt.timezone.utc)
    rows, runs, comps = [], [], []
    for n_in, n_hid in SIZES:
        m = build(n_in, n_hid, seed=2018, name=f"speed{n_in}x{n_hid}")
        learn, frozen = epoch_fns(m, build_frozen(m, f"speed{n_in}x{n_hid}"))
        xs = jax.numpy.asarray(patterns("digits", n_in, TRAIN, 0, 2018))
        from ngcsimlib._src.global_state.manager import global_state_manager as gsm
        state = gsm.state
        for mode, fn in (("learn", learn), ("frozen", frozen)):
            # Compile and warm up: the first call's state (from the
            # components) and the later ones (returned by the jitted
            # function) differ in type, so the second call compiles again.
            for _ in range(2):
                state, c = fn(state, xs)
                jax.block_until_ready(c)
            r, n = [], []
            for k in range(RUNS):
                r.append(rust_epoch(exe, mode, n_in, n_hid))
                t0 = time.perf_counter()
                state, c = fn(state, xs)
                jax.block_until_ready(c)
                n.append(TRAIN / (time.perf_counter() - t0))
                print(f"{n_in}x{n_hid} {mode} run {k + 1}: Rust {r[-1]:,.0f}, ngclearn {n[-1]:,.0f} patterns/s",
                      file=sys.stderr, flush=True)
            spikes = float(np.asarray(c).sum()) / TRAIN
            ratio = statistics.median(r) / statistics.median(n)
            rows.append(f"| {n_in} x {n_hid} | {mode} | {fmt(r)} | {fmt(n)} | {ratio:.1f}x | "
                        f"{min(a / b for a, b in zip(r, n)):.1f}x to {max(a / b for a, b in zip(r, n)):.1f}x |")
            runs.append(f"- {n_in} x {n_hid} {mode}: Rust " + ", ".join(f"{v:,.0f}" for v in r)
                        + "; ngclearn " + ", ".join(f"{v:,.0f}" for v in n)
                        + f" (ngclearn's last epoch: {spikes:.1f} post spikes per pattern)")
        out = subprocess.run([exe, "--components", str(n_in), str(n_hid)], check=True,
                             capture_output=True, text=True).stdout.strip()
        comps.append("- " + out)
        prof = profile(exe, n_in, n_hid)
        if prof:
            comps.append(f"- profile of a learning run {n_in}x{n_hid} (perf, share of samples): {prof}")
    load1 = os.getloadavg()[0]
    text = "\n".join([
        f"Patterns per second on one core: {cpu_model()}, affinity {cpus}, "
        f"{start.strftime('%Y-%m-%d %H:%M UTC')}, load average {load0:.1f} before and {load1:.1f} after "
        f"on {os.cpu_count()} shared cores. The first {TRAIN} digits, {T} steps each, the exhibit's "
        f"settings; {RUNS} runs of each side per row, alternating (Rust, ngclearn, Rust, ...); "
        "median (min to max).",
        "",
        "| inputs x units | mode | wtas-evstdp (Rust) | ngclearn 3.2.3 (jit + lax.scan) | Rust / ngclearn "
        "(medians) | per run pair |",
        "|---|---|---:|---:|---:|---:|",
        *rows,
        "",
        "Every run (patterns/s):",
        "",
        *runs,
        "",
        "Where the Rust side's time goes: one call of each part of a step, ns, fastest of 15 batches "
        "(`cargo bench -p wtas-evstdp --bench patterns -- --components IN HID`), and a profile of "
        "two learning epochs (`perf record` of `--epoch learn IN HID`):",
        "",
        *comps,
        "",
        f"jax {jax.__version__}, jaxlib {version('jaxlib')}, ngclearn {version('ngclearn')}; "
        f"XLA_FLAGS={os.environ.get('XLA_FLAGS', '')!r}. Command: `taskset -c 0 env XLA_FLAGS=... "
        "target/ngclearn-venv/bin/python evstdp/scripts/speed_compare.py`.",
    ])
    print(text)
    OUT.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
