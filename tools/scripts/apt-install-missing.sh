#!/usr/bin/env bash
# Installs, as root on Debian, those of the named packages that are not installed yet; calls
# apt-get only when one is missing, so a machine that has them all needs no network.
#   tools/scripts/apt-install-missing.sh postgresql chromium
set -euo pipefail

missing=()
for pkg in "$@"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
