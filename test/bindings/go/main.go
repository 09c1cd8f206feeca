// The example platform of examples/main.ts, written in Go.
//
// It must synthesize byte-identical YAML to the TypeScript example: translate each line of examples/main.ts, in
// the same order, with the same construct ids and values (test/bindings/bindings.test.ts compares the outputs).
package main

import (
	"os"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdk8s-ai/cdk8s-ai-go/cdk8sai"
	"github.com/cdk8s-team/cdk8s-core-go/cdk8s/v2"
)

func synth(outdir string) cdk8s.App {
	app := cdk8s.NewApp(&cdk8s.AppProps{Outdir: jsii.String(outdir), YamlOutputType: cdk8s.YamlOutputType_FILE_PER_CHART})

	// What the target cluster is: Kubernetes 1.34 with DRA and the usual AI add-ons (the default, stated explicitly).
	cdk8sai.NewClusterProfile(app, jsii.String("Cluster"), &cdk8sai.ClusterProfileProps{
		KubernetesVersion: cdk8sai.KubernetesVersion_V1_34(),
	})

	cdk8s.NewChart(app, jsii.String("ai-platform"), &cdk8s.ChartProps{
		Namespace:                 jsii.String("ai-platform"),
		DisableResourceNameHashes: jsii.Bool(true),
	})

	app.Synth()
	return app
}

func main() {
	defer jsii.Close()
	outdir := os.Getenv("CDK8S_OUTDIR")
	if outdir == "" {
		outdir = "dist"
	}
	synth(outdir)
}
