#!/usr/bin/env bash
# `make bench` (full) and the smoke run inside `make test` (--quick): every
# benchmark prints its figures beside the bound it is compared with.
set -euo pipefail
build=${1:?usage: bench.sh BUILD [--quick]}
quick=${2:-}
root=$(cd "$(dirname "$0")/.." && pwd)
# Where the figures go: BUILD/bench (results.json, sims/, and make plots draws BUILD/plots
# from them), or BUILD/bench/quick for the smoke run, so that its small runs never mix
# with the real ones.
out=$build/bench
plots=$build/plots
if [ "$quick" = "--quick" ]; then out=$build/bench/quick plots=$build/bench/quick/plots; fi
mkdir -p "$out/sims"
# A simulator's JSON report, shown and kept for the plots (sims/KIND-NODES.json).
sim() {
  local kind=$1 nodes=$2
  shift 2
  "$build/ethp2p" sim "$kind" --nodes "$nodes" "$@" | tee "$out/sims/$kind-$nodes.json"
}
# Every row is also written as a JSON line; results.json is made from them at the end.
export ETHP2P_BENCH_JSON="$out/rows.jsonl"
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
# BENCH_SIMS=0 leaves out the three simulations (about 70 minutes; make bench-scale runs
# the discv4 and broadcast ones at every plotted size).
if [ "${BENCH_SIMS:-1}" = 1 ]; then
if [ "$quick" = "--quick" ]; then
  echo "# discv4 simulation (smoke: 100 nodes)"
  sim discv4 100 --seed 1 --duration 1m --lookups 20 --signatures simulated
else
  echo "# discv4 simulation: 10,000 nodes (signatures simulated; see docs/benchmarks.md)"
  sim discv4 10000 --seed 1 --duration 5m --lookups 200
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
  sim broadcast 100 --txs 100 --seed 1
else
  echo "# transaction propagation simulation: 1,000 nodes, 1,000 transactions at one node (see docs/benchmarks.md)"
  sim broadcast 1000 --txs 1000 --seed 1
fi
echo
fi
# The same workloads with @ethereumjs/devp2p, right after ours, on the same machine.
echo "# side by side"
node "$root/tests/interop/bench_ethjs.mjs" "$build/ethp2p" "$out/ethjs.jsonl" $quick
echo
node "$root/scripts/bench_results.mjs" "$ETHP2P_BENCH_JSON" "$build" "$out/ethjs.jsonl" --out "$out/results.json"
echo "# $(grep -c '"value"' "$out/results.json") figures written to $out/results.json"
node "$root/scripts/plots.mjs" "$out" "$plots"
if [ "$quick" = "--quick" ]; then
  # The smoke run checks the plots are real PNGs (the full-size data comes from make bench-scale).
  for p in throughput handshakes tx_latency discv4_lookups; do
    head -c 8 "$plots/$p.png" | od -An -tx1 | grep -q "89 50 4e 47 0d 0a 1a 0a" ||
      { echo "bench: $plots/$p.png is not a PNG" >&2; exit 1; }
  done
  echo "# plots: 4 PNGs in $plots"
fi
