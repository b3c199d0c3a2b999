#!/usr/bin/env bash
# The main job behind `make run`. Until `ethp2p node` lands it shows the identity layer end to end:
# a persistent node key in the data directory, the node ID, enode URL and a
# signed ENR derived from it, and that record decoded again.
# When `ethp2p node` lands (the eth issue), this script starts the node instead.
set -euo pipefail
cli=${1:?usage: run.sh PATH-TO-ethp2p DATADIR}
datadir=${2:?usage: run.sh PATH-TO-ethp2p DATADIR}

mkdir -p "$datadir"
chmod 700 "$datadir"
key="$datadir/nodekey"
if [ ! -f "$key" ]; then
  "$cli" key generate "$key"
  echo "created node key: $key"
else
  echo "using node key:   $key"
fi
echo "node ID:          $("$cli" key to-id "$key")"
echo "enode URL:        $("$cli" key to-enode "$key" --ip 127.0.0.1 --tcp 30303 --udp 30303)"
enr=$("$cli" key to-enr "$key" --ip 127.0.0.1 --tcp 30303 --udp 30303)
echo "node record:      $enr"
echo "decoded record:"
"$cli" enr decode "$enr"
echo
echo "ethp2p $("$cli" version | cut -d' ' -f2): identity, discovery (discv4) and RLPx are ready; the eth protocol"
echo "and 'ethp2p node' are next. Try: $cli bootnode --nodekey $key --addr 127.0.0.1:30301"
echo "(no internet needed: see README 'Without internet' for a local network), or $cli --help"
