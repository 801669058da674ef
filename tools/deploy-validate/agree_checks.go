package main

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
)

const componentLabel = "app.kubernetes.io/component"

// agreement runs every check on one render; it returns a summary line per Deployment and the
// problems found.
func agreement(r *rendered, measured behaviour) (lines, problems []string) {
	if len(r.deployments) == 0 {
		return nil, []string{"no Deployment rendered"}
	}
	for _, d := range r.deployments {
		line, found := checkDeployment(r, d, measured)
		lines = append(lines, line)
		problems = append(problems, found...)
	}
	problems = append(problems, checkDisruptionBudgets(r)...)
	problems = append(problems, checkAutoscalers(r)...)
	problems = append(problems, checkServices(r, measured)...)
	return lines, problems
}

func checkDeployment(r *rendered, d *appsv1.Deployment, measured behaviour) (string, []string) {
	service := d.Spec.Template.Labels[componentLabel]
	b, known := measured.Services[service]
	if !known {
		return "", []string{fmt.Sprintf("Deployment %s: component %q is none of the measured services", d.Name, service)}
	}
	var problems []string
	fail := func(format string, args ...any) {
		problems = append(problems, fmt.Sprintf("%s: ", service)+fmt.Sprintf(format, args...))
	}
	container := findContainer(d, service)
	if container == nil {
		return "", []string{fmt.Sprintf("%s: no container named %s", service, service)}
	}
	port := namedPort(container, "http")
	if port == 0 {
		fail("no container port named http")
	}
	if got := r.setting(container, b.PortEnv); got != fmt.Sprint(port) {
		fail("%s=%q, but the container port is %d: the service would listen elsewhere than its probes", b.PortEnv, got, port)
	}
	checkProbe(fail, "startupProbe", container.StartupProbe, b.LivenessPath, container, port)
	checkProbe(fail, "livenessProbe", container.LivenessProbe, b.LivenessPath, container, port)
	checkProbe(fail, "readinessProbe", container.ReadinessProbe, b.ReadinessPath, container, port)

	shutdown, err := r.intSetting(container, "SHUTDOWN_TIMEOUT_SECONDS", measured.ShutdownTimeoutSeconds)
	if err != nil {
		fail("%v", err)
	}
	preStop := preStopSleep(container)
	grace := int64(30) // Kubernetes' default
	if d.Spec.Template.Spec.TerminationGracePeriodSeconds != nil {
		grace = *d.Spec.Template.Spec.TerminationGracePeriodSeconds
	}
	if grace <= int64(shutdown+preStop) {
		fail("terminationGracePeriodSeconds %d is not above the shutdown timeout %d s + preStop %d s: pods would be killed mid-shutdown", grace, shutdown, preStop)
	}
	stopped := "not measured"
	if b.StopSeconds != nil {
		stopped = fmt.Sprintf("%.1f s, exit %d", *b.StopSeconds, deref(b.ExitCode))
		if *b.StopSeconds+float64(preStop) >= float64(grace) {
			fail("measured stop %.1f s + preStop %d s does not fit in the grace period %d s", *b.StopSeconds, preStop, grace)
		}
		if deref(b.ExitCode) != 0 {
			fail("exited %d after SIGTERM", deref(b.ExitCode))
		}
	}
	mongoWait, err1 := r.intSetting(container, "MONGO_CONNECT_TIMEOUT_SECONDS", measured.MongoConnectTimeoutSeconds)
	redisWait, err2 := r.intSetting(container, "REDIS_CONNECT_TIMEOUT_SECONDS", measured.RedisConnectTimeoutSeconds)
	if err1 != nil || err2 != nil {
		fail("connect timeouts: %v %v", err1, err2)
	}
	budget := 0
	if p := container.StartupProbe; p != nil {
		budget = int(p.InitialDelaySeconds + p.PeriodSeconds*p.FailureThreshold)
	}
	// /healthz answers only once MongoDB and Redis are connected; each is retried up to its
	// connect timeout first. A shorter budget kills pods that are still legitimately waiting.
	if budget < mongoWait+redisWait {
		fail("startupProbe allows %d s, less than the connect timeouts (%d s + %d s) /healthz may wait for", budget, mongoWait, redisWait)
	}
	problems = append(problems, checkPodSecurity(d, container)...)
	return fmt.Sprintf("%s: probes %s + %s on port %d (%s), grace %d s > shutdown %d s + preStop %d s, stop %s, startup budget %d s >= %d s",
		service, b.LivenessPath, b.ReadinessPath, port, b.PortEnv, grace, shutdown, preStop, stopped, budget, mongoWait+redisWait), problems
}

// checkProbe: an HTTP GET on the measured path, at the port the service listens on.
func checkProbe(fail func(string, ...any), name string, probe *corev1.Probe, path string, c *corev1.Container, port int32) {
	switch {
	case probe == nil:
		fail("no %s", name)
	case probe.HTTPGet == nil:
		fail("%s is not an HTTP GET", name)
	case probe.HTTPGet.Path != path:
		fail("%s probes %s, the service answers it on %s", name, probe.HTTPGet.Path, path)
	case resolvePort(c, probe.HTTPGet.Port) != port:
		fail("%s targets port %s, the service listens on %d", name, probe.HTTPGet.Port.String(), port)
	}
}

// checkPodSecurity: the images were run with a read-only root, a writable /tmp and a non-root
// user; the chart must ask for the same and give the same /tmp.
func checkPodSecurity(d *appsv1.Deployment, c *corev1.Container) []string {
	var problems []string
	sc := c.SecurityContext
	if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
		problems = append(problems, d.Name+": readOnlyRootFilesystem is not set (the image is tested with it)")
	}
	pod := d.Spec.Template.Spec.SecurityContext
	if (pod == nil || pod.RunAsNonRoot == nil || !*pod.RunAsNonRoot) && (sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot) {
		problems = append(problems, d.Name+": runAsNonRoot is not set")
	}
	tmp := false
	for _, mount := range c.VolumeMounts {
		tmp = tmp || mount.MountPath == "/tmp"
	}
	if !tmp {
		problems = append(problems, d.Name+": no writable /tmp mounted on the read-only root")
	}
	return problems
}

func findContainer(d *appsv1.Deployment, name string) *corev1.Container {
	for i := range d.Spec.Template.Spec.Containers {
		if d.Spec.Template.Spec.Containers[i].Name == name {
			return &d.Spec.Template.Spec.Containers[i]
		}
	}
	return nil
}

func namedPort(c *corev1.Container, name string) int32 {
	for _, p := range c.Ports {
		if p.Name == name {
			return p.ContainerPort
		}
	}
	return 0
}

func resolvePort(c *corev1.Container, port intstr.IntOrString) int32 {
	if port.Type == intstr.Int {
		return port.IntVal
	}
	return namedPort(c, port.StrVal)
}

// preStopSleep reads `sleep N` from an exec preStop hook (0 without one).
func preStopSleep(c *corev1.Container) int {
	if c.Lifecycle == nil || c.Lifecycle.PreStop == nil || c.Lifecycle.PreStop.Exec == nil {
		return 0
	}
	var seconds int
	if cmd := c.Lifecycle.PreStop.Exec.Command; len(cmd) == 2 && cmd[0] == "sleep" {
		fmt.Sscan(cmd[1], &seconds)
	}
	return seconds
}

func selects(selector *metav1.LabelSelector, set map[string]string) bool {
	s, err := metav1.LabelSelectorAsSelector(selector)
	return err == nil && !s.Empty() && s.Matches(labels.Set(set))
}

func deref(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}
