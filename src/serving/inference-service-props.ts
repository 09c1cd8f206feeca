import { Duration, Size } from 'cdk8s';
import { DisaggregationProps } from './disaggregation-props';
import { EndpointPickerProps, InferenceObjectiveProps, ModelRewriteProps } from './endpoint-picker';
import { LoraAdapter } from './lora-adapter';
import { ModelCache } from './model-cache';
import { ModelServer } from './model-server';
import { ModelSource } from './model-source';
import { MultiNodeProps, ParallelismProps } from './parallelism-props';
import { InferenceRouteOptions } from './route-options';
import { ServingAutoscaling } from './serving-autoscaling';
import { ServingMonitoringOptions, ServingResources } from './serving-props';
import { GpuNodePool } from '../accelerators/gpu-node-pool';
import { GpuRequest } from '../accelerators/gpu-request';
import { SecretKeyReference } from '../security/secret-reference';
import { WorkloadSecurityProps } from '../security/workload-security';

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
   * The GPU node pool to place the pods on.
   *
   * The GPU request is checked against it.
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
   * Split prefill from decode: the service's own workload becomes the decode workload, and a prefill workload with
   * its own replicas, GPUs and parallelism is added.
   *
   * vLLM only, and the service must be routed.
   *
   * @default - no disaggregation: every pod prefills and decodes
   */
  readonly disaggregation?: DisaggregationProps;

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
   * Environment variables of the server from Secret keys.
   *
   * They are passed by reference; values never appear in the YAML.
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
   * How long a terminating pod keeps serving while the gateway stops sending to it.
   *
   * It is the preStop sleep; the grace period adds 100 seconds for in-flight generations.
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
   * The prometheus-operator monitors for the server and the endpoint picker.
   *
   * @default - on when the ClusterProfile lists prometheus-operator
   */
  readonly monitoring?: ServingMonitoringOptions;
}

/**
 * One InferenceService of a batch declared by `InferenceService.declareMany`: its construct id and its props.
 */
export interface InferenceServiceDeclaration {
  /**
   * The construct id of the service, unique in the scope (the same id `new InferenceService(scope, id, props)` takes).
   */
  readonly id: string;

  /**
   * The props of the service, exactly as `new InferenceService(scope, id, props)` takes them.
   */
  readonly props: InferenceServiceProps;
}
