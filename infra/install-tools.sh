#!/usr/bin/env bash
# Installs the infrastructure-as-code toolchain, built from the Go module proxy (the only source of Go code
# reachable from dev machines and CI here; no release download, no provider registry):
#   tofu    OpenTofu, built inside a copy of the downloaded module (its go.mod has a replace directive, which
#           `go install pkg@version` refuses)
#   helm    the hashicorp/helm provider, into a filesystem mirror that tofu reads when TF_CLI_CONFIG_FILE points
#           at the CLI config infra/check.sh writes. 1.3.2 is the newest release the proxy serves: the module path
#           has no /v2 or /v3 suffix, so later tags are not Go versions, and their commits' pseudo-versions are
#           refused here. One of its dependencies (vbom.ml/util) left its vanity host; the same code is
#           github.com/fvbommel/util, swapped in with a replace in the build copy. 1.3.2 vendors Helm 3.3, whose
#           template engine is sprig v3.1's function map: no `mulf` (charts/platform uses it) and no Ed25519 in
#           genPrivateKey. Helm 3.3 takes that map whole (sprig.TxtFuncMap()), so requiring a later sprig in the
#           build copy gives its charts those functions and changes nothing else in the provider or Helm.
#   tflint  with its bundled terraform ruleset (no plugin download)
#
# Everything lands in a per-user cache, ~/.cache/platform-infra-tools/<tool>-<version>/, and <repo>/.local/infra/
# (git-ignored) links to it. A tool whose folder exists is never rebuilt: a fresh clone on the same machine (CI)
# only makes the links. A version bump below builds that tool anew. Go builds run one at a time under `nice`.
#   bash infra/install-tools.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${PLATFORM_INFRA_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/platform-infra-tools}"
LOCAL="$ROOT/.local/infra"

TOFU_VERSION="${TOFU_VERSION:-v1.12.6}"
TFLINT_VERSION="${TFLINT_VERSION:-v0.64.0}"
HELM_PROVIDER_VERSION="${HELM_PROVIDER_VERSION:-1.3.2}"
# The sprig the provider's Helm renders with: v3.2.3, the last of the 3.2 series (the first with `mulf` and Ed25519
# keys), whose dependencies stay close to Helm 3.3's. It is part of the recipe, hence of the cache folder's name.
HELM_PROVIDER_SPRIG="${HELM_PROVIDER_SPRIG:-v3.2.3}"
# The replacement of the vanity import path vbom.ml/util that helm v3.3's dependencies still name (same commit).
VBOM_REPLACEMENT="github.com/fvbommel/util@v0.0.0-20160121211510-db5cfe13f5cc"

log() { printf '[infra-tools] %s\n' "$*"; }
command -v go >/dev/null || { echo "Go 1.26+ is required to build OpenTofu, its providers and tflint" >&2; exit 1; }
gobuild() { nice -n 10 env CGO_ENABLED=0 GOFLAGS=-buildvcs=false "$@"; }
platform="$(go env GOOS)_$(go env GOARCH)"

mkdir -p "$CACHE" "$LOCAL/bin"
WORK="$(mktemp -d)"
trap 'chmod -R u+w "$WORK" 2>/dev/null || true; rm -rf "$WORK"' EXIT

# module_copy MODULE@VERSION: a writable copy of the downloaded module, outside any go.mod/go.work of this repo.
module_copy() {
  local dir dest="$WORK/src-${1//[\/@]/-}"
  dir="$(cd "$WORK" && go mod download -json "$1" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
  [ -n "$dir" ] || { echo "go mod download $1 failed" >&2; return 1; }
  cp -r "$dir" "$dest" && chmod -R u+w "$dest"
  echo "$dest"
}

# finish NAME: the build in $CACHE/NAME.tmp is complete; make it the cached folder.
finish() { rm -rf "${CACHE:?}/$1" && mv "$CACHE/$1.tmp" "$CACHE/$1"; }

tofu_dir="tofu-$TOFU_VERSION"
if [ ! -x "$CACHE/$tofu_dir/tofu" ]; then
  log "building OpenTofu $TOFU_VERSION (first run only)"
  src="$(module_copy "github.com/opentofu/opentofu@$TOFU_VERSION")"
  rm -rf "$CACHE/$tofu_dir.tmp" && mkdir -p "$CACHE/$tofu_dir.tmp"
  # version.dev=no: a release build (`tofu version` without the -dev suffix), as upstream's release does.
  (cd "$src" && gobuild go build -trimpath -ldflags "-s -w -X github.com/opentofu/opentofu/version.dev=no" \
    -o "$CACHE/$tofu_dir.tmp/tofu" ./cmd/tofu)
  finish "$tofu_dir"
fi

# The folder names the whole recipe (provider and sprig), so a build made with another recipe is never reused.
helm_dir="provider-helm-$HELM_PROVIDER_VERSION-sprig-$HELM_PROVIDER_SPRIG"
if [ ! -d "$CACHE/$helm_dir/registry.opentofu.org" ]; then
  log "building the hashicorp/helm provider $HELM_PROVIDER_VERSION with sprig $HELM_PROVIDER_SPRIG (first run only)"
  src="$(module_copy "github.com/hashicorp/terraform-provider-helm@v$HELM_PROVIDER_VERSION")"
  # The module zip keeps vendor/modules.txt but not the vendored code: build from the module graph instead.
  rm -rf "$src/vendor"
  (cd "$src" && go mod edit -replace "vbom.ml/util=$VBOM_REPLACEMENT" \
    -require "github.com/Masterminds/sprig/v3@$HELM_PROVIDER_SPRIG")
  # The unpacked filesystem-mirror layout: HOSTNAME/NAMESPACE/TYPE/VERSION/OS_ARCH/terraform-provider-TYPE_vVERSION.
  # Both registry hostnames, so a configuration naming either source finds it.
  rm -rf "$CACHE/$helm_dir.tmp"
  first=""
  for host in registry.opentofu.org registry.terraform.io; do
    dest="$CACHE/$helm_dir.tmp/$host/hashicorp/helm/$HELM_PROVIDER_VERSION/$platform"
    mkdir -p "$dest"
    if [ -z "$first" ]; then
      (cd "$src" && gobuild go build -mod=mod -trimpath -ldflags "-s -w" \
        -o "$dest/terraform-provider-helm_v$HELM_PROVIDER_VERSION" .)
      first="$dest/terraform-provider-helm_v$HELM_PROVIDER_VERSION"
    else
      cp "$first" "$dest/"
    fi
  done
  finish "$helm_dir"
fi

tflint_dir="tflint-$TFLINT_VERSION"
if [ ! -x "$CACHE/$tflint_dir/tflint" ]; then
  log "building tflint $TFLINT_VERSION (first run only)"
  rm -rf "$CACHE/$tflint_dir.tmp" && mkdir -p "$CACHE/$tflint_dir.tmp"
  (cd "$WORK" && GOBIN="$CACHE/$tflint_dir.tmp" gobuild go install -trimpath -ldflags "-s -w" \
    "github.com/terraform-linters/tflint@$TFLINT_VERSION")
  finish "$tflint_dir"
fi

# The links: .local/infra/bin/{tofu,tflint} and .local/infra/providers, the filesystem mirror. The mirror holds a
# single provider, so it links to that provider's folder; a second one would need a folder joining both.
ln -sfn "$CACHE/$tofu_dir/tofu" "$LOCAL/bin/tofu"
ln -sfn "$CACHE/$tflint_dir/tflint" "$LOCAL/bin/tflint"
rm -rf "$LOCAL/providers" && ln -sfn "$CACHE/$helm_dir" "$LOCAL/providers"

log "tools in ${LOCAL#"$ROOT"/}:"
# `|| true`: head closing the pipe early fails the version commands under pipefail. The user's own CLI
# configuration (TF_CLI_CONFIG_FILE) plays no part here.
{ env -u TF_CLI_CONFIG_FILE "$LOCAL/bin/tofu" version | head -1; "$LOCAL/bin/tflint" --version | head -1; } || true
(cd "$LOCAL/providers" && find -L . -type f -name 'terraform-provider-*' | sed 's|^\./|  provider mirror: |')
