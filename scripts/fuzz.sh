#!/usr/bin/env bash
# Runs every libFuzzer harness in BUILD/fuzz for SECONDS each, JOBS at a time
# (default: the number of cores), starting from the committed seeds in
# fuzz/corpus/<name> and a working corpus kept in the build directory (so the
# repository is never written to). Fails if any harness finds a crash, leak or
# timeout; the input is left in BUILD/fuzz/artifacts. Each harness's figures
# (executions, coverage, corpus) are summed up in BUILD/fuzz/summary.txt.
set -euo pipefail
build=${1:?usage: fuzz.sh BUILD SECONDS [JOBS]}
seconds=${2:?usage: fuzz.sh BUILD SECONDS [JOBS]}
jobs=${3:-$(nproc 2>/dev/null || echo 2)}
root=$(cd "$(dirname "$0")/.." && pwd)
harnesses="rlp enr enode ecies v4wire discv4 discv5 rlpx tx eth chain rpc dnsdisc stun"
mkdir -p "$build/fuzz/artifacts"

run_one() {
  local h=$1 bin="$build/fuzz/fuzz_$1" work="$build/fuzz/corpus-$1" log="$build/fuzz/fuzz_$1.log"
  mkdir -p "$work"
  if "$bin" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
       -artifact_prefix="$build/fuzz/artifacts/$h-" "$work" "$root/fuzz/corpus/$h" >"$log" 2>&1; then
    local done_line execs
    done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1 || true)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    printf 'fuzz: %-8s ok   %10s runs in %ss  %s\n' "$h" "$execs" "$seconds" \
      "$(echo "$done_line" | grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [^ ]+' || true)"
  else
    echo "fuzz: $h FAILED; log: $log" >&2
    tail -40 "$log" >&2
    return 1
  fi
}

status=0
running=0
: >"$build/fuzz/summary.txt"
for h in $harnesses; do
  echo "fuzz: fuzz_$h for ${seconds}s"
  run_one "$h" >>"$build/fuzz/summary.txt" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then
    wait -n || status=1
    running=$((running - 1))
  fi
done
while [ "$running" -gt 0 ]; do
  wait -n || status=1
  running=$((running - 1))
done
sort "$build/fuzz/summary.txt"
exit $status
