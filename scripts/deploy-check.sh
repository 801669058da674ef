#!/usr/bin/env bash
# Proves the deployment files users run, without a Docker engine: builds the four service images
# from deploy/docker/Dockerfile with buildah, runs them with podman against the test database and
# Redis (health, readiness, the seed curl delivered end to end, SIGTERM, non-root, read-only root),
# validates the Helm chart (lint, render, strict Kubernetes schemas for the lowest and highest
# supported versions, agreement with the measured behaviour) and docker-compose.yml (the Compose
# specification's JSON schema), and prints a summary with image sizes and timings.
#
#   scripts/deploy-check.sh                  everything (CI)
#   scripts/deploy-check.sh chart compose    only those phases (images, run, chart, compose)
#
# Root and apt are needed on a fresh machine. Caches outside the work tree (CI clones anew):
# $DEPLOY_CHECK_CACHE (default /var/cache/event-scheduler-deploy: helm, validators, logs), podman's
# storage (base images, build layers), buildah's cache mounts (pnpm store, turbo), Go's caches.
set -euo pipefail
source "$(dirname "$0")/deploy-check/lib.sh"
for part in tools base-images build-images run-images run-failures chart compose compose-stack summary; do
  source "$ROOT/scripts/deploy-check/$part.sh"
done
cd "$ROOT"
started=$(date +%s)
mkdir -p "$CACHE"
WORK="$(mktemp -d /tmp/deploy-check.XXXXXX)"
phases=("$@")
[ $# -gt 0 ] || phases=(images run chart compose)
wants() { [[ " ${phases[*]} " == *" $1 "* ]]; }

phase "install tools" install_tools
if wants images || wants run; then
  phase "base images" ensure_base_images
  phase "build images" build_images
fi
wants run && phase "run images" run_images
wants chart && phase "helm chart" check_chart
wants compose && phase "compose file" check_compose
print_summary "$(($(date +%s) - started))"
rm -rf "$WORK"
