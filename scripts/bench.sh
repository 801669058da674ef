#!/usr/bin/env bash
# Runs a benchmark on this machine, provisioning what it needs like the test command does (the
# pinned toolchain, a build, FerretDB/Redis unless MONGO_URL/REDIS_URL are given). Lateness and
# throughput start their own private Redis as well.
#   scripts/bench.sh <lateness|throughput|scaleout|planning|api|rrule> [args]   one benchmark (see docs/benchmarks.md)
#   scripts/bench.sh all [--smoke]                                    every benchmark in turn
# `--smoke` runs tiny sizes and writes nothing: CI runs `scripts/bench.sh all --smoke` so they never rot.
source "$(dirname "$0")/toolchain.sh"
cd "$ROOT"
install_dependencies
if [ -z "${MONGO_URL:-}" ] || [ -z "${REDIS_URL:-}" ]; then
  urls="$(bash scripts/services.sh up test)"
  eval "$(sed 's/^/export /' <<<"$urls")"
fi
pnpm build --output-logs=errors-only >&2

run() {
  local name=$1; shift
  log "benchmark: $name $*"
  case "$name" in
    rrule) TZ=UTC node bench/rrule/expand.bench.mjs "$@" ;;
    planning) node bench/planning/tick.bench.mjs "$@" ;;
    lateness | throughput | api | scaleout) node --enable-source-maps "bench/dist/$name.js" "$@" ;;
    *) echo "unknown benchmark: $name (lateness, throughput, scaleout, planning, api, rrule, all)" >&2; exit 64 ;;
  esac
}

name=${1:-}
[ -n "$name" ] || { sed -n '2,7p' "$0" >&2; exit 64; }
shift
if [ "$name" = all ]; then
  for b in rrule planning api lateness throughput scaleout; do
    run "$b" "$@"
  done
else
  run "$name" "$@"
fi
