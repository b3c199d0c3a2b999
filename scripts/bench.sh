#!/usr/bin/env bash
# `make bench` (full) and the smoke run inside `make test` (--quick): every
# benchmark prints its figures beside the bound it is compared with.
set -euo pipefail
build=${1:?usage: bench.sh BUILD [--quick]}
quick=${2:-}
root=$(cd "$(dirname "$0")/.." && pwd)
# Every row is also written as a JSON line; results.json is made from them at the end.
mkdir -p "$build/bench"
export ETHP2P_BENCH_JSON="$build/bench/rows.jsonl"
: >"$ETHP2P_BENCH_JSON"
"$build/bench/bench_primitives" $quick
echo
"$build/bench/bench_discv4" $quick
echo
"$build/bench/bench_discv5" $quick
echo
"$build/bench/bench_rlpx" $quick
echo
"$build/bench/bench_throughput" $quick
echo
"$build/bench/bench_peers" ${quick:-10000}
echo
"$build/bench/bench_eth" $quick
echo
if [ "$quick" = "--quick" ]; then
  echo "# discv4 simulation (smoke: 100 nodes)"
  "$build/ethp2p" sim discv4 --nodes 100 --seed 1 --duration 1m --lookups 20 --signatures simulated
else
  echo "# discv4 simulation: 10,000 nodes (signatures simulated; see docs/benchmarks.md)"
  "$build/ethp2p" sim discv4 --nodes 10000 --seed 1 --duration 5m --lookups 200
fi
echo
if [ "$quick" = "--quick" ]; then
  echo "# discv5 simulation (smoke: 60 nodes)"
  "$build/ethp2p" sim discv5 --nodes 60 --seed 1 --duration 1m --lookups 20
else
  echo "# discv5 simulation: 10,000 nodes, real handshakes and records (see docs/benchmarks.md)"
  "$build/ethp2p" sim discv5 --nodes 10000 --seed 1 --duration 5m --lookups 200
fi
echo
if [ "$quick" = "--quick" ]; then
  echo "# transaction propagation simulation (smoke: 100 nodes, 100 transactions)"
  "$build/ethp2p" sim broadcast --nodes 100 --txs 100 --seed 1
else
  echo "# transaction propagation simulation: 1,000 nodes, 1,000 transactions at one node (see docs/benchmarks.md)"
  "$build/ethp2p" sim broadcast --nodes 1000 --txs 1000 --seed 1
fi
echo
node "$root/scripts/bench_results.mjs" "$ETHP2P_BENCH_JSON" "$build" >"$build/bench/results.json"
echo "# $(grep -c '"value"' "$build/bench/results.json") figures written to $build/bench/results.json"
