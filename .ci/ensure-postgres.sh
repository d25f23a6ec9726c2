#!/usr/bin/env bash
# CI runs the PostgreSQL tests too (they fail there rather than skip): Debian's server, whose
# binaries the tests start a cluster of their own with (packages/collector/src/testing/postgres.ts).
set -euo pipefail
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null && exit 0
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "Installing Debian's postgresql for the PostgreSQL tests…"
$sudo apt-get update -qq
$sudo apt-get install -y -qq postgresql >/dev/null
