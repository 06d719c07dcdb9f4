#!/bin/sh
# Builds the wtas C libraries for this machine and installs them, with the
# header and a pkg-config file, under PREFIX:
#
#   sh c/install.sh PREFIX        (from a clone or the unpacked crate)
#
#   PREFIX/include/wtas.h
#   PREFIX/lib/libwtas.a                 static (debug info stripped)
#   PREFIX/lib/libwtas.so.0.1            shared, SONAME libwtas.so.0.1
#   PREFIX/lib/libwtas.so -> libwtas.so.0.1
#   PREFIX/lib/pkgconfig/wtas.pc
#
# Then: cc app.c $(PKG_CONFIG_PATH=PREFIX/lib/pkgconfig pkg-config --cflags --libs wtas)
# Needs cargo, and binutils' readelf and strip (ELF systems). Honours
# CARGO_TARGET_DIR. For firmware, see c/staticlib instead.
set -eu
[ $# -eq 1 ] || { echo "usage: sh c/install.sh PREFIX" >&2; exit 2; }
mkdir -p "$1"
prefix=$(cd "$1" && pwd)
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
version=$(awk -F'"' '/^version *=/ {print $2; exit}' Cargo.toml)
out="${CARGO_TARGET_DIR:-$root/target}/release-c"

# The `release-c` profile (Cargo.toml): LTO into one object.
cargo rustc --profile release-c --lib --features ffi --crate-type staticlib
# The SONAME names the versions that may change the ABI: the major version,
# or before 1.0 the minor one too (libwtas.so.0.1).
case "$version" in
    0.*) soname="libwtas.so.0.$(echo "$version" | cut -d. -f2)" ;;
    *) soname="libwtas.so.${version%%.*}" ;;
esac
cargo rustc --profile release-c --lib --features ffi --crate-type cdylib -- \
    -C link-arg=-Wl,-soname,"$soname"
readelf -d "$out/libwtas.so" | grep -qF "Library soname: [$soname]" ||
    { echo "install.sh: libwtas.so does not carry the SONAME $soname" >&2; exit 1; }

mkdir -p "$prefix/include" "$prefix/lib/pkgconfig"
cp include/wtas.h "$prefix/include/wtas.h"
cp "$out/libwtas.a" "$prefix/lib/libwtas.a"
strip --strip-debug "$prefix/lib/libwtas.a"
cp "$out/libwtas.so" "$prefix/lib/$soname"
ln -sf "$soname" "$prefix/lib/libwtas.so"
sed -e "s|@PREFIX@|$prefix|" -e "s|@VERSION@|$version|" c/wtas.pc.in >"$prefix/lib/pkgconfig/wtas.pc"
echo "installed wtas $version under $prefix (SONAME $soname)"
