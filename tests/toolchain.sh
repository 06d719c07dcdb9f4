# The setup every test script shares; sourced (`. tests/toolchain.sh`),
# never run. It provides:
#
#   wtas_apt SPEC...                   installs the Debian packages the
#                                      caller needs, where missing
#   debian_cargo ARGS...               Debian's cargo with Debian's rustc and
#                                      rustdoc, nightly flags allowed (the one
#                                      place that sets RUSTC_BOOTSTRAP)
#   xcargo TARGET SUBCOMMAND ARGS...   cargo on WTAS_TOOLCHAIN's route for a
#                                      microcontroller TARGET
#   xtarget_add TARGET...              makes the targets available (stable:
#                                      rustup target add); fails if it cannot
#   xtoolchain_name                    a short label for reports
#   wtas_host_digest LOG [PKG [KEY]]   the host's firmware-scenario digest
#   wtas_qemu TARGET ELF               a firmware image under QEMU, counting
#                                      instructions (-icount shift=0)
#   wtas_results_option ARGS...        a script's only option, --results
#   wtas_write_results NAME FILE       with --results, FILE (the script's
#                                      report) as RESULTS.md's section NAME
#   WTAS_ROOT                          the repository's root
#
# Two routes for microcontroller targets, chosen by WTAS_TOOLCHAIN:
#
#   debian (default) Debian's Rust (/usr/bin/cargo, /usr/bin/rustc: the
#                    rustc-web packages), `core` built from source with
#                    -Zbuild-std=core, linked with GNU ld from binutils:
#                    needs nothing beyond Debian's packages.
#   stable           rustup's stable toolchain with `rustup target add` and
#                    its rust-lld: the route most users take.

WTAS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WTAS_TOOLCHAIN=${WTAS_TOOLCHAIN:-debian}
case "$WTAS_TOOLCHAIN" in
  debian | stable) ;;
  *) echo "WTAS_TOOLCHAIN must be debian or stable, not '$WTAS_TOOLCHAIN'" >&2; return 2 2>/dev/null || exit 2 ;;
esac

# ---------------------------------------------------------------- packages
# A SPEC is `FILE:PACKAGE` (FILE an absolute path that the package
# installs, or a command it puts on PATH), `FILE:PACKAGE:backports` for a
# package taken from the release's backports suite (.ci/apt-backports
# finds the machine's own archive), or one of these groups:
#   rust-web     Debian's second Rust, with the standard library's source
#   arm          the Arm bare-metal binutils, GCC and newlib
#   riscv        the RISC-V bare-metal binutils
#   qemu-arm     qemu-system-arm (backports)
#   qemu-riscv   qemu-system-riscv32 (backports)
# Installs as root, or through sudo. WTAS_NO_INSTALL=1 fails instead.
_wtas_apt_group() {
  case "$1" in
    rust-web) echo /usr/bin/rustc:rustc-web /usr/bin/cargo:cargo-web \
      /usr/bin/rustdoc:rustc-web /usr/lib/rustlib/src/rust/library/core:rust-web-src ;;
    arm) echo arm-none-eabi-ld:binutils-arm-none-eabi arm-none-eabi-gcc:gcc-arm-none-eabi \
      /usr/lib/arm-none-eabi/newlib/nano.specs:libnewlib-arm-none-eabi ;;
    riscv) echo riscv64-unknown-elf-ld:binutils-riscv64-unknown-elf ;;
    qemu-arm) echo qemu-system-arm:qemu-system-arm:backports ;;
    qemu-riscv) echo qemu-system-riscv32:qemu-system-misc:backports ;;
    *:*) echo "$1" ;;
    *) echo "wtas_apt: no package group '$1'" >&2; return 1 ;;
  esac
}

wtas_as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else echo "need root to run: $*" >&2; return 1
  fi
}

wtas_apt() {
  local spec items item file pkg rest main=() bp=() backports
  for spec in "$@"; do
    items=$(_wtas_apt_group "$spec") || return 1
    for item in $items; do
      file=${item%%:*}; rest=${item#*:}; pkg=${rest%%:*}
      if [ "${file:0:1}" = / ]; then [ -e "$file" ] && continue; else command -v "$file" >/dev/null && continue; fi
      if [ "$rest" != "$pkg" ]; then bp+=("$pkg"); else main+=("$pkg"); fi
    done
  done
  [ $((${#main[@]} + ${#bp[@]})) -gt 0 ] || return 0
  # Each package once (a package can install several files asked for).
  mapfile -t main < <(printf '%s\n' "${main[@]}" | awk 'NF && !seen[$0]++')
  mapfile -t bp < <(printf '%s\n' "${bp[@]}" | awk 'NF && !seen[$0]++')
  if [ "${WTAS_NO_INSTALL:-0}" = 1 ]; then
    echo "missing packages:" "${main[@]}" "${bp[@]}" "(WTAS_NO_INSTALL=1)" >&2; return 1
  fi
  echo "installing:" "${main[@]}" "${bp[@]}"
  export DEBIAN_FRONTEND=noninteractive
  if [ ${#bp[@]} -gt 0 ]; then
    backports=$(bash "$WTAS_ROOT/.ci/apt-backports") || { echo "cannot set up the backports suite" >&2; return 1; }
  fi
  wtas_as_root apt-get -o DPkg::Lock::Timeout=300 update -qq || { echo "apt-get update failed" >&2; return 1; }
  if [ ${#main[@]} -gt 0 ]; then
    wtas_as_root apt-get -o DPkg::Lock::Timeout=300 install -y -qq "${main[@]}" >/dev/null \
      || { echo "apt-get install ${main[*]} failed" >&2; return 1; }
  fi
  if [ ${#bp[@]} -gt 0 ]; then
    wtas_as_root apt-get -o DPkg::Lock::Timeout=300 install -y -qq -t "$backports" "${bp[@]}" >/dev/null \
      || { echo "apt-get install -t $backports ${bp[*]} failed" >&2; return 1; }
  fi
}

# ---------------------------------------------------------------- toolchains
# Debian's Rust builds the standard library from source (-Zbuild-std) for
# targets rustup does not provide offline, which needs nightly flags on a
# stable compiler: RUSTC_BOOTSTRAP.
debian_cargo() {
  RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1 /usr/bin/cargo "$@"
}

xtoolchain_name() {
  case "$WTAS_TOOLCHAIN" in
    debian) echo "Debian rustc $(/usr/bin/rustc --version | awk '{print $2}'), -Zbuild-std=core, GNU ld" ;;
    stable) echo "rustup stable $(rustc +stable --version | awk '{print $2}'), rustup target add, rust-lld" ;;
  esac
}

# GNU ld in place of rust-lld, for the Debian route (the firmware crates'
# .cargo/config.toml files name only the linker script). Arrays given with
# --config are appended to the files' own.
_xcargo_gnu_ld() {
  case "$1" in
    thumb*) echo "--config target.$1.linker=\"arm-none-eabi-ld\" --config target.$1.rustflags=[\"-C\",\"linker-flavor=ld\"]" ;;
    riscv32*) echo "--config target.$1.linker=\"riscv64-unknown-elf-ld\" --config target.$1.rustflags=[\"-C\",\"linker-flavor=ld\",\"-C\",\"link-arg=-melf32lriscv\"]" ;;
  esac
}

xcargo() {
  local target=$1 sub=$2
  shift 2
  case "$WTAS_TOOLCHAIN" in
    debian)
      # shellcheck disable=SC2046
      debian_cargo "$sub" -Zbuild-std=core --target "$target" $(_xcargo_gnu_ld "$target") "$@" ;;
    stable)
      env -u RUSTC -u RUSTDOC -u RUSTC_BOOTSTRAP cargo +stable "$sub" --target "$target" "$@" ;;
  esac
}

xtarget_add() {
  case "$WTAS_TOOLCHAIN" in
    debian) return 0 ;;
    stable) rustup target add --toolchain stable "$@" >/dev/null 2>&1 ;;
  esac
}

# ---------------------------------------------------------------- host digest
# Runs PKG's (default wtas) `firmware_digest` host test, its output in LOG,
# and prints the value of its `KEY DIGEST` line (default wtas-host-digest):
# the digest every other target must reproduce. Its own target directory
# (WTAS_HOST_TARGET_DIR, default target/host-digest), shared by every
# script: `-p PKG` alone unifies other features than the workspace-wide
# `cargo test`, so a shared directory would rebuild back and forth.
wtas_host_digest() {
  local log=$1 pkg=${2:-wtas} key=${3:-wtas-host-digest} cargo=cargo digest
  command -v cargo >/dev/null || cargo=/usr/bin/cargo
  mkdir -p "$(dirname "$log")"
  if ! (cd "$WTAS_ROOT" && env -u RUSTC -u RUSTDOC -u RUSTC_BOOTSTRAP \
      CARGO_TARGET_DIR="${WTAS_HOST_TARGET_DIR:-$WTAS_ROOT/target/host-digest}" \
      "$cargo" test -p "$pkg" --test firmware_digest -- --nocapture) >"$log" 2>&1; then
    tail -30 "$log" >&2; echo "the host's firmware_digest test ($pkg) failed" >&2; return 1
  fi
  digest=$(awk -v k="$key" '$1 == k {print $2; exit}' "$log")
  [ -n "$digest" ] || { echo "no '$key' line in $log" >&2; return 1; }
  echo "$digest"
}

# ---------------------------------------------------------------- QEMU
# TARGET's QEMU machine (Cortex-M4F: mps2-an386; Cortex-M0: microbit;
# RISC-V: virt) with semihosting and one instruction a tick, under a
# QEMU_TIMEOUT (default 120 s) limit. The firmware's output to stdout.
wtas_qemu() {
  local target=$1 elf=$2 machine
  case "$target" in
    thumbv7em-none-eabihf | m4f) machine=(qemu-system-arm -cpu cortex-m4 -machine mps2-an386) ;;
    thumbv6m-none-eabi | m0) machine=(qemu-system-arm -machine microbit) ;;
    riscv32imac-unknown-none-elf) machine=(qemu-system-riscv32 -machine virt -bios none) ;;
    *) echo "wtas_qemu: no machine for $target" >&2; return 2 ;;
  esac
  timeout "${QEMU_TIMEOUT:-120}" "${machine[@]}" -nographic -monitor none \
    -semihosting-config enable=on,target=native -icount shift=0 -kernel "$elf" </dev/null
}

# ---------------------------------------------------------------- results
# For a script whose only option is --results: WTAS_RESULTS=1 if it is
# given (any other argument is a usage error), and WTAS_COMMAND, the
# command as a user types it at the root.
wtas_results_option() {
  local arg
  WTAS_RESULTS=0
  WTAS_COMMAND="bash $(realpath --relative-to="$WTAS_ROOT" "$0")${*:+ $*}"
  for arg; do
    case "$arg" in
      --results) WTAS_RESULTS=1 ;;
      *) echo "usage: $WTAS_COMMAND: the only option is --results" >&2; exit 2 ;;
    esac
  done
}

# With WTAS_RESULTS=1, FILE (what the script printed) in a code block as
# the section NAME of RESULTS.md, under WTAS_COMMAND and the date
# (tools/results.py).
wtas_write_results() {
  [ "${WTAS_RESULTS:-0}" = 1 ] || return 0
  python3 "$WTAS_ROOT/tools/results.py" "$1" --code --command "$WTAS_COMMAND" <"$2"
}
