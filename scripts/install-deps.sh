#!/usr/bin/env bash
# Installs the Debian packages ethp2p needs to build, test, benchmark and fuzz.
# This is the one place the dependency list lives; the Makefile calls it before
# every build. Packages already present are skipped, so a second run is quick
# and needs no network.
set -eu

PACKAGES=(
  pkg-config
  libsecp256k1-dev   # keys, signatures, recovery, ECDH
  nettle-dev         # AES, SHA-256, HMAC, Keccak-f[1600] permutation
  libsnappy-dev      # RLPx message compression
  libuv1-dev         # event loop (io/ only)
  libsqlite3-dev     # node database
  libjansson-dev     # JSON for the CLI and test vectors
  libcmocka-dev      # unit tests
  chrony             # a real NTP server for the clock-drift test (started by the test, on loopback)
  clang              # libFuzzer harnesses
  libclang-rt-14-dev # sanitizer and fuzzer runtimes for clang
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-deps: not root and no sudo; install these packages: ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || true
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
