#!/usr/bin/env bash
# Configuration files, dumpconfig, log formats and per-module levels:
#   a --config file sets flags; flags given on the command line win;
#   `ethp2p dumpconfig` prints the effective settings, defaults filled in, in
#   the file's own form (read back, it prints the same);
#   unknown keys and wrong types are refused (exit 2);
#   a node started from the file serves what it says (HTTP with its modules),
#   logs JSON lines, and --log.vmodule rpc=4 shows rpc's debug lines only.
set -euo pipefail
cli=$1
. "$(dirname "$0")/lib.sh"
net_init config
base=$(net_base 10)
fail() { echo "FAIL $*"; exit 1; }
jsget() { node -e 'const o=JSON.parse(require("fs").readFileSync(0,"utf8")); const v=o[process.argv[1]]; console.log(Array.isArray(v)?v.join(","):String(v))' "$1"; }

cat >"$work/c.json" <<JSON
{
  "port": 30999,
  "nodiscover": true,
  "http": true,
  "http.port": $((base + 1)),
  "http.api": ["eth", "net", "admin"],
  "log.format": "json",
  "verbosity": 2,
  "log.vmodule": "rpc=4",
  "devnet": true
}
JSON
"$cli" dumpconfig --config "$work/c.json" --port "$base" --datadir "$work/d" >"$work/dump.json"
[ "$(jsget port <"$work/dump.json")" = "$base" ] || fail "the --port flag did not override the file"
[ "$(jsget http.api <"$work/dump.json")" = "eth,net,admin" ] || fail "http.api from the file: $(jsget http.api <"$work/dump.json")"
[ "$(jsget http <"$work/dump.json")" = "true" ] || fail "http from the file"
[ "$(jsget metrics.port <"$work/dump.json")" = "6060" ] || fail "the metrics port default is missing"
[ "$(jsget datadir <"$work/dump.json")" = "$work/d" ] || fail "datadir"
[ "$(jsget metrics <"$work/dump.json")" = "false" ] || fail "metrics should be false"
echo "ok   dumpconfig: flags over the file, defaults filled in ($(grep -c '":' "$work/dump.json") settings)"
"$cli" dumpconfig --config "$work/dump.json" >"$work/dump2.json"
cmp -s "$work/dump.json" "$work/dump2.json" || { diff "$work/dump.json" "$work/dump2.json"; fail "dumpconfig's output read back differs"; }
echo "ok   dumpconfig's output, read back as --config, prints the same"

echo '{"port": 1, "no.such.flag": 2}' >"$work/bad.json"
st=0; "$cli" dumpconfig --config "$work/bad.json" 2>"$work/bad.err" >/dev/null || st=$?
[ $st -eq 2 ] && grep -q 'unknown setting "no.such.flag"' "$work/bad.err" || fail "an unknown key: exit $st, $(cat "$work/bad.err")"
echo '{"nodiscover": "yes"}' >"$work/bad2.json"
st=0; "$cli" dumpconfig --config "$work/bad2.json" 2>"$work/bad2.err" >/dev/null || st=$?
[ $st -eq 2 ] && grep -q 'takes true or false' "$work/bad2.err" || fail "a wrong type: exit $st"
echo '{"port": ' >"$work/bad3.json"
st=0; "$cli" dumpconfig --config "$work/bad3.json" 2>/dev/null >/dev/null || st=$?
[ $st -eq 2 ] || fail "broken JSON: exit $st"
echo "ok   unknown keys, wrong types and broken JSON are refused (exit 2)"

net_spawn "$work/log" "$cli" node --config "$work/c.json" --port "$base" --datadir "$work/d"
for _ in $(seq 100); do [ -s "$work/log.out" ] && break; sleep 0.1; done
grep -q '^enode://' "$work/log.out" || fail "the node did not start: $(cat "$work/log")"
rpc() { curl -sf -H 'Content-Type: application/json' -d "$1" "http://127.0.0.1:$((base + 1))/"; }
# The HTTP endpoint opens just after the enode line (later still under Valgrind).
for _ in $(seq 200); do dd=$(rpc '{"jsonrpc":"2.0","id":1,"method":"admin_datadir"}') && break; sleep 0.1; done
echo "$dd" | grep -q "\"result\":\"$work/d\"" || fail "admin_datadir over HTTP (admin from the file): $dd"
rpc '{"jsonrpc":"2.0","id":1,"method":"txpool_status"}' | grep -q '"code":-32601' || fail "txpool is not in the file's http.api"
curl -s -H 'Content-Type: application/json' -d '{"broken' "http://127.0.0.1:$((base + 1))/" >/dev/null
echo "ok   the node serves the file's HTTP modules"
sleep 0.3
node -e '
const lines = require("fs").readFileSync(process.argv[1], "utf8").split("\n").filter(Boolean)
const objs = lines.map((l) => { try { return JSON.parse(l) } catch { console.log("not JSON: " + l); process.exit(1) } })
const rpcDebug = objs.filter((o) => o.mod === "rpc" && o.lvl === "debug")
const otherDebug = objs.filter((o) => o.mod !== "rpc" && (o.lvl === "debug" || o.lvl === "trace"))
const info = objs.filter((o) => o.mod !== "rpc" && o.lvl === "info")
console.log(`${objs.length} JSON log lines; rpc debug: ${rpcDebug.length}; other modules debug: ${otherDebug.length}, info: ${info.length}`)
if (!rpcDebug.some((o) => o.msg === "request is not JSON" && o.bytes)) { console.log("no rpc debug line with its fields"); process.exit(1) }
if (otherDebug.length || info.length) process.exit(1)
' "$work/log" || fail "the JSON log lines or the module levels"
echo "ok   logs: JSON lines; rpc at debug (--log.vmodule rpc=4), the others at warn (--verbosity 2)"

# Stopping while work is under way (a STUN query to a port where nothing answers: three 1 s
# tries on the thread pool): one SIGTERM waits for it and exits 0 within 5 s; a second
# SIGTERM exits at once with status 1.
stop_node() {
  local name=$1
  "$cli" node --devnet --datadir "$work/$name" --nodiscover --listenaddr 127.0.0.1 --port 0 \
    --nat "stun:127.0.0.1:$((base + 5))" --status 1h >"$work/$name.out" 2>"$work/log-$name" &
  pid=$!
  for _ in $(seq 100); do grep -q 'looking for the gateway' "$work/log-$name" && break; sleep 0.05; done
  sleep 0.3
}
stop_node one
t0=$(date +%s%N)
kill -TERM "$pid"
st=0; wait "$pid" || st=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ $st -eq 0 ] && [ $ms -lt 5000 ] || fail "one SIGTERM: exit $st after $ms ms"
echo "ok   one SIGTERM while a NAT query runs: exit 0 after $ms ms"
stop_node two
kill -TERM "$pid"
sleep 0.2
kill -0 "$pid" 2>/dev/null || fail "the node ended before the second signal (nothing to wait for?)"
t0=$(date +%s%N)
kill -TERM "$pid"
st=0; wait "$pid" || st=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ $st -eq 1 ] && [ $ms -lt 500 ] && grep -q 'second signal: exiting at once' "$work/log-two" \
  || fail "a second SIGTERM: exit $st after $ms ms"
echo "ok   a second SIGTERM: exit 1 after $ms ms"
