#!/usr/bin/env bash
# Builds the local cluster's binaries from the Go module proxy: kube-apiserver, kube-controller-manager,
# kube-scheduler, kubelet, kube-proxy, kubectl (Kubernetes), kwok and kwokctl (fake nodes) and etcd, all from the
# wrapper module in tools/ (its go.mod pins every version). No release download is involved: only the Go module
# proxy is reachable from dev machines and CI here.
#
# The binaries land in a per-user cache, ~/.cache/platform-cluster-tools/<versions>-<hash of tools/>/bin, and
# <repo>/.local/cluster/bin (git-ignored) links to it. A build whose folder exists is never redone: a fresh clone
# on the same machine (CI) only makes the link. Changing tools/ (a version bump) changes the hash and builds anew.
# Cold: about 9 minutes and 2 GB of RAM on 2 cores (under `nice`); warm: instant.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TOOLS="$ROOT/packages/local-cluster/tools"
CACHE="${PLATFORM_CLUSTER_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/platform-cluster-tools}"
LINK="$ROOT/.local/cluster/bin"

log() { printf '[cluster-tools] %s\n' "$*"; }
command -v go >/dev/null || { echo "Go 1.26+ is required to build the control plane (https://go.dev/dl/)" >&2; exit 1; }

# version MODULE: the version tools/go.mod selects (a replace wins over a require).
version() { (cd "$TOOLS" && go list -m -f '{{if .Replace}}{{.Replace.Version}}{{else}}{{.Version}}{{end}}' "$1"); }
KUBE_VERSION="$(version k8s.io/kubernetes)"
KWOK_VERSION="$(version sigs.k8s.io/kwok)"
ETCD_VERSION="$(version go.etcd.io/etcd/server/v3)"
# The release's build date, from the module proxy, rather than today's: the same sources give the same binaries.
date="$(cd "$TOOLS" && go list -m -f '{{.Time.UTC.Format "2006-01-02T15:04:05Z"}}' k8s.io/kubernetes)"
minor="${KUBE_VERSION#v1.}"
minor="${minor%%.*}"
# Without these the binaries report v0.0.0-master, and a chart's `kubeVersion` constraint rejects the server.
ld="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ld="$ld -X $pkg.gitVersion=$KUBE_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
  ld="$ld -X $pkg.gitTreeState=clean -X $pkg.buildDate=$date"
done
# kwokctl's default Kubernetes version, as in kwok's release build.
ld="$ld -X sigs.k8s.io/kwok/pkg/consts.Version=${KWOK_VERSION#v} -X sigs.k8s.io/kwok/pkg/consts.KubeVersion=${KUBE_VERSION#v}"

# The folder's name changes with anything that changes the binaries: tools/ and the link flags.
hash="$({ cat "$TOOLS/go.mod" "$TOOLS/go.sum" "$TOOLS/etcd/main.go"; echo "$ld"; } | sha256sum | cut -c1-12)"
DEST="$CACHE/kube-$KUBE_VERSION-kwok-$KWOK_VERSION-etcd-$ETCD_VERSION-$hash"

if [ ! -x "$DEST/bin/kube-apiserver" ]; then
  log "building Kubernetes $KUBE_VERSION, kwok $KWOK_VERSION and etcd $ETCD_VERSION into $DEST (first run only, ~9 min)"
  rm -rf "$DEST.tmp" && mkdir -p "$DEST.tmp/bin"
  # One `go build` for all of them: they share most packages, so one graph compiles each package once.
  # `nice`: the machine's 2 cores are shared with other jobs.
  (cd "$TOOLS" && nice -n 10 env CGO_ENABLED=0 GOFLAGS=-buildvcs=false \
    go build -trimpath -ldflags "$ld" -o "$DEST.tmp/bin/" tool ./etcd)
  rm -rf "$DEST" && mv "$DEST.tmp" "$DEST"
fi

mkdir -p "$(dirname "$LINK")"
ln -sfn "$DEST/bin" "$LINK"
log "binaries in ${LINK#"$ROOT"/} -> $DEST/bin:"
"$LINK/kube-apiserver" --version
"$LINK/kwokctl" --version
"$LINK/etcd" --version | sed -n 1p
