import { ApiObject, Duration, Size } from 'cdk8s';
import { EndpointPickerConfig } from './endpoint-picker-config';
import { EppDataLayerOptions } from './epp-data-layer';
import { EppPriorityBand, EppPriorityBandLimits } from './epp-flow-control';
import { EppVersion } from './epp-version';
import { ServingResources } from './serving-props';

/** What the gateway does when the endpoint picker does not answer. */
export enum EppFailureMode {
  /** Forward to an endpoint of the gateway's choosing (llm-d's default): degraded routing, no outage. */
  FAIL_OPEN = 'FailOpen',
  /** Reject the request. */
  FAIL_CLOSE = 'FailClose',
}

/**
 * The endpoint picker (llm-d-router EPP) of a service's InferencePool.
 */
export interface EndpointPickerProps {
  /**
   * The picker release (image, flags, probe names, config format).
   *
   * @default EppVersion.V0_10_0
   */
  readonly version?: EppVersion;

  /**
   * Picker replicas. Above 1 they elect a leader (only the leader serves; the others stand by), and the picker gets
   * the Lease permissions that needs.
   *
   * @default 1
   */
  readonly replicas?: number;

  /**
   * The scheduling profile (scorers, weights, filters, picker).
   *
   * @default - EndpointPickerConfig.defaults() for servers the picker has an engine for (vLLM, SGLang),
   * EndpointPickerConfig.metricFree() otherwise
   */
  readonly config?: EndpointPickerConfig;

  /**
   * What the gateway does when the picker does not answer.
   *
   * @default EppFailureMode.FAIL_OPEN
   */
  readonly failureMode?: EppFailureMode;

  /**
   * The picker container's resources. Unset fields follow the upstream chart (llm-d-router v0.10.0
   * config/charts/routerlib/values.yaml `epp.resources`): requests 8 CPU and 8Gi, a 16Gi memory limit and no CPU limit
   * (burst capacity). A `memory` you give is both request and limit; `cpuLimit` adds a CPU limit.
   *
   * @default - requests cpu 8, memory 8Gi; limits memory 16Gi
   */
  readonly resources?: ServingResources;

  /**
   * Extra picker flags, without the leading `--` (e.g. `{ 'v': '2', 'tls-min-version': 'VersionTLS13',
   * 'grpc-max-recv-msg-size': '10MiB' }`). Any flag of the release (its own table, read from its source) is allowed
   * except those the construct sets (pool, ports, config, TLS on/off, leader election, metrics auth, experimental
   * plugins); flags the release does not have, or refuses at start, are refused at synth.
   *
   * @default - none
   */
  readonly extraFlags?: { [flag: string]: string };

  /**
   * Protect the picker's metrics endpoint with Kubernetes authentication and authorization
   * (`--metrics-endpoint-auth`, upstream default on). On, the picker gets the ClusterRole the llm-d chart grants
   * (tokenreviews and subjectaccessreviews create, GET /metrics; config/charts/routerlib/templates/_rbac.yaml) and its
   * ServiceMonitor scrapes with the picker's service-account token from a token Secret
   * (config/charts/routerlib/templates/_sa-token-secret.yaml). Off, any pod that reaches the port reads the metrics;
   * the library's NetworkPolicy lets only Prometheus reach it.
   *
   * @default false
   */
  readonly metricsAuth?: boolean;

  /**
   * Let the picker load Alpha plugins (`--allow-experimental-plugins`, llm-d-router v0.10.0). Without it a v0.10.0
   * picker refuses to start on an Alpha plugin such as `session-affinity-scorer`; false refuses such a config at
   * synth instead.
   *
   * @default - true when the scheduling profile uses a plugin the release registers as Alpha
   */
  readonly allowExperimentalPlugins?: boolean;

  /**
   * The picker's flow control (the `flowControl` feature gate of its config, off by default upstream). On, requests
   * queue in priority bands and the highest InferenceObjective priority is dispatched first. Off, priority only
   * decides shedding: a request with a negative priority is rejected while the pool is saturated, every other is
   * admitted in arrival order (llm-d-router v0.10.0 pkg/epp/requestcontrol/admission.go LegacyAdmissionController).
   *
   * @default - enabled when the service has objectives, with the picker's defaults
   */
  readonly flowControl?: EppFlowControlOptions;

  /**
   * The picker's config feature gates other than `flowControl` (which `flowControl.enabled` sets), by name: true
   * on, false off. Only gates the release registers are allowed (llm-d-router v0.10.0 cmd/epp/runner/runner.go:
   * `haPopulateNonLeaderDatastore`, on by default); the picker refuses unknown gates at start.
   *
   * @default - the release's defaults
   */
  readonly featureGates?: { [gate: string]: boolean };

  /**
   * The picker's data layer (EndpointPickerConfig `dataLayer`).
   *
   * @default - the picker's defaults for servers it reads metrics from; no metrics source for the others
   */
  readonly dataLayer?: EppDataLayerOptions;
}

/**
 * Settings of the picker's flow control (EndpointPickerConfig `flowControl`, llm-d-router v0.10.0
 * apix/config/v1alpha1/endpointpickerconfig_types.go). Unset fields keep the picker's defaults.
 */
export interface EppFlowControlOptions {
  /**
   * Turn flow control on or off.
   *
   * @default - on when the service has objectives
   */
  readonly enabled?: boolean;

  /**
   * The most requests queued or in flight across all priorities (`maxRequests`).
   *
   * @default - no global limit (each priority band: 5000)
   */
  readonly maxRequests?: number;

  /**
   * How long a request may wait in the queue before it is shed with a retryable error (`defaultRequestTTL`).
   *
   * Zero lets requests wait until the client gives up.
   *
   * @default Duration.seconds(60)
   */
  readonly requestTtl?: Duration;

  /**
   * The most request bytes queued or in flight across all priorities (`maxBytes`).
   *
   * @default - no global limit (each priority band: 1 GB)
   */
  readonly maxBytes?: Size;

  /**
   * Capacity and policies of given priority levels (`priorityBands`), one band per priority.
   *
   * @default - every priority gets the default band
   */
  readonly priorityBands?: EppPriorityBand[];

  /**
   * The template of bands for priorities without a band of their own (`defaultPriorityBand`).
   *
   * @default - 5000 requests, 1 GB, global-strict fairness, first come first served
   */
  readonly defaultPriorityBand?: EppPriorityBandLimits;

  /**
   * The template of bands for negative priorities without a band of their own (`defaultNegativePriorityBand`): small
   * limits make sheddable traffic fail fast under saturation instead of queueing.
   *
   * @default - the default band
   */
  readonly defaultNegativePriorityBand?: EppPriorityBandLimits;

  /**
   * Evict in-flight requests of negative priority when higher priorities are blocked by a saturated pool
   * (`enableEviction`, llm-d-router v0.10.0 docs/flow-control-eviction.md).
   *
   * @default false
   */
  readonly eviction?: boolean;
}

/**
 * A priority class of requests (llm-d.ai/v1alpha2 InferenceObjective). Requests carrying the header
 * `x-llm-d-inference-objective: <name>` get its priority. With the picker's flow control (on by default when a
 * service has objectives) higher priorities are dispatched first; without it only a negative priority matters: such
 * requests are shed while the pool is saturated.
 */
export interface InferenceObjectiveProps {
  /**
   * The objective's name (what clients send in the header).
   */
  readonly name: string;

  /**
   * The priority: higher is more critical, and negative values are allowed.
   */
  readonly priority: number;
}

/**
 * A target of a model rewrite.
 */
export interface ModelRewriteTarget {
  /**
   * The model the request is rewritten to: the service's served model name or one of its LoRA adapters.
   */
  readonly model: string;

  /**
   * The share of requests, proportional to the other targets' weights (1 to 1,000,000). Either every target of a
   * rewrite has a weight or none has.
   *
   * @default - requests go to the first target
   */
  readonly weight?: number;
}

/**
 * A client-visible model name the endpoint picker rewrites (llm-d.ai/v1alpha2 InferenceModelRewrite): an alias,
 * or a canary between the base model and LoRA adapters behind one name.
 */
export interface ModelRewriteProps {
  /**
   * The model name clients send.
   */
  readonly model: string;

  /**
   * The models it is rewritten to.
   */
  readonly targets: ModelRewriteTarget[];
}

/**
 * The objects of a service's endpoint picker, as escape hatches.
 */
export interface EndpointPickerObjects {
  /** The picker Deployment. */
  readonly deployment: ApiObject;
  /** The picker Service (gRPC ext_proc and metrics). */
  readonly service: ApiObject;
  /** The picker's ServiceAccount. */
  readonly serviceAccount: ApiObject;
  /** The picker's configuration (EndpointPickerConfig in a ConfigMap). */
  readonly configMap: ApiObject;
  /** The picker's Role: it reads pods and the pool, and manages leases when the picker has several replicas. */
  readonly role: ApiObject;
  /** Binds the Role to the ServiceAccount. */
  readonly roleBinding: ApiObject;
  /**
   * The ClusterRole for metrics authentication.
   *
   * @default - undefined: metrics auth is off
   */
  readonly metricsAuthClusterRole?: ApiObject;
}
