#!/usr/bin/env bash
# The fault-injection suite (issue 15; docs/reliability.md). Every scenario starts its own
# redis-server, its own FerretDB (SQLite, in .local/faults/<run>/<scenario>) and the four services
# from apps/*/dist as child processes, injects its fault through process control, Redis or the
# receiver, and checks what a scripted loopback receiver got against what the public API
# acknowledged. The machine's shared Redis (6379) and the test FerretDB (27018) are never touched.
#   scripts/faults.sh                   every scenario (FAULTS_JOBS at a time); prints the table;
#                                       exits 1 when any scenario fails
#   scripts/faults.sh --only a,b        some scenarios;  scripts/faults.sh --list  names them all
#   FAULTS_APPS_ROOT=/path/to/checkout scripts/faults.sh ...   the services built in another checkout
# Durations, parallelism and the lateness bound are FAULTS_* variables: see faults/README.md.
source "$(dirname "$0")/toolchain.sh"
cd "$ROOT"
install_dependencies
ensure_redis_server
if [ -z "${FAULTS_FERRETDB:-}" ] && [ ! -x "$TOOLS/bin/ferretdb" ]; then
  # services.sh builds FerretDB (tools/ferretdb) into .tools/bin when it first starts one: start a
  # throwaway one (own state directory and port, SQLite, no Redis) and stop it, touching nothing shared.
  log "building FerretDB through scripts/services.sh"
  tmp="$(mktemp -d)" port=''
  for p in $(seq 27990 27999); do (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { port=$p; break; }; done
  [ -n "$port" ] || { log "no free port in 27990-27999 to build FerretDB with"; exit 1; }
  private() { env -u MONGO_URL ES_LOCAL_DIR="$tmp" ES_FERRETDB_PORT="$port" ES_FERRETDB_HANDLER=sqlite REDIS_URL=unused "$@"; }
  private bash scripts/services.sh up test >/dev/null
  private bash scripts/services.sh down test >/dev/null
  rm -rf "$tmp"
fi
if [ -z "${FAULTS_APPS_ROOT:-}" ]; then
  pnpm build --output-logs=errors-only >&2
else
  pnpm exec turbo run build --filter=@event-scheduler/faults... --output-logs=errors-only >&2
fi
exec node --enable-source-maps faults/dist/main.js "$@"
