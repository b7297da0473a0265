#!/usr/bin/env bash
# skaffold's custom builder for the local node (profile `local-node` in skaffold.yaml): builds the image skaffold asks
# for ($IMAGE, e.g. platform-user:<input digest>) with images.sh (buildah, cached by content) and imports it into the
# node's containerd under that name and under <name>:<image ID>, the tag skaffold deploys for an image it did not
# push, so the kubelet finds it without a registry. Run by skaffold.sh (the Docker API skaffold needs); needs
# `npm run cluster:up` first.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/packages/local-cluster"
SOCK="$ROOT/.local/cluster-node/run/containerd/containerd.sock"
: "${IMAGE:?skaffold sets IMAGE}"
[ -S "$SOCK" ] || { echo "the local node is not running (npm run cluster:up)" >&2; exit 1; }

name="${IMAGE%:*}"
app="${name##*/}"
app="${app#platform-}"
bash "$HERE/images.sh" "$app"
ref="$(awk -v app="$app" '$1 == app {print $2}' "$ROOT/.local/cluster/images.txt")"
# skaffold then asks the Docker API (skaffold.sh serves it with podman over this storage) for the image under $IMAGE,
# and deploys it as <name>:<image ID>: the image gets both names here, and in containerd.
id="$(bash "$HERE/images.sh" --tag "$ref" "$IMAGE")"
id="${id#sha256:}"
# The name containerd's CRI looks up: a bare name is docker.io/library/<name>, as Docker and the kubelet read it.
full() {
  local first="${1%%/*}"
  if [[ "$1" != */* ]]; then
    echo "docker.io/library/$1"
  elif [[ "$first" != *.* && "$first" != *:* && "$first" != localhost ]]; then
    echo "docker.io/$1"
  else
    echo "$1"
  fi
}
archive="$(mktemp -d)/image.tar"
bash "$HERE/images.sh" --export "$ref" "$archive" "$(full "$IMAGE")"
ctr -a "$SOCK" -n k8s.io images import "$archive"
ctr -a "$SOCK" -n k8s.io images tag --force "$(full "$IMAGE")" "$(full "$name:$id")"
rm -rf "$(dirname "$archive")"
