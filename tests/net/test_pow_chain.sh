#!/usr/bin/env bash
# A proof-of-work chain whose genesis.json carries `terminalTotalDifficultyPassed:
# true` but no terminalTotalDifficulty: in the reference that flag alone is only
# a sync hint, so the chain is before the merge. Two real nodes import 5 blocks
# of it; a 6th submitted at A travels to B in NewBlock and becomes B's head.
#
#   A (127.0.0.1:BASE, imports 5 blocks) <--static-- B (127.0.0.1:BASE+1, imports 5 blocks)
#   block 6 --ipc--> A --NewBlock--> B
set -euo pipefail
cli=${1:?usage: test_pow_chain.sh PATH-TO-ethp2p}
. "$(dirname "$0")/lib.sh"
net_init pow-chain
base=$(net_base 10)

cat >"$work/genesis.json" <<'JSON'
{"config":{"chainId":4711,"homesteadBlock":0,"eip150Block":0,"eip155Block":0,"eip158Block":0,
 "byzantiumBlock":0,"constantinopleBlock":0,"petersburgBlock":0,"istanbulBlock":0,"berlinBlock":0,
 "londonBlock":0,"terminalTotalDifficultyPassed":true,"ethash":{}},
 "timestamp":"0x0","gasLimit":"0x1c9c380","difficulty":"0x20000","extraData":"0x706f77","alloc":{}}
JSON
info=$("$cli" chain genesis --genesis "$work/genesis.json")
echo "genesis: $info"
echo "$info" | grep -q '"postMerge":false' || { echo "a passed flag without a TTD made the chain post-merge"; exit 1; }

# Blocks without transactions are the same every time: the 5-block file is the 6-block one's start.
"$cli" chain make --genesis "$work/genesis.json" --blocks 5 --out "$work/chain5.rlp" >/dev/null
"$cli" chain make --genesis "$work/genesis.json" --blocks 6 --out "$work/chain6.rlp" >/dev/null
"$cli" rlpdump --split "$work/chain6.rlp" >"$work/blocks.hex"
[ "$("$cli" rlpdump --split "$work/chain5.rlp")" = "$(head -5 "$work/blocks.hex")" ] || { echo "chain make is not deterministic"; exit 1; }

node() { # index, extra args...
  local i=$1; shift
  net_spawn "$work/log$i" "$cli" node --genesis "$work/genesis.json" --import "$work/chain5.rlp" \
    --datadir "$work/d$i" --listenaddr 127.0.0.1 --port $((base + i)) --nodiscover --status 1s \
    --events "$work/ev$i" --verbosity 4 "$@"
}
node 0
a=$(net_self "$work/log0")
[ -n "$a" ] || { cat "$work/log0"; exit 1; }
grep -q 'imported=5 head=5' "$work/log0" || { echo "A did not import the 5 blocks"; grep import "$work/log0"; exit 1; }
node 1 --staticnodes "$a"
for _ in $(seq 50); do grep -q '"event":"status"' "$work/ev1" 2>/dev/null && break; sleep 0.2; done
grep -q '"event":"status"' "$work/ev1" || { echo "B never completed Status with A"; tail "$work/log1"; exit 1; }
version=$(grep -o '"event":"status"[^}]*"version":[0-9]*' "$work/ev1" | head -1 | grep -o '[0-9]*$')
echo "A and B speak eth/$version (before the merge: eth/66-68)"
[ "$version" -le 68 ]

"$cli" rpc --ipc "$work/d0/ethp2p.ipc" ethp2p_submitBlock "[\"$(sed -n 6p "$work/blocks.hex")\"]" >/dev/null
for _ in $(seq 50); do grep -q '"event":"block".*"number":6' "$work/ev1" 2>/dev/null && break; sleep 0.2; done
ev=$(grep '"event":"block"' "$work/ev1" | tail -1 || true)
echo "B: $ev"
echo "$ev" | grep -q '"number":6' || { echo "block 6 did not reach B"; tail -20 "$work/log1"; exit 1; }
echo "$ev" | grep -q '"how":"broadcast"' || { echo "block 6 reached B but not by NewBlock"; exit 1; }
for p in "${pids[@]}"; do kill -0 "$p"; done
echo "proof-of-work chain with only terminalTotalDifficultyPassed: passed"
