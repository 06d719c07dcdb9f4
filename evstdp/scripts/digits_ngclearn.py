#!/usr/bin/env python3
"""ngclearn 3.2.3's own evstdp model on the digits, with the Rust example's
protocol (``evstdp/examples/digits/protocol.rs``): 64 units, the first
1,200 images train for 3 epochs (learning on), then after each epoch a frozen
pass over the training images labels each unit with the class it wins most,
and the 597 held-out images are classified by a vote of their spikes.

Run from the repository root in the venv ``benches/compare_ngclearn.py
--setup-only`` builds, on one core:

    taskset -c 0 env XLA_FLAGS="--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1" \\
        target/ngclearn-venv/bin/python evstdp/scripts/digits_ngclearn.py

The circuit is ``record_ngclearn.build`` (the exhibit's wiring). Its fastest
path is used: the compiled reset and step bodies
(``MethodProcess.run.compiled``) inside one ``jax.jit`` function that, for a
whole epoch, ``lax.scan``s over the patterns (reset, clamp, ``lax.scan`` of
the 50 steps, spike counts). Writes ``evstdp/data/ngclearn_digits.txt``:
one line per epoch (``epoch E test ACC running ACC labelled N``) and the
jax version. The speed of one epoch is printed but not recorded: the
repeated, alternating measurement is ``speed_compare.py``'s, in
``evstdp/speed.md``.
"""

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from record_ngclearn import ROOT, build, load_digits  # noqa: E402

OUT = ROOT / "evstdp" / "data" / "ngclearn_digits.txt"
UNITS, TRAIN, EPOCHS, T, DT, CLASSES = 64, 1200, 3, 50, 3.0, 10


def winner(c):
    return int(np.argmax(c)) if c.max() > 0 else None


class Labels:
    def __init__(self):
        self.wins = np.zeros((UNITS, CLASSES), np.int64)

    def record(self, c, y):
        k = winner(c)
        if k is not None:
            self.wins[k, y] += 1

    def label(self, k):
        w = self.wins[k]
        return int(np.argmax(w)) if w.max() > 0 else None

    def classify(self, c):
        votes = np.zeros(CLASSES, np.int64)
        for k in range(UNITS):
            y = self.label(k)
            if y is not None:
                votes[y] += c[k]
        return int(np.argmax(votes)) if votes.max() > 0 else None


def epoch_fns(m, frozen):
    """Two jitted functions ``(state, xs) -> (state, spike counts per
    pattern)`` that present every row of ``xs`` as the exhibit does (reset,
    clamp, ``T`` steps), with and without ``W1.evolve``."""
    import jax
    from jax import numpy as jnp

    z0, z1 = m["z0"], m["z1"]
    learn_step = m["step"].run.compiled
    frozen_step = frozen.run.compiled
    reset = m["reset"].run.compiled
    order = m["step"].get_keywords()
    rows = jnp.asarray(np.stack([{"t": DT * np.arange(T), "dt": np.full(T, DT)}[k] for k in order],
                                axis=1).astype(np.float32))
    kin, ks = z0.inputs.root, z1.s.root

    def epoch_fn(step):
        def present(state, x):
            state, _ = reset(state, [])
            state = {**state, kin: x[None, :]}

            def body(st, kw):
                st, _ = step(st, kw)
                return st, st[ks][0]
            state, s = jax.lax.scan(body, state, rows)
            return state, s.sum(0)

        @jax.jit
        def run(state, xs):
            return jax.lax.scan(present, state, xs)
        return run

    return epoch_fn(learn_step), epoch_fn(frozen_step)


def build_frozen(m, name):
    from ngclearn import Context, MethodProcess
    with Context(name):
        return (MethodProcess("frozen") >> m["W1"].advance_state >> m["z0"].advance_state
                >> m["k0"].advance_state >> m["z1"].advance_state)


def main() -> int:
    import jax
    from jax import numpy as jnp
    from ngcsimlib._src.global_state.manager import global_state_manager as gsm

    X, Y = load_digits()
    m = build(64, UNITS, seed=2018, name="digits")
    # The frozen step: the same advance order without W1.evolve.
    frozen = build_frozen(m, "digits")
    learn, evaluate = epoch_fns(m, frozen)
    Xtr, Ytr = jnp.asarray(X[:TRAIN]), Y[:TRAIN]
    Xte, Yte = jnp.asarray(X[TRAIN:]), Y[TRAIN:]
    state = gsm.state
    online = Labels()
    lines, times = [], []
    for epoch in range(1, EPOCHS + 1):
        t0 = time.perf_counter()
        state, counts = learn(state, Xtr)
        counts = np.asarray(jax.block_until_ready(counts))
        times.append(time.perf_counter() - t0)
        right = 0
        for c, y in zip(counts, Ytr):
            k = winner(c)
            right += int(k is not None and online.label(k) == y)
            online.record(c, y)
        state, ctr = evaluate(state, Xtr)
        labels = Labels()
        for c, y in zip(np.asarray(ctr), Ytr):
            labels.record(c, y)
        state, cte = evaluate(state, Xte)
        acc = 100.0 * np.mean([labels.classify(c) == y for c, y in zip(np.asarray(cte), Yte)])
        labelled = sum(labels.label(k) is not None for k in range(UNITS))
        line = f"epoch {epoch} test {acc:.1f} running {100.0 * right / TRAIN:.1f} labelled {labelled}"
        print(line, flush=True)
        lines.append(line)
    # Epoch 1 includes compilation. One epoch is one sample on a machine
    # that may be shared: printed, not recorded (evstdp/speed.md has the
    # repeated, alternating measurement).
    lines.append(f"jax {jax.__version__}")
    OUT.write_text("\n".join(lines) + "\n")
    print(f"fastest later epoch {TRAIN / min(times[1:]):.1f} training patterns/s (one sample; "
          f"see evstdp/speed.md); wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
