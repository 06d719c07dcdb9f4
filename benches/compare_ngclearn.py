#!/usr/bin/env python3
"""wtas against ngclearn's own WTASCell: step throughput, one table, one plot.

Single-core comparison (the one to publish), from the repository root:

    taskset -c 0 env XLA_FLAGS="--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1" \\
        python3 benches/compare_ngclearn.py --run-bench

Without ``--run-bench`` it reads whatever criterion last wrote under
``target/criterion``. Add ``--unpinned`` (and drop ``taskset``/``XLA_FLAGS``)
for an all-cores run; the table and plot are labelled either way, and the
script also reports the CPU affinity it actually had.

What it does:

1. Sets up (or reuses) a virtualenv in ``target/ngclearn-venv`` with the
   machine's ``python3`` (3.11): ngclearn 3.2.3 and ngcsimlib 3.1.1 installed
   with ``--no-deps`` (ngclearn 3.2.3 declares numpy>=2.5.2, which Python 3.11
   cannot get), next to the runtime dependencies they import, pinned in
   ``RUNTIME_PINS`` (jax/jaxlib 0.10.2 on CPU, the version that recorded
   ``tests/golden``), plus matplotlib for the plot. Then re-runs itself in it.
2. Optionally (``--run-bench``) runs ``cargo bench --bench step`` for the
   groups it reads, pinned with ``taskset -c 0`` unless ``--unpinned``
   (``--features parallel`` adds ``step_parallel``, which only makes sense
   unpinned; ``--bench-args`` passes criterion options through).
3. Checks that the cell it times is ngclearn's real ``WTASCell``: it replays
   the recorded trajectories in ``tests/golden/*.npz`` through the same
   ``MethodProcess`` API and requires every field of every step to match bit
   for bit (``--no-verify`` skips this).
4. Times ngclearn's ``WTASCell`` at every size, each size in a fresh worker
   process (ngcsimlib keeps one global state; a fresh process keeps other
   sizes' arrays out of the compiled step), two ways:

   - ``run``: ``MethodProcess("advance") >> cell.advance_state``, whose
     ``.run(t=, dt=)`` calls the jitted, compiled step once per step from
     Python (ngclearn's documented loop). Steps are dispatched back to back
     and the timer stops after ``jax.block_until_ready`` on the last state
     (``--block-each-step`` blocks after every step instead, as a caller
     that reads the spikes each step must);
   - ``scan``: the same process's ``.scan(rows)``, i.e. ``jax.lax.scan`` of
     the compiled step over many steps in one XLA call, blocked on the final
     state. ngclearn calls ``lax.scan`` outside ``jit``, so each call also
     pays a fixed cost (under a millisecond here); the scans are made long
     enough (``--seconds``) for it to be negligible, and it is logged.

   Both start after a warm-up (compilation, and one step, which turns the
   (1, N) initial threshold into (B, N)); each repeat runs enough steps to
   last about ``--seconds``; the figure is the median over ``--repeats``.
   The input is the one ``benches/step.rs`` uses (the same xorshift64* noise
   in [-0.5, 0.5) plus 12.0 on unit (7b + 3) mod N of row b), with
   tau_m 10, refract_time 2, thr_gain 0.002, the other hyperparameters at
   their defaults, t advancing by dt = 1.
5. Reads criterion's median estimates (ns per iteration; one iteration is
   one step of batch x units neuron-steps) for ``step``, ``step_array``,
   ``touch`` and, if present, ``step_parallel``, and prints one markdown
   table in millions of neuron-steps per second, with the ratios, the
   machine and the date. Writes it to ``--table`` and a log-log plot to
   ``--plot``. A table path ``FILE#NAME`` replaces the section ``NAME``
   of ``FILE`` (between ``<!-- generated: NAME -->`` and
   ``<!-- end generated: NAME -->``): the default is the ``ngclearn``
   section of ``RESULTS.md``.

All paths are relative to the repository root (found from this file).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / "target" / "ngclearn-venv"
SCRATCH = ROOT / "target" / "ngclearn-compare"

# The same pins as reference/env.sh (the reference environment the oracle
# scripts use); keep the two lists in step.
NGC_PINS = ["ngclearn==3.2.3", "ngcsimlib==3.1.1"]
# What ngclearn/ngcsimlib import at run time (found by importing), at the
# newest versions that install on Python 3.11, plus matplotlib for the plot.
RUNTIME_PINS = [
    "jax[cpu]==0.10.2",
    "jaxlib==0.10.2",
    "numpy==2.4.6",
    "scipy==1.17.1",
    "ml_dtypes==0.6.0",
    "opt_einsum==3.4.0",
    "typing_extensions==4.16.0",
    "matplotlib==3.11.2",
]

SIZES = [(1, 16), (1, 64), (1, 1024), (16, 1024), (64, 4096)]
GROUPS = ["step", "step_array", "touch", "step_parallel"]
BENCH_FILTER = "^(step|step_array|touch|step_parallel)/"

# The benchmark configuration (benches/step.rs: Config::new(units), whose
# tau_m is Config::DEFAULT_TAU_M = 10, with refract_time 2 and thr_gain 0.002).
TAU_M = 10.0
REFRACT_TIME = 2.0
THR_GAIN = 0.002
DT = 1.0

IMPORT_CHECK = (
    "import sys, importlib.metadata as m\n"
    "import jax, numpy, matplotlib, ngcsimlib, ngclearn\n"
    "from ngclearn.components.neurons.spiking.WTASCell import WTASCell\n"
    "from ngclearn import Context, MethodProcess\n"
    "ok = m.version('ngclearn') == '3.2.3' and m.version('ngcsimlib') == '3.1.1'\n"
    "sys.exit(0 if ok else 3)\n"
)


def bid(batch: int, units: int) -> str:
    return f"B{batch}xN{units}"


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------
# The virtualenv


def rel(p: Path) -> str:
    try:
        return str(p.resolve().relative_to(ROOT))
    except ValueError:
        return str(p)


def venv_python() -> Path:
    return VENV / "bin" / "python"


def venv_ok() -> bool:
    py = venv_python()
    if not py.exists():
        return False
    r = subprocess.run([str(py), "-c", IMPORT_CHECK], cwd=SCRATCH,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return r.returncode == 0


def ensure_venv() -> None:
    SCRATCH.mkdir(parents=True, exist_ok=True)
    if venv_ok():
        return
    if sys.version_info[:2] != (3, 11):
        log(f"note: building the venv with Python {platform.python_version()}; "
            "the pins were chosen for Python 3.11")
    if not venv_python().exists():
        log(f"creating {VENV.relative_to(ROOT)} with {sys.executable}")
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    pip = [str(venv_python()), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    log("installing " + " ".join(RUNTIME_PINS))
    subprocess.run(pip + RUNTIME_PINS, check=True)
    # --no-deps: ngclearn 3.2.3 declares numpy>=2.5.2 (and jaxlib>=0.11.1,
    # scipy>=1.18.1), none of which Python 3.11 can get; pip says so below
    # as a "dependency conflict", which is expected.
    log("installing " + " ".join(NGC_PINS) + " --no-deps")
    subprocess.run(pip + ["--no-deps"] + NGC_PINS, check=True)
    if not venv_ok():
        r = subprocess.run([str(venv_python()), "-c", IMPORT_CHECK], cwd=SCRATCH)
        sys.exit(f"the venv in {VENV.relative_to(ROOT)} still does not import "
                 f"ngclearn 3.2.3 (exit {r.returncode}); see above")


def in_venv() -> bool:
    return Path(sys.prefix).resolve() == VENV.resolve()


# --------------------------------------------------------------------------
# Worker side: runs in the venv, imports jax and ngclearn


def bench_input(batch: int, units: int):
    """benches/step.rs's input(): noise from the tests' generator
    (tests/common/rng.rs, ``Rng::new(1).range(-0.5, 0.5)``) plus one strong
    unit per row."""
    import numpy as np

    m = (1 << 64) - 1
    # Rng::new(1): SplitMix64's finaliser, then xorshift64*.
    z = (1 + 0x9E3779B97F4A7C15) & m
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & m
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & m
    x = (z ^ (z >> 31)) or 1
    noise = np.empty(batch * units, dtype=np.float64)
    for i in range(batch * units):
        x ^= x >> 12
        x ^= (x << 25) & m
        x ^= x >> 27
        noise[i] = ((x * 0x2545F4914F6CDD1D) & m) >> 40
    # (bits >> 40) / 2^24 - 0.5 is exact in f32, as in the Rust.
    j = (noise / 16_777_216.0 - 0.5).astype(np.float32).reshape(batch, units)
    for b in range(batch):
        j[b, (b * 7 + 3) % units] += np.float32(12.0)
    return j


def build_cell(name: str, batch: int, units: int, **hyper):
    from ngclearn import Context, MethodProcess
    from ngclearn.components.neurons.spiking.WTASCell import WTASCell

    with Context(name):
        cell = WTASCell("z", n_units=units, batch_size=batch, **hyper)
        advance = MethodProcess("advance") >> cell.advance_state
        reset = MethodProcess("reset") >> cell.reset
    assert type(cell) is WTASCell and advance.is_compiled() and reset.is_compiled()
    return cell, advance, reset


def scan_rows(advance, steps: int, t0: float):
    """The scan inputs: one row of keywords (t, dt) per step, in the order the
    compiled process expects them (what pack_rows builds, without a Python
    loop over the steps)."""
    import jax.numpy as jnp
    import numpy as np

    cols = {"t": t0 + np.arange(1, steps + 1, dtype=np.float32), "dt": np.full(steps, DT, np.float32)}
    order = advance.get_keywords()
    assert sorted(order) == ["dt", "t"], order
    return jnp.asarray(np.stack([cols[k] for k in order], axis=1))


def worker(batch: int, units: int, seconds: float, repeats: int, block_each: bool) -> dict:
    import jax
    import numpy as np
    from ngcsimlib._src.global_state.manager import global_state_manager as gsm

    cell, advance, reset = build_cell(
        f"bench_{bid(batch, units)}", batch, units,
        tau_m=TAU_M, refract_time=REFRACT_TIME, thr_gain=THR_GAIN)
    reset.run()
    cell.j.set(jax.numpy.asarray(bench_input(batch, units)))
    n = batch * units
    clock = {"t": 0.0}

    def run_steps(k: int) -> None:
        st = None
        for _ in range(k):
            clock["t"] += DT
            st, _ = advance.run(t=clock["t"], dt=DT)
            if block_each:
                jax.block_until_ready(st)
        jax.block_until_ready(st)

    # Warm-up: compile ((1, N) thresholds, then (B, N)), settle the dynamics.
    run_steps(50)
    t0 = time.perf_counter()
    run_steps(20)
    per = (time.perf_counter() - t0) / 20
    k_run = max(20, int(seconds / per))
    run_ns = []
    for _ in range(repeats):
        t0 = time.perf_counter_ns()
        run_steps(k_run)
        run_ns.append((time.perf_counter_ns() - t0) / k_run)

    # run and scan step the same thing: 16 steps each way, same start state.
    start = gsm.state
    st = start
    spikes = 0.0
    for i in range(16):
        st, _ = advance.run(state=st, update=False,
                            keywords=advance.pack_keywords(t=clock["t"] + i + 1, dt=DT))
        spikes += float(np.asarray(st[cell.s.target]).sum())
    sc, _ = advance.scan(jax.numpy.asarray(advance.pack_rows(16, t=lambda i: clock["t"] + i + 1, dt=DT)),
                         current_state=start, store_state=False, store_results=False)
    same = all(np.array_equal(np.asarray(st[k]), np.asarray(sc[k]), equal_nan=True) for k in st)

    # scan: each call pays a fixed cost (MethodProcess.scan calls lax.scan
    # outside jit, which re-traces the step: well under a millisecond on a
    # 2.5 GHz core) plus a per-step cost. Fit both from two lengths, then make the timed scan long enough
    # to last about `seconds`. The length is static: each new length
    # compiles once, outside the timer.
    def scan_once(rows) -> float:
        t0 = time.perf_counter()
        final, _ = advance.scan(rows, store_state=False, store_results=False)
        jax.block_until_ready(final)
        return time.perf_counter() - t0

    k1 = 256
    r1 = scan_rows(advance, k1, clock["t"])
    scan_once(r1)
    t1 = min(scan_once(r1) for _ in range(3))
    k2 = k1 * (16 if t1 * 16 <= seconds else 4)
    r2 = scan_rows(advance, k2, clock["t"])
    scan_once(r2)
    t2 = min(scan_once(r2) for _ in range(2))
    per = max((t2 - t1) / (k2 - k1), t2 / k2 / 4)
    call_overhead = max(t1 - k1 * per, 0.0)
    k_scan = max(k1, int(seconds / per))
    rows = scan_rows(advance, k_scan, clock["t"])
    scan_once(rows)
    scan_ns = []
    for _ in range(repeats):
        scan_ns.append(scan_once(rows) * 1e9 / k_scan)

    return {
        "id": bid(batch, units), "batch": batch, "units": units, "n": n,
        "run_ns": statistics.median(run_ns), "run_all_ns": run_ns, "run_steps": k_run,
        "scan_ns": statistics.median(scan_ns), "scan_all_ns": scan_ns, "scan_steps": k_scan,
        "scan_call_overhead_ms": call_overhead * 1e3,
        "run_equals_scan": bool(same),
        # Activity (sanity): mean spikes per row per step over those 16 steps
        # (about 0.5: the winner spikes, then sits out one refractory step).
        "spikes_per_row_step": spikes / (16 * batch),
        "thr_mean": float(np.asarray(st[cell.thr.target]).mean()),
    }


def verify_golden() -> dict:
    """Replays tests/golden/*.npz through ngclearn's WTASCell via the same
    MethodProcess API the timing uses; every field must match bit for bit."""
    import jax.numpy as jnp
    import numpy as np

    def same(a, b) -> bool:
        a = np.asarray(a, np.float32)
        b = np.asarray(b, np.float32)
        if a.shape != b.shape:
            return False
        na, nb = np.isnan(a), np.isnan(b)
        return bool((na == nb).all() and (a[~na].view(np.uint32) == b[~nb].view(np.uint32)).all())

    files = sorted((ROOT / "tests" / "golden").glob("*.npz"))
    checked, failures, steps = 0, [], 0
    for i, path in enumerate(files):
        z = np.load(path)
        batch, units = int(z["batch_size"]), int(z["n_units"])
        cell, advance, reset = build_cell(
            f"golden{i}", batch, units, tau_m=1.0,
            resist_m=float(z["resist_m"]), thr_base=float(z["thr_base"]),
            thr_gain=float(z["thr_gain"]), refract_time=float(z["refract_time"]),
            thr_jitter=float(z["thr_jitter"]))
        reset.run()
        cell.thr.set(jnp.asarray(z["thr0"]))
        dt = float(z["dt"])
        bad = None
        for k in range(z["t"].shape[0]):
            if bool(z["reset"][k]):
                reset.run()
            cell.j.set(jnp.asarray(z["j"][k]))
            advance.run(t=float(z["t"][k]), dt=dt)
            for f in ("v", "s", "thr", "rfr", "tols"):
                if not same(getattr(cell, f).get(), z[f][k]):
                    bad = f"{path.name}: step {k}, field {f}"
                    break
            if bad:
                break
            steps += 1
        checked += 1
        if bad:
            failures.append(bad)
    return {"files": checked, "steps": steps, "failures": failures}


def versions() -> dict:
    import importlib.metadata as m

    out = {"python": platform.python_version()}
    for p in ("ngclearn", "ngcsimlib", "jax", "jaxlib", "numpy", "matplotlib"):
        try:
            out[p] = m.version(p)
        except m.PackageNotFoundError:
            out[p] = "?"
    return out


# --------------------------------------------------------------------------
# Driver side


def cpu_model() -> str:
    """/proc/cpuinfo's model name, with family/model when the name is terse
    (virtual machines often show only "AMD EPYC"), and whether it is a VM."""
    info = {}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if ":" in line:
                k, v = (x.strip() for x in line.split(":", 1))
                info.setdefault(k, v)
    except OSError:
        pass
    name = " ".join((info.get("model name") or platform.processor() or platform.machine()).split())
    extra = []
    if "cpu family" in info and "model" in info:
        extra.append(f"family {info['cpu family']} model {info['model']}")
    if "hypervisor" in info.get("flags", "").split():
        extra.append("VM")
    return name + (f" ({', '.join(extra)})" if extra else "")


def affinity_label(unpinned_flag: bool) -> tuple[str, list[int]]:
    try:
        cpus = sorted(os.sched_getaffinity(0))
    except AttributeError:
        cpus = list(range(os.cpu_count() or 1))
    total = os.cpu_count() or len(cpus)
    if len(cpus) < total:
        label = f"pinned to CPU {','.join(map(str, cpus))}"
        if unpinned_flag:
            label += " (despite --unpinned)"
    else:
        label = f"unpinned ({total} CPUs)"
    return label, cpus


def read_criterion(since: float | None = None) -> dict:
    """Criterion's median estimates, the times they were written and the
    fastest sample (ns per iteration), keyed by (group, size); with `since`,
    only results written after it (so a group this run did not bench, such
    as `step_parallel` without `--features parallel`, is not taken from an
    older run)."""
    out = {}
    base = ROOT / "target" / "criterion"
    for g in GROUPS:
        for b, u in SIZES:
            f = base / g / bid(b, u) / "new" / "estimates.json"
            if f.exists():
                mtime = f.stat().st_mtime
                if since is not None and mtime < since:
                    continue
                est = json.loads(f.read_text())
                sample = json.loads((f.parent / "sample.json").read_text())
                fastest = min(t / i for t, i in zip(sample["times"], sample["iters"]))
                out[(g, bid(b, u))] = (est["median"]["point_estimate"], mtime, fastest)
    return out


def run_bench(unpinned: bool, features: str, extra: str) -> None:
    cmd = ["cargo", "bench", "--bench", "step"]
    if features:
        cmd += ["--features", features]
    cmd += ["--", BENCH_FILTER] + shlex.split(extra)
    if not unpinned:
        if shutil.which("taskset"):
            cmd = ["taskset", "-c", "0"] + cmd
        else:
            log("warning: taskset not found; cargo bench runs unpinned")
    log("running: " + " ".join(shlex.quote(c) for c in cmd))
    subprocess.run(cmd, cwd=ROOT, check=True)


def spawn(args: list[str]) -> dict:
    """Runs this script in worker mode in a fresh interpreter; its last
    stdout line is JSON."""
    cmd = [sys.executable, str(Path(__file__).resolve())] + args
    r = subprocess.run(cmd, cwd=SCRATCH, stdout=subprocess.PIPE, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"worker {' '.join(args)} failed (exit {r.returncode})")
    return json.loads(r.stdout.strip().splitlines()[-1])


def mps(n: int, ns: float | None) -> float | None:
    """Millions of neuron-steps per second for n neuron-steps in ns."""
    return None if not ns else n / ns * 1e3


def fmt(x: float | None) -> str:
    if x is None:
        return "–"
    if x >= 100:
        return f"{x:,.0f}"
    if x >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def fmt_ratio(x: float | None) -> str:
    if x is None:
        return "–"
    return f"{x:,.0f}×" if x >= 100 else f"{x:.1f}×" if x >= 10 else f"{x:.2f}×"


def ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b


def build_table(crit: dict, ngc: dict, meta: dict) -> tuple[str, dict]:
    has_par = any(g == "step_parallel" for g, _ in crit)
    series = {k: [] for k in ["wtas SIMD (step)", "wtas scalar", "touch (memory floor)",
                              "wtas parallel", "ngclearn run", "ngclearn scan"]}
    head = ["size (B×N)", "wtas SIMD", "wtas scalar", "touch"]
    if has_par:
        head.append("wtas parallel")
    head += ["ngclearn run", "ngclearn scan", "wtas/scan", "wtas/run", "wtas/scalar", "step/touch time"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for b, u in SIZES:
        i, n = bid(b, u), b * u
        ns = {g: crit.get((g, i), (None,))[0] for g in GROUPS}
        r = ngc.get(i, {})
        simd, scal, touch = mps(n, ns["step"]), mps(n, ns["step_array"]), mps(n, ns["touch"])
        par = mps(n, ns["step_parallel"])
        run, scan = mps(n, r.get("run_ns")), mps(n, r.get("scan_ns"))
        for key, val in zip(series, [simd, scal, touch, par, run, scan]):
            series[key].append(val)
        row = [f"{b}×{u}", fmt(simd), fmt(scal), fmt(touch)]
        if has_par:
            row.append(fmt(par))
        row += [fmt(run), fmt(scan), fmt_ratio(ratio(simd, scan)), fmt_ratio(ratio(simd, run)),
                fmt_ratio(ratio(simd, scal)), fmt_ratio(ratio(ns["step"], ns["touch"]))]
        lines.append("| " + " | ".join(row) + " |")

    v = meta["versions"]
    out = [
        f"## wtas vs ngclearn WTASCell — {meta['cpu']}",
        "",
        f"Machine: {meta['cpu']}, {meta['cores']} logical CPUs, {meta['affinity']}; "
        f"XLA_FLAGS={meta['xla_flags']!r}. Date: {meta['date']}.",
        "",
        "Throughput in millions of neuron-steps per second (one neuron-step = one unit "
        "of one batch row advanced one step); every figure is a median: criterion's median "
        "estimate for wtas (`cargo bench --bench step`; `wtas SIMD` is the `step` group on the "
        "detected backend), the median of "
        f"{meta['repeats']} repeats of ~{meta['seconds']} s each for ngclearn "
        f"{v['ngclearn']} (ngcsimlib {v['ngcsimlib']}, jax/jaxlib {v['jax']}/{v['jaxlib']}, "
        f"numpy {v['numpy']}, Python {v['python']}, CPU). "
        "`ngclearn run`: the jitted `MethodProcess.run` once per step from Python"
        + (", blocking on every step" if meta["block_each"] else
           ", steps dispatched back to back, blocking once at the end of each repeat")
        + "; `ngclearn scan`: `MethodProcess.scan` (`jax.lax.scan` of the same compiled step "
        "over many steps in one call). Ratios are throughput ratios, except step/touch, "
        "the time of one SIMD step over the memory floor's.",
        "",
        *lines,
        "",
    ]
    out += build_fastest_table(crit, ngc)
    if meta.get("criterion_dates"):
        out.append(f"Criterion results written {meta['criterion_dates']}.")
    if meta.get("golden"):
        out.append(meta["golden"])
    if meta.get("notes"):
        out += [f"- {n}" for n in meta["notes"]]
    return "\n".join(out).rstrip() + "\n", series


def build_fastest_table(crit: dict, ngc: dict) -> list[str]:
    """The same comparison from the fastest sample on each side: criterion's
    least time per iteration over its samples, and ngclearn's fastest
    repeat. On a shared machine these are the figures least disturbed by
    other tenants; the medians remain the figures of record."""
    head = ["size (B×N)", "wtas SIMD", "touch", "ngclearn scan", "wtas/scan", "step/touch time"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for b, u in SIZES:
        i, n = bid(b, u), b * u
        fast = {g: crit.get((g, i), (None, None, None))[2] for g in GROUPS}
        scan_all = ngc.get(i, {}).get("scan_all_ns")
        simd, touch = mps(n, fast["step"]), mps(n, fast["touch"])
        scan = mps(n, min(scan_all)) if scan_all else None
        lines.append("| " + " | ".join([f"{b}×{u}", fmt(simd), fmt(touch), fmt(scan),
                                        fmt_ratio(ratio(simd, scan)),
                                        fmt_ratio(ratio(fast["step"], fast["touch"]))]) + " |")
    return [
        "Fastest sample on each side (criterion's least time per iteration over its samples; "
        "ngclearn's fastest repeat), in the same units. On a shared machine these are the "
        "figures least disturbed by other tenants; the medians above are the figures of record.",
        "",
        *lines,
        "",
    ]


def plot(series: dict, meta: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    xs = [b * u for b, u in SIZES]
    fig, ax = plt.subplots(figsize=(8, 5.2))
    styles = {
        "wtas SIMD (step)": dict(marker="o", lw=2),
        "wtas scalar": dict(marker="s"),
        "touch (memory floor)": dict(marker="^", ls=":"),
        "wtas parallel": dict(marker="D"),
        "ngclearn run": dict(marker="v", ls="--"),
        "ngclearn scan": dict(marker="x", ls="--"),
    }
    for name, ys in series.items():
        pts = [(x, y) for x, y in zip(xs, ys) if y is not None]
        if pts:
            ax.plot(*zip(*pts), label=name, **styles[name])
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xticks(xs)
    ax.set_xticklabels([f"{b}×{u}" for b, u in SIZES])
    ax.set_xlabel("size, batch × units (x: neurons advanced per step)")
    ax.set_ylabel("M neuron-steps / s (median)")
    ax.set_title(f"WTAS step throughput: wtas vs ngclearn {meta['versions']['ngclearn']}\n"
                 f"{meta['cpu']}, {meta['affinity']}, {meta['date']}", fontsize=9)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--run-bench", action="store_true",
                   help="run `cargo bench --bench step` for the groups read (pinned with taskset -c 0 unless --unpinned)")
    p.add_argument("--bench-args", default="",
                   help="extra criterion arguments for --run-bench, e.g. '--warm-up-time 1 --measurement-time 2'")
    p.add_argument("--features", default="",
                   help="cargo features for --run-bench; `parallel` adds the step_parallel group "
                        "(meaningful only in an --unpinned run)")
    p.add_argument("--unpinned", action="store_true",
                   help="label this run as unpinned and run cargo bench without taskset")
    p.add_argument("--plot", default="benches/compare.svg", help="plot path (.svg or .png), relative to the repo root")
    p.add_argument("--table", default="RESULTS.md#ngclearn",
                   help="markdown table path, relative to the repo root; FILE#NAME replaces section NAME of FILE")
    p.add_argument("--repeats", type=int, default=7, help="timed repeats per size and mode (median reported)")
    p.add_argument("--seconds", type=float, default=0.3, help="target length of one timed repeat")
    p.add_argument("--sizes", default=",".join(bid(b, u) for b, u in SIZES),
                   help="comma-separated subset of sizes for ngclearn, e.g. B1xN16,B1xN64")
    p.add_argument("--block-each-step", action="store_true",
                   help="ngclearn run: block on the state after every step")
    p.add_argument("--no-verify", action="store_true", help="skip the golden-trajectory replay")
    p.add_argument("--setup-only", action="store_true", help="only set up the venv")
    p.add_argument("--worker", nargs=2, type=int, metavar=("BATCH", "UNITS"), help=argparse.SUPPRESS)
    p.add_argument("--verify-worker", action="store_true", help=argparse.SUPPRESS)
    return p.parse_args(argv)


def main(argv) -> int:
    args = parse_args(argv)

    if args.worker:
        print(json.dumps(worker(*args.worker, args.seconds, args.repeats, args.block_each_step)))
        return 0
    if args.verify_worker:
        print(json.dumps(verify_golden()))
        return 0

    if not in_venv():
        ensure_venv()
        if args.setup_only:
            log(f"venv ready: {VENV.relative_to(ROOT)}")
            return 0
        py = str(venv_python())
        os.execv(py, [py, str(Path(__file__).resolve())] + list(argv))
    SCRATCH.mkdir(parents=True, exist_ok=True)
    if args.setup_only:
        return 0

    bench_start = None
    if args.run_bench:
        bench_start = time.time()
        run_bench(args.unpinned, args.features, args.bench_args)

    affinity, _ = affinity_label(args.unpinned)
    meta = {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "affinity": affinity,
        "xla_flags": os.environ.get("XLA_FLAGS", ""),
        "date": _dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "repeats": args.repeats,
        "seconds": args.seconds,
        "block_each": args.block_each_step,
        "versions": versions(),
        "notes": [],
    }
    log(f"{meta['cpu']}; {affinity}; XLA_FLAGS={meta['xla_flags']!r}")

    if not args.no_verify:
        log("verifying: replaying tests/golden/*.npz through ngclearn's WTASCell ...")
        g = spawn(["--verify-worker"])
        if g["failures"]:
            log("golden replay FAILED: " + "; ".join(g["failures"]))
            meta["golden"] = ("Golden replay through ngclearn FAILED: " + "; ".join(g["failures"]) + ".")
        else:
            log(f"  ok: {g['files']} files, {g['steps']} steps, every field bit for bit")
            meta["golden"] = (f"The timed cell is ngclearn's own `WTASCell`: replaying the {g['files']} "
                              f"recorded trajectories in `tests/golden` ({g['steps']} steps) through "
                              "the same `MethodProcess` matched every field bit for bit.")

    wanted = set(s.strip() for s in args.sizes.split(",") if s.strip())
    ngc = {}
    for b, u in SIZES:
        i = bid(b, u)
        if i not in wanted:
            continue
        log(f"ngclearn {i} ...")
        r = spawn(["--worker", str(b), str(u), "--seconds", str(args.seconds),
                   "--repeats", str(args.repeats)] + (["--block-each-step"] if args.block_each_step else []))
        ngc[i] = r
        log(f"  run {mps(b * u, r['run_ns']):.3g} M/s ({r['run_ns'] / 1e3:.1f} us/step, {r['run_steps']} steps), "
            f"scan {mps(b * u, r['scan_ns']):.3g} M/s ({r['scan_ns'] / 1e3:.2f} us/step, {r['scan_steps']} steps, "
            f"~{r['scan_call_overhead_ms']:.1f} ms fixed cost per call included); "
            f"run == scan: {r['run_equals_scan']}; spikes per row-step {r['spikes_per_row_step']:.2f}, mean thr {r['thr_mean']:.3f}")
        if not r["run_equals_scan"]:
            meta["notes"].append(f"{i}: 16 steps through run and through scan did not give identical states")

    crit = read_criterion(since=bench_start)
    if crit:
        stamps = sorted(m for _, m, _ in crit.values())
        f = lambda s: _dt.datetime.fromtimestamp(s).astimezone().strftime("%Y-%m-%d %H:%M")
        meta["criterion_dates"] = f(stamps[0]) if f(stamps[0]) == f(stamps[-1]) else f"{f(stamps[0])} to {f(stamps[-1])}"
    missing = [f"{g}/{bid(b, u)}" for g in GROUPS[:3] for b, u in SIZES if (g, bid(b, u)) not in crit]
    if missing:
        meta["notes"].append("no criterion result for " + ", ".join(missing)
                             + " (run with --run-bench, or `cargo bench --bench step`)")

    table, series = build_table(crit, ngc, meta)
    print(table)
    tpath = write_table(args.table, table)
    ppath = ROOT / args.plot
    plot(series, meta, ppath)
    log(f"wrote {rel(tpath)} and {rel(ppath)}")
    return 0


def write_table(target: str, table: str) -> Path:
    """Writes ``table`` to ``target``, a path or ``FILE#NAME`` (a section
    of FILE between its generated markers, headings one level down)."""
    path, _, name = target.partition("#")
    tpath = ROOT / path
    if not name:
        tpath.parent.mkdir(parents=True, exist_ok=True)
        tpath.write_text(table)
        return tpath
    sys.path.insert(0, str(ROOT / "tools"))
    from results import write_section

    return write_section(name, table, tpath, demote=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
