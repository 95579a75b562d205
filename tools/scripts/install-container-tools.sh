#!/usr/bin/env bash
# Installs the container tools the image builds and the container test suite use, on Debian 12/13
# as root: podman always (it builds and runs Dockerfiles without a daemon), docker.io unless
# WITH_DOCKER=0. Then it makes both usable on a machine like CI's, where:
#   - podman's default ulimits cannot be set and crun refuses the hybrid cgroup hierarchy, so
#     podman needs tools/scripts/containers.conf (named by CONTAINERS_CONF; the repo's image
#     tooling sets that itself when it is unset);
#   - dockerd has no bridge network or iptables, so it is started with those turned off and
#     containers run with `--network host`.
# Safe to run again: installed packages are skipped and a running dockerd is left alone.
set -euo pipefail

with_docker=${WITH_DOCKER:-1}
start_docker=${START_DOCKER:-$with_docker}
root=$(cd "$(dirname "$0")/../.." && pwd)

packages=(podman runc uidmap fuse-overlayfs)
[[ $with_docker == 1 ]] && packages+=(docker.io)
"$root/tools/scripts/apt-install-missing.sh" "${packages[@]}"

if [[ $start_docker == 1 ]] && ! docker info >/dev/null 2>&1; then
  echo "starting dockerd (no iptables, no bridge: run containers with --network host)"
  nohup dockerd --iptables=false --ip6tables=false --bridge=none --storage-driver=overlay2 \
    >/var/log/dockerd.log 2>&1 &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 0.5
  done
  docker info >/dev/null 2>&1 || { echo "dockerd did not start, see /var/log/dockerd.log" >&2; exit 1; }
fi

podman --version
[[ $with_docker == 1 ]] && docker --version
echo "export CONTAINERS_CONF=$root/tools/scripts/containers.conf"
