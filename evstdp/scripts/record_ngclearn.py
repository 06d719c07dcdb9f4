#!/usr/bin/env python3
"""Records a trajectory of ngclearn 3.2.3's own components wired as the
ngc-museum ``evstdp_patches`` exhibit wires them, for the Rust replay in
``evstdp/tests/fidelity.rs``, at any setting a user can pass.

From the repository root, in the venv that
``benches/compare_ngclearn.py --setup-only`` builds (ngclearn 3.2.3,
ngcsimlib 3.1.1, jax 0.10.2 and jaxlib 0.10.2 on CPU):

    target/ngclearn-venv/bin/python evstdp/scripts/record_ngclearn.py            # the exhibit's settings
    target/ngclearn-venv/bin/python evstdp/scripts/record_ngclearn.py --dt 1 --tau-w 0.7 --out /tmp/a.npz
    target/ngclearn-venv/bin/python evstdp/scripts/record_ngclearn.py --help    # every option

then ``WTAS_EVSTDP_DIR=<directory of the .npz files> cargo test -p
wtas-evstdp --test fidelity`` replays every file in that directory.
``--all`` rewrites the committed set in ``evstdp/tests/data/`` (the
settings are listed in ``COMMITTED`` below).

The circuit (as in the exhibit's ``snn.py``): ``BernoulliCell z0`` ->
``ExpKernel k0`` (tau_w, nu, dt) -> ``EventSTDPSynapse W1`` (eta, lmbda,
w_bound, presyn_win_len, weights U[0.025, 0.8)) -> ``WTASCell z1`` (tau_m,
resist_m, thr_base, thr_gain, refract_time, thr_jitter); ``W1.pre_tols``
reads ``z0.tols`` and ``W1.postSpike`` reads ``z1.s`` (``source >> target``
in ngcsimlib 3). One compiled step runs ``W1.advance_state,
z0.advance_state, k0.advance_state, z1.advance_state, W1.evolve``, the
exhibit's advance process followed by its evolve process, with ``t = dt *
i`` (a Python float, as the exhibit passes it) for step ``i`` of a pattern;
before each pattern the reset process runs (z0, k0, z1, W1) and the pattern
is clamped on ``z0.inputs``. The exhibit's defaults: dt 3, 50 steps per
pattern, tau_w 0.5, nu 4, eta 0.0055, lmbda 0.01, presyn_win_len 3,
w_bound 1, tau_m 100, resist_m 1, thr_base 0.2, thr_gain 0.002,
refract_time 5, thr_jitter 0.055, A+ = A- = 1 (and g_conduct_factor 1, as
the exhibit has it).

Patterns (``--images``): ``digits`` takes the images of
``evstdp/data/digits.bin`` from ``--first`` on (pixels / 16); with a square
number of inputs other than 64 each 8x8 image is resampled to that grid by
nearest neighbour (100 inputs: the exhibit's 10x10 patches), otherwise its
pixels repeat cyclically. ``random`` draws each probability uniformly from
[0, 1) with numpy's generator of ``--seed``, a third of them set to 0.

Recorded (``.npz``):

- ``x`` (P, I): the clamped probabilities; ``t`` (S,): time of each step;
- ``u`` (S, I): the Bernoulli cell's uniform draws, recomputed from its key
  before each step exactly as ``random.bernoulli`` draws them, and checked
  here against the spikes it emitted (``u < x``);
- ``w0`` (I, H) initial weights, ``thr0`` (H,) the cell's initial thresholds;
- per step: ``z0_s``, ``z0_tols``, ``epsp``, ``j``, ``v``, ``s``, ``thr``,
  ``rfr``, ``tols`` (with ``--digests``: instead of each of these, its
  FNV-1a digest per step, ``<field>_fnv``, to keep large layers small) and
  ``w_fnv`` (u64): FNV-1a over the weights' 32-bit patterns after the step's
  evolve (row-major, ``h = (h ^ word) * prime``, 64-bit offset basis and
  prime); ``w_end`` (P, I, H): the weights in full after each pattern's last
  step (not with ``--digests``, where the per-step digests stand for it);
- ``steps_per_pattern`` (int64), ``dt`` (float64, the value passed);
- ``hp_tau_w``, ``hp_nu``, ``hp_eta``, ``hp_lmbda``,
  ``hp_presyn_win_len``, ``hp_w_bound``, ``hp_tau_m``, ``hp_resist_m``,
  ``hp_thr_base``, ``hp_thr_gain``, ``hp_refract``, ``hp_thr_jitter``,
  ``hp_a_plus``, ``hp_a_minus``: float64 scalars, the Python floats given
  to the components;
- ``jax``, ``jaxlib``, ``ngclearn``: the versions that recorded it.

Draws that cannot change a spike are stored as 0.5 to keep the file small:
where a pixel's probability is 0 (``u < 0`` never holds) or 1 (``u < 1``
always holds), and only there; every other draw is JAX's own value. The
Bernoulli spikes ``z0_s`` are recorded too, so the replay checks that the
stored draws reproduce them.
"""

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent.parent
DATA = ROOT / "evstdp" / "tests" / "data"
OUT = DATA / "ngclearn_trajectory.npz"

# The exhibit's hyperparameters (evstdp_patches), by option name.
EXHIBIT = dict(dt=3.0, tau_w=0.5, nu=4.0, eta=0.0055, lmbda=0.01, presyn_win_len=3.0, w_bound=1.0,
               tau_m=100.0, resist_m=1.0, thr_base=0.2, thr_gain=0.002, refract=5.0, thr_jitter=0.055,
               a_plus=1.0, a_minus=1.0)
# The file's name of each hyperparameter (dt is stored as ``dt``).
HP = ("tau_w", "nu", "eta", "lmbda", "presyn_win_len", "w_bound", "tau_m", "resist_m", "thr_base",
      "thr_gain", "refract", "thr_jitter", "a_plus", "a_minus")
FIELDS = ("z0_s", "z0_tols", "epsp", "j", "v", "s", "thr", "rfr", "tols")

# The committed trajectories (``--all``): file name -> options. Each is
# small and sees one difference a replay could get wrong.
COMMITTED = {
    # The exhibit's settings on the 8x8 digits (every EPSP is 0 or 1).
    "ngclearn_trajectory.npz": "--patterns 24 --units 16",
    # dt 1: the kernel keeps 4 spike times, EPSPs are sums of exp(-k/0.5),
    # so epsp . W has inexact products (XLA fuses them into FMAs).
    "dt1.npz": "--dt 1 --patterns 8 --units 16 --seed 11",
    # Another tau_w and nu: EPSPs exp(-3/0.7), a 3-row window.
    "tau_w_nu.npz": "--tau-w 0.7 --nu 7 --patterns 8 --units 16 --seed 12",
    # 1 + lmbda rounds differently as f64 -> f32 than as f32 + f32
    # (0.0097: f32(1 + 0.0097) is 0x3f813dd9, f32(1) + f32(0.0097) is 0x3f813dda).
    "lmbda.npz": "--lmbda 0.0097 --patterns 8 --units 16 --seed 13",
    # The exhibit's real size: 10x10 patches, 100 inputs, 100 units.
    "exhibit_100x100.npz": "--inputs 100 --units 100 --patterns 4 --seed 14 --digests",
    # A layer of 400 units (on the 8x8 digits), with dt 1 so that the dot
    # product has inexact products at this shape too.
    "units400.npz": "--units 400 --dt 1 --patterns 2 --seed 15 --digests",
    # 33 units (n_hid % 8 == 1): XLA's dot kernel adds the last unit's first
    # 8 terms unfused (a multiply, an add, a select), dt 1 so they are
    # inexact.
    "units33.npz": "--inputs 100 --units 33 --dt 1 --patterns 2 --seed 18 --images random",
    # Layers of 1 and 2 units, where XLA compiles the dot otherwise: 1 unit
    # is a multiply and a sum, over 100 inputs in windows of 32 (padded 14
    # before, 14 after); with 2 units the gemv kernel adds unit 0's first 8
    # terms unfused. dt 1, so that the products are inexact.
    "units1.npz": "--inputs 100 --units 1 --dt 1 --patterns 2 --seed 21 --images random",
    "units2.npz": "--inputs 100 --units 2 --dt 1 --patterns 2 --seed 22 --images random",
    # XLA's CPU runtime flushes subnormals to zero. tau_w 0.011428: a spike
    # one step old gives exp(-87.5), subnormal, so 0 (the EPSP of an input
    # that spiked one step before and not since is 0).
    "ftz_exp.npz": "--tau-w 0.011428 --dt 1 --nu 3 --inputs 16 --units 4 --patterns 2 --seed 41 --images random",
    # tau_w 0.011494: exp(-87) is normal (1.6e-38), but its products with
    # weights below 0.7 are subnormal, so 0; with 4 inputs, steps where
    # only such terms reach a unit are common.
    "ftz_dot.npz": "--tau-w 0.011494 --dt 1 --nu 3 --inputs 4 --units 3 --patterns 3 --seed 42 --images random",
    # presyn_win_len 0: only a pre-synaptic spike at t itself potentiates.
    "presyn0.npz": "--presyn-win-len 0 --dt 1 --patterns 3 --units 12 --seed 17",
    # Everything off the exhibit at once, random patterns; dt 0.1 is not an
    # f32: t = dt * i rounds differently from f32(dt) * i at some steps, and
    # int(nu / dt) + 1 is 26 with the f64 dt, 25 with the f32 one; w_bound
    # 0.7 lies inside the initial weights' range, which the first update
    # clips; A- != 1, whose constant XLA folds with 1 + lmbda.
    "mixed.npz": ("--dt 0.1 --tau-w 1.3 --nu 2.5 --eta 0.02 --lmbda 0.37 --presyn-win-len 1.5 "
                  "--w-bound 0.7 --thr-base 0.15 --thr-gain 0.01 --refract 3 --thr-jitter 0.03 "
                  "--resist-m 1.7 --a-plus 1.9 --a-minus 0.35 --inputs 36 --units 36 --steps 40 --patterns 8 --images random --seed 16"),
}


def build(in_dim, hid_dim, seed, name="evstdp", hp=None):
    from jax import random
    from ngclearn import Context, MethodProcess
    from ngclearn.components.input_encoders.bernoulliCell import BernoulliCell
    from ngclearn.components.other.expKernel import ExpKernel
    from ngclearn.components.synapses.hebbian.eventSTDPSynapse import EventSTDPSynapse
    from ngclearn.components.neurons.spiking.WTASCell import WTASCell
    from ngclearn.utils.distribution_generator import DistributionGenerator

    h = dict(EXHIBIT, **(hp or {}))
    dkey = random.PRNGKey(seed)
    dkey, *subkeys = random.split(dkey, 10)
    with Context(name):
        z0 = BernoulliCell("z0", n_units=in_dim, key=subkeys[0])
        k0 = ExpKernel("k0", n_units=in_dim, tau_w=h["tau_w"], nu=h["nu"], dt=h["dt"], key=subkeys[1])
        W1 = EventSTDPSynapse("W1", shape=(in_dim, hid_dim), eta=h["eta"], lmbda=h["lmbda"],
                              A_plus=h["a_plus"], A_minus=h["a_minus"],
                              w_bound=h["w_bound"], presyn_win_len=h["presyn_win_len"],
                              weight_init=DistributionGenerator.uniform(0.025, 0.8),
                              g_conduct_factor=1., key=subkeys[2])
        z1 = WTASCell("z1", n_units=hid_dim, tau_m=h["tau_m"], resist_m=h["resist_m"],
                      thr_base=h["thr_base"], thr_gain=h["thr_gain"], refract_time=h["refract"],
                      thr_jitter=h["thr_jitter"], key=subkeys[3])
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


def patterns(kind, n_in, count, first, seed):
    if kind == "random":
        g = np.random.default_rng(seed)
        x = g.random((count, n_in)).astype(np.float32)
        x[g.random((count, n_in)) < 1 / 3] = 0.0
        return x
    X, _ = load_digits()
    X = X[first:first + count]
    if n_in == 64:
        return X
    side = int(round(n_in ** 0.5))
    if side * side == n_in:
        idx = (np.arange(side) * 8) // side
        return X.reshape(-1, 8, 8)[:, idx][:, :, idx].reshape(-1, n_in).copy()
    return X[:, np.arange(n_in) % 64].copy()


def record(a) -> Path:
    import jax
    import jaxlib  # noqa: F401
    import ngclearn  # noqa: F401
    from importlib.metadata import version
    from jax import random, numpy as jnp

    hp = {k: float(getattr(a, k)) for k in EXHIBIT}
    n_in, n_hid, T, dt = a.inputs, a.units, a.steps, hp["dt"]
    m = build(n_in, n_hid, seed=a.seed, name=f"rec{a.seed}", hp=hp)
    z0, k0, W1, z1, step, reset = (m[k] for k in ("z0", "k0", "W1", "z1", "step", "reset"))
    X = patterns(a.images, n_in, a.patterns, a.first, a.seed)
    assert X.shape == (a.patterns, n_in), f"only {X.shape[0]} images from {a.first}"
    rec = {k: [] for k in ("t", "u", "w_fnv", "w_end", *FIELDS)}
    post = 0
    w0 = np.asarray(W1.weights.get(), np.float32).copy()
    thr0 = np.asarray(z1.thr.get(), np.float32).reshape(-1).copy()
    for p in range(a.patterns):
        reset.run()
        z0.inputs.set(jnp.asarray(X[p:p + 1]))
        for i in range(T):
            t = dt * i
            key = z0.key.get()
            _, sub = random.split(key, 2)
            u = np.asarray(random.uniform(sub, (1, n_in), jnp.float32))
            step.run(t=t, dt=dt)
            s0 = np.asarray(z0.outputs.get())
            assert ((u < X[p:p + 1]).astype(np.float32) == s0).all(), "draws do not reproduce the spikes"
            rec["t"].append(np.float32(t))
            rec["u"].append(u[0])
            got = dict(z0_s=s0, z0_tols=z0.tols.get(), epsp=k0.epsp.get(), j=z1.j.get(), v=z1.v.get(),
                       s=z1.s.get(), thr=z1.thr.get(), rfr=z1.rfr.get(), tols=z1.tols.get())
            for f in FIELDS:
                v = np.asarray(got[f], np.float32).reshape(-1)
                post += int(v.sum()) if f == "s" else 0
                rec[f].append(fnv1a(v) if a.digests else v.copy())
            w = np.asarray(W1.weights.get(), np.float32)
            rec["w_fnv"].append(fnv1a(w))
        if not a.digests:
            rec["w_end"].append(w.copy())
    out = {k: np.asarray(rec[k], np.float32) for k in ("t", "u", "w_end") if rec[k]}
    for f in FIELDS:
        if a.digests:
            out[f + "_fnv"] = np.asarray(rec[f], np.uint64)
        else:
            out[f] = np.asarray(rec[f], np.float32)
    out["w_fnv"] = np.asarray(rec["w_fnv"], np.uint64)
    steps = out["t"].shape[0]
    p_step = np.repeat(X, T, axis=0)
    spikes = out["u"] < p_step
    out["u"] = np.where((p_step > 0) & (p_step < 1), out["u"], np.float32(0.5)).astype(np.float32)
    assert ((out["u"] < p_step) == spikes).all() and out["u"].shape[0] == steps
    out.update(x=X, w0=w0, thr0=thr0, steps_per_pattern=np.int64(T), dt=np.float64(dt))
    for k in HP:
        out["hp_" + k] = np.float64(hp[k])
    out.update(jax=np.str_(jax.__version__), jaxlib=np.str_(version("jaxlib")),
               ngclearn=np.str_(version("ngclearn")))
    path = Path(a.out)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **out)
    print(f"{path.name}: {steps} steps, {n_in} inputs, {n_hid} units, {post} post spikes, "
          f"{int(spikes.sum())} input spikes, {path.stat().st_size} bytes; jax {jax.__version__}",
          flush=True)
    return path


def parser():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--out", default=str(OUT), help="the .npz to write")
    p.add_argument("--seed", type=int, default=1234, help="jax key of the components; numpy seed of --images random")
    p.add_argument("--images", choices=("digits", "random"), default="digits")
    p.add_argument("--first", type=int, default=0, help="first digit image")
    p.add_argument("--patterns", type=int, default=24)
    p.add_argument("--steps", type=int, default=50, help="steps per pattern")
    p.add_argument("--inputs", type=int, default=64)
    p.add_argument("--units", type=int, default=16)
    for k, v in EXHIBIT.items():
        p.add_argument("--" + k.replace("_", "-"), type=float, default=v, dest=k)
    p.add_argument("--digests", action="store_true",
                   help="store each per-step field as its FNV-1a digest (for large layers)")
    p.add_argument("--all", action="store_true", help="rewrite every committed trajectory in evstdp/tests/data")
    p.add_argument("--only", nargs="*", default=[], help="with --all: only these file names")
    return p


def main() -> int:
    a = parser().parse_args()
    if a.all:
        for name, opts in COMMITTED.items():
            if a.only and name not in a.only:
                continue
            record(parser().parse_args(opts.split() + ["--out", str(DATA / name)]))
        return 0
    record(a)
    return 0


if __name__ == "__main__":
    sys.exit(main())
