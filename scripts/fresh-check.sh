#!/usr/bin/env bash
# The fresh-root check: what a newcomer meets. A new Debian bookworm root
# (debootstrap) with only what a new machine of this kind has (gcc, make,
# cmake, git, Node.js with npm), a clean clone of this repository's HEAD, and
# only the README's two commands: `make run` (stopped after RUN_SECONDS; with
# no internet it must say so and point at the devnet) and `make test`.
# Prints how long each took. Run it as root before calling a release done:
#
#   bash scripts/fresh-check.sh [ROOT-DIR]      (default /var/tmp/ethp2p-fresh)
#
# What a new machine of this kind has beyond Debian's packages is copied from
# this one: its Node.js build with npm (not Debian's older nodejs), and the
# certificate authorities it trusts (/usr/local/share/ca-certificates, which
# the package registries may need). Where the host has no node, Debian's
# nodejs and npm are installed. KEEP=1 keeps the root afterwards.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
root=${1:-/var/tmp/ethp2p-fresh}
RUN_SECONDS=${RUN_SECONDS:-240}
mirror=${MIRROR:-$(awk '/^URIs:/ && $2 ~ /debian$/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)}
mirror=${mirror:-http://deb.debian.org/debian}

[ "$(id -u)" -eq 0 ] || { echo "fresh-check: run as root (debootstrap and chroot)" >&2; exit 1; }
command -v debootstrap >/dev/null || { apt-get update -qq || true; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap; }

mounted=()
cleanup() {
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[$i]}" 2>/dev/null || true; done
  if [ "${KEEP:-0}" != 1 ]; then rm -rf "$root"; fi
}
trap cleanup EXIT

rm -rf "$root"
mkdir -p "$root"
echo "fresh-check: debootstrap bookworm into $root from $mirror"
t0=$(date +%s)
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.debootstrap.log" 2>&1 ||
  { tail -20 "$root.debootstrap.log"; exit 1; }
# As on a real machine, / is a mount point (ip netns exec remounts it as a slave) and /run
# a tmpfs; everything mounted below (the NAT test's /run/netns) goes with the root's unmount.
mount --bind "$root" "$root"
mounted+=("$root")
mount --make-private "$root"
mount -t tmpfs tmpfs "$root/run"
mounted+=("$root/run")
for m in proc sys dev dev/pts; do
  mount --bind "/$m" "$root/$m"
  mounted+=("$root/$m")
done
cp /etc/resolv.conf "$root/etc/resolv.conf"
# Every installed Debian system has these names; debootstrap's minbase writes no /etc/hosts.
[ -s "$root/etc/hosts" ] || printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
in_root() { chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  LANG=C.UTF-8 TERM=dumb bash -c "$1"; }

# What a new machine of this kind has, and nothing more.
in_root "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  gcc make cmake git ca-certificates libc6-dev procps iproute2 >/dev/null"
if ls /usr/local/share/ca-certificates/*.crt >/dev/null 2>&1; then
  mkdir -p "$root/usr/local/share/ca-certificates"
  cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
  in_root "update-ca-certificates >/dev/null 2>&1"
fi
node_bin=$(command -v node || true)
if [ -n "$node_bin" ] && [ -d /usr/lib/node_modules/npm ]; then
  cp "$(readlink -f "$node_bin")" "$root/usr/bin/node"
  mkdir -p "$root/usr/lib/node_modules" "$root/usr/etc"
  cp -a /usr/lib/node_modules/npm "$root/usr/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/bin/npx"
  [ -f /usr/etc/npmrc ] && cp /usr/etc/npmrc "$root/usr/etc/npmrc"
else
  in_root "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null"
fi
echo "fresh-check: root ready in $(( $(date +%s) - t0 )) s: $(in_root 'gcc --version | head -1; cmake --version | head -1; echo node $(node --version) npm $(npm --version)' | tr '\n' ';')"

git clone -q "$repo" "$root/root/ethp2p"

# 1. make run: installs the packages, builds, starts the node. Stopped with Ctrl-C
# (SIGINT) once it has printed two status lines, or after RUN_SECONDS.
t1=$(date +%s)
in_root "cd /root/ethp2p && exec timeout -s INT $RUN_SECONDS make run" >"$root.run.log" 2>&1 &
run_pid=$!
while kill -0 $run_pid 2>/dev/null; do
  if [ "$(grep -c 'msg="status"' "$root.run.log")" -ge 2 ]; then
    pkill -INT -f "ethp2p node --datadir /root/.ethp2p" || true
    break
  fi
  sleep 2
done
set +e
wait $run_pid
run_rc=$?
set -e
run_s=$(( $(date +%s) - t1 ))
echo "fresh-check: make run: exit $run_rc after $run_s s; last lines:"
tail -5 "$root.run.log" | sed 's/^/  | /'
if ! grep -q "status\|peers=\|no bootnode answered" "$root.run.log"; then
  echo "fresh-check: FAILED: make run never reported a status" >&2
  exit 1
fi

# 2. make test: every test, from the same clean clone.
t2=$(date +%s)
set +e
in_root "cd /root/ethp2p && make test" >"$root.test.log" 2>&1
test_rc=$?
set -e
test_s=$(( $(date +%s) - t2 ))
grep -E "tests passed|tests failed|make test:" "$root.test.log" | sed 's/^/  | /'
echo "fresh-check: make test: exit $test_rc after $test_s s (logs: $root.run.log, $root.test.log)"
[ $test_rc -eq 0 ] || { tail -40 "$root.test.log"; exit 1; }
echo "fresh-check: passed (make run $run_s s, make test $test_s s)"
