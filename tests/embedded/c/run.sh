#!/usr/bin/env bash
# Builds the C baselines (step.c with newlib's expf and with the polynomial
# exp, for Cortex-M4F and Cortex-M0, at -Os and -O2: eight images) and runs
# each under QEMU with -icount shift=0, as run-qemu.sh runs the wtas
# firmware. Writes OUT/<target>-<opt>-<exp>.run: the firmware's output lines
# plus "c step-code <bytes>" (nm size of wta_step and exp_poly, plus every
# .text and .rodata section linked from libm). Exits non-zero on any build
# or emulator failure.
#
# Usage: tests/embedded/c/run.sh [OUT]   (OUT: tests/embedded/target/c)
# Needs gcc-arm-none-eabi, libnewlib-arm-none-eabi, qemu-system-arm.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/../../toolchain.sh"
OUT="${1:-$HERE/../target/c}"
mkdir -p "$OUT"
status=0
CFLAGS=(-std=c99 -ffp-contract=off -masm-syntax-unified -Wall -Wextra -Werror -ffreestanding
        -ffunction-sections -fdata-sections -nostartfiles --specs=nano.specs
        -Wl,--gc-sections -Wl,--no-warn-execstack -L "$HERE")
for target in m4f m0; do
  case $target in
    m4f) cpu=(-mcpu=cortex-m4 -mfpu=fpv4-sp-d16 -mfloat-abi=hard -mthumb) ;;
    m0)  cpu=(-mcpu=cortex-m0 -mthumb) ;;
  esac
  for opt in s 2; do
    for exp in newlib poly; do
      name="$target-$opt-$exp"; elf="$OUT/$name.elf"; log="$OUT/$name.run"
      rm -f "$log"
      if ! arm-none-eabi-gcc "${cpu[@]}" "-O$opt" "${CFLAGS[@]}" -T "$HERE/$target.ld" \
            -DEXP_"${exp^^}" -Wl,-Map="$OUT/$name.map" \
            "$HERE/startup.c" "$HERE/main.c" "$HERE/step.c" -lm -lc -lgcc -o "$elf" >"$OUT/$name.build" 2>&1; then
        echo "C baseline $name: BUILD FAILED"; cat "$OUT/$name.build"; status=1; continue
      fi
      if ! wtas_qemu "$target" "$elf" >"$log" 2>&1; then
        echo "C baseline $name: EMULATOR FAILED OR TIMED OUT"; cat "$log"; status=1; continue
      fi
      step=$(arm-none-eabi-nm -S -t d "$elf" | awk '$4=="wta_step" || $4=="exp_poly" {s+=$2} END{print s+0}')
      libm=$(awk 'function hex(x,  i, n) { n = 0; x = tolower(substr(x, 3))
                    for (i = 1; i <= length(x); i++) n = n * 16 + index("0123456789abcdef", substr(x, i, 1)) - 1
                    return n }
                  /^Linker script and memory map/ {on=1; next}
                  on && /^ \./ {sec=$1}
                  on && /libm\.a\(/ && $(NF-1) ~ /^0x/ {
                    s=($1 ~ /^\./) ? $1 : sec
                    if (s ~ /^\.(text|rodata)/) n+=hex($(NF-1)) }
                  END{print n+0}' "$OUT/$name.map")
      echo "c step-code $((step + libm))" >>"$log"
    done
  done
done
echo "C baselines: built and run in $SECONDS s (in the background of run-qemu.sh)"
exit $status
