package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"sigs.k8s.io/yaml"
)

// behaviour is what scripts/deploy-check.sh measured while running the images, plus the config
// defaults it ran with (config/config.yaml).
type behaviour struct {
	ShutdownTimeoutSeconds     int                         `json:"shutdown_timeout_seconds"`
	MongoConnectTimeoutSeconds int                         `json:"mongo_connect_timeout_seconds"`
	RedisConnectTimeoutSeconds int                         `json:"redis_connect_timeout_seconds"`
	Services                   map[string]serviceBehaviour `json:"services"`
}

type serviceBehaviour struct {
	// The environment variable the service reads its HTTP port from.
	PortEnv string `json:"port_env"`
	// Paths that answered as measured: liveness 200 even with Redis gone, readiness 503 then.
	LivenessPath  string `json:"liveness_path"`
	ReadinessPath string `json:"readiness_path"`
	MetricsPath   string `json:"metrics_path"`
	// How long SIGTERM took to stop the container, and its exit code (nil: not measured).
	StopSeconds *float64 `json:"stop_seconds"`
	ExitCode    *int     `json:"exit_code"`
}

// rendered holds the objects of a chart render that the checks compare.
type rendered struct {
	deployments     []*appsv1.Deployment
	pdbs            []*policyv1.PodDisruptionBudget
	hpas            []*autoscalingv2.HorizontalPodAutoscaler
	services        []*corev1.Service
	configMaps      []*corev1.ConfigMap
	serviceMonitors []serviceMonitor
}

// serviceMonitor is the part of a monitoring.coreos.com/v1 ServiceMonitor the checks read (its
// full schema is checked by `kube`).
type serviceMonitor struct {
	Metadata struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Spec struct {
		Selector struct {
			MatchLabels map[string]string `json:"matchLabels"`
		} `json:"selector"`
		Endpoints []struct {
			Port string `json:"port"`
			Path string `json:"path"`
		} `json:"endpoints"`
	} `json:"spec"`
}

// checkAgreement compares each rendered file with the measured behaviour and reports every
// disagreement at once.
func checkAgreement(behaviourPath string, paths []string) error {
	raw, err := os.ReadFile(behaviourPath)
	if err != nil {
		return err
	}
	var measured behaviour
	if err := json.Unmarshal(raw, &measured); err != nil {
		return fmt.Errorf("%s: %w", behaviourPath, err)
	}
	var problems []string
	for _, path := range paths {
		objects, err := loadRendered(path)
		if err != nil {
			return err
		}
		lines, found := agreement(objects, measured)
		for _, line := range lines {
			fmt.Printf("agree: %s: %s\n", path, line)
		}
		for _, problem := range found {
			problems = append(problems, path+": "+problem)
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("the chart disagrees with the services' behaviour, %d problem(s):\n  %s", len(problems), strings.Join(problems, "\n  "))
	}
	return nil
}

func loadRendered(path string) (*rendered, error) {
	docs, err := readDocuments(path)
	if err != nil {
		return nil, err
	}
	objects := &rendered{}
	for _, doc := range docs {
		var target any
		switch doc.gvk.Kind {
		case "Deployment":
			d := &appsv1.Deployment{}
			objects.deployments, target = append(objects.deployments, d), d
		case "PodDisruptionBudget":
			p := &policyv1.PodDisruptionBudget{}
			objects.pdbs, target = append(objects.pdbs, p), p
		case "HorizontalPodAutoscaler":
			h := &autoscalingv2.HorizontalPodAutoscaler{}
			objects.hpas, target = append(objects.hpas, h), h
		case "Service":
			s := &corev1.Service{}
			objects.services, target = append(objects.services, s), s
		case "ConfigMap":
			c := &corev1.ConfigMap{}
			objects.configMaps, target = append(objects.configMaps, c), c
		case "ServiceMonitor":
			objects.serviceMonitors = append(objects.serviceMonitors, serviceMonitor{})
			target = &objects.serviceMonitors[len(objects.serviceMonitors)-1]
		default:
			continue
		}
		if err := yaml.Unmarshal(doc.raw, target); err != nil {
			return nil, fmt.Errorf("%s: %w", doc, err)
		}
	}
	return objects, nil
}

// settings returns the value of an environment variable as the pods see it: set on the container,
// else from a ConfigMap it loads with envFrom, else "".
func (r *rendered) setting(container *corev1.Container, name string) string {
	for _, env := range container.Env {
		if env.Name == name {
			return env.Value
		}
	}
	for _, from := range container.EnvFrom {
		if from.ConfigMapRef == nil {
			continue
		}
		for _, cm := range r.configMaps {
			if cm.Name == from.ConfigMapRef.Name {
				if value, ok := cm.Data[name]; ok {
					return value
				}
			}
		}
	}
	return ""
}

// intSetting is setting() as an int, or fallback when unset.
func (r *rendered) intSetting(container *corev1.Container, name string, fallback int) (int, error) {
	value := r.setting(container, name)
	if value == "" {
		return fallback, nil
	}
	n, err := strconv.Atoi(value)
	if err != nil {
		return 0, fmt.Errorf("%s=%q is not an integer", name, value)
	}
	return n, nil
}
