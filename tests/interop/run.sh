#!/usr/bin/env bash
# Runs an interop test against @ethereumjs/devp2p. The pinned npm packages are
# installed by the set-up step (scripts/install-deps.sh --test), never here: a
# slow registry must fail the set-up, not time out a test.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
test=${1:?usage: run.sh TEST.mjs PATH-TO-ethp2p}
cli=${2:?usage: run.sh TEST.mjs PATH-TO-ethp2p}
if [ ! -f "$here/node_modules/.ethp2p-installed" ]; then
  echo "interop: the npm packages are not installed; run 'bash scripts/install-deps.sh --test' (make test does)" >&2
  exit 1
fi
exec node "$here/$test" "$cli"
