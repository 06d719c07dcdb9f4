#!/usr/bin/env bash
# The test suite on aarch64 (NEON), under qemu-aarch64 user mode.
#
# 1. Installs what is missing: Debian's second Rust (rustc-web, cargo-web,
#    rust-web-src: it builds the standard library from source for targets
#    rustup cannot download here), the aarch64 cross GCC and C library,
#    binutils, and qemu-user.
# 2. The host's firmware-scenario digest (`wtas-host-digest`).
# 3. `cargo test --release` for aarch64-unknown-linux-gnu, every test target
#    and the doc tests, run under qemu-aarch64 (golden replay on every
#    backend, differential tests against the specification, exp sweeps,
#    the firmware digest, invariants, errors).
# 4. The aarch64 firmware-scenario digest must equal the host's.
# 5. The step kernel's disassembly must use NEON vector arithmetic on
#    `v` registers (fadd/fmul/fsub/fmla/fcmgt/fcmge on .4s, bsl/bit/bif:
#    the fused multiply-adds of the reference's exp are NEON's fmla),
#    and the instructions of its hottest loops are counted.
#
# The linker and runner are given through environment variables, so host
# builds are unaffected. Exits non-zero on any failure. Works from any
# directory.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/../toolchain.sh"
ROOT=$WTAS_ROOT
die() { echo "aarch64: $*" >&2; exit 1; }
TARGET=aarch64-unknown-linux-gnu
SYSROOT=/usr/aarch64-linux-gnu

# 1. Tools.
wtas_apt rust-web /usr/lib/rustlib/src/rust/library/std:rust-web-src \
  aarch64-linux-gnu-gcc:gcc-aarch64-linux-gnu "$SYSROOT/lib/libc.so.6:libc6-dev-arm64-cross" \
  aarch64-linux-gnu-objdump:binutils-aarch64-linux-gnu qemu-aarch64:qemu-user || die "cannot install the tools"

# 2. The host digest.
OUT="$ROOT/target/aarch64/logs"; mkdir -p "$OUT"
HOST=$(wtas_host_digest "$OUT/host.log") || die "no host digest"
echo "host: digest $HOST"

# 3. The suite under qemu-aarch64. Debian's rustc builds std for aarch64
# (-Zbuild-std); its own rustdoc compiles the doc tests against that std,
# and cargo runs them through the runner too.
export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc
export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER="qemu-aarch64 -L $SYSROOT"
cross() { # cargo subcommand and arguments, for aarch64 in release mode
  local sub=$1; shift
  ( cd "$ROOT" && debian_cargo "$sub" --release -Zbuild-std=std,panic_unwind --target "$TARGET" \
      --target-dir "$ROOT/target/aarch64" -p wtas "$@" )
}
if ! cross test >"$OUT/test.log" 2>&1; then
  grep -E '^test .*FAILED|panicked|MISMATCH|mismatch|error' "$OUT/test.log" | head -40
  tail -40 "$OUT/test.log"
  die "cargo test under qemu-aarch64 failed"
fi
grep -E '^golden:|^test result:|Doc-tests' "$OUT/test.log"
passed=$(awk '/^test result: ok\./{s+=$4} END{print s+0}' "$OUT/test.log")
echo "aarch64: $passed tests passed under qemu-aarch64"
# Guards against a silently empty run: the golden replay's summary, the
# differential tests' report and the doc tests must all be there.
grep -q '^golden: .* all bit-exact' "$OUT/test.log" || die "golden replay did not report"
grep -q '^test report_backends ... ok' "$OUT/test.log" || die "differential tests did not run"
grep -q 'Doc-tests wtas' "$OUT/test.log" || die "doc tests did not run"
[ "$passed" -ge 30 ] || die "only $passed tests passed"

# 4. The digest on aarch64 (the binary is built; this only runs it).
cross test --test firmware_digest -- --nocapture >"$OUT/digest.log" 2>&1 \
  || { tail -30 "$OUT/digest.log"; die "firmware_digest under qemu-aarch64 failed"; }
A64=$(awk '/^wtas-host-digest /{print $2}' "$OUT/digest.log")
if [ "$A64" != "$HOST" ]; then die "aarch64 digest ${A64:-<none>} differs from the host's $HOST"; fi
echo "aarch64: firmware-scenario digest $A64 equals the host's (default backend and reference)"

# 5. NEON in the step kernel: the eight-lane loops' step instantiated on
# `wide::f32x8` (the portable backend's table entry; two NEON q registers).
BIN=$(ls -t "$ROOT/target/aarch64/$TARGET/release/deps/"firmware_digest-* | grep -v '\.d$' | head -1)
aarch64-linux-gnu-objdump -d --no-show-raw-insn "$BIN" >"$OUT/firmware_digest.dis"
awk '/^[0-9a-f]+ <.*>:$/ {keep = ($0 ~ /5loops8step_row.*f32x8/)} keep' \
  "$OUT/firmware_digest.dis" >"$OUT/step_row.dis"
[ -s "$OUT/step_row.dis" ] || die "no loops::step_row::<f32x8> in the disassembly of $BIN"
fail=0
for op in 'fadd\tv[0-9]+\.4s' 'fsub\tv[0-9]+\.4s' 'fmul\tv[0-9]+\.4s' 'fmla\tv[0-9]+\.4s' \
          'fcm(gt|ge|lt|le)\tv[0-9]+\.4s' 'fcmeq\tv[0-9]+\.4s' '(bsl|bit|bif)\tv[0-9]+\.16b' \
          '\tshl\tv[0-9]+\.4s' '\tadd\tv[0-9]+\.4s'; do
  n=$(grep -cP "$op" "$OUT/step_row.dis" || true)
  printf 'aarch64: step kernel %-28s %5d\n' "$op" "$n"
  [ "$n" -gt 0 ] || fail=1
done
[ "$fail" -eq 0 ] || die "the step kernel lacks NEON vector instructions (see $OUT/step_row.dis)"
echo "aarch64: loops of the step kernel (static instruction counts per iteration):"
python3 "$HERE/count_loops.py" "$OUT/step_row.dis" || die "loop count failed"

echo "aarch64: $SECONDS s"
echo "aarch64: all OK"
