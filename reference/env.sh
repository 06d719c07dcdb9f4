#!/usr/bin/env bash
# Creates (or reuses) the pinned reference environment: ngclearn's WTASCell
# on jax/jaxlib 0.10.2, CPU, the versions that recorded the golden files and
# whose compiled arithmetic reference/ARITHMETIC.md describes.
#
#   reference/env.sh [VENV_DIR]      # prints the venv's python on stdout
#
# VENV_DIR defaults to $WTAS_REF_VENV, else ~/.cache/wtas-ref-venv (outside the
# repository). Needs Python 3.11 (python3.11, or $WTAS_REF_PYTHON, or python3).
# The pins are the same as benches/compare_ngclearn.py's (keep them in step):
# ngclearn 3.2.3 declares numpy>=2.5.2, jaxlib>=0.11.1 and scipy>=1.18.1,
# which Python 3.11 cannot get, so ngclearn/ngcsimlib go in with --no-deps
# next to their runtime imports pinned here.
set -euo pipefail

VENV="${1:-${WTAS_REF_VENV:-$HOME/.cache/wtas-ref-venv}}"

RUNTIME_PINS=(
  "jax[cpu]==0.10.2"
  "jaxlib==0.10.2"
  "numpy==2.4.6"
  "scipy==1.17.1"
  "ml_dtypes==0.6.0"
  "opt_einsum==3.4.0"
  "typing_extensions==4.16.0"
  "matplotlib==3.11.2"   # ngclearn.components imports matplotlib.pyplot
)
NGC_PINS=("ngclearn==3.2.3" "ngcsimlib==3.1.1")

CHECK='
import sys, importlib.metadata as m
want = {"jax": "0.10.2", "jaxlib": "0.10.2", "ngclearn": "3.2.3",
        "ngcsimlib": "3.1.1", "numpy": "2.4.6"}
bad = {k: m.version(k) for k in want if m.version(k) != want[k]}
import jax, numpy, ngcsimlib, ngclearn
from ngclearn.components.neurons.spiking.WTASCell import WTASCell
sys.exit(1 if bad else 0)
'

py="$VENV/bin/python"
if [ -x "$py" ] && (cd / && "$py" -c "$CHECK") >/dev/null 2>&1; then
  echo "$py"
  exit 0
fi

base="${WTAS_REF_PYTHON:-}"
if [ -z "$base" ]; then
  if command -v python3.11 >/dev/null 2>&1; then base=python3.11; else base=python3; fi
fi
ver="$("$base" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
if [ "$ver" != "3.11" ]; then
  echo "note: building the reference venv with Python $ver; the pins were chosen for 3.11" >&2
fi
if [ ! -x "$py" ]; then
  echo "creating $VENV with $base" >&2
  mkdir -p "$(dirname "$VENV")"
  "$base" -m venv "$VENV" >&2
fi
pip=("$py" -m pip install --disable-pip-version-check -q)
echo "installing ${RUNTIME_PINS[*]}" >&2
"${pip[@]}" "${RUNTIME_PINS[@]}" >&2
# pip reports the declared-but-unmet ngclearn requirements as a conflict:
# expected, see above.
echo "installing ${NGC_PINS[*]} --no-deps" >&2
"${pip[@]}" --no-deps "${NGC_PINS[@]}" >&2
if ! (cd / && "$py" -c "$CHECK") >&2; then
  echo "the venv in $VENV does not import the pinned versions; see above" >&2
  exit 1
fi
echo "$py"
