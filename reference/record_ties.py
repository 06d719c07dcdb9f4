#!/usr/bin/env python3
"""Records a near-tie trajectory from ngclearn's own WTASCell.

The cell is ``ngclearn.components.neurons.spiking.WTASCell`` (ngclearn 3.2.3,
jax 0.10.2, CPU; this script re-runs itself in the pinned venv of
``reference/env.sh``), stepped through its own ``advance_state`` and
``reset`` processes (``MethodProcess``), as the golden files were. The
output is an ``.npz`` in the format of the shared golden README ("Format"):
``n_units``, ``batch_size``, the hyperparameters, ``thr0`` (the initial
threshold ngclearn drew), ``t``, ``reset``, ``j`` and the state after each
step (``v``, ``s``, ``thr``, ``rfr``, ``tols``), and ``meta`` (UTF-8 JSON).

Inputs, like the shared ``ties/`` files: each step, every row gets a
cluster of ``--cluster`` units at voltages within about ``--spread`` of
each other (around 0), placed at random; the other units sit ``--far-min``
to ``--far-max`` below (by default 10 + ln N to 15 more, at least 11) (their small exps still move the row sum's last
bits). Unless given, ``thr_base`` is the cluster's typical probability
(the median over all the steps' inputs, from the jitted softmax) and ``thr_jitter`` is
``--jitter-rel`` times it, so that the thresholds ngclearn draws fall
inside the cluster's spread of probabilities and about half the cluster
spikes each step, decided by the last bits of exp, of the row sum and of
the reciprocal. ``--thr-gain`` defaults to 0 (thresholds stay put) and
``--refract-time`` to 0 (every unit is free every step).

Examples::

    python3 reference/record_ties.py --n-units 500 --batch 2 --steps 20 \\
        --cluster 8 --out ties_n500.npz
    python3 reference/record_ties.py --n-units 8192 --batch 1 --steps 6 --seed 3 \\
        --out ties_n8192.npz          # batch*n >= 4096: the YNNPACK path

The summary printed at the end gives the spikes per step and the share of
steps where the cluster split (some but not all of it spiked).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import _refenv  # noqa: E402

_refenv.ensure()


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="See the module docstring (python3 -m pydoc reference/record_ties.py) "
               "for how inputs and thresholds are drawn.")
    ap.add_argument("--n-units", type=int, required=True, help="population size N")
    ap.add_argument("--batch", type=int, default=2, help="batch size B (default 2)")
    ap.add_argument("--steps", type=int, default=20, help="steps S (default 20)")
    ap.add_argument("--cluster", type=int, default=8,
                    help="units per row in the near-tie cluster (default 8; capped at N)")
    ap.add_argument("--spread", type=float, default=1e-6,
                    help="voltage spread of the cluster (default 1e-6)")
    ap.add_argument("--far-min", type=float, default=None,
                    help="the other units sit at least this far below "
                         "(default max(11, 10 + round(ln N)), as in the shared ties files)")
    ap.add_argument("--far-max", type=float, default=None,
                    help="... and at most this far below (default far-min + 15)")
    ap.add_argument("--leader-gap", type=float, default=0.0,
                    help="if > 0, one more unit per row sits this far above the cluster, "
                         "so that the cluster's exps are taken at about -gap, where exp's "
                         "last bits (fma or not) matter; at 0 (default, as in the shared "
                         "ties files) the cluster holds the row's max and its exps are "
                         "about 1 + d")
    ap.add_argument("--thr-base", type=float, default=None,
                    help="default: the cluster's typical probability")
    ap.add_argument("--thr-jitter", type=float, default=None,
                    help="default: --jitter-rel * thr_base")
    ap.add_argument("--jitter-rel", type=float, default=5e-7,
                    help="thr_jitter relative to thr_base when not given (default 5e-7)")
    ap.add_argument("--thr-gain", type=float, default=0.0)
    ap.add_argument("--refract-time", type=float, default=0.0)
    ap.add_argument("--resist-m", type=float, default=1.0)
    ap.add_argument("--tau-m", type=float, default=1.0,
                    help="stored by the cell, unused by its dynamics (default 1)")
    ap.add_argument("--dt", type=float, default=1.0)
    ap.add_argument("--t0", type=float, default=0.0, help="t of step 0; t advances by dt")
    ap.add_argument("--reset-every", type=int, default=0,
                    help="call reset() before every k-th step (k > 0; step 0 excluded)")
    ap.add_argument("--seed", type=int, default=0,
                    help="seeds the inputs and ngclearn's PRNG key (thr0)")
    ap.add_argument("--case", default=None, help="name in meta (default: from --out)")
    ap.add_argument("--note", default=None, help="note in meta")
    ap.add_argument("--out", required=True, help="output .npz path")
    args = ap.parse_args()

    import jax
    import jax.numpy as jnp
    import numpy as np
    from ngclearn import Context, MethodProcess
    from ngclearn.components.neurons.spiking.WTASCell import WTASCell
    from ngclearn.utils.model_utils import softmax

    n, b, steps = args.n_units, args.batch, args.steps
    if n < 1 or b < 1 or steps < 1:
        ap.error("--n-units, --batch and --steps must be positive")
    c = max(1, min(args.cluster, n))
    if args.far_min is None:
        args.far_min = float(max(11, 10 + round(np.log(n))))
    if args.far_max is None:
        args.far_max = args.far_min + 15.0
    rng = np.random.default_rng(args.seed)
    f32 = np.float32

    def draw() -> np.ndarray:
        far = -rng.uniform(args.far_min, args.far_max, (b, n))
        close = rng.uniform(-0.5, 0.5, (b, n)) * args.spread
        order = np.argsort(rng.random((b, n)), axis=1)
        member = order < c
        x = np.where(member, close, far)
        if args.leader_gap > 0 and n > c:
            x = np.where(order == c, args.leader_gap, x)
        return x.astype(f32)

    def drive(j: np.ndarray) -> np.ndarray:
        # the current that gives voltages j (v = j * resist_m)
        return (j / f32(args.resist_m)).astype(f32) if args.resist_m not in (0.0, 1.0) else j

    js = [drive(draw()) for _ in range(steps)]
    thr_base = args.thr_base
    if thr_base is None:
        # the median cluster probability over all the steps' inputs
        sm = jax.jit(softmax)
        lead = 1 if args.leader_gap > 0 and n > c else 0
        top = [np.sort(np.asarray(sm((j * f32(args.resist_m)).astype(f32))), axis=1)
               [:, n - c - lead:n - lead] for j in js]
        thr_base = float(np.median(np.concatenate(top)))
    thr_jitter = args.thr_jitter if args.thr_jitter is not None else args.jitter_rel * thr_base

    with Context("record_ties"):
        cell = WTASCell("z", n_units=n, tau_m=args.tau_m, resist_m=args.resist_m,
                        thr_base=thr_base, thr_gain=args.thr_gain,
                        refract_time=args.refract_time, thr_jitter=thr_jitter,
                        batch_size=b, key=jax.random.PRNGKey(args.seed))
        advance = MethodProcess("advance") >> cell.advance_state
        reset = MethodProcess("reset") >> cell.reset
    thr0 = np.asarray(cell.thr.get(), dtype=f32).reshape(1, n)
    reset.run()

    rec = {k: np.zeros((steps, b, n), f32) for k in ("j", "v", "s", "thr", "rfr", "tols")}
    t = np.zeros(steps, f32)
    resets = np.zeros(steps, bool)
    for k in range(steps):
        if args.reset_every > 0 and k > 0 and k % args.reset_every == 0:
            reset.run()
            resets[k] = True
        t[k] = f32(args.t0 + k * args.dt)
        cell.j.set(jnp.asarray(js[k]))
        advance.run(t=float(t[k]), dt=args.dt)
        rec["j"][k] = js[k]
        for name in ("v", "s", "thr", "rfr", "tols"):
            rec[name][k] = np.broadcast_to(np.asarray(getattr(cell, name).get(), f32), (b, n))

    out = Path(args.out)
    case = args.case or out.stem
    import importlib.metadata as m
    meta = {
        "case": case,
        "ngclearn": m.version("ngclearn"),
        "jax": m.version("jax"),
        "kind": "tie",
        "note": args.note or (f"near ties: {c} winners within {args.spread:g} of each other, "
                              "thr inside their spread"),
        "recorder": "reference/record_ties.py",
        "args": {k: v for k, v in vars(args).items() if k not in ("out",)},
        "path": "YNNPACK" if b * n >= 4096 else "XLA",
    }
    np.savez(
        out,
        n_units=np.int64(n), batch_size=np.int64(b),
        resist_m=np.float64(args.resist_m), thr_base=np.float64(thr_base),
        thr_gain=np.float64(args.thr_gain), refract_time=np.float64(args.refract_time),
        thr_jitter=np.float64(thr_jitter), dt=np.float64(args.dt),
        thr0=thr0, t=t, reset=resets,
        j=rec["j"], v=rec["v"], s=rec["s"], thr=rec["thr"], rfr=rec["rfr"], tols=rec["tols"],
        meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8),
    )
    spikes = rec["s"].sum(axis=2)  # (S, B)
    if args.leader_gap > 0 and n > c:
        spikes = spikes - 1  # the leader always spikes
    split = ((spikes > 0) & (spikes < c)).mean()
    print(f"wrote {out}: N={n} B={b} S={steps} cluster={c} thr_base={thr_base:.9g} "
          f"thr_jitter={thr_jitter:.3g} ({meta['path']} path); "
          f"spikes per row-step {spikes.mean():.2f} of {c}, cluster split in {split:.0%} of row-steps")
    return 0


if __name__ == "__main__":
    sys.exit(main())
