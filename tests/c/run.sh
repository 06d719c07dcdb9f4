#!/usr/bin/env bash
# The C side of wtas, end to end. Exits non-zero on any failure.
#
#   1. header check: `cargo test --features ffi --test header` (include/wtas.h == cbindgen output,
#      version macros == Cargo.toml), and `--test ffi` (the C ABI from Rust)
#   2. host: c/install.sh into target/ffi/c/prefix (static and shared
#      libraries, SONAME, pkg-config file); gcc -Wall -Wextra -Werror -std=c99
#      test program: every status code + all golden trajectories bit-exact,
#      linked statically, then dynamically through pkg-config, then the
#      static one under valgrind --error-exitcode=1
#   3. firmware: libwtas_c.a from the c/staticlib template for
#      thumbv7em-none-eabihf (Debian Rust, -Zbuild-std=core), C firmware
#      linked with arm-none-eabi-gcc, run
#      under QEMU (mps2-an386, Cortex-M4F) with semihosting and a timeout
#
# Works from any directory. Installs what is missing (as root, or with sudo):
# the Debian packages it needs (tests/toolchain.sh), qemu from the release's
# backports suite (.ci/apt-backports), and the pinned cbindgen.
#
# Environment: WTAS_C_SKIP_FIRMWARE=1 skips step 3; WTAS_C_NO_INSTALL=1
# never installs anything (fails instead); QEMU_TIMEOUT (seconds, 120).
#
# Usage: run.sh [--results]: with --results, when every check passes, the
# libraries' and the firmware's sizes replace the section c-sizes of
# RESULTS.md, with the command and the date.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/../toolchain.sh"
wtas_results_option "$@"
REPO=$WTAS_ROOT
cd "$REPO"

CBINDGEN_VERSION=0.29.4
HOST_TARGET_DIR="$REPO/target/ffi"
THUMB_TARGET_DIR="$REPO/target/ffi-thumb"
OUT="$REPO/target/ffi/c"
QEMU_TIMEOUT="${QEMU_TIMEOUT:-120}"
START=$SECONDS

step() { printf '\n=== [%3ds] %s\n' "$((SECONDS - START))" "$*"; }
die() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- tools
step "tools"
[ "${WTAS_C_NO_INSTALL:-0}" = 1 ] && export WTAS_NO_INSTALL=1
wtas_apt rust-web arm qemu-arm valgrind:valgrind gcc:gcc pkg-config:pkg-config || die "cannot install the tools"
if [ "$(cbindgen --version 2>/dev/null || true)" != "cbindgen $CBINDGEN_VERSION" ]; then
    [ "${WTAS_C_NO_INSTALL:-0}" = 1 ] && die "cbindgen $CBINDGEN_VERSION is not on PATH"
    cargo install cbindgen --locked --version "$CBINDGEN_VERSION"
    export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
fi
cbindgen --version

# ---------------------------------------------------------------- header
step "header check and the C ABI from Rust: cargo test --features ffi --test header --test ffi"
# Required here: without the pinned cbindgen the test would only skip.
WTAS_REQUIRE_CBINDGEN=1 CARGO_TARGET_DIR="$HOST_TARGET_DIR" \
    cargo test -p wtas --features ffi --test header --test ffi

# ---------------------------------------------------------------- host
step "golden export: cargo test --test export_golden"
mkdir -p "$OUT"
WTAS_GOLDEN_EXPORT="$OUT/golden" CARGO_TARGET_DIR="$HOST_TARGET_DIR" \
    cargo test --test export_golden
shopt -s nullglob
golden=("$OUT"/golden/*.bin)
[ "${#golden[@]}" -gt 0 ] || die "no golden trajectory exported"

step "host libraries: c/install.sh (release-c profile: static, shared with SONAME, pkg-config)"
PREFIX="$OUT/prefix"
rm -rf "$PREFIX"
CARGO_TARGET_DIR="$HOST_TARGET_DIR" sh c/install.sh "$PREFIX"
lib="$PREFIX/lib/libwtas.a"
version=$(awk -F'"' '/^version *=/ {print $2; exit}' Cargo.toml)
case "$version" in
    0.*) want_soname="libwtas.so.0.$(echo "$version" | cut -d. -f2)" ;;
    *) want_soname="libwtas.so.${version%%.*}" ;;
esac
[ -f "$PREFIX/lib/$want_soname" ] || die "no $want_soname installed"
soname=$(readelf -d "$PREFIX/lib/$want_soname" | sed -n 's/.*Library soname: \[\(.*\)\].*/\1/p')
[ "$soname" = "$want_soname" ] || die "SONAME is '$soname', want $want_soname"
exported="$(nm -D --defined-only "$PREFIX/lib/libwtas.so" | awk '{print $3}' | grep -c '^wtas_' || true)"
declared="$(grep -cE '^[a-z].* \*?wtas_[a-z0-9_]+\(' include/wtas.h || true)"
SIZES="$OUT/sizes.txt"
echo "SONAME $soname; shared library exports $exported wtas_ functions; header declares $declared" | tee "$SIZES"
[ "$exported" = "$declared" ] || die "shared library exports do not match the header"
echo "libwtas.a: $(stat -c %s "$lib") bytes (debug info stripped), libwtas.so: $(stat -L -c %s "$PREFIX/lib/libwtas.so") bytes" |
    tee -a "$SIZES"

step "host C test: gcc -Wall -Wextra -Werror -std=c99"
gcc -Wall -Wextra -Werror -std=c99 -pedantic -O1 -g -I include \
    "$HERE/host_test.c" "$HERE/checks.c" "$lib" -lm -lpthread -ldl -o "$OUT/host_test"
"$OUT/host_test" "${golden[@]}"

step "host C test, shared library found with pkg-config"
export PKG_CONFIG_PATH="$PREFIX/lib/pkgconfig"
[ "$(pkg-config --modversion wtas)" = "$version" ] || die "pkg-config --modversion wtas != $version"
# shellcheck disable=SC2046
gcc -Wall -Wextra -Werror -std=c99 -pedantic -O1 -g $(pkg-config --cflags wtas) \
    "$HERE/host_test.c" "$HERE/checks.c" $(pkg-config --libs wtas) -o "$OUT/host_test_shared"
readelf -d "$OUT/host_test_shared" | grep -q "Shared library: \[$soname\]" ||
    die "host_test_shared does not record $soname as NEEDED"
# From pkg-config's output alone: the run path in wtas.pc finds the library.
readelf -d "$OUT/host_test_shared" | grep -qE "(RPATH|RUNPATH).*\[$PREFIX/lib\]" ||
    die "host_test_shared has no run path to $PREFIX/lib"
env -u LD_LIBRARY_PATH "$OUT/host_test_shared" "${golden[@]}"

step "the README's C example, as it stands there: shared library through pkg-config, under valgrind"
# The README's one C code block, compiled as a user would (no -I, -L or
# LD_LIBRARY_PATH beyond what pkg-config prints) and run under valgrind.
python3 - "$REPO/README.md" >"$OUT/readme_example.c" <<'PY'
import re, sys
blocks = re.findall(r"^```c\n(.*?)^```", open(sys.argv[1]).read(), flags=re.S | re.M)
if len(blocks) != 1:
    sys.exit(f"README.md has {len(blocks)} C code blocks, expected 1")
sys.stdout.write(blocks[0])
PY
# shellcheck disable=SC2046
(cd "$OUT" && gcc -std=c99 -Wall -Wextra -Werror -pedantic -g readme_example.c \
    $(pkg-config --cflags --libs wtas) -o readme_example)
env -u LD_LIBRARY_PATH valgrind -q --error-exitcode=1 --track-origins=yes \
    "$OUT/readme_example" >"$OUT/readme_example.out" 2>&1 ||
    { cat "$OUT/readme_example.out"; die "the README's C example failed, or valgrind reported errors"; }
cat "$OUT/readme_example.out"
grep -qx "spikes: row 0 unit 2 = 1, row 1 unit 5 = 1" "$OUT/readme_example.out" ||
    die "the README's C example printed something else"

step "host C test under valgrind --error-exitcode=1"
valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite \
    "$OUT/host_test" "${golden[@]}" >"$OUT/valgrind.log" 2>&1 ||
    { cat "$OUT/valgrind.log"; die "valgrind reported errors (or the test failed)"; }
tail -n 1 "$OUT/valgrind.log"
echo "valgrind: no errors"

# ---------------------------------------------------------------- firmware
if [ "${WTAS_C_SKIP_FIRMWARE:-0}" = 1 ]; then
    step "firmware skipped (WTAS_C_SKIP_FIRMWARE=1)"
    exit 0
fi
step "firmware library: the c/staticlib template, thumbv7em-none-eabihf, -Zbuild-std=core"
# The template as a user would copy it, with wtas taken from this checkout.
FWCRATE="$THUMB_TARGET_DIR/wtas-c"
rm -rf "$FWCRATE" && mkdir -p "$FWCRATE"
cp -r c/staticlib/src "$FWCRATE/"
cp Cargo.lock "$FWCRATE/" # the versions the crate is tested with
sed "s|^wtas = { path = \"[^\"]*\",|wtas = { path = \"$REPO\",|" c/staticlib/Cargo.toml.template \
    >"$FWCRATE/Cargo.toml"
grep -qF "wtas = { path = \"$REPO\"," "$FWCRATE/Cargo.toml" || die "template's wtas dependency not rewritten"
(
    cd "$FWCRATE"
    CARGO_TARGET_DIR="$THUMB_TARGET_DIR" \
        debian_cargo build --release -Zbuild-std=core --target thumbv7em-none-eabihf
)
fwlib="$THUMB_TARGET_DIR/thumbv7em-none-eabihf/release/libwtas_c.a"

step "firmware: arm-none-eabi-gcc"
arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 \
    -std=c99 -Wall -Wextra -Werror -O2 -ffreestanding -ffunction-sections -fdata-sections \
    -nostartfiles --specs=nano.specs -Wl,--gc-sections -Wl,--no-warn-execstack \
    -T "$HERE/fw/link.ld" -I include -I "$HERE" -I "$HERE/fw" -I "$OUT/golden" \
    "$HERE/fw/startup.c" "$HERE/fw/main.c" "$HERE/checks.c" "$fwlib" -lc -lgcc \
    -o "$OUT/wtas_fw.elf"
arm-none-eabi-size "$OUT/wtas_fw.elf" | sed "s|$OUT/||" | tee -a "$SIZES"

step "firmware under QEMU (mps2-an386, Cortex-M4F, timeout ${QEMU_TIMEOUT}s)"
set +e
timeout "$QEMU_TIMEOUT" qemu-system-arm -cpu cortex-m4 -machine mps2-an386 -nographic \
    -monitor none -serial none -semihosting-config enable=on,target=native \
    -kernel "$OUT/wtas_fw.elf" </dev/null 2>&1 | tee "$OUT/qemu.log"
rc=${PIPESTATUS[0]}
set -e
[ "$rc" = 0 ] || die "firmware exited with status $rc (124 = timeout)"
[ "$(tail -n 1 "$OUT/qemu.log")" = PASS ] || die "firmware did not print PASS"

wtas_write_results c-sizes "$SIZES"
step "all C checks passed"
