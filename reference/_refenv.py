"""Re-runs the calling script inside the pinned reference venv.

Each script in reference/ calls ``ensure()`` before importing jax: if the
running interpreter is not one with jax/jaxlib 0.10.2, ngclearn 3.2.3 and
ngcsimlib 3.1.1, it runs ``reference/env.sh`` (which creates or reuses the
venv; ``$WTAS_REF_VENV`` chooses where) and re-executes the script with the
venv's python, same arguments.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PINS = {"jax": "0.10.2", "jaxlib": "0.10.2", "ngclearn": "3.2.3", "ngcsimlib": "3.1.1"}


def _have_pins() -> bool:
    try:
        import importlib.metadata as m
        return all(m.version(k) == v for k, v in PINS.items())
    except Exception:
        return False


def ensure() -> None:
    if _have_pins():
        return
    if os.environ.get("WTAS_REF_REEXEC"):
        sys.exit("reference venv: still missing the pinned packages after env.sh")
    r = subprocess.run(["bash", str(HERE / "env.sh")], stdout=subprocess.PIPE, text=True)
    if r.returncode != 0:
        sys.exit(f"reference/env.sh failed (exit {r.returncode})")
    py = r.stdout.strip().splitlines()[-1]
    env = dict(os.environ, WTAS_REF_REEXEC="1")
    os.execve(py, [py, sys.argv[0], *sys.argv[1:]], env)


def versions() -> str:
    import importlib.metadata as m
    return ", ".join(f"{k} {m.version(k)}" for k in PINS)
