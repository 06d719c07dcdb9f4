#!/usr/bin/env bash
# Builds the evstdp learner for Cortex-M4F, runs it under QEMU (-icount
# shift=0), checks that its final weight digest equals the host's
# (tests/firmware_digest.rs), and prints instructions per pattern, flash and
# RAM. Exits non-zero on any mismatch or failure. Works from any directory.
# WTAS_TOOLCHAIN=stable builds with rustup's stable and rust-lld instead of
# Debian's Rust and GNU ld (tests/toolchain.sh).
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
. "$ROOT/tests/toolchain.sh"
START=$(date +%s)
die() { echo "evstdp firmware: $*" >&2; exit 1; }

# 1. Tools (Debian packages; QEMU from backports, see .ci/apt-backports).
wtas_apt rust-web arm qemu-arm || die "cannot install the tools"

# 2. The host digest (default, scalar and compact backends agree).
HOST=$(wtas_host_digest "$HERE/target/host-test.log" wtas-evstdp evstdp-host-digest) || die "no host digest"
echo "host: digest $HOST"

# 3. The firmware.
target=thumbv7em-none-eabihf
xtarget_add $target || die "rustup target add $target failed"
TD="$HERE/target"; [ "$WTAS_TOOLCHAIN" = debian ] || TD="$HERE/target/$WTAS_TOOLCHAIN"
( cd "$HERE" && xcargo $target build -q --release --target-dir "$TD" ) \
  >"$HERE/target/build.log" 2>&1 || { tail -30 "$HERE/target/build.log"; die "firmware build failed"; }
ELF="$TD/$target/release/wtas-evstdp-firmware"
run_log="$HERE/target/run.log"
QEMU_TIMEOUT=${QEMU_TIMEOUT:-300} wtas_qemu $target "$ELF" >"$run_log" 2>&1 \
  || { cat "$run_log"; die "emulator failed or timed out"; }
field() { awk -v k="$1" '$1=="evstdp" && $2==k {print $3; exit}' "$run_log"; }
FW=$(field digest)
if [ "$FW" = "$HOST" ]; then
  echo "firmware $target: digest $FW matches host"
else
  cat "$run_log"; die "firmware digest ${FW:-<none>} DOES NOT MATCH host $HOST"
fi

# 4. Figures.
patterns=$(field patterns); ticks=$(field ticks-learn)
cal=$(awk '$1=="evstdp" && $2=="cal" {print $4/$3; exit}' "$run_log")
size() { arm-none-eabi-size -A "$ELF" | awk -v s="$1" '$1==s {print $2}'; }
text=$(size .text); rodata=$(size .rodata); vt=$(size .vector_table); bss=$(size .bss); data=$(size .data)
ipp=$(awk -v t="$ticks" -v c="$cal" -v p="$patterns" 'BEGIN{printf "%.0f", t*c/p}')
frozen=$(field frozen); tfz=$(field ticks-frozen)
ipf=$(awk -v t="$tfz" -v c="$cal" -v p="$frozen" 'BEGIN{printf "%.0f", t*c/p}')
echo "Cortex-M4F (opt-level s, QEMU mps2-an386, -icount shift=0): $patterns digits learnt from flash, 64 inputs, 64 units, 50 steps each"
echo "  instructions per pattern (learning on): $ipp  (per step: $(awk -v i="$ipp" 'BEGIN{printf "%.0f", i/50}'))"
echo "  instructions per pattern (learning off, $frozen patterns): $ipf  (per step: $(awk -v i="$ipf" 'BEGIN{printf "%.0f", i/50}'))"
echo "  flash: $((vt + text + rodata)) B = .text $text + .rodata $rodata (of which digits $((patterns * 65))) + vectors $vt"
echo "  RAM: $((bss + data)) B static (.bss $bss + .data $data; model state $(field sizeof-storage) B), no heap"
echo "evstdp firmware: $(xtoolchain_name), $(( $(date +%s) - START )) s, OK"
