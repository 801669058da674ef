#!/usr/bin/env bash
# Stops what scripts/run.sh started: the four services (SIGTERM, so they shut down gracefully),
# then the local FerretDB and Redis. Add --keep-services to leave the database and Redis running.
source "$(dirname "$0")/toolchain.sh"
cd "$ROOT"
for app in worker dispatcher prequeuer api; do
  pid="$ROOT/.local/run/$app.pid"
  if [ -f "$pid" ] && kill -0 "$(cat "$pid")" 2>/dev/null; then
    kill -TERM "$(cat "$pid")"
    for _ in $(seq 1 300); do kill -0 "$(cat "$pid")" 2>/dev/null || break; sleep 0.1; done
    log "stopped $app"
  fi
  rm -f "$pid"
done
[ "${1:-}" = "--keep-services" ] || bash scripts/services.sh down dev
