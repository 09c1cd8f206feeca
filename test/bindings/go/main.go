// The example platform of examples/main.ts, written in Go.
//
// It must synthesize byte-identical output to the TypeScript example (the manifests and the PlatformReport files):
// translate each line of examples/main.ts, in the same order, with the same construct ids and values
// (test/bindings/bindings.test.ts compares the outputs file by file).
package main

import (
	"os"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdk8s-ai/cdk8s-ai-go/cdk8sai"
	"github.com/cdk8s-team/cdk8s-core-go/cdk8s/v2"
)

// Every image is pinned by digest: the team's own trainer, and the upstream server images the platform team mirrors
// (and signs) into its registry. The library's default images are pinned tags; override them like this.
const (
	trainerImage     = "ghcr.io/acme/llm-trainer@sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945"
	vllmImage        = "ghcr.io/acme/mirror/vllm-openai@sha256:9d1b2a47c3e6f5a8b0d4c7e2f1a3b5c8d6e9f0a2b4c6d8e1f3a5b7c9d0e2f4a6"
	lmEvalImage      = "ghcr.io/acme/lm-eval@sha256:7b3d5f9a1c2e4b6d8f0a3c5e7b9d1f2a4c6e8b0d2f4a6c8e1b3d5f7a9c0e2b4d"
	pythonImage      = "ghcr.io/acme/mirror/python@sha256:5e7a9c1b3d5f7e9a2c4b6d8f0e1a3c5b7d9f2e4a6c8b0d1f3e5a7c9b2d4f6e8a"
	rayImage         = "ghcr.io/acme/mirror/ray@sha256:8a0c2e4b6d8f1a3c5e7b9d0f2a4c6e8b1d3f5a7c9e0b2d4f6a8c1e3b5d7f9a0c"
	initializerImage = "ghcr.io/acme/mirror/kserve-storage-initializer@sha256:6d8f0a2c4e6b8d1f3a5c7e9b0d2f4a6c8e1b3d5f7a9c0e2b4d6f8a1c3e5b7d9f"
	eppImage         = "ghcr.io/acme/mirror/llm-d-router-endpoint-picker@sha256:2c4e6a8b0d1f3e5a7c9b2d4f6e8a0c1b3d5f7e9a2c4b6d8f0e1a3c5b7d9f2e4a"
)

func synth(outdir string) cdk8sai.AiApp {
	app := cdk8sai.NewAiApp(&cdk8s.AppProps{Outdir: jsii.String(outdir), YamlOutputType: cdk8s.YamlOutputType_FILE_PER_CHART})

	// What the target cluster is: Kubernetes 1.34 with DRA, the usual AI add-ons, the GPU operator, sigstore's
	// policy-controller and KEDA.
	addons := append(*cdk8sai.ClusterAddon_Defaults(), cdk8sai.ClusterAddon_NVIDIA_GPU_OPERATOR(), cdk8sai.ClusterAddon_SIGSTORE_POLICY_CONTROLLER(), cdk8sai.ClusterAddon_KUBERAY(),
		cdk8sai.ClusterAddon_AGENT_SANDBOX(), cdk8sai.ClusterAddon_GVISOR(), cdk8sai.ClusterAddon_KEDA())
	cdk8sai.NewClusterProfile(app, jsii.String("Cluster"), &cdk8sai.ClusterProfileProps{
		KubernetesVersion: cdk8sai.KubernetesVersion_V1_34(),
		Addons:            &addons,
	})

	// Cluster-wide objects: the GPU pool and its device classes, the operator's policy, monitoring and image policies.
	platform := cdk8s.NewChart(app, jsii.String("platform"), &cdk8s.ChartProps{DisableResourceNameHashes: jsii.Bool(true)})
	h100 := cdk8sai.NewGpuNodePool(platform, jsii.String("h100"), &cdk8sai.GpuNodePoolProps{
		Gpu:         cdk8sai.GpuModel_NVIDIA_H100_80_GB(),
		GpusPerNode: jsii.Number(8),
		MaxNodes:    jsii.Number(4),
	})
	cdk8sai.NewGpuDeviceClass(platform, jsii.String("any-gpu-40g"), &cdk8sai.GpuDeviceClassProps{
		MinMemory: cdk8s.Size_Gibibytes(jsii.Number(40)),
	})
	cdk8sai.NewGpuOperatorPolicy(platform, jsii.String("gpu-operator"), &cdk8sai.GpuOperatorPolicyProps{
		InstallDriver: jsii.Bool(false),
		DcgmExporter:  jsii.Bool(true),
	})
	cdk8sai.NewPlatformObservability(platform, jsii.String("observability"), &cdk8sai.PlatformObservabilityProps{
		GpuPrices:      &[]*cdk8sai.GpuPrice{{Model: cdk8sai.GpuModel_NVIDIA_H100_80_GB(), PricePerHour: jsii.Number(2.5)}},
		RunbookBaseUrl: jsii.String("https://runbooks.example.com/gpu"),
	})
	signed := cdk8sai.NewImageSigningPolicy(platform, jsii.String("acme-signed"), &cdk8sai.ImageSigningPolicyProps{
		Images: jsii.Strings("ghcr.io/acme/**"),
		Authorities: &[]cdk8sai.SigningAuthority{cdk8sai.SigningAuthority_GithubActions(&cdk8sai.GithubActionsIdentityProps{
			Repository: jsii.String("acme/platform-images"),
			Workflow:   jsii.String(".github/workflows/release.yaml"),
		})},
	})
	pinned := cdk8sai.NewImageAdmissionPolicy(platform, jsii.String("pinned-images"), &cdk8sai.ImageAdmissionPolicyProps{
		RequireDigest:     jsii.Bool(true),
		AllowedRegistries: jsii.Strings("ghcr.io/acme/"),
		Action:            cdk8sai.AdmissionAction_DENY,
	})

	// Two teams share the pool's 32 GPUs through Kueue: each is guaranteed 16 and may borrow the other's idle ones.
	tenants := cdk8s.NewChart(app, jsii.String("tenants"), &cdk8s.ChartProps{DisableResourceNameHashes: jsii.Bool(true)})
	research := cdk8sai.NewAiTenant(tenants, jsii.String("research"), &cdk8sai.AiTenantProps{
		Team:           jsii.String("research"),
		Owner:          jsii.String("alice"),
		CostCenter:     jsii.String("cc-100"),
		Groups:         jsii.Strings("research-devs"),
		Access:         cdk8sai.TenantAccess_SUBMIT_JOBS(),
		GpuQuota:       &[]*cdk8sai.TenantGpuQuota{{Pool: h100, Gpus: jsii.Number(16)}},
		ImageSigning:   &[]cdk8sai.ImageSigningPolicy{signed},
		ImageAdmission: &[]cdk8sai.ImageAdmissionPolicy{pinned},
		Operations: &cdk8sai.TenantOperations{
			RunbookUrl:         jsii.String("https://runbooks.acme.dev/research"),
			BackupPolicyUrl:    jsii.String("https://wiki.acme.dev/backups/research"),
			ModelRetentionDays: jsii.Number(90),
		},
	})
	cdk8sai.NewComputeDomain(research, jsii.String("nvlink"), nil)
	serving := cdk8sai.NewAiTenant(tenants, jsii.String("serving"), &cdk8sai.AiTenantProps{
		Team:           jsii.String("serving"),
		Owner:          jsii.String("bob"),
		CostCenter:     jsii.String("cc-200"),
		Groups:         jsii.Strings("serving-oncall"),
		GpuQuota:       &[]*cdk8sai.TenantGpuQuota{{Pool: h100, Gpus: jsii.Number(16)}},
		ImageSigning:   &[]cdk8sai.ImageSigningPolicy{signed},
		ImageAdmission: &[]cdk8sai.ImageAdmissionPolicy{pinned},
		ApiServer: &cdk8sai.TenantApiServer{
			Cidrs: &[]*string{jsii.String("10.0.0.10/32"), jsii.String("10.0.0.11/32"), jsii.String("10.0.0.12/32")},
			Port:  jsii.Number(443),
		},
		ModelDownloads: &cdk8sai.TenantModelDownloads{
			Cidrs:         &[]*string{jsii.String("0.0.0.0/0")},
			ExcludedCidrs: &[]*string{jsii.String("10.0.0.0/8"), jsii.String("172.16.0.0/12"), jsii.String("192.168.0.0/16")},
		},
		Operations: &cdk8sai.TenantOperations{
			RunbookUrl:         jsii.String("https://runbooks.acme.dev/serving"),
			BackupPolicyUrl:    jsii.String("https://wiki.acme.dev/backups/serving"),
			ModelRetentionDays: jsii.Number(30),
		},
	})

	// Research: a 4-node fine-tune that starts all together or not at all, queued in the team's Kueue queue.
	finetune := cdk8sai.NewGangTrainingJob(research, jsii.String("llama-finetune"), &cdk8sai.GangTrainingJobProps{
		Image:         jsii.String(trainerImage),
		Command:       jsii.Strings("train.py", "--config", "configs/llama-8b-sft.yaml"),
		Workers:       jsii.Number(4),
		GpusPerWorker: cdk8sai.GpuRequest_Of(jsii.Number(4), &cdk8sai.GpuRequestOptions{Model: cdk8sai.GpuModel_NVIDIA_H100_80_GB()}),
		NodePool:      h100,
		Backend:       cdk8sai.TrainingBackend_JobSet(),
		Scheduler: cdk8sai.GangScheduler_Kueue(&cdk8sai.KueueSchedulerOptions{
			Queue:         research.QueueName(),
			PriorityClass: research.PriorityClassName(jsii.String("batch")),
		}),
		Env: &map[string]*string{"WANDB_PROJECT": jsii.String("llama-sft"), "NCCL_DEBUG": jsii.String("WARN")},
	})
	cdk8sai.NewWorkloadMonitoring(research, jsii.String("llama-finetune-monitoring"), &cdk8sai.WorkloadMonitoringProps{
		PodLabels:     &map[string]*string{"app.kubernetes.io/instance": finetune.Name()},
		PodNamePrefix: finetune.Name(),
		LocalQueue:    research.QueueName(),
		Gpus:          jsii.Bool(true),
		Thresholds:    &cdk8sai.MonitoringThresholds{QueueWaitSeconds: jsii.Number(1800), GpuIdlePercent: jsii.Number(80)},
	})
	// Research: a small, fixed-size Ray cluster for interactive data preparation (CPU workers, so no GPU quota).
	cdk8sai.NewRayCluster(research, jsii.String("data-prep"), &cdk8sai.RayClusterProps{Image: jsii.String(rayImage), MaxWorkers: jsii.Number(2)})

	// Serving: the stable Llama and a canary of the next build, 90/10 behind one inference route. The stable version
	// scales between 2 and 6 replicas on its endpoint picker's average queue (KEDA, querying the PlatformObservability's
	// Prometheus); every replica mounts one copy of the model read-only from a ReadWriteMany volume that a Job fills once
	// from the Hub, so a new replica starts without downloading 16 GB.
	model := cdk8sai.ModelSource_HuggingFace(jsii.String("meta-llama/Llama-3.1-8B-Instruct"), &cdk8sai.HuggingFaceModelOptions{
		TokenSecret: jsii.String("hf-token"),
	})
	endpointPicker := &cdk8sai.EndpointPickerProps{Version: cdk8sai.EppVersion_V0_10_0().WithImage(jsii.String(eppImage))}
	stable := cdk8sai.NewInferenceService(serving, jsii.String("llama"), &cdk8sai.InferenceServiceProps{
		Model: cdk8sai.ModelSource_StorageUri(jsii.String("hf://meta-llama/Llama-3.1-8B-Instruct"), &cdk8sai.StorageUriModelOptions{
			CredentialsSecret: jsii.String("hf-token"),
			InitializerImage:  jsii.String(initializerImage),
			Size:              cdk8s.Size_Gibibytes(jsii.Number(20)),
			SharedVolume: cdk8sai.SharedModelVolume_NewClaim(&cdk8sai.NewModelVolumeProps{
				Size:             cdk8s.Size_Gibibytes(jsii.Number(40)),
				StorageClassName: jsii.String("filestore-rwx"),
			}),
		}),
		Server:          cdk8sai.ModelServer_Vllm(&cdk8sai.VllmOptions{Image: jsii.String(vllmImage)}),
		EndpointPicker:  endpointPicker,
		ServedModelName: jsii.String("meta-llama/Llama-3.1-8B-Instruct"),
		Gpus:            cdk8sai.GpuRequest_Of(jsii.Number(1), &cdk8sai.GpuRequestOptions{Model: cdk8sai.GpuModel_NVIDIA_H100_80_GB()}),
		NodePool:        h100,
		Autoscaling: cdk8sai.ServingAutoscaling_KedaPool(&cdk8sai.KedaPoolAutoscalingOptions{
			MinReplicas: jsii.Number(2),
			MaxReplicas: jsii.Number(6),
			Metric:      cdk8sai.PoolMetric_AVERAGE_QUEUE_SIZE,
			Target:      jsii.Number(8),
		}),
	})
	canary := cdk8sai.NewInferenceService(serving, jsii.String("llama-canary"), &cdk8sai.InferenceServiceProps{
		Model:           model,
		Server:          cdk8sai.ModelServer_Vllm(&cdk8sai.VllmOptions{Image: jsii.String(vllmImage)}),
		EndpointPicker:  endpointPicker,
		ServedModelName: jsii.String("meta-llama/Llama-3.1-8B-Instruct"),
		Gpus:            cdk8sai.GpuRequest_Of(jsii.Number(1), &cdk8sai.GpuRequestOptions{Model: cdk8sai.GpuModel_NVIDIA_H100_80_GB()}),
		NodePool:        h100,
	})
	cdk8sai.NewInferenceRoute(serving, jsii.String("chat"), &cdk8sai.InferenceRouteProps{
		Gateway:   jsii.String("gateways/inference-gateway"),
		Hostnames: jsii.Strings("llm.acme.dev"),
		Backends: &[]*cdk8sai.InferenceRouteBackend{
			{Service: stable, Weight: jsii.Number(90)},
			{Service: canary, Weight: jsii.Number(10)},
		},
	})

	// Research: a code interpreter for the team's agents, sandboxed by gVisor: no token, a read-only root, and egress only
	// to DNS and the stable Llama (never the cloud metadata address).
	cdk8sai.NewAgentSandbox(research, jsii.String("code-interpreter"), &cdk8sai.AgentSandboxProps{
		Image:          jsii.String(pythonImage),
		Runtime:        cdk8sai.SandboxRuntime_Gvisor(nil),
		Command:        &[]*string{jsii.String("python"), jsii.String("-m"), jsii.String("http.server"), jsii.String("8888")},
		Port:           jsii.Number(8888),
		ModelEndpoints: &[]*cdk8sai.AgentPeer{{Namespace: stable.Namespace(), PodLabels: stable.Selector(), Port: stable.Port()}},
	})

	// The canary gets its 10% only after it passes its evals: an Argo CD Sync hook runs lm-evaluation-harness against
	// the canary's own Service (wave 1, after the canary is up) and the route follows in wave 2. A failed eval fails
	// the sync, so the route keeps sending everything to the stable version.
	cdk8sai.NewEvalGate(serving, jsii.String("llama-canary-evals"), &cdk8sai.EvalGateProps{
		Target: canary,
		Suite: cdk8sai.EvalSuite_LmEvalHarness(&cdk8sai.LmEvalHarnessOptions{
			Tasks:       jsii.Strings("gsm8k", "arc_challenge"),
			Limit:       jsii.Number(500),
			Concurrency: jsii.Number(8),
			Image:       jsii.String(lmEvalImage),
		}),
		CheckerImage: jsii.String(pythonImage),
		Thresholds: &[]cdk8sai.EvalThreshold{
			cdk8sai.EvalThreshold_AtLeast(jsii.String("gsm8k"), jsii.String("exact_match,strict-match"), jsii.Number(0.75)),
			cdk8sai.EvalThreshold_NoWorseThan(jsii.String("arc_challenge"), jsii.String("acc_norm"), jsii.Number(0.5)),
			cdk8sai.EvalThreshold_MaxLatency(jsii.Number(4), &cdk8sai.LatencyThresholdOptions{Quantile: jsii.Number(0.95)}),
			cdk8sai.EvalThreshold_MaxErrorRate(jsii.Number(0.01), nil),
		},
		Delivery: cdk8sai.EvalDelivery_ArgoCd(nil),
	})

	// What the platform team reads before go-live: one report over every tenant and workload.
	cdk8sai.NewPlatformReport(app, jsii.String("readiness"), nil)

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
