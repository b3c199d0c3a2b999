#!/usr/bin/env bash
# The hostile-peer suite for discv4 (docs/security.md): a node with discovery
# on loopback is flooded from 127.0.0.2 by tests/hostile/hostile at 10,000
# datagrams a second (garbage, bad signatures, expired, oversized, unsolicited
# replies, FindNode from identities that never bonded) while an honest
# `ethp2p discv4 ping` keeps being answered. For each flood: nothing comes
# back to the attacker (no amplification), at least 90% of the datagrams are
# counted under their drop reason in /metrics (the node handled them at the
# rate printed; the rest the kernel may drop in bursts), every honest Ping
# answered, RSS before/peak/after.
#
# Then a Sybil set: in a network namespace the test creates (addresses of
# 11.0.0.0/24 on its loopback; the table's IP limits exempt LAN addresses, as
# the reference's do), 200 identities on 200 addresses of one /24 bond with a
# node; its table keeps at most 10 of them (2 per bucket, 10 per /24).
set -euo pipefail
cli=${1:?usage: test_hostile_discv4.sh PATH-TO-ethp2p PATH-TO-hostile}
hostile=${2:?usage: test_hostile_discv4.sh PATH-TO-ethp2p PATH-TO-hostile}
N=${N:-40000}
# Under ASan, freed memory waits in a 256 MiB quarantine and would read as growth: keep it small.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=8"
. "$(dirname "$0")/lib.sh"
net_init hostile-v4
base=$(net_base 20)

net_spawn "$work/log-node" "$cli" node --devnet --datadir "$work/node" --listenaddr 127.0.0.1 --port "$base" \
  --netrestrict 127.0.0.0/8 --bootnodes "" --metrics --metrics.port $((base + 1)) --verbosity 3
node=${pids[0]}
enode=$(net_self "$work/log-node")
[[ $enode == enode://* ]] || { echo "the node printed no enode URL"; cat "$work/log-node"; exit 1; }

drops() { curl -s "http://127.0.0.1:$((base + 1))/metrics" | grep '^ethp2p_discovery_drops_total{protocol="discv4"' | tr -d '{}"' |
  sed 's/.*reason=\([a-z_]*\) \(.*\)/\1 \2/'; }
drop_of() { drops | awk -v r="$1" '$1 == r {print $2}'; }

# Each flood and the drop reason all of its datagrams must be counted under.
declare -A reason=([v4-garbage]=bad_hash [v4-badsig]=bad_signature [v4-expired]=expired [v4-oversized]=too_big
  [v4-unsolicited]=unsolicited [v4-findnode]=no_bond)
declare -A before_drop
hostile_after() {
  local r=${reason[$1]} now
  now=$(drop_of "$r")
  local got=$((now - ${before_drop[$1]}))
  echo "  $1: $got of $N dropped as $r"
  # Garbage of 1..1280 bytes: a few are too short to hash (malformed); the rest fail the hash.
  local want=$((N * 9 / 10))
  [ "$1" = v4-garbage ] && want=$((N * 85 / 100))
  [ "$got" -ge "$want" ] || { echo "  $1: only $got counted under $r"; failed=1; }
}

honest_cmd=("$cli" discv4 ping --timeout 3s "$enode")
. "$(dirname "$0")/hostile_lib.sh"

for a in v4-garbage v4-badsig v4-expired v4-oversized v4-unsolicited v4-findnode; do
  before_drop[$a]=$(drop_of "${reason[$a]}")
  hostile_attack "$a" --n "$N" --rate 10000
done
echo "node's discv4 drops by reason:"; drops | sed 's/^/  /'

ns="ethp2p-sybil-$$"
if ip netns add "$ns" 2>/dev/null && ip netns exec "$ns" true 2>/dev/null; then
  trap 'ip netns del "$ns" 2>/dev/null; net_cleanup' EXIT
  ip netns exec "$ns" ip link set lo up
  ip netns exec "$ns" ip addr add 11.0.0.1/24 dev lo
  ip netns exec "$ns" ip route replace local 11.0.0.0/24 dev lo
  net_spawn "$work/log-sybil" ip netns exec "$ns" "$cli" node --devnet --datadir "$work/sybil" --listenaddr 11.0.0.1 \
    --port "$base" --bootnodes "" --metrics --metrics.port $((base + 1)) --verbosity 3
  senode=$(net_self "$work/log-sybil")
  ip netns exec "$ns" "$hostile" v4-sybil "$senode" --from 11.0.0.2 --n 200 || failed=1
  table=$(ip netns exec "$ns" curl -s "http://127.0.0.1:$((base + 1))/metrics" |
    awk '/^ethp2p_discovery_table_nodes\{protocol="discv4"\}/ {print $2}')
  echo "v4-sybil: 200 identities of one /24 bonded; the table holds ${table:-?} of them (limit 10)"
  [ -n "$table" ] && [ "$table" -ge 1 ] && [ "$table" -le 10 ] || { echo "  v4-sybil: the table's /24 limit did not hold"; failed=1; }
else
  ip netns del "$ns" 2>/dev/null || true
  echo "v4-sybil: SKIPPED: network namespaces are refused here (the rest ran)"
fi
[ "$failed" -eq 0 ] || exit 1
echo "no flood was answered or amplified; the node counted each under its drop reason; honest Pings were answered throughout"
