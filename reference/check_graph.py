#!/usr/bin/env python3
"""Checks that the installed jax/jaxlib compiles ngclearn's WTASCell step to
the graph the crate follows.

For each representative case (population size, batch, hyperparameters) it
builds ngclearn's ``WTASCell`` with its ``advance_state`` and ``reset``
processes, runs two steps (the second one with the ``(batch, n)`` threshold
the cell keeps from then on), takes XLA's optimized HLO of that step
(``--xla_dump_to``), normalises it (metadata, source locations, instruction
numbering and names, the context name and the JSON key order of
``backend_config`` removed) and compares it with ``reference/hlo/<case>.txt``.
It does the same for the standalone ``jax.jit(ngclearn softmax)`` at a few
shapes.

The HLO does not show which kernels run inside a fusion (nor the machine
code), so it also checks the bits (``--bits-steps``): each cell case runs
random steps (near ties, specials included; refract_time 0) twice with the
threshold at ``reference/softmax_model.py``'s p and once more at the float
below it, which pins the cell's own p bit for bit (see ``worker``); the
softmax cases compare the jitted softmax directly. A different CPU (ISA) or
kernel shows up there.

Exit status 0 when everything matches; 1 naming each case whose graph
changed (with a unified diff of the normalised HLO, ``--diff-lines`` long)
or whose bits differ. ``--update`` rewrites the expected files instead.

Runs itself in the pinned reference venv (``reference/env.sh``).
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import _refenv  # noqa: E402

_refenv.ensure()

EXPECTED = HERE / "hlo"

# name: (batch, n, hyperparameters). The shapes sit on both sides of every
# boundary the arithmetic has: n = 32/33 (plain reduce or windows of 32),
# n = 1024/1025 (one or two levels of windows), batch*n = 4095/4096 (XLA's
# own code or YNNPACK), n = 32768/32769 (one YNNPACK slice or several).
DEFAULT = dict(tau_m=10.0, resist_m=1.0, refract_time=2.0, thr_gain=0.002)
SHAPES = [(2, 3), (2, 32), (2, 33), (1, 1024), (1, 1025), (1, 4095), (1, 4096), (4, 1023),
          (4, 1024), (127, 32), (128, 32), (1, 32768), (1, 32769)]
CELL_CASES = {
    **{f"cell_b{b}_n{n}": (b, n, DEFAULT) for b, n in SHAPES},
    "cell_b2_n9_R2p5": (2, 9, dict(DEFAULT, resist_m=2.5)),
    "cell_b2_n9_R1_refr0": (2, 9, dict(DEFAULT, refract_time=0.0, thr_gain=0.0)),
    "cell_b8_n1024_R2p5": (8, 1024, dict(DEFAULT, resist_m=2.5)),
}
SOFTMAX_CASES = {
    "softmax_b1_n64": (1, 64),
    "softmax_b1_n4096": (1, 4096),
}


def normalise(text: str, ctx: str | None = None) -> str:
    out = []
    skip = False
    for line in text.splitlines():
        if line.split(" ")[0] in ("FileNames", "FunctionNames", "FileLocations", "StackFrames"):
            skip = True
            continue
        if skip:
            if re.match(r"^\d+ ", line):
                continue
            skip = False
        if not line.strip():
            continue
        line = re.sub(r",? metadata=\{[^}]*\}", "", line)
        line = re.sub(r",? origin=\{[^}]*\}", "", line)
        if ctx:
            line = line.replace(ctx, "CTX")
        m = re.search(r"backend_config=(\{.*\})(?=(, [a-z_]+=|$))", line)
        if m:
            try:
                cfg = json.dumps(json.loads(m.group(1)), sort_keys=True, separators=(",", ":"))
                line = line[:m.start(1)] + cfg + line[m.end(1):]
            except ValueError:
                pass
        out.append(line.rstrip())
    text = "\n".join(out)
    # Rename every %name in order of first appearance.
    names: dict[str, str] = {}

    def rename(m: re.Match) -> str:
        return "%" + names.setdefault(m.group(1), f"v{len(names)}")

    text = re.sub(r"%([A-Za-z_][\w.\-]*)", rename, text)
    # Module names carry a counter too.
    text = re.sub(r"^HloModule [\w.]+", "HloModule M", text, flags=re.M)
    return text + "\n"


def worker(name: str, steps: int, seed: int) -> dict:
    """One case in a fresh process: ngcsimlib keeps one global state, and a
    fresh process keeps other cases' compartments out of the compiled step.

    Also checks the step's probabilities bit for bit against
    reference/softmax_model.py without reading them (the cell only emits
    spikes): for each step it sets the threshold to the model's p, then to
    the next float below, and requires no spike, then a spike wherever p is
    a number; with the threshold at p the reference's p is <= the model's,
    with the next float below it is above: they are equal. (A threshold of
    -1 stands in for the float below 0, which would read as zero.) Cases run
    with refract_time 0, so that every unit is always free to spike."""
    import jax
    import jax.numpy as jnp
    import numpy as np
    from ngclearn import Context, MethodProcess
    from ngclearn.components.neurons.spiking.WTASCell import WTASCell
    from ngclearn.utils.model_utils import softmax

    import softmax_model
    from softmax_oracle import make_input

    rng = np.random.default_rng(seed)
    rows = bad = 0
    if name in CELL_CASES:
        b, n, hyper = CELL_CASES[name]
        with Context("ref"):
            cell = WTASCell("z", n_units=n, batch_size=b, key=jax.random.PRNGKey(0), **hyper)
            adv = MethodProcess("advance") >> cell.advance_state
            rst = MethodProcess("reset") >> cell.reset
        if not steps:
            rst.run()
            j = np.random.default_rng(0).standard_normal((b, n)).astype(np.float32)
            cell.j.set(jnp.asarray(j))
            adv.run(t=1.0, dt=1.0)
            st, _ = adv.run(t=2.0, dt=1.0)
            jax.block_until_ready(st)
        else:
            del cell, adv, rst
            with Context("bits"):
                bc = WTASCell("z", n_units=n, batch_size=b, key=jax.random.PRNGKey(0),
                              **dict(hyper, refract_time=0.0))
                badv = MethodProcess("advance_bits") >> bc.advance_state
                brst = MethodProcess("reset_bits") >> bc.reset
            brst.run()
            for k in range(steps):
                bc.j.set(jnp.asarray(make_input(rng, b, n)))
                bc.thr.set(jnp.full((b, n), 2.0, jnp.float32))
                badv.run(t=float(k), dt=1.0)
                v = np.asarray(bc.v.get())
                p = softmax_model.softmax(v)
                below = np.nextafter(p, np.float32(-np.inf)).astype(np.float32)
                below[p == 0] = -1.0
                spikes = []
                for thr in (p, below):
                    bc.thr.set(jnp.asarray(thr))
                    badv.run(t=float(k), dt=1.0)
                    spikes.append(np.asarray(bc.s.get()))
                ok = (spikes[0] == 0).all(axis=1) & ((spikes[1] == 1) | np.isnan(p)).all(axis=1)
                rows += b
                bad += int((~ok).sum())
    else:
        b, n = SOFTMAX_CASES[name]
        f = jax.jit(softmax)
        if not steps:
            f(np.zeros((b, n), np.float32)).block_until_ready()
        for _ in range(steps):
            x = make_input(rng, b, n)
            want = np.asarray(f(x))
            got = softmax_model.softmax(x)
            same = (want.view(np.uint32) == got.view(np.uint32)) | (np.isnan(want) & np.isnan(got))
            rows += b
            bad += int((~same.all(axis=1)).sum())
    return {"rows": rows, "bad": bad}


def run_cases(dump_root: Path, steps: int, seed: int) -> tuple[dict[str, str], dict]:
    import subprocess

    texts = {}
    bits = {}
    for name in [*CELL_CASES, *SOFTMAX_CASES]:
        dump = dump_root / name
        flags = os.environ.get("XLA_FLAGS", "")
        # PYTHONHASHSEED: ngcsimlib orders the step's (t, dt) arguments through
        # a set of names; a fixed hash seed keeps the parameter order fixed.
        env = dict(os.environ, PYTHONHASHSEED="0",
                   XLA_FLAGS=f"{flags} --xla_dump_to={dump} --xla_dump_hlo_as_text".strip())
        subprocess.run([sys.executable, __file__, "--worker", name, "--bits-steps", "0"],
                       env=env, check=True, stdout=subprocess.DEVNULL)
        if steps:
            r = subprocess.run([sys.executable, __file__, "--worker", name, "--bits-steps",
                                str(steps), "--seed", str(seed)],
                               check=True, stdout=subprocess.PIPE, text=True)
            bits[name] = json.loads(r.stdout.strip().splitlines()[-1])
        files = sorted(dump.glob("*.cpu_after_optimizations.txt"),
                       key=lambda p: int(re.match(r"module_(\d+)", p.name).group(1)))
        kind = ".jit_advance." if name in CELL_CASES else ".jit_softmax."
        hits = [p for p in files if kind in p.name]
        if not hits:
            raise SystemExit(f"{name}: no optimized HLO was dumped")
        # the last one: the cell's second step, with its (batch, n) threshold
        texts[name] = normalise(hits[-1].read_text(), "ctx__ref_")
    return texts, bits


def summary(text: str) -> str:
    """The fusion kinds of the entry computation, for the report."""
    entry = text.split("ENTRY", 1)[-1]
    kinds = re.findall(r'"kind":"(__\w+)"', entry)
    loops = len(re.findall(r"kind=kLoop", entry))
    rw = "reduce-window" in text
    return (f"{len(kinds)} YNNPACK fusions, {loops} XLA loop fusions"
            + (", reduce-window" if rw else ""))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--update", action="store_true", help="rewrite reference/hlo/*.txt")
    ap.add_argument("--diff-lines", type=int, default=40)
    ap.add_argument("--bits-steps", type=int, default=6,
                    help="steps per case for the bits check (0 skips it)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.worker:
        print(json.dumps(worker(args.worker, args.bits_steps, args.seed)))
        return 0
    with tempfile.TemporaryDirectory(prefix="wtas-hlo-") as dump:
        texts, bits = run_cases(Path(dump), 0 if args.update else args.bits_steps, args.seed)
    print(f"{_refenv.versions()}")

    if args.update:
        EXPECTED.mkdir(exist_ok=True)
        for name, text in texts.items():
            (EXPECTED / f"{name}.txt").write_text(text)
            print(f"wrote reference/hlo/{name}.txt: {summary(text)}")
        return 0

    failures = []
    for name, text in texts.items():
        path = EXPECTED / f"{name}.txt"
        if not path.exists():
            failures.append(f"{name}: no expected file reference/hlo/{name}.txt")
            continue
        want = path.read_text()
        if want == text:
            print(f"same graph: {name} ({summary(text)})")
            continue
        failures.append(f"{name}: the compiled graph changed (expected {summary(want)}; "
                        f"now {summary(text)})")
        diff = list(difflib.unified_diff(want.splitlines(), text.splitlines(),
                                         f"expected/{name}", f"installed/{name}", lineterm="", n=1))
        print("\n".join(diff[:args.diff_lines]))
        if len(diff) > args.diff_lines:
            print(f"... {len(diff) - args.diff_lines} more diff lines")
    if args.bits_steps:
        rows = sum(v["rows"] for v in bits.values())
        for name, v in bits.items():
            if v["bad"]:
                failures.append(f"{name}: {v['bad']} of {v['rows']} rows' probabilities differ "
                                "from reference/softmax_model.py")
        print(f"bits: {rows} rows over {len(bits)} cases compared with reference/softmax_model.py, "
              f"{sum(v['bad'] for v in bits.values())} differ")
    for f in failures:
        print("CHANGED:", f)
    print("graph check: " + ("OK" if not failures else f"{len(failures)} difference(s)"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
