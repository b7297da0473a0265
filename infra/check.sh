#!/usr/bin/env bash
# check:infra: the OpenTofu code under infra/, checked offline and applied to a real API server.
#   bash infra/check.sh                 (builds missing tools first: infra/install-tools.sh and the cluster's)
#   SKIP_INSTALL=1 bash infra/check.sh
#   KEEP_CLUSTER=1 ...                  leave the control plane running (kwokctl delete cluster --name infra-check)
#
# 1. `tofu fmt -check`, `tofu init -backend=false` + `tofu validate` of both live roots and every module, tflint
#    (bundled ruleset, preset all), `helm lint` of the addons module's own chart;
# 2. the contract between the addons and charts/platform (infra/test/contract.mjs, over what `tofu console`
#    evaluates in the addons module and the staging root);
# 3. `tofu apply` of the platform module against the local control plane (packages/local-cluster: kube-apiserver
#    and controllers from Go sources, kwok's fake nodes, loopback only), the release and its objects asserted,
#    then `tofu destroy`, and nothing of the release left.
# tofu reads providers only from the filesystem mirror install-tools.sh builds: TF_CLI_CONFIG_FILE is set here,
# not in the user's environment, so a user with internet keeps the normal registry.
# Logs stay under .local/infra-check/. The last line reads `infra: N passed, N failed`.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/.local/infra-check"
NAME=infra-check
cd "$ROOT"
mkdir -p "$ROOT/.local"

# shellcheck source=../packages/delivery-checks/checks.sh
source "$ROOT/packages/delivery-checks/checks.sh"
install_tools packages/delivery-checks/install-tools.sh packages/local-cluster/install-tools.sh infra/install-tools.sh
export PATH="$ROOT/.local/infra/bin:$ROOT/.local/cluster/bin:$ROOT/.local/bin:$PATH"

rm -rf "$OUT" && mkdir -p "$OUT/logs" "$OUT/data"
export KWOK_WORKDIR="$OUT/kwok" KUBECONFIG="$OUT/kubeconfig"
export HELM_CACHE_HOME="$OUT/helm/cache" HELM_CONFIG_HOME="$OUT/helm/config" HELM_DATA_HOME="$OUT/helm/data"
export TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1

# Providers from the mirror only. No `direct` block: nothing is downloaded, and a provider missing from the mirror
# fails `init` at once instead of reaching for a registry.
printf 'provider_installation {\n  filesystem_mirror {\n    path = "%s"\n  }\n}\n' "$ROOT/.local/infra/providers" >"$OUT/tofurc"
export TF_CLI_CONFIG_FILE="$OUT/tofurc"

# shellcheck source=../packages/local-cluster/control-plane.sh
source "$ROOT/packages/local-cluster/control-plane.sh"

infra_summary() { summary "Infrastructure checks ($(tofu version | head -1); output in ${OUT#"$ROOT"/})" infra; }

# tf DIR ARGS...: tofu in DIR with its working data (.terraform) under $OUT, so the tree stays clean.
tf() {
  local dir="$1"
  shift
  TF_DATA_DIR="$OUT/data/${dir//\//_}" tofu -chdir="$dir" "$@"
}

# --- offline ------------------------------------------------------------------------------------------------------
check "tofu fmt -check -recursive infra" tofu fmt -check -recursive -diff infra
for dir in infra/live/local infra/live/staging infra/modules/platform infra/modules/cluster-addons infra/modules/kind-cluster; do
  check "$dir: tofu init -backend=false" tf "$dir" init -backend=false -no-color
  check "$dir: tofu validate" tf "$dir" validate -no-color
done
check "tflint (bundled terraform ruleset, preset all)" \
  bash -c 'cd infra && tflint --recursive --config="$PWD/.tflint.hcl" --format=compact'
check "helm lint cluster-addons/charts/kafka-cluster" helm lint --strict infra/modules/cluster-addons/charts/kafka-cluster

# --- contract -----------------------------------------------------------------------------------------------------
# What the addons module and the staging root compute, evaluated by tofu itself, compared with the chart's values.
evaluate() {
  tf infra/modules/cluster-addons console -no-color \
    <<<'jsonencode({ releases = local.releases, endpoints = local.endpoints, values = local.values })' \
    >"$OUT/addons.json" || return 1
  # console reads the state, so live/staging needs a backend: a copy of the tree with a local one instead of s3.
  local tree="$OUT/tree"
  mkdir -p "$tree" && cp -r infra "$tree/" && ln -sfn "$ROOT/charts" "$tree/charts"
  printf 'terraform {\n  backend "local" {}\n}\n' >"$tree/infra/live/staging/backend_override.tf"
  tf "$tree/infra/live/staging" init -no-color >/dev/null || return 1
  tf "$tree/infra/live/staging" console -no-color -var-file="$ROOT/infra/test/staging.tfvars" \
    <<<'nonsensitive(jsonencode({ secrets = local.secrets, databases = local.databases, endpoints = local.endpoints }))' \
    >"$OUT/staging.json" || return 1
  head -c 2000 "$OUT/addons.json"
}
check "contract: tofu console of cluster-addons and live/staging" evaluate
check "contract: addons' Services, ports, labels and secrets match charts/platform's values" \
  node infra/test/contract.mjs "$OUT/addons.json" "$OUT/staging.json"

# --- apply on a real API server -----------------------------------------------------------------------------------
trap 'control_plane_teardown "$NAME" "$OUT/logs/teardown.log"' EXIT
trap 'exit 130' INT TERM

check "cluster up (kwokctl, Kubernetes $(kube_version), 3 fake nodes)" control_plane_up "$NAME" "$OUT"
if [ "$failed" -gt 0 ] && ! kubectl get --raw /readyz >/dev/null 2>&1; then
  infra_summary
  exit 1
fi
# The platform's ServiceMonitors and PrometheusRules need the prometheus-operator CRDs (kube-prometheus-stack's).
crds() { kubectl apply --server-side -f charts/crds/ && kubectl wait --for=condition=Established crd --all --timeout 60s; }
check "CRDs applied (charts/crds)" crds
check "helm dependency build charts/platform" helm dependency build charts/platform

# A root of its own around the platform module (infra/test/apply-root/): the helm provider aimed at the control
# plane's kubeconfig, and secrets from a sensitive variable, as live/staging passes them. Its state file is
# removed before and after (git-ignored in between).
APPLY=infra/test/apply-root
rm -f "$APPLY"/terraform.tfstate*
apply_vars=(-var "kubeconfig=$KUBECONFIG" -var "kube_context=kwok-$NAME")
TF_VAR_jwt_private_key="$(openssl genpkey -algorithm ed25519)"
export TF_VAR_jwt_private_key
tfa() { tf "$APPLY" "$@"; }

check "platform: tofu init" tfa init -no-color
check "platform: tofu apply" tfa apply -auto-approve -no-color "${apply_vars[@]}"
release_deployed() {
  helm status platform -n platform -o json | node -e '
    const r = JSON.parse(require("fs").readFileSync(0, "utf8"));
    console.log(`${r.name} revision ${r.version}: ${r.info.status}`);
    if (r.info.status !== "deployed") process.exit(1);'
}
check "platform: release deployed" release_deployed
check "platform: every object of the release exists" release_objects_exist platform platform
check "platform: Deployments rolled out on the fake nodes" rolled_out platform
# The secret arrives unchanged (commas and backslashes survive helm's --set syntax) and stays out of the plan output.
secret_from_variable() {
  local got
  got="$(kubectl get secret -n platform platform-order -o jsonpath='{.data.MONGO_URL}' | base64 -d)"
  echo "MONGO_URL of platform-order: ${got//s3cret/***}"
  [ "$got" = 'mongodb://order:s3cret,with\comma@mongodb.platform.svc:27017/orders' ] || return 1
  ! tfa show -no-color | grep -F -e 's3cret' -e 'PRIVATE KEY' || return 1
  [ "$(kubectl get secret -n platform platform-user -o jsonpath='{.data.JWT_PRIVATE_KEY}' | base64 -d)" = "$TF_VAR_jwt_private_key" ]
}
check "platform: the secret variable reaches the Secret unchanged, and tofu shows it as sensitive" secret_from_variable
check "platform: tofu plan after apply shows no change" tfa plan -detailed-exitcode -no-color "${apply_vars[@]}"
check "platform: tofu destroy" tfa destroy -auto-approve -no-color "${apply_vars[@]}"
check "platform: nothing of the release left after destroy (no release, no object)" release_gone platform platform
rm -f "$APPLY"/terraform.tfstate*

infra_summary
[ "$failed" -eq 0 ]
