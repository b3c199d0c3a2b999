#!/usr/bin/env bash
# discv5 across real processes on loopback: 12 `ethp2p bootnode` processes,
# the first a bootnode for the others (given as an enode URL, as bootnode
# lists are). Their discv5 asks it for its record and looks up random
# targets: every discv5 table fills, and `ethp2p discv5 crawl` finds all 12.
#
#   crawler ---> node 0 <--- nodes 1..11 (discv4 and discv5 on each one's port)
set -euo pipefail
cli=${1:?usage: test_discv5_net.sh PATH-TO-ethp2p}
N=12
. "$(dirname "$0")/lib.sh"
net_init discv5
base=$(net_base 20)

for i in $(seq 0 $((N - 1))); do "$cli" key generate "$work/key$i"; done
net_spawn "$work/log0" "$cli" bootnode --nodekey "$work/key0" --addr "127.0.0.1:$base" --status 1s
boot=$(net_self "$work/log0")
[[ $boot == enode://* ]] || { echo "bootnode printed no enode URL"; cat "$work/log0"; exit 1; }
for i in $(seq 1 $((N - 1))); do
  net_spawn "$work/log$i" "$cli" bootnode --nodekey "$work/key$i" --addr "127.0.0.1:$((base + i))" --bootnodes "$boot" --status 1s
done
# Every discv5 table holds at least half the network (status lines every second, bounded wait).
table5_of() { grep -o 'table5=[0-9]*' "$work/log$1" | tail -1 | cut -d= -f2 || true; }
for _ in $(seq 60); do
  low=0
  for i in $(seq 0 $((N - 1))); do
    t=$(table5_of "$i")
    if [ -z "$t" ] || [ "$t" -lt $((N / 2)) ]; then low=$((low + 1)); fi
  done
  [ "$low" -eq 0 ] && break
  sleep 1
done
echo "discv5 tables: $(for i in $(seq 0 $((N - 1))); do printf '%s ' "$(table5_of "$i")"; done)(of $((N - 1)) others)"
[ "$low" -eq 0 ] || { echo "$low nodes with fewer than $((N / 2)) discv5 table entries"; exit 1; }

record=$(sed -n 2p "$work/log0.out")
[[ $record == enr:* ]] || { echo "bootnode printed no record"; exit 1; }
"$cli" discv5 crawl --bootnodes "$record" --timeout 30s --until-idle "$work/nodes.json" 2>"$work/crawl.log"
tail -1 "$work/crawl.log"
missing=0
for i in $(seq 0 $((N - 1))); do
  id=$("$cli" key to-id "$work/key$i")
  grep -q "\"$id\"" "$work/nodes.json" || { echo "node $i missing from the discv5 crawl"; missing=$((missing + 1)); }
done
echo "discv5 crawl found $((N - missing)) of $N nodes"
[ "$missing" -eq 0 ]
for p in "${pids[@]}"; do kill -0 "$p"; done
