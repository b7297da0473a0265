# syntax=docker/dockerfile:1
# The image of every deployable: one file, the workspace chosen by a build argument. Build from the repository root
# (npm workspaces need the root lockfile):
#   docker build --build-arg WORKSPACE=services/order -t platform-order .
#   docker build --build-arg WORKSPACE=gateway -t platform-gateway .
#
# Base images are pinned by exact tag only. Digest pinning (node:24.x@sha256:...) was impossible where this file
# was written (no registry reachable); add the digest when one is, and let Renovate/Dependabot keep both fresh.
# Node 24 is the active LTS line; bookworm-slim keeps glibc, which the prebuilt native modules (e.g. argon2) need.

# The deployable's workspace: services/<name> or gateway. No default: a build without it fails at the first use.
ARG WORKSPACE

# ---- manifests: every workspace manifest and the lockfile, so `npm ci` sees the workspace set the lockfile was made with.
# It does not read WORKSPACE, so this stage is one cached layer set shared by the five images.
FROM node:24.22.3-bookworm-slim AS manifests
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/kit/package.json packages/kit/
COPY packages/events/package.json packages/events/
COPY packages/test-kit/package.json packages/test-kit/
COPY packages/local-infra/package.json packages/local-infra/
COPY services/user/package.json services/user/
COPY services/product/package.json services/product/
COPY services/order/package.json services/order/
COPY services/inventory/package.json services/inventory/
COPY gateway/package.json gateway/

# ---- deps: production dependencies of this workspace and of the workspaces it depends on (kit, events), nothing else
FROM manifests AS deps
ARG WORKSPACE
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --workspace "${WORKSPACE:?build with --build-arg WORKSPACE=services/<name> or gateway}" \
      --no-audit --no-fund

# ---- build: the dev toolchain (typescript from the root), then compile this workspace and its project references
FROM manifests AS build
ARG WORKSPACE
RUN --mount=type=cache,target=/root/.npm \
    npm ci --workspace "${WORKSPACE:?build with --build-arg WORKSPACE=services/<name> or gateway}" \
      --include-workspace-root --no-audit --no-fund
COPY tsconfig.base.json ./
COPY packages/kit/ packages/kit/
COPY packages/events/ packages/events/
COPY ${WORKSPACE}/ ${WORKSPACE}/
# An empty migrations/ is not in git; create it so the runtime stage can always copy it.
RUN npx tsc -b "$WORKSPACE" && mkdir -p "$WORKSPACE/migrations"

# ---- runtime: production dependencies + compiled JavaScript, run as the unprivileged `node` user (uid 1000)
FROM node:24.22.3-bookworm-slim AS runtime
ARG WORKSPACE
ENV PORT=3000 \
    METRICS_PORT=9464 \
    HOME=/tmp \
    npm_config_cache=/tmp/.npm \
    npm_config_update_notifier=false \
    MIGRATIONS_DIR=/app/${WORKSPACE}/migrations
WORKDIR /app
# Root-owned and read-only for the app: the container runs with readOnlyRootFilesystem and writes only to /tmp.
COPY --from=deps /app/ ./
COPY --from=build /app/packages/kit/dist/ packages/kit/dist/
COPY --from=build /app/packages/events/dist/ packages/events/dist/
COPY --from=build /app/${WORKSPACE}/dist/ ${WORKSPACE}/dist/
# migrate-mongo files and the kit's `platform-migrate` bin for the pre-install/pre-upgrade Job (`npx --no platform-migrate up`).
# npm could not link that bin during `npm ci`: it points into the kit's dist/, which did not exist yet.
COPY --from=build /app/${WORKSPACE}/migrations/ ${WORKSPACE}/migrations/
RUN ln -s ../@platform/kit/dist/migrate-cli.js node_modules/.bin/platform-migrate \
    && chmod 0755 packages/kit/dist/migrate-cli.js
USER 1000:1000
WORKDIR /app/${WORKSPACE}
EXPOSE 3000 9464
# Exec form: node is PID 1 and receives SIGTERM itself; the kit drains and exits. Tracing loads before the app.
# A 4 MB young generation: V8 sizes it from the machine's memory (up to 32 MB per semi-space), which kept idle RSS
# near 170 MB; 4 MB costs a few more scavenges (docs/benchmarks.md). `npm run up` runs the same command.
CMD ["node", "--max-semi-space-size=4", "--import", "@platform/kit/tracing", "dist/server.js"]
