module github.com/cdk8s-ai/cdk8s-ai/test/bindings/go

go 1.25.0

require (
	github.com/aws/jsii-runtime-go v1.140.0
	github.com/cdk8s-ai/cdk8s-ai-go/cdk8sai v0.0.0
	github.com/cdk8s-team/cdk8s-core-go/cdk8s/v2 v2.70.106
)

require (
	github.com/Masterminds/semver/v3 v3.5.0 // indirect
	github.com/aws/constructs-go/constructs/v10 v10.4.2 // indirect
	github.com/cdk8s-team/cdk8s-plus-go/cdk8splus28/v2 v2.5.6 // indirect
)

// The module jsii-pacmak generates from this repository (npx projen package:go, or tools/bindings).
replace github.com/cdk8s-ai/cdk8s-ai-go/cdk8sai => ../../../dist/go/cdk8sai

// The Go module proxy reachable from this project's machines refuses cdk8s-core-go's module zips, so
// tools/bindings/pipeline.ts generates the module with jsii-pacmak from the cdk8s npm package in node_modules
// (the same version the TypeScript example runs on).
replace github.com/cdk8s-team/cdk8s-core-go/cdk8s/v2 => ../../../.cache/bindings/go-deps/go/cdk8s
