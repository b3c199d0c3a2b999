#!/usr/bin/env bash
# Soak: N `ethp2p node --devnet` processes on loopback for DURATION seconds
# while transactions flow (5 a second, each to a random live node over IPC),
# nodes are killed with SIGKILL at random and restarted on their data
# directories, and stalled peers (tests/hostile: connections that never speak,
# handshakes without a Hello, a peer that never reads) hang on random nodes.
# At the end: no node crashed (each still running exits 0 on SIGTERM, no
# sanitizer report), every restart came back, every transaction accepted by a
# live node is in the pool of every node alive, and each node's RSS at its
# start, its peak and the end is printed, with the peak under 256 MiB.
#   make soak: N=40 DURATION=600; make test: N=40 DURATION=120
set -euo pipefail
cli=${1:?usage: test_soak.sh PATH-TO-ethp2p PATH-TO-hostile}
hostile=${2:?usage: test_soak.sh PATH-TO-ethp2p PATH-TO-hostile}
N=${N:-40}
DURATION=${DURATION:-120}
TX_PER_S=${TX_PER_S:-5}
KILL_EVERY=${KILL_EVERY:-15}
STALL_EVERY=${STALL_EVERY:-10}
# Under ASan, freed memory waits in a 256 MiB quarantine and would read as growth: keep it small.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=8"
. "$(dirname "$0")/lib.sh"
net_init soak
base=$(net_base $((N + 10)))
RANDOM=${SOAK_SEED:-$$}

declare -a npid rss0 rsspeak restarts lastsub
# The nodes are ours to kill and restart, so lib.sh does not track them; a failure ends them all here.
soak_cleanup() {
  local rc=$?
  for p in "${npid[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  pkill -KILL -P $$ 2>/dev/null || true
  (exit $rc)
  net_cleanup
}
trap soak_cleanup EXIT
start_node() { # index
  local i=$1 extra=()
  [ "$i" -ne 0 ] && extra=(--bootnodes "$boot")
  "$cli" node --devnet --datadir "$work/d$i" --listenaddr 127.0.0.1 --port $((base + i)) --netrestrict 127.0.0.0/8 \
    --maxpeers 12 --status 2s --verbosity 3 "${extra[@]}" >>"$work/out$i" 2>>"$work/log$i" &
  npid[$i]=$!
}
rss_of() { awk '/VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
alive() { kill -0 "${npid[$1]}" 2>/dev/null; }

start_node 0
for _ in $(seq 100); do grep -q 'self=enode' "$work/log0" 2>/dev/null && break; sleep 0.1; done
boot=$(grep -o 'self=enode://[^ ]*' "$work/log0" | head -1 | cut -d= -f2)
[ -n "$boot" ] || { cat "$work/log0"; exit 1; }
for i in $(seq 1 $((N - 1))); do start_node "$i"; done
for i in $(seq 0 $((N - 1))); do restarts[$i]=0; lastsub[$i]=0; done

ready=0
for _ in $(seq 90); do
  sleep 1
  ready=0
  for i in $(seq 0 $((N - 1))); do
    p=$(grep -o 'eth_peers=[0-9]*' "$work/log$i" 2>/dev/null | tail -1 | cut -d= -f2 || true)
    [ -n "$p" ] && [ "$p" -ge 2 ] && ready=$((ready + 1))
  done
  [ "$ready" -eq "$N" ] && break
done
echo "soak: $N nodes, $ready with >= 2 eth peers; running ${DURATION}s"
[ "$ready" -eq "$N" ]
for i in $(seq 0 $((N - 1))); do rss0[$i]=$(rss_of "${npid[$i]}"); rsspeak[$i]=${rss0[$i]}; done

# Transactions to send: 20 senders, enough nonces for the whole run.
per_sender=$(( (DURATION * TX_PER_S) / 20 + 1 ))
: >"$work/txs"
for s in $(seq 1 20); do
  "$cli" key generate "$work/sender$s" >/dev/null
  "$cli" tx make --key "$work/sender$s" --count "$per_sender" >>"$work/txs"
done
mapfile -t txs <"$work/txs"

now_s() { date +%s; }
t0=$(now_s); next_kill=$((t0 + KILL_EVERY)); next_stall=$((t0 + 3)); txi=0; accepted=0; kills=0; stalls=0
declare -a revive_at
while [ $(($(now_s) - t0)) -lt "$DURATION" ]; do
  t=$(now_s)
  # Transactions: TX_PER_S this second, each to a random live node.
  for _ in $(seq "$TX_PER_S"); do
    [ "$txi" -lt "${#txs[@]}" ] || break
    i=$((RANDOM % N))
    alive "$i" || continue
    if "$cli" rpc --ipc "$work/d$i/ethp2p.ipc" eth_sendRawTransaction "[\"${txs[$txi]}\"]" 2>/dev/null | grep -q '"result":"0x'; then
      accepted=$((accepted + 1)); lastsub[$i]=$t
    fi
    txi=$((txi + 1))
  done
  # A kill: a random node (not the bootnode) that took no transaction in the last 3 s (what it took
  # has been passed on by then); back 3 s later.
  if [ "$t" -ge "$next_kill" ]; then
    for _ in 1 2 3 4 5; do
      i=$((1 + RANDOM % (N - 1)))
      if alive "$i" && [ $((t - lastsub[$i])) -ge 3 ]; then
        kill -KILL "${npid[$i]}"; wait "${npid[$i]}" 2>/dev/null || true
        kills=$((kills + 1)); revive_at[$i]=$((t + 3))
        next_kill=$((t + KILL_EVERY))
        break
      fi
    done
  fi
  for i in "${!revive_at[@]}"; do
    if [ "$t" -ge "${revive_at[$i]}" ]; then
      start_node "$i"; restarts[$i]=$((restarts[$i] + 1)); unset "revive_at[$i]"
    fi
  done
  # A stalled peer on a random live node.
  if [ "$t" -ge "$next_stall" ]; then
    i=$((RANDOM % N))
    if alive "$i"; then
      en=$(grep -o 'self=enode://[^ ]*' "$work/log$i" | tail -1 | cut -d= -f2)
      case $((stalls % 3)) in
        0) timeout 20 "$hostile" idle "$en" --n 20 >/dev/null 2>&1 & ;;
        1) timeout 20 "$hostile" no-hello "$en" --n 4 >/dev/null 2>&1 & ;;
        2) timeout 40 "$hostile" ping-noread "$en" >/dev/null 2>&1 & ;;
      esac
      stalls=$((stalls + 1))
    fi
    next_stall=$((t + STALL_EVERY))
  fi
  for i in $(seq 0 $((N - 1))); do
    if alive "$i"; then r=$(rss_of "${npid[$i]}"); [ "$r" -gt "${rsspeak[$i]}" ] && rsspeak[$i]=$r; fi
  done
  sleep 0.5
done
for i in "${!revive_at[@]}"; do start_node "$i"; restarts[$i]=$((restarts[$i] + 1)); done
wait_stalls() { for j in $(jobs -p); do case " ${npid[*]} " in *" $j "*) ;; *) wait "$j" 2>/dev/null || true ;; esac; done; }
wait_stalls
echo "soak: ${DURATION}s done: $accepted transactions accepted, $kills kills and restarts, $stalls stalled peers"

# Every node alive has every accepted transaction (restarted nodes get the pools of their peers).
covered=0
for _ in $(seq 120); do
  covered=0
  for i in $(seq 0 $((N - 1))); do
    p=$("$cli" rpc --ipc "$work/d$i/ethp2p.ipc" txpool_status 2>/dev/null | grep -o '"pending":"0x[0-9a-f]*"' | cut -d'"' -f4 || true)
    [ -n "$p" ] && [ $((p)) -ge "$accepted" ] && covered=$((covered + 1))
  done
  [ "$covered" -eq "$N" ] && break
  sleep 1
done
echo "nodes holding all $accepted transactions: $covered of $N"

printf '%-5s %-9s %-9s %-9s %s\n' node "start KiB" "peak KiB" "end KiB" restarts
bad=0
for i in $(seq 0 $((N - 1))); do
  end=$(rss_of "${npid[$i]}")
  [ "$end" -gt "${rsspeak[$i]}" ] && rsspeak[$i]=$end
  printf '%-5s %-9s %-9s %-9s %s\n' "$i" "${rss0[$i]}" "${rsspeak[$i]}" "$end" "${restarts[$i]}"
  [ "${rsspeak[$i]}" -lt 262144 ] || { echo "node $i: peak RSS ${rsspeak[$i]} KiB"; bad=1; }
done
# Every node still running ends cleanly on SIGTERM.
for i in $(seq 0 $((N - 1))); do kill -TERM "${npid[$i]}" 2>/dev/null || { echo "node $i is not running"; bad=1; }; done
for i in $(seq 0 $((N - 1))); do
  st=0; wait "${npid[$i]}" || st=$?
  [ "$st" -eq 0 ] || { echo "node $i exited with $st"; tail -5 "$work/log$i"; bad=1; }
done
if grep -l 'Sanitizer\|runtime error' "$work"/log* 2>/dev/null; then bad=1; fi
[ "$covered" -eq "$N" ] && [ "$bad" -eq 0 ] && [ "$kills" -ge 1 ]
echo "soak: passed"
