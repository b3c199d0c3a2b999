#!/usr/bin/env bash
# Runs an interop test against @ethereumjs/devp2p, installing the pinned npm
# packages into this folder first if they are missing (no lock file is kept).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
test=${1:?usage: run.sh TEST.mjs PATH-TO-ethp2p}
cli=${2:?usage: run.sh TEST.mjs PATH-TO-ethp2p}
if [ ! -d "$here/node_modules/@ethereumjs/devp2p" ]; then
  (cd "$here" && npm install --no-audit --no-fund --loglevel=error)
fi
exec node "$here/$test" "$cli"
