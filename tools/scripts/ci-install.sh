#!/usr/bin/env bash
# Installs the Debian packages the test suites need (CI runs as root on Debian 12 or 13):
# PostgreSQL for the backend's second database driver, Chromium for the browser tests, unzip for
# the Helm binaries. Safe to run again: apt skips what is already installed.
set -euo pipefail

packages=(postgresql chromium unzip ca-certificates)
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
