#!/usr/bin/env bash
# Metrics scraped by a real Prometheus (Debian's package), on loopback:
#   two devnet nodes, B dialling A; A serves --metrics;
#   promtool checks A's /metrics text;
#   a Prometheus started here scrapes A every second, and its query API
#   returns A's peer count (1) and a counter that moved (messages received).
# Everything started here is ended by PID.
set -euo pipefail
cli=$1
. "$(dirname "$0")/lib.sh"
net_init prometheus
for t in prometheus promtool curl; do
  command -v $t >/dev/null || { echo "$t not found: scripts/install-deps.sh installs it"; exit 1; }
done
base=$(net_base 10)
net_spawn "$work/logA" "$cli" node --devnet --datadir "$work/a" --listenaddr 127.0.0.1 --port "$base" --nodiscover \
  --metrics --metrics.port $((base + 1)) --status 1h
enodeA=$(net_self "$work/logA")
[ -n "$enodeA" ] || { echo "node A did not start"; cat "$work/logA"; exit 1; }
net_spawn "$work/logB" "$cli" node --devnet --datadir "$work/b" --listenaddr 127.0.0.1 --port $((base + 2)) --nodiscover \
  --staticnodes "$enodeA" --status 1h
url="http://127.0.0.1:$((base + 1))/metrics"
for _ in $(seq 100); do
  curl -sf "$url" | grep -q '^ethp2p_peers{direction="inbound"} 1$' && break
  sleep 0.1
done
curl -sf "$url" >"$work/metrics.txt"
grep -q '^ethp2p_peers{direction="inbound"} 1$' "$work/metrics.txt" || { echo "A has no inbound peer"; cat "$work/metrics.txt"; exit 1; }
echo "A's /metrics: $(wc -l <"$work/metrics.txt") lines, $(grep -vc '^#' "$work/metrics.txt") samples"
promtool check metrics <"$work/metrics.txt"
echo "ok   promtool check metrics passed"

cat >"$work/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: ethp2p
    static_configs:
      - targets: ['127.0.0.1:$((base + 1))']
YML
promtool check config "$work/prometheus.yml" >/dev/null
net_spawn "$work/logP" prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
  --web.listen-address=127.0.0.1:$((base + 3))
api="http://127.0.0.1:$((base + 3))/api/v1/query"
peers=""
for _ in $(seq 300); do
  peers=$(curl -sf --data-urlencode 'query=sum(ethp2p_peers)' "$api" 2>/dev/null \
    | sed -n 's/.*"value":\[[0-9.]*,"\([0-9.]*\)"\].*/\1/p') || true
  [ "$peers" = "1" ] && break
  sleep 0.1
done
[ "$peers" = "1" ] || { echo "FAIL Prometheus's query API gave peers='$peers'"; tail -20 "$work/logP"; exit 1; }
echo "ok   Prometheus scraped the node: sum(ethp2p_peers) = $peers"
up=$(curl -sf --data-urlencode 'query=up{job="ethp2p"}' "$api" | sed -n 's/.*"value":\[[0-9.]*,"\([0-9]*\)"\].*/\1/p')
[ "$up" = "1" ] || { echo "FAIL up{job=ethp2p} = '$up'"; exit 1; }
status=$(curl -sf --data-urlencode 'query=ethp2p_messages_in_total{protocol="eth/68",code="0x00"}' "$api" \
  | sed -n 's/.*"value":\[[0-9.]*,"\([0-9]*\)"\].*/\1/p')
[ "$status" = "1" ] || { echo "FAIL the Status message counter reads '$status'"; exit 1; }
echo "ok   up = 1; the Status A received is counted (eth/68 code 0x00 = $status)"
