#!/usr/bin/env bash
# 20 devp2p servers (discovery + RLPx) on loopback: node 0 is everyone's
# bootnode; each dials what discovery finds. Every node must reach its dial
# target (maxpeers 9 -> 3 outbound) and hold peers over RLPx.
#
#   nodes 1..19 --discv4--> node 0 ; then RLPx between whoever discovery yields
set -euo pipefail
node=${1:?usage: test_p2p_20.sh PATH-TO-p2p_node PATH-TO-ethp2p}
cli=${2:?}
N=${N:-20}
work=$(mktemp -d /tmp/ethp2p-p2p20-XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
# Below the kernel's ephemeral range (32768+).
base=$(( 24000 + (RANDOM % 800) * 10 ))
for i in $(seq 0 $((N - 1))); do "$cli" key generate "$work/key$i"; done
"$node" --nodekey "$work/key0" --port "$base" --maxpeers 9 >"$work/out0" 2>"$work/log0" &
pids+=($!)
for _ in $(seq 50); do [ -s "$work/out0" ] && break; sleep 0.1; done
boot=$(head -1 "$work/out0")
for i in $(seq 1 $((N - 1))); do
  "$node" --nodekey "$work/key$i" --port $((base + i)) --bootnodes "$boot" --maxpeers 9 >"$work/out$i" 2>"$work/log$i" &
  pids+=($!)
done
ok=0
for _ in $(seq 60); do
  sleep 1
  ok=0
  for i in $(seq 0 $((N - 1))); do
    p=$(grep -o 'peers=[0-9]*' "$work/log$i" | tail -1 | cut -d= -f2 || true) # no line yet: slow start
    [ -n "$p" ] && [ "$p" -ge 3 ] && ok=$((ok + 1))
  done
  [ "$ok" -eq "$N" ] && break
done
grep -h status "$work/log0" | tail -1 | sed "s/^/node 0: /"
echo "nodes with >= 3 peers: $ok of $N"
[ "$ok" -eq "$N" ] || { for i in $(seq 0 $((N - 1))); do echo "node $i: $(grep status "$work/log$i" | tail -1)"; done; exit 1; }
for p in "${pids[@]}"; do kill -0 "$p"; done
echo "20 p2p nodes: passed"
