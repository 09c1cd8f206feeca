// Runs the Go example app through the generated binding (run by test/bindings/bindings.test.ts).
package main

import (
	"fmt"
	"os"
	"regexp"
	"sort"
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdk8s-ai/cdk8s-ai-go/cdk8sai"
	"github.com/cdk8s-team/cdk8s-core-go/cdk8s/v2"
)

func TestMain(m *testing.M) {
	code := m.Run()
	jsii.Close()
	os.Exit(code)
}

func TestSynthesizesOneManifestPerChartAndTheReport(t *testing.T) {
	outdir := os.Getenv("CDK8S_OUTDIR")
	if outdir == "" {
		t.Fatal("CDK8S_OUTDIR is not set")
	}
	app := synth(outdir)

	var want []string
	for _, chart := range *app.Charts() {
		want = append(want, *chart.Node().Id()+".k8s.yaml")
	}
	if len(want) == 0 {
		t.Fatal("the app declares no chart")
	}
	// PlatformReport writes its files when app.Synth() is called from Go too.
	want = append(want, "platform-report.json", "platform-report.md")
	entries, err := os.ReadDir(outdir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	sort.Strings(want)
	sort.Strings(got)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("files in %s: got %v, want %v", outdir, got, want)
	}
}

func TestConstructsAreFoundAcrossTheBinding(t *testing.T) {
	app := cdk8s.NewApp(nil)
	declared := cdk8sai.NewClusterProfile(app, jsii.String("Cluster"), &cdk8sai.ClusterProfileProps{
		KubernetesVersion: cdk8sai.KubernetesVersion_V1_37(),
	})
	chart := cdk8s.NewChart(app, jsii.String("chart"), nil)

	found := cdk8sai.ClusterProfile_Of(chart)
	if *found.Node().Path() != "Cluster" || *declared.Node().Path() != "Cluster" {
		t.Fatalf("ClusterProfile_Of found %q, want the declared profile at Cluster", *found.Node().Path())
	}
	if minor := *found.KubernetesVersion().Minor(); minor != 37 {
		t.Fatalf("kubernetes minor: got %v, want 37", minor)
	}
	if !*found.IsFeatureEnabled(jsii.String("DynamicResourceAllocation")) {
		t.Fatal("DynamicResourceAllocation should be on by default in 1.37")
	}
}

func TestBadInputPanicsWithTheSynthTimeError(t *testing.T) {
	defer func() {
		r := recover()
		if r == nil {
			t.Fatal("an unknown feature gate was accepted")
		}
		want := regexp.MustCompile(`\[NoSuchGate\] featureGates\.NotAGate \(feature_gates\.NotAGate\): got true`)
		if !want.MatchString(fmt.Sprint(r)) {
			t.Fatalf("panic %q does not match %s", r, want)
		}
	}()
	cdk8sai.NewClusterProfile(cdk8s.NewApp(nil), jsii.String("NoSuchGate"), &cdk8sai.ClusterProfileProps{
		FeatureGates: &map[string]*bool{"NotAGate": jsii.Bool(true)},
	})
}
