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
. "$(dirname "$0")/lib.sh"
net_init hostile
base=$(net_base 20)

"$cli" chain make --blocks 1500 --out "$work/chain.rlp" >/dev/null
net_spawn "$work/log-node" "$cli" node --devnet --import "$work/chain.rlp" --datadir "$work/node" \
  --listenaddr 127.0.0.1 --port "$base" --nodiscover --verbosity 3
node=${pids[0]}
enode=$(net_self "$work/log-node")
[[ $enode == enode://* ]] || { echo "the node printed no enode URL"; cat "$work/log-node"; exit 1; }

rss() { awk '/VmRSS/ {print $2}' "/proc/$node/status"; }

# Honest handshakes from another address, one after another, until told to stop.
honest_loop() {
  local okf=$1 failf=$2
  while [ ! -e "$work/stop" ]; do
    if "$cli" rlpx ping --bind 127.0.0.3 --timeout 3s "$enode" >/dev/null 2>>"$work/honest.err"; then
      echo x >>"$okf"
    else
      echo x >>"$failf"
    fi
    sleep 0.1
  done
}

printf '%-14s %-9s %-9s %-9s %-7s %s\n' attack "rss0 KiB" "peak KiB" "end KiB" honest "figures"
failed=0
attack() {
  local name=$1; shift
  local before peak now okn failn out
  before=$(rss); peak=$before
  rm -f "$work/stop" "$work/ok" "$work/fail"; touch "$work/ok" "$work/fail"
  honest_loop "$work/ok" "$work/fail" &
  local hp=$!
  "$hostile" "$name" "$enode" "$@" >"$work/out.$name" 2>"$work/err.$name" &
  local ap=$!
  while kill -0 $ap 2>/dev/null; do
    now=$(rss); [ "$now" -gt "$peak" ] && peak=$now
    sleep 0.05
  done
  local st=0; wait $ap || st=$?
  # One more honest handshake after the attack, then stop the loop.
  sleep 0.3
  touch "$work/stop"; wait $hp || true
  sleep 0.5
  now=$(rss)
  okn=$(wc -l <"$work/ok"); failn=$(wc -l <"$work/fail")
  printf '%-14s %-9s %-9s %-9s %-7s %s\n' "$name" "$before" "$peak" "$now" "$okn/$((okn + failn))" "$(cat "$work/out.$name")"
  if [ "$st" -ne 0 ]; then echo "  $name: the attacker's checks failed:"; sed 's/^/    /' "$work/err.$name"; failed=1; fi
  if [ "$failn" -ne 0 ] || [ "$okn" -eq 0 ]; then echo "  $name: honest handshakes failed: $failn of $((okn + failn))"; tail -3 "$work/honest.err"; failed=1; fi
  if [ $((peak - before)) -gt 65536 ]; then echo "  $name: RSS grew by $((peak - before)) KiB"; failed=1; fi
  kill -0 "$node" 2>/dev/null || { echo "  the node died during $name"; failed=1; }
}

attack idle --n 300
attack partial-auth --n 200
attack no-hello --n 6
attack bad-auth-mac --n 200
attack bad-frame-mac --n 100
attack huge-frame --n 40
attack snappy-bomb --n 40
attack ping-flood --n 200000
attack ping-noread
attack bad-status
attack wrong-network
attack wrong-forkid
attack no-status
attack big-announce --n 16384
attack big-announce --n 16385
attack huge-range
attack dup-tx-flood --n 20000
attack unanswered --n 200

# The node logged each drop with its reason and never a sanitizer report (lib.sh checks the latter).
grep -c 'lvl=' "$work/log-node" >/dev/null
[ "$failed" -eq 0 ] || exit 1
echo "every attack was cut as it must be; the honest peer was served throughout"
