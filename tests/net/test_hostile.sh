#!/usr/bin/env bash
# The hostile-peer suite for RLPx and eth (docs/security.md): a node with a
# devnet chain of 1,500 blocks on loopback is attacked from 127.0.0.2 by
# tests/hostile/hostile, one scenario at a time, while an honest peer on
# 127.0.0.3 keeps completing handshakes (ethp2p rlpx ping). For each attack:
# the attacker's own checks (the node cut it as it must), every honest ping
# served, the node alive, and its RSS before, at the peak and after, with the
# peak under 64 MiB above where it started. A table of figures is printed.
set -euo pipefail
cli=${1:?usage: test_hostile.sh PATH-TO-ethp2p PATH-TO-hostile}
hostile=${2:?usage: test_hostile.sh PATH-TO-ethp2p PATH-TO-hostile}
# Under ASan, freed memory waits in a 256 MiB quarantine and would read as growth: keep it small.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=8"
. "$(dirname "$0")/lib.sh"
net_init hostile
base=$(net_base 20)

"$cli" chain make --blocks 1500 --out "$work/chain.rlp" >/dev/null
net_spawn "$work/log-node" "$cli" node --devnet --import "$work/chain.rlp" --datadir "$work/node" \
  --listenaddr 127.0.0.1 --port "$base" --nodiscover --verbosity 3
node=${pids[0]}
enode=$(net_self "$work/log-node")
[[ $enode == enode://* ]] || { echo "the node printed no enode URL"; cat "$work/log-node"; exit 1; }

honest_cmd=("$cli" rlpx ping --bind 127.0.0.3 --timeout 3s "$enode")
. "$(dirname "$0")/hostile_lib.sh"

hostile_attack idle --n 300
hostile_attack partial-auth --n 200
hostile_attack no-hello --n 6
hostile_attack bad-auth-mac --n 200
hostile_attack bad-frame-mac --n 100
hostile_attack huge-frame --n 40
hostile_attack snappy-bomb --n 40
hostile_attack ping-flood --n 200000
hostile_attack ping-noread
hostile_attack bad-status
hostile_attack wrong-network
hostile_attack wrong-forkid
hostile_attack no-status
hostile_attack big-announce --n 16384
hostile_attack big-announce --n 16385
hostile_attack huge-range
hostile_attack dup-tx-flood --n 20000
hostile_attack unanswered --n 200

[ "$failed" -eq 0 ] || exit 1
echo "every attack was cut as it must be; the honest peer was served throughout"
