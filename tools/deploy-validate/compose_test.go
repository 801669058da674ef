package main

import (
	"strings"
	"testing"
)

const composeSchema = "../../deploy/compose/compose-spec.schema.json"

func TestComposeAcceptsAValidFile(t *testing.T) {
	path := writeManifest(t, "services:\n  api:\n    image: event-scheduler-api:local\n    environment:\n      LOG_LEVEL: info\n")
	if err := validateCompose(composeSchema, path); err != nil {
		t.Fatalf("valid compose file refused: %v", err)
	}
}

func TestComposeResolvesMergeKeys(t *testing.T) {
	path := writeManifest(t, "x-app: &app\n  restart: unless-stopped\nservices:\n  api:\n    <<: *app\n    image: event-scheduler-api:local\n")
	if err := validateCompose(composeSchema, path); err != nil {
		t.Fatalf("merge keys refused: %v", err)
	}
}

func TestComposeRefusesAnUnknownServiceKey(t *testing.T) {
	path := writeManifest(t, "services:\n  api:\n    image: event-scheduler-api:local\n    restart_policy: always\n")
	err := validateCompose(composeSchema, path)
	if err == nil || !strings.Contains(err.Error(), "restart_policy") {
		t.Fatalf("want an error naming restart_policy, got %v", err)
	}
}
