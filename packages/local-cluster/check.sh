#!/usr/bin/env bash
# check:cluster: both charts installed, upgraded and uninstalled on a real Kubernetes API server.
#   bash packages/local-cluster/check.sh              (builds missing tools first, see install-tools.sh)
#   SKIP_INSTALL=1 bash packages/local-cluster/check.sh
#   ONLY=platform-full ...                             only the scenarios whose name matches this regular expression
#   KEEP_CLUSTER=1 ...                                 leave the cluster running for inspection (kwokctl delete cluster --name platform-check)
#
# A real control plane (etcd, kube-apiserver with its default admission plugins and RBAC, controller-manager,
# scheduler) started by kwokctl from local binaries, on 127.0.0.1 only, with three fake nodes (kwok) in three zones:
# the controllers create ReplicaSets and pods, the scheduler places them, and kwok marks them Running and Ready and
# completes Job pods. No container runs, so this proves what the API and the controllers accept and do, not what
# the images do. For every values scenario of both charts: `helm install`, `helm upgrade` (a new image tag, so every
# Deployment rolls) and `helm uninstall`, each with --wait --wait-for-jobs, in a namespace of its own that enforces
# the `restricted` Pod Security Standard. The cluster is deleted at the end, also after a failure or Ctrl-C.
# Logs stay under .local/cluster-check/. The last line reads `cluster: N passed, N failed`.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/packages/local-cluster"
OUT="$ROOT/.local/cluster-check"
NAME=platform-check
RELEASE=platform
TIMEOUT="${TIMEOUT:-3m}"

cd "$ROOT"
mkdir -p "$ROOT/.local"
# shellcheck source=../delivery-checks/checks.sh
source "$ROOT/packages/delivery-checks/checks.sh"
# helm from the delivery toolchain, the control plane from this package's.
install_tools packages/delivery-checks/install-tools.sh packages/local-cluster/install-tools.sh
BIN="$ROOT/.local/cluster/bin"
export PATH="$BIN:$ROOT/.local/bin:$PATH"

# Everything this run writes stays in $OUT: kwokctl's work directory, the kubeconfig, helm's state.
rm -rf "$OUT" && mkdir -p "$OUT/logs"
export KWOK_WORKDIR="$OUT/kwok" KUBECONFIG="$OUT/kubeconfig"
export HELM_CACHE_HOME="$OUT/helm/cache" HELM_CONFIG_HOME="$OUT/helm/config" HELM_DATA_HOME="$OUT/helm/data"

# shellcheck source=control-plane.sh
source "$HERE/control-plane.sh"

cluster_summary() { summary "Cluster checks (Kubernetes $(kube_version); output in ${OUT#"$ROOT"/})" cluster; }

# --- cluster ------------------------------------------------------------------------------------------------------
trap 'control_plane_teardown "$NAME" "$OUT/logs/teardown.log"' EXIT
trap 'exit 130' INT TERM

check "cluster up (kwokctl, Kubernetes $(kube_version), 3 fake nodes)" control_plane_up "$NAME" "$OUT"
if [ "$failed" -gt 0 ]; then
  cluster_summary
  exit 1
fi

# Every socket the control plane listens on is on loopback.
loopback_only() {
  local f pids=()
  for f in "$KWOK_WORKDIR/clusters/$NAME"/pids/*.pid; do pids+=("$(tr -dc 0-9 <"$f")"); done
  [ ${#pids[@]} -ge 5 ] || { echo "expected 5 pid files under $KWOK_WORKDIR/clusters/$NAME/pids"; return 1; }
  ss -Hltnp | grep -E "pid=($(IFS='|'; echo "${pids[*]}"))," | tee "$OUT/listening.txt"
  [ -s "$OUT/listening.txt" ] || { echo "no listening socket found for pids ${pids[*]}"; return 1; }
  ! awk '{print $4}' "$OUT/listening.txt" | grep -v -E '^(127\.0\.0\.1|\[::1\]):'
}
check "control plane listens on 127.0.0.1 only" loopback_only

# The prometheus-operator CRDs the charts' ServiceMonitor and PrometheusRule need (kube-prometheus-stack owns them in
# a real cluster; charts/crds/ holds the upstream files).
crds() {
  kubectl apply --server-side -f charts/crds/ &&
    kubectl wait --for=condition=Established crd --all --timeout 60s
}
check "CRDs applied (charts/crds)" crds
check "cluster prerequisites of the ci/ scenarios applied" kubectl apply -f "$HERE/prerequisites.yaml"
check "helm dependency build charts/platform" helm dependency build charts/platform

# --- scenarios ----------------------------------------------------------------------------------------------------
# Every hook Job of the release's last revision ran to completion (Helm deletes successful ones; it records the outcome).
hooks_succeeded() {
  helm status "$RELEASE" -n "$1" -o json | node -e '
    const r = JSON.parse(require("fs").readFileSync(0, "utf8"));
    const jobs = (r.hooks || []).filter((h) => h.kind === "Job");
    for (const h of jobs) console.log(`${h.name}: ${h.last_run?.phase}`);
    if (jobs.some((h) => h.last_run?.phase !== "Succeeded")) process.exit(1);
    console.log(`${jobs.length} hook Jobs succeeded`);
  '
}
# tag_flags CHART TAG: the --set flags that give every deployable of the chart a new image tag.
tag_flags() {
  case "$1" in
    charts/microservice) echo "--set image.tag=$2" ;;
    charts/platform) for app in user product order inventory gateway; do printf -- '--set %s.image.tag=%s ' "$app" "$2"; done ;;
  esac
}

scenario() {
  local chart="$1" values="${2:-}" name ns
  name="$(basename "$chart")-$(basename "${values:-default}" .yaml | sed 's/-values$//')"
  ns="$name"
  [[ "$name" =~ ${ONLY:-.} ]] || return 0
  local args=(-n "$ns" --wait --wait-for-jobs --timeout "$TIMEOUT")
  [ -n "$values" ] && args+=(-f "$values")
  # The namespace exists before the release, as in staging; it enforces the restricted Pod Security Standard,
  # which the chart's hardened pods (and its migration Jobs) must meet.
  kubectl create namespace "$ns" >/dev/null && kubectl label namespace "$ns" \
    pod-security.kubernetes.io/enforce=restricted pod-security.kubernetes.io/warn=restricted >/dev/null
  # shellcheck disable=SC2046 # tag_flags prints several words on purpose
  check "$name: helm install" helm install "$RELEASE" "$chart" "${args[@]}" $(tag_flags "$chart" check-1)
  check "$name: objects accepted" release_objects_exist "$ns" "$RELEASE"
  check "$name: Deployments rolled out" rolled_out "$ns" check-1
  check "$name: hook Jobs completed (install)" hooks_succeeded "$ns"
  local key_before=""
  [ "$chart" = charts/platform ] && key_before="$(kubectl get secret -n "$ns" "$RELEASE-user-jwt" -o jsonpath='{.data}' 2>/dev/null)"
  # shellcheck disable=SC2046
  check "$name: helm upgrade (new image tag)" helm upgrade "$RELEASE" "$chart" "${args[@]}" $(tag_flags "$chart" check-2)
  check "$name: Deployments rolled out after upgrade" rolled_out "$ns" check-2
  check "$name: hook Jobs completed (upgrade)" hooks_succeeded "$ns"
  if [ -n "$key_before" ]; then
    check "$name: dev signing key kept across the upgrade (lookup)" \
      test "$key_before" = "$(kubectl get secret -n "$ns" "$RELEASE-user-jwt" -o jsonpath='{.data}')"
  fi
  check "$name: helm uninstall" helm uninstall "$RELEASE" -n "$ns" --wait --timeout "$TIMEOUT"
  check "$name: nothing left behind" release_gone "$ns" "$RELEASE"
  kubectl delete namespace "$ns" --wait=false >/dev/null
}

scenario charts/microservice
for f in charts/microservice/ci/*-values.yaml; do scenario charts/microservice "$f"; done
scenario charts/platform
for f in charts/platform/ci/*-values.yaml charts/platform/values-staging.yaml; do scenario charts/platform "$f"; done

cluster_summary
[ "$failed" -eq 0 ]
