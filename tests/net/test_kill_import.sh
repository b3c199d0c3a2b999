#!/usr/bin/env bash
# kill -9 during chain import, 50 times, on one data directory: a node starts
# with a devnet chain to import (2,000 blocks of 10 transfers each, made by
# `ethp2p chain make`) and discovery bonding
# with a loopback bootnode (node DB writes), and is killed with SIGKILL at a
# random moment: in odd rounds between its start and the end of its import
# (the window is measured first), in even rounds within 1.5 s after it, while
# it bonds with the bootnode and writes what it learns. After every kill SQLite's integrity check passes on its
# node database and the node key is unchanged; the next start opens them and
# goes on. At the end a start imports the whole chain and runs.
set -euo pipefail
cli=${1:?usage: test_kill_import.sh PATH-TO-ethp2p}
ROUNDS=${ROUNDS:-50}
. "$(dirname "$0")/lib.sh"
net_init kill-import
base=$(net_base 20)
command -v sqlite3 >/dev/null || { echo "sqlite3 (the SQLite shell) is missing: scripts/install-deps.sh installs it"; exit 1; }

"$cli" key generate "$work/bootkey"
net_spawn "$work/log-boot" "$cli" bootnode --nodekey "$work/bootkey" --addr "127.0.0.1:$base"
boot=$(net_self "$work/log-boot")
[[ $boot == enode://* ]] || { echo "bootnode printed no enode URL"; cat "$work/log-boot"; exit 1; }

"$cli" key generate "$work/sender"
"$cli" chain make --blocks 2000 --txs 10 --key "$work/sender" --out "$work/chain.rlp" >/dev/null
dd="$work/node"
node_args=(node --devnet --import "$work/chain.rlp" --datadir "$dd"
  --listenaddr 127.0.0.1 --port $((base + 1)) --bootnodes "$boot" --netrestrict 127.0.0.0/8 --verbosity 3)

now_ms() { date +%s%3N; }

# One start to the end, to measure the window (start to "chain import" done) and fix the key.
t0=$(now_ms)
"$cli" "${node_args[@]}" >"$work/first.out" 2>"$work/first.log" &
p=$!
for _ in $(seq 2000); do grep -q 'msg="chain import"' "$work/first.log" && break; sleep 0.005; done
window=$(( $(now_ms) - t0 ))
for _ in $(seq 200); do grep -q 'msg="started"' "$work/first.log" && break; sleep 0.02; done
kill -TERM $p; wait $p || true
grep -q 'imported=2000 head=2000' "$work/first.log" || { echo "the first import did not complete"; cat "$work/first.log"; exit 1; }
key=$(sha256sum "$dd/nodekey" | cut -d' ' -f1)
echo "start to imported: ${window} ms; killing at random moments within it"

during_import=0
for r in $(seq 1 "$ROUNDS"); do
  "$cli" "${node_args[@]}" >"$work/r.out" 2>"$work/r.log" &
  p=$!
  if [ $((r % 2)) -eq 1 ]; then delay=$(( RANDOM % (window * 3 / 4 + 1) )); else delay=$(( window + RANDOM % 1500 )); fi
  sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
  kill -KILL $p
  st=0; wait $p 2>/dev/null || st=$?
  [ "$st" -eq 137 ] || { echo "round $r: the node ended with $st before the kill"; cat "$work/r.log"; exit 1; }
  grep -q 'msg="chain import"' "$work/r.log" || during_import=$((during_import + 1))
  if grep -q 'Sanitizer\|runtime error' "$work/r.log"; then cat "$work/r.log"; exit 1; fi
  if [ -f "$dd/nodes.db" ]; then
    ok=$(sqlite3 "$dd/nodes.db" 'PRAGMA integrity_check;')
    [ "$ok" = ok ] || { echo "round $r: integrity check: $ok"; exit 1; }
  fi
  [ "$(sha256sum "$dd/nodekey" | cut -d' ' -f1)" = "$key" ] || { echo "round $r: the node key changed"; exit 1; }
done
echo "$ROUNDS kills, $during_import of them before the import finished; integrity check ok after each"
[ "$during_import" -ge $((ROUNDS / 5)) ] || { echo "too few kills landed during the import"; exit 1; }

# The last start opens what the kills left and runs: the whole chain imported, bonded with the bootnode.
net_spawn "$work/log-last" "$cli" "${node_args[@]}"
for _ in $(seq 100); do grep -q 'msg="started"' "$work/log-last" && break; sleep 0.1; done
grep -q 'imported=2000 head=2000' "$work/log-last" || { echo "the last start did not import"; cat "$work/log-last"; exit 1; }
for _ in $(seq 50); do
  nodes=$(sqlite3 "$dd/nodes.db" 'SELECT count(*) FROM endpoints;')
  [ "$nodes" -ge 1 ] && break
  sleep 0.2
done
ok=$(sqlite3 "$dd/nodes.db" 'PRAGMA integrity_check;')
echo "after the last start: integrity $ok, $nodes bond(s) stored (the bootnode's endpoint proof)"
[ "$ok" = ok ] && [ "$nodes" -ge 1 ]
