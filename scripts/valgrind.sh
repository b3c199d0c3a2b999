#!/usr/bin/env bash
# The tests under Valgrind's memcheck (make valgrind): every unit test binary
# of BUILD/tests, then the loopback integration tests with the CLI they start
# replaced by a wrapper that runs it under memcheck. Any memcheck error or
# definitely lost block in any process fails the run; the logs stay in
# BUILD/valgrind/. Tests with tight timing (floods, hostile peers, soak,
# benchmarks) are left out: under memcheck everything is 20-50x slower.
set -uo pipefail
build=${1:?usage: valgrind.sh BUILD}
build=$(cd "$build" && pwd)
root=$(cd "$(dirname "$0")/.." && pwd)
command -v valgrind >/dev/null || { echo "valgrind is missing: scripts/install-deps.sh installs it"; exit 1; }
out="$build/valgrind"
rm -rf "$out"; mkdir -p "$out/bin" "$out/logs"
# VALGRIND_SKIP_UNIT=1: the integration tests only.
vg=(valgrind --tool=memcheck --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
  --show-leak-kinds=definite --track-fds=no --num-callers=30)

# The CLI wrapper: each run writes its own log.
cat >"$out/bin/ethp2p" <<WRAP
#!/usr/bin/env bash
exec ${vg[*]} --log-file="$out/logs/cli.%p.log" "$build/ethp2p" "\$@"
WRAP
chmod +x "$out/bin/ethp2p"

status=0
echo "valgrind: unit tests"
for t in "$build"/tests/test_*; do
  [ -n "${VALGRIND_SKIP_UNIT:-}" ] && break # the integration tests only
  [ -x "$t" ] || continue
  name=$(basename "$t")
  case $name in test_discv4_sim|test_discv5_sim) continue ;; esac # simulations: minutes under memcheck, no I/O
  if (cd "$build/tests" && timeout 900 "${vg[@]}" --log-file="$out/logs/$name.log" "$t" >"$out/logs/$name.out" 2>&1); then
    echo "valgrind:   $name ok"
  else
    echo "valgrind:   $name FAILED (see $out/logs/$name.log)"; status=1
  fi
done

echo "valgrind: integration tests (the CLI under memcheck)"
cli="$out/bin/ethp2p"
# eth_interop is left out: a peer on another network is refused by both sides at once, and under
# memcheck the JS side is the faster, so the test cannot see our Disconnect win.
for t in interop/run.sh:rlpx_interop.mjs interop/run.sh:discv4_interop.mjs interop/run.sh:eth_chain_interop.mjs \
         interop/run.sh:rpc_interop.mjs net/test_config.sh net/test_bootnodes.sh net/test_kill_import.sh; do
  script=${t%%:*}; arg=${t#*:}; [ "$arg" = "$t" ] && arg=""
  name=$(basename "${arg:-$script}" | sed 's/\.[a-z]*$//')
  if [ -n "$arg" ]; then cmd=(bash "$root/tests/$script" "$arg" "$cli"); else cmd=(bash "$root/tests/$script" "$cli"); fi
  if ROUNDS=10 timeout 1200 "${cmd[@]}" >"$out/logs/$name.out" 2>&1; then
    echo "valgrind:   $name ok"
  else
    echo "valgrind:   $name FAILED (see $out/logs/$name.out)"; status=1
  fi
done

# Every memcheck log: no errors, nothing definitely lost (a process killed on purpose leaves no summary).
bad=0
for l in "$out"/logs/*.log; do
  if grep -q 'ERROR SUMMARY: [1-9]' "$l" || grep -q 'definitely lost: [1-9]' "$l"; then
    echo "valgrind: errors in $l"; grep -E 'ERROR SUMMARY|definitely lost|Invalid|uninitialised' "$l" | head -5; bad=1
  fi
done
n=$(ls "$out"/logs/*.log | wc -l)
echo "valgrind: $n processes checked, $(grep -l 'ERROR SUMMARY: 0 errors' "$out"/logs/*.log | wc -l) with a clean summary"
[ "$bad" -eq 0 ] || status=1
exit $status
