#!/usr/bin/env bash
# Brings the whole system up locally: pinned toolchain, dependencies, FerretDB + Redis (unless
# MONGO_URL/REDIS_URL are given), build, then the four services in the background with their logs
# in .local/logs. Prints the API URL and a development API key. Stop it all with scripts/stop.sh.
source "$(dirname "$0")/toolchain.sh"
cd "$ROOT"
started=$(date +%s)
install_dependencies
urls="$(bash scripts/services.sh up dev)"  # a failure here stops the script (set -e)
eval "$(sed 's/^/export /' <<<"$urls")"
log "building"
pnpm build --output-logs=errors-only >&2

export API_DEV_API_KEY="${API_DEV_API_KEY:-user-api-key-123}"
# Development only: let callbacks reach receivers on this machine (refused by default: SSRF guard).
export WORKER_SSRF_ALLOW_LIST="${WORKER_SSRF_ALLOW_LIST:-127.0.0.0/8,::1/128,localhost}"
RUN="$LOCAL/run" LOGS="$LOCAL/logs"
mkdir -p "$RUN" "$LOGS"
for app in api prequeuer dispatcher worker; do
  pid="$RUN/$app.pid"
  if [ -f "$pid" ] && kill -0 "$(cat "$pid")" 2>/dev/null; then
    log "$app already running (pid $(cat "$pid")); scripts/stop.sh first to restart it"
    continue
  fi
  # The redirections are on the subshell, so nothing keeps this script's output open.
  (cd "apps/$app" && exec nohup node --enable-source-maps dist/main.js) >>"$LOGS/$app.log" 2>&1 </dev/null &
  echo $! > "$pid"
  log "started $app (pid $(cat "$pid"), log .local/logs/$app.log)"
done

API_URL="http://localhost:${API_PORT:-8080}"
for _ in $(seq 1 120); do
  curl -fsS "$API_URL/healthz" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -fsS "$API_URL/healthz" >/dev/null || { log "the API did not come up; see .local/logs/api.log"; tail -5 "$LOGS/api.log" >&2; exit 1; }
cat <<MSG

Event Scheduler is running ($(( $(date +%s) - started )) s).
  API:      $API_URL        (docs: $API_URL/docs)
  API key:  $API_DEV_API_KEY   (development only; send it as X-API-KEY)
  Callbacks to this machine allowed: $WORKER_SSRF_ALLOW_LIST (development only)
  Logs:     .local/logs/{api,prequeuer,dispatcher,worker}.log
  Stop:     scripts/stop.sh
MSG
