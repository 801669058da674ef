# Phase: the four service images, built with buildah from deploy/docker/Dockerfile (the file users
# build; only NODE_IMAGE points at the local base). Layers are cached in podman's storage, so a run
# whose sources did not change rebuilds nothing, and one whose sources changed rebuilds from the
# TypeScript build on (the dependency layer stays while the manifests and lockfile do).

# buildah keeps `RUN --mount=type=cache,id=<id>` under this folder ($TMPDIR, default /var/tmp).
BUILDAH_CACHE="${TMPDIR:-/var/tmp}/buildah-cache"

image_name() { echo "localhost/event-scheduler-$1:ci"; }

build_images() {
  local context="${DEPLOY_CHECK_CONTEXT:-$ROOT}" ca="${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}"
  local secret=()
  # For a TLS-intercepting proxy between this machine and the npm registry (see the Dockerfile).
  [ -s "$ca" ] && secret=(--secret "id=ca-certificates,src=$ca")
  # The Dockerfile's defaults are what users build with: they must name the pinned toolchain.
  grep -qx "ARG NODE_IMAGE=node:$NODE_VERSION-bookworm-slim" "$ROOT/deploy/docker/Dockerfile" ||
    fail "deploy/docker/Dockerfile: NODE_IMAGE is not node:$NODE_VERSION-bookworm-slim (.nvmrc)"
  grep -qx "ARG PNPM_VERSION=$PNPM_VERSION" "$ROOT/deploy/docker/Dockerfile" ||
    fail "deploy/docker/Dockerfile: PNPM_VERSION is not $PNPM_VERSION (package.json packageManager)"
  seed_pnpm_cache
  mkdir -p "$CACHE/logs"
  BUILD_ARGS=(--isolation chroot --format docker --layers --force-rm "${secret[@]}" -f "$ROOT/deploy/docker/Dockerfile"
    --build-arg "NODE_IMAGE=$NODE_IMAGE")
  # The first build makes the layers all four share (install, TypeScript build); the other three
  # then only add their own, in parallel.
  build_one "${SERVICES[0]}" "$context"
  local builders=()
  for service in "${SERVICES[@]:1}"; do
    build_one "$service" "$context" &
    builders+=($!)
  done
  for pid in "${builders[@]}"; do wait "$pid" || fail "an image build failed (logs: $CACHE/logs/build-*.log)"; done
  # Cache layers nobody used for three days (sources that changed since) would pile up otherwise.
  podman image prune --force --filter until=72h >/dev/null || true
}

build_one() {
  local service="$1" context="$2" started logfile="$CACHE/logs/build-$1.log"
  started=$(date +%s)
  if ! buildah bud "${BUILD_ARGS[@]}" --build-arg "SERVICE=$service" -t "$(image_name "$service")" \
    "$context" >"$logfile" 2>&1; then
    grep -v '^\[WARN\] Request took' "$logfile" | tail -40 >&2
    fail "building the $service image (log: $logfile)"
  fi
  log "built $(image_name "$service") in $(($(date +%s) - started)) s ($(image_size "$(image_name "$service")"))"
}

# The image build's pnpm store starts from this machine's own store when it is empty (CI has just
# run `pnpm install` for the same lockfile), instead of downloading every package again. Hard
# links: pnpm never rewrites a file of its store in place.
seed_pnpm_cache() {
  local cache="$BUILDAH_CACHE/event-scheduler-pnpm" store cache_dir
  store="$(cd "$ROOT" && pnpm store path 2>/dev/null || echo "${XDG_DATA_HOME:-$HOME/.local/share}/pnpm/store/v11")"
  cache_dir="${XDG_CACHE_HOME:-$HOME/.cache}/pnpm"
  if [ ! -d "$cache/store" ] && [ -n "$store" ] && [ -d "$store" ]; then
    log "seeding the image build's pnpm store from $store"
    mkdir -p "$cache/store"
    cp -al "$store" "$cache/store/" 2>/dev/null || cp -a "$store" "$cache/store/"
  fi
  if [ ! -d "$cache/cache/pnpm" ] && [ -d "$cache_dir" ]; then
    mkdir -p "$cache/cache"
    cp -a "$cache_dir" "$cache/cache/pnpm"
  fi
}
