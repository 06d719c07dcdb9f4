# Sourced by the scripts that build wtas for other targets: which Rust
# builds it, and how. Two routes, chosen by WTAS_TOOLCHAIN:
#
#   debian (default) Debian's Rust (/usr/bin/cargo, /usr/bin/rustc, from
#                    .ci/install-packages), `core` built from source with
#                    -Zbuild-std=core (RUSTC_BOOTSTRAP), linked with GNU ld
#                    from binutils: needs nothing beyond Debian's packages.
#   stable           rustup's stable toolchain with `rustup target add` and
#                    its rust-lld: the route most users take.
#
# xcargo TARGET SUBCOMMAND ARGS...   cargo on the chosen route for TARGET
# xtarget_add TARGET...              makes the targets available (stable:
#                                    rustup target add); fails if it cannot
# xtoolchain_name                    a short label for reports

WTAS_TOOLCHAIN=${WTAS_TOOLCHAIN:-debian}
case "$WTAS_TOOLCHAIN" in
  debian | stable) ;;
  *) echo "WTAS_TOOLCHAIN must be debian or stable, not '$WTAS_TOOLCHAIN'" >&2; return 2 2>/dev/null || exit 2 ;;
esac

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
      RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 /usr/bin/cargo "$sub" -Zbuild-std=core --target "$target" \
        $(_xcargo_gnu_ld "$target") "$@" ;;
    stable)
      env -u RUSTC -u RUSTC_BOOTSTRAP cargo +stable "$sub" --target "$target" "$@" ;;
  esac
}

xtarget_add() {
  case "$WTAS_TOOLCHAIN" in
    debian) return 0 ;;
    stable) rustup target add --toolchain stable "$@" >/dev/null 2>&1 ;;
  esac
}
