#!/usr/bin/env bash
# 30 real `ethp2p bootnode` processes on loopback, all bootstrapping from the
# first. Checks that every table fills (from the nodes' own status lines) and
# that `ethp2p discv4 crawl` finds all 30. Processes are ended by PID and the
# work directory is removed, whatever happens.
#
#   crawler ---> node 0 (bootnode) <--- nodes 1..29
#                127.0.0.1:BASE        127.0.0.1:BASE+i
set -euo pipefail
cli=${1:?usage: test_bootnodes.sh PATH-TO-ethp2p}
N=${N:-30}
. "$(dirname "$0")/lib.sh"
net_init bootnodes
base=$(net_base 40)

for i in $(seq 0 $((N - 1))); do "$cli" key generate "$work/key$i"; done
"$cli" bootnode --nodekey "$work/key0" --addr "127.0.0.1:$base" --status 2s >"$work/out0" 2>"$work/log0" &
pids+=($!)
for _ in $(seq 50); do [ -s "$work/out0" ] && break; sleep 0.1; done
boot=$(head -1 "$work/out0")
[[ $boot == enode://* ]] || { echo "bootnode printed no enode URL"; cat "$work/log0"; exit 1; }
for i in $(seq 1 $((N - 1))); do
  "$cli" bootnode --nodekey "$work/key$i" --addr "127.0.0.1:$((base + i))" --bootnodes "$boot" --status 2s \
    >"$work/out$i" 2>"$work/log$i" &
  pids+=($!)
done

# Wait until every table holds at least 20 nodes (status lines every 2 s): how
# fast that happens depends on the machine (sanitizer builds are slower).
table_of() { grep -o 'table=[0-9]*' "$work/log$1" | tail -1 | cut -d= -f2 || true; }
for _ in $(seq 60); do
  low=0
  for i in $(seq 0 $((N - 1))); do
    t=$(table_of "$i")
    if [ -z "$t" ] || [ "$t" -lt 20 ]; then low=$((low + 1)); fi
  done
  [ "$low" -eq 0 ] && break
  sleep 1
done
echo "nodes with fewer than 20 table entries: $low"
[ "$low" -eq 0 ] || { for i in $(seq 0 $((N - 1))); do echo "node $i table=$(table_of "$i")"; done; exit 1; }

# Then crawl: every node must be found.
"$cli" discv4 crawl --bootnodes "$boot" --timeout 60s --until-idle "$work/nodes.json" 2>"$work/crawl.log"
found=$(grep -c '"firstResponse"' "$work/nodes.json" || true)
echo "crawl found $found of $N nodes"
tail -1 "$work/crawl.log"
if [ "$found" -ne "$N" ]; then cat "$work/crawl.log"; exit 1; fi
# Every node's own key must be in the crawl result.
for i in $(seq 0 $((N - 1))); do
  id=$("$cli" key to-id "$work/key$i")
  grep -q "\"$id\"" "$work/nodes.json" || { echo "node $i ($id) missing from crawl"; exit 1; }
done

# Every node answers a ping from a stranger.
for i in $(seq 0 $((N - 1))); do
  url="enode://$(sed -n 's/^enode:\/\/\([0-9a-f]*\)@.*/\1/p' "$work/out$i")@127.0.0.1:$((base + i))"
  "$cli" discv4 ping "$url" --timeout 3s >/dev/null || { echo "node $i does not answer"; tail "$work/log$i"; exit 1; }
done
# Nothing crashed: every process still runs.
for p in "${pids[@]}"; do kill -0 "$p"; done
echo "30 bootnodes: passed"
