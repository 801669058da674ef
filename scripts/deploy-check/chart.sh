# Phase: the Helm chart. For the default values and every ci/*-values.yaml: helm lint --strict and
# helm template at the lowest and highest supported Kubernetes versions, every rendered object
# decoded strictly into that version's API types (tools/deploy-validate kube), and the renders
# compared with the behaviour the run phase measured (tools/deploy-validate agree). Then what the
# chart must refuse: both validators reject broken manifests, and helm rejects a values typo
# (values.schema.json), a grace period below the shutdown timeout, a budget that blocks drains,
# a connection URL in the ConfigMap and a Kubernetes version below the lowest.

CHART="$ROOT/deploy/helm/event-scheduler"
CHART_RESULTS=()

check_chart() {
  wait_go_tools
  local helm="$CACHE/bin/helm" renders_high=()
  [ -f "$WORK/behaviour.json" ] || { log "the run phase did not run: comparing the chart with config defaults only (no measured stop times)"; write_behaviour; }
  for values in default "$CHART"/ci/*-values.yaml; do
    local name args=()
    name="$(basename "$values" .yaml)"
    [ "$values" = default ] || args=(-f "$values")
    for kube in "$KUBE_LOWEST" "$KUBE_HIGHEST"; do
      "$helm" lint --strict "$CHART" "${args[@]}" --kube-version "$kube" >"$WORK/lint.log" 2>&1 ||
        { cat "$WORK/lint.log" >&2; fail "helm lint --strict ($name, Kubernetes $kube)"; }
      "$helm" template event-scheduler "$CHART" "${args[@]}" --kube-version "$kube" \
        >"$WORK/render-$name-$kube.yaml" 2>"$WORK/template.log" ||
        { cat "$WORK/template.log" >&2; fail "helm template ($name, Kubernetes $kube)"; }
    done
    "$VALIDATE_LOW" kube "$WORK/render-$name-$KUBE_LOWEST.yaml" >&2 || fail "$name values: invalid for Kubernetes $KUBE_LOWEST"
    "$VALIDATE_HIGH" kube "$WORK/render-$name-$KUBE_HIGHEST.yaml" >&2 || fail "$name values: invalid for Kubernetes $KUBE_HIGHEST"
    renders_high+=("$WORK/render-$name-$KUBE_HIGHEST.yaml")
    CHART_RESULTS+=("$name: lint --strict, template and strict API validation at $KUBE_LOWEST and $KUBE_HIGHEST")
  done
  "$VALIDATE_HIGH" agree "$WORK/behaviour.json" "${renders_high[@]}" >&2 || fail "the chart disagrees with the services' behaviour"
  CHART_RESULTS+=("probes, grace periods, PDBs, HPAs, Services, ServiceMonitors agree with the measured behaviour")
  check_validators_reject
  check_chart_refusals
}

# The validators must fail on each broken manifest of testdata/invalid, in this very run.
check_validators_reject() {
  for bad in "$VALIDATE_DIR"/testdata/invalid/*.yaml; do
    for validator in "$VALIDATE_LOW" "$VALIDATE_HIGH"; do
      if "$validator" kube "$bad" >/dev/null 2>&1; then
        fail "$(basename "$validator") accepted $(basename "$bad")"
      fi
    done
  done
  CHART_RESULTS+=("both validators reject: $(cd "$VALIDATE_DIR/testdata/invalid" && ls | sed 's/\.yaml$//' | paste -sd, -)")
}

# refuse <what> <expected message part> <helm args...>: helm template must fail with that message.
refuse() {
  local what="$1" expected="$2"
  shift 2
  if "$CACHE/bin/helm" template event-scheduler "$CHART" "$@" >/dev/null 2>"$WORK/refusal.log"; then
    fail "helm rendered $what"
  fi
  grep -qF "$expected" "$WORK/refusal.log" || { cat "$WORK/refusal.log" >&2; fail "helm refused $what without saying '$expected'"; }
}

check_chart_refusals() {
  local kube=(--kube-version "$KUBE_HIGHEST")
  refuse "a misspelt value" "replicaCuont" "${kube[@]}" --set worker.replicaCuont=3
  refuse "a grace period below the shutdown timeout" "must be greater than SHUTDOWN_TIMEOUT_SECONDS" \
    "${kube[@]}" --set worker.terminationGracePeriodSeconds=20
  refuse "a PDB that blocks drains" "blocks every node drain" "${kube[@]}" --set worker.pdb.minAvailable=2
  refuse "a connection URL in the ConfigMap" "come from Secrets" "${kube[@]}" --set config.MONGO_URL=mongodb://x
  refuse "the development API key" "development-only key" "${kube[@]}" \
    --set 'api.extraEnv[0].name=API_DEV_API_KEY' --set 'api.extraEnv[0].value=x'
  refuse "Kubernetes below the lowest supported" "incompatible with Kubernetes" --kube-version 1.24.0
  CHART_RESULTS+=("helm refuses: values typo, short grace period, drain-blocking PDB, URL in ConfigMap, dev API key, Kubernetes 1.24")
}
