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
# The shared library exports the public headers' names only: internal functions stay hidden.
so=$(ls "$libdir"/libethp2p.so.* | head -1)
exported=$(nm -D --defined-only "$so" | awk '$2 ~ /^[TDRB]$/ {print $3}' | sed 's/@.*//')
bad=$(echo "$exported" | grep -v -E '^(ethp2p_|ETHP2P_)' || true)
[ -z "$bad" ] || { echo "exported but not public: $bad"; exit 1; }
for internal in hmap_put v5_grow discv4_send eth_send_w; do
  if echo "$exported" | grep -qx "$internal"; then echo "internal symbol $internal is exported"; exit 1; fi
done
echo "$exported" | grep -qx ethp2p_node_start || { echo "ethp2p_node_start is not exported"; exit 1; }
echo "exports: $(echo "$exported" | wc -l) public symbols; internal ones hidden"
# The headers' version is the library's.
cat >"$tmp/ver.c" <<'C'
#include <ethp2p/common.h>
#include <ethp2p/version.h>
#include <stdio.h>
#include <string.h>
int main(void)
{
    printf("headers %s (%d), library %s\n", ETHP2P_VERSION_STRING, ETHP2P_VERSION_NUMBER, ethp2p_version());
    return strcmp(ETHP2P_VERSION_STRING, ethp2p_version()) != 0;
}
C
cc -std=c11 -Wall -Werror "$tmp/ver.c" -o "$tmp/ver" $(pkg-config --cflags --libs ethp2p)
LD_LIBRARY_PATH="$libdir" "$tmp/ver"
test "$(pkg-config --modversion ethp2p)" = "$(LD_LIBRARY_PATH="$libdir" "$tmp/ver" | awk '{print $2}')"
test -x "$tmp/bin/ethp2p"
test -f "$tmp/share/man/man1/ethp2p.1"
grep -q '^ExecStart=' "$tmp/share/ethp2p/ethp2p.service"
if command -v man >/dev/null; then MANWIDTH=80 man -l "$tmp/share/man/man1/ethp2p.1" 2>/dev/null | grep -q 'dumpconfig'; fi
"$tmp/bin/ethp2p" version
