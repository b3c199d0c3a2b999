# Shared by the hostile-peer suites (test_hostile.sh, test_hostile_discv4.sh), sourced after
# lib.sh: while one attack of tests/hostile/hostile runs against $node (PID) / $enode, an honest
# client ($honest_cmd, run again and again) must keep being served; the node's RSS is sampled
# before, at the peak and after. A table line per attack; $failed set on any failure.
#   hostile_attack NAME [ARGS...]   runs `$hostile NAME $enode ARGS...`
# Optional: hostile_after NAME (a function) prints extra figures after each attack.
failed=0
rss() { awk '/VmRSS/ {print $2}' "/proc/$node/status"; }

honest_loop() {
  while [ ! -e "$work/stop" ]; do
    if "${honest_cmd[@]}" >/dev/null 2>>"$work/honest.err"; then echo x >>"$work/ok"; else echo x >>"$work/fail"; fi
    sleep 0.1
  done
}

printf '%-14s %-9s %-9s %-9s %-7s %s\n' attack "rss0 KiB" "peak KiB" "end KiB" honest "figures"
hostile_attack() {
  local name=$1; shift
  local before peak now okn failn st=0
  before=$(rss); peak=$before
  rm -f "$work/stop" "$work/ok" "$work/fail"; touch "$work/ok" "$work/fail"
  honest_loop &
  local hp=$!
  "$hostile" "$name" "$enode" "$@" >"$work/out.$name" 2>"$work/err.$name" &
  local ap=$!
  while kill -0 $ap 2>/dev/null; do
    now=$(rss); [ "$now" -gt "$peak" ] && peak=$now
    sleep 0.05
  done
  wait $ap || st=$?
  sleep 0.3 # one more honest round after the attack
  touch "$work/stop"; wait $hp || true
  sleep 0.5
  now=$(rss)
  okn=$(wc -l <"$work/ok"); failn=$(wc -l <"$work/fail")
  printf '%-14s %-9s %-9s %-9s %-7s %s\n' "$name" "$before" "$peak" "$now" "$okn/$((okn + failn))" "$(cat "$work/out.$name")"
  if declare -F hostile_after >/dev/null; then hostile_after "$name"; fi
  if [ "$st" -ne 0 ]; then echo "  $name: the attacker's checks failed:"; sed 's/^/    /' "$work/err.$name"; failed=1; fi
  if [ "$failn" -ne 0 ] || [ "$okn" -eq 0 ]; then echo "  $name: honest requests failed: $failn of $((okn + failn))"; tail -3 "$work/honest.err"; failed=1; fi
  if [ $((peak - before)) -gt 65536 ]; then echo "  $name: RSS grew by $((peak - before)) KiB"; failed=1; fi
  kill -0 "$node" 2>/dev/null || { echo "  the node died during $name"; failed=1; }
}
