#!/usr/bin/env bash
# Link-time proof that wtas's construction, `advance` and `reset` have no
# reachable panic.
#
# The `panic-app` firmware calls only `Config::validate`, `Cell::new`,
# `Cell::resume`, `Cell::advance` and `Cell::reset` (on the scenario's input, NaN and ±inf
# included). With `panic-never`, its only `#[panic_handler]` calls an extern
# function that is defined nowhere. If the optimizer leaves any panic path
# (bounds check, division by zero, unwrap, ...) reachable, the handler is
# referenced and the link fails; if it links, no `core::panicking::*` symbol
# may be left in the ELF either (checked with nm).
#
# On failure it rebuilds without `panic-never` and prints which functions
# call into `core::panicking`, to name the culprit.
#
# Usage: panic-check.sh [target ...]   (default: both Cortex-M targets)
# Profiles: release (opt-level "s") and release-o3. The toolchain is
# WTAS_TOOLCHAIN's (tests/toolchain.sh), in its own target directory.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$HERE"
. "$HERE/../toolchain.sh"
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(thumbv7em-none-eabihf thumbv6m-none-eabi)
TD="$HERE/target"; [ "$WTAS_TOOLCHAIN" = debian ] || TD="$HERE/target/$WTAS_TOOLCHAIN"
export CARGO_TARGET_DIR="$TD"
status=0
objdump_for() { case "$1" in thumb*) echo arm-none-eabi-objdump ;; *) echo riscv64-unknown-elf-objdump ;; esac; }
nm_for() { case "$1" in thumb*) echo arm-none-eabi-nm ;; *) echo riscv64-unknown-elf-nm ;; esac; }
for target in "${targets[@]}"; do
  for profile in release release-o3 release-sf; do
    dir=$profile; extra=""; [ "$profile" = release-sf ] && extra=,size-first
    elf="$TD/$target/$dir/wtas-firmware"
    log="$TD/panic-check-$target-$profile.log"
    mkdir -p "$TD"
    if xcargo "$target" build -q --profile "$profile" \
        --features "panic-app,panic-never$extra" >"$log" 2>&1; then
      left=$($(nm_for "$target") -C "$elf" | grep -c 'core::panicking' || true)
      if [ "$left" -eq 0 ]; then
        echo "panic-check $target $profile: OK (links with a never-linked panic handler; no core::panicking symbol)"
      else
        echo "panic-check $target $profile: FAIL ($left core::panicking symbols left)"; status=1
      fi
    else
      if grep -q wtas_firmware_has_a_reachable_panic_path "$log"; then
        echo "panic-check $target $profile: FAIL: a panic path is reachable. Callers of core::panicking / panic helpers:"
        xcargo "$target" build -q --profile "$profile" --features "panic-app$extra" >>"$log" 2>&1 || true
        $(objdump_for "$target") -d -C "$elf" \
          | awk '/^[0-9a-f]+ <.*>:$/{f=$0} /(bl|jal|call|b\.w|b)[ \t].*<(core::panicking|core::slice::index::|core::slice::.*fail|core::option::unwrap_failed|core::result::unwrap_failed|.*ZipImpl.*::new>)/{print "    " f " -> " $NF}' \
          | sort -u | cut -c1-300
      else
        echo "panic-check $target $profile: FAIL: build error (see $log)"; tail -20 "$log"
      fi
      status=1
    fi
  done
done
exit $status
