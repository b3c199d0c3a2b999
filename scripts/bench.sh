#!/usr/bin/env bash
# `make bench` (full) and the smoke run inside `make test` (--quick): every
# benchmark prints its figures beside the bound it is compared with.
set -euo pipefail
build=${1:?usage: bench.sh BUILD [--quick]}
quick=${2:-}
"$build/bench/bench_primitives" $quick
echo
"$build/bench/bench_discv4" $quick
echo
"$build/bench/bench_rlpx" $quick
echo
"$build/bench/bench_peers" ${quick:-10000}
echo
if [ "$quick" = "--quick" ]; then
  echo "# discv4 simulation (smoke: 100 nodes)"
  "$build/ethp2p" sim discv4 --nodes 100 --seed 1 --duration 1m --lookups 20 --signatures simulated
else
  echo "# discv4 simulation: 10,000 nodes (signatures simulated; see docs/benchmarks.md)"
  "$build/ethp2p" sim discv4 --nodes 10000 --seed 1 --duration 5m --lookups 200
fi
