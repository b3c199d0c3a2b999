#!/usr/bin/env bash
# The clock-drift check against a real NTP server: Debian's chronyd, started by
# this test on a loopback port, serving its local clock.
#
#   ethp2p ntp ----SNTP----> chronyd 127.0.0.1:PORT
#   ethp2p bootnode (40 dead bootnodes -> many timeouts) --SNTP--> chronyd
set -euo pipefail
cli=${1:?usage: test_ntp_chrony.sh PATH-TO-ethp2p}
chronyd=$(command -v chronyd || echo /usr/sbin/chronyd)
[ -x "$chronyd" ] || { echo "chronyd is not installed (scripts/install-deps.sh installs it)"; exit 1; }
work=$(mktemp -d /tmp/ethp2p-ntp-XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
port=$(( 14000 + RANDOM % 2000 ))
cat >"$work/chrony.conf" <<CONF
port $port
bindaddress 127.0.0.1
cmdport 0
local stratum 8
allow 127.0.0.1
driftfile $work/drift
pidfile $work/chronyd.pid
CONF
# -d: foreground; -x: never touch the system clock; -u root: keep access to $work.
"$chronyd" -d -x -u root -f "$work/chrony.conf" >"$work/chrony.log" 2>&1 &
pids+=($!)
sleep 1

out=$("$cli" ntp --server "127.0.0.1:$port")
echo "ethp2p ntp: $out"
off=$(echo "$out" | sed -n 's/.*"offsetMs": \(-\?[0-9]*\).*/\1/p')
samples=$(echo "$out" | sed -n 's/.*"samples": \([0-9]*\).*/\1/p')
[ "$samples" -eq 3 ] || { echo "expected 3 samples"; exit 1; }
[ "${off#-}" -lt 1000 ] || { echo "offset against a server on the same clock should be ~0, got $off"; exit 1; }

# End to end: a bootnode whose 40 bootnodes are all dead sees > 32 reply
# timeouts in a row and checks its clock against our server.
"$cli" key generate "$work/key"
boots=""
for i in $(seq 1 40); do
  "$cli" key generate "$work/dead$i"
  url=$("$cli" key to-enode "$work/dead$i" --ip 127.0.0.1 --tcp $((port + 100 + i)) --udp $((port + 100 + i)))
  boots="$boots${boots:+,}$url"
done
"$cli" bootnode --nodekey "$work/key" --addr "127.0.0.1:$((port + 1))" --bootnodes "$boots" \
  --ntp "127.0.0.1:$port" >"$work/boot.out" 2>"$work/boot.log" &
pids+=($!)
for _ in $(seq 100); do grep -q 'msg="clock checked"' "$work/boot.log" && break; sleep 0.1; done
grep 'mod=ntp\|clock' "$work/boot.log" || true
grep -q 'msg="clock checked"' "$work/boot.log" || { echo "the bootnode did not check its clock"; cat "$work/boot.log"; exit 1; }
echo "ntp against chronyd: passed"
