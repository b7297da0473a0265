#!/usr/bin/env bash
# Delivery checks, offline: charts, rendered manifests, alert rules, dashboards, skaffold config, the Dockerfile.
#   bash packages/delivery-checks/check.sh          (installs missing tools first, see install-tools.sh)
#   SKIP_INSTALL=1 bash packages/delivery-checks/check.sh
# Rendered output is kept under .local/delivery-checks/ for inspection. Every check runs even after a failure;
# the exit code is non-zero if any failed. The last line reads `N passed, N failed`.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/packages/delivery-checks"
OUT="$ROOT/.local/delivery-checks"
KUBE_VERSION="1.34.0"
KUBE_MINOR="1.34"
CRDS="$ROOT/charts/crds"

cd "$ROOT"
mkdir -p "$ROOT/.local"
if [ -z "${SKIP_INSTALL:-}" ]; then
  bash "$HERE/install-tools.sh" >"$ROOT/.local/install-tools.log" 2>&1 || {
    cat "$ROOT/.local/install-tools.log"
    echo "install-tools.sh failed"
    exit 1
  }
fi
export PATH="$ROOT/.local/bin:$PATH"

rm -rf "$OUT" && mkdir -p "$OUT"/{render,rules,logs}
# Never talk to a cluster, whatever the developer's kubeconfig says: validation is against the pinned version only.
: >"$OUT/empty-kubeconfig"
export KUBECONFIG="$OUT/empty-kubeconfig"
# skaffold: no prompts, no update check, no usage metrics. It reads its global config only from $HOME, so it runs
# with a throwaway HOME holding one.
mkdir -p "$OUT/skaffold-home/.skaffold"
printf 'global:\n  collect-metrics: false\n  update-check: false\n  survey:\n    disable-prompt: true\n' >"$OUT/skaffold-home/.skaffold/config"
export SKAFFOLD_INTERACTIVE=false SKAFFOLD_UPDATE_CHECK=false

# Python with PyYAML for policy.py (the machine image has it: pip, or Debian python3-yaml for /usr/bin/python3).
PY=python3
python3 -c 'import yaml' 2>/dev/null || PY=/usr/bin/python3

# shellcheck source=checks.sh
source "$HERE/checks.sh"

validate() {
  # An empty stream would "validate": make sure there is something to check.
  grep -q '^kind: ' "$1" || { echo "$1: no Kubernetes objects"; return 1; }
  kubectl-validate --version "$KUBE_MINOR" --local-crds "$CRDS" "$1"
}

# PrometheusRule objects in a rendered stream -> one promtool rules file per object (their `spec`, de-indented).
extract_rules() {
  local stream="$1" prefix="$2"
  awk -v prefix="$prefix" '
    function flush() { if (isrule && n > 0) { f = sprintf("%s-%02d.yaml", prefix, ++count); for (i = 1; i <= n; i++) print lines[i] > f; close(f) } }
    /^---/ { flush(); isrule = 0; inspec = 0; n = 0; next }
    /^kind: PrometheusRule$/ { isrule = 1 }
    inspec { if ($0 ~ /^[^ #]/) { inspec = 0 } else { lines[++n] = substr($0, 3) } }
    /^spec:$/ { inspec = 1 }
    END { flush(); print count + 0 }
  ' "$stream"
}

promtool_stream() {
  local stream="$1" prefix="$2" count
  count="$(extract_rules "$stream" "$prefix")"
  [ "$count" -gt 0 ] || return 0
  promtool check rules "$prefix"-*.yaml
}

# --- charts -------------------------------------------------------------------------------------------------------
check "helm dependency build charts/platform" helm dependency build charts/platform

scenario() {
  local chart="$1" values="${2:-}" name
  name="$(basename "$chart")-$(basename "${values:-default}" .yaml)"
  local args=(--kube-version "$KUBE_VERSION")
  [ -n "$values" ] && args+=(-f "$values")
  check "helm lint --strict $name" helm lint --strict "$chart" "${args[@]}"
  local out="$OUT/render/$name.yaml"
  check "helm template $name" bash -c 'helm template platform "$1" --namespace platform "${@:3}" >"$2"' _ "$chart" "$out" "${args[@]}"
  check "kubectl-validate $name" validate "$out"
  check "policy $name" "$PY" "$HERE/policy.py" "$out"
  check "promtool check rules $name" promtool_stream "$out" "$OUT/rules/$name"
}

scenario charts/microservice
for f in charts/microservice/ci/*-values.yaml; do scenario charts/microservice "$f"; done
scenario charts/platform
for f in charts/platform/ci/*-values.yaml charts/platform/values-staging.yaml; do scenario charts/platform "$f"; done

# The alerts behave as intended on synthetic series (promtool unit tests against the rules of one scenario).
alert_tests() {
  cp "$OUT"/rules/microservice-full-values-01.yaml "$OUT/rules/under-test.yaml"
  cp "$HERE/alerts.test.yaml" "$OUT/rules/alerts.test.yaml"
  promtool test rules "$OUT/rules/alerts.test.yaml"
}
check "promtool test rules (alert behaviour)" alert_tests

# Every value documented, README tables current.
check "values documented (microservice)" node "$HERE/values-docs.mjs" --check charts/microservice
check "values documented (platform)" node "$HERE/values-docs.mjs" --check charts/platform

# The chart's environment satisfies each deployable's config schema (dev defaults, and staging with its
# out-of-band Secret keys as placeholders). Needs the repository's node_modules (tsx, joi).
contract() {
  local render="$1" env="$2"
  shift 2
  "$PY" "$HERE/policy.py" --env-json "$env" "$render" >/dev/null &&
    "$ROOT/node_modules/.bin/tsx" --tsconfig "$ROOT/tsconfig.tests.json" "$HERE/config-contract.ts" "$env" "$@"
}
if [ -x "$ROOT/node_modules/.bin/tsx" ]; then
  check "config contract platform-default" contract "$OUT/render/platform-default.yaml" "$OUT/env-default.json"
  check "config contract platform-values-staging" contract "$OUT/render/platform-values-staging.yaml" \
    "$OUT/env-staging.json" "$HERE/staging-secret-placeholders.json"
else
  skip "config contract" "no node_modules: run npm ci first"
fi

# --- dashboards ---------------------------------------------------------------------------------------------------
check "dashboards: JSON, uids, metrics" node "$HERE/dashboards.mjs" charts/platform/dashboards "$OUT/rules/dashboards.yaml"
check "dashboards: PromQL parses (promtool)" promtool check rules "$OUT/rules/dashboards.yaml"

# --- skaffold -----------------------------------------------------------------------------------------------------
for profile in default dev staging local-node; do
  out="$OUT/render/skaffold-$profile.yaml"
  pflag=()
  [ "$profile" != default ] && pflag=(--profile "$profile")
  check "skaffold render ($profile)" bash -c 'HOME="$1" skaffold render --offline=true --digest-source=none --output "$2" "${@:3}"' \
    _ "$OUT/skaffold-home" "$out" "${pflag[@]}"
  check "kubectl-validate skaffold-$profile" validate "$out"
  check "policy skaffold-$profile" "$PY" "$HERE/policy.py" "$out"
  check "promtool check rules skaffold-$profile" promtool_stream "$out" "$OUT/rules/skaffold-$profile"
done

# --- images -------------------------------------------------------------------------------------------------------
# One Dockerfile for every deployable (build argument WORKSPACE); its users (skaffold, the release) build all of them.
check "hadolint Dockerfile" hadolint Dockerfile
check "Dockerfile: layout, WORKSPACE, workspace manifests; skaffold and release build every deployable" \
  node "$HERE/dockerfiles.mjs" Dockerfile skaffold.yaml .github/workflows/release.yml

# --- workflows ----------------------------------------------------------------------------------------------------
# Syntax, expressions, reusable-workflow inputs and secrets, action pins (shellcheck on run: blocks when installed).
check "actionlint .github/workflows" actionlint -no-color

# --- summary ------------------------------------------------------------------------------------------------------
summary "Delivery checks (Kubernetes $KUBE_VERSION; output in ${OUT#"$ROOT"/})" delivery
[ "$failed" -eq 0 ]
