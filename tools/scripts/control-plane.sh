#!/usr/bin/env bash
# A real Kubernetes control plane on this machine's loopback: etcd, kube-apiserver,
# kube-controller-manager and kube-scheduler, with KWOK playing the kubelet of one fake node
# (pods get a status but run no containers). Built from Go modules at the releases pinned in
# tools/control-plane/*/go.mod, so it needs Go and the Go module proxy, nothing else.
#
#   tools/scripts/control-plane.sh build    build the binaries (once per release; reuses Go's cache)
#   tools/scripts/control-plane.sh up       build if needed, start, wait for a Ready node;
#                                           the last line printed is the kubeconfig's path
#   tools/scripts/control-plane.sh status   what runs; the kubeconfig's path last (exit 3: not up)
#   tools/scripts/control-plane.sh down     stop every process `up` started and remove its state
#
# Then: export KUBECONFIG=$(tools/scripts/control-plane.sh up | tail -1)
#
# Every address the cluster hands out is on loopback: pods get 127.0.100.0/24, the node
# 127.0.0.1, Services 127.1.0.0/16 (the API server's proxies dial pod IPs, and this machine may
# dial nothing else). Binaries: $TODO_CONTROL_PLANE_CACHE (default ~/.cache/todo-control-plane),
# one folder per release set. State (data, logs, certificates, kubeconfig):
# $TODO_CONTROL_PLANE_STATE (default ${TMPDIR:-/tmp}/todo-control-plane).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
modules="$root/tools/control-plane"
cache_root=${TODO_CONTROL_PLANE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/todo-control-plane}
state=${TODO_CONTROL_PLANE_STATE:-${TMPDIR:-/tmp}/todo-control-plane}
context=todo-control-plane
node=kwok-node-0
pod_cidr=127.0.100.0/24
service_range=127.1.0.0/16
components=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)

log() { printf '[control-plane %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() {
  printf 'control-plane.sh: %s\n' "$*" >&2
  exit 1
}

# The version go.mod requires of module $1, in a `require` line or block.
required_version() {
  awk -v m="$1" '$1 == "require" && $2 == m { print $3 } $1 == m && $2 ~ /^v/ { print $2 }' "$modules/$2/go.mod" | head -1
}
k8s_version=$(required_version k8s.io/kubernetes kubernetes)
etcd_version=$(required_version go.etcd.io/etcd/server/v3 etcd)
kwok_version=$(required_version sigs.k8s.io/kwok kwok)
[[ -n $k8s_version && -n $etcd_version && -n $kwok_version ]] ||
  die "cannot read the pinned releases from tools/control-plane/*/go.mod"
bin="$cache_root/kubernetes-$k8s_version-etcd-$etcd_version-kwok-$kwok_version"

kubectl() { "$here/kubectl.sh" --kubeconfig "$state/kubeconfig" "$@"; }

# ---------------------------------------------------------------------------------------- build
need_go() {
  command -v go >/dev/null ||
    die "Go is not installed: install Go 1.26 or later (https://go.dev/dl/), then run this again"
  local want have
  want=$(sed -n 's/^go \([0-9.]*\)$/\1/p' "$modules/etcd/go.mod" "$modules/kwok/go.mod" "$modules/kubernetes/go.mod" | sort -V | tail -1)
  have=$(GOTOOLCHAIN=local go env GOVERSION | sed 's/^go//')
  [[ $(printf '%s\n%s\n' "$want" "$have" | sort -V | head -1) == "$want" ]] ||
    die "Go $have is too old for the pinned modules (they need Go $want): install Go $want or later"
}

# go_build MODULE_DIR PACKAGE OUTPUT [LDFLAGS]
go_build() {
  local dir=$1 package=$2 output=$3 ldflags="-s -w ${4:-}"
  local started=$SECONDS
  log "building $(basename "$output") ($package) …"
  (cd "$dir" && GOTOOLCHAIN=local GOFLAGS=-mod=readonly go build -trimpath -ldflags "$ldflags" -o "$output.tmp" "$package") ||
    die "building $(basename "$output") failed (output above)"
  mv -f "$output.tmp" "$output"
  log "built $(basename "$output") in $((SECONDS - started)) s"
}

build() {
  local missing=()
  for component in "${components[@]}"; do [[ -x $bin/$component ]] || missing+=("$component"); done
  if ((${#missing[@]} == 0)); then
    log "binaries of kubernetes $k8s_version, etcd $etcd_version, kwok $kwok_version are built ($bin)"
    return
  fi
  need_go
  mkdir -p "$bin"
  local started=$SECONDS
  log "building ${missing[*]} into $bin (a first build takes about 6 minutes on 2 idle cores; later ones reuse Go's build cache)"
  log "downloading modules …"
  for module in kubernetes etcd kwok; do
    (cd "$modules/$module" && GOTOOLCHAIN=local go mod download) || die "go mod download failed in tools/control-plane/$module"
  done
  # Without the version stamp the server says v0.0.0-master, which Helm's kubeVersion check refuses.
  local minor=${k8s_version#v1.}
  minor=${minor%%.*}
  local stamp="-X k8s.io/component-base/version.gitVersion=$k8s_version -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/component-base/version.gitTreeState=clean"
  for component in "${missing[@]}"; do
    case $component in
      etcd) go_build "$modules/etcd" . "$bin/etcd" ;;
      kwok) go_build "$modules/kwok" sigs.k8s.io/kwok/cmd/kwok "$bin/kwok" ;;
      *) go_build "$modules/kubernetes" "k8s.io/kubernetes/cmd/$component" "$bin/$component" "$stamp" ;;
    esac
  done
  # KWOK's CRDs and stage definitions ship in its module, not in the binary.
  local kwok_dir
  kwok_dir=$(cd "$modules/kwok" && GOTOOLCHAIN=local go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)
  rm -rf "$bin/kwok-manifests" && mkdir -p "$bin/kwok-manifests"
  cp "$kwok_dir"/kustomize/crd/bases/kwok.x-k8s.io_{stages,portforwards,clusterportforwards,logs,clusterlogs}.yaml \
    "$kwok_dir"/kustomize/stage/node/fast/node-initialize.yaml \
    "$kwok_dir"/kustomize/stage/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
    "$kwok_dir"/kustomize/stage/pod/fast/pod-{ready,complete,delete}.yaml \
    "$kwok_dir"/kustomize/stage/volume/fast/{storage-class,pv-bind,pv-delete,pvc-provision,pvc-delete}.yaml \
    "$bin/kwok-manifests/"
  log "built in $((SECONDS - started)) s"
}

# ------------------------------------------------------------------------------------------- up
pid_alive() { [[ -f $state/pids/$1 ]] && kill -0 "$(cat "$state/pids/$1")" 2>/dev/null; }

running() {
  for component in "${components[@]}"; do pid_alive "$component" || return 1; done
}

free_ports() {
  node -e '
    const net = require("node:net");
    const servers = Array.from({ length: Number(process.argv[1]) }, () => net.createServer());
    Promise.all(servers.map((s) => new Promise((ok) => s.listen(0, "127.0.0.1", () => ok(s.address().port)))))
      .then((ports) => { console.log(ports.join(" ")); servers.forEach((s) => s.close()); });
  ' "$1"
}

start() {
  local name=$1
  shift
  setsid "$@" >"$state/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$state/pids/$name"
}

# wait_for WHAT SECONDS COMMAND...: retries COMMAND every 0.2 s; on time-out shows the logs' tails.
wait_for() {
  local what=$1 seconds=$2
  shift 2
  local deadline=$((SECONDS + seconds)) answer
  until answer=$("$@" 2>&1); do
    for component in "${components[@]}"; do
      if [[ -f $state/pids/$component ]] && ! pid_alive "$component"; then
        tail -n 20 "$state/logs/$component.log" >&2
        die "$component exited while waiting for $what (log: $state/logs/$component.log)"
      fi
    done
    if ((SECONDS >= deadline)); then
      for log in "$state"/logs/*.log; do
        echo "--- $log" >&2
        tail -n 5 "$log" >&2
      done
      die "timed out after $seconds s waiting for $what; the last check answered: $(tail -n 1 <<<"$answer")"
    fi
    sleep 0.2
  done
}

certificates() {
  local dir=$state/pki
  mkdir -p "$dir"
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=todo-control-plane-ca" \
    -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
    -keyout "$dir/serving.key" -out "$dir/serving.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >"$dir/serving.ext"
  openssl x509 -req -in "$dir/serving.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial \
    -days 30 -extfile "$dir/serving.ext" -out "$dir/serving.crt" 2>/dev/null
  openssl genrsa -out "$dir/service-account.key" 2048 2>/dev/null
  openssl rsa -in "$dir/service-account.key" -pubout -out "$dir/service-account.pub" 2>/dev/null
  local token
  token=$(openssl rand -hex 24)
  echo "$token,admin,admin,system:masters" >"$dir/tokens.csv"
  chmod 600 "$dir"/*.key "$dir/tokens.csv"
  echo "$token"
}

kubeconfig() {
  local server=$1 token=$2
  cat >"$state/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
  - name: $context
    cluster:
      server: $server
      certificate-authority: $state/pki/ca.crt
users:
  - name: $context-admin
    user:
      token: $token
contexts:
  - name: $context
    context:
      cluster: $context
      user: $context-admin
current-context: $context
EOF
  chmod 600 "$state/kubeconfig"
}

node_manifest() {
  cat <<EOF
apiVersion: v1
kind: Node
metadata:
  name: $node
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    kubernetes.io/hostname: $node
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
    type: kwok
status:
  allocatable: { cpu: "32", memory: 256Gi, pods: "110" }
  capacity: { cpu: "32", memory: 256Gi, pods: "110" }
  nodeInfo: { architecture: amd64, operatingSystem: linux, kubeletVersion: fake }
EOF
}

up() {
  if running; then
    log "already running (kubernetes $k8s_version; apiserver pid $(cat "$state/pids/kube-apiserver")); 'down' stops it"
    echo "$state/kubeconfig"
    return
  fi
  if [[ -d $state/pids ]]; then
    log "a previous control plane did not stop cleanly: stopping what is left of it"
    down >/dev/null
  fi
  build
  local started=$SECONDS
  rm -rf "$state"
  mkdir -p "$state/logs" "$state/pids" "$state/etcd"
  local etcd_client etcd_peer apiserver_port kwok_port
  read -r etcd_client etcd_peer apiserver_port kwok_port < <(free_ports 4)
  local token
  token=$(certificates)
  local pki=$state/pki server=https://127.0.0.1:$apiserver_port
  kubeconfig "$server" "$token"

  log "starting etcd on 127.0.0.1:$etcd_client"
  start etcd "$bin/etcd" --name control-plane --data-dir "$state/etcd" \
    --listen-client-urls "http://127.0.0.1:$etcd_client" --advertise-client-urls "http://127.0.0.1:$etcd_client" \
    --listen-peer-urls "http://127.0.0.1:$etcd_peer" --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer" \
    --initial-cluster "control-plane=http://127.0.0.1:$etcd_peer" --log-level warn

  log "starting kube-apiserver on $server"
  start kube-apiserver "$bin/kube-apiserver" \
    --etcd-servers "http://127.0.0.1:$etcd_client" \
    --bind-address 127.0.0.1 --secure-port "$apiserver_port" \
    --advertise-address 127.0.0.1 --endpoint-reconciler-type none \
    --service-cluster-ip-range "$service_range" \
    --tls-cert-file "$pki/serving.crt" --tls-private-key-file "$pki/serving.key" \
    --token-auth-file "$pki/tokens.csv" --authorization-mode Node,RBAC \
    --service-account-key-file "$pki/service-account.pub" \
    --service-account-signing-key-file "$pki/service-account.key" \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --profiling=false --v=1

  wait_for "the API server's /readyz" 90 kubectl get --raw /readyz
  log "API server ready after $((SECONDS - started)) s ($(kubectl version -o json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).serverVersion.gitVersion))'))"

  start kube-controller-manager "$bin/kube-controller-manager" \
    --kubeconfig "$state/kubeconfig" --leader-elect=false \
    --bind-address 127.0.0.1 --secure-port 0 \
    --service-account-private-key-file "$pki/service-account.key" --root-ca-file "$pki/ca.crt" \
    --use-service-account-credentials=false --controllers '*,-nodeipam' \
    --kube-api-qps 100 --kube-api-burst 200 --v=1
  start kube-scheduler "$bin/kube-scheduler" \
    --kubeconfig "$state/kubeconfig" --leader-elect=false \
    --bind-address 127.0.0.1 --secure-port 0 --v=1

  kubectl apply --server-side -f "$bin/kwok-manifests/kwok.x-k8s.io_stages.yaml" \
    -f "$bin/kwok-manifests/kwok.x-k8s.io_portforwards.yaml" \
    -f "$bin/kwok-manifests/kwok.x-k8s.io_clusterportforwards.yaml" \
    -f "$bin/kwok-manifests/kwok.x-k8s.io_logs.yaml" \
    -f "$bin/kwok-manifests/kwok.x-k8s.io_clusterlogs.yaml" >/dev/null
  wait_for "KWOK's CRDs" 30 kubectl wait --for condition=established --timeout 5s crd/stages.kwok.x-k8s.io \
    crd/portforwards.kwok.x-k8s.io crd/clusterportforwards.kwok.x-k8s.io crd/logs.kwok.x-k8s.io crd/clusterlogs.kwok.x-k8s.io
  local stages=()
  for file in "$bin"/kwok-manifests/*.yaml; do [[ $file == */kwok.x-k8s.io_* ]] || stages+=(-f "$file"); done
  kubectl apply --server-side "${stages[@]}" >/dev/null

  log "starting kwok (node $node at 127.0.0.1:$kwok_port, pods in $pod_cidr)"
  start kwok "$bin/kwok" --kubeconfig "$state/kubeconfig" --manage-all-nodes \
    --cidr "$pod_cidr" --node-ip 127.0.0.1 --node-lease-duration-seconds 40 \
    --enable-crds Stage,PortForward,ClusterPortForward,Logs,ClusterLogs \
    --server-address "127.0.0.1:$kwok_port" --node-port "$kwok_port" \
    --tls-cert-file "$pki/serving.crt" --tls-private-key-file "$pki/serving.key"
  node_manifest | kubectl create -f - >/dev/null
  wait_for "node $node to be Ready" 60 kubectl wait --for condition=Ready --timeout 5s "node/$node"
  # Logs and port-forwards reach kwok at the node's kubelet port.
  local port
  port=$(kubectl get node "$node" -o jsonpath='{.status.daemonEndpoints.kubeletEndpoint.Port}')
  if [[ $port != "$kwok_port" ]]; then
    kubectl patch node "$node" --subresource status --type merge \
      -p "{\"status\":{\"daemonEndpoints\":{\"kubeletEndpoint\":{\"Port\":$kwok_port}}}}" >/dev/null
  fi
  wait_for "the default service account" 30 kubectl get serviceaccount default -n default
  log "up in $((SECONDS - started)) s: node $node Ready, StorageClass kwok-volume (default) binds claims; context $context"
  echo "$state/kubeconfig"
}

# ----------------------------------------------------------------------------------- status/down
status() {
  if ! [[ -d $state/pids ]]; then
    log "not running (binaries: $( [[ -x $bin/kube-apiserver ]] && echo "built in $bin" || echo "not built"))"
    return 3
  fi
  local all=0
  for component in "${components[@]}"; do
    if pid_alive "$component"; then
      log "$component: running (pid $(cat "$state/pids/$component"))"
    else
      log "$component: NOT running (log: $state/logs/$component.log)"
      all=1
    fi
  done
  ((all == 0)) || return 3
  log "kubernetes $k8s_version, context $context"
  echo "$state/kubeconfig"
}

down() {
  if ! [[ -d $state/pids ]]; then
    log "not running; nothing to stop"
    rm -rf "$state"
    return
  fi
  local pids=()
  # Reverse order: clients first, etcd last.
  for ((i = ${#components[@]} - 1; i >= 0; i--)); do
    local component=${components[i]}
    if pid_alive "$component"; then
      local pid
      pid=$(cat "$state/pids/$component")
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid")
    fi
  done
  local deadline=$((SECONDS + 15))
  for pid in "${pids[@]}"; do
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && { kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true; }
  done
  rm -rf "$state"
  log "stopped ${#pids[@]} processes and removed $state"
}

case ${1:-} in
  build) build ;;
  up) up ;;
  status) status ;;
  down) down ;;
  *)
    echo "usage: tools/scripts/control-plane.sh build|up|status|down" >&2
    exit 2
    ;;
esac
