# shellcheck shell=bash
# Sourced by check.sh and infra/check.sh: start and stop the local Kubernetes control plane (kwokctl, binary
# runtime, every port on 127.0.0.1, three fake nodes in three zones); by cluster.sh for its configuration only. The
# caller exports KWOK_WORKDIR and KUBECONFIG and puts the binaries of install-tools.sh (.local/cluster/bin) on PATH.
#   kwokctl_config CACHE [real-node]  the KwokctlConfiguration (stdout); real-node: no fake nodes (cluster.sh)
#   control_plane_up NAME DIR     write DIR/kwokctl.yaml, start the cluster, wait for its nodes
#   control_plane_down NAME       delete it
#   control_plane_teardown NAME LOG   delete it unless KEEP_CLUSTER is set (for `trap ... EXIT`)
#   kube_version                  the version the binaries report (v1.x.y)
# and the assertions on a Helm release that both checks make (at the end).

kube_version() { kube-apiserver --version 2>/dev/null | awk '{print $2}'; }

# kwokctl_config CACHE [real-node]: the KwokctlConfiguration of every cluster here, on stdout. check.sh and
# infra/check.sh run it with kwok's fake nodes; cluster.sh with `real-node`: no fake-node controller (the kubelet
# registers the Node), and the API server dials the kubelet at the Node's InternalIP.
kwokctl_config() {
  local cache="$1" mode="${2:-}" bin
  bin="$(dirname "$(command -v kube-apiserver)")"
  cat <<YAML
apiVersion: config.kwok.x-k8s.io/v1alpha1
kind: KwokctlConfiguration
options:
  runtime: binary
  bindAddress: 127.0.0.1
  kubeVersion: $(kube_version)
  # Real authorization (RBAC) and the API server's default admission plugins (ServiceAccount, Priority, PodSecurity...).
  kubeAuthorization: true
  kubeAdmission: true
  etcdBinary: $bin/etcd
  kubeApiserverBinary: $bin/kube-apiserver
  kubeControllerManagerBinary: $bin/kube-controller-manager
  kubeSchedulerBinary: $bin/kube-scheduler
  kwokControllerBinary: $bin/kwok
  kubectlBinary: $bin/kubectl
  cacheDir: $cache
YAML
  [ "$mode" = real-node ] || return 0
  cat <<'YAML'
  # The node is real: no fake-node controller.
  disable: [kwok-controller]
componentsPatches:
  # The API server dials kubelets (logs, exec) at their InternalIP, the bridge address; the Node's hostname
  # resolves nowhere.
  - name: kube-apiserver
    extraArgs:
      - key: kubelet-preferred-address-types
        value: InternalIP
YAML
}

control_plane_up() {
  local name="$1" dir="$2"
  kwokctl_config "$dir/kwok/cache" >"$dir/kwokctl.yaml"
  kwokctl create cluster --name "$name" --config "$dir/kwokctl.yaml" --kubeconfig "$KUBECONFIG" --wait 2m || return 1
  # Three fake nodes, one per zone, like a small production cluster (topology spread constraints need zones).
  kwokctl scale node --name "$name" --replicas 3 || return 1
  local i=0 node
  for node in $(kubectl get nodes -o name); do
    kubectl label "$node" "topology.kubernetes.io/zone=zone-$((i++))" --overwrite || return 1
  done
  kubectl wait --for=condition=Ready node --all --timeout 60s || return 1
  kubectl version
  [ "$(kubectl version -o json | sed -n 's/.*"gitVersion": "\(v[^"]*\)".*/\1/p' | tail -1)" = "$(kube_version)" ]
}

control_plane_down() { kwokctl delete cluster --name "$1"; }

# control_plane_teardown NAME LOG: delete it (output to LOG), unless KEEP_CLUSTER is set. For `trap ... EXIT`.
control_plane_teardown() {
  if [ -n "${KEEP_CLUSTER:-}" ]; then
    echo "KEEP_CLUSTER: cluster $1 left running (KWOK_WORKDIR=$KWOK_WORKDIR KUBECONFIG=$KUBECONFIG)"
    return
  fi
  control_plane_down "$1" >>"$2" 2>&1 || true
}

# Assertions on a Helm release, shared by both checks.
#   release_objects_exist NS RELEASE   every object of the release's manifest exists
#   rolled_out NS [TAG]                every Deployment in NS rolled out: every desired pod updated and ready (kwok
#                                      marks pods Ready once the scheduler has put them on a fake node), and with TAG,
#                                      every container on that image tag
#   release_gone NS RELEASE            no release of that name (in any state), and no object labelled with it once
#                                      the garbage collector has removed the pods (up to a minute)
release_objects_exist() { helm get manifest "$2" -n "$1" | kubectl get -n "$1" -f - -o name; }

# ready = current = updated replicas, within 30 s; prints the last status seen when it never settles.
settled() {
  local ns="$1" deploy="$2" status i
  for i in $(seq 30); do
    status="$(kubectl get -n "$ns" "$deploy" -o jsonpath='{.status.readyReplicas}/{.status.replicas}/{.status.updatedReplicas}')"
    [ "$status" = "$(kubectl get -n "$ns" "$deploy" -o jsonpath='{.status.replicas}/{.status.replicas}/{.status.replicas}')" ] && return 0
    sleep 1
  done
  echo "$deploy never settled: ready/replicas/updated = $status"
  return 1
}

rolled_out() {
  local ns="$1" tag="${2:-}" deploy n=0
  for deploy in $(kubectl get deploy -n "$ns" -o name); do
    n=$((n + 1))
    kubectl rollout status -n "$ns" "$deploy" --timeout 60s || return 1
    kubectl get -n "$ns" "$deploy" -o jsonpath='{.spec.template.spec.containers[*].image}{"\n"}' | tee /dev/stderr |
      grep -q -- ":${tag:-[^:]*}\$" || return 1
    # rollout status can return while the status still counts a terminating old pod: let it settle (bounded).
    settled "$ns" "$deploy" || return 1
  done
  [ "$n" -gt 0 ] || { echo "no Deployment in namespace $ns"; return 1; }
  echo "$n Deployments rolled out"
}

release_gone() {
  local ns="$1" release="$2" left i
  for i in $(seq 30); do
    left="$(helm list -n "$ns" -a -q --filter "^$release\$" && kubectl get -n "$ns" -l "app.kubernetes.io/instance=$release" \
      -o name deploy,rs,pod,svc,cm,secret,sa,hpa,pdb,netpol,ingress,job,servicemonitor,prometheusrule)" || return 1
    [ -z "$left" ] && return 0
    sleep 2
  done
  echo "left behind: $left"
  return 1
}
