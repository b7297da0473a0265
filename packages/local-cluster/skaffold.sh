#!/usr/bin/env bash
# skaffold on this machine, which has no Docker daemon:
#   KUBECONFIG=.local/cluster-node/kubeconfig bash packages/local-cluster/skaffold.sh run -p local-node
# skaffold's local builder needs a Docker API even for a custom build that pushes nothing: it asks the daemon for
# the ID of the image the build script produced and deploys the image tagged with that ID (skaffold v2.16:
# build/custom/build.go, docker.TagWithImageID). podman serves the Docker API over the private container storage
# that images.sh builds into (a private socket, for the length of this command), so skaffold finds the images
# there; skaffold-build.sh imports each into the node's containerd under both names. Needs root and the Debian
# package podman (installed when missing).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE="${PLATFORM_CLUSTER_IMAGES_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/platform-cluster-images}"
[ "$(id -u)" = 0 ] || { echo "skaffold.sh needs root (the container storage of images.sh)" >&2; exit 1; }
if ! command -v podman >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends podman >/dev/null
fi

dir="$(mktemp -d)"
# No systemd here: cgroupfs, and events to a file.
podman=(podman --root "$CACHE/storage" --runroot "$CACHE/run" --storage-driver overlay --cgroup-manager cgroupfs
  --events-backend file --tmpdir "$dir")
"${podman[@]}" system service --time=0 "unix://$dir/docker.sock" >"$dir/podman.log" 2>&1 &
pid=$!
stop_service() {
  local status=$?
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  # The stopped service leaves the storage's own overlay mount behind; the next storage user that finishes normally
  # removes it when nothing else uses it.
  "${podman[@]}" images -q >/dev/null 2>&1 || true
  rm -rf "$dir"
  return "$status"
}
trap stop_service EXIT
for _ in $(seq 50); do [ -S "$dir/docker.sock" ] && break; sleep 0.2; done
[ -S "$dir/docker.sock" ] || { cat "$dir/podman.log" >&2; exit 1; }

cd "$ROOT"
DOCKER_HOST="unix://$dir/docker.sock" skaffold "$@"
