# Phase helpers for run-images.sh: the containers that see Redis fail, the behaviour file, and the
# cleanup of everything this run started or wrote.

# The four again, against a private redis-server that check_readiness_when_redis_goes kills, with
# their own database and prefix.
start_readiness_set() {
  PRIVATE_REDIS_PORT="$(free_port)"
  redis-server --port "$PRIVATE_REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
    --dir "$WORK" --logfile "$WORK/private-redis.log" &
  PRIVATE_REDIS_PID=$!
  PIDS+=("$PRIVATE_REDIS_PID")
  for _ in $(seq 1 40); do
    redis-cli -p "$PRIVATE_REDIS_PORT" ping >/dev/null 2>&1 && break
    sleep 0.25
  done
  for service in "${SERVICES[@]}"; do
    READY_PORTS[$service]="$(free_port)"
    DATABASE="${DATABASE}_r" start_container "ready-$service" "$service" "${READY_PORTS[$service]}" \
      "redis://127.0.0.1:$PRIVATE_REDIS_PORT" "$PREFIX-r"
  done
}

check_readiness_when_redis_goes() {
  for service in "${SERVICES[@]}"; do
    wait_for_status "http://127.0.0.1:${READY_PORTS[$service]}/readyz" 200 180 ||
      { podman logs "$(container_name "ready-$service")" 2>&1 | tail -20 >&2; fail "$service (private Redis): /readyz"; }
  done
  kill "$PRIVATE_REDIS_PID"
  wait "$PRIVATE_REDIS_PID" 2>/dev/null || true
  local unready
  for service in "${SERVICES[@]}"; do
    local port="${READY_PORTS[$service]}"
    wait_for_status "http://127.0.0.1:$port/readyz" 503 60 || fail "$service: /readyz stayed 200 with Redis gone"
    unready="$(curl -s "http://127.0.0.1:$port/readyz")"
    [ "$(jq -r '.status == "not_ready" and .checks.redis != "ok" and .checks.mongo == "ok"' <<<"$unready")" = true ] ||
      fail "$service: /readyz without Redis: $unready"
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/healthz")" = 200 ] ||
      fail "$service: /healthz failed with Redis gone (liveness would restart a pod for a dependency)"
    log "$service: Redis gone -> /readyz 503 $(jq -c '.checks' <<<"$unready"), /healthz 200"
  done
  RUN_RESULTS+=("Redis gone (private redis-server killed): /readyz 503 naming redis, /healthz 200, all four")
}

# Each service pointed at a port where nothing listens: it must give up after its connect timeout
# with exit code 1 and a message naming Redis, not hang or crash-loop silently.
start_closed_port_set() {
  CLOSED_PORT="$(free_port)"
  for service in "${SERVICES[@]}"; do
    DATABASE="${DATABASE}_c" start_container "closed-$service" "$service" "$(free_port)" \
      "redis://127.0.0.1:$CLOSED_PORT" "$PREFIX-c" -e REDIS_CONNECT_TIMEOUT_SECONDS=3
  done
}

check_closed_port_set() {
  for service in "${SERVICES[@]}"; do
    local name code
    name="$(container_name "closed-$service")"
    code="$(timeout 180 podman wait "$name")" || fail "$service did not exit with Redis unreachable"
    [ "$code" = 1 ] || fail "$service exited $code with Redis unreachable (expected 1)"
    grep -qi "cannot reach redis" <<<"$(podman logs "$name" 2>&1)" ||
      { podman logs "$name" 2>&1 | tail -5 >&2; fail "$service: no 'cannot reach redis' message"; }
    log "$service: Redis port closed -> exit 1 naming Redis after the 3 s connect timeout"
  done
  RUN_RESULTS+=("Redis port closed at start: exit 1 with 'cannot reach redis' after the connect timeout, all four")
}

write_behaviour() {
  {
    echo '{'
    echo "  \"shutdown_timeout_seconds\": $(config_default shutdown timeout_seconds),"
    echo "  \"mongo_connect_timeout_seconds\": $(config_default mongo connect_timeout_seconds),"
    echo "  \"redis_connect_timeout_seconds\": $(config_default redis connect_timeout_seconds),"
    echo '  "services": {'
    local first=1
    for service in "${SERVICES[@]}"; do
      [ $first = 1 ] || echo ','
      first=0
      printf '    "%s": {"port_env": "%s", "liveness_path": "/healthz", "readiness_path": "/readyz", "metrics_path": "/metrics", "stop_seconds": %s, "exit_code": %s}' \
        "$service" "$(port_env "$service")" "${STOP_SECONDS[$service]:-null}" "${EXIT_CODES[$service]:-null}"
    done
    printf '\n  }\n}\n'
  } >"$WORK/behaviour.json"
  jq . "$WORK/behaviour.json" >/dev/null 2>&1 || fail "behaviour.json is not valid JSON"
}

cleanup_run() {
  local status=$?
  [ ${#CONTAINERS[@]} -eq 0 ] || podman rm --force --time 0 "${CONTAINERS[@]}" >/dev/null 2>&1 || true
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [ -n "${RUN_ID:-}" ]; then
    # Only this run's keys and databases; the shared Redis is never flushed.
    redis-cli -u "$REDIS_URL" --scan --pattern "$PREFIX*" 2>/dev/null |
      xargs -r -n 500 redis-cli -u "$REDIS_URL" unlink >/dev/null 2>&1 || true
    "${PODMAN_RUN[@]}" --rm --network host --read-only -e "MONGO_URL=$MONGO_URL" "$(image_name api)" \
      node --input-type=module -e "
        import { connectMongo } from '@event-scheduler/models';
        for (const database of ['$DATABASE', '${DATABASE}_r', '${DATABASE}_c']) {
          const connection = await connectMongo({ uri: process.env.MONGO_URL, database });
          await connection.dropDatabase();
          await connection.close();
        }" >/dev/null 2>&1 || log "could not drop the databases $DATABASE*"
  fi
  return $status
}
