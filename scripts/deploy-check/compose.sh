# Phase: docker-compose.yml and the override files in deploy/compose/ against the Compose
# specification's JSON schema (vendored, pinned by sha256), then the stack itself brought up with
# podman-compose on the images built above and local stand-ins for mongo and redis
# (compose-stack.sh).

COMPOSE_SCHEMA="$ROOT/deploy/compose/compose-spec.schema.json"
COMPOSE_RESULTS=()

check_compose() {
  wait_go_tools
  local pinned
  pinned="$(grep -o 'sha256 of the file: `[0-9a-f]*`' "$ROOT/deploy/compose/README.md" | grep -o '[0-9a-f]\{64\}')"
  [ "$(sha256sum "$COMPOSE_SCHEMA" | cut -d' ' -f1)" = "$pinned" ] ||
    fail "deploy/compose/compose-spec.schema.json differs from the pinned copy (deploy/compose/README.md)"
  for file in "$ROOT/docker-compose.yml" "$ROOT"/deploy/compose/*.yml; do
    "$VALIDATE_HIGH" compose "$COMPOSE_SCHEMA" "$file" >&2 || fail "$(basename "$file") does not follow the Compose specification"
    COMPOSE_RESULTS+=("${file#"$ROOT/"}: valid against the Compose specification schema")
  done
  if podman image exists "$(image_name worker)"; then
    run_compose_stack
  else
    COMPOSE_RESULTS+=("podman-compose: not tried (no images built in this run)")
  fi
}
