#!/usr/bin/env bash
# The examples, built as an embedder builds them: against the installed library
# through pkg-config (a temporary prefix), then run on loopback:
#   pingpong: two processes, a custom sub-protocol, 5 round trips, both exit 0;
#   crawler: a bootnode and 4 nodes started here; the crawler finds them all.
set -euo pipefail
build=$1
cli=$build/ethp2p
src=$(cd "$(dirname "$0")/../.." && pwd)
. "$src/tests/net/lib.sh"
net_init examples
cmake --install "$build" --prefix "$work/prefix" >/dev/null
libdir=$(dirname "$(find "$work/prefix" -name ethp2p.pc)")/..
export PKG_CONFIG_PATH="$libdir/pkgconfig" LD_LIBRARY_PATH="$libdir"
for ex in pingpong crawler; do
  n=$(wc -l <"$src/examples/$ex.c")
  cc -std=c11 -Wall -Wextra -Werror "$src/examples/$ex.c" -o "$work/$ex" $(pkg-config --cflags --libs ethp2p)
  echo "built examples/$ex.c ($n lines) against the installed library"
done
[ "$(wc -l <"$src/examples/crawler.c")" -lt 100 ] || { echo "the crawler example is over 100 lines"; exit 1; }

base=$(net_base 20)
net_spawn "$work/log-pp1" "$work/pingpong" "$base"
for _ in $(seq 50); do [ -s "$work/log-pp1.out" ] && break; sleep 0.1; done
enode=$(head -1 "$work/log-pp1.out")
[[ $enode == enode://* ]] || { echo "pingpong printed no enode"; cat "$work/log-pp1"; exit 1; }
timeout 20 "$work/pingpong" $((base + 1)) "$enode" 5 >"$work/pp2.out" 2>"$work/pp2.err"
wait "${pids[0]}"  # the listener leaves when its peer does
pids=()
grep -q '^pong 5$' "$work/pp2.out" || { echo "no 5th pong"; cat "$work/pp2.out" "$work/pp2.err"; exit 1; }
[ "$(grep -c '^ping' "$work/log-pp1.out")" = 5 ] || { echo "the listener did not see 5 pings"; cat "$work/log-pp1.out"; exit 1; }
grep -q 'peer gone: client quitting (by remote)' "$work/log-pp1" || { echo "the listener was not told client quitting"; cat "$work/log-pp1"; exit 1; }
echo "ok   pingpong: 5 round trips over a custom sub-protocol; the listener saw 'client quitting'"

for i in 0 1 2 3 4; do "$cli" key generate "$work/key$i"; done
net_spawn "$work/log0" "$cli" bootnode --nodekey "$work/key0" --addr "127.0.0.1:$((base + 2))" --status 1h
boot=$(net_self "$work/log0")
for i in 1 2 3 4; do
  net_spawn "$work/log$i" "$cli" bootnode --nodekey "$work/key$i" --addr "127.0.0.1:$((base + 2 + i))" \
    --bootnodes "$boot" --status 1h
done
sleep 2
timeout 30 "$work/crawler" 6 "$boot" >"$work/crawl.out" 2>"$work/crawl.err"
found=$(sort -u "$work/crawl.out" | grep -c '^enode://' || true)
[ "$found" -ge 4 ] || { echo "the crawler found $found nodes"; cat "$work/crawl.err"; exit 1; }
echo "ok   crawler: $found nodes found ($(tail -1 "$work/crawl.err"))"
