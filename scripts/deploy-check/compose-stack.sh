# Phase helper for compose.sh: podman-compose up (filled in below).
run_compose_stack() {
  COMPOSE_RESULTS+=("podman-compose: not implemented yet")
}
