#!/usr/bin/env bash
# wtas on WebAssembly with simd128, under Node.
#
# 1. Installs what is missing: Debian's second Rust (rustc-web, cargo-web,
#    rust-web-src, to build `core` for wasm32), `lld` (wasm-ld) and `wabt`
#    (wasm-objdump). Node comes with the machine.
# 2. The host's firmware-scenario digest (`wtas-host-digest`).
# 3. Builds this harness (a no_std cdylib over the core-only library,
#    `default-features = false`) for wasm32-unknown-unknown with
#    `-C target-feature=+simd128`.
# 4. Checks that the step kernel (`loops::step_row::<f32x8>`, the portable
#    backend's step, which `Backend::step_row` calls through its table) is
#    simd128 code:
#    f32x4 add, sub, mul and compares (no div: one reciprocal per row;
#    simd128 has no fused multiply-add, so exp's are computed lane by lane
#    in software), v128 selects, i32x4 shift and add.
# 5. `run.mjs` under Node: the scenario's digest on every backend equals
#    the host's, and every golden trajectory replays bit-exactly on every
#    backend.
# Exits non-zero on any failure. Works from any directory.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/../toolchain.sh"
die() { echo "wasm: $*" >&2; exit 1; }
TARGET=wasm32-unknown-unknown

# 1. Tools.
command -v node >/dev/null || die "node is required (preinstalled on CI machines)"
wtas_apt rust-web wasm-ld:lld wasm-objdump:wabt || die "cannot install the tools"

# 2. The host digest.
OUT="$HERE/target/logs"; mkdir -p "$OUT"
HOST=$(wtas_host_digest "$OUT/host.log") || die "no host digest"
echo "host: digest $HOST"

# 3. Build. Flags through the environment: nothing on disk changes other
# builds.
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=wasm-ld
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-C target-feature=+simd128"
( cd "$HERE" && debian_cargo build --release -Zbuild-std=core --target "$TARGET" ) >"$OUT/build.log" 2>&1 \
  || { tail -30 "$OUT/build.log"; die "wasm build failed"; }
WASM="$HERE/target/$TARGET/release/wtas_wasm.wasm"
echo "wasm: built $(stat -c %s "$WASM") bytes"

# 4. simd128 in the step kernel.
wasm-objdump -d "$WASM" >"$OUT/wtas_wasm.dis"
awk '/^[0-9a-f]+ func\[[0-9]+\] <.*>:$/ {keep = ($0 ~ /5loops8step_row.*f32x8/)} keep' \
  "$OUT/wtas_wasm.dis" >"$OUT/step_row.dis"
[ -s "$OUT/step_row.dis" ] || die "no loops::step_row::<f32x8> function in the module"
fail=0
for op in f32x4.add f32x4.sub f32x4.mul 'f32x4.(gt|ge)' v128.bitselect i32x4.shl i32x4.add; do
  n=$(grep -cE "$op\$" "$OUT/step_row.dis" || true)
  printf 'wasm: step kernel %-16s %5d\n' "$op" "$n"
  [ "$n" -gt 0 ] || fail=1
done
[ "$fail" -eq 0 ] || die "the step kernel lacks simd128 instructions (see $OUT/step_row.dis)"

# 5. Digest and golden replay under Node.
node "$HERE/run.mjs" "$WASM" "$HOST" "$WTAS_ROOT"/tests/golden/*.npz "$WTAS_ROOT"/tests/golden/edges/*.npz \
  "$WTAS_ROOT"/tests/golden/ties/*.npz || die "Node harness failed"

echo "wasm: $SECONDS s"
echo "wasm: all OK"
