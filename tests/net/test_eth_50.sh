#!/usr/bin/env bash
# 50 `ethp2p node --devnet` processes on loopback. Node 0 is everyone's
# bootnode; the rest find each other through discovery and dial. Once every
# node has eth peers, 1,000 transactions (10 senders x 100 nonces) are
# submitted at node 0 over its IPC socket. Every node must learn every
# transaction; the test prints the time to full coverage and the messages
# sent per transaction (full pushes, hash announcements, fetch requests), and
# asserts that no node received a transaction in full twice from one peer.
# Then 5 blocks made at node 0 must reach every node's head (NewBlock to
# floor(sqrt(n)) peers, hashes to the rest, announced blocks fetched).
set -euo pipefail
cli=${1:?usage: test_eth_50.sh PATH-TO-ethp2p}
N=${N:-50}
TXS_PER_SENDER=${TXS_PER_SENDER:-100}
SENDERS=${SENDERS:-10}
TOTAL=$((TXS_PER_SENDER * SENDERS))
. "$(dirname "$0")/lib.sh"
net_init eth50
now() { date +%s.%N; }
base=$(net_base 60)
start_node() { # index, extra args...
  local i=$1; shift
  net_spawn "$work/log$i" "$cli" node --devnet --datadir "$work/d$i" --listenaddr 127.0.0.1 --port $((base + i)) \
    --maxpeers 12 --status 1s --events "$work/ev$i" "$@"
}
start_node 0
boot=$(net_self "$work/log0")
[ -n "$boot" ] || { cat "$work/log0"; exit 1; }
for i in $(seq 1 $((N - 1))); do start_node "$i" --bootnodes "$boot"; done

# Every node with at least 3 eth peers (bounded).
ready=0
for _ in $(seq 120); do
  sleep 1
  ready=0
  for i in $(seq 0 $((N - 1))); do
    p=$(grep -o 'eth_peers=[0-9]*' "$work/log$i" 2>/dev/null | tail -1 | cut -d= -f2 || true)
    [ -n "$p" ] && [ "$p" -ge 3 ] && ready=$((ready + 1))
  done
  [ "$ready" -eq "$N" ] && break
done
echo "nodes with >= 3 eth peers: $ready of $N"
if [ "$ready" -ne "$N" ]; then
  for i in $(seq 0 $((N - 1))); do echo "node $i: $(grep status "$work/log$i" | tail -1)"; done
  exit 1
fi

# 1,000 transactions at node 0.
: >"$work/txs"
for s in $(seq 1 "$SENDERS"); do
  "$cli" key generate "$work/sender$s" >/dev/null
  "$cli" tx make --key "$work/sender$s" --count "$TXS_PER_SENDER" >>"$work/txs"
done
t0=$(now)
"$cli" rpc --ipc "$work/d0/ethp2p.ipc" eth_sendRawTransaction --each-line "$work/txs" >"$work/submit.json"
t_submitted=$(now)
accepted=$(grep -o '"result":"0x[0-9a-f]*"' "$work/submit.json" | wc -l)
echo "submitted $accepted of $TOTAL at node 0 in $(awk "BEGIN{printf \"%.2f\", $t_submitted - $t0}") s"
[ "$accepted" -eq "$TOTAL" ]

# Wait for full coverage (bounded).
covered=0
for _ in $(seq 240); do
  covered=0
  for i in $(seq 0 $((N - 1))); do
    c=$(grep -c '"event":"tx"' "$work/ev$i" || true)
    [ "$c" -ge "$TOTAL" ] && covered=$((covered + 1))
  done
  [ "$covered" -eq "$N" ] && break
  sleep 0.5
done
echo "nodes with all $TOTAL transactions: $covered of $N"
if [ "$covered" -ne "$N" ]; then
  for i in $(seq 0 $((N - 1))); do echo "node $i: $(grep -c '"event":"tx"' "$work/ev$i" || true) txs; $(grep status "$work/log$i" | tail -1)"; done
  exit 1
fi
last=$(for i in $(seq 0 $((N - 1))); do grep '"event":"tx"' "$work/ev$i" | tail -1 | grep -o '"time":[0-9.]*' | cut -d: -f2; done | sort -n | tail -1)
echo "time to full coverage: $(awk "BEGIN{printf \"%.2f\", $last - $t0}") s after the first submission"

# Messages per transaction, and the no-duplicate rule.
full=0; ann=0; req=0; dup=0; fetched=0
for i in $(seq 0 $((N - 1))); do
  js=$("$cli" rpc --ipc "$work/d$i/ethp2p.ipc" ethp2p_stats)
  get() { echo "$js" | grep -o "\"$1\":[0-9]*" | cut -d: -f2; }
  full=$((full + $(get full_out))); ann=$((ann + $(get announced_out)))
  req=$((req + $(get fetch_requests))); dup=$((dup + $(get dup_full_same_peer))); fetched=$((fetched + $(get fetched)))
done
awk -v f="$full" -v a="$ann" -v r="$req" -v t="$TOTAL" -v n="$N" 'BEGIN {
  printf "per transaction: %.1f full sends, %.1f hash announcements, %.2f fetch requests (%.1f sends in all, %d nodes)\n",
    f / t, a / t, r / t, (f + a + r) / t, n }'
echo "transactions fetched after an announcement: $fetched; received twice in full from one peer: $dup"
[ "$dup" -eq 0 ]

# Blocks (the devnet is before the merge): 5 blocks made at node 0 reach every node's head.
"$cli" chain make --blocks 5 --out "$work/chain.rlp" >/dev/null
tb0=$(now)
# Submit them one by one over IPC (block RLP items, hex): split the chain file with the CLI's own decoder.
i=0
while read -r blk; do
  "$cli" rpc --ipc "$work/d0/ethp2p.ipc" ethp2p_submitBlock "[\"$blk\"]" >/dev/null
  i=$((i + 1))
done < <("$cli" rlpdump --split "$work/chain.rlp")
heads=0
for _ in $(seq 60); do
  heads=0
  for n in $(seq 0 $((N - 1))); do
    h=$(grep -o ' head=[0-9]*' "$work/log$n" | tail -1 | cut -d= -f2 || true)
    [ -n "$h" ] && [ "$h" -ge 5 ] && heads=$((heads + 1))
  done
  [ "$heads" -eq "$N" ] && break
  sleep 0.5
done
bfull=0; bhash=0; bfetch=0
for n in $(seq 0 $((N - 1))); do
  js=$("$cli" rpc --ipc "$work/d$n/ethp2p.ipc" ethp2p_stats)
  bfull=$((bfull + $(echo "$js" | grep -o '"blocks_out":[0-9]*' | cut -d: -f2)))
  bhash=$((bhash + $(echo "$js" | grep -o '"block_hashes_out":[0-9]*' | cut -d: -f2)))
  bfetch=$((bfetch + $(echo "$js" | grep -o '"block_fetches":[0-9]*' | cut -d: -f2)))
done
echo "nodes at block 5: $heads of $N (blocks sent: $i; per block $((bfull / 5)) NewBlock, $((bhash / 5)) NewBlockHashes, $((bfetch / 5)) fetches)"
[ "$heads" -eq "$N" ]
for p in "${pids[@]}"; do kill -0 "$p"; done
echo "50 eth nodes: passed"
