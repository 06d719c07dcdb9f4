#!/usr/bin/env bash
# CI smoke fuzzing: every cargo-fuzz target for FUZZ_SECONDS (default 30)
# seconds, starting from its checked-in seed corpus (seeds/<target>).
#
# The seeds are copied to a scratch directory, so the tree stays clean; a
# crashing input is kept in fuzz/artifacts/<target>/ (git-ignored) and the
# script exits non-zero after running every target.
#
# Long campaign, one target (new inputs go to corpus/<target>, git-ignored;
# -fork=N uses N cores and -ignore_crashes=1 keeps going after a crash):
#   cd fuzz && cargo +nightly fuzz run -O <target> corpus/<target> seeds/<target> \
#       -- -dict=f32.dict -max_total_time=3600 -fork=1 -ignore_crashes=1
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
        -artifact_prefix="$PWD/artifacts/$target/" \
        -dict="$PWD/f32.dict" \
        -print_final_stats=1; then
        failed+=("$target")
    fi
done

if [ "${#failed[@]}" -ne 0 ]; then
    echo "fuzz targets failed: ${failed[*]} (inputs in fuzz/artifacts/)" >&2
    exit 1
fi
echo "all fuzz targets ran ${seconds}s without a crash"
