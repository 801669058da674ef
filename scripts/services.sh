#!/usr/bin/env bash
# Local MongoDB-compatible database and Redis, without Docker.
#
#   scripts/services.sh up [dev|test]     start what is missing (idempotent), print the URLs
#   scripts/services.sh down [dev|test]   stop what this script started
#   scripts/services.sh env [dev|test]    print the URLs as shell assignments
#
# With MONGO_URL (or REDIS_URL) already set, that service is used as given and nothing is started.
# MongoDB itself is not installable here, so the database is FerretDB v1.24.2 (MongoDB wire
# protocol), built from tools/ferretdb once and cached in .tools/bin:
#   dev  -> SQLite backend, state in .local/ferretdb/dev (no other service needed; single writer
#           is plenty for one developer),
#   test -> PostgreSQL backend on the local server when it answers (concurrent writers: test files
#           and several planners/dispatchers write at once), else SQLite in .local/ferretdb/test.
# Redis: the one answering on 127.0.0.1:6379 if any, else redis-server (Debian package) started
# here without persistence.
# For checks that must not touch the shared servers: ES_LOCAL_DIR (state, pids, logs; default
# .local), ES_FERRETDB_PORT (default 27017 dev, 27018 test), ES_FERRETDB_HANDLER=sqlite.
source "$(dirname "$0")/toolchain.sh"

ACTION="${1:-up}"
PROFILE="${2:-dev}"
case "$PROFILE" in
  dev) MONGO_PORT=${ES_FERRETDB_PORT:-27017} ;;
  test) MONGO_PORT=${ES_FERRETDB_PORT:-27018} ;;
  *) log "unknown profile '$PROFILE' (dev or test)"; exit 2 ;;
esac
RUN="$LOCAL/run"
LOGS="$LOCAL/logs"
mkdir -p "$RUN" "$LOGS"
REDIS_PORT=6379
PG_URL="${FERRETDB_POSTGRESQL_URL:-postgres://postgres@127.0.0.1:5432/event_scheduler_ferretdb_$PROFILE}"

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_port() { # port seconds what
  for _ in $(seq 1 $(( $2 * 10 ))); do port_open "$1" && return 0; sleep 0.1; done
  log "$3 did not open port $1 within $2 s"; return 1
}

ferretdb_binary() {
  local bin="$TOOLS/bin/ferretdb" stamp="$TOOLS/bin/ferretdb.stamp" want
  want="$(cat "$ROOT/tools/ferretdb/go.mod" "$ROOT/tools/ferretdb/go.sum" "$ROOT/tools/ferretdb/main.go" | sha256sum | cut -c1-16)"
  if [ ! -x "$bin" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    command -v go >/dev/null || { log "Go is needed to build FerretDB (tools/ferretdb); install Go or set MONGO_URL"; exit 1; }
    log "building FerretDB v1.24.2 (first run only, a few minutes)"
    mkdir -p "$TOOLS/bin"
    (cd "$ROOT/tools/ferretdb" && GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=readonly go build -trimpath -o "$bin" .) >&2
    echo "$want" > "$stamp"
  fi
  echo "$bin"
}

pg_ready() {
  command -v psql >/dev/null && psql "postgres://postgres@127.0.0.1:5432/postgres" -tAc 'select 1' >/dev/null 2>&1
}

mongo_up() {
  local pid="$RUN/ferretdb-$PROFILE.pid" bin args handler
  if alive "$pid" && port_open "$MONGO_PORT"; then return 0; fi
  if port_open "$MONGO_PORT"; then
    log "port $MONGO_PORT is taken by another process; set MONGO_URL to use it, or free the port"; exit 1
  fi
  bin="$(ferretdb_binary)"
  if [ "$PROFILE" = test ] && [ "${ES_FERRETDB_HANDLER:-}" != sqlite ] && pg_ready; then
    handler=postgresql
    local db="${PG_URL##*/}"
    psql "${PG_URL%/*}/postgres" -tAc "select 1 from pg_database where datname='$db'" | grep -q 1 ||
      psql "${PG_URL%/*}/postgres" -qc "create database \"$db\"" >&2
    # FerretDB v1 holds a PostgreSQL connection per update statement until its command ends and
    # hangs when its pool runs out; give it most of PostgreSQL's default 100 connections. Idle
    # ones close within two minutes (FerretDB turns any pool_max_conn_idle_time into 1m and pgx
    # checks every minute), so a test server kept warm between runs holds none.
    args=(--handler=postgresql "--postgresql-url=$PG_URL?pool_max_conns=${FERRETDB_PG_POOL_MAX:-80}&pool_max_conn_idle_time=1m")
  else
    handler=sqlite
    mkdir -p "$LOCAL/ferretdb/$PROFILE"
    args=(--handler=sqlite "--sqlite-url=file:$LOCAL/ferretdb/$PROFILE/")
  fi
  log "starting FerretDB ($handler) on 127.0.0.1:$MONGO_PORT"
  # Harmless WARN replies are filtered out (scripts/lib/ferretdb-log-filter.awk); the filter is
  # exec'd with its own redirections, so nothing holds this script's output open.
  nohup "$bin" "${args[@]}" "--listen-addr=127.0.0.1:$MONGO_PORT" --log-level=warn \
    > >(exec awk -f "$ROOT/scripts/lib/ferretdb-log-filter.awk" >>"$LOGS/ferretdb-$PROFILE.log" 2>&1) 2>&1 </dev/null &
  echo $! > "$pid"
  wait_port "$MONGO_PORT" 30 FerretDB || { tail -20 "$LOGS/ferretdb-$PROFILE.log" >&2; exit 1; }
}

redis_up() {
  if redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; then return 0; fi
  ensure_redis_server
  log "starting redis-server on 127.0.0.1:$REDIS_PORT (no persistence)"
  mkdir -p "$LOCAL/redis"
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no --daemonize yes \
    --dir "$LOCAL/redis" --pidfile "$RUN/redis.pid" --logfile "$LOGS/redis.log" >&2
  for _ in $(seq 1 50); do redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG && return 0; sleep 0.1; done
  log "redis-server did not answer"; exit 1
}

urls() {
  echo "MONGO_URL=${MONGO_URL:-mongodb://127.0.0.1:$MONGO_PORT}"
  echo "REDIS_URL=${REDIS_URL:-redis://127.0.0.1:$REDIS_PORT}"
}

case "$ACTION" in
  up)
    [ -n "${MONGO_URL:-}" ] || mongo_up
    [ -n "${REDIS_URL:-}" ] || redis_up
    urls | tee "$LOCAL/services-$PROFILE.env"
    ;;
  down)
    if alive "$RUN/ferretdb-$PROFILE.pid"; then kill "$(cat "$RUN/ferretdb-$PROFILE.pid")"; log "stopped FerretDB ($PROFILE)"; fi
    rm -f "$RUN/ferretdb-$PROFILE.pid"
    if alive "$RUN/redis.pid"; then redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true; log "stopped the redis-server this script started"; fi
    ;;
  env) urls ;;
  *) log "usage: $0 up|down|env [dev|test]"; exit 2 ;;
esac
