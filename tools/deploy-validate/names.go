package main

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation"
)

// objectProblems checks what a schema does not say but the API server enforces on the objects
// this chart renders: name formats and lengths, label keys and values, container and port names,
// environment variable names.
func objectProblems(obj runtime.Object) []string {
	var problems []string
	add := func(what string, errs []string) {
		for _, err := range errs {
			problems = append(problems, fmt.Sprintf("%s: %s", what, err))
		}
	}
	accessor, err := meta.Accessor(obj)
	if err != nil {
		return []string{err.Error()}
	}
	name := accessor.GetName()
	if _, isService := obj.(*corev1.Service); isService {
		add("metadata.name "+name, validation.IsDNS1035Label(name))
	} else {
		add("metadata.name "+name, validation.IsDNS1123Subdomain(name))
	}
	for key, value := range accessor.GetLabels() {
		add("label key "+key, validation.IsQualifiedName(key))
		add("label "+key+" value "+value, validation.IsValidLabelValue(value))
	}
	if deployment, ok := obj.(*appsv1.Deployment); ok {
		for key, value := range deployment.Spec.Template.Labels {
			add("pod label key "+key, validation.IsQualifiedName(key))
			add("pod label "+key+" value "+value, validation.IsValidLabelValue(value))
		}
		for _, container := range deployment.Spec.Template.Spec.Containers {
			add("container name "+container.Name, validation.IsDNS1123Label(container.Name))
			for _, port := range container.Ports {
				if port.Name != "" {
					add("port name "+port.Name, validation.IsValidPortName(port.Name))
				}
			}
			for _, env := range container.Env {
				add("env "+env.Name, validation.IsEnvVarName(env.Name))
			}
		}
	}
	return problems
}
