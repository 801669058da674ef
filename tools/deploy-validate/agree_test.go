package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// agreeWith runs the agreement checks on the fixture with one text replacement applied.
func agreeWith(t *testing.T, old, new string) error {
	t.Helper()
	raw, err := os.ReadFile("testdata/agree-ok.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if old != "" && !strings.Contains(string(raw), old) {
		t.Fatalf("fixture has no %q", old)
	}
	path := filepath.Join(t.TempDir(), "render.yaml")
	if err := os.WriteFile(path, []byte(strings.Replace(string(raw), old, new, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	return checkAgreement("testdata/behaviour.json", []string{path})
}

func TestAgreementAcceptsTheFixture(t *testing.T) {
	if err := agreeWith(t, "", ""); err != nil {
		t.Fatalf("fixture refused: %v", err)
	}
}

func TestAgreementRefusesWhatDisagreesWithTheServices(t *testing.T) {
	cases := []struct{ name, old, new, want string }{
		{"grace period not above the shutdown timeout", "terminationGracePeriodSeconds: 40", "terminationGracePeriodSeconds: 25", "is not above the shutdown timeout 25 s"},
		{"shutdown timeout raised past the grace period", `SHUTDOWN_TIMEOUT_SECONDS: "25"`, `SHUTDOWN_TIMEOUT_SECONDS: "45"`, "is not above the shutdown timeout 45 s"},
		{"liveness on the readiness path", "livenessProbe:\n            httpGet: {path: /healthz", "livenessProbe:\n            httpGet: {path: /readyz", "livenessProbe probes /readyz"},
		{"probe on another port", "readinessProbe:\n            httpGet: {path: /readyz, port: http}", "readinessProbe:\n            httpGet: {path: /readyz, port: 9999}", "readinessProbe targets port 9999"},
		{"port variable elsewhere than the container port", `value: "8083"`, `value: "9000"`, `WORKER_HEALTH_PORT="9000"`},
		{"startup budget below the connect timeouts", "failureThreshold: 45", "failureThreshold: 10", "startupProbe allows 20 s"},
		{"budget blocking drains", "minAvailable: 1", "minAvailable: 2", "blocks every node drain"},
		{"HPA on CPU without a CPU request", "requests: {cpu: 100m, memory: 192Mi}", "requests: {memory: 192Mi}", "requests no cpu"},
		{"ServiceMonitor on a missing port", "    - port: metrics\n      path: /metrics", "    - port: http-metrics\n      path: /metrics", `has no port named "http-metrics"`},
		{"writable root filesystem", "readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false", "readOnlyRootFilesystem is not set"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := agreeWith(t, c.old, c.new)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("want an error containing %q, got %v", c.want, err)
			}
		})
	}
}
