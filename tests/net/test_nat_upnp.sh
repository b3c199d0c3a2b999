#!/usr/bin/env bash
# NAT traversal through a real gateway, in network namespaces this test creates
# (in the manner of WireGuard's netns tests) and deletes:
#
#   ns lan (10.77.0.2) --veth-- ns gw [miniupnpd, nftables NAT] --veth-- ns wan (11.0.0.2)
#   our node, --nat upnp/pmp      10.77.0.1 | 11.0.0.1               a peer outside
#
# For each of upnp and pmp: the node finds the gateway, maps its TCP and UDP
# ports (the mappings appear in the gateway's nftables rules), advertises the
# gateway's external address in its enode and ENR (sequence bumped), and a peer
# outside completes an RLPx handshake with it through the mapping; on SIGTERM
# the mappings are removed. Skips (exit 77) where namespaces are refused.
# The "outside" is 11.0.0.0/24 because miniupnpd refuses a reserved or private
# external address; these namespaces have no link to the host's network, so
# nothing addressed there can leave the machine.
set -euo pipefail
cli=$1
. "$(dirname "$0")/lib.sh"
net_init nat
tag="e2p$$"
lan=${tag}l gw=${tag}g wan=${tag}w
cleanup_ns() { for n in "$lan" "$gw" "$wan"; do ip netns del "$n" 2>/dev/null || true; done; }
finish() {
  local rc=$?
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 0.2
  cleanup_ns
  if grep -l 'Sanitizer\|runtime error' "$work"/log* 2>/dev/null; then grep -h -A30 'Sanitizer\|runtime error' "$work"/log* | head -60; rc=1; fi
  rm -rf "$work"
  exit $rc
}
trap finish EXIT
if ! ip netns add "$gw" 2>/dev/null || ! ip netns exec "$gw" true 2>/dev/null; then
  echo "SKIP: this machine refuses network namespaces ($(ip netns exec "$gw" true 2>&1 | head -1))"
  exit 77
fi
for t in miniupnpd nft; do command -v $t >/dev/null || { echo "$t not found: scripts/install-deps.sh installs it"; exit 1; }; done
ip netns add "$lan"
ip netns add "$wan"
nsx() { local n=$1; shift; ip netns exec "$n" "$@"; }
ip link add v_lan netns "$lan" type veth peer name v_gwl netns "$gw"
ip link add v_wan netns "$wan" type veth peer name v_gww netns "$gw"
nsx "$lan" ip addr add 10.77.0.2/24 dev v_lan
nsx "$gw" ip addr add 10.77.0.1/24 dev v_gwl
nsx "$gw" ip addr add 11.0.0.1/24 dev v_gww
nsx "$wan" ip addr add 11.0.0.2/24 dev v_wan
for n in "$lan" "$gw" "$wan"; do nsx "$n" ip link set lo up; done
nsx "$lan" ip link set v_lan up
nsx "$wan" ip link set v_wan up
nsx "$gw" ip link set v_gwl up
nsx "$gw" ip link set v_gww up
nsx "$lan" ip route add default via 10.77.0.1
nsx "$lan" ip route add 239.0.0.0/8 dev v_lan  # SSDP multicast toward the gateway
nsx "$gw" sysctl -qw net.ipv4.ip_forward=1
# The gateway: forward and NAT, with the chains miniupnpd fills.
nsx "$gw" nft -f - <<'NFT'
table inet filter {
  chain forward { type filter hook forward priority 0; policy accept; jump miniupnpd; }
  chain miniupnpd { }
  chain prerouting { type nat hook prerouting priority -100; policy accept; jump prerouting_miniupnpd; }
  chain postrouting { type nat hook postrouting priority 100; policy accept; jump postrouting_miniupnpd; oifname "v_gww" masquerade; }
  chain prerouting_miniupnpd { }
  chain postrouting_miniupnpd { }
}
NFT
cat >"$work/miniupnpd.conf" <<CONF
ext_ifname=v_gww
listening_ip=v_gwl
http_port=5000
enable_upnp=yes
enable_natpmp=yes
secure_mode=yes
system_uptime=yes
uuid=3d3cec3a-8cf0-11e0-98ee-001a6bd2d07b
allow 1024-65535 10.77.0.0/24 1024-65535
deny 0-65535 0.0.0.0/0 0-65535
CONF
net_spawn "$work/log-gw" ip netns exec "$gw" miniupnpd -d -f "$work/miniupnpd.conf" -P "$work/miniupnpd.pid"
sleep 1
"$cli" key generate "$work/key" >/dev/null

round() {
  local mode=$1 port=$2
  # A 4 s lease: renewed at 3 s; still there at 6 s only if the renewals work.
  net_spawn "$work/log-$mode" ip netns exec "$lan" "$cli" node --devnet --datadir "$work/d-$mode" --nodekey "$work/key" \
    --port "$port" --nat "$mode" --nat.lease 4s --status 1h --bootnodes "" --verbosity 4
  local pid=${pids[-1]}
  for _ in $(seq 100); do grep -q 'msg="external address"' "$work/log-$mode" && break; sleep 0.1; done
  grep -q "msg=\"external address\" ip=11.0.0.1 via=$mode" "$work/log-$mode" \
    || { echo "FAIL $mode: no external address"; cat "$work/log-$mode"; tail "$work/log-gw"; exit 1; }
  local self
  self=$(grep -o 'msg="external address".*self=enode://[^ ]*' "$work/log-$mode" | grep -o 'enode://[^ ]*')
  [[ $self == *@11.0.0.1:$port* ]] || { echo "FAIL $mode: advertised $self"; exit 1; }
  echo "ok   $mode: the gateway's address is advertised: ${self:0:30}...@11.0.0.1:$port"
  local rules
  rules=$(nsx "$gw" nft list chain inet filter prerouting_miniupnpd)
  # miniupnpd writes the protocol as the IP header's byte 9: 0x6 TCP, 0x11 UDP.
  echo "$rules" | grep -q "0x6 th dport $port dnat ip to 10.77.0.2:$port" \
    && echo "$rules" | grep -q "0x11 th dport $port dnat ip to 10.77.0.2:$port" \
    || { echo "FAIL $mode: no mappings in the gateway"; echo "$rules"; exit 1; }
  echo "ok   $mode: TCP and UDP $port forwarded by the gateway (nftables prerouting_miniupnpd)"
  sleep 6.5
  rules=$(nsx "$gw" nft list chain inet filter prerouting_miniupnpd)
  echo "$rules" | grep -q "0x6 th dport $port dnat" || { echo "FAIL $mode: the mapping lapsed after its 4 s lease"; tail "$work/log-gw"; exit 1; }
  renewed=$(grep -c 'msg="mappings renewed"' "$work/log-$mode" || true)
  [ "$renewed" -ge 1 ] || { echo "FAIL $mode: not renewed in 6.5 s"; exit 1; }
  echo "ok   $mode: a 4 s lease renewed $renewed times in 6.5 s; the mapping is still there"
  # The ENR (over the admin API) carries the external address, sequence above 1.
  local info
  info=$(nsx "$lan" "$cli" rpc --ipc "$work/d-$mode/ethp2p.ipc" admin_nodeInfo)
  local enr
  enr=$(echo "$info" | grep -o '"enr":"enr:[^"]*"' | cut -d'"' -f4)
  "$cli" enr decode "$enr" >"$work/enr-$mode.txt"
  grep -q '11.0.0.1' "$work/enr-$mode.txt" || { echo "FAIL $mode: ENR without the external IP"; cat "$work/enr-$mode.txt"; exit 1; }
  echo "ok   $mode: the ENR holds 11.0.0.1 ($(grep -i -o 'seq[^,]*' "$work/enr-$mode.txt" | head -1))"
  # A peer outside reaches the node through the gateway.
  nsx "$wan" "$cli" rlpx ping "$self" >"$work/ping-$mode.txt" 2>&1 \
    || { echo "FAIL $mode: the outside peer could not reach the node"; cat "$work/ping-$mode.txt"; exit 1; }
  echo "ok   $mode: a peer in the outside namespace completed RLPx with the node: $(head -1 "$work/ping-$mode.txt")"
  kill -TERM "$pid"
  wait "$pid" || true
  pids=("${pids[@]:0:${#pids[@]}-1}")
  grep -q 'msg="mappings removed"' "$work/log-$mode" || { echo "FAIL $mode: mappings not removed"; tail -5 "$work/log-$mode"; exit 1; }
  rules=$(nsx "$gw" nft list chain inet filter prerouting_miniupnpd)
  if [[ $rules == *"dport $port "* ]]; then echo "FAIL $mode: mappings left in the gateway"; echo "$rules"; exit 1; fi
  echo "ok   $mode: on SIGTERM the mappings were removed from the gateway"
}
round upnp 30311
round pmp 30312

# The gateway does end lapsed leases (so "still there after its lease" above means renewed):
# a node killed with SIGKILL cannot remove its mapping, which goes when its 4 s lease ends.
net_spawn "$work/log-kill" ip netns exec "$lan" "$cli" node --devnet --datadir "$work/d-kill" --port 30314 --nat upnp \
  --nat.lease 4s --status 1h --bootnodes ""
for _ in $(seq 100); do grep -q 'msg="external address"' "$work/log-kill" && break; sleep 0.1; done
kill -9 "${pids[-1]}"
wait "${pids[-1]}" 2>/dev/null || true
pids=("${pids[@]:0:${#pids[@]}-1}")
# (the rules are read into a variable first: grep -q ending a pipe early fails it under pipefail)
rules_now() { nsx "$gw" nft list chain inet filter prerouting_miniupnpd; }
r=$(rules_now); [[ $r == *"dport 30314 "* ]] || { echo "FAIL no mapping to lapse"; exit 1; }
gone=0
for i in $(seq 100); do
  r=$(rules_now)
  if [[ $r != *"dport 30314 "* ]]; then gone=$i; break; fi
  sleep 0.1
done
[ $gone -gt 0 ] || { echo "FAIL the gateway kept a lapsed mapping for 10 s"; exit 1; }
echo "ok   a killed node's mapping lapsed with its lease after $((gone * 100)) ms: the gateway enforces leases"

# STUN: a real STUN server (coturn) outside; the node learns the address the
# gateway's masquerading gives it, without any mapping.
if command -v turnserver >/dev/null; then
  net_spawn "$work/log-stun-server" ip netns exec "$wan" turnserver --stun-only --no-cli --no-tls --no-dtls \
    --listening-ip=11.0.0.2 --listening-port=3478 --log-file=stdout --simple-log --no-stdout-log
  sleep 0.5
  net_spawn "$work/log-stun" ip netns exec "$lan" "$cli" node --devnet --datadir "$work/d-stun" --nodekey "$work/key" \
    --port 30313 --nat stun:11.0.0.2:3478 --status 1h --bootnodes "" --verbosity 4
  for _ in $(seq 100); do grep -q 'msg="external address"' "$work/log-stun" && break; sleep 0.1; done
  grep -q 'msg="external address" ip=11.0.0.1 via=stun' "$work/log-stun" \
    || { echo "FAIL stun: no external address"; cat "$work/log-stun"; exit 1; }
  info=$(nsx "$lan" "$cli" rpc --ipc "$work/d-stun/ethp2p.ipc" admin_nodeInfo)
  "$cli" enr decode "$(echo "$info" | grep -o '"enr":"enr:[^"]*"' | cut -d'"' -f4)" | grep -q '11.0.0.1' \
    || { echo "FAIL stun: the ENR lacks 11.0.0.1"; exit 1; }
  echo "ok   stun: coturn outside the NAT told the node its address (11.0.0.1); the ENR holds it"
else
  echo "turnserver not found: scripts/install-deps.sh installs coturn"; exit 1
fi
