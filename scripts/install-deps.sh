#!/usr/bin/env bash
# Installs what ethp2p needs to build, test, benchmark and fuzz: Debian
# packages, and (with --test) the pinned npm packages of the interop peers in
# tests/interop. This is the one place the dependency list lives; the Makefile
# calls it before every build ('make test' with --test). What is already
# present is skipped, so a second run is quick and needs no network.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
with_test=0
[ "${1:-}" = "--test" ] && with_test=1

PACKAGES=(
  pkg-config
  libsecp256k1-dev   # keys, signatures, recovery, ECDH
  nettle-dev         # AES, SHA-256, HMAC, Keccak-f[1600] permutation
  libsnappy-dev      # RLPx message compression
  libsodium-dev      # SipHash-2-4: the keyed choice of which peers get a transaction in full
  libuv1-dev         # event loop (io/ only)
  libsqlite3-dev     # node database
  sqlite3            # the SQLite shell: integrity checks of the node database after kill -9 in the fault tests
  zlib1g-dev         # named by sqlite3's static link line (pkg-config --static), used by tests/install
  libjansson-dev     # JSON for the CLI and test vectors
  libc-ares-dev      # DNS TXT lookups for DNS node lists (EIP-1459)
  libminiupnpc-dev   # --nat upnp: port mappings through a UPnP gateway
  libnatpmp-dev      # --nat pmp: port mappings through a NAT-PMP gateway
  miniupnpd-nftables # a real UPnP/NAT-PMP gateway for the NAT test (in network namespaces the test creates)
  coturn             # a real STUN server for --nat stun (in the NAT test's namespaces)
  nftables           # the gateway's firewall and NAT rules inside those namespaces
  iproute2           # ip netns, veth: the NAT test's namespaces
  libmicrohttpd-dev  # the node's HTTP endpoints: JSON-RPC (--http) and Prometheus metrics (--metrics)
  libcmocka-dev      # unit tests
  chrony             # a real NTP server for the clock-drift test (started by the test, on loopback)
  curl               # the HTTP client of the metrics, RPC and config tests
  prometheus         # a real Prometheus (and promtool) scraping the node's /metrics in its test
  dnsmasq-base       # a real DNS server for the DNS node list tests (started by the test, on loopback)
  valgrind           # make valgrind: the tests under memcheck
  gnuplot-nox        # make plots: the benchmark figures as PNGs (and a smoke plot in make test)
  clang              # libFuzzer harnesses
  libclang-rt-14-dev # sanitizer and fuzzer runtimes for clang
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
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
  # Servers the tests start themselves (prometheus, miniupnpd, chrony) must not
  # start as system services on install: policy-rc.d says no while apt runs.
  own_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod +x /usr/sbin/policy-rc.d
    own_policy=1
  fi
  rc=0
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" || rc=$?
  [ $own_policy -eq 1 ] && $SUDO rm -f /usr/sbin/policy-rc.d
  if command -v systemctl >/dev/null 2>&1; then
    for unit in prometheus miniupnpd coturn; do $SUDO systemctl disable "$unit" >/dev/null 2>&1 || true; done
  fi
  [ $rc -eq 0 ] || exit $rc
fi

# The interop tests' foreign peers (tests/interop/package.json, pinned; no lock
# file naming a registry host). Installed here, before any test runs, so that a
# slow registry fails the set-up with a clear message instead of timing out a test.
if [ $with_test -eq 1 ]; then
  interop="$here/../tests/interop"
  stamp="$interop/node_modules/.ethp2p-installed"
  if [ ! -f "$stamp" ] || [ "$interop/package.json" -nt "$stamp" ]; then
    if ! command -v npm >/dev/null 2>&1; then
      echo "install-deps: npm is needed for the interop tests (Node.js with npm)" >&2
      exit 1
    fi
    echo "install-deps: installing the interop peers from npm (tests/interop)" >&2
    ok=0
    for attempt in 1 2 3; do
      if (cd "$interop" && npm install --no-audit --no-fund --no-package-lock --loglevel=error); then ok=1; break; fi
      echo "install-deps: npm install failed (attempt $attempt of 3)" >&2
      sleep $((attempt * 5))
    done
    if [ $ok -ne 1 ]; then
      echo "install-deps: could not install tests/interop's npm packages; the interop tests need them" >&2
      exit 1
    fi
    touch "$stamp"
  fi
fi
