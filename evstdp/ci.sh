#!/usr/bin/env bash
# The evstdp crate's checks: lint (with and without the plot feature), docs,
# the ngclearn replays (bit for bit, every committed trajectory),
# the short digits training with its accuracy floor, and the Cortex-M4F
# learner under QEMU (its weight digest must equal the host's).
# Needs rustup's stable toolchain; the firmware part installs its own
# Debian packages (see evstdp/firmware/run-qemu.sh). Works from any directory.
set -euo pipefail
cd "$(dirname "$0")/.."
START=$(date +%s)
cargo clippy -p wtas-evstdp --all-targets -- -D warnings
# The digits example's figures (plotters) behind the `plot` feature.
cargo clippy -p wtas-evstdp --all-targets --features plot -- -D warnings
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps -p wtas-evstdp
cargo test -p wtas-evstdp -- --nocapture
if [ -x evstdp/firmware/run-qemu.sh ]; then
  bash evstdp/firmware/run-qemu.sh
fi
echo "evstdp: all checks passed in $(( $(date +%s) - START )) s"
