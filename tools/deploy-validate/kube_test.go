package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeManifest(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "manifest.yaml")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestValidateKubeAcceptsTheAgreementFixture(t *testing.T) {
	if err := validateKube([]string{"testdata/agree-ok.yaml"}); err != nil {
		t.Fatalf("valid manifests refused: %v", err)
	}
}

func TestValidateKubeRefusesEachInvalidManifest(t *testing.T) {
	cases := map[string]string{
		"unknown-field.yaml": `unknown field "spec.replica"`,
		"wrong-type.yaml":    "cannot unmarshal string",
		"beta-api.yaml":      "policy/v1beta1 is not a generally available API",
		"bad-name.yaml":      "metadata.name Event_Scheduler",
		"duplicate-key.yaml": `"LOG_LEVEL" already set`,
	}
	for file, want := range cases {
		t.Run(file, func(t *testing.T) {
			err := validateKube([]string{filepath.Join("testdata/invalid", file)})
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("want an error containing %q, got %v", want, err)
			}
		})
	}
}

func TestValidateKubeSkipsNothingButEmptyDocuments(t *testing.T) {
	path := writeManifest(t, "# only a comment\n---\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n")
	docs, err := readDocuments(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 1 || docs[0].gvk.Kind != "ConfigMap" {
		t.Fatalf("want the one ConfigMap, got %+v", docs)
	}
}
