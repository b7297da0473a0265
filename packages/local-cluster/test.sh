#!/usr/bin/env bash
# test:cluster: the platform on a real single-node cluster (cluster.sh), tested through the gateway's Service, then
# torn down and the host compared with its state before.
#   bash packages/local-cluster/test.sh          (root; builds missing tools and images first, all cached)
#   KEEP_CLUSTER=1 ...                            leave it running (npm run cluster:down later)
# Checks: every pod Ready; every listening socket of the cluster on loopback or the bridge; DNS from a pod; the k6
# smoke through the gateway Service; an order placed and CONFIRMED (npm run demo); /metrics of every deployable;
# `helm upgrade` rolling every Deployment under steady traffic with 0 failed requests and no container restart;
# after `down`, the host as before (cluster.sh verify). The last line reads `cluster-node: N passed, N failed`.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/packages/local-cluster"
OUT="$ROOT/.local/cluster-test"
KEEP="$ROOT/.local/cluster-node/keep"
export KUBECONFIG="$ROOT/.local/cluster-node/kubeconfig"
export PATH="$ROOT/.local/cluster/bin:$ROOT/.local/bin:$PATH"
cd "$ROOT"
rm -rf "$OUT" && mkdir -p "$OUT/logs"

# shellcheck source=../delivery-checks/checks.sh
source "$ROOT/packages/delivery-checks/checks.sh"
start=$SECONDS
timings=()
phase() { timings+=("$1: $2 s"); }

summary() {
  echo
  echo "Cluster-node checks (output in ${OUT#"$ROOT"/}):"
  [ ${#results[@]} -gt 0 ] && printf '  %s\n' "${results[@]}"
  [ ${#timings[@]} -gt 0 ] && printf '  time %s\n' "${timings[@]}"
  echo
  echo "cluster-node: $passed passed, $failed failed"
}

teardown() {
  if [ -n "${KEEP_CLUSTER:-}" ]; then
    echo "KEEP_CLUSTER: left running (KUBECONFIG=$KUBECONFIG; npm run cluster:down stops it)"
  else
    local t=$SECONDS
    check "cluster down" bash "$HERE/cluster.sh" down
    check "host as before up, nothing left running (cluster.sh verify)" bash "$HERE/cluster.sh" verify
    phase down $((SECONDS - t))
  fi
  phase total $((SECONDS - start))
  summary
  [ "$failed" -eq 0 ]
}
trap 'teardown; exit $?' EXIT
trap 'exit 130' INT TERM

t=$SECONDS
check "k6 installed (delivery-checks install-tools.sh k6)" bash packages/delivery-checks/install-tools.sh k6
check "cluster up (control plane, containerd, kubelet, CNI, kube-proxy, CoreDNS, infrastructure, images, platform chart)" \
  bash "$HERE/cluster.sh" up
phase up $((SECONDS - t))
[ "$failed" -eq 0 ] || exit 1

GATEWAY="http://$(kubectl -n platform get svc platform-gateway -o jsonpath='{.spec.clusterIP}')"
echo "gateway Service: $GATEWAY"
admin() { node -e 'console.log(require(process.argv[1])[process.argv[2]])' "$KEEP/admin.json" "$1"; }

pods_ready() {
  kubectl get pods -A -o wide
  kubectl wait -n platform --for=condition=Ready pod --field-selector=status.phase=Running --all --timeout 120s &&
    [ "$(kubectl get deploy -n platform -o jsonpath='{range .items[*]}{.status.readyReplicas}/{.status.replicas} {end}' |
      tr ' ' '\n' | awk -F/ 'NF == 2 && $1 != $2' | wc -l)" = 0 ]
}
check "every Deployment of the platform Ready" pods_ready

# Every listening socket of the cluster's processes is on loopback or on the bridge address.
not_external() {
  local pids
  pids="$(pgrep -d '|' -f "$ROOT/.local/(cluster-node|run/cluster/|cluster/)")"
  ss -Hltnup | grep -E "pid=($pids)," | tee "$OUT/listening.txt"
  [ -s "$OUT/listening.txt" ] || return 1
  ! awk '{print $5}' "$OUT/listening.txt" | grep -v -E '^(127\.0\.0\.1|\[::1\]|\[::ffff:127\.0\.0\.1\]|10\.244\.0\.1|\[::ffff:10\.244\.0\.1\]):'
}
check "cluster processes listen on loopback or the bridge only" not_external

in_pod() { kubectl exec -n platform deploy/platform-gateway -- node -e "$1"; }
check "DNS from a pod: kafka.platform.svc, platform-user; nothing outside the cluster" in_pod '
  const dns = require("node:dns").promises;
  (async () => {
    for (const name of ["kafka.platform.svc.cluster.local", "platform-user"]) console.log(name, (await dns.lookup(name)).address);
    const outside = await dns.lookup("registry.npmjs.org").then((a) => a.address, (e) => e.code);
    console.log("registry.npmjs.org", outside);
    if (!/^E/.test(outside)) process.exit(1);
  })().catch((e) => { console.error(e); process.exit(1); });'

t=$SECONDS
# k6/run.ts loads the compiled workspaces (bench/k6-platform -> @platform/local-infra).
check "workspaces compiled for the k6 runner (tsc -b)" npx --no tsc -b
check "k6 smoke through the gateway Service" env BASE_URL="$GATEWAY" ADMIN_EMAIL="$(admin ADMIN_EMAIL)" \
  ADMIN_PASSWORD="$(admin ADMIN_PASSWORD)" npx --no tsx k6/run.ts smoke
confirmed() {
  GATEWAY_URL="$GATEWAY" DEV_SECRETS_FILE="$KEEP/admin.json" npx --no tsx gateway/scripts/demo.ts | tee "$OUT/demo.txt"
  grep -q 'the order is CONFIRMED' "$OUT/demo.txt"
}
check "an order placed through the gateway and CONFIRMED (npm run demo)" confirmed
phase smoke $((SECONDS - t))

metrics() {
  local pod ip
  for pod in $(kubectl get pods -n platform --field-selector=status.phase=Running -o name); do
    ip="$(kubectl get -n platform "$pod" -o jsonpath='{.status.podIP}')"
    node -e '
      fetch(process.argv[1]).then(async (r) => {
        const text = await r.text();
        const series = text.split("\n").filter((l) => l.startsWith("http_request_duration_seconds_count")).length;
        console.log(process.argv[2], r.status, `${series} http_request_duration_seconds series`);
        if (r.status !== 200 || !text.includes("process_cpu_seconds_total")) process.exit(1);
      });' "http://$ip:9464/metrics" "$pod" || return 1
  done
}
check "/metrics scraped from every pod (metrics port 9464)" metrics

# helm upgrade that changes every pod template, under steady traffic through the gateway.
upgrade_under_traffic() {
  local before after app tp
  before="$(kubectl get deploy -n platform -o jsonpath='{range .items[*]}{.metadata.name}={.metadata.generation} {end}')"
  node "$HERE/steady-traffic.mjs" "$GATEWAY" "$KEEP/admin.json" "$OUT/traffic.json" >"$OUT/logs/traffic.log" 2>&1 &
  tp=$!
  local i
  for i in $(seq 60); do grep -q 'steady traffic:' "$OUT/logs/traffic.log" && break; sleep 1; done
  sleep 5
  local flags=() stamp
  stamp="$(date +%s)"
  for app in user product order inventory gateway; do flags+=(--set-string "$app.podAnnotations.platform\.local/rolled=$stamp"); done
  local t=$SECONDS
  bash "$HERE/cluster.sh" install-platform "${flags[@]}" || { kill "$tp"; return 1; }
  echo "helm upgrade (with its migration Jobs and the rollout of every Deployment): $((SECONDS - t)) s"
  for app in user product order inventory gateway; do kubectl rollout status -n platform "deploy/platform-$app" --timeout 120s || return 1; done
  # Old pods go on serving after they leave the endpoints: the preStop sleep (5 s), then the kit's drain
  # (SHUTDOWN_DRAIN_DELAY_MS, 5 s) and close; the traffic keeps running until the last of them has exited.
  sleep 25
  kill -TERM "$tp" && wait "$tp"
  cat "$OUT/logs/traffic.log"
  after="$(kubectl get deploy -n platform -o jsonpath='{range .items[*]}{.metadata.name}={.metadata.generation} {end}')"
  echo "generations before: $before"
  echo "generations after:  $after"
  local d
  for d in $before; do
    echo " $after " | grep -q " ${d%=*}=${d#*=} " && { echo "${d%=*} did not roll"; return 1; }
  done
  node -e '
    const r = require(process.argv[1]);
    console.log(JSON.stringify(r.failures.slice(0, 10), null, 2));
    process.exit(r.sent > 100 && r.failed === 0 ? 0 : 1);' "$OUT/traffic.json"
}
t=$SECONDS
check "helm upgrade rolls every Deployment under steady traffic with 0 failed requests" upgrade_under_traffic
phase upgrade $((SECONDS - t))
no_restarts() {
  kubectl get pods -n platform -o jsonpath='{range .items[*]}{.metadata.name} {.status.containerStatuses[0].restartCount}{"\n"}{end}' |
    tee /dev/stderr | awk '$2 != "" && $2 != 0 {bad = 1} END {exit bad}'
}
check "no container restarted" no_restarts
kubectl get pods -A -o wide >"$OUT/pods.txt" 2>&1
kubectl get events -A --sort-by=.lastTimestamp >"$OUT/events.txt" 2>&1
