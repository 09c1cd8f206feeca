// The example platform: copy this file into your cdk8s app and import from 'cdk8s-ai' instead of '../lib'.
//
// One GPU node pool shared by two teams through Kueue; the research team runs a gang-scheduled fine-tune, the serving
// team serves Llama (autoscaled on its endpoint picker's queue, from a model volume a Job fills once) with a canary
// behind a Gateway API inference route that an eval gate opens only after the canary passes its evals; the platform
// around them: GPU device classes, the GPU operator's policy, monitoring, signed-image admission and a readiness report.
import { Chart, Size, YamlOutputType } from 'cdk8s';
import {
  AdmissionAction, AgentSandbox, AiApp, AiTenant, ClusterAddon, ClusterProfile, ComputeDomain, EppVersion, EvalDelivery, EvalGate, EvalSuite,
  EvalThreshold, GangScheduler, GangTrainingJob, GpuDeviceClass, GpuModel, GpuNodePool, GpuOperatorPolicy, GpuRequest,
  ImageAdmissionPolicy, ImageSigningPolicy, InferenceRoute, InferenceService, KubernetesVersion, ModelServer,
  ModelSource, PlatformObservability, PlatformReport, PoolMetric, RayCluster, SandboxRuntime, ServingAutoscaling, SharedModelVolume,
  SigningAuthority, TenantAccess, TrainingBackend, WorkloadMonitoring,
} from '../lib';

// Every image is pinned by digest: the team's own trainer, and the upstream server images the platform team mirrors
// (and signs) into its registry. The library's default images are pinned tags; override them like this.
const TRAINER_IMAGE = 'ghcr.io/acme/llm-trainer@sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945';
const VLLM_IMAGE = 'ghcr.io/acme/mirror/vllm-openai@sha256:9d1b2a47c3e6f5a8b0d4c7e2f1a3b5c8d6e9f0a2b4c6d8e1f3a5b7c9d0e2f4a6';
const LM_EVAL_IMAGE = 'ghcr.io/acme/lm-eval@sha256:7b3d5f9a1c2e4b6d8f0a3c5e7b9d1f2a4c6e8b0d2f4a6c8e1b3d5f7a9c0e2b4d';
const PYTHON_IMAGE = 'ghcr.io/acme/mirror/python@sha256:5e7a9c1b3d5f7e9a2c4b6d8f0e1a3c5b7d9f2e4a6c8b0d1f3e5a7c9b2d4f6e8a';
const RAY_IMAGE = 'ghcr.io/acme/mirror/ray@sha256:8a0c2e4b6d8f1a3c5e7b9d0f2a4c6e8b1d3f5a7c9e0b2d4f6a8c1e3b5d7f9a0c';
const INITIALIZER_IMAGE = 'ghcr.io/acme/mirror/kserve-storage-initializer@sha256:6d8f0a2c4e6b8d1f3a5c7e9b0d2f4a6c8e1b3d5f7a9c0e2b4d6f8a1c3e5b7d9f';
const EPP_IMAGE = 'ghcr.io/acme/mirror/llm-d-router-endpoint-picker@sha256:2c4e6a8b0d1f3e5a7c9b2d4f6e8a0c1b3d5f7e9a2c4b6d8f0e1a3c5b7d9f2e4a';

// AiApp writes the same files as cdk8s's App, byte for byte, in less time and memory.
const app = new AiApp({ yamlOutputType: YamlOutputType.FILE_PER_CHART });

// What the target cluster is: Kubernetes 1.34 with DRA, the usual AI add-ons, the GPU operator, sigstore's
// policy-controller and KEDA.
new ClusterProfile(app, 'Cluster', {
  kubernetesVersion: KubernetesVersion.V1_34,
  addons: [
    ...ClusterAddon.defaults(), ClusterAddon.NVIDIA_GPU_OPERATOR, ClusterAddon.SIGSTORE_POLICY_CONTROLLER, ClusterAddon.KUBERAY,
    ClusterAddon.AGENT_SANDBOX, ClusterAddon.GVISOR, ClusterAddon.KEDA,
  ],
});

// Cluster-wide objects: the GPU pool and its device classes, the operator's policy, monitoring and image policies.
const platform = new Chart(app, 'platform', { disableResourceNameHashes: true });
const h100 = new GpuNodePool(platform, 'h100', { gpu: GpuModel.NVIDIA_H100_80_GB, gpusPerNode: 8, maxNodes: 4 });
new GpuDeviceClass(platform, 'any-gpu-40g', { minMemory: Size.gibibytes(40) });
new GpuOperatorPolicy(platform, 'gpu-operator', { installDriver: false, dcgmExporter: true });
new PlatformObservability(platform, 'observability', {
  gpuPrices: [{ model: GpuModel.NVIDIA_H100_80_GB, pricePerHour: 2.5 }],
  runbookBaseUrl: 'https://runbooks.example.com/gpu',
});
const signed = new ImageSigningPolicy(platform, 'acme-signed', {
  images: ['ghcr.io/acme/**'],
  authorities: [SigningAuthority.githubActions({ repository: 'acme/platform-images', workflow: '.github/workflows/release.yaml' })],
});
const pinned = new ImageAdmissionPolicy(platform, 'pinned-images', {
  requireDigest: true,
  allowedRegistries: ['ghcr.io/acme/'],
  action: AdmissionAction.DENY,
});

// Two teams share the pool's 32 GPUs through Kueue: each is guaranteed 16 and may borrow the other's idle ones.
const tenants = new Chart(app, 'tenants', { disableResourceNameHashes: true });
const research = new AiTenant(tenants, 'research', {
  team: 'research',
  owner: 'alice',
  costCenter: 'cc-100',
  groups: ['research-devs'],
  access: TenantAccess.SUBMIT_JOBS,
  gpuQuota: [{ pool: h100, gpus: 16 }],
  imageSigning: [signed],
  imageAdmission: [pinned],
  operations: { runbookUrl: 'https://runbooks.acme.dev/research', backupPolicyUrl: 'https://wiki.acme.dev/backups/research', modelRetentionDays: 90 },
});
// A ComputeDomain is namespaced: its channel claim template appears in its namespace, where the team's multi-node
// NVLink jobs claim it.
new ComputeDomain(research, 'nvlink');
const serving = new AiTenant(tenants, 'serving', {
  team: 'serving',
  owner: 'bob',
  costCenter: 'cc-200',
  groups: ['serving-oncall'],
  gpuQuota: [{ pool: h100, gpus: 16 }],
  imageSigning: [signed],
  imageAdmission: [pinned],
  // The endpoint pickers watch Pods and InferencePools through the API server (its endpoints: `kubectl get
  // endpointslices -n default -l kubernetes.io/service-name=kubernetes`); the model servers download Llama from the
  // Hugging Face Hub (no published ranges: the internet on HTTPS, private ranges excluded). Each allow covers only the
  // pods that need it.
  apiServer: { cidrs: ['10.0.0.10/32', '10.0.0.11/32', '10.0.0.12/32'], port: 443 },
  modelDownloads: { cidrs: ['0.0.0.0/0'], excludedCidrs: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] },
  operations: { runbookUrl: 'https://runbooks.acme.dev/serving', backupPolicyUrl: 'https://wiki.acme.dev/backups/serving', modelRetentionDays: 30 },
});

// Research: a 4-node fine-tune that starts all together or not at all, queued in the team's Kueue queue.
const finetune = new GangTrainingJob(research, 'llama-finetune', {
  image: TRAINER_IMAGE,
  command: ['train.py', '--config', 'configs/llama-8b-sft.yaml'],
  workers: 4,
  gpusPerWorker: GpuRequest.of(4, { model: GpuModel.NVIDIA_H100_80_GB }),
  nodePool: h100,
  backend: TrainingBackend.jobSet(),
  scheduler: GangScheduler.kueue({ queue: research.queueName, priorityClass: research.priorityClassName('batch') }),
  env: { WANDB_PROJECT: 'llama-sft', NCCL_DEBUG: 'WARN' },
});
new WorkloadMonitoring(research, 'llama-finetune-monitoring', {
  podLabels: { 'app.kubernetes.io/instance': finetune.name },
  podNamePrefix: finetune.name,
  localQueue: research.queueName,
  gpus: true,
  thresholds: { queueWaitSeconds: 1800, gpuIdlePercent: 80 },
});
// Research: a small, fixed-size Ray cluster for interactive data preparation (CPU workers, so no GPU quota).
new RayCluster(research, 'data-prep', { image: RAY_IMAGE, maxWorkers: 2 });

// Serving: the stable Llama and a canary of the next build, 90/10 behind one inference route. The stable version
// scales between 2 and 6 replicas on its endpoint picker's average queue (KEDA, querying the PlatformObservability's
// Prometheus); every replica mounts one copy of the model read-only from a ReadWriteMany volume that a Job fills once
// from the Hub, so a new replica starts without downloading 16 GB.
const model = ModelSource.huggingFace('meta-llama/Llama-3.1-8B-Instruct', { tokenSecret: 'hf-token' });
const endpointPicker = { version: EppVersion.V0_10_0.withImage(EPP_IMAGE) };
const stable = new InferenceService(serving, 'llama', {
  model: ModelSource.storageUri('hf://meta-llama/Llama-3.1-8B-Instruct', {
    credentialsSecret: 'hf-token',
    initializerImage: INITIALIZER_IMAGE,
    size: Size.gibibytes(20),
    sharedVolume: SharedModelVolume.newClaim({ size: Size.gibibytes(40), storageClassName: 'filestore-rwx' }),
  }),
  server: ModelServer.vllm({ image: VLLM_IMAGE }),
  endpointPicker,
  servedModelName: 'meta-llama/Llama-3.1-8B-Instruct',
  gpus: GpuRequest.of(1, { model: GpuModel.NVIDIA_H100_80_GB }),
  nodePool: h100,
  autoscaling: ServingAutoscaling.kedaPool({ minReplicas: 2, maxReplicas: 6, metric: PoolMetric.AVERAGE_QUEUE_SIZE, target: 8 }),
});
const canary = new InferenceService(serving, 'llama-canary', {
  model,
  server: ModelServer.vllm({ image: VLLM_IMAGE }),
  endpointPicker,
  servedModelName: 'meta-llama/Llama-3.1-8B-Instruct',
  gpus: GpuRequest.of(1, { model: GpuModel.NVIDIA_H100_80_GB }),
  nodePool: h100,
});
new InferenceRoute(serving, 'chat', {
  gateway: 'gateways/inference-gateway',
  hostnames: ['llm.acme.dev'],
  backends: [{ service: stable, weight: 90 }, { service: canary, weight: 10 }],
});

// Research: a code interpreter for the team's agents, sandboxed by gVisor: no token, a read-only root, and egress only
// to DNS and the stable Llama (never the cloud metadata address).
new AgentSandbox(research, 'code-interpreter', {
  image: PYTHON_IMAGE,
  runtime: SandboxRuntime.gvisor(),
  command: ['python', '-m', 'http.server', '8888'],
  port: 8888,
  modelEndpoints: [{ namespace: stable.namespace, podLabels: stable.selector, port: stable.port }],
});

// The canary gets its 10% only after it passes its evals: an Argo CD Sync hook runs lm-evaluation-harness against
// the canary's own Service (wave 1, after the canary is up) and the route follows in wave 2. A failed eval fails the
// sync, so the route keeps sending everything to the stable version.
new EvalGate(serving, 'llama-canary-evals', {
  target: canary,
  suite: EvalSuite.lmEvalHarness({ tasks: ['gsm8k', 'arc_challenge'], limit: 500, concurrency: 8, image: LM_EVAL_IMAGE }),
  checkerImage: PYTHON_IMAGE,
  thresholds: [
    EvalThreshold.atLeast('gsm8k', 'exact_match,strict-match', 0.75),
    EvalThreshold.noWorseThan('arc_challenge', 'acc_norm', 0.5),
    EvalThreshold.maxLatency(4, { quantile: 0.95 }),
    EvalThreshold.maxErrorRate(0.01),
  ],
  delivery: EvalDelivery.argoCd(),
});

// What the platform team reads before go-live: one report over every tenant and workload.
new PlatformReport(app, 'readiness');

app.synth();
