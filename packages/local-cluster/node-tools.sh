#!/usr/bin/env bash
# The real node's own tools, besides the control plane of install-tools.sh: CoreDNS (Go module proxy) and the pod
# sandbox ("pause") binary, compiled from the pause.c of the Kubernetes module that tools/go.mod pins (gcc -static;
# no registry is reachable for registry.k8s.io/pause). Both are cached in ~/.cache/platform-cluster-tools and linked
# into <repo>/.local/cluster/node-bin; nothing is rebuilt when present. Cold: about 4 minutes (CoreDNS); warm: instant.
# The Debian packages the node runs on (containerd, runc, CNI plugins, iptables, gcc) are installed when missing.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TOOLS="$ROOT/packages/local-cluster/tools"
CACHE="${PLATFORM_CLUSTER_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/platform-cluster-tools}"
LINK="$ROOT/.local/cluster/node-bin"
COREDNS_VERSION=v1.15.0

log() { printf '[node-tools] %s\n' "$*"; }

missing=()
command -v containerd >/dev/null || missing+=(containerd)
[ -x /usr/sbin/runc ] || missing+=(runc)
[ -x /usr/lib/cni/bridge ] || missing+=(containernetworking-plugins)
command -v iptables >/dev/null || missing+=(iptables)
command -v gcc >/dev/null || missing+=(gcc libc6-dev)
command -v conntrack >/dev/null || missing+=(conntrack)
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || { echo "missing Debian packages: ${missing[*]}" >&2; exit 1; }
  log "installing ${missing[*]} (Debian)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

coredns="$CACHE/coredns-$COREDNS_VERSION"
if [ ! -x "$coredns/bin/coredns" ]; then
  log "building CoreDNS $COREDNS_VERSION (first run only, ~4 min)"
  rm -rf "$coredns.tmp" && mkdir -p "$coredns.tmp/bin"
  (cd /tmp && nice -n 10 env CGO_ENABLED=0 GOFLAGS=-buildvcs=false GOBIN="$coredns.tmp/bin" \
    go install -trimpath -ldflags '-s -w' "github.com/coredns/coredns@$COREDNS_VERSION")
  rm -rf "$coredns" && mv "$coredns.tmp" "$coredns"
fi

kube_version="$(cd "$TOOLS" && go list -m -f '{{if .Replace}}{{.Replace.Version}}{{else}}{{.Version}}{{end}}' k8s.io/kubernetes)"
pause="$CACHE/pause-$kube_version"
if [ ! -x "$pause/bin/pause" ]; then
  log "compiling pause from kubernetes $kube_version's build/pause/linux/pause.c"
  src="$(cd "$TOOLS" && go mod download -json "k8s.io/kubernetes@$kube_version" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')"
  rm -rf "$pause.tmp" && mkdir -p "$pause.tmp/bin"
  gcc -Os -Wall -Werror -static -DVERSION="$kube_version-local" -o "$pause.tmp/bin/pause" "$src/build/pause/linux/pause.c"
  rm -rf "$pause" && mv "$pause.tmp" "$pause"
fi

mkdir -p "$LINK"
ln -sfn "$coredns/bin/coredns" "$LINK/coredns"
ln -sfn "$pause/bin/pause" "$LINK/pause"
log "CoreDNS $("$LINK/coredns" -version | head -1), pause from kubernetes $kube_version, in ${LINK#"$ROOT"/}"
