import { Size } from 'cdk8s';
import type { EngineFlagTable } from './engines/flag-table';
import type { EppEngineMetrics } from './epp-data-layer';
import type { KvEventsPublishing } from './epp-kv-events';
import { ModelCache, ModelCacheKind } from './model-cache';
import { ModelSource, ModelSourceKind } from './model-source';
import type { ServingMetrics } from './serving-metrics';
import * as k8s from '../imports/k8s';

/** The part of a multi-node group a pod plays. */
export enum LaunchRole {
  /** The only pod of a single-node replica. */
  SINGLE = 'single',
  /** The pod of a multi-node group that serves the API (LeaderWorkerSet worker index 0). */
  LEADER = 'leader',
  /** A pod of a multi-node group that only runs model shards (no API). */
  WORKER = 'worker',
}

/** A LoRA adapter as the engine loads it. */
/** The settings every built-in engine takes (ModelServerOptions, as the engine receives them). */
export interface EngineSettings {
  readonly image?: string;
  readonly port?: number;
  readonly extraArgs?: string[];
  readonly env?: { [name: string]: string };
}

export interface LaunchAdapter {
  readonly name: string;
  /** A Hugging Face repository id or a path inside the pod. */
  readonly source: string;
}

/** Everything an engine needs to render the command line of one pod. */
export interface LaunchContext {
  /** What the engine loads: a Hugging Face id or a path inside the pod. */
  readonly model: string;
  readonly servedModelName: string;
  readonly revision?: string;
  readonly port: number;
  readonly tensor: number;
  readonly pipeline: number;
  readonly data: number;
  /** Pods per replica (1 unless multi-node). */
  readonly nodes: number;
  readonly role: LaunchRole;
  /** The Hugging Face cache directory. */
  readonly cacheDir: string;
  readonly adapters: LaunchAdapter[];
  readonly maxLoraRank?: number;
  readonly maxLoras?: number;
  /** The pod's terminationGracePeriodSeconds. */
  readonly gracePeriodSeconds: number;
  /** Seconds the preStop hook sleeps before the server gets SIGTERM (0 without a hook). */
  readonly preStopSeconds: number;
  /** Where the API-serving process sends its traces (an OTLP traces endpoint), when the platform collects them. */
  readonly traceEndpoint?: string;
  /** The pod's role in a prefill/decode disaggregated service (the engine then configures its KV-cache transfer). */
  readonly disaggregation?: DisaggregationRole;
  /** Expert parallelism, when the service sets `parallelism.expert`. */
  readonly expert?: LaunchExpertParallelism;
  /** Where the server publishes its KV-cache events, when the endpoint picker routes on them (precise prefix cache). */
  readonly kvEvents?: KvEventsPublishing;
}

/** Expert parallelism as the engine renders it. */
export interface LaunchExpertParallelism {
  /** The all-to-all backend the user chose (undefined: the engine picks one for the pod's role). */
  readonly allToAll?: string;
  readonly loadBalancing: boolean;
  readonly redundantExperts?: number;
  /** The startup budget (maxStartupTime) in seconds: how long the engines of a group may take to come up. */
  readonly startupSeconds: number;
  /** The NCCL variables of the pod's RDMA NICs (they replace the engine's defaults of the same name). */
  readonly nicEnv: Record<string, string>;
  /** Names the user sets in env or secretEnv (the engine's defaults leave them alone). */
  readonly userEnvNames: string[];
}

/** The role of a pod in a prefill/decode disaggregated service (the `llm-d.ai/role` label value). */
export enum DisaggregationRole {
  PREFILL = 'prefill',
  DECODE = 'decode',
}

/** How an engine moves the KV cache from prefill to decode pods, and what the llm-d routing sidecar needs for it. */
export interface KvTransfer {
  /** The routing sidecar's `--kv-connector` value for the engine's connector. */
  readonly sidecarConnector: string;
  /** The port the server of a decode pod listens on behind the routing sidecar (which takes the serving port). */
  readonly decodeServerPort: number;
  /** Why the engine cannot disaggregate this parallelism, or undefined. */
  problem(p: ReplicaParallelism): string | undefined;
}

/** The timing of an HTTP probe. */
export interface ProbeTiming {
  readonly periodSeconds: number;
  readonly timeoutSeconds: number;
  readonly failureThreshold: number;
}

/** The parallelism of one replica, as the construct resolved it. */
export interface ReplicaParallelism {
  readonly tensor: number;
  readonly pipeline: number;
  readonly data: number;
  /** Pods per replica. */
  readonly nodes: number;
}

/** The container command line and engine-specific environment. */
export interface LaunchSpec {
  readonly command: string[];
  readonly args: string[];
  readonly env: k8s.EnvVar[];
}

/**
 * The load gauges of an engine the endpoint picker and metric autoscalers read: a view of ServingMetrics (the one
 * catalogue of server metric names), so a rename upstream is fixed in one place.
 */
export type EngineLoadMetrics = Pick<ServingMetrics, 'requestsWaiting' | 'requestsRunning' | 'kvCacheUsage'>;

/** Which parallelism dimensions an engine can run. */
export interface EngineParallelism {
  readonly tensor: boolean;
  readonly pipeline: boolean;
  readonly data: boolean;
  readonly multiNode: boolean;
  /** Expert parallelism for mixture-of-experts models (undefined: not wired). */
  readonly expert?: boolean;
}

/**
 * One model-server implementation (vLLM, SGLang, TGI, a custom image). Each lives in its own file under
 * `engines/`, so adding a server never means editing the construct.
 */
export interface ServerEngine {
  /** Short id, used as app.kubernetes.io/name, e.g. `vllm`. */
  readonly kind: string;
  /** Name for messages, e.g. `vLLM`. */
  readonly displayName: string;
  readonly image: string;
  readonly port: number;
  /** Liveness and startup probe path: answers once the process is up and the model is loaded. */
  readonly healthPath: string;
  /** Readiness probe path. */
  readonly readinessPath: string;
  /** The readiness probe's timing (a generation probe needs a longer timeout than a status probe). */
  readonly readinessProbe: ProbeTiming;
  /** Prometheus metrics path, served on `port` (the endpoint picker scrapes it there). */
  readonly metricsPath: string;
  /** The llm-d endpoint picker's engine type (pod label `llm-d.ai/engine-type`); undefined when it has none. */
  readonly eppEngineType?: string;
  /** The metric specs the picker reads for an engine it has no built-in mapping for (`engineConfigs`), when any. */
  readonly eppEngineMetrics?: EppEngineMetrics;
  /**
   * Host memory the server pins per pod beyond the model (bytes, e.g. vLLM's KV-cache CPU offload buffer): added to
   * the container's default memory request.
   */
  readonly hostMemoryBytes?: number;
  /** Whether `launch` publishes KV-cache events when the context asks (`kvEvents`). */
  readonly publishesKvEvents?: boolean;
  /** The load gauges (the picker's scorers and metric autoscalers read them). */
  readonly metrics: EngineLoadMetrics;
  /** Every metric name of the server, when the library knows the server (dashboards, WorkloadMonitoring). */
  readonly servingMetrics?: ServingMetrics;
  readonly parallelism: EngineParallelism;
  readonly supportsLora: boolean;
  /** How the engine transfers the KV cache between prefill and decode pods; undefined: it cannot be disaggregated here. */
  readonly kvTransfer?: KvTransfer;
  /** Whether `launch` passes `traceEndpoint` to the server (its traces go to the platform's collector). */
  readonly sendsTraces: boolean;
  /** Whether the Hugging Face id can be passed directly (the engine downloads it itself). */
  readonly downloadsFromHub: boolean;
  /** Printed at synth when the engine is used (e.g. an archived upstream). */
  readonly warning?: string;
  /** Flags the construct owns; `extraArgs` may not set them. */
  readonly ownedFlags: string[];
  /**
   * The pinned release's flag table (read from its source), when the library has one: `extraArgs` may only use its
   * flags, and every flag the engine emits is in it (test/serving/engine-flags.test.ts).
   */
  readonly flagTable?: EngineFlagTable;
  readonly extraArgs: string[];
  readonly extraEnv: { [name: string]: string };
  launch(ctx: LaunchContext): LaunchSpec;
  /**
   * Why the engine cannot split a multi-node replica this way (a message for the `parallelism` prop), or undefined.
   */
  multiNodeProblem?(p: ReplicaParallelism): string | undefined;
}

/** The readiness timing of engines without an upstream one: a period of the timeout plus 5 s (at least 5), 3 failures. */
export function defaultReadiness(timeoutSeconds: number): ProbeTiming {
  return { periodSeconds: Math.max(5, timeoutSeconds + 5), timeoutSeconds, failureThreshold: 3 };
}

/**
 * The ephemeral-storage request for a model cache that is an emptyDir without a size while the server downloads a
 * Hugging Face model into it: 100Gi, the request llm-d's reference vLLM Deployment makes for its emptyDir model
 * volume (llm-d/llm-d-router v0.10.0 config/manifests/vllm/gpu-deployment.yaml, `ephemeral-storage: "100Gi"`), so
 * the scheduler places the pod on a node with room for the weights. A sized cache requests its size instead.
 */
export const UNSIZED_CACHE_REQUEST = Size.gibibytes(100);

/** Bytes to request for an unsized emptyDir cache the weights are downloaded into (0 when the cache is not that). */
export function unsizedCacheRequestBytes(engine: ServerEngine, source: ModelSource, cache: ModelCache): number {
  const weightsInCache = source.kind === ModelSourceKind.HUGGING_FACE && engine.downloadsFromHub;
  if (cache.kind !== ModelCacheKind.EMPTY_DIR || cache.size !== undefined || !weightsInCache) return 0;
  return UNSIZED_CACHE_REQUEST.toKibibytes() * 1024;
}

/** `--flag value` pairs, dropping pairs whose value is undefined. */
export function flags(pairs: [string, string | number | undefined][]): string[] {
  const out: string[] = [];
  for (const [flag, value] of pairs) {
    if (value !== undefined) out.push(flag, String(value));
  }
  return out;
}

/** The flag names in `args` (`--x` and `--x=1` both give `--x`). */
export function flagNames(args: string[]): string[] {
  return args.filter((a) => a.startsWith('-')).map((a) => a.split('=')[0]);
}

export function envVars(values: { [name: string]: string }): k8s.EnvVar[] {
  return Object.keys(values).sort().map((name) => ({ name, value: values[name] }));
}
