# Shared by the loopback network tests (sourced): a work directory, the PIDs
# of what the test starts, and a cleanup that ends them by PID, fails the test
# if any of them died of a signal or any log holds a sanitizer report (leaks
# at exit included), and removes the directory whatever happens.
#   net_init NAME      sets $work, $pids, the EXIT trap
#   net_base SPAN      prints a random base port below 32768 with SPAN free above
#   net_spawn LOG CMD  runs CMD in the background, stderr to LOG (stdout to LOG.out), records its PID
net_init() {
  work=$(mktemp -d "/tmp/ethp2p-$1-XXXXXX")
  pids=()
  trap net_cleanup EXIT
}
net_cleanup() {
  local rc=$?
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  local p st
  for p in "${pids[@]}"; do
    st=0
    wait "$p" 2>/dev/null || st=$?
    # 128+N: died of signal N. SIGTERM (143) is ours; anything else (SIGSEGV,
    # SIGABRT, SIGPIPE...) is a crash even when the test's own checks passed.
    if [ "$st" -gt 128 ] && [ "$st" -ne 143 ]; then
      echo "process $p died of signal $((st - 128))"
      rc=1
    fi
  done
  if grep -l 'Sanitizer\|runtime error' "$work"/log* 2>/dev/null; then
    grep -h -A30 'Sanitizer\|runtime error' "$work"/log* | head -80
    rc=1
  fi
  rm -rf "$work"
  exit $rc
}
# Below the kernel's ephemeral range (32768+), so no outgoing socket holds our ports.
net_base() { echo $(( 20000 + (RANDOM % ((12700 - $1) / 10)) * 10 )); }
net_spawn() {
  local log=$1; shift
  "$@" >"$log.out" 2>"$log" &
  pids+=($!)
}
# The enode URL from a node's start line (waits up to 10 s).
net_self() {
  for _ in $(seq 100); do grep -q 'self=enode' "$1" 2>/dev/null && break; sleep 0.1; done
  grep -o 'self=enode://[^ ]*' "$1" | head -1 | cut -d= -f2
}
