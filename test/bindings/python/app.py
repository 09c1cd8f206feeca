"""The example platform of examples/main.ts, written in Python.

It must synthesize byte-identical output to the TypeScript example (the manifests and the PlatformReport files):
translate each line of examples/main.ts, in the same order, with the same construct ids and values
(test/bindings/bindings.test.ts compares the outputs file by file). Python names are jsii-pacmak's snake_case,
constants included (the library names its constants so that they read the same in every language).
"""
import os

from cdk8s import Chart, Size, YamlOutputType

from cdk8s_ai import (
    AdmissionAction, AgentPeer, AgentSandbox, AiApp, AiTenant, ClusterAddon, ClusterProfile, ComputeDomain, EndpointPickerProps, EppVersion, EvalDelivery,
    EvalGate, EvalSuite, EvalThreshold, GangScheduler, GangTrainingJob, GpuDeviceClass, GpuModel, GpuNodePool, GpuOperatorPolicy, GpuPrice, GpuRequest, ImageAdmissionPolicy,
    ImageSigningPolicy, InferenceRoute, InferenceRouteBackend, InferenceService, KubernetesVersion, ModelServer,
    ModelSource, MonitoringThresholds, PlatformObservability, PlatformReport, PoolMetric, RayCluster, SandboxRuntime,
    ServingAutoscaling, SharedModelVolume, SigningAuthority, TenantAccess, TenantApiServer, TenantGpuQuota, TenantModelDownloads,
    TenantOperations, TrainingBackend, WorkloadMonitoring,
)

# Every image is pinned by digest: the team's own trainer, and the upstream server images the platform team mirrors
# (and signs) into its registry. The library's default images are pinned tags; override them like this.
TRAINER_IMAGE = "ghcr.io/acme/llm-trainer@sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945"
VLLM_IMAGE = "ghcr.io/acme/mirror/vllm-openai@sha256:9d1b2a47c3e6f5a8b0d4c7e2f1a3b5c8d6e9f0a2b4c6d8e1f3a5b7c9d0e2f4a6"
LM_EVAL_IMAGE = "ghcr.io/acme/lm-eval@sha256:7b3d5f9a1c2e4b6d8f0a3c5e7b9d1f2a4c6e8b0d2f4a6c8e1b3d5f7a9c0e2b4d"
PYTHON_IMAGE = "ghcr.io/acme/mirror/python@sha256:5e7a9c1b3d5f7e9a2c4b6d8f0e1a3c5b7d9f2e4a6c8b0d1f3e5a7c9b2d4f6e8a"
RAY_IMAGE = "ghcr.io/acme/mirror/ray@sha256:8a0c2e4b6d8f1a3c5e7b9d0f2a4c6e8b1d3f5a7c9e0b2d4f6a8c1e3b5d7f9a0c"
INITIALIZER_IMAGE = "ghcr.io/acme/mirror/kserve-storage-initializer@sha256:6d8f0a2c4e6b8d1f3a5c7e9b0d2f4a6c8e1b3d5f7a9c0e2b4d6f8a1c3e5b7d9f"
EPP_IMAGE = "ghcr.io/acme/mirror/llm-d-router-endpoint-picker@sha256:2c4e6a8b0d1f3e5a7c9b2d4f6e8a0c1b3d5f7e9a2c4b6d8f0e1a3c5b7d9f2e4a"


def synth(outdir: str) -> AiApp:
    app = AiApp(outdir=outdir, yaml_output_type=YamlOutputType.FILE_PER_CHART)

    # What the target cluster is: Kubernetes 1.34 with DRA, the usual AI add-ons, the GPU operator, sigstore's
    # policy-controller and KEDA.
    ClusterProfile(
        app, "Cluster",
        kubernetes_version=KubernetesVersion.V1_34,
        addons=[
            *ClusterAddon.defaults(), ClusterAddon.NVIDIA_GPU_OPERATOR, ClusterAddon.SIGSTORE_POLICY_CONTROLLER, ClusterAddon.KUBERAY,
            ClusterAddon.AGENT_SANDBOX, ClusterAddon.GVISOR, ClusterAddon.KEDA,
        ],
    )

    # Cluster-wide objects: the GPU pool and its device classes, the operator's policy, monitoring and image policies.
    platform = Chart(app, "platform", disable_resource_name_hashes=True)
    h100 = GpuNodePool(platform, "h100", gpu=GpuModel.NVIDIA_H100_80_GB, gpus_per_node=8, max_nodes=4)
    GpuDeviceClass(platform, "any-gpu-40g", min_memory=Size.gibibytes(40))
    GpuOperatorPolicy(platform, "gpu-operator", install_driver=False, dcgm_exporter=True)
    PlatformObservability(
        platform, "observability",
        gpu_prices=[GpuPrice(model=GpuModel.NVIDIA_H100_80_GB, price_per_hour=2.5)],
        runbook_base_url="https://runbooks.example.com/gpu",
    )
    signed = ImageSigningPolicy(
        platform, "acme-signed",
        images=["ghcr.io/acme/**"],
        authorities=[SigningAuthority.github_actions(repository="acme/platform-images", workflow=".github/workflows/release.yaml")],
    )
    pinned = ImageAdmissionPolicy(
        platform, "pinned-images",
        require_digest=True,
        allowed_registries=["ghcr.io/acme/"],
        action=AdmissionAction.DENY,
    )

    # Two teams share the pool's 32 GPUs through Kueue: each is guaranteed 16 and may borrow the other's idle ones.
    tenants = Chart(app, "tenants", disable_resource_name_hashes=True)
    research = AiTenant(
        tenants, "research",
        team="research",
        owner="alice",
        cost_center="cc-100",
        groups=["research-devs"],
        access=TenantAccess.SUBMIT_JOBS,
        gpu_quota=[TenantGpuQuota(pool=h100, gpus=16)],
        image_signing=[signed],
        image_admission=[pinned],
        operations=TenantOperations(
            runbook_url="https://runbooks.acme.dev/research",
            backup_policy_url="https://wiki.acme.dev/backups/research",
            model_retention_days=90,
        ),
    )
    ComputeDomain(research, "nvlink")
    serving = AiTenant(
        tenants, "serving",
        team="serving",
        owner="bob",
        cost_center="cc-200",
        groups=["serving-oncall"],
        gpu_quota=[TenantGpuQuota(pool=h100, gpus=16)],
        image_signing=[signed],
        image_admission=[pinned],
        api_server=TenantApiServer(cidrs=["10.0.0.10/32", "10.0.0.11/32", "10.0.0.12/32"], port=443),
        model_downloads=TenantModelDownloads(
            cidrs=["0.0.0.0/0"], excluded_cidrs=["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"],
        ),
        operations=TenantOperations(
            runbook_url="https://runbooks.acme.dev/serving",
            backup_policy_url="https://wiki.acme.dev/backups/serving",
            model_retention_days=30,
        ),
    )

    # Research: a 4-node fine-tune that starts all together or not at all, queued in the team's Kueue queue.
    finetune = GangTrainingJob(
        research, "llama-finetune",
        image=TRAINER_IMAGE,
        command=["train.py", "--config", "configs/llama-8b-sft.yaml"],
        workers=4,
        gpus_per_worker=GpuRequest.of(4, model=GpuModel.NVIDIA_H100_80_GB),
        node_pool=h100,
        backend=TrainingBackend.job_set(),
        scheduler=GangScheduler.kueue(queue=research.queue_name, priority_class=research.priority_class_name("batch")),
        env={"WANDB_PROJECT": "llama-sft", "NCCL_DEBUG": "WARN"},
    )
    WorkloadMonitoring(
        research, "llama-finetune-monitoring",
        pod_labels={"app.kubernetes.io/instance": finetune.name},
        pod_name_prefix=finetune.name,
        local_queue=research.queue_name,
        gpus=True,
        thresholds=MonitoringThresholds(queue_wait_seconds=1800, gpu_idle_percent=80),
    )
    # Research: a small, fixed-size Ray cluster for interactive data preparation (CPU workers, so no GPU quota).
    RayCluster(research, "data-prep", image=RAY_IMAGE, max_workers=2)

    # Serving: the stable Llama and a canary of the next build, 90/10 behind one inference route. The stable version
    # scales between 2 and 6 replicas on its endpoint picker's average queue (KEDA, querying the PlatformObservability's
    # Prometheus); every replica mounts one copy of the model read-only from a ReadWriteMany volume that a Job fills once
    # from the Hub, so a new replica starts without downloading 16 GB.
    model = ModelSource.hugging_face("meta-llama/Llama-3.1-8B-Instruct", token_secret="hf-token")
    endpoint_picker = EndpointPickerProps(version=EppVersion.V0_10_0.with_image(EPP_IMAGE))
    stable = InferenceService(
        serving, "llama",
        model=ModelSource.storage_uri(
            "hf://meta-llama/Llama-3.1-8B-Instruct",
            credentials_secret="hf-token",
            initializer_image=INITIALIZER_IMAGE,
            size=Size.gibibytes(20),
            shared_volume=SharedModelVolume.new_claim(size=Size.gibibytes(40), storage_class_name="filestore-rwx"),
        ),
        server=ModelServer.vllm(image=VLLM_IMAGE),
        endpoint_picker=endpoint_picker,
        served_model_name="meta-llama/Llama-3.1-8B-Instruct",
        gpus=GpuRequest.of(1, model=GpuModel.NVIDIA_H100_80_GB),
        node_pool=h100,
        autoscaling=ServingAutoscaling.keda_pool(min_replicas=2, max_replicas=6, metric=PoolMetric.AVERAGE_QUEUE_SIZE, target=8),
    )
    canary = InferenceService(
        serving, "llama-canary",
        model=model,
        server=ModelServer.vllm(image=VLLM_IMAGE),
        endpoint_picker=endpoint_picker,
        served_model_name="meta-llama/Llama-3.1-8B-Instruct",
        gpus=GpuRequest.of(1, model=GpuModel.NVIDIA_H100_80_GB),
        node_pool=h100,
    )
    InferenceRoute(
        serving, "chat",
        gateway="gateways/inference-gateway",
        hostnames=["llm.acme.dev"],
        backends=[InferenceRouteBackend(service=stable, weight=90), InferenceRouteBackend(service=canary, weight=10)],
    )

    # Research: a code interpreter for the team's agents, sandboxed by gVisor: no token, a read-only root, and egress only
    # to DNS and the stable Llama (never the cloud metadata address).
    AgentSandbox(
        research, "code-interpreter",
        image=PYTHON_IMAGE,
        runtime=SandboxRuntime.gvisor(),
        command=["python", "-m", "http.server", "8888"],
        port=8888,
        model_endpoints=[AgentPeer(namespace=stable.namespace, pod_labels=stable.selector, port=stable.port)],
    )

    # The canary gets its 10% only after it passes its evals: an Argo CD Sync hook runs lm-evaluation-harness against
    # the canary's own Service (wave 1, after the canary is up) and the route follows in wave 2. A failed eval fails
    # the sync, so the route keeps sending everything to the stable version.
    EvalGate(
        serving, "llama-canary-evals",
        target=canary,
        suite=EvalSuite.lm_eval_harness(tasks=["gsm8k", "arc_challenge"], limit=500, concurrency=8, image=LM_EVAL_IMAGE),
        checker_image=PYTHON_IMAGE,
        thresholds=[
            EvalThreshold.at_least("gsm8k", "exact_match,strict-match", 0.75),
            EvalThreshold.no_worse_than("arc_challenge", "acc_norm", 0.5),
            EvalThreshold.max_latency(4, quantile=0.95),
            EvalThreshold.max_error_rate(0.01),
        ],
        delivery=EvalDelivery.argo_cd(),
    )

    # What the platform team reads before go-live: one report over every tenant and workload.
    PlatformReport(app, "readiness")

    app.synth()
    return app


if __name__ == "__main__":
    synth(os.environ.get("CDK8S_OUTDIR", "dist"))
