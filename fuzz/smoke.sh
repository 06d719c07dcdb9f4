#!/usr/bin/env bash
# CI smoke fuzzing: every cargo-fuzz target for FUZZ_SECONDS (default 30)
# seconds, starting from its checked-in seed corpus (seeds/<target>).
#
# The seeds are copied to a scratch directory, so the tree stays clean; a
# crashing input is kept in fuzz/artifacts/<target>/ (git-ignored) and the
# script exits non-zero after running every target.
#
# Long campaign (one target; add -jobs/-workers or -fork to use more cores):
#   cd fuzz && cargo +nightly fuzz run -O <target> corpus/<target> seeds/<target> \
#       -- -max_total_time=3600
set -euo pipefail
cd "$(dirname "$0")"

seconds="${FUZZ_SECONDS:-30}"
if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi

cargo +nightly fuzz build -O
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

failed=()
for target in $(cargo +nightly fuzz list); do
    corpus="$scratch/$target"
    mkdir -p "$corpus" "artifacts/$target"
    if [ -d "seeds/$target" ]; then
        cp seeds/"$target"/* "$corpus"/
    fi
    echo "=== fuzz target $target: ${seconds}s"
    if ! cargo +nightly fuzz run -O "$target" "$corpus" -- \
        -max_total_time="$seconds" \
        -artifact_prefix="artifacts/$target/" \
        -print_final_stats=1; then
        failed+=("$target")
    fi
done

if [ "${#failed[@]}" -ne 0 ]; then
    echo "fuzz targets failed: ${failed[*]} (inputs in fuzz/artifacts/)" >&2
    exit 1
fi
echo "all fuzz targets ran ${seconds}s without a crash"
