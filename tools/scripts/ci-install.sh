#!/usr/bin/env bash
# Installs the Debian packages the test suites need (CI runs as root on Debian 12 or 13):
# PostgreSQL for the backend's second database driver, Chromium for the browser tests, unzip for
# the Helm binaries. Safe to run again: apt skips what is already installed.
set -euo pipefail

"$(dirname "$0")/apt-install-missing.sh" postgresql chromium unzip ca-certificates
