#!/usr/bin/env bash
# Checks the two commands' own behaviour (issue 13), run by scripts/test.sh. Every check uses its
# own temporary state directory (ES_LOCAL_DIR), its own FerretDB port and SQLite, so the servers
# in use are never touched.
source "$(dirname "$0")/toolchain.sh"
cd "$ROOT"
ensure_toolchain
TMP="$(mktemp -d)"
PORT=''
trap 'ES_LOCAL_DIR="$TMP/local" ES_FERRETDB_PORT="$PORT" bash scripts/services.sh down test >/dev/null 2>&1 || true; rm -rf "$TMP"' EXIT
passed=0 failed=0
check() {
  local name=$1; shift
  if "$@" >"$TMP/last.log" 2>&1; then passed=$((passed + 1)); log "ok: $name"
  else failed=$((failed + 1)); log "check failed: $name"; tail -20 "$TMP/last.log" >&2; fi
}
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for p in $(seq 27990 27999); do port_open "$p" || { PORT=$p; break; }; done
# test.sh exports the test services' MONGO_URL, which services.sh would use as given: unset here.
private() { env -u MONGO_URL ES_LOCAL_DIR="$TMP/local" ES_FERRETDB_PORT="$PORT" ES_FERRETDB_HANDLER=sqlite REDIS_URL=unused "$@"; }

# A private test FerretDB: harmless replies stay out of its log, real ones stay in, and
# `scripts/stop.sh --test` stops it.
ferretdb_quiet_and_stoppable() {
  [ -n "$PORT" ] || { echo "no free port in 27990-27999"; return 1; }
  private bash scripts/services.sh up test || return 1
  node --input-type=module -e "
    import { createRequire } from 'node:module';
    const mongoose = createRequire('$ROOT/packages/models/package.json')('mongoose');
    const c = await mongoose.createConnection('mongodb://127.0.0.1:$PORT/check_scripts').asPromise();
    await c.db.createCollection('twice');
    await c.db.createCollection('twice').catch(() => {});
    await c.db.command({ noSuchCommandForTheCheck: 1 }).catch(() => {});
    await c.close();" 2>&1 | grep -v '^ ' || true
  local log="$TMP/local/logs/ferretdb-test.log"
  # A failed connection prints the driver's whole topology; what FerretDB logged says why.
  grep -q noSuchCommandForTheCheck "$log" 2>/dev/null || sleep 1
  grep -q noSuchCommandForTheCheck "$log" || { echo "a real error reply is missing from FerretDB's log:"; tail -20 "$log"; return 1; }
  ! grep -q NamespaceExists "$log" || { echo "harmless 'already exists' replies reached $log"; return 1; }
  private bash scripts/stop.sh --test || return 1
  for _ in $(seq 1 50); do port_open "$PORT" || break; sleep 0.1; done
  ! port_open "$PORT" || { echo "FerretDB still answers on $PORT after stop.sh --test"; return 1; }
  [ ! -f "$TMP/local/run/ferretdb-test.pid" ]
}

# pnpm reads the setting the scripts export, so it never prints its upgrade notice.
pnpm_does_not_nag() { [ "$(pnpm config get update-notifier)" = false ]; }

# No benchmark legend starts a line with "FAIL:" (it read as a failed check).
no_fail_legend() { ! grep -rn 'FAIL:' bench/src --include='*.ts'; }

# Without the oracle, its tests are skipped visibly (count and reason), not failed or hidden.
oracle_skips_visibly() {
  local out="$TMP/jest.log"
  env -u ORACLE_REQUIRED ORACLE_PYTHON=/nonexistent pnpm test --ci --selectProjects unit \
    --testPathPatterns packages/scheduling/src/oracle/rare-parts >"$out" 2>&1 || { cat "$out"; return 1; }
  grep -q 'oracle unavailable' "$out" && grep -Eq 'Tests: +[0-9]+ skipped' "$out" || { cat "$out"; return 1; }
}

# Without network, provisioning says so in one line, falls back to the system's zoneinfo, and
# changes no system package either way.
oracle_provisioning_offline() {
  local before after out="$TMP/provision.log"
  before="$(dpkg-query -W -f '${Package} ${Version}\n' 2>/dev/null | sha256sum)"
  (
    ORACLE="$TMP/oracle"
    export npm_config_registry=http://127.0.0.1:9/ npm_config_fetch_retries=0
    provision_test_tools
  ) >"$out" 2>&1
  after="$(dpkg-query -W -f '${Package} ${Version}\n' 2>/dev/null | sha256sum)"
  [ "$before" = "$after" ] || { echo "system packages changed"; return 1; }
  [ "$(grep -c 'RRULE oracle' "$out")" = 1 ] || { cat "$out"; return 1; }
  [ -f "$TMP/oracle/env" ] || grep -q 'unavailable' "$out"
}

check "test FerretDB: quiet log, stopped by scripts/stop.sh --test" ferretdb_quiet_and_stoppable
check "pnpm: no upgrade notice" pnpm_does_not_nag
check "benchmarks: no legend line starting with FAIL:" no_fail_legend
check "oracle: skipped visibly when unavailable" oracle_skips_visibly
check "oracle: provisioning offline says so in one line, installs nothing" oracle_provisioning_offline
echo "scripts: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
