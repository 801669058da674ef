# Shared by the deploy-check phases (sourced, not run): paths, pinned versions, logging, timing,
# and the podman flags this machine needs.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# Outside the work tree: CI runs each submission in a fresh clone, and the cache must outlive it.
CACHE="${DEPLOY_CHECK_CACHE:-/var/cache/event-scheduler-deploy}"
NODE_VERSION="$(tr -d ' \n' < "$ROOT/.nvmrc")"
PNPM_VERSION="$(sed -n 's/.*"packageManager": *"pnpm@\([^"]*\)".*/\1/p' "$ROOT/package.json")"
# The npm that Node.js $NODE_VERSION bundles (its changelog: "deps: upgrade npm to 11.19.0").
NPM_VERSION=11.19.0
HELM_VERSION=v3.19.0
# The lowest and highest Kubernetes versions the chart supports (Chart.yaml kubeVersion is the
# lowest); tools/deploy-validate is built once against the k8s.io/api release of each.
KUBE_LOWEST=1.25.0
KUBE_HIGHEST=1.37.0
SERVICES=(api prequeuer dispatcher worker)
CI_PREFIX=localhost/event-scheduler-ci
export PATH="$CACHE/bin:/usr/local/go/bin:$PATH"

log() { printf '\033[1m[deploy-check]\033[0m %s\n' "$*" >&2; }
# Exits; this run's files (logs, renders, the measured behaviour) stay in $WORK for a look.
fail() { log "FAILED: $*${WORK:+ (files of this run: $WORK)}"; exit 1; }

# Phase timings, printed in the summary.
PHASE_NAMES=()
PHASE_SECONDS=()
phase() {
  local name="$1" started
  shift
  started=$(date +%s)
  log "== $name"
  "$@"
  PHASE_NAMES+=("$name")
  PHASE_SECONDS+=($(($(date +%s) - started)))
  log "== $name: ${PHASE_SECONDS[-1]} s"
}

# podman run works here only with runc and explicit limits (crun fails on rlimits and cgroups).
PODMAN_RUN=(podman run --runtime runc --ulimit nofile=20000:20000 --ulimit nproc=4096:4096)

# A TCP port no socket uses, below the kernel's ephemeral range (where outgoing connections take
# their local ports, so a port free now could be taken before a container binds it). The
# containers share the machine's ports (host network).
free_port() {
  local low port
  low="$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)"
  for _ in $(seq 1 200); do
    port=$((20000 + RANDOM % (low - 20000)))
    # Called in $(...) subshells: the ports handed out so far are remembered in a file.
    grep -qx "$port" "$WORK/ports.taken" 2>/dev/null && continue
    if [ "$(ss -Htan "( sport = :$port )" 2>/dev/null | wc -l)" = 0 ]; then
      echo "$port" >>"$WORK/ports.taken"
      echo "$port"
      return 0
    fi
  done
  fail "no free TCP port found"
}

# Waits until `curl $url` answers the expected HTTP status, or fails after $3 seconds.
wait_for_status() {
  local url="$1" want="$2" timeout="$3" status=""
  for _ in $(seq 1 $((timeout * 4))); do
    status="$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url" || true)"
    [ "$status" = "$want" ] && return 0
    sleep 0.25
  done
  log "$url answered ${status:-nothing}, expected $want after ${timeout} s"
  return 1
}

# The environment variable a service reads its HTTP port from (config/config.yaml).
port_env() { if [ "$1" = api ]; then echo API_PORT; else echo "${1^^}_HEALTH_PORT"; fi; }

# A default of config/config.yaml, e.g. `config_default shutdown timeout_seconds` -> 25.
config_default() {
  awk -v section="$1:" -v key="  $2:" '$0 ~ "^"section {in_section=1; next} /^[a-z]/ {in_section=0}
    in_section && index($0, key) == 1 {print $2; exit}' "$ROOT/config/config.yaml"
}
