import { ApiObject, Duration, Size, SizeRoundingBehavior } from 'cdk8s';
import type * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { EndpointPickerObjects, EndpointPickerProps, InferenceObjectiveProps, ModelRewriteProps } from './endpoint-picker';
import { ScorerInput } from './endpoint-picker-config';
import { CustomEngine } from './engines/custom';
import { GatewayProvider } from './gateway-provider';
import { InferenceRoute, InferenceRouteOptions } from './inference-route';
import { networkPolicyPeerConfig, podSelectorConfig } from './kplus-selector';
import { LoraAdapter } from './lora-adapter';
import { ModelCache } from './model-cache';
import { downloadSource, MODEL_CACHE_PATH, mountModel } from './model-mount';
import { ModelServer } from './model-server';
import { ModelSource } from './model-source';
import { LaunchContext, LaunchRole, LaunchSpec, ServerEngine, unsizedCacheRequestBytes } from './server-engine';
import { AutoscalerKind, ServerMetric, ServingAutoscaling } from './serving-autoscaling';
import { checkLeaderWorkerSet, recordPodLabels } from './serving-checks';
import { recordServingMetrics } from './serving-metrics-registry';
import { podMonitor } from './serving-monitors';
import { prometheusPeer } from './serving-network';
import { ServingPool } from './serving-pool';
import { SecretKeyReference, ServingMonitoringOptions, ServingResources } from './serving-props';
import { bytesQuantity, quantityValue, renderResources, requireEnvName, requireSecretRef, validateResources } from './serving-validation';
import { attachGpus, GpuAttachment } from '../accelerators/attach';
import { GpuNodePool } from '../accelerators/gpu-node-pool';
import { GpuRequest, GpuRequestShape } from '../accelerators/gpu-request';
import { validateGpuCount } from '../accelerators/request-validation';
import { ClusterAddon } from '../cluster/cluster-addon';
import { ClusterProfile } from '../cluster/cluster-profile';
import { warn } from '../cluster/platform-warnings';
import * as k8s from '../imports/k8s';
import * as lws from '../imports/lws';
import { invalidProp, requireInteger, show, validationMessage, ValidationError } from '../internal/errors';
import { selectorLabels, standardLabels } from '../internal/labels';
import { claimName, resourceName } from '../internal/names';
import { namespaceOf } from '../internal/namespace';
import { declarePodSpecs } from '../internal/pod-templates';
import { requireLabels } from '../internal/qualified-name';
import { checkProps, opt, req } from '../internal/runtime-checks';
import { ContainerInputs } from '../security/container-secrets';
import { PodSpecBuilder, resolveSecurity } from '../security/pod-spec';
import { requireSecretKeyReference } from '../security/secret-reference';
import { allowTraffic, EgressNeedKind, IngressIsolationHandle, isolateIngress, needEgress } from '../security/tenant-network';
import { WorkloadSecurityProps } from '../security/workload-security';

/** Label the LeaderWorkerSet controller puts on every pod: 0 on the leader. */
const LWS_WORKER_INDEX = 'leaderworkerset.sigs.k8s.io/worker-index';
/** Label the llm-d endpoint picker reads to pick the metric names of a pod's engine. */
const ENGINE_TYPE_LABEL = 'llm-d.ai/engine-type';
/** Env names the construct sets itself. */
const OWNED_ENV = ['HOME', 'HF_HOME', 'HF_TOKEN_PATH', 'HF_TOKEN', 'HUGGING_FACE_HUB_TOKEN'];
/** Default CPU of the server container: cores per GPU, and the floor (also the CPU of a server without GPUs). */
const CPU_PER_GPU = 4;
const MIN_CPU = 2;
/** Default memory of the server container per GPU (GiB), and of a server without GPUs; plus the shared memory. */
const MEMORY_GIB_PER_GPU = 16;
const CPU_SERVER_MEMORY_GIB = 8;
const SERVER_CONTAINER = 'server';
const STARTUP_PERIOD_SECONDS = 10;

/**
 * How a replica's GPUs are split: tensor x pipeline x data parallel ranks = GPUs per pod x pods per replica.
 */
export interface ParallelismProps {
  /**
   * Tensor-parallel size.
   *
   * @default - the GPUs each pod gets
   */
  readonly tensor?: number;

  /**
   * Pipeline-parallel size (stages; typically one per node in a multi-node replica).
   *
   * @default 1
   */
  readonly pipeline?: number;

  /**
   * Data-parallel size (engine replicas inside one serving replica).
   *
   * @default 1
   */
  readonly data?: number;
}

/** Which pods of a multi-node group a sub-group spans. */
export enum SubGroupPolicy {
  /** Sub-groups include the leader. */
  LEADER_WORKER = 'LeaderWorker',
  /** The leader is in no sub-group. */
  LEADER_EXCLUDED = 'LeaderExcluded',
}

/** When the workers of a multi-node group start. */
export enum GroupStartupPolicy {
  /** With the leader pod. */
  LEADER_CREATED = 'LeaderCreated',
  /** Once the leader is Ready. */
  LEADER_READY = 'LeaderReady',
}

/**
 * Serving one replica from several pods (a LeaderWorkerSet group; needs the LeaderWorkerSet add-on). Setting it
 * (even to `{}`) allows the parallelism to need more GPUs than one pod gets.
 */
export interface MultiNodeProps {
  /**
   * Split each group into sub-groups of this many pods (e.g. per NVLink domain or TPU slice).
   *
   * @default - no sub-groups
   */
  readonly subGroupSize?: number;

  /**
   * Whether sub-groups include the leader.
   *
   * @default SubGroupPolicy.LEADER_WORKER
   */
  readonly subGroupPolicy?: SubGroupPolicy;

  /**
   * When workers start.
   *
   * @default GroupStartupPolicy.LEADER_CREATED
   */
  readonly startupPolicy?: GroupStartupPolicy;

  /**
   * Place each group alone in one domain of this node topology label (e.g. `cloud.google.com/gke-nodepool` or a
   * rack label): LeaderWorkerSet exclusive placement.
   *
   * @default - no exclusive placement
   */
  readonly exclusiveTopologyKey?: string;
}

/**
 * Props of an InferenceService.
 */
export interface InferenceServiceProps {
  /**
   * Where the weights come from.
   */
  readonly model: ModelSource;

  /**
   * The model server.
   *
   * @default ModelServer.vllm()
   */
  readonly server?: ModelServer;

  /**
   * The model name clients send (OpenAI `model`), and what model routes and rewrites match.
   *
   * @default - the Hugging Face id, or the last segment of the claim path or URI
   */
  readonly servedModelName?: string;

  /**
   * The accelerators each pod gets (a DRA ResourceClaimTemplate, or the extended resource on a cluster without DRA).
   *
   * @default - no GPUs (a CPU server)
   */
  readonly gpus?: GpuRequest;

  /**
   * The GPU node pool to place the pods on; the request is checked against it.
   *
   * @default - any node with matching GPUs
   */
  readonly nodePool?: GpuNodePool;

  /**
   * How a replica's GPUs are split between tensor, pipeline and data parallel ranks.
   *
   * @default - tensor parallel over the GPUs of one pod
   */
  readonly parallelism?: ParallelismProps;

  /**
   * Serve each replica from several pods when the parallelism needs more GPUs than one pod gets.
   *
   * @default - one pod per replica; parallelism that needs more is refused
   */
  readonly multiNode?: MultiNodeProps;

  /**
   * Replicas (LeaderWorkerSet groups for multi-node). Not with `autoscaling`.
   *
   * @default 1
   */
  readonly replicas?: number;

  /**
   * Scale replicas on CPU, a server metric (HorizontalPodAutoscaler) or through KEDA. Not with `replicas`.
   *
   * @default - fixed replicas
   */
  readonly autoscaling?: ServingAutoscaling;

  /**
   * A PodDisruptionBudget keeping all but `maxUnavailable` replicas through voluntary disruptions (node drains).
   *
   * @default - true when there can be more than one replica
   */
  readonly podDisruptionBudget?: boolean;

  /**
   * Pods the PodDisruptionBudget lets go at once (at least 1, so node drains can proceed).
   *
   * @default 1
   */
  readonly maxUnavailable?: number;

  /**
   * CPU, memory and ephemeral storage of the server container. Fields you leave unset get defaults; a value you
   * give is never replaced.
   *
   * @default - CPU: 4 cores per GPU (at least 2), limit = request; memory: 16Gi per GPU (8Gi without GPUs) plus
   * `sharedMemory`, limit = request; ephemeral storage: the sized model cache and download volumes, and 100Gi for an
   * unsized emptyDir cache the server downloads a Hugging Face model into (llm-d's vLLM request)
   */
  readonly resources?: ServingResources;

  /**
   * Size of the memory-backed `/dev/shm` (NCCL and the servers' worker processes need more than the container
   * runtime's 64Mi). Counts against the memory limit.
   *
   * @default - 1Gi, 8Gi when a pod has several GPUs
   */
  readonly sharedMemory?: Size;

  /**
   * Where downloaded weights are kept (`HF_HOME`).
   *
   * @default ModelCache.emptyDir()
   */
  readonly modelCache?: ModelCache;

  /**
   * Environment variables of the server (plain values).
   *
   * @default - none
   */
  readonly env?: { [name: string]: string };

  /**
   * Environment variables of the server from Secret keys (by reference; values never appear in the YAML).
   *
   * @default - none
   */
  readonly secretEnv?: { [name: string]: SecretKeyReference };

  /**
   * LoRA adapters served next to the base model (servers that support LoRA: vLLM, SGLang).
   *
   * @default - none
   */
  readonly loraAdapters?: LoraAdapter[];

  /**
   * The highest LoRA rank to support (vLLM `--max-lora-rank`).
   *
   * @default - the server's default
   */
  readonly maxLoraRank?: number;

  /**
   * LoRA adapters active at once in a batch (vLLM `--max-loras`, SGLang `--max-loras-per-batch`).
   *
   * @default - the server's default
   */
  readonly maxLoras?: number;

  /**
   * How long a pod may take to download and load the model before it is restarted (the startup probe's budget).
   *
   * @default Duration.minutes(30)
   */
  readonly maxStartupTime?: Duration;

  /**
   * How long a terminating pod keeps serving while the gateway stops sending to it (preStop sleep); the grace period
   * adds 100 seconds for in-flight generations.
   *
   * @default Duration.seconds(30)
   */
  readonly drainTimeout?: Duration;

  /**
   * Pod security. Pods always pass Pod Security `restricted`.
   *
   * @default - user, group and fsGroup 65532; read-only root filesystem unless the pod gets GPUs (the NVIDIA
   * container toolkit's CDI hook writes into the container's root filesystem when it starts, kserve/kserve#5711;
   * GangTrainingJob makes the same choice); `HOME` and the model cache are writable volumes either way
   */
  readonly security?: WorkloadSecurityProps;

  /**
   * Route the service from a Gateway through an InferencePool and its endpoint picker. For several services behind
   * one route (canary, A/B, by model), use an InferenceRoute instead.
   *
   * @default - not routed (a ClusterIP Service only)
   */
  readonly route?: InferenceRouteOptions;

  /**
   * The endpoint picker of the service's InferencePool (used once the service is routed).
   *
   * @default - EppVersion.V0_10_0, one replica, the default scheduling profile for the server
   */
  readonly endpointPicker?: EndpointPickerProps;

  /**
   * Request priorities (InferenceObjectives) of the service's pool.
   *
   * @default - none
   */
  readonly objectives?: InferenceObjectiveProps[];

  /**
   * Model names the pool's picker rewrites (aliases, LoRA canaries).
   *
   * @default - none
   */
  readonly modelRewrites?: ModelRewriteProps[];

  /**
   * prometheus-operator monitors for the server and the endpoint picker.
   *
   * @default - on when the ClusterProfile lists prometheus-operator
   */
  readonly monitoring?: ServingMonitoringOptions;
}

/** Claims a name and returns the metadata of an object of the service. */
type ObjectMeta = (kind: string) => { name: string; namespace?: string; labels: { [key: string]: string } };

interface ResolvedParallelism {
  readonly tensor: number;
  readonly pipeline: number;
  readonly data: number;
  readonly nodes: number;
  readonly devicesPerPod: number;
}

/**
 * A model served on GPUs: the model-server workload (Deployment, or LeaderWorkerSet when a replica spans nodes),
 * its Service, GPU claims, PodDisruptionBudget, autoscaler and monitors, and when routed an InferencePool with its
 * endpoint picker and an HTTPRoute from your Gateway. Every pod passes Pod Security `restricted`; secrets are
 * referenced, never inlined; rules that upstream webhooks and controllers enforce are checked at synth.
 *
 * ```ts
 * const llm = new InferenceService(chart, 'llama', {
 *   model: ModelSource.huggingFace('meta-llama/Llama-3.1-8B-Instruct', { tokenSecret: 'hf-token' }),
 *   server: ModelServer.vllm(),
 *   gpus: GpuRequest.of(1, { model: GpuModel.NVIDIA_H100_80GB }),
 *   route: { gateway: 'inference-gateway' },
 * });
 * ```
 */
export class InferenceService extends Construct implements kplus.IPodSelector, kplus.INetworkPolicyPeer {
  /** True when `x` is an InferenceService. */
  public static isInferenceService(x: any): x is InferenceService {
    return x !== null && typeof x === 'object' && INFERENCE_SERVICE in x;
  }

  /** The resource name of the workload, Service and InferencePool. */
  public readonly name: string;
  /** The namespace of the service's objects (undefined: the chart sets none). */
  public readonly namespace?: string;
  /** The model server. */
  public readonly server: ModelServer;
  /** The model name clients send. */
  public readonly servedModelName: string;
  /** The serving port. */
  public readonly port: number;
  /** Pods per replica (more than 1 for a multi-node LeaderWorkerSet group). */
  public readonly podsPerReplica: number;
  /** GPUs each pod gets. */
  public readonly gpusPerPod: number;
  /** The labels selecting the pods that serve the API (the InferencePool and Service selector). */
  public readonly selector: { [key: string]: string };
  /** The workload: a Deployment, or a LeaderWorkerSet for multi-node replicas. */
  public readonly workload: ApiObject;
  /** The Deployment, for single-node replicas. */
  public readonly deployment?: ApiObject;
  /** The LeaderWorkerSet, for multi-node replicas. */
  public readonly leaderWorkerSet?: ApiObject;
  /** The ClusterIP Service of the serving pods. */
  public readonly service: ApiObject;
  /** The GPU ResourceClaimTemplate (DRA). */
  public readonly gpuClaimTemplate?: ApiObject;
  /** The PodDisruptionBudget. */
  public readonly podDisruptionBudget?: ApiObject;
  /** The HorizontalPodAutoscaler or KEDA ScaledObject. */
  public readonly autoscaler?: ApiObject;
  /** The PodMonitor of the server pods. */
  public readonly podMonitor?: ApiObject;
  /** The route created from the `route` prop. */
  public readonly route?: InferenceRoute;

  private readonly engine: ServerEngine;
  private readonly props: InferenceServiceProps;
  private readonly adapterNames: string[];
  private readonly podLabels: { [key: string]: string };
  private readonly monitoring?: { labels: { [key: string]: string }; interval?: Duration };
  private readonly routeList: InferenceRoute[] = [];
  private pool?: ServingPool;
  private isolation?: IngressIsolationHandle;

  constructor(scope: Construct, id: string, props: InferenceServiceProps) {
    super(scope, id);
    checkProps(this, 'InferenceServiceProps', props, {
      model: req(ModelSource, 'a ModelSource such as ModelSource.huggingFace(\'meta-llama/Llama-3.1-8B-Instruct\')'),
      server: opt(ModelServer, 'a ModelServer such as ModelServer.vllm()'),
      gpus: opt(GpuRequest, 'a GpuRequest such as GpuRequest.of(1)'),
      nodePool: opt(GpuNodePool),
      autoscaling: opt(ServingAutoscaling),
      modelCache: opt(ModelCache),
      replicas: opt('number'),
      env: opt('string-map'),
      secretEnv: opt('object'),
      servedModelName: opt('string'),
      drainTimeout: opt('duration'),
    });
    Object.defineProperty(this, INFERENCE_SERVICE, { value: true });
    this.props = props;
    this.server = props.server ?? ModelServer.vllm();
    this.engine = this.server._engine;
    this.namespace = namespaceOf(this);
    this.port = this.engine.port;
    const profile = ClusterProfile.of(this);
    this.validateProps(props);
    this.servedModelName = props.servedModelName ?? props.model._defaultServedName();
    this.adapterNames = (props.loraAdapters ?? []).map((a) => a.name);
    this.checkModelNames();

    const hasGpus = props.gpus !== undefined;
    const replicas = props.replicas ?? 1;
    const maxReplicas = props.autoscaling?.maxReplicas ?? replicas;
    const builder = new PodSpecBuilder(this, resolveSecurity(this, {
      ...props.security,
      readOnlyRootFilesystem: props.security?.readOnlyRootFilesystem ?? !hasGpus,
    }));

    // GPUs, then the parallelism they allow (allOnNode only knows its count once placed).
    let attachment: GpuAttachment | undefined;
    let parallelism: ResolvedParallelism;
    const request = props.gpus;
    if (request && request.shape !== GpuRequestShape.ALL_ON_NODE) {
      validateGpuCount(this, 'gpus', request);
      parallelism = this.resolveParallelism(request.count, request);
      const pods = Math.max(1, maxReplicas) * parallelism.nodes;
      attachment = attachGpus(this, builder, request, { pods, containers: [SERVER_CONTAINER], pool: props.nodePool });
    } else if (request) {
      attachment = attachGpus(this, builder, request, { pods: Math.max(1, maxReplicas), containers: [SERVER_CONTAINER], pool: props.nodePool });
      parallelism = this.resolveParallelism(attachment.devicesPerPod, request);
      if (parallelism.nodes > 1) {
        throw new ValidationError(this, 'parallelism', 'GpuRequest.allOnNode() serves each replica from one node; use GpuRequest.of(n) for multi-node replicas');
      }
    } else {
      if (props.nodePool) throw new ValidationError(this, 'nodePool', 'is set but gpus is not; a GPU node pool places pods that request GPUs');
      parallelism = this.resolveParallelism(0, undefined);
    }
    this.gpuClaimTemplate = attachment?.claimTemplate;
    this.gpusPerPod = parallelism.devicesPerPod;
    this.podsPerReplica = parallelism.nodes;
    const multiNode = parallelism.nodes > 1;
    if (multiNode) profile._requireAddon(this, 'multiNode', ClusterAddon.LEADER_WORKER_SET, 'A multi-node replica (LeaderWorkerSet)');
    this.name = resourceName(this, [], multiNode ? 52 : 63);

    // Labels: the pool and Service select the API-serving pods (LeaderWorkerSet leaders only).
    const identity = { name: this.engine.kind, instance: this.name, component: 'model-server' };
    this.podLabels = { ...standardLabels(identity), ...(this.engine.eppEngineType ? { [ENGINE_TYPE_LABEL]: this.engine.eppEngineType } : {}) };
    const workloadSelector = selectorLabels(identity);
    this.selector = multiNode ? { ...workloadSelector, [LWS_WORKER_INDEX]: '0' } : workloadSelector;
    recordPodLabels(this, { owner: this.node.path, namespace: this.namespace, labels: multiNode ? { ...this.podLabels, [LWS_WORKER_INDEX]: '0' } : this.podLabels });
    if (multiNode) recordPodLabels(this, { owner: `${this.node.path} (workers)`, namespace: this.namespace, labels: this.podLabels });

    // The pod.
    const mount = mountModel(this, builder, this.engine, props.model, props.modelCache ?? ModelCache.emptyDir(), props.loraAdapters ?? []);
    builder.addScratch('tmp', '/tmp');
    const shm = this.sharedMemory(parallelism);
    builder.addSharedMemory(shm.asString());
    const drain = this.seconds('drainTimeout', props.drainTimeout ?? Duration.seconds(30), 0, 3600);
    const gracePeriodSeconds = drain + 100;
    builder.terminationGracePeriodSeconds = gracePeriodSeconds;
    const launch = (role: LaunchRole): LaunchContext => ({
      model: mount.model,
      servedModelName: this.servedModelName,
      revision: mount.revision,
      port: this.port,
      tensor: parallelism.tensor,
      pipeline: parallelism.pipeline,
      data: parallelism.data,
      nodes: parallelism.nodes,
      role,
      cacheDir: `${MODEL_CACHE_PATH}/hub`,
      adapters: mount.adapters,
      maxLoraRank: props.maxLoraRank,
      maxLoras: props.maxLoras,
      gracePeriodSeconds,
      preStopSeconds: drain,
    });
    const leaderLaunch = this.engine.launch(launch(multiNode ? LaunchRole.LEADER : LaunchRole.SINGLE));
    // HOME on the /tmp scratch volume: the default user 65532 has no home directory, and servers write caches
    // (torch compile, Triton kernels) under it.
    const env = [...mount.env, { name: 'HOME', value: '/tmp' }, ...leaderLaunch.env, ...this.userEnv()];
    this.checkEnvUnique(env);
    if (!multiNode && maxReplicas > 1) builder.spreadAcrossNodes(workloadSelector);
    const cache = props.modelCache ?? ModelCache.emptyDir();
    const ephemeralBytes = mount.ephemeralBytes + unsizedCacheRequestBytes(this.engine, props.model, cache);
    builder.addContainer({
      name: SERVER_CONTAINER,
      image: this.engine.image,
      command: leaderLaunch.command.length ? leaderLaunch.command : undefined,
      args: leaderLaunch.args,
      ports: [{ name: 'http', containerPort: this.port, protocol: 'TCP' }],
      env,
      resources: this.serverResources(ephemeralBytes, shm, parallelism.devicesPerPod),
      volumeMounts: mount.mounts,
      ...this.probes(),
      lifecycle: drain > 0 ? { preStop: { sleep: { seconds: drain } } } : undefined,
    }, { inputs: this.containerInputs() });
    const leaderSpec = builder.build();
    this.checkSharedMemoryFits(shm);

    // The workload.
    const labels = standardLabels(identity);
    const meta = (kind: string, name = this.name, extra?: { [key: string]: string }) => {
      claimName(this, kind, this.namespace, name);
      return { name, namespace: this.namespace, labels: { ...labels, ...extra } };
    };
    const fixedReplicas = props.autoscaling ? undefined : replicas;
    if (multiNode) {
      const workerSpec = workerPodSpec(leaderSpec, this.engine.launch(launch(LaunchRole.WORKER)));
      const mn = props.multiNode ?? {};
      const leaderExcluded = mn.subGroupPolicy === SubGroupPolicy.LEADER_EXCLUDED;
      checkLeaderWorkerSet(this, parallelism.nodes, mn.subGroupSize, leaderExcluded);
      this.leaderWorkerSet = new lws.LeaderWorkerSet(this, 'LeaderWorkerSet', {
        metadata: {
          ...meta('LeaderWorkerSet'),
          annotations: mn.exclusiveTopologyKey ? { 'leaderworkerset.sigs.k8s.io/exclusive-topology': mn.exclusiveTopologyKey } : undefined,
        },
        spec: {
          replicas: fixedReplicas,
          startupPolicy: mn.startupPolicy === GroupStartupPolicy.LEADER_READY
            ? lws.LeaderWorkerSetSpecStartupPolicy.LEADER_READY
            : lws.LeaderWorkerSetSpecStartupPolicy.LEADER_CREATED,
          rolloutStrategy: {
            type: lws.LeaderWorkerSetSpecRolloutStrategyType.ROLLING_UPDATE,
            rollingUpdateConfiguration: {
              maxUnavailable: lws.LeaderWorkerSetSpecRolloutStrategyRollingUpdateConfigurationMaxUnavailable.fromNumber(1),
              maxSurge: lws.LeaderWorkerSetSpecRolloutStrategyRollingUpdateConfigurationMaxSurge.fromNumber(0),
            },
          },
          leaderWorkerTemplate: {
            size: parallelism.nodes,
            // One NCCL group: a restart of any pod recreates the whole group.
            restartPolicy: lws.LeaderWorkerSetSpecLeaderWorkerTemplateRestartPolicy.RECREATE_GROUP_ON_POD_RESTART,
            leaderTemplate: k8s.toJson_PodTemplateSpec({ metadata: { labels: this.podLabels }, spec: leaderSpec }),
            workerTemplate: k8s.toJson_PodTemplateSpec({ metadata: { labels: this.podLabels }, spec: workerSpec }),
            subGroupPolicy: mn.subGroupSize !== undefined ? {
              subGroupSize: mn.subGroupSize,
              subGroupPolicyType: leaderExcluded
                ? lws.LeaderWorkerSetSpecLeaderWorkerTemplateSubGroupPolicySubGroupPolicyType.LEADER_EXCLUDED
                : lws.LeaderWorkerSetSpecLeaderWorkerTemplateSubGroupPolicySubGroupPolicyType.LEADER_WORKER,
            } : undefined,
          },
        },
      });
      this.workload = this.leaderWorkerSet;
    } else {
      if (props.multiNode) {
        throw new ValidationError(this, 'multiNode', `is set but the parallelism (${parallelism.tensor} x ${parallelism.pipeline} x ` +
          `${parallelism.data}) fits the ${parallelism.devicesPerPod} GPU(s) of one pod; remove multiNode or raise the parallelism`);
      }
      this.deployment = new k8s.KubeDeployment(this, 'Deployment', {
        metadata: meta('Deployment'),
        spec: {
          replicas: fixedReplicas,
          // A surge pod would need GPUs the pool rarely has spare: replace pods one at a time instead.
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: k8s.IntOrString.fromNumber(0), maxUnavailable: k8s.IntOrString.fromNumber(1) } },
          selector: { matchLabels: workloadSelector },
          template: { metadata: { labels: this.podLabels }, spec: leaderSpec },
        },
      });
      declarePodSpecs(this.deployment, () => [{ path: 'spec.template.spec', spec: leaderSpec, labels: this.podLabels }]);
      this.workload = this.deployment;
    }

    this.service = new k8s.KubeService(this, 'Service', {
      metadata: meta('Service'),
      spec: {
        type: 'ClusterIP',
        selector: this.selector,
        ports: [{ name: 'http', port: this.port, targetPort: k8s.IntOrString.fromString('http'), protocol: 'TCP', appProtocol: 'http' }],
      },
    });
    this.podDisruptionBudget = this.disruptionBudget(props, maxReplicas, workloadSelector, meta);
    this.monitoring = this.resolveMonitoring(profile);
    if (this.monitoring) {
      this.podMonitor = podMonitor({
        scope: this,
        id: 'PodMonitor',
        name: this.name,
        namespace: this.namespace,
        labels: { ...labels, ...this.monitoring.labels },
        selector: this.selector,
        port: 'http',
        path: this.engine.metricsPath,
        interval: this.monitoring.interval,
        podTargetLabels: ['app.kubernetes.io/instance'],
      });
    }
    this.autoscaler = this.addAutoscaler(profile, meta);
    // The platform's recording rules and dashboard follow the servers actually deployed (their metric names).
    if (this.server.metrics) recordServingMetrics(this, this.server.metrics);
    this.declareTraffic(multiNode, workloadSelector, labels);
    if (this.engine.warning) {
      this.node.addMetadata('cdk8s-ai:warning', this.engine.warning);
      warn(this, `server: ${this.engine.warning}`);
    }
    this.node.addValidation({ validate: () => this.unroutedSettings() });
    if (props.route) this.route = new InferenceRoute(this, 'Route', { ...props.route, backends: [{ service: this }] });
  }

  /**
   * The NetworkPolicy isolating the server pods when the namespace has no default-deny of its own (no AiTenant):
   * it admits only the declared edges (gateway, endpoint picker, Prometheus, the other pods of a multi-node group).
   * Undefined in a tenant, whose default-deny and allows do that.
   */
  public get networkPolicy(): ApiObject | undefined {
    return this.isolation?.policy;
  }

  /** The routes this service is a backend of. */
  public get routes(): InferenceRoute[] {
    return [...this.routeList];
  }

  /** The InferencePool, once the service is routed. */
  public get inferencePool(): ApiObject | undefined {
    return this.pool?.inferencePool;
  }

  /** The endpoint picker's objects, once the service is routed. */
  public get endpointPicker(): EndpointPickerObjects | undefined {
    return this.pool?.picker;
  }

  /** The InferenceObjectives of the pool. */
  public get objectives(): ApiObject[] {
    return [...(this.pool?.objectives ?? [])];
  }

  /** The InferenceModelRewrite of the pool, when there are rewrites. */
  public get modelRewrite(): ApiObject | undefined {
    return this.pool?.modelRewrite;
  }

  /** The HTTPRoute from the `route` prop. */
  public get httpRoute(): ApiObject | undefined {
    return this.route?.httpRoute;
  }

  /** The InferencePool's name. */
  public get poolName(): string {
    return this.name;
  }

  /** Every model name the service answers: the served model, its LoRA adapters and its model rewrites. */
  public get modelNames(): string[] {
    return [this.servedModelName, ...this.adapterNames, ...(this.props.modelRewrites ?? []).map((r) => r.model)];
  }

  /**
   * @see kplus.IPodSelector.toPodSelectorConfig()
   */
  public toPodSelectorConfig(): kplus.PodSelectorConfig {
    return podSelectorConfig(selectorLabels({ name: this.engine.kind, instance: this.name, component: 'model-server' }), this.namespace);
  }

  /**
   * @see kplus.INetworkPolicyPeer.toNetworkPolicyPeerConfig()
   */
  public toNetworkPolicyPeerConfig(): kplus.NetworkPolicyPeerConfig {
    return networkPolicyPeerConfig(selectorLabels({ name: this.engine.kind, instance: this.name, component: 'model-server' }), this.namespace);
  }

  /**
   * @see kplus.INetworkPolicyPeer.toPodSelector()
   */
  public toPodSelector(): kplus.IPodSelector | undefined {
    return this;
  }

  /**
   * Whether requests for `model` can be sent to this service.
   * @internal
   */
  public _answersTo(model: string): boolean {
    return this.modelNames.includes(model);
  }

  /**
   * Attaches a route: creates the pool and its endpoint picker on the first call, checks the provider on later ones.
   * @internal
   */
  public _attachRoute(route: InferenceRoute, provider: GatewayProvider, requestTimeout?: Duration, gatewayNamespace?: string): void {
    if (this.pool) {
      this.pool.attach(route, provider, requestTimeout, gatewayNamespace);
    } else {
      this.pool = new ServingPool(this, 'Pool', {
        target: {
          name: this.name,
          namespace: this.namespace,
          instance: this.name,
          selector: this.selector,
          pods: { owner: this.node.path, namespace: this.namespace, labels: this.podsOfPool() },
          port: this.port,
          containerPorts: [this.port],
          healthPath: this.engine.healthPath,
          metricsPath: this.engine.metricsPath,
          serverName: this.engine.displayName,
          serverKind: this.engine.kind,
          eppEngineType: this.engine.eppEngineType,
          inputs: this.scorerInputs(),
          servedNames: [this.servedModelName, ...this.adapterNames],
        },
        provider,
        picker: this.props.endpointPicker ?? {},
        objectives: this.props.objectives ?? [],
        rewrites: this.props.modelRewrites ?? [],
        monitoring: this.monitoring,
      });
      this.pool.attach(route, provider, requestTimeout, gatewayNamespace);
    }
    this.routeList.push(route);
  }

  private podsOfPool(): { [key: string]: string } {
    return this.podsPerReplica > 1 ? { ...this.podLabels, [LWS_WORKER_INDEX]: '0' } : this.podLabels;
  }

  private scorerInputs(): ScorerInput[] {
    const m = this.engine.metrics;
    if (!this.engine.eppEngineType) return [];
    return [
      ...(m.requestsWaiting ? [ScorerInput.QUEUE] : []),
      ...(m.kvCacheUsage ? [ScorerInput.KV_CACHE] : []),
      ...(m.requestsRunning ? [ScorerInput.RUNNING] : []),
      ...(this.engine.eppEngineType === 'vllm' && this.adapterNames.length ? [ScorerInput.LORA] : []),
    ];
  }

  private validateProps(props: InferenceServiceProps): void {
    this.server._validate(this);
    props.model._validate(this);
    props.modelCache?._validate(this);
    props.autoscaling?._validate(this);
    if (props.replicas !== undefined && props.autoscaling) {
      throw new ValidationError(this, 'replicas', 'is set together with autoscaling; give minReplicas/maxReplicas in autoscaling instead');
    }
    if (props.replicas !== undefined) requireInteger(this, 'replicas', props.replicas, 1, 1000);
    if (props.servedModelName !== undefined && (!props.servedModelName || props.servedModelName.length > 253 || /\s/.test(props.servedModelName))) {
      throw invalidProp(this, 'servedModelName', props.servedModelName, 'a model name of 1 to 253 characters without spaces');
    }
    validateResources(this, 'resources', props.resources);
    const adapters = props.loraAdapters ?? [];
    if (adapters.length && !this.engine.supportsLora) {
      throw invalidProp(this, 'loraAdapters', adapters.map((a) => a.name), `none: ${this.engine.displayName} does not serve LoRA adapters here (use vLLM or SGLang)`);
    }
    adapters.forEach((a, i) => a._validate(this, `loraAdapters[${i}]`));
    if (props.maxLoraRank !== undefined) {
      if (this.engine.kind !== 'vllm') throw invalidProp(this, 'maxLoraRank', props.maxLoraRank, 'unset: only vLLM takes a maximum LoRA rank here');
      requireInteger(this, 'maxLoraRank', props.maxLoraRank, 1, 1024);
    }
    if (props.maxLoras !== undefined) {
      if (!adapters.length) throw new ValidationError(this, 'maxLoras', 'is set but there are no loraAdapters');
      requireInteger(this, 'maxLoras', props.maxLoras, 1, 1024);
    }
    for (const [name, ref] of Object.entries(props.secretEnv ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      requireEnvName(this, `secretEnv.${name}`, name);
      requireSecretKeyReference(this, `secretEnv.${name}`, ref);
      requireSecretRef(this, `secretEnv.${name}.secretName`, ref.secretName, ref.key);
    }
    for (const name of Object.keys(props.env ?? {}).sort()) requireEnvName(this, `env.${name}`, name);
    if (props.maxUnavailable !== undefined) requireInteger(this, 'maxUnavailable', props.maxUnavailable, 1, 1000);
    if (props.sharedMemory !== undefined && !(props.sharedMemory.toKibibytes({ rounding: SizeRoundingBehavior.NONE }) >= 64 * 1024)) {
      throw invalidProp(this, 'sharedMemory', props.sharedMemory.asString(), 'at least 64Mi');
    }
  }

  private checkModelNames(): void {
    const names = [this.servedModelName, ...this.adapterNames];
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup !== undefined) {
      throw invalidProp(this, 'loraAdapters', dup, `adapter names unique and different from the served model name ${show(this.servedModelName)}`);
    }
    const aliases = (this.props.modelRewrites ?? []).map((r) => r.model).filter((m) => names.includes(m));
    if (aliases.length) {
      throw invalidProp(this, 'modelRewrites', aliases[0], 'a client-visible name that is not already the served model or an adapter (it would shadow it)');
    }
  }

  private resolveParallelism(devicesPerPod: number, request: GpuRequest | undefined): ResolvedParallelism {
    const p = this.props.parallelism ?? {};
    const tensor = requireInteger(this, 'parallelism.tensor', p.tensor ?? Math.max(1, devicesPerPod), 1, 1024);
    const pipeline = requireInteger(this, 'parallelism.pipeline', p.pipeline ?? 1, 1, 256);
    const data = requireInteger(this, 'parallelism.data', p.data ?? 1, 1, 1024);
    const world = tensor * pipeline * data;
    const caps = this.engine.parallelism;
    const name = this.engine.displayName;
    if (tensor > 1 && !caps.tensor) throw invalidProp(this, 'parallelism.tensor', tensor, `1: ${name} has no tensor parallelism here`);
    if (pipeline > 1 && !caps.pipeline) throw invalidProp(this, 'parallelism.pipeline', pipeline, `1: ${name} has no pipeline parallelism`);
    if (data > 1 && !caps.data) throw invalidProp(this, 'parallelism.data', data, `1: ${name} has no data parallelism`);
    if (devicesPerPod === 0) {
      if (world > 1) throw invalidProp(this, 'parallelism', { tensor, pipeline, data }, 'a single rank: the service requests no GPUs');
      return { tensor, pipeline, data, nodes: 1, devicesPerPod };
    }
    if (request?.shape === GpuRequestShape.MIG && world > 1) {
      throw invalidProp(this, 'parallelism', { tensor, pipeline, data }, 'a single rank: NCCL cannot span MIG devices');
    }
    const explain = `tensor ${tensor} x pipeline ${pipeline} x data ${data} = ${world} GPU(s) per replica`;
    if (world < devicesPerPod) {
      throw new ValidationError(this, 'parallelism', `${explain}, but each pod gets ${devicesPerPod} (gpus): ` +
        `${devicesPerPod - world} would sit idle; request ${world} GPU(s) per pod or raise the parallelism`);
    }
    if (world % devicesPerPod !== 0) {
      throw new ValidationError(this, 'parallelism', `${explain} is not a multiple of the ${devicesPerPod} GPU(s) each pod gets (gpus)`);
    }
    const nodes = world / devicesPerPod;
    if (nodes > 1) {
      if (!this.props.multiNode) {
        throw new ValidationError(this, 'parallelism', `${explain}, but each pod gets only ${devicesPerPod} (gpus); request ${world} GPU(s) ` +
          `per pod, or set multiNode to serve each replica from ${nodes} pods (LeaderWorkerSet)`);
      }
      if (!caps.multiNode) throw new ValidationError(this, 'multiNode', `${name} cannot serve one replica from several pods; use vLLM or SGLang`);
      const problem = this.engine.multiNodeProblem?.({ tensor, pipeline, data, nodes });
      if (problem) throw new ValidationError(this, 'parallelism', `${explain} over ${nodes} pods of ${devicesPerPod} GPU(s): ${problem}`);
    }
    return { tensor, pipeline, data, nodes, devicesPerPod };
  }

  private sharedMemory(p: ResolvedParallelism): Size {
    return this.props.sharedMemory ?? (p.devicesPerPod > 1 ? Size.gibibytes(8) : Size.gibibytes(1));
  }

  private checkSharedMemoryFits(shm: Size): void {
    const memory = this.props.resources?.memory;
    if (!memory) return;
    if (quantityValue(memory) <= shm.toKibibytes({ rounding: SizeRoundingBehavior.NONE }) * 1024) {
      throw new ValidationError(this, 'resources.memory', `${memory} is not above the ${shm.asString()} /dev/shm (sharedMemory), which counts ` +
        'against the memory limit: the server would be OOM-killed; raise memory or lower sharedMemory');
    }
  }

  private serverResources(ephemeralBytes: number, shm: Size, gpus: number): k8s.ResourceRequirements {
    const shmBytes = shm.toKibibytes({ rounding: SizeRoundingBehavior.NONE }) * 1024;
    const baseGib = gpus > 0 ? MEMORY_GIB_PER_GPU * gpus : CPU_SERVER_MEMORY_GIB;
    return renderResources(this.props.resources, {
      cpu: String(Math.max(MIN_CPU, CPU_PER_GPU * gpus)),
      memory: bytesQuantity(baseGib * 2 ** 30 + shmBytes),
      ephemeralStorage: ephemeralBytes > 0 ? bytesQuantity(ephemeralBytes) : undefined,
    })!;
  }

  /**
   * The edges into the server pods: Prometheus to the metrics port, and between the pods of a multi-node group
   * (torch.distributed and NCCL pick their ports at run time). The gateway and endpoint-picker edges are declared
   * when a route attaches the pool. Outside a tenant the pods are isolated with exactly these edges. The pods'
   * model download is declared as an egress need, which a tenant resolves from its `modelDownloads`.
   */
  private declareTraffic(multiNode: boolean, workloadSelector: { [key: string]: string }, labels: { [key: string]: string }): void {
    const pods = { namespace: this.namespace, podLabels: workloadSelector };
    if (multiNode) {
      allowTraffic({
        scope: this,
        name: 'group',
        description: `the pods of one ${this.name} group reach each other (torch.distributed, NCCL)`,
        from: pods,
        to: pods,
        ports: [],
        allPorts: true,
      });
    }
    if (this.podMonitor) {
      allowTraffic({
        scope: this,
        name: 'metrics',
        description: `Prometheus scrapes ${this.name} (${this.engine.displayName}) on port http`,
        from: prometheusPeer(this),
        to: { namespace: this.namespace, podLabels: this.selector },
        ports: [{ port: 'http' }],
      });
    }
    // Egress the service cannot address itself: where the weights come from. The tenant resolves it (modelDownloads).
    const download = downloadSource(this.props.model, this.props.loraAdapters ?? []);
    if (download) {
      needEgress({
        scope: this,
        name: 'model-download',
        kind: EgressNeedKind.MODEL_DOWNLOAD,
        description: `${this.name} (${this.engine.displayName}) downloads its model weights`,
        from: pods,
        destination: download,
      });
    }
    this.isolation = isolateIngress({
      scope: this,
      id: 'NetworkPolicy',
      name: this.name,
      namespace: this.namespace,
      selector: workloadSelector,
      podLabels: this.podLabels,
      labels,
      description: `the ${this.engine.displayName} pods of ${this.name}`,
    });
  }

  private probes(): Pick<k8s.Container, 'startupProbe' | 'livenessProbe' | 'readinessProbe'> {
    const e = this.engine;
    const startup = this.seconds('maxStartupTime', this.props.maxStartupTime ?? Duration.minutes(30), 60, 24 * 3600);
    const http = (path: string) => ({ path, port: k8s.IntOrString.fromString('http') });
    return {
      // Large models take minutes to download and load: a startup budget, not an initial delay.
      startupProbe: {
        httpGet: http(e.healthPath),
        periodSeconds: STARTUP_PERIOD_SECONDS,
        timeoutSeconds: 5,
        failureThreshold: Math.ceil(startup / STARTUP_PERIOD_SECONDS),
      },
      livenessProbe: { httpGet: http(e.healthPath), periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
      // Readiness timing is the engine's (vLLM's follows KServe's 1 s x 2, see engines/vllm.ts).
      readinessProbe: { httpGet: http(e.readinessPath), ...e.readinessProbe },
    };
  }

  private seconds(prop: string, d: Duration, min: number, max: number): number {
    const ms = d.toMilliseconds();
    if (!Number.isInteger(ms / 1000) || ms / 1000 < min || ms / 1000 > max) {
      throw invalidProp(this, prop, d.toHumanString(), `a whole number of seconds from ${min} to ${max}`);
    }
    return ms / 1000;
  }

  private userEnv(): k8s.EnvVar[] {
    const plain = { ...(this.props.env ?? {}) };
    for (const name of Object.keys(plain).sort()) {
      if (name === 'HF_TOKEN' || name === 'HUGGING_FACE_HUB_TOKEN') {
        throw new ValidationError(this, `env.${name}`, 'a token must not be a literal in the YAML: name its Secret in the model source ' +
          '(tokenSecret) or in secretEnv');
      }
    }
    const secrets = this.props.secretEnv ?? {};
    return [
      ...Object.keys(plain).sort().map((name) => ({ name, value: plain[name] })),
      ...Object.keys(secrets).sort().map((name) => ({
        name, valueFrom: { secretKeyRef: { name: secrets[name].secretName, key: secrets[name].key } },
      })),
    ];
  }

  /** The props the server container's env and args come from, and how this construct takes a credential. */
  private containerInputs(): ContainerInputs {
    const custom = this.engine instanceof CustomEngine;
    const userEnv = this.props.env ?? {};
    return {
      envProp: (name) => (name in userEnv || !(name in this.engine.extraEnv) ? `env.${name}` : `server.env.${name}`),
      argProp: (arg) => (this.engine.extraArgs.includes(arg) ? (custom ? 'server.args' : 'server.extraArgs') : 'model'),
      commandProp: 'server.command',
      alternative: 'keep it in a Secret and reference it: secretEnv: { NAME: { secretName: \'<secret>\', key: \'<key>\' } } ' +
        '(or mount the Secret as a file)',
    };
  }

  private checkEnvUnique(env: k8s.EnvVar[]): void {
    const names = env.map((e) => e.name);
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup !== undefined) {
      const owned = OWNED_ENV.includes(dup) ? ' (the construct sets it: HOME and HF_HOME for the cache, HF_TOKEN from tokenSecret)' : '';
      throw invalidProp(this, `env.${dup}`, dup, `a variable set once${owned}`);
    }
  }

  private disruptionBudget(props: InferenceServiceProps, maxReplicas: number, selector: { [key: string]: string },
    meta: ObjectMeta): ApiObject | undefined {
    const wanted = props.podDisruptionBudget ?? maxReplicas > 1;
    if (!wanted) {
      if (props.maxUnavailable !== undefined) throw new ValidationError(this, 'maxUnavailable', 'is set but podDisruptionBudget is false');
      return undefined;
    }
    const maxUnavailable = (props.maxUnavailable ?? 1) * this.podsPerReplica;
    return new k8s.KubePodDisruptionBudget(this, 'PodDisruptionBudget', {
      metadata: meta('PodDisruptionBudget'),
      spec: {
        selector: { matchLabels: selector },
        maxUnavailable: k8s.IntOrString.fromNumber(maxUnavailable),
        // A crash-looping pod must not block node drains.
        unhealthyPodEvictionPolicy: 'AlwaysAllow',
      },
    });
  }

  private resolveMonitoring(profile: ClusterProfile): { labels: { [key: string]: string }; interval?: Duration } | undefined {
    const m = this.props.monitoring ?? {};
    const enabled = m.enabled ?? profile.hasAddon(ClusterAddon.PROMETHEUS_OPERATOR);
    if (!enabled) {
      if (m.labels || m.interval) throw new ValidationError(this, 'monitoring', 'labels or interval are set but monitoring is off');
      return undefined;
    }
    profile._requireAddon(this, 'monitoring', ClusterAddon.PROMETHEUS_OPERATOR, 'A PodMonitor');
    const monitorLabels = requireLabels(this, 'monitoring.labels', m.labels ?? {});
    if (m.interval) this.seconds('monitoring.interval', m.interval, 1, 3600);
    return { labels: monitorLabels, interval: m.interval };
  }

  private addAutoscaler(profile: ClusterProfile, meta: ObjectMeta): ApiObject | undefined {
    const a = this.props.autoscaling;
    if (!a) return undefined;
    const target = this.leaderWorkerSet
      ? { apiVersion: 'leaderworkerset.x-k8s.io/v1', kind: 'LeaderWorkerSet', name: this.name }
      : { apiVersion: 'apps/v1', kind: 'Deployment', name: this.name };
    const metricName = a.metric !== undefined ? this.metricName(a.metric) : undefined;
    if (a.kind === AutoscalerKind.KEDA) {
      profile._requireAddon(this, 'autoscaling', ClusterAddon.KEDA, 'A KEDA ScaledObject');
      if (!this.podMonitor) {
        throw new ValidationError(this, 'autoscaling', 'KEDA scales on the metrics the generated PodMonitor scrapes; enable monitoring (prometheus-operator)');
      }
      if (!this.namespace) throw new ValidationError(this, 'autoscaling', 'KEDA\'s query needs the service\'s namespace; give the chart a namespace');
      const query = `sum(${metricName}{namespace="${this.namespace}",app_kubernetes_io_instance="${this.name}"})` +
        (a.metric === ServerMetric.KV_CACHE_USAGE ? ` / count(${metricName}{namespace="${this.namespace}",app_kubernetes_io_instance="${this.name}"})` : '');
      return new ApiObject(this, 'ScaledObject', {
        apiVersion: 'keda.sh/v1alpha1',
        kind: 'ScaledObject',
        metadata: meta('ScaledObject'),
        spec: {
          scaleTargetRef: target,
          minReplicaCount: a.minReplicas,
          maxReplicaCount: a.maxReplicas,
          pollingInterval: a.pollingInterval ? a.pollingInterval.toMilliseconds() / 1000 : undefined,
          triggers: [{
            type: 'prometheus',
            metadata: { serverAddress: a.prometheusAddress, query, threshold: String(a.target) },
          }],
        },
      });
    }
    if (a.kind === AutoscalerKind.CPU && !this.props.resources?.cpu) {
      throw new ValidationError(this, 'autoscaling', 'scales on CPU utilisation, a percentage of the CPU request, but resources.cpu is not set');
    }
    const metric: k8s.MetricSpecV2 = a.kind === AutoscalerKind.CPU
      ? { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: a.target } } }
      : {
        type: 'Pods',
        pods: { metric: { name: a.metricName ?? metricName! }, target: { type: 'AverageValue', averageValue: k8s.Quantity.fromString(a._targetQuantity()) } },
      };
    return new k8s.KubeHorizontalPodAutoscalerV2(this, 'HorizontalPodAutoscaler', {
      metadata: meta('HorizontalPodAutoscaler'),
      spec: { scaleTargetRef: target, minReplicas: a.minReplicas, maxReplicas: a.maxReplicas, metrics: [metric] },
    });
  }

  private metricName(metric: ServerMetric): string {
    const m = this.engine.metrics;
    const name = metric === ServerMetric.QUEUE_DEPTH ? m.requestsWaiting
      : metric === ServerMetric.RUNNING_REQUESTS ? m.requestsRunning : m.kvCacheUsage;
    if (!name) throw invalidProp(this, 'autoscaling.metric', metric, `a metric ${this.engine.displayName} exports`);
    return name;
  }

  private unroutedSettings(): string[] {
    if (this.pool) return [];
    const set = (['endpointPicker', 'objectives', 'modelRewrites'] as const).filter((p) => this.props[p] !== undefined);
    return set.length ? [validationMessage(set.join(', '), 'set, but the service is in no route, so there is no InferencePool for them; add route or an InferenceRoute')] : [];
  }
}

const INFERENCE_SERVICE = Symbol.for('cdk8s-ai.InferenceService');

/** The worker pod of a multi-node group: the leader's spec with the worker command line and no API probes. */
function workerPodSpec(leader: k8s.PodSpec, worker: LaunchSpec): k8s.PodSpec {
  return {
    ...leader,
    containers: leader.containers.map((c) => (c.name !== SERVER_CONTAINER ? c : {
      ...c,
      command: worker.command.length ? worker.command : undefined,
      args: worker.args,
      ports: undefined,
      startupProbe: undefined,
      livenessProbe: undefined,
      readinessProbe: undefined,
    })),
  };
}
