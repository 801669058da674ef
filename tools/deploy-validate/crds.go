//go:build !k8slowest

package main

import (
	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// addCustomResources registers the Prometheus Operator's ServiceMonitor, which the chart renders
// when metrics.serviceMonitor.enabled is set. Its schema does not depend on the Kubernetes
// version, so only this (newest) build validates it.
func addCustomResources(scheme *runtime.Scheme) error {
	scheme.AddKnownTypes(monitoringv1.SchemeGroupVersion, &monitoringv1.ServiceMonitor{}, &monitoringv1.ServiceMonitorList{})
	return nil
}

func skipped(schema.GroupVersionKind) bool { return false }
