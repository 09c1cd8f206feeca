// CEL selectors are checked by the library bundled in the package (@marcbachmann/cel-js), from Go too.
package main

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdk8s-ai/cdk8s-ai-go/cdk8sai"
	"github.com/cdk8s-team/cdk8s-core-go/cdk8s/v2"
)

func serviceWithSelector(selector string) {
	app := cdk8s.NewApp(nil)
	cdk8sai.NewClusterProfile(app, jsii.String("Cluster"), nil)
	cdk8sai.NewInferenceService(cdk8s.NewChart(app, jsii.String("chart"), nil), jsii.String("llm"), &cdk8sai.InferenceServiceProps{
		Model: cdk8sai.ModelSource_HuggingFace(jsii.String("org/model"), nil),
		Gpus:  cdk8sai.GpuRequest_Of(jsii.Number(1), &cdk8sai.GpuRequestOptions{ExtraSelectors: &[]*string{jsii.String(selector)}}),
	})
}

func TestAWellTypedSelectorIsAccepted(t *testing.T) {
	serviceWithSelector("has(device.attributes['gpu.nvidia.com'].architecture) && device.attributes['gpu.nvidia.com'].architecture == 'Hopper'")
}

func TestASelectorOfTheWrongTypePanics(t *testing.T) {
	defer func() {
		r := recover()
		if r == nil {
			t.Fatal("a selector comparing a quantity with an int was accepted")
		}
		want := regexp.MustCompile(`gpus\.extraSelectors\[0\].*at 0: no such overload: kubernetes\.Quantity > int`)
		if !want.MatchString(fmt.Sprint(r)) {
			t.Fatalf("panic %q does not match %s", r, want)
		}
	}()
	serviceWithSelector("device.capacity['gpu.nvidia.com'].memory > 5")
}
