package main

import (
	"bytes"
	"fmt"
	"os"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"sigs.k8s.io/yaml"
)

// validateCompose checks a Compose file against the Compose specification's JSON schema (the
// vendored copy; no download). YAML anchors and merge keys are resolved first, as Compose does;
// a duplicate key is an error.
func validateCompose(schemaPath, composePath string) error {
	schemaFile, err := os.Open(schemaPath)
	if err != nil {
		return err
	}
	defer schemaFile.Close()
	schemaDoc, err := jsonschema.UnmarshalJSON(schemaFile)
	if err != nil {
		return fmt.Errorf("%s: %w", schemaPath, err)
	}
	compiler := jsonschema.NewCompiler()
	compiler.DefaultDraft(jsonschema.Draft7)
	if err := compiler.AddResource("compose-spec.json", schemaDoc); err != nil {
		return err
	}
	compiled, err := compiler.Compile("compose-spec.json")
	if err != nil {
		return fmt.Errorf("%s: %w", schemaPath, err)
	}
	raw, err := os.ReadFile(composePath)
	if err != nil {
		return err
	}
	asJSON, err := yaml.YAMLToJSONStrict(raw)
	if err != nil {
		return fmt.Errorf("%s: %w", composePath, err)
	}
	instance, err := jsonschema.UnmarshalJSON(bytes.NewReader(asJSON))
	if err != nil {
		return fmt.Errorf("%s: %w", composePath, err)
	}
	if err := compiled.Validate(instance); err != nil {
		return fmt.Errorf("%s does not follow the Compose specification:\n%w", composePath, err)
	}
	services := 0
	if doc, ok := instance.(map[string]any); ok {
		if s, ok := doc["services"].(map[string]any); ok {
			services = len(s)
		}
	}
	fmt.Printf("compose: %s follows the Compose specification (%d services)\n", composePath, services)
	return nil
}
