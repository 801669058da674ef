#!/usr/bin/env bash
# Runs every check and test on a fresh machine: pinned toolchain, frozen install, the RRULE
# oracle (into .tools/oracle, see provision_test_tools), local services (unless MONGO_URL/REDIS_URL
# are given, or a Docker engine lets testcontainers start real mongo and redis images), then
# typecheck, lint + format check, build, jest (unit + integration), checks of these scripts, the
# operator console in Chromium, the benchmark smokes, the fault-injection suite (private Redis,
# FerretDB and services per scenario; docs/reliability.md) and the deploy checks (images, chart,
# compose). The test FerretDB it starts stays up for the next run: scripts/stop.sh --test.
#   scripts/test.sh            everything
#   scripts/test.sh <jest args> only jest, with those arguments (after the same provisioning)
source "$(dirname "$0")/toolchain.sh"
cd "$ROOT"
started=$(date +%s)
install_dependencies
provision_test_tools

warm=''
# Said on the way out, passed or not: the test FerretDB keeps running for the next run.
trap '[ -z "$warm" ] || log "the test FerretDB stays up on ${MONGO_URL#mongodb://} for the next run (idle database connections close within two minutes); stop it with scripts/stop.sh --test"' EXIT
if [ -z "${MONGO_URL:-}" ] && [ -z "${REDIS_URL:-}" ] && docker info >/dev/null 2>&1; then
  log "Docker engine found: integration tests start mongo and redis containers (testcontainers)"
else
  log "provisioning the test database and Redis"
  given="${MONGO_URL:-}"
  urls="$(bash scripts/services.sh up test)"  # a failure here stops the script (set -e)
  eval "$(sed 's/^/export /' <<<"$urls")"
  [ -n "$given" ] || warm=1
fi

step() { log "$1"; shift; "$@"; }
if [ $# -eq 0 ]; then
  step "typecheck" pnpm typecheck
  step "lint and format check (biome)" pnpm lint
  step "build (turbo)" pnpm build --output-logs=errors-only
  step "jest: unit and integration" pnpm test --ci
  step "jest: time-dependent unit tests again under another host time zone" \
    env TZ=Pacific/Chatham pnpm test --ci --selectProjects unit --testPathPatterns packages/scheduling
  step "checks of the scripts themselves (stop, quiet logs, oracle skips)" bash scripts/check-scripts.sh
  step "console end-to-end tests in Chromium (installs Debian's chromium if missing)" bash scripts/console-e2e.sh
  # Tiny sizes, so the benchmarks never rot; their correctness gates (no miss, no duplicate) fail
  # the run, their timings are only printed.
  step "benchmark smokes (correctness gates only)" bash scripts/bench.sh all --smoke
  # Every scenario must pass (counts and recovery goals); ~13 min with three at a time.
  step "fault-injection suite: 24 scenarios, the table of docs/reliability.md (scripts/faults.sh)" bash scripts/faults.sh
  step "deploy: images built and run, chart and compose validated (scripts/deploy-check.sh)" bash scripts/deploy-check.sh
else
  step "build (turbo)" pnpm build --output-logs=errors-only
  pnpm test "$@"
fi
log "all checks passed in $(( $(date +%s) - started )) s"
