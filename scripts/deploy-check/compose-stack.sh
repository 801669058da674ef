# Phase helper for compose.sh: docker-compose.yml brought up by podman-compose with the images
# built above (tagged event-scheduler-*:local, the names the compose file gives them) and the
# stand-ins of deploy/compose/local-standins.yml for mongo and redis; the README's seed curl must
# answer 201 through the published API port and every service must be ready; then down -v.
# podman-compose passes no runtime or ulimit flags, so a containers.conf of this run's own
# (CONTAINERS_CONF) selects runc and the limits this machine needs.

run_compose_stack() {
  ensure_standin_images
  for service in "${SERVICES[@]}"; do
    podman tag "$(image_name "$service")" "localhost/event-scheduler-$service:local"
  done
  printf '[containers]\ndefault_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]\n[engine]\nruntime = "runc"\n' \
    >"$WORK/containers.conf"
  COMPOSE_PROJECT="esdc-$$"
  local port=8080
  # The published port is 8080 as in the README, unless something here already uses it.
  [ "$(ss -Htln "( sport = :8080 )" | wc -l)" = 0 ] || port="$(free_port)"
  trap 'compose_down; cleanup_run' EXIT
  log "podman-compose up (project $COMPOSE_PROJECT, API on port $port)"
  API_PUBLISH_PORT="$port" compose_cmd up -d --no-build >"$WORK/compose-up.log" 2>&1 ||
    { grep -v systemd "$WORK/compose-up.log" | tail -20 >&2; fail "podman-compose up"; }
  wait_for_status "http://localhost:$port/readyz" 200 180 ||
    { podman logs "${COMPOSE_PROJECT}_api_1" 2>&1 | tail -20 >&2; fail "compose: the api did not become ready"; }
  local command body
  command="$(grep -m1 -F 'curl -H "X-API-KEY: user-api-key-123" -X POST -d' "$ROOT/README.md")"
  command="${command//http:\/\/localhost:8080/http://localhost:$port}"
  body="$(eval "${command/curl /curl -sS --fail-with-body }")" || fail "compose: seed curl: $body"
  jq -er '.id' <<<"$body" >/dev/null || fail "compose: seed curl answered $body"
  for service in prequeuer dispatcher worker; do
    local readiness
    readiness="$(podman exec "${COMPOSE_PROJECT}_${service}_1" node -e "fetch('http://127.0.0.1:$(config_default "$service" health_port)/readyz')
      .then(async (r) => { console.log(await r.text()); process.exit(r.ok ? 0 : 1) }, () => process.exit(1))" 2>/dev/null)" ||
      fail "compose: $service is not ready: $readiness"
  done
  compose_down
  trap cleanup_run EXIT
  COMPOSE_RESULTS+=("podman-compose: docker-compose.yml + deploy/compose/local-standins.yml up with the built images; README seed curl -> 201 on port $port; all four ready; down -v")
}

compose_cmd() {
  CONTAINERS_CONF="$WORK/containers.conf" podman-compose -p "$COMPOSE_PROJECT" \
    -f "$ROOT/docker-compose.yml" -f "$ROOT/deploy/compose/local-standins.yml" "$@"
}

compose_down() {
  [ -n "${COMPOSE_PROJECT:-}" ] || return 0
  compose_cmd down -v >"$WORK/compose-down.log" 2>&1 || true
  podman network rm --force "${COMPOSE_PROJECT}_default" >/dev/null 2>&1 || true
  COMPOSE_PROJECT=""
}

# FerretDB and Redis images standing in for mongo:8 and redis:7, rebuilt when their Containerfile
# or the FerretDB binary changes.
ensure_standin_images() {
  local ferretdb="$ROOT/.tools/bin/ferretdb" ctx key
  if [ ! -x "$ferretdb" ]; then
    ferretdb="$CACHE/bin/ferretdb"
    (cd "$ROOT/tools/ferretdb" && CGO_ENABLED=0 go build -trimpath -o "$ferretdb" .) >"$CACHE/logs/ferretdb.log" 2>&1 ||
      { tail -20 "$CACHE/logs/ferretdb.log" >&2; fail "building FerretDB (tools/ferretdb)"; }
  fi
  for standin in ferretdb redis; do
    local file="$ROOT/deploy/docker/ci/$standin.Containerfile" image="$CI_PREFIX/$standin-standin"
    if [ "$standin" = ferretdb ]; then key="$(cat "$file" "$ferretdb" | sha256sum | cut -c1-12)"; else key="$(sha256sum <"$file" | cut -c1-12)"; fi
    if ! podman image exists "$image:$key"; then
      ctx="$(mktemp -d "$CACHE/standin.XXXXXX")"
      cp "$ferretdb" "$ctx/ferretdb"
      buildah bud --isolation chroot --format docker --layers --force-rm --quiet -f "$file" \
        --build-arg "DEBIAN_IMAGE=$CI_PREFIX/debian:bookworm-slim" -t "$image:$key" "$ctx" \
        >"$CACHE/logs/$standin-standin.log" 2>&1 ||
        { tail -20 "$CACHE/logs/$standin-standin.log" >&2; fail "building the $standin stand-in image"; }
      rm -rf "$ctx"
    fi
    podman tag "$image:$key" "$image:latest"
  done
}
