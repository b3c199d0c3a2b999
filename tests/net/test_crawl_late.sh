#!/usr/bin/env bash
# The crawler uses its whole --timeout: nodes that join after the crawl
# started are found (it keeps re-asking the nodes that answered, as the
# reference crawler does), and --until-idle still ends a crawl early.
#
#   crawler ---> node 0 (bootnode) <--- nodes 1..5, started 4 s into the crawl
#                127.0.0.1:BASE        127.0.0.1:BASE+i
set -euo pipefail
cli=${1:?usage: test_crawl_late.sh PATH-TO-ethp2p}
N=6
. "$(dirname "$0")/lib.sh"
net_init crawl-late
base=$(net_base 20)

for i in $(seq 0 $((N - 1))); do "$cli" key generate "$work/key$i"; done
net_spawn "$work/log0" "$cli" bootnode --nodekey "$work/key0" --addr "127.0.0.1:$base" --status 2s
boot=$(net_self "$work/log0")
[[ $boot == enode://* ]] || { echo "bootnode printed no enode URL"; cat "$work/log0"; exit 1; }

# --until-idle: with only the bootnode there, the crawl ends long before its timeout.
t0=$(date +%s)
"$cli" discv4 crawl --bootnodes "$boot" --timeout 60s --until-idle "$work/idle.json" 2>"$work/idle.log"
idle_s=$(( $(date +%s) - t0 ))
echo "--until-idle crawl ended after ${idle_s}s of a 60 s timeout"
[ "$idle_s" -lt 40 ] || { cat "$work/idle.log"; exit 1; }

# The real crawl: 20 s; the other nodes join after 4 s.
t0=$(date +%s)
"$cli" discv4 crawl --bootnodes "$boot" --timeout 20s "$work/nodes.json" 2>"$work/crawl.log" &
crawl=$!
pids+=($crawl)
sleep 4
for i in $(seq 1 $((N - 1))); do
  net_spawn "$work/log$i" "$cli" bootnode --nodekey "$work/key$i" --addr "127.0.0.1:$((base + i))" \
    --bootnodes "$boot" --status 2s
done
wait $crawl
crawl_s=$(( $(date +%s) - t0 ))
echo "crawl ran ${crawl_s}s: $(tail -1 "$work/crawl.log")"
[ "$crawl_s" -ge 18 ] || { echo "the crawl ended before its timeout"; cat "$work/crawl.log"; exit 1; }
missing=0
for i in $(seq 0 $((N - 1))); do
  id=$("$cli" key to-id "$work/key$i")
  if ! grep -q "\"$id\"" "$work/nodes.json"; then echo "node $i (joined late: $([ "$i" -gt 0 ] && echo yes || echo no)) not found"; missing=$((missing + 1)); fi
done
echo "found $((N - missing)) of $N nodes, $((N - 1 - (missing > 0 ? missing : 0))) of them started after the crawl"
[ "$missing" -eq 0 ] || { cat "$work/crawl.log"; exit 1; }
