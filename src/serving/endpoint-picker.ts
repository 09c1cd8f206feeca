import { ApiObject } from 'cdk8s';
import { EndpointPickerConfig } from './endpoint-picker-config';
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
   * The picker container's resources.
   *
   * @default - 1 CPU and 2Gi memory
   */
  readonly resources?: ServingResources;

  /**
   * Extra picker flags, without the leading `--` (e.g. `{ 'v': '2', 'refresh-metrics-interval': '100ms' }`). Flags
   * the release does not have, and flags the construct sets (pool, ports, config, TLS, leader election, metrics
   * auth), are refused.
   *
   * @default - none
   */
  readonly extraFlags?: { [flag: string]: string };
}

/**
 * A priority class of requests (llm-d.ai/v1alpha2 InferenceObjective). Requests carrying the header
 * `x-llm-d-inference-objective: <name>` get its priority when the pool queues: higher is served first.
 */
export interface InferenceObjectiveProps {
  /**
   * The objective's name (what clients send in the header).
   */
  readonly name: string;

  /**
   * The priority; higher is more critical, negative allowed.
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
  /** The picker's Role (read pods and the pool; leases when it has several replicas). */
  readonly role: ApiObject;
  /** Binds the Role to the ServiceAccount. */
  readonly roleBinding: ApiObject;
}
