#!/usr/bin/env bash
# Builds the wtas firmware for Cortex-M4F, Cortex-M0 and RISC-V, runs it under
# QEMU, compares each digest with the host's, prints the footprint report and
# the comparison with the hand-written C step (c/, built and run by c/run.sh
# while the firmware builds), and runs the panic check. Exits non-zero on any
# mismatch, build failure (the C baselines' included), emulator failure or
# reachable panic path, and where a Cortex-M4F (eabihf) build lands on the
# soft-float path. Works from any directory.
#
# Usage: run-qemu.sh [--toolchain debian|stable] [--targets "T ..."] [--results]
#   debian (default): Debian's Rust with -Zbuild-std=core and GNU ld;
#   stable: rustup's stable with `rustup target add` and rust-lld, the way
#   most users build (tests/toolchain.sh);
#   --targets: a subset of the three targets (default all);
#   --results: when every check passes, the report (footprint, per-kernel
#   figures, the comparison with C) replaces the section firmware-debian
#   or firmware-stable of RESULTS.md, with this command and the date.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
COMMAND="bash tests/embedded/run-qemu.sh${*:+ $*}"
RESULTS=0
while [ $# -gt 0 ]; do
  case "$1" in
    --toolchain) WTAS_TOOLCHAIN=${2:-}; shift 2 ;;
    --toolchain=*) WTAS_TOOLCHAIN=${1#*=}; shift ;;
    --targets) TARGETS=${2:-}; shift 2 ;;
    --results) RESULTS=1; shift ;;
    *) echo "usage: run-qemu.sh [--toolchain debian|stable] [--targets \"T ...\"] [--results]" >&2; exit 2 ;;
  esac
done
export WTAS_TOOLCHAIN=${WTAS_TOOLCHAIN:-debian}
. "$HERE/../toolchain.sh"
ROOT=$WTAS_ROOT
START=$(date +%s)
die() { echo "run-qemu: $*" >&2; exit 1; }

# 1. Tools (Debian packages; QEMU from backports, see .ci/apt-backports).
wtas_apt rust-web arm riscv qemu-arm qemu-riscv || die "cannot install the tools"

# The C baselines (eight tiny images) build and run in the background.
C_OUT="$HERE/target/c"; mkdir -p "$C_OUT"
bash "$HERE/c/run.sh" "$C_OUT" >"$C_OUT/run.log" 2>&1 &
C_PID=$!

# 2. The host digest, from the host test (default backend == reference == pinned).
HOST=$(wtas_host_digest "$HERE/target/host-test.log") || die "no host digest"
echo "host: digest $HOST (default backend and reference agree, pinned constant matches)"

# 3. Firmware builds, each route in its own target directory.
TARGETS=${TARGETS:-thumbv7em-none-eabihf thumbv6m-none-eabi riscv32imac-unknown-none-elf}
THUMB=$(for t in $TARGETS; do case $t in thumb*) echo "$t" ;; esac; done)
xtarget_add $TARGETS || die "rustup target add $TARGETS failed"
echo "toolchain: $(xtoolchain_name)"
export CARGO_TARGET_DIR="$HERE/target"
[ "$WTAS_TOOLCHAIN" = debian ] || CARGO_TARGET_DIR="$HERE/target/$WTAS_TOOLCHAIN"
OUT="$CARGO_TARGET_DIR/out"; mkdir -p "$OUT"
fail=0
build() { # target profile variant features
  local target=$1 profile=$2 variant=$3 features=$4 dir=$2
  local log="$OUT/$target-$profile-$variant.log"
  if ( cd "$HERE" && xcargo "$target" build -q --profile "$profile" \
        ${features:+--features "$features"} ) >"$log" 2>&1; then
    cp "$CARGO_TARGET_DIR/$target/$dir/wtas-firmware" "$OUT/$target-$profile-$variant.elf"
  else
    echo "firmware $target ($profile, $variant): BUILD FAILED"; tail -20 "$log"; fail=1; return 1
  fi
}
field() { awk -v k="$2" '$1=="wtas" && $2==k {print $3; exit}' "$1"; }
declare -A REPORT
for target in $TARGETS; do
  # release-sf: the size-first step (feature size-first), at opt-level s.
  profiles="release release-o3 release-sf"; [ "${target:0:5}" = riscv ] && profiles="release"
  for profile in $profiles; do
    variants="full nostep"; [ "${target:0:5}" = riscv ] && variants="full"
    [ "$profile" = release ] && [ "${target:0:5}" != riscv ] && variants="$variants profile"
    for variant in $variants; do
      features=""; [ "$variant" = nostep ] && features=nostep; [ "$variant" = profile ] && features=profile
      [ "$profile" = release-sf ] && [ "$variant" = full ] && features=size-first
      build "$target" "$profile" "$variant" "$features" || continue
      elf="$OUT/$target-$profile-$variant.elf"; log="$OUT/$target-$profile-$variant.run"
      if ! wtas_qemu "$target" "$elf" >"$log" 2>&1; then
        echo "firmware $target ($profile, $variant): EMULATOR FAILED OR TIMED OUT"; cat "$log"; fail=1; continue
      fi
      if [ "$variant" = full ]; then
        d=$(field "$log" digest)
        if [ "$d" = "$HOST" ]; then
          echo "firmware $target: digest $d matches host ($profile)"
        else
          echo "firmware $target: digest ${d:-<none>} DOES NOT MATCH host $HOST ($profile)"; cat "$log"; fail=1
        fi
      fi
    done
  done
done

# The FPU found: an eabihf build must run on the hardware's f32 arithmetic.
# The soft-float path links the compiler's single-precision routines (its
# own fast paths fall back to them); the FPU path needs none.
for elf in "$OUT"/thumbv7em-none-eabihf-*-full.elf; do
  [ -f "$elf" ] || continue
  soft=$(arm-none-eabi-nm "$elf" | awk '$3 ~ /^__aeabi_f(add|sub|mul|div)$|^__(add|sub|mul|div)sf3$/' | wc -l)
  if [ "$soft" -eq 0 ]; then
    echo "firmware $(basename "$elf" .elf): FPU path (no single-precision soft-float routine linked)"
  else
    echo "firmware $(basename "$elf" .elf): SOFT-FLOAT PATH on an eabihf target ($soft routines linked)"; fail=1
  fi
done

# 4. Footprint report (sections 4 and 5 are the report, kept for --results).
REPORT="$OUT/report.txt"
{
echo "Toolchain: $(xtoolchain_name)"
echo "Footprint (64 units, batch 1; instructions from QEMU -icount shift=0):"
printf '%-24s %-6s %10s %10s %12s %10s %12s %12s\n' target opt "wtas.text" "wtas(nm)" "RAM/neuron" "stack" "instr/n-step" "diff-method"
steps_neurons=$((2000 * 64))
for target in $THUMB; do
  for profile in release release-o3 release-sf; do
    opt=s; [ "$profile" = release-o3 ] && opt=3; [ "$profile" = release-sf ] && opt=sf
    full="$OUT/$target-$profile-full"; nostep="$OUT/$target-$profile-nostep"
    [ -f "$full.run" ] && [ -f "$nostep.run" ] || { echo "$target $profile: missing runs"; continue; }
    t_full=$(arm-none-eabi-size -A "$full.elf" | awk '$1==".text"{print $2}')
    t_nostep=$(arm-none-eabi-size -A "$nostep.elf" | awk '$1==".text"{print $2}')
    nm_wtas=$(arm-none-eabi-nm -C --size-sort -S -t d "$full.elf" | awk '$4 ~ /^<?(wtas|rand_xoshiro|rand_core|wide)::/ && !seen[$1]++ {s+=$2} END{print s+0}')
    storage=$(field "$full.run" sizeof-storage)
    stack=$(field "$full.run" stack-advance)
    cal=$(awk '$2=="cal"{print $4/$3; exit}' "$full.run")
    adv=$(field "$full.run" ticks-advance); tf=$(field "$full.run" ticks-total); tn=$(field "$nostep.run" ticks-total)
    ipn=$(awk -v a="$adv" -v c="$cal" -v n=$steps_neurons 'BEGIN{printf "%.1f", a*c/n}')
    ipn2=$(awk -v f="$tf" -v z="$tn" -v c="$cal" -v n=$steps_neurons 'BEGIN{printf "%.1f", (f-z)*c/n}')
    printf '%-24s %-6s %10s %10s %12s %10s %12s %12s\n' "$target" "$opt" "$((t_full - t_nostep))" "$nm_wtas" \
      "$((storage / 64))" "${stack}" "$ipn" "$ipn2"
  done
done
echo "  wtas.text = .text(full) - .text(nostep) in bytes; wtas(nm) = sum of nm sizes of wtas/wide/rand functions (aliases once);"
echo "  RAM/neuron = size_of::<Storage<64,1>>() / 64 (five state buffers + j); stack = painted high-water mark of one advance;"
echo "  instr/n-step = ticks inside advance x (instructions per tick, calibrated) / (2000 x 64);"
echo "  diff-method = (whole run - run with the wtas calls removed) / (2000 x 64), includes resets and construction."
echo "  opt sf = the size-first step (wtas feature size-first) at opt-level s; s and 3 = the default step."
echo "  Goals (DESIGN.md, Firmware): M4F opt s <= 70 instr/n-step, stack <= 128 B, step code <= 1,200 B; M0 opt s <= 1,600; RAM/neuron = 24 (5x4 + j); no heap."
for target in $THUMB; do
  p="$OUT/$target-release-profile.run"
  [ -f "$p" ] || continue
  cal=$(awk '$2=="cal"{print $4/$3; exit}' "$p")
  echo "Per-kernel instructions per neuron ($target, opt s, 64-unit row):"
  awk -v c="$cal" '$2=="prof"{printf "  %-18s %8.1f\n", $3, $4*c/$5/64}' "$p"
done
[ -f "$OUT/riscv32imac-unknown-none-elf-release-full.run" ] && {
  r="$OUT/riscv32imac-unknown-none-elf-release-full.run"
  echo "riscv32imac (opt s): instr/neuron-step $(awk -v a="$(field "$r" ticks-advance)" 'BEGIN{printf "%.1f", a/128000}') (minstret), stack $(field "$r" stack-advance) B"
}

# 5. wtas against the hand-written C step (c/): the same scenario, QEMU
#    machines and counting. wtas is at opt-level s / 3, C at -Os / -O2.
if ! wait "$C_PID"; then
  echo "C baselines: FAILED"; cat "$C_OUT/run.log"; fail=1
fi
echo
echo "wtas against hand-written C (64 units, batch 1; QEMU -icount shift=0, ticks inside the step calls):"
printf '%-10s %-4s %-16s %12s %6s %10s  %s\n' target opt step "instr/n-step" stack "step code" digest
cfield() { awk -v k="$2" '$1=="c" && $2==k {print $3; exit}' "$1"; }
for target in $THUMB; do
  t=m4f; name=M4F; [ "$target" = thumbv6m-none-eabi ] && { t=m0; name=M0; }
  for profile in release release-o3 release-sf; do
    opt=s; copt=s; step=wtas; [ "$profile" = release-o3 ] && { opt=3; copt=2; }
    [ "$profile" = release-sf ] && { opt=s; copt=""; step="wtas size-first"; }
    full="$OUT/$target-$profile-full"
    if [ -f "$full.run" ]; then
      cal=$(awk '$2=="cal"{print $4/$3; exit}' "$full.run")
      ipn=$(awk -v a="$(field "$full.run" ticks-advance)" -v c="$cal" -v n=$steps_neurons 'BEGIN{printf "%.1f", a*c/n}')
      # The step's code: advance and everything it runs (the kernels, exp).
      code=$(arm-none-eabi-nm -C --size-sort -S -t d "$full.elf" \
        | awk '$4 ~ /^<?wtas::(cell::Cell>?::advance|kernels::)/ && !seen[$1]++ {s+=$2} END{print s+0}')
      # The size-first step calls no kernel table: the code one advance reaches.
      if [ "$profile" = release-sf ]; then
        code=$(python3 "$HERE/step-code.py" "$full.elf" "<wtas::cell::Cell>::advance") || { code="?"; fail=1; }
      fi
      d=$(field "$full.run" digest)
      printf '%-10s %-4s %-16s %12s %6s %10s  %s\n' "$name" "$opt" "$step" "$ipn" "$(field "$full.run" stack-advance)" "$code" "$d"
    fi
    [ -n "$copt" ] || continue
    for exp in newlib poly; do
      r="$C_OUT/$t-$copt-$exp.run"
      [ -f "$r" ] || { echo "C baseline $t-$copt-$exp: no output"; fail=1; continue; }
      cal=$(awk '$1=="c" && $2=="cal"{print $4/$3; exit}' "$r")
      ipn=$(awk -v a="$(cfield "$r" ticks-step)" -v c="$cal" -v n=$steps_neurons 'BEGIN{printf "%.1f", a*c/n}')
      d=$(cfield "$r" digest)
      [ -n "$d" ] || { echo "C baseline $t-$copt-$exp: no digest"; cat "$r"; fail=1; }
      same="differs from wtas"; [ "$d" = "$HOST" ] && same="= wtas"
      printf '%-10s %-4s %-16s %12s %6s %10s  %s\n' "$name" "-O$copt" "C $exp" "$ipn" "$(cfield "$r" stack-step)" \
        "$(cfield "$r" step-code)" "$d ($same)"
    done
  done
done
echo "  C newlib = the hand-written step (c/step.c) calling newlib's expf; C poly = the same step with a"
echo "  hand-written exp (Cody-Waite, degree-6 polynomial). step code = nm sizes: wtas's advance and kernels;"
echo "  C's wta_step and exp_poly, plus the .text and .rodata linked from libm (expf and what it calls)."
echo "  wtas size-first: the code one advance reaches (step-code.py), not the scalar kernels the scenario links."
echo "  Soft-float routines (M0) are counted for neither. stack 64 = at most 64 (the probe's floor)."
echo "  $(tail -1 "$C_OUT/run.log")"
} >"$REPORT"
echo
cat "$REPORT"

# 6. Panic check.
echo
"$HERE/panic-check.sh" $THUMB || fail=1

echo "run-qemu: toolchain $(xtoolchain_name)"

echo "run-qemu: $(( $(date +%s) - START )) s"
[ "$fail" -eq 0 ] || die "FAILED"
if [ "$RESULTS" = 1 ]; then
  python3 "$ROOT/tools/results.py" "firmware-$WTAS_TOOLCHAIN" --code --command "$COMMAND" <"$REPORT" \
    || die "cannot write the results"
fi
echo "run-qemu: all OK"
