#!/usr/bin/env bash
# skaffold's custom builder for the local node (profile `local-node` in skaffold.yaml): builds the image skaffold asks
# for ($IMAGE, e.g. platform-user:<input digest>) with images.sh (buildah, cached by content) and imports it into the
# node's containerd under that name, so the kubelet finds it without a registry. Needs `npm run cluster:up` first.
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
# The name containerd's CRI looks up: a bare name is docker.io/library/<name>, as Docker and the kubelet read it.
full="$IMAGE"
first="${IMAGE%%/*}"
if [[ "$IMAGE" != */* ]]; then
  full="docker.io/library/$IMAGE"
elif [[ "$first" != *.* && "$first" != *:* && "$first" != localhost ]]; then
  full="docker.io/$IMAGE"
fi
archive="$(mktemp -d)/image.tar"
bash "$HERE/images.sh" --export "$ref" "$archive" "$full"
ctr -a "$SOCK" -n k8s.io images import "$archive"
rm -rf "$(dirname "$archive")"
