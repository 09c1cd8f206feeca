// Command kube-scheduler builds the upstream kube-scheduler (default profile) from the Go module proxy for
// cdk8s-ai's simulated cluster. It mirrors kubernetes/cmd/kube-scheduler/scheduler.go at the pinned version.
package main

import (
	"os"

	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version"
	"k8s.io/kubernetes/cmd/kube-scheduler/app"
)

func main() { os.Exit(cli.Run(app.NewSchedulerCommand())) }
