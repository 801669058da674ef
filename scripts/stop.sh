#!/usr/bin/env bash
# Stops what the scripts started:
#   scripts/stop.sh                   the four services of run.sh (SIGTERM, so they shut down
#                                     gracefully), then its FerretDB and the Redis the scripts started
#   scripts/stop.sh --keep-services   only the four services
#   scripts/stop.sh --test            the test FerretDB that test.sh keeps warm (port 27018)
#   scripts/stop.sh --all             all of the above
source "$(dirname "$0")/toolchain.sh"
cd "$ROOT"
case "${1:-}" in
  '' | --keep-services | --test | --all) ;;
  *) log "usage: $0 [--keep-services | --test | --all]"; exit 2 ;;
esac

if [ "${1:-}" != --test ]; then
  for app in worker dispatcher prequeuer api; do
    pid="$LOCAL/run/$app.pid"
    if [ -f "$pid" ] && kill -0 "$(cat "$pid")" 2>/dev/null; then
      kill -TERM "$(cat "$pid")"
      for _ in $(seq 1 300); do kill -0 "$(cat "$pid")" 2>/dev/null || break; sleep 0.1; done
      log "stopped $app"
    fi
    rm -f "$pid"
  done
fi
case "${1:-}" in
  '') bash scripts/services.sh down dev ;;
  --test) bash scripts/services.sh down test ;;
  --all) bash scripts/services.sh down dev && bash scripts/services.sh down test ;;
esac
