#!/usr/bin/env python3
"""Records a trajectory of ngclearn 3.2.3's own components wired as the
ngc-museum ``evstdp_patches`` exhibit wires them, for the Rust replay in
``evstdp/tests/fidelity.rs``.

Run once, from the repository root, in the venv that
``benches/compare_ngclearn.py --setup-only`` builds (ngclearn 3.2.3,
ngcsimlib 3.1.1, jax 0.10.2 on CPU):

    target/ngclearn-venv/bin/python evstdp/scripts/record_ngclearn.py

The circuit (as in the exhibit's ``snn.py``): ``BernoulliCell z0`` ->
``ExpKernel k0`` (tau_w 0.5, nu 4) -> ``EventSTDPSynapse W1`` (eta 0.0055,
lmbda 0.01, w_bound 1, presyn_win_len 3, weights U[0.025, 0.8)) ->
``WTASCell z1`` (tau_m 100, resist_m 1, thr_base 0.2, thr_gain 0.002,
refract_time 5, thr_jitter 0.055); ``W1.pre_tols`` reads ``z0.tols`` and
``W1.postSpike`` reads ``z1.s`` (``source >> target`` in ngcsimlib 3); dt = 3, T = 50 steps per pattern. One compiled
step runs ``W1.advance_state, z0.advance_state, k0.advance_state,
z1.advance_state, W1.evolve``, the exhibit's advance process followed by its
evolve process; before each pattern the reset process runs (z0, k0, z1, W1)
and the pattern is clamped on ``z0.inputs``.

The first PATTERNS digits of ``evstdp/data/digits.bin`` (pixels / 16) are
presented in order. Recorded (``evstdp/tests/data/ngclearn_trajectory.npz``):

- ``x`` (P, 64): the clamped probabilities; ``t`` (S,): time of each step;
- ``u`` (S, 64): the Bernoulli cell's uniform draws, recomputed from its key
  before each step exactly as ``random.bernoulli`` draws them, and checked
  here against the spikes it emitted (``u < x``);
- ``w0`` (64, H) initial weights, ``thr0`` (H,) the cell's initial thresholds;
- per step: ``z0_s``, ``z0_tols``, ``epsp``, ``j``, ``v``, ``s``, ``thr``,
  ``rfr``, ``tols`` and ``w_fnv`` (u64): FNV-1a over the weights' 32-bit
  patterns after the step's evolve (row-major, ``h = (h ^ word) * prime``,
  64-bit offset basis and prime); ``w_end`` (P, 64, H): the weights in full
  after each pattern's last step.

Draws that cannot change a spike are stored as 0.5 to keep the file small:
where a pixel's probability is 0 (``u < 0`` never holds) or 1 (``u < 1``
always holds), and only there; every other draw is JAX's own value. The
Bernoulli spikes ``z0_s`` are recorded too, so the replay checks that the
stored draws reproduce them.
"""

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent.parent
OUT = ROOT / "evstdp" / "tests" / "data" / "ngclearn_trajectory.npz"
PATTERNS = 24
T = 50
DT = 3.0
IN, HID = 64, 16


def build(in_dim, hid_dim, seed, name="evstdp"):
    from jax import random
    from ngclearn import Context, MethodProcess
    from ngclearn.components.input_encoders.bernoulliCell import BernoulliCell
    from ngclearn.components.other.expKernel import ExpKernel
    from ngclearn.components.synapses.hebbian.eventSTDPSynapse import EventSTDPSynapse
    from ngclearn.components.neurons.spiking.WTASCell import WTASCell
    from ngclearn.utils.distribution_generator import DistributionGenerator

    dkey = random.PRNGKey(seed)
    dkey, *subkeys = random.split(dkey, 10)
    with Context(name):
        z0 = BernoulliCell("z0", n_units=in_dim, key=subkeys[0])
        k0 = ExpKernel("k0", n_units=in_dim, tau_w=0.5, nu=4., dt=DT, key=subkeys[1])
        W1 = EventSTDPSynapse("W1", shape=(in_dim, hid_dim), eta=0.0055, lmbda=0.01, w_bound=1.,
                              presyn_win_len=3., weight_init=DistributionGenerator.uniform(0.025, 0.8),
                              g_conduct_factor=1., key=subkeys[2])
        z1 = WTASCell("z1", n_units=hid_dim, tau_m=100., resist_m=1., thr_base=0.2, thr_gain=0.002,
                      refract_time=5., thr_jitter=0.055, key=subkeys[3])
        z0.outputs >> k0.inputs
        k0.epsp >> W1.inputs
        W1.outputs >> z1.j
        z0.tols >> W1.pre_tols
        z1.s >> W1.postSpike
        step = (MethodProcess("step") >> W1.advance_state >> z0.advance_state >> k0.advance_state
                >> z1.advance_state >> W1.evolve)
        reset = MethodProcess("reset") >> z0.reset >> k0.reset >> z1.reset >> W1.reset
    return dict(z0=z0, k0=k0, W1=W1, z1=z1, step=step, reset=reset)


def fnv1a(w) -> int:
    h = 0xCBF29CE484222325
    for word in np.ascontiguousarray(w, np.float32).reshape(-1).view(np.uint32).tolist():
        h = ((h ^ word) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def load_digits():
    raw = np.fromfile(ROOT / "evstdp" / "data" / "digits.bin", dtype=np.uint8).reshape(-1, 65)
    return raw[:, :64].astype(np.float32) / np.float32(16.0), raw[:, 64].astype(np.int64)


def main() -> int:
    import jax
    from jax import random, numpy as jnp

    m = build(IN, HID, seed=1234)
    z0, k0, W1, z1, step, reset = (m[k] for k in ("z0", "k0", "W1", "z1", "step", "reset"))
    X, _ = load_digits()
    X = X[:PATTERNS]
    rec = {k: [] for k in ("t", "u", "z0_s", "z0_tols", "epsp", "j", "v", "s", "thr", "rfr", "tols", "w_fnv", "w_end")}
    w0 = np.asarray(W1.weights.get(), np.float32).copy()
    thr0 = np.asarray(z1.thr.get(), np.float32).reshape(-1).copy()
    for p in range(PATTERNS):
        reset.run()
        z0.inputs.set(jnp.asarray(X[p:p + 1]))
        for i in range(T):
            t = DT * i
            key = z0.key.get()
            _, sub = random.split(key, 2)
            u = np.asarray(random.uniform(sub, (1, IN), jnp.float32))
            step.run(t=t, dt=DT)
            s0 = np.asarray(z0.outputs.get())
            assert ((u < X[p:p + 1]).astype(np.float32) == s0).all(), "draws do not reproduce the spikes"
            rec["t"].append(np.float32(t))
            rec["u"].append(u[0])
            rec["z0_s"].append(s0[0])
            rec["z0_tols"].append(np.asarray(z0.tols.get())[0])
            rec["epsp"].append(np.asarray(k0.epsp.get())[0])
            rec["j"].append(np.asarray(z1.j.get())[0])
            for f in ("v", "s", "thr", "rfr", "tols"):
                rec[f].append(np.asarray(getattr(z1, f).get(), np.float32)[0])
            w = np.asarray(W1.weights.get(), np.float32)
            rec["w_fnv"].append(fnv1a(w))
        rec["w_end"].append(w.copy())
    out = {k: np.asarray(v, np.float32) for k, v in rec.items() if k != "w_fnv"}
    out["w_fnv"] = np.asarray(rec["w_fnv"], np.uint64)
    steps = np.asarray(rec["t"]).shape[0]
    p_step = np.repeat(X, T, axis=0)
    out["u"] = np.where((p_step > 0) & (p_step < 1), out["u"], np.float32(0.5)).astype(np.float32)
    assert ((out["u"] < p_step) == (out["z0_s"] > 0)).all() and out["u"].shape[0] == steps
    out.update(x=X, w0=w0, thr0=thr0, steps_per_pattern=np.int64(T), dt=np.float32(DT))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(OUT, **out)
    s = out["s"]
    print(f"{OUT.relative_to(ROOT)}: {s.shape[0]} steps, {int(s.sum())} post spikes, "
          f"{int(out['z0_s'].sum())} input spikes, {OUT.stat().st_size} bytes; jax {jax.__version__}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
