import { KueueConfiguration, kueueConfigurationFields } from './kueue-configuration';
import { MonitoringStack } from './monitoring-stack';

const PROMETHEUS_OPERATOR_ID = 'prometheus-operator';
const PROMETHEUS_OPERATOR_DESCRIPTION = 'prometheus-operator (monitoring.coreos.com)';
const KUEUE_ID = 'kueue';
const KUEUE_DESCRIPTION = 'Kueue (kueue.x-k8s.io)';

/**
 * An add-on (CRDs and their controller) installed on the target cluster. Constructs refuse at synth to emit
 * objects of an add-on the cluster profile does not list.
 */
export class ClusterAddon {
  /** Gateway API (gateway.networking.k8s.io/v1: Gateway, HTTPRoute). */
  public static readonly GATEWAY_API = new ClusterAddon('gateway-api', 'Gateway API (gateway.networking.k8s.io)');
  /** Gateway API Inference Extension (InferencePool, inference.networking.k8s.io/v1). */
  public static readonly INFERENCE_EXTENSION = new ClusterAddon('inference-extension', 'Gateway API Inference Extension (InferencePool)');
  /** The llm-d router CRDs (InferenceObjective, InferenceModelRewrite, llm-d.ai/v1alpha2). */
  public static readonly LLM_D_ROUTER = new ClusterAddon('llm-d-router', 'llm-d router (llm-d.ai InferenceObjective)');
  /** Kueue (kueue.x-k8s.io). */
  public static readonly KUEUE = new ClusterAddon(KUEUE_ID, KUEUE_DESCRIPTION);
  /** JobSet (jobset.x-k8s.io). */
  public static readonly JOBSET = new ClusterAddon('jobset', 'JobSet (jobset.x-k8s.io)');
  /** LeaderWorkerSet (leaderworkerset.x-k8s.io). */
  public static readonly LEADER_WORKER_SET = new ClusterAddon('lws', 'LeaderWorkerSet (leaderworkerset.x-k8s.io)');
  /** The coscheduling plugin of scheduler-plugins (PodGroup, scheduling.x-k8s.io). */
  public static readonly SCHEDULER_PLUGINS = new ClusterAddon('scheduler-plugins', 'scheduler-plugins coscheduling (scheduling.x-k8s.io PodGroup)');
  /** Karpenter (karpenter.sh/v1 NodePool). */
  public static readonly KARPENTER = new ClusterAddon('karpenter', 'Karpenter (karpenter.sh)');
  /**
   * The cluster autoscaler serving ProvisioningRequests (autoscaling.x-k8s.io/v1, `--enable-provisioning-requests`),
   * which Kueue's provisioning admission check sends (NodeProvisioner.clusterAutoscaler).
   */
  public static readonly CLUSTER_AUTOSCALER = new ClusterAddon('cluster-autoscaler', 'cluster-autoscaler with ProvisioningRequests (autoscaling.x-k8s.io)');
  /** The agent-sandbox controller (agents.x-k8s.io Sandbox; extensions.agents.x-k8s.io SandboxTemplate, SandboxWarmPool, SandboxClaim). */
  public static readonly AGENT_SANDBOX = new ClusterAddon('agent-sandbox', 'agent-sandbox (agents.x-k8s.io)');
  /** The gVisor runtime: nodes whose container runtime has the `runsc` handler (SandboxRuntime.gvisor). */
  public static readonly GVISOR = new ClusterAddon('gvisor', 'gVisor (runsc)');
  /** Kata Containers installed by kata-deploy, which creates its `kata-<shim>` RuntimeClasses (SandboxRuntime.kata). */
  public static readonly KATA_CONTAINERS = new ClusterAddon('kata-containers', 'Kata Containers (kata-deploy)');
  /** NVIDIA DRA driver for GPUs (DeviceClasses gpu.nvidia.com, mig.nvidia.com; ComputeDomain). */
  public static readonly NVIDIA_DRA_DRIVER = new ClusterAddon('nvidia-dra-driver', 'NVIDIA DRA driver (gpu.nvidia.com)');
  /**
   * DRANET, the DRA network driver of kubernetes-sigs/dranet (driver `dra.net`): NICs, RDMA NICs included, as DRA
   * devices (`NicRequest`).
   */
  public static readonly DRANET = new ClusterAddon('dranet', 'DRANET DRA network driver (dra.net)');
  /** NVIDIA GPU Operator (nvidia.com/v1 ClusterPolicy). */
  public static readonly NVIDIA_GPU_OPERATOR = new ClusterAddon('nvidia-gpu-operator', 'NVIDIA GPU Operator (ClusterPolicy)');
  /**
   * The prometheus-operator (monitoring.coreos.com/v1), installed by kube-prometheus-stack as the Helm release
   * `kube-prometheus-stack`.
   *
   * Every ServiceMonitor, PodMonitor and PrometheusRule gets `release: kube-prometheus-stack` (see
   * `MonitoringStack.kubePrometheusStack`). Use `prometheusOperatorWith` for another installation.
   */
  public static readonly PROMETHEUS_OPERATOR = new ClusterAddon(PROMETHEUS_OPERATOR_ID, PROMETHEUS_OPERATOR_DESCRIPTION,
    MonitoringStack.kubePrometheusStack());
  /** Argo Rollouts (argoproj.io AnalysisTemplate). */
  public static readonly ARGO_ROLLOUTS = new ClusterAddon('argo-rollouts', 'Argo Rollouts (argoproj.io)');
  /** Flux kustomize-controller (kustomize.toolkit.fluxcd.io/v1 Kustomization). */
  public static readonly FLUX = new ClusterAddon('flux', 'Flux kustomize-controller (kustomize.toolkit.fluxcd.io)');
  /** The sigstore policy-controller (policy.sigstore.dev ClusterImagePolicy). */
  public static readonly SIGSTORE_POLICY_CONTROLLER = new ClusterAddon('sigstore-policy-controller', 'sigstore policy-controller');
  /** KEDA (keda.sh ScaledObject). */
  public static readonly KEDA = new ClusterAddon('keda', 'KEDA (keda.sh)');
  /** Kubeflow Trainer v2 (trainer.kubeflow.org TrainJob). */
  public static readonly KUBEFLOW_TRAINER = new ClusterAddon('kubeflow-trainer', 'Kubeflow Trainer (trainer.kubeflow.org)');
  /** KubeRay (ray.io RayJob). */
  public static readonly KUBERAY = new ClusterAddon('kuberay', 'KubeRay (ray.io)');
  /** Istio (networking.istio.io/v1 DestinationRule), e.g. the Gateway API implementation of the inference gateway. */
  public static readonly ISTIO = new ClusterAddon('istio', 'Istio (networking.istio.io)');

  /**
   * The add-ons a cluster profile assumes when it names none: the usual AI platform stack (Gateway API with the
   * inference extension and llm-d router, Kueue, JobSet, LeaderWorkerSet, the NVIDIA DRA driver and
   * prometheus-operator).
   */
  public static defaults(): ClusterAddon[] {
    return [
      ClusterAddon.GATEWAY_API, ClusterAddon.INFERENCE_EXTENSION, ClusterAddon.LLM_D_ROUTER, ClusterAddon.KUEUE,
      ClusterAddon.JOBSET, ClusterAddon.LEADER_WORKER_SET, ClusterAddon.NVIDIA_DRA_DRIVER, ClusterAddon.PROMETHEUS_OPERATOR,
    ];
  }

  /**
   * The prometheus-operator whose Prometheus is `stack`.
   *
   * Every ServiceMonitor, PodMonitor and PrometheusRule in the profile's scope carries `stack.selectorLabels`, so
   * that this Prometheus selects it. Listed next to `ClusterAddon.defaults()`, it replaces the default
   * `PROMETHEUS_OPERATOR`.
   *
   * @param stack The Prometheus installation, e.g. `MonitoringStack.kubePrometheusStack('monitoring')` for a
   * kube-prometheus-stack Helm release named `monitoring`.
   */
  public static prometheusOperatorWith(stack: MonitoringStack): ClusterAddon {
    return new ClusterAddon(PROMETHEUS_OPERATOR_ID, PROMETHEUS_OPERATOR_DESCRIPTION, stack);
  }

  /**
   * Kueue, with what its Configuration declares.
   *
   * The PlatformReport then reports the declared settings as checked and shows the Configuration fields to merge
   * into the Kueue Helm chart's `managerConfig.controllerManagerConfigYaml`. Listed next to `ClusterAddon.defaults()`,
   * it replaces their `KUEUE`.
   *
   * @param configuration What the cluster's Kueue Configuration declares, e.g.
   * `{ waitForPodsReady: { timeout: Duration.minutes(10), blockAdmission: true } }`.
   */
  public static kueueWith(configuration: KueueConfiguration): ClusterAddon {
    const fields = kueueConfigurationFields('ClusterAddon.kueueWith', configuration);
    return new ClusterAddon(KUEUE_ID, KUEUE_DESCRIPTION, undefined, { declared: configuration, fields });
  }

  /**
   * An add-on this library does not know by name (only useful for constructs of your own that check it).
   *
   * @param id The add-on's stable identifier, e.g. `kueue`.
   * @param description The add-on's human-readable name for error messages and the platform report (default `id`).
   */
  public static custom(id: string, description?: string): ClusterAddon {
    return new ClusterAddon(id, description ?? id);
  }

  /** Stable identifier, e.g. `kueue`. */
  public readonly id: string;
  /** Human-readable name for error messages and the platform report. */
  public readonly description: string;
  /** For prometheus-operator: the Prometheus installation whose selectors every monitor and rule must match. */
  public readonly monitoringStack?: MonitoringStack;
  /** For Kueue from `kueueWith`: what its Configuration declares. */
  public readonly kueueConfiguration?: KueueConfiguration;
  private readonly kueueFields?: Record<string, unknown>;

  private constructor(id: string, description: string, monitoringStack?: MonitoringStack,
    kueue?: { declared: KueueConfiguration; fields: Record<string, unknown> }) {
    this.id = id;
    this.description = description;
    this.monitoringStack = monitoringStack;
    this.kueueConfiguration = kueue?.declared;
    this.kueueFields = kueue?.fields;
  }

  /**
   * For Kueue from `kueueWith`: the declared fields in Kueue's Configuration schema (`config.kueue.x-k8s.io/v1beta2`).
   * @internal
   */
  public _kueueConfigurationFields(): Record<string, unknown> | undefined {
    return this.kueueFields === undefined ? undefined : JSON.parse(JSON.stringify(this.kueueFields));
  }
}
