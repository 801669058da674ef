# Sourced by the other scripts: puts the pinned Node.js and pnpm first on PATH.
# The versions are pinned here, in .nvmrc and in package.json (engines, packageManager); a machine
# whose own node is another version gets the pinned one installed once into .tools/ from the npm
# registry (the `node` package ships the official binary), so no global state is changed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NODE_VERSION="$(tr -d ' \n' < "$ROOT/.nvmrc")"
PNPM_VERSION="$(sed -n 's/.*"packageManager": *"pnpm@\([^"]*\)".*/\1/p' "$ROOT/package.json")"
TOOLS="$ROOT/.tools"
# Where the scripts keep state, pid files and logs; another directory lets a check run its own
# servers without touching the ones in use.
LOCAL="${ES_LOCAL_DIR:-$ROOT/.local}"

log() { printf '\033[1m[%s]\033[0m %s\n' "$(basename "$0" .sh)" "$*" >&2; }

# No upgrade nags from the pinned tools: npm reads NPM_CONFIG_*, pnpm 12 only PNPM_CONFIG_*.
export NPM_CONFIG_UPDATE_NOTIFIER=false PNPM_CONFIG_UPDATE_NOTIFIER=false

ensure_toolchain() {
  if [ "$(node --version 2>/dev/null)" != "v$NODE_VERSION" ] || [ "$(pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
    if [ "$("$TOOLS/node_modules/.bin/node" --version 2>/dev/null)" != "v$NODE_VERSION" ] ||
       [ "$("$TOOLS/node_modules/.bin/pnpm" --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
      log "installing node $NODE_VERSION and pnpm $PNPM_VERSION into .tools/"
      mkdir -p "$TOOLS"
      npm install --no-audit --no-fund --loglevel=error --prefix "$TOOLS" \
        "node@$NODE_VERSION" "pnpm@$PNPM_VERSION" >&2
    fi
    export PATH="$TOOLS/node_modules/.bin:$PATH"
  fi
}

# redis-server from Debian's packages, said aloud, when the binary is missing (services.sh starts
# one when nothing answers on 6379; the fault suite starts private ones).
ensure_redis_server() {
  command -v redis-server >/dev/null && return 0
  log "installing redis-server from Debian's packages"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server) >&2
}

install_dependencies() {
  ensure_toolchain
  (cd "$ROOT" && pnpm install --frozen-lockfile --reporter=append-only >&2)
}

# What the tests need beyond Node: the RRULE oracle (packages/scheduling/src/oracle), i.e.
# python-dateutil + zoneinfo reading the same tzdata release as Node's ICU (process.versions.tz).
# Everything goes into .tools/oracle; no system package is installed or upgraded, no root needed:
#  - python3 (3.9 or newer) must already be there; it is never installed;
#  - python-dateutil: the system's if it has one, else Debian's python3-dateutil and python3-six
#    unpacked into .tools/oracle/python (apt-get download + dpkg-deb -x: nothing is installed);
#  - tzdata: the system's zoneinfo when it is Node's release, else that release from the npm
#    package moment-timezone, written as TZif files into .tools/oracle/zoneinfo-<release>.
# On success it writes .tools/oracle/env (read by the tests) and exports ORACLE_REQUIRED=1 (so
# a test that cannot use it fails). When something cannot be had (no python3, no network), it
# says so in one line; the oracle tests then skip, with their count in the jest summary.
ORACLE="$TOOLS/oracle"
# moment-timezone version carrying each IANA release (the pinned Node 24.21 has 2026c).
declare -A ORACLE_TZDATA_NPM=([2026c]=0.6.3)

oracle_python() {
  local p candidates=(/usr/bin/python3 python3)
  [ -z "${ORACLE_PYTHON:-}" ] || candidates=("$ORACLE_PYTHON")
  for p in "${candidates[@]}"; do
    if "$p" -c 'import sys, zoneinfo; sys.exit(sys.version_info < (3, 9))' 2>/dev/null; then echo "$p"; return 0; fi
  done
  return 1
}

# Prints the PYTHONPATH under which $1 imports dateutil (empty: the system's own).
oracle_dateutil() {
  local python=$1 site="$ORACLE/python/usr/lib/python3/dist-packages" tmp deb
  if "$python" -c 'import dateutil.rrule' 2>/dev/null; then return 0; fi
  if ! PYTHONPATH="$site" "$python" -c 'import dateutil.rrule' 2>/dev/null; then
    command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null || return 1
    tmp="$(mktemp -d)"
    if ! (cd "$tmp" && apt-get download python3-dateutil python3-six) >>"$ORACLE/provision.log" 2>&1 &&
       [ "$(id -u)" = 0 ]; then
      log "refreshing Debian's package lists for the oracle (apt-get update: the index only, nothing is installed)"
      apt-get update >>"$ORACLE/provision.log" 2>&1 &&
        (cd "$tmp" && apt-get download python3-dateutil python3-six) >>"$ORACLE/provision.log" 2>&1
    fi
    for deb in "$tmp"/*.deb; do [ -f "$deb" ] && dpkg-deb -x "$deb" "$ORACLE/python"; done
    rm -rf "$tmp"
    PYTHONPATH="$site" "$python" -c 'import dateutil.rrule' 2>/dev/null || return 1
  fi
  echo "$site"
}

# Prints a zoneinfo directory holding tzdata release $1, or fails.
oracle_zoneinfo() {
  local want=$1 dir="$ORACLE/zoneinfo-$1" version="${ORACLE_TZDATA_NPM[$1]:-}"
  if [ "$(sed -n '1s/^# version //p' /usr/share/zoneinfo/tzdata.zi 2>/dev/null)" = "$want" ]; then
    echo /usr/share/zoneinfo; return 0
  fi
  if [ "$(cat "$dir/+VERSION" 2>/dev/null)" = "$want" ]; then echo "$dir"; return 0; fi
  [ -n "$version" ] || { echo "no moment-timezone version is known to carry tzdata $want" >>"$ORACLE/provision.log"; return 1; }
  npm install --no-audit --no-fund --loglevel=error --prefix "$ORACLE/npm" "moment-timezone@$version" \
    >>"$ORACLE/provision.log" 2>&1 || return 1
  rm -rf "$dir.new"
  node "$ROOT/packages/scheduling/scripts/zoneinfo-from-moment.mjs" "$ORACLE/npm/node_modules/moment-timezone" "$dir.new" \
    >>"$ORACLE/provision.log" 2>&1 || return 1
  [ "$(cat "$dir.new/+VERSION")" = "$want" ] || return 1
  rm -rf "$dir" && mv "$dir.new" "$dir" && echo "$dir"
}

provision_test_tools() {
  local python site zoneinfo node_tz system_tz=''
  mkdir -p "$ORACLE"
  rm -f "$ORACLE/env"
  : >"$ORACLE/provision.log"
  node_tz="$(node -p process.versions.tz)"
  if ! python="$(oracle_python)"; then
    log "RRULE oracle unavailable: no python3 (3.9 or newer) here; the oracle tests are skipped (count in the jest summary)"
    return 0
  fi
  if ! site="$(oracle_dateutil "$python")"; then
    log "RRULE oracle unavailable: python-dateutil could not be fetched (no network or no apt; .tools/oracle/provision.log); the oracle tests are skipped (count in the jest summary)"
    return 0
  fi
  if ! zoneinfo="$(oracle_zoneinfo "$node_tz")"; then
    zoneinfo=/usr/share/zoneinfo
    system_tz="$(sed -n '1s/^# version //p' "$zoneinfo/tzdata.zi" 2>/dev/null || true)"
    log "RRULE oracle: tzdata $node_tz (Node's) could not be had (.tools/oracle/provision.log); it reads the system's ${system_tz:-unknown}, and the oracle tests compare only the zones where the two agree"
  fi
  printf 'ORACLE_PYTHON=%s\nORACLE_PYTHONPATH=%s\nORACLE_TZPATH=%s\n' "$python" "$site" "$zoneinfo" >"$ORACLE/env"
  export ORACLE_REQUIRED=1
  local from="the system's"
  [ -z "$site" ] || from="Debian's, unpacked in .tools/oracle/python"
  [ -n "$system_tz" ] || log "RRULE oracle: python-dateutil ($from) with tzdata $node_tz, Node's release ($zoneinfo)"
}
