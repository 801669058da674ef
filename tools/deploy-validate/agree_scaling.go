package main

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// replicas is how many pods a Deployment runs at least: its HPA's minReplicas when one targets it.
func (r *rendered) replicas(d *appsv1.Deployment) int {
	if hpa := r.autoscalerOf(d); hpa != nil {
		if hpa.Spec.MinReplicas != nil {
			return int(*hpa.Spec.MinReplicas)
		}
		return 1
	}
	if d.Spec.Replicas != nil {
		return int(*d.Spec.Replicas)
	}
	return 1
}

func (r *rendered) autoscalerOf(d *appsv1.Deployment) *autoscalingv2.HorizontalPodAutoscaler {
	for _, hpa := range r.hpas {
		if hpa.Spec.ScaleTargetRef.Kind == "Deployment" && hpa.Spec.ScaleTargetRef.Name == d.Name {
			return hpa
		}
	}
	return nil
}

// checkDisruptionBudgets: each PDB covers exactly one Deployment and lets a drain evict at least
// one of its pods (minAvailable below the replicas), and every Deployment running several pods
// has one, so a node drain never takes all of a service's pods at once.
func checkDisruptionBudgets(r *rendered) []string {
	var problems []string
	covered := map[string]bool{}
	for _, pdb := range r.pdbs {
		var matched []*appsv1.Deployment
		for _, d := range r.deployments {
			if selects(pdb.Spec.Selector, d.Spec.Template.Labels) {
				matched = append(matched, d)
			}
		}
		if len(matched) != 1 {
			problems = append(problems, fmt.Sprintf("PodDisruptionBudget %s selects %d Deployments' pods, not 1", pdb.Name, len(matched)))
			continue
		}
		d := matched[0]
		covered[d.Name] = true
		replicas := r.replicas(d)
		if v := pdb.Spec.MinAvailable; v != nil {
			if min, err := intstr.GetScaledValueFromIntOrPercent(v, replicas, true); err != nil || min >= replicas {
				problems = append(problems, fmt.Sprintf("PodDisruptionBudget %s: minAvailable %s with %d replica(s) of %s blocks every node drain", pdb.Name, v.String(), replicas, d.Name))
			}
		}
		if v := pdb.Spec.MaxUnavailable; v != nil {
			if max, err := intstr.GetScaledValueFromIntOrPercent(v, replicas, true); err != nil || max < 1 {
				problems = append(problems, fmt.Sprintf("PodDisruptionBudget %s: maxUnavailable %s with %d replica(s) of %s blocks every node drain", pdb.Name, v.String(), replicas, d.Name))
			}
		}
	}
	for _, d := range r.deployments {
		if r.replicas(d) > 1 && !covered[d.Name] {
			problems = append(problems, fmt.Sprintf("Deployment %s runs %d pods without a PodDisruptionBudget", d.Name, r.replicas(d)))
		}
	}
	return problems
}

// checkAutoscalers: each HPA scales a rendered Deployment that leaves `replicas` to it, and every
// utilization target has the resource request it is a percentage of.
func checkAutoscalers(r *rendered) []string {
	var problems []string
	for _, hpa := range r.hpas {
		var target *appsv1.Deployment
		for _, d := range r.deployments {
			if hpa.Spec.ScaleTargetRef.Kind == "Deployment" && hpa.Spec.ScaleTargetRef.Name == d.Name {
				target = d
			}
		}
		if target == nil {
			problems = append(problems, fmt.Sprintf("HorizontalPodAutoscaler %s scales %s/%s, which is not rendered", hpa.Name, hpa.Spec.ScaleTargetRef.Kind, hpa.Spec.ScaleTargetRef.Name))
			continue
		}
		if target.Spec.Replicas != nil {
			problems = append(problems, fmt.Sprintf("Deployment %s sets replicas although HorizontalPodAutoscaler %s scales it (every upgrade would reset it)", target.Name, hpa.Name))
		}
		if hpa.Spec.MinReplicas != nil && *hpa.Spec.MinReplicas > hpa.Spec.MaxReplicas {
			problems = append(problems, fmt.Sprintf("HorizontalPodAutoscaler %s: minReplicas above maxReplicas", hpa.Name))
		}
		for _, metric := range hpa.Spec.Metrics {
			if metric.Resource == nil || metric.Resource.Target.Type != autoscalingv2.UtilizationMetricType {
				continue
			}
			for _, c := range target.Spec.Template.Spec.Containers {
				if _, ok := c.Resources.Requests[metric.Resource.Name]; !ok {
					problems = append(problems, fmt.Sprintf("HorizontalPodAutoscaler %s targets %s utilization, but container %s requests no %s", hpa.Name, metric.Resource.Name, c.Name, metric.Resource.Name))
				}
			}
		}
	}
	return problems
}

// checkServices: each Service reaches exactly one Deployment's pods on ports they declare, and
// each ServiceMonitor scrapes a named port of one Service on the path /metrics is served on.
func checkServices(r *rendered, measured behaviour) []string {
	var problems []string
	for _, s := range r.services {
		var matched []*appsv1.Deployment
		for _, d := range r.deployments {
			if len(s.Spec.Selector) > 0 && labels.SelectorFromSet(s.Spec.Selector).Matches(labels.Set(d.Spec.Template.Labels)) {
				matched = append(matched, d)
			}
		}
		if len(matched) != 1 {
			problems = append(problems, fmt.Sprintf("Service %s selects %d Deployments' pods, not 1", s.Name, len(matched)))
			continue
		}
		for _, port := range s.Spec.Ports {
			if !declaresPort(matched[0], port.TargetPort) {
				problems = append(problems, fmt.Sprintf("Service %s: targetPort %s is not a port of %s", s.Name, port.TargetPort.String(), matched[0].Name))
			}
		}
	}
	for _, monitor := range r.serviceMonitors {
		var matched []*corev1.Service
		for _, s := range r.services {
			if len(monitor.Spec.Selector.MatchLabels) > 0 && labels.SelectorFromSet(monitor.Spec.Selector.MatchLabels).Matches(labels.Set(s.Labels)) {
				matched = append(matched, s)
			}
		}
		if len(matched) != 1 {
			problems = append(problems, fmt.Sprintf("ServiceMonitor %s selects %d Services, not 1", monitor.Metadata.Name, len(matched)))
			continue
		}
		path := measured.Services[matched[0].Labels[componentLabel]].MetricsPath
		for _, endpoint := range monitor.Spec.Endpoints {
			if !servicePortNamed(matched[0], endpoint.Port) {
				problems = append(problems, fmt.Sprintf("ServiceMonitor %s: Service %s has no port named %q", monitor.Metadata.Name, matched[0].Name, endpoint.Port))
			}
			if endpoint.Path != path {
				problems = append(problems, fmt.Sprintf("ServiceMonitor %s scrapes %q, metrics are served on %q", monitor.Metadata.Name, endpoint.Path, path))
			}
		}
	}
	return problems
}

func declaresPort(d *appsv1.Deployment, target intstr.IntOrString) bool {
	for i := range d.Spec.Template.Spec.Containers {
		if resolvePort(&d.Spec.Template.Spec.Containers[i], target) != 0 {
			return true
		}
	}
	return false
}

func servicePortNamed(s *corev1.Service, name string) bool {
	for _, port := range s.Spec.Ports {
		if port.Name == name {
			return true
		}
	}
	return false
}
