#!/usr/bin/env bash
# Installs and starts what the tests, the lab and the cluster need on a Debian 12 machine, as
# root: Chromium, PostgreSQL 15 (started, with the tests' role and database), redis-server,
# cloud-init, git, zip, and the lab hosts' packages (Docker Engine, nginx, OpenSSH, ...). Idempotent.
# `npm test`, `npm run lab` and `npm run cluster` name this command when something is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" != "0" ]; then
  echo "scripts/install-deps.sh: run it as root (sudo bash scripts/install-deps.sh)" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
missing=""
# Chromium for the console's browser tests; cloud-init validates generated user data; git and zip
# for deploy-source tests; bsdutils' `script` for the CLI's terminal tests; redis-server (with
# PostgreSQL and nginx) for the cluster and its tests.
for p in chromium postgresql redis-server cloud-init git zip bsdutils; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then missing="$missing $p"; fi
done
if [ -n "$missing" ]; then
  echo "install-deps.sh: installing:$missing"
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
# The lab's hosts: Docker Engine, nginx, OpenSSH, docker-registry, ...
sh lab/scripts/install-deps.sh
bash prisma/scripts/ci-postgres.sh
