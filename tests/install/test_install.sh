#!/usr/bin/env bash
# Installs the build into a temporary prefix and builds a consumer against it with
# pkg-config, once against the shared library and once statically.
set -euo pipefail
build=$1
src=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d /tmp/ethp2p-install-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp" >/dev/null
test -f "$tmp/include/ethp2p/enr.h"
libdir=$(dirname "$(find "$tmp" -name ethp2p.pc)")/..
export PKG_CONFIG_PATH="$libdir/pkgconfig"
cc -std=c11 -Wall -Werror "$src/consumer.c" -o "$tmp/consumer" $(pkg-config --cflags --libs ethp2p)
LD_LIBRARY_PATH="$libdir" "$tmp/consumer"
cc -std=c11 -Wall -Werror "$src/consumer.c" -o "$tmp/consumer-static" $(pkg-config --cflags ethp2p) \
   "$libdir/libethp2p.a" $(pkg-config --libs --static libsecp256k1 nettle sqlite3 libuv snappy libcares) -lstdc++ -lpthread
"$tmp/consumer-static"
test -x "$tmp/bin/ethp2p"
"$tmp/bin/ethp2p" version
