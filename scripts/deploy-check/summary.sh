# The summary printed at the end: what was checked, image sizes against the 250 MB budget, and
# how long each phase took.

IMAGE_BUDGET_MB=250

print_summary() {
  local total="$1" over=0
  {
    echo
    echo "deploy-check summary"
    echo
    if podman image exists "$(image_name api)" 2>/dev/null; then
      printf '%-42s %8s %8s\n' image size budget
      for service in "${SERVICES[@]}"; do
        local bytes mb
        bytes="$(podman image inspect --format '{{.Size}}' "$(image_name "$service")")"
        mb=$((bytes / 1000000))
        [ "$mb" -le "$IMAGE_BUDGET_MB" ] || over=1
        printf '%-42s %5d MB %5d MB %s\n' "$(image_name "$service")" "$mb" "$IMAGE_BUDGET_MB" \
          "$([ "$mb" -le "$IMAGE_BUDGET_MB" ] && echo ok || echo OVER)"
      done
      echo
    fi
    for line in "${RUN_RESULTS[@]}" "${CHART_RESULTS[@]}" "${COMPOSE_RESULTS[@]}"; do echo "  - $line"; done
    echo
    printf '%-24s %7s\n' phase seconds
    for i in "${!PHASE_NAMES[@]}"; do printf '%-24s %7d\n' "${PHASE_NAMES[$i]}" "${PHASE_SECONDS[$i]}"; done
    printf '%-24s %7d\n' total "$total"
  } >&2
  [ "$over" = 0 ] || fail "an image is over the ${IMAGE_BUDGET_MB} MB budget"
}
