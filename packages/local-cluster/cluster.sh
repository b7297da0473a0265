#!/usr/bin/env bash
# A real single-node Kubernetes cluster on this machine, without Docker, kind or a registry (docs/delivery.md).
#   bash packages/local-cluster/cluster.sh up       npm run cluster:up: node, infrastructure, images and the platform chart
#   bash packages/local-cluster/cluster.sh down     npm run cluster:down: stops everything and restores the host
#   bash packages/local-cluster/cluster.sh status   what runs
#   bash packages/local-cluster/cluster.sh verify   compares the host with the snapshot taken before `up` (exit 1 on a difference)
#   NO_PLATFORM=1 ... up                            the node and the infrastructure only (skaffold -p local-node deploys)
#
# Pieces (each a host process; logs in .local/cluster-node/logs):
#   control plane  etcd, kube-apiserver, kube-controller-manager, kube-scheduler, started by kwokctl from the binaries of
#                  install-tools.sh, on 127.0.0.1 (kwok's fake-node controller is disabled: the node here is real);
#   node           Debian's containerd (private socket, root and state under .local/cluster-node), kubelet, the CNI
#                  bridge plugin on $BRIDGE ($POD_CIDR, no masquerading), kube-proxy (iptables mode);
#   DNS            CoreDNS on the bridge address, behind the usual kube-dns Service (10.0.0.10), cluster.local only;
#   infrastructure Kafka, the MongoDB-protocol database and Redis as host processes on the bridge address
#                  (packages/local-infra/src/cluster-infra.ts), behind selector-less Services with the in-cluster names
#                  and ports of docs/delivery.md (kafka:9092, mongodb:27017, redis-master:6379 in namespace platform);
#   platform       the five images of `npm run images` imported into containerd, the platform chart installed as
#                  release `platform` in namespace `platform` with its default values (the ones kind uses).
#
# Host changes, all undone by `down` (and checked by `verify`): net.ipv4.ip_forward (the bridge plugin),
# vm.overcommit_memory, kernel.panic, kernel.panic_on_oops (kubelet), iptables/ip6tables chains (kube-proxy's KUBE-*,
# and PLATFORM-NODE-* of this script: forwarded traffic may not leave through the external interface, and pods may
# reach only DNS and the infrastructure on the host), the bridge and its routes, kubelet's cgroups, mounts under the
# state folder, /run/containerd and /run/netns.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/packages/local-cluster"
STATE="$ROOT/.local/cluster-node"
RUN="$STATE/run"         # deleted by `down`
KEEP="$STATE/keep"       # containerd's images and the host snapshot survive `down`
NAME=platform-node       # kwokctl cluster and Node name
BRIDGE="${BRIDGE:-platform0}"
POD_CIDR="${POD_CIDR:-10.244.0.0/24}"
SERVICE_CIDR=10.0.0.0/24 # kube-apiserver's default (kwokctl sets none)
DNS_IP=10.0.0.10
GW="${POD_CIDR%.*}.1"
PREFIX_LEN="${POD_CIDR#*/}"
KUBELET_PORT=10450
BIN="$ROOT/.local/cluster/bin"
NODE_BIN="$ROOT/.local/cluster/node-bin"
SOCK="$RUN/containerd/containerd.sock"
# The container storage of images.sh (same default).
IMAGES_CACHE="${PLATFORM_CLUSTER_IMAGES_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/platform-cluster-images}"
export KWOK_WORKDIR="$STATE/kwok" KUBECONFIG="$STATE/kubeconfig"
export PATH="$BIN:$NODE_BIN:$ROOT/.local/bin:$PATH"

# shellcheck source=control-plane.sh
source "$HERE/control-plane.sh"

log() { printf '[cluster] %s\n' "$*"; }
die() { printf '[cluster] %s\n' "$*" >&2; exit 1; }
ext_if() { ip -o route show default | awk '{print $5; exit}'; }

# --- host snapshot --------------------------------------------------------------------------------------------------
SYSCTLS=(net.ipv4.ip_forward net.ipv6.conf.all.forwarding vm.overcommit_memory kernel.panic kernel.panic_on_oops
  net.ipv4.conf.all.route_localnet net.bridge.bridge-nf-call-iptables net.bridge.bridge-nf-call-ip6tables
  net.netfilter.nf_conntrack_max net.netfilter.nf_conntrack_tcp_timeout_established
  net.netfilter.nf_conntrack_tcp_timeout_close_wait)
# What the host looks like in the respects this cluster changes, one line per fact, comparable with diff.
host_state() {
  local s
  for s in "${SYSCTLS[@]}"; do echo "sysctl $s=$(sysctl -n "$s" 2>/dev/null || echo absent)"; done
  # Rules and user chains (built-in chains' policies too); counters stripped.
  for t in iptables ip6tables; do
    "$t-save" 2>/dev/null | grep -E '^(\*|:|-A)' | sed -E 's/ \[[0-9]+:[0-9]+\]$//' |
      grep -v -E '^\*|^:(INPUT|FORWARD|OUTPUT|PREROUTING|POSTROUTING) ACCEPT$' | sed "s/^/$t /" || true
  done
  ip -o link show | awk -F': ' '{print "link " $2}' | sed 's/@.*//'
  ip -o addr show | awk '{print "addr " $2 " " $4}'
  ip route show | sed 's/^/route /'
  # (buildah's own transient mounts while `npm run images` runs are not the cluster's)
  awk '{print "mount " $5}' /proc/self/mountinfo | grep -v -F "$IMAGES_CACHE/storage/" || true
  find /sys/fs/cgroup -maxdepth 2 -type d -name kubepods 2>/dev/null | sed 's/^/cgroup /'
  [ -e /run/netns ] && find /run/netns -mindepth 1 | sed 's/^/netns /'
  find /var/log/containers /var/log/pods -maxdepth 1 2>/dev/null | sed 's/^/log /' || true
  true
}

# --- up -------------------------------------------------------------------------------------------------------------
preflight() {
  [ "$(id -u)" = 0 ] || die "needs root (containerd, kubelet, network namespaces, iptables)"
  [ -e "$RUN/up" ] && die "already up (npm run cluster:down first)"
  ip link show "$BRIDGE" >/dev/null 2>&1 && die "a link named $BRIDGE exists already; set BRIDGE=..."
  ip route | grep -q -E "^(${POD_CIDR%/*}|${SERVICE_CIDR%/*})/" && die "$POD_CIDR or $SERVICE_CIDR is routed already; set POD_CIDR=..."
  local port
  for port in $KUBELET_PORT 10448 10449 10456; do
    ss -Hltn "sport = :$port" | grep -q . && die "port $port is in use"
  done
  true
}

install_tools() {
  local installer logf
  for installer in packages/delivery-checks/install-tools.sh packages/local-cluster/install-tools.sh packages/local-cluster/node-tools.sh; do
    logf="$ROOT/.local/$(basename "$installer" .sh)-$(basename "$(dirname "$installer")").log"
    bash "$ROOT/$installer" >"$logf" 2>&1 || { tail -30 "$logf"; die "$installer failed (log: $logf)"; }
  done
}

start_control_plane() {
  kwokctl_config "$RUN/kwok-cache" real-node >"$RUN/kwokctl.yaml"
  kwokctl create cluster --name "$NAME" --config "$RUN/kwokctl.yaml" --kubeconfig "$KUBECONFIG" --wait 2m \
    >"$RUN/logs/kwokctl.log" 2>&1 || { tail -20 "$RUN/logs/kwokctl.log"; return 1; }
}

start_containerd() {
  mkdir -p "$RUN/containerd" "$KEEP/containerd" "$RUN/cni/net.d" "$RUN/cni/ipam"
  cat >"$RUN/containerd/config.toml" <<EOF
version = 2
root = "$KEEP/containerd"
state = "$RUN/containerd/state"
[grpc]
  address = "$SOCK"
[ttrpc]
  address = "$SOCK.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$RUN/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "registry.k8s.io/pause:local"
  # Without CAP_SYS_RESOURCE nothing may lower oom_score_adj; sandboxes fail unless it is only raised.
  restrict_oom_score_adj = true
  stream_server_address = "127.0.0.1"
  enable_selinux = false
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        BinaryName = "/usr/sbin/runc"
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$RUN/cni/net.d"
EOF
  cat >"$RUN/cni/net.d/10-platform.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "platform",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$BRIDGE",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": { "type": "host-local", "dataDir": "$RUN/cni/ipam", "ranges": [[{ "subnet": "$POD_CIDR", "gateway": "$GW" }]], "routes": [{ "dst": "0.0.0.0/0" }] }
    },
    { "type": "portmap", "capabilities": { "portMappings": true } }
  ]
}
EOF
  nohup containerd --config "$RUN/containerd/config.toml" >"$RUN/logs/containerd.log" 2>&1 &
  echo $! >"$RUN/pids/containerd"
  local i
  for i in $(seq 30); do ctr -a "$SOCK" version >/dev/null 2>&1 && return 0; sleep 1; done
  tail -20 "$RUN/logs/containerd.log"
  return 1
}

ctr_k8s() { ctr -a "$SOCK" -n k8s.io "$@"; }

# The sandbox image: node-tools.sh's static pause binary as a one-file image.
import_pause() {
  ctr_k8s images ls -q | grep -qx 'registry.k8s.io/pause:local' && return 0
  bash "$HERE/images.sh" --pause "$NODE_BIN/pause" >"$RUN/logs/pause-image.log" 2>&1 &&
    bash "$HERE/images.sh" --export registry.k8s.io/pause:local "$RUN/pause.tar" >>"$RUN/logs/pause-image.log" 2>&1 ||
    { tail -20 "$RUN/logs/pause-image.log"; return 1; }
  ctr_k8s images import "$RUN/pause.tar" >/dev/null
  rm -f "$RUN/pause.tar"
}

# The bridge exists before any pod, so that the host processes can listen on its address from the start.
setup_network() {
  ip link add "$BRIDGE" type bridge
  ip addr add "$GW/$PREFIX_LEN" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  # The host reaches ClusterIPs through the bridge (source address $GW), never through the default route.
  ip route add "$SERVICE_CIDR" dev "$BRIDGE" src "$GW"
  local ext t
  ext="$(ext_if)"
  for t in iptables ip6tables; do
    # Forwarding is on while the node runs (the bridge plugin turns it on): nothing forwarded leaves through the
    # external interface, so pods reach only each other and the host.
    "$t" -N PLATFORM-NODE-FORWARD
    "$t" -A PLATFORM-NODE-FORWARD -o "$ext" -j DROP
    "$t" -I FORWARD 1 -j PLATFORM-NODE-FORWARD
    # On the host, pods reach only DNS and the infrastructure (and answers to what the host opened, e.g. probes).
    "$t" -N PLATFORM-NODE-INPUT
    "$t" -A PLATFORM-NODE-INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
    "$t" -A PLATFORM-NODE-INPUT -p udp --dport 53 -j ACCEPT
    "$t" -A PLATFORM-NODE-INPUT -p tcp -m multiport --dports 53,29092,27037,26379 -j ACCEPT
    "$t" -A PLATFORM-NODE-INPUT -j DROP
    "$t" -I INPUT 1 -i "$BRIDGE" -j PLATFORM-NODE-INPUT
  done
}

start_kubelet() {
  mkdir -p "$RUN/kubelet"
  # Pods get only the cluster's DNS: no search domains or nameservers of the host.
  : >"$RUN/kubelet/resolv.conf"
  cat >"$RUN/kubelet/config.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
# This machine has cgroup v1 (hybrid), which kubelet refuses from 1.35 on unless told otherwise.
failCgroupV1: false
cgroupDriver: cgroupfs
containerRuntimeEndpoint: unix://$SOCK
# On the bridge (the Node's address, which the API server dials for logs and exec); pods may not reach it (INPUT filter).
address: $GW
port: $KUBELET_PORT
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10448
# Reachable from the host only; the API server (which has no client certificate for kubelets under kwokctl) proxies logs and exec.
authentication:
  anonymous:
    enabled: true
  webhook:
    enabled: false
authorization:
  mode: AlwaysAllow
clusterDNS: [$DNS_IP]
clusterDomain: cluster.local
resolvConf: $RUN/kubelet/resolv.conf
# Not /var/log/pods. (kubelet still links each container's log from /var/log/containers, a fixed path; down removes them.)
podLogsDir: $RUN/kubelet/pod-logs
podCIDR: $POD_CIDR
failSwapOn: false
maxPods: 60
serializeImagePulls: false
# The images are imported, never pulled: image GC must not remove them, and a busy disk must not evict pods.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard:
  memory.available: 200Mi
  nodefs.available: 2%
  imagefs.available: 2%
EOF
  nohup kubelet --config "$RUN/kubelet/config.yaml" --kubeconfig "$KUBECONFIG" --root-dir "$RUN/kubelet/root" \
    --hostname-override "$NAME" --node-ip "$GW" --cert-dir "$RUN/kubelet/pki" \
    >"$RUN/logs/kubelet.log" 2>&1 &
  echo $! >"$RUN/pids/kubelet"
  kubectl wait --for=create "node/$NAME" --timeout 60s >/dev/null || return 1
  # A Node that has just registered may have no conditions yet, and `kubectl wait --for=condition` then fails at
  # once ("accessor error: <nil>") instead of waiting (seen on a warm start): wait for its Ready condition to exist.
  local i
  for i in $(seq 90); do
    [ -n "$(kubectl get "node/$NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" ] && break
    sleep 1
  done
  kubectl wait --for=condition=Ready "node/$NAME" --timeout 90s
}

start_kube_proxy() {
  cat >"$RUN/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
clientConnection:
  kubeconfig: $KUBECONFIG
hostnameOverride: $NAME
clusterCIDR: $POD_CIDR
bindAddress: 127.0.0.1
metricsBindAddress: 127.0.0.1:10449
healthzBindAddress: 127.0.0.1:10456
nodePortAddresses: [127.0.0.1/32]
iptables:
  # Otherwise kube-proxy turns on net.ipv4.conf.all.route_localnet for NodePorts on 127.0.0.1.
  localhostNodePorts: false
conntrack:
  # Leave the host's conntrack sysctls alone.
  maxPerCore: 0
  min: 0
  tcpEstablishedTimeout: 0s
  tcpCloseWaitTimeout: 0s
EOF
  nohup kube-proxy --config "$RUN/kube-proxy.yaml" >"$RUN/logs/kube-proxy.log" 2>&1 &
  echo $! >"$RUN/pids/kube-proxy"
  # kube-proxy puts its jumps first; ours go back in front of them (its ACCEPT rules must not bypass the filters).
  local i t
  for i in $(seq 60); do iptables -S FORWARD | grep -q KUBE-FORWARD && break; sleep 1; done
  for t in iptables ip6tables; do
    "$t" -D FORWARD -j PLATFORM-NODE-FORWARD && "$t" -I FORWARD 1 -j PLATFORM-NODE-FORWARD
    "$t" -D INPUT -i "$BRIDGE" -j PLATFORM-NODE-INPUT && "$t" -I INPUT 1 -i "$BRIDGE" -j PLATFORM-NODE-INPUT
  done
}

# CoreDNS on the bridge address, serving cluster.local only (no forwarding: pods resolve nothing outside the cluster).
start_coredns() {
  cat >"$RUN/Corefile" <<EOF
.:53 {
  bind $GW
  errors
  kubernetes cluster.local in-addr.arpa ip6.arpa {
    kubeconfig $KUBECONFIG
    pods insecure
    fallthrough in-addr.arpa ip6.arpa
  }
  cache 30
}
EOF
  nohup coredns -conf "$RUN/Corefile" >"$RUN/logs/coredns.log" 2>&1 &
  echo $! >"$RUN/pids/coredns"
}

# Selector-less Services: the in-cluster names, backed by the host processes on the bridge address.
host_services() {
  cat <<EOF
apiVersion: v1
kind: Service
metadata: { name: kube-dns, namespace: kube-system, labels: { k8s-app: kube-dns } }
spec:
  clusterIP: $DNS_IP
  ports: [{ name: dns, port: 53, protocol: UDP }, { name: dns-tcp, port: 53, protocol: TCP }]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: kube-dns-host, namespace: kube-system, labels: { kubernetes.io/service-name: kube-dns, endpointslice.kubernetes.io/managed-by: platform-local-cluster } }
addressType: IPv4
endpoints: [{ addresses: ["$GW"] }]
ports: [{ name: dns, port: 53, protocol: UDP }, { name: dns-tcp, port: 53, protocol: TCP }]
EOF
  local svc port target
  for svc in kafka:9092:29092 mongodb:27017:27037 redis-master:6379:26379; do
    IFS=: read -r name port target <<<"$svc"
    cat <<EOF
---
apiVersion: v1
kind: Service
metadata: { name: $name, namespace: platform, labels: { app.kubernetes.io/part-of: local-cluster-infra } }
spec:
  ports: [{ name: tcp, port: $port, targetPort: $target, protocol: TCP }]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: $name-host, namespace: platform, labels: { kubernetes.io/service-name: $name, endpointslice.kubernetes.io/managed-by: platform-local-cluster } }
addressType: IPv4
endpoints: [{ addresses: ["$GW"] }]
ports: [{ name: tcp, port: $target, protocol: TCP }]
EOF
  done
}

start_infra() {
  (cd "$ROOT" && npx --no tsx packages/local-infra/src/cluster-infra.ts up "$GW") >"$RUN/logs/infra.log" 2>&1 ||
    { tail -20 "$RUN/logs/infra.log"; return 1; }
}

# images.sh builds (or finds) the five images, while the cluster starts; each is then imported into containerd once,
# under its content-hash tag.
build_images() { bash "$HERE/images.sh" >"$RUN/logs/images.log" 2>&1; }
import_images() {
  wait "$1" || { tail -30 "$RUN/logs/images.log"; return 1; }
  local app ref
  while read -r app ref; do
    if ! ctr_k8s images ls -q | grep -qx "$ref"; then
      log "importing $ref into containerd"
      bash "$HERE/images.sh" --export "$ref" "$RUN/$app.tar" >>"$RUN/logs/images.log" 2>&1
      ctr_k8s images import "$RUN/$app.tar" >/dev/null
      rm -f "$RUN/$app.tar"
    fi
  done <"$ROOT/.local/cluster/images.txt"
}

# --set flags naming the imported images (what skaffold sets from its build, see skaffold.yaml).
image_flags() {
  local app ref
  while read -r app ref; do
    printf -- '--set %s.image.repository=%s --set %s.image.tag=%s ' "$app" "${ref%:*}" "$app" "${ref##*:}"
  done <"$ROOT/.local/cluster/images.txt"
}

# The first admin (the user service creates it at start-up), generated once, like `npm run up`'s dev-secrets.json.
admin_credentials() {
  [ -s "$KEEP/admin.json" ] || node -e '
    const { randomBytes } = require("node:crypto");
    console.log(JSON.stringify({ ADMIN_EMAIL: "admin@platform.local", ADMIN_PASSWORD: randomBytes(18).toString("base64url") }));
  ' >"$KEEP/admin.json"
  node -e 'const c = require(process.argv[1]); console.log(`--set-string user.secrets.ADMIN_EMAIL=${c.ADMIN_EMAIL} --set-string user.secrets.ADMIN_PASSWORD=${c.ADMIN_PASSWORD}`)' "$KEEP/admin.json"
}

install_platform() {
  (cd "$ROOT" && helm dependency build charts/platform >/dev/null)
  # shellcheck disable=SC2046 # image_flags and admin_credentials print several words on purpose
  helm upgrade --install platform "$ROOT/charts/platform" -n platform --wait --wait-for-jobs --timeout 8m \
    -f "$HERE/values.yaml" $(image_flags) $(admin_credentials) "$@"
}

up() {
  preflight
  local start=$SECONDS
  cd "$ROOT"
  log "tools (built once, cached in ~/.cache/platform-cluster-tools)"
  install_tools
  rm -rf "$RUN" && mkdir -p "$RUN/logs" "$RUN/pids" "$KEEP"
  host_state >"$KEEP/host-before.txt"
  : >"$RUN/up"
  log "images (npm run images: built once, cached in ~/.cache/platform-cluster-images), in the background"
  build_images &
  local images_pid=$!
  log "control plane (kwokctl, 127.0.0.1)"
  start_control_plane
  log "network: bridge $BRIDGE $GW/$PREFIX_LEN, forward and input filters"
  setup_network
  log "containerd (socket $SOCK)"
  start_containerd
  import_pause
  log "infrastructure on $GW (Kafka :29092, MongoDB :27037, Redis :26379)"
  start_infra &
  local infra_pid=$!
  log "kubelet, kube-proxy, CoreDNS"
  start_kubelet
  start_kube_proxy
  start_coredns
  # The namespace enforces the restricted Pod Security Standard, as in staging (check.sh does the same).
  kubectl create namespace platform --dry-run=client -o yaml | kubectl apply -f - >/dev/null
  kubectl label namespace platform --overwrite pod-security.kubernetes.io/enforce=restricted \
    pod-security.kubernetes.io/warn=restricted >/dev/null
  host_services | kubectl apply -f - >/dev/null
  # The prometheus-operator CRDs, which kube-prometheus-stack brings on kind and in staging: the chart's
  # ServiceMonitors and PrometheusRules need them (no operator runs here, the objects are only stored).
  kubectl apply --server-side -f "$ROOT/charts/crds/" >/dev/null
  kubectl wait --for=condition=Established crd --all --timeout 60s >/dev/null
  wait "$infra_pid" || die "infrastructure did not start (log: $RUN/logs/infra.log)"
  log "images: waiting for npm run images, then importing them into containerd"
  import_images "$images_pid"
  if [ -z "${NO_PLATFORM:-}" ]; then
    log "platform chart (release platform, namespace platform)"
    install_platform >"$RUN/logs/helm-install.log" 2>&1 || { tail -30 "$RUN/logs/helm-install.log"; die "helm install failed"; }
  fi
  log "up in $((SECONDS - start)) s; KUBECONFIG=$KUBECONFIG"
  kubectl get pods -A -o wide
}

# --- down -----------------------------------------------------------------------------------------------------------
stop_pid() {
  local f="$RUN/pids/$1" pid i
  [ -f "$f" ] || return 0
  pid="$(cat "$f")"
  kill "$pid" 2>/dev/null || { rm -f "$f"; return 0; }
  for i in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$f"
}

down() {
  [ "$(id -u)" = 0 ] || die "needs root"
  cd "$ROOT"
  # Best effort from here on: every step runs even when one fails (verify shows what is left).
  set +e +o pipefail
  if [ -e "$KUBECONFIG" ] && [ -S "$SOCK" ]; then
    log "deleting the platform's pods (kubelet stops them and releases their network)"
    timeout 90 kubectl delete namespace platform --ignore-not-found --wait=true >/dev/null 2>&1 || true
  fi
  stop_pid kubelet
  stop_pid coredns
  if [ -S "$SOCK" ]; then
    log "stopping what is left in containerd"
    local id
    for id in $(ctr_k8s tasks ls -q 2>/dev/null); do ctr_k8s tasks kill -s KILL "$id" >/dev/null 2>&1 || true; done
    sleep 1
    for id in $(ctr_k8s tasks ls -q 2>/dev/null); do ctr_k8s tasks delete -f "$id" >/dev/null 2>&1 || true; done
    for id in $(ctr_k8s containers ls -q 2>/dev/null); do ctr_k8s containers delete "$id" >/dev/null 2>&1 || true; done
  fi
  stop_pid containerd
  # Leftover shims (their containers are gone).
  pkill_tree_of_state
  stop_pid kube-proxy
  [ -x "$BIN/kube-proxy" ] && "$BIN/kube-proxy" --cleanup >/dev/null 2>&1 || true
  log "infrastructure"
  (npx --no tsx packages/local-infra/src/cluster-infra.ts down "$GW" >/dev/null 2>&1) || true
  log "control plane"
  kwokctl delete cluster --name "$NAME" >/dev/null 2>&1 || true
  restore_host
  # The logs outlive the run, for a look after a failed test.
  rm -rf "$STATE/last-logs" && cp -r "$RUN/logs" "$STATE/last-logs" 2>/dev/null
  rm -rf "$RUN" "$KWOK_WORKDIR" "$KUBECONFIG"
  log "down"
}

# containerd-shim processes whose bundle lives in this cluster's state folder.
pkill_tree_of_state() {
  local pid
  for pid in $(pgrep -f "containerd-shim-runc-v2 .*-address $SOCK" || true); do kill -9 "$pid" 2>/dev/null || true; done
}

restore_host() {
  log "restoring the host"
  local t chain m
  for t in iptables ip6tables; do
    "$t" -D FORWARD -j PLATFORM-NODE-FORWARD 2>/dev/null || true
    "$t" -D INPUT -i "$BRIDGE" -j PLATFORM-NODE-INPUT 2>/dev/null || true
    # Whatever kube-proxy --cleanup left: jumps into KUBE-* chains first, then the chains.
    local table
    for table in filter nat mangle; do
      "$t-save" -t "$table" 2>/dev/null | grep -E '^-A (INPUT|OUTPUT|FORWARD|PREROUTING|POSTROUTING) .*-j KUBE-' |
        sed 's/^-A/-D/' | while read -r rule; do eval "$t -t $table $rule" 2>/dev/null || true; done
      for chain in $("$t-save" -t "$table" 2>/dev/null | sed -n -E 's/^:((KUBE|PLATFORM-NODE)-[A-Z0-9-]+) .*/\1/p'); do
        "$t" -t "$table" -F "$chain" 2>/dev/null || true
      done
      for chain in $("$t-save" -t "$table" 2>/dev/null | sed -n -E 's/^:((KUBE|PLATFORM-NODE)-[A-Z0-9-]+) .*/\1/p'); do
        "$t" -t "$table" -X "$chain" 2>/dev/null || true
      done
    done
  done
  # Mounts under the state folder, containerd's run folder and the pods' network namespaces, deepest first.
  for m in $(awk '{print $5}' /proc/self/mountinfo | grep -E "^($STATE|/run/containerd|/run/netns/cni-|/var/run/netns/cni-)" | sort -r); do
    umount -l "$m" 2>/dev/null || true
  done
  find /run/netns -maxdepth 1 -name 'cni-*' -delete 2>/dev/null || true
  ip link del "$BRIDGE" 2>/dev/null || true
  # kubelet's and runc's cgroups (empty once every process is gone), deepest first.
  local d
  for d in $(find /sys/fs/cgroup -mindepth 2 -type d -path '*/kubepods*' 2>/dev/null | sort -r); do rmdir "$d" 2>/dev/null || true; done
  for d in /sys/fs/cgroup/*/kubepods; do [ -d "$d" ] && rmdir "$d" 2>/dev/null || true; done
  # The sysctls, to what they were before `up`.
  if [ -f "$KEEP/host-before.txt" ]; then
    local line key value
    while read -r line; do
      key="${line#sysctl }"
      value="${key#*=}"
      key="${key%%=*}"
      [ "$value" = absent ] && continue
      [ "$(sysctl -n "$key" 2>/dev/null)" = "$value" ] || sysctl -q -w "$key=$value" || true
    done < <(grep '^sysctl ' "$KEEP/host-before.txt")
  fi
  # kubelet's links to the pods' logs (their files were under the state folder), and the folder if it is new.
  find /var/log/containers -maxdepth 1 -type l -lname "$RUN/*" -delete 2>/dev/null
  grep -qx 'log /var/log/containers' "$KEEP/host-before.txt" 2>/dev/null || rmdir /var/log/containers 2>/dev/null
  # containerd's /run/containerd (shim sockets) if nothing else uses it.
  rmdir /run/containerd/s /run/containerd 2>/dev/null || true
}

verify() {
  [ -f "$KEEP/host-before.txt" ] || die "no snapshot ($KEEP/host-before.txt): run up first"
  local now="$STATE/host-after.txt" ok=0
  host_state >"$now"
  if diff -u "$KEEP/host-before.txt" "$now"; then
    log "host as before: $(grep -c . "$now") facts compared (sysctls, iptables/ip6tables rules and chains, links, addresses, routes, mounts, cgroups, netns)"
  else
    ok=1
    log "the host differs from before up (- before, + now)"
  fi
  local procs
  procs="$(pgrep -a -f "$STATE|$ROOT/.local/run/cluster/|$ROOT/.local/cluster/" || true)"
  if [ -n "$procs" ]; then
    ok=1
    log "still running:"
    echo "$procs"
  else
    log "no process of the cluster left"
  fi
  return $ok
}

status() {
  local f
  for f in "$RUN"/pids/*; do
    [ -f "$f" ] || continue
    if kill -0 "$(cat "$f")" 2>/dev/null; then echo "$(basename "$f") up (pid $(cat "$f"))"; else echo "$(basename "$f") DOWN"; fi
  done
  [ -e "$KUBECONFIG" ] && kubectl get nodes,pods -A -o wide
  (cd "$ROOT" && npx --no tsx packages/local-infra/src/cluster-infra.ts status "$GW") || true
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  verify) verify ;;
  install-platform) shift && install_platform "$@" ;;
  image-flags) image_flags ;;
  *) die "usage: cluster.sh up|down|status|verify" ;;
esac
