#!/usr/bin/env bash
# Runs every libFuzzer harness in BUILD/fuzz for SECONDS each, starting from the
# committed seeds in fuzz/corpus/<name> and a working corpus kept in the build
# directory (so the repository is never written to). Exits non-zero on the first
# harness that finds a crash, leak or timeout; the input is left in BUILD/fuzz/artifacts.
set -euo pipefail
build=${1:?usage: fuzz.sh BUILD SECONDS}
seconds=${2:?usage: fuzz.sh BUILD SECONDS}
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$build/fuzz/artifacts"
status=0
for h in rlp enr enode ecies v4wire discv5 rlpx tx eth dnsdisc stun; do
  bin="$build/fuzz/fuzz_$h"
  work="$build/fuzz/corpus-$h"
  mkdir -p "$work"
  echo "fuzz: fuzz_$h for ${seconds}s"
  if ! "$bin" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
       -artifact_prefix="$build/fuzz/artifacts/$h-" "$work" "$root/fuzz/corpus/$h" \
       >"$build/fuzz/fuzz_$h.log" 2>&1; then
    echo "fuzz: fuzz_$h FAILED; log: $build/fuzz/fuzz_$h.log" >&2
    tail -40 "$build/fuzz/fuzz_$h.log" >&2
    status=1
  else
    grep -E 'stat::number_of_executed_units|Done' "$build/fuzz/fuzz_$h.log" | tr '\n' ' ' | sed 's/^/fuzz:   /'
    echo
  fi
done
exit $status
