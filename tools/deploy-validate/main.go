// Command deploy-validate checks the deployment files without a cluster or a download at run time:
//
//	deploy-validate kube <manifests.yaml>...   every object decoded strictly into the Kubernetes API
//	                                           types this binary was built with (unknown fields,
//	                                           wrong types and APIs the version does not serve fail)
//	deploy-validate compose <schema.json> <docker-compose.yml>
//	                                           the Compose file against the Compose specification
//	deploy-validate agree <behaviour.json> <manifests.yaml>...
//	                                           probes, grace periods, PDBs, HPAs, Services and
//	                                           ServiceMonitors agree with how the services behave
//	deploy-validate version                    the k8s.io/api release compiled in
//
// It is built twice by scripts/deploy-check.sh: with go.mod (the newest supported Kubernetes) and
// with go.lowest.mod and the k8slowest tag (the oldest one, Chart.yaml's kubeVersion).
package main

import (
	"fmt"
	"os"
	"runtime/debug"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch args := os.Args[2:]; os.Args[1] {
	case "kube":
		err = requireArgs(args, 1, func() error { return validateKube(args) })
	case "compose":
		err = requireArgs(args, 2, func() error { return validateCompose(args[0], args[1]) })
	case "agree":
		err = requireArgs(args, 2, func() error { return checkAgreement(args[0], args[1:]) })
	case "version":
		fmt.Println(kubeAPIVersion())
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "deploy-validate:", err)
		os.Exit(1)
	}
}

func requireArgs(args []string, least int, run func() error) error {
	if len(args) < least {
		usage()
	}
	return run()
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: deploy-validate kube <manifests.yaml>... | compose <schema.json> <compose.yml> | agree <behaviour.json> <manifests.yaml>... | version")
	os.Exit(64)
}

// kubeAPIVersion is the k8s.io/api module version linked into this binary, e.g. v0.37.2.
func kubeAPIVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	for _, dep := range info.Deps {
		if dep.Path == "k8s.io/api" {
			return dep.Version
		}
	}
	return "unknown"
}
