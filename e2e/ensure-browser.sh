#!/usr/bin/env bash
# Makes sure the browser tests have a Chromium: Debian's package where apt-get is available
# (Playwright cannot download its own browser on every network), else Playwright's own.
set -euo pipefail
[ -x /usr/bin/chromium ] && exit 0
compgen -G "${PLAYWRIGHT_BROWSERS_PATH:-$HOME/.cache/ms-playwright}/chromium*" >/dev/null && exit 0
if command -v apt-get >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "Installing Debian's chromium for the browser tests…"
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "Installing Playwright's Chromium for the browser tests…"
exec pnpm exec playwright install chromium
