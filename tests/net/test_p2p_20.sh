#!/usr/bin/env bash
# 20 `ethp2p node` processes (discovery + RLPx + eth) on loopback: node 0 is
# everyone's bootnode; each dials what discovery finds. Every node must reach
# its dial target (maxpeers 9 -> 3 outbound) and hold peers over RLPx. Half of
# them run discovery on a UDP port of its own.
#
#   nodes 1..19 --discv4--> node 0 ; then RLPx between whoever discovery yields
set -euo pipefail
cli=${1:?usage: test_p2p_20.sh PATH-TO-ethp2p}
N=${N:-20}
. "$(dirname "$0")/lib.sh"
net_init p2p20
base=$(net_base 530)
run() { # index, extra args...
  local i=$1; shift
  net_spawn "$work/log$i" "$cli" node --devnet --datadir "$work/d$i" --listenaddr 127.0.0.1 --port $((base + i)) \
    --maxpeers 9 --status 1s --ipcdisable "$@"
}
run 0
boot=$(net_self "$work/log0")
# Odd nodes use a separate UDP port for discovery (--discovery.port): their enode carries ?discport=.
for i in $(seq 1 $((N - 1))); do
  if [ $((i % 2)) -eq 1 ]; then run "$i" --bootnodes "$boot" --discovery.port $((base + 500 + i))
  else run "$i" --bootnodes "$boot"; fi
done
ok=0
for _ in $(seq 60); do
  sleep 1
  ok=0
  for i in $(seq 0 $((N - 1))); do
    p=$(grep -o ' peers=[0-9]*' "$work/log$i" | tail -1 | cut -d= -f2 || true) # no line yet: slow start
    [ -n "$p" ] && [ "$p" -ge 3 ] && ok=$((ok + 1))
  done
  [ "$ok" -eq "$N" ] && break
done
grep -h status "$work/log0" | tail -1 | sed "s/^/node 0: /"
echo "nodes with >= 3 peers: $ok of $N"
if [ "$ok" -ne "$N" ]; then
  for i in $(seq 0 $((N - 1))); do
    line=$(grep status "$work/log$i" | tail -1 || true)
    echo "node $i: $line"
    if [ -z "$line" ]; then # never reached its first status: show why
      kill -0 "${pids[$i]}" 2>/dev/null && echo "  (pid ${pids[$i]} still running)" || echo "  (pid ${pids[$i]} has exited)"
      tail -15 "$work/log$i" | sed 's/^/  | /'
    fi
  done
  exit 1
fi
for p in "${pids[@]}"; do kill -0 "$p"; done
echo "20 p2p nodes: passed"
