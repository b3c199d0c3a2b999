#!/usr/bin/env bash
# The main job behind `make run`: an Ethereum node (mainnet by default) that
# joins the network through the public bootnodes and relays transactions.
# Its status line every 5 s: peers, eth peers, known nodes, transactions and
# blocks seen and per second. Stop with Ctrl-C.
#   make run                      mainnet
#   make run RUN_ARGS=--sepolia   another network (any `ethp2p node` flags)
# Without internet it says so after 10 s and points at the offline devnet
# (`make devnet`).
set -euo pipefail
cli=${1:?usage: run.sh PATH-TO-ethp2p DATADIR [node flags]}
datadir=${2:?usage: run.sh PATH-TO-ethp2p DATADIR [node flags]}
shift 2
net=mainnet
for a in "$@"; do
  case "$a" in --sepolia) net=sepolia ;; --holesky) net=holesky ;; --hoodi) net=hoodi ;; --devnet) net=devnet ;; esac
done
echo "starting: $cli node --datadir $datadir/$net --status 5s $*"
echo "(Ctrl-C stops it; JSON-RPC: $cli rpc --ipc $datadir/$net/ethp2p.ipc admin_peers)"
exec "$cli" node --datadir "$datadir/$net" --status 5s "$@"
