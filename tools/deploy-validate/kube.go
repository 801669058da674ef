package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	kjson "k8s.io/apimachinery/pkg/runtime/serializer/json"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// A document of a multi-document YAML file.
type document struct {
	file  string
	index int
	raw   []byte
	gvk   schema.GroupVersionKind
	name  string
}

func (d document) String() string {
	return fmt.Sprintf("%s (document %d, %s %s)", d.file, d.index, d.gvk.Kind, d.name)
}

// newScheme registers the group versions a chart for every supported Kubernetes version may use:
// the generally available ones, served by every release from the lowest supported on. A beta or
// removed API, or a typo in apiVersion or kind, is therefore an error, not a skip.
func newScheme() (*runtime.Scheme, error) {
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{
		corev1.AddToScheme, appsv1.AddToScheme, autoscalingv2.AddToScheme, policyv1.AddToScheme,
		networkingv1.AddToScheme, rbacv1.AddToScheme, batchv1.AddToScheme, addCustomResources,
	} {
		if err := add(scheme); err != nil {
			return nil, err
		}
	}
	return scheme, nil
}

// readDocuments splits a file into its non-empty YAML documents.
func readDocuments(path string) ([]document, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	reader := utilyaml.NewYAMLReader(bufio.NewReader(file))
	var docs []document
	for index := 1; ; index++ {
		raw, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		var head struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
			Metadata   struct {
				Name string `json:"name"`
			} `json:"metadata"`
		}
		if err := yaml.Unmarshal(raw, &head); err != nil {
			return nil, fmt.Errorf("%s (document %d): %w", path, index, err)
		}
		if len(bytes.TrimSpace(stripComments(raw))) == 0 {
			continue
		}
		gv, err := schema.ParseGroupVersion(head.APIVersion)
		if err != nil {
			return nil, fmt.Errorf("%s (document %d): %w", path, index, err)
		}
		docs = append(docs, document{file: path, index: index, raw: raw, gvk: gv.WithKind(head.Kind), name: head.Metadata.Name})
	}
}

func stripComments(raw []byte) []byte {
	var out bytes.Buffer
	for _, line := range strings.Split(string(raw), "\n") {
		if trimmed := strings.TrimSpace(line); trimmed != "" && !strings.HasPrefix(trimmed, "#") && trimmed != "---" {
			out.WriteString(line + "\n")
		}
	}
	return out.Bytes()
}

// validateKube decodes every document of every file strictly (the API server's strict field
// validation: unknown and duplicate fields fail, and so does a value of the wrong type), then
// checks the names and labels the API server would refuse.
func validateKube(paths []string) error {
	scheme, err := newScheme()
	if err != nil {
		return err
	}
	decoder := kjson.NewSerializerWithOptions(kjson.DefaultMetaFactory, scheme, scheme,
		kjson.SerializerOptions{Yaml: true, Strict: true})
	var problems []string
	for _, path := range paths {
		docs, err := readDocuments(path)
		if err != nil {
			return err
		}
		kinds := map[string]int{}
		for _, doc := range docs {
			if skipped(doc.gvk) {
				kinds[doc.gvk.Kind+" (skipped: custom resource, validated by the newest build)"]++
				continue
			}
			obj, _, err := decoder.Decode(doc.raw, nil, nil)
			switch {
			case runtime.IsNotRegisteredError(err):
				problems = append(problems, fmt.Sprintf("%s: %s is not a generally available API of Kubernetes %s", doc, doc.gvk.GroupVersion(), kubeRelease()))
			case err != nil:
				problems = append(problems, fmt.Sprintf("%s: %v", doc, err))
			default:
				for _, problem := range objectProblems(obj) {
					problems = append(problems, fmt.Sprintf("%s: %s", doc, problem))
				}
			}
			kinds[doc.gvk.Kind]++
		}
		fmt.Printf("kubernetes %s (k8s.io/api %s): %s: %d objects (%s)\n", kubeRelease(), kubeAPIVersion(), path, len(docs), summarize(kinds))
	}
	if len(problems) > 0 {
		return fmt.Errorf("%d problem(s):\n  %s", len(problems), strings.Join(problems, "\n  "))
	}
	return nil
}

// kubeRelease turns the k8s.io/api version (v0.37.2) into the Kubernetes release (1.37).
func kubeRelease() string {
	parts := strings.Split(strings.TrimPrefix(kubeAPIVersion(), "v"), ".")
	if len(parts) < 2 {
		return "?"
	}
	return "1." + parts[1]
}

func summarize(kinds map[string]int) string {
	names := make([]string, 0, len(kinds))
	for kind, count := range kinds {
		names = append(names, fmt.Sprintf("%s %d", kind, count))
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}
