#!/usr/bin/env bash
# `make bench-scale`: the simulators at the sizes of the plots (about 2 hours on
# a 2-core machine; most of it the 100,000-node discv4 run). Reports go to
# BUILD/bench/sims/KIND-NODES.json, where make plots reads them.
#   discv4: 1,000 / 10,000 / 100,000 nodes (signatures simulated at every size, so the three compare),
#     31 virtual minutes: long enough for every node's second table refresh (15-30 minutes after
#     the first, as the reference), which a network that has run for half an hour has had; after
#     the first refresh alone, nodes that joined early are missing from later joiners' tables
#     (93.5% of lookups succeed at 100,000 nodes after 5 minutes, 100% at 10,000 after 31)
#   broadcast: 100 / 1,000 / 10,000 nodes, 1,000 transactions
set -euo pipefail
build=${1:?usage: bench_scale.sh BUILD}
mkdir -p "$build/bench/sims"
for n in ${DISCV4_SIZES:-1000 10000 100000}; do
  echo "# sim discv4 --nodes $n" >&2
  "$build/ethp2p" sim discv4 --nodes "$n" --seed 1 --duration 31m --lookups 200 --signatures simulated \
    | tee "$build/bench/sims/discv4-$n.json"
done
for n in ${BROADCAST_SIZES:-100 1000 10000}; do
  echo "# sim broadcast --nodes $n" >&2
  "$build/ethp2p" sim broadcast --nodes "$n" --txs 1000 --seed 1 | tee "$build/bench/sims/broadcast-$n.json"
done
