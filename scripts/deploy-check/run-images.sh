# Phase: run the four images as a deployment would (read-only root filesystem, no capabilities,
# the image's own user) against the test FerretDB and Redis on the host network, with a database
# and queue prefix of this run's own, and check what users rely on:
#   - each answers /healthz, /readyz and /metrics, runs as a non-root user, cannot write its root
#     filesystem, and passes the image's own HEALTHCHECK;
#   - the README's seed curl creates a schedule through the api container, and a manual trigger of
#     it is delivered by the dispatcher and worker containers to a loopback receiver, signed;
#   - SIGTERM stops each container with exit code 0 within the grace period;
#   - /readyz turns 503 naming redis when Redis goes away (a private redis-server this run starts
#     and kills: the shared one is never touched), while /healthz stays 200;
#   - pointed at a closed Redis port, each service gives up after its connect timeout, exits 1 and
#     names Redis.
# What was measured goes to $WORK/behaviour.json, which the chart check compares with the chart.

DEV_KEY=user-api-key-123
CONTAINERS=()
PIDS=()
RUN_RESULTS=()
declare -A PORTS=() READY_PORTS=() STOP_SECONDS=() EXIT_CODES=()

run_images() {
  if [ -z "${MONGO_URL:-}" ] || [ -z "${REDIS_URL:-}" ]; then
    log "MONGO_URL/REDIS_URL not set: provisioning the test services (scripts/services.sh up test)"
    eval "$(bash "$ROOT/scripts/services.sh" up test | sed 's/^/export /')"
  fi
  RUN_ID="$(date +%s)$$"
  DATABASE="deploy_check_$RUN_ID"
  PREFIX="deploy-check-$RUN_ID"
  SHUTDOWN_TIMEOUT="$(config_default shutdown timeout_seconds)"
  trap cleanup_run EXIT
  local receiver_port
  # Not in a command substitution: the receiver's pid must reach PIDS in this shell for cleanup.
  start_receiver
  receiver_port="$(head -1 "$WORK/receiver.port")"

  for service in "${SERVICES[@]}"; do PORTS[$service]="$(free_port)"; done
  for service in "${SERVICES[@]}"; do
    start_container "main-$service" "$service" "${PORTS[$service]}" "$REDIS_URL" "$PREFIX"
  done
  # Generous: /healthz answers once MongoDB and Redis are connected and, for the api, indexes
  # exist; on a busy 2-core machine with FerretDB that has taken over a minute.
  for service in "${SERVICES[@]}"; do
    wait_for_status "http://127.0.0.1:${PORTS[$service]}/healthz" 200 180 ||
      { podman logs "$(container_name "main-$service")" 2>&1 | tail -20 >&2; fail "$service: /healthz"; }
  done
  for service in "${SERVICES[@]}"; do check_running_service "$service"; done
  RUN_RESULTS+=("${SERVICES[*]}: /healthz /readyz /metrics 200, non-root uid, read-only root (EROFS), image HEALTHCHECK healthy, EXPOSE = config port")
  # Started once the first four are up and checked, so the machine is not starting twelve at once
  # (the HEALTHCHECK's 5 s timeout includes starting a node process).
  start_readiness_set
  start_closed_port_set
  check_seed_delivery "$receiver_port"
  check_readiness_when_redis_goes
  check_closed_port_set
  stop_main_set
  write_behaviour
}

container_name() { echo "es-deploy-check-$RUN_ID-$1"; }

# start_container <name> <service> <port> <redis url> <queue prefix> [extra podman args...]
start_container() {
  local name service="$2" port="$3" redis="$4" prefix="$5"
  name="$(container_name "$1")"
  shift 5
  local env=(-e "MONGO_URL=$MONGO_URL" -e "MONGO_DATABASE=$DATABASE" -e "REDIS_URL=$redis"
    -e "REDIS_QUEUE_PREFIX=$prefix" -e "$(port_env "$service")=$port" -e LOG_LEVEL=info)
  # The loopback receiver is allowed by the SSRF allow list, which the api (refusing such URLs at
  # create) and the worker (at send) both read.
  env+=(-e WORKER_SSRF_ALLOW_LIST=127.0.0.1)
  [ "$service" != api ] || env+=(-e API_HOST=127.0.0.1 -e "API_DEV_API_KEY=$DEV_KEY")
  # As the chart runs them: read-only root, a small writable /tmp, no capabilities, no privilege
  # escalation, the image's own user. The HEALTHCHECK timer needs systemd, so it is run by hand.
  # (podman still complains on stderr that it cannot reach systemd: kept in a log.)
  "${PODMAN_RUN[@]}" -d --name "$name" --network host \
    --read-only --read-only-tmpfs=false --tmpfs /tmp:rw,size=64m \
    --cap-drop=ALL --security-opt=no-new-privileges --health-interval=disable \
    "${env[@]}" "$@" "$(image_name "$service")" >/dev/null 2>>"$WORK/podman-run.log" ||
    { tail -5 "$WORK/podman-run.log" >&2; fail "podman run $name"; }
  CONTAINERS+=("$name")
}

start_receiver() {
  : >"$WORK/requests.jsonl"
  node "$ROOT/scripts/deploy-check/receiver.mjs" "$WORK/requests.jsonl" >"$WORK/receiver.port" &
  PIDS+=($!)
  for _ in $(seq 1 40); do
    [ -s "$WORK/receiver.port" ] && return 0
    sleep 0.25
  done
  fail "the loopback receiver did not start"
}

check_running_service() {
  local service="$1" name port="${PORTS[$1]}" body
  name="$(container_name "main-$service")"
  body="$(curl -sf "http://127.0.0.1:$port/readyz")" || fail "$service: /readyz did not answer 200"
  [ "$(jq -r '.checks.mongo == "ok" and .checks.redis == "ok"' <<<"$body")" = true ] ||
    fail "$service: /readyz answered $body"
  # Read whole first: `curl | grep -q` would fail under pipefail when grep stops reading early.
  body="$(curl -sf "http://127.0.0.1:$port/metrics")" || fail "$service: /metrics did not answer 200"
  grep -q "service=\"$service\"" <<<"$body" || fail "$service: /metrics has no series labelled service=\"$service\""
  # EXPOSE says the port the service listens on by default (config/config.yaml).
  local default_port
  default_port="$(if [ "$service" = api ]; then config_default api port; else config_default "$service" health_port; fi)"
  grep -q "\"$default_port/tcp\"" <<<"$(podman image inspect --format '{{json .Config.ExposedPorts}}' "$(image_name "$service")")" ||
    fail "$service image: EXPOSE does not match its default port $default_port (config/config.yaml)"
  local uid
  uid="$(podman exec "$name" node -e 'process.stdout.write(String(process.getuid()))')"
  [ "$uid" != 0 ] || fail "$service runs as root"
  [ "$(podman inspect --format '{{.HostConfig.ReadonlyRootfs}}' "$name")" = true ] ||
    fail "$service: root filesystem is not read-only"
  podman exec "$name" node -e "try { require('fs').writeFileSync('/app/probe', 'x'); process.exit(1) }
    catch (e) { process.exit(e.code === 'EROFS' ? 0 : 2) }" ||
    fail "$service could write to its root filesystem"
  # As Docker judges it: unhealthy only after `--retries` (3) failures in a row; each run starts a
  # node process, which a loaded machine can slow past the 5 s timeout once.
  local tries=0
  until podman healthcheck run "$name" >/dev/null 2>>"$WORK/podman-run.log"; do
    tries=$((tries + 1))
    [ "$tries" -lt 3 ] || { tail -3 "$WORK/podman-run.log" >&2; fail "$service: the image's HEALTHCHECK failed 3 times"; }
  done
  local user
  user="$(podman image inspect --format '{{.Config.User}}' "$(image_name "$service")")"
  case "$user" in "" | 0 | 0:* | root | root:*) fail "$service image: USER is '$user'" ;; esac
  log "$service: /healthz /readyz /metrics 200, uid $uid (USER $user), read-only root, HEALTHCHECK healthy"
}

# The README's command, byte for byte, except the API address (this run's port) and the callback
# URL (the loopback receiver instead of example.com: CI sends nothing off this machine).
seed_curl_command() {
  local receiver_port="$1" command
  command="$(grep -m1 -F 'curl -H "X-API-KEY: user-api-key-123" -X POST -d' "$ROOT/README.md")"
  [ -n "$command" ] || fail "the seed curl command is no longer in README.md"
  command="${command//https:\/\/example.com\/callback/http://127.0.0.1:$receiver_port/callback}"
  command="${command//http:\/\/localhost:8080/http://localhost:${PORTS[api]}}"
  echo "$command"
}

check_seed_delivery() {
  local receiver_port="$1" command body id
  command="$(seed_curl_command "$receiver_port")"
  log "seed: $command"
  body="$(eval "${command/curl /curl -sS --fail-with-body }")" || fail "seed curl: $body"
  id="$(jq -er '.id' <<<"$body")" || fail "seed curl answered $body"
  # The rule's first occurrence is its DTSTART, the creation second, already past when planning
  # looks; the next is tomorrow. A manual trigger fires it now, through the same path (planned
  # event -> dispatcher -> worker queue -> worker -> callback).
  body="$(curl -sS --fail-with-body -X POST -H "X-API-KEY: $DEV_KEY" \
    "http://localhost:${PORTS[api]}/api/schedules/$id/trigger")" || fail "trigger: $body"
  local request=""
  for _ in $(seq 1 480); do
    # (jq 1.6's -e says success on empty input, so the match itself is tested.)
    request="$(jq -c --arg id "$id" 'select(.headers["x-schedule-id"] == $id)' "$WORK/requests.jsonl" | head -1)"
    if [ -n "$request" ]; then
      [ "$(jq -r '.method == "POST" and .path == "/callback" and ((.headers["webhook-id"] // "") | length > 0)
        and ((.headers["webhook-signature"] // "") | startswith("v1,"))' <<<"$request")" = true ] ||
        fail "the delivered callback lacks its method, path or webhook headers: $request"
      log "seed: schedule $id delivered by the worker container to the loopback receiver (webhook-id $(jq -r '.headers["webhook-id"]' <<<"$request"))"
      RUN_RESULTS+=("README seed curl -> 201 from the api container; triggered, delivered by the worker container to a loopback receiver (signed)")
      return 0
    fi
    sleep 0.25
  done
  podman logs "$(container_name main-worker)" 2>&1 | tail -20 >&2
  fail "schedule $id was not delivered to the receiver within 120 s"
}

# Stops the four like a rolling update does (SIGTERM, SIGKILL after the grace period), in
# parallel, and records each one's exit code and how long it took.
stop_main_set() {
  local grace=$((SHUTDOWN_TIMEOUT + 5))
  local stoppers=()
  for service in "${SERVICES[@]}"; do
    (
      started=$(date +%s%N)
      podman stop --time "$grace" "$(container_name "main-$service")" >/dev/null 2>>"$WORK/podman-run.log"
      echo $((($(date +%s%N) - started) / 1000000)) >"$WORK/stop-$service.ms"
    ) &
    stoppers+=($!)
  done
  wait "${stoppers[@]}"
  for service in "${SERVICES[@]}"; do
    local name ms code
    name="$(container_name "main-$service")"
    ms="$(cat "$WORK/stop-$service.ms")"
    code="$(podman inspect --format '{{.State.ExitCode}}' "$name")"
    STOP_SECONDS[$service]="$(awk -v ms="$ms" 'BEGIN {printf "%.1f", ms / 1000}')"
    EXIT_CODES[$service]="$code"
    [ "$code" = 0 ] || { podman logs "$name" 2>&1 | tail -10 >&2; fail "$service exited $code after SIGTERM"; }
    [ "$ms" -lt $((grace * 1000)) ] || fail "$service took ${ms} ms to stop: SIGKILL after the ${grace} s grace period"
    grep -q '"reason":"SIGTERM","clean":true' <<<"$(podman logs "$name" 2>&1)" ||
      fail "$service did not log a clean stop after SIGTERM"
    log "$service: SIGTERM -> exit 0 in ${STOP_SECONDS[$service]} s (grace ${grace} s)"
  done
  RUN_RESULTS+=("SIGTERM -> exit 0 within the ${grace} s grace period: $(for s in "${SERVICES[@]}"; do printf '%s %s s ' "$s" "${STOP_SECONDS[$s]}"; done)")
}
