#!/usr/bin/env bash
# The console's end-to-end tests in a real browser: Debian's Chromium (installed here when missing,
# `apt-get install -y chromium`; Playwright's own browser download cannot run on these machines),
# driven by playwright-core against the four built services, the test FerretDB and Redis.
#   bash scripts/console-e2e.sh                 the tests
#   CONSOLE_SCREENSHOTS=docs/screenshots bash scripts/console-e2e.sh
#                                               the same, saving screenshots of the main pages there
# Extra arguments go to jest. MONGO_URL/REDIS_URL are used when set (scripts/test.sh sets them);
# otherwise the test services are provisioned as scripts/test.sh does.
source "$(dirname "$0")/toolchain.sh"
cd "$ROOT"
ensure_toolchain

if [ ! -x /usr/bin/chromium ]; then
  log "installing Debian's chromium (the browser the console's end-to-end tests drive)"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >&2
fi

if [ -z "${MONGO_URL:-}" ] || [ -z "${REDIS_URL:-}" ]; then
  urls="$(bash scripts/services.sh up test)"
  eval "$(sed 's/^/export /' <<<"$urls")"
fi

# Incremental (turbo's cache): only what changed since the last build is rebuilt.
pnpm build --output-logs=errors-only
pnpm test --config apps/console/jest.e2e.config.js "$@"
