#!/usr/bin/env bash
# The offline devnet: N `ethp2p node --devnet` processes on loopback (default
# 5), node 0 their bootnode. Once they are connected it submits a signed
# transfer to node 0 every second and shows what each node has seen. Nothing
# leaves 127.0.0.1. Stop with Ctrl-C; every process is ended and the work
# directory removed.
#   scripts/devnet.sh [N] [PATH-TO-ethp2p]
set -euo pipefail
N=${1:-5}
cli=${2:-$(dirname "$0")/../build/ethp2p}
work=$(mktemp -d /tmp/ethp2p-devnet-XXXXXX)
pids=()
stop() {
  trap - INT TERM EXIT
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
  echo "devnet stopped"
  exit 0
}
trap stop INT TERM EXIT
base=$(( 21000 + (RANDOM % 500) * 10 ))
for i in $(seq 0 $((N - 1))); do
  extra=()
  [ "$i" -gt 0 ] && extra=(--bootnodes "$boot")
  "$cli" node --devnet --datadir "$work/d$i" --listenaddr 127.0.0.1 --port $((base + i)) --status 5s \
    --events "$work/ev$i" "${extra[@]}" 2>"$work/log$i" &
  pids+=($!)
  if [ "$i" -eq 0 ]; then
    for _ in $(seq 100); do grep -q 'self=enode' "$work/log0" && break; sleep 0.1; done
    boot=$(grep -o 'self=enode://[^ ]*' "$work/log0" | head -1 | cut -d= -f2)
    echo "node 0: $boot"
  fi
done
echo "$N nodes on 127.0.0.1:$base..$((base + N - 1)); logs in $work"
"$cli" key generate "$work/sender" >/dev/null
nonce=0
while true; do
  sleep 1
  tx=$("$cli" tx make --key "$work/sender" --nonce "$nonce")
  if "$cli" rpc --ipc "$work/d0/ethp2p.ipc" eth_sendRawTransaction "[\"$tx\"]" >/dev/null 2>&1; then
    nonce=$((nonce + 1))
  fi
  line="submitted=$nonce"
  for i in $(seq 0 $((N - 1))); do
    peers=$(grep -o 'eth_peers=[0-9]*' "$work/log$i" | tail -1 | cut -d= -f2 || true)
    seen=$(grep -c '"event":"tx"' "$work/ev$i" 2>/dev/null || true)
    line="$line | node$i peers=${peers:-?} txs=$seen"
  done
  echo "$line"
done
