# Sourced by the other scripts: puts the pinned Node.js and pnpm first on PATH.
# The versions are pinned here, in .nvmrc and in package.json (engines, packageManager); a machine
# whose own node is another version gets the pinned one installed once into .tools/ from the npm
# registry (the `node` package ships the official binary), so no global state is changed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NODE_VERSION="$(tr -d ' \n' < "$ROOT/.nvmrc")"
PNPM_VERSION="$(sed -n 's/.*"packageManager": *"pnpm@\([^"]*\)".*/\1/p' "$ROOT/package.json")"
TOOLS="$ROOT/.tools"

log() { printf '\033[1m[%s]\033[0m %s\n' "$(basename "$0" .sh)" "$*" >&2; }

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
  export NPM_CONFIG_UPDATE_NOTIFIER=false
}

install_dependencies() {
  ensure_toolchain
  (cd "$ROOT" && pnpm install --frozen-lockfile --reporter=append-only >&2)
}

# What the tests need beyond Node: python-dateutil as the RRULE oracle (Debian's package, for
# /usr/bin/python3), and system time zone data at least as new as Node's own (2026c), since the
# oracle reads /usr/share/zoneinfo and Node uses its bundled ICU data.
provision_test_tools() {
  local tz
  tz="$(dpkg-query -W -f='${Version}' tzdata 2>/dev/null || echo 0)"
  if ! /usr/bin/python3 -c 'import dateutil.rrule, zoneinfo' 2>/dev/null || ! dpkg --compare-versions "$tz" ge 2026c; then
    log "installing python3-dateutil and current tzdata (the RRULE conformance oracle) from Debian's packages"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-dateutil tzdata) >&2
  fi
}
