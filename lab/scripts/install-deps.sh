#!/bin/sh
# Installs every Debian package the lab's real hosts need. Idempotent and non-interactive:
# packages already installed are left alone, so a second run does nothing but a dpkg query.
# Run as root on Debian 12 (the lead's CI calls this before `npm test -w @slipway/lab`).
# The lab's Python, Go and static base images are built from Debian's packages with
# `apt-get download`, which needs apt's package lists: they are fetched if there are none.
set -eu

PACKAGES="
docker.io
containerd
runc
iptables
iproute2
nginx
openssh-server
openssh-client
busybox-static
docker-registry
tini
util-linux
procps
tar
"

if [ "$(id -u)" != "0" ]; then
  echo "install-deps.sh: must run as root" >&2
  exit 1
fi

missing=""
for p in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done

if [ -z "$missing" ]; then
  echo "install-deps.sh: all lab packages already installed"
  if ! ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1; then
    echo "install-deps.sh: no apt package lists (the base images need them): apt-get update"
    apt-get update -q
  fi
  exit 0
fi

echo "install-deps.sh: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
# policy-rc.d keeps the packages' maintainer scripts from starting machine-wide services
# (nginx, sshd, docker): the lab starts its own copies inside each host's namespaces.
POLICY=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$POLICY" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$POLICY"
  chmod 755 "$POLICY"
  created_policy=1
fi
cleanup() { if [ "$created_policy" = 1 ]; then rm -f "$POLICY"; fi; }
trap cleanup EXIT

apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold $missing
echo "install-deps.sh: done"
