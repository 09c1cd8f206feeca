import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { invalidProp, requireInteger, ValidationError } from '../internal/errors';
import { checkProps, opt, req } from '../internal/runtime-checks';

const METRIC = 'a ServerMetric such as ServerMetric.KV_CACHE_USAGE';
const POOL_METRIC = 'a PoolMetric such as PoolMetric.AVERAGE_QUEUE_SIZE';
const PROMETHEUS = 'a URL such as "http://prometheus-operated.monitoring.svc:9090"';

/**
 * A model-server metric to scale on. Each server maps it to its own Prometheus name (vLLM
 * `vllm:num_requests_waiting`, SGLang `sglang:num_queue_reqs`, ...).
 */
export enum ServerMetric {
  /** Requests waiting in the server's queue, per replica (target: an integer). */
  QUEUE_DEPTH = 'QueueDepth',
  /** Requests being processed, per replica (target: an integer). */
  RUNNING_REQUESTS = 'RunningRequests',
  /** KV-cache utilisation, 0 to 1, averaged over replicas (target: a fraction). */
  KV_CACHE_USAGE = 'KvCacheUsage',
}

/**
 * A saturation signal of a routed service's InferencePool, as its endpoint picker exports it (llm-d-router v0.10.0
 * `pkg/epp/metrics/llm_d_router_metrics.go`, labelled with the pool's name). The averages are over the endpoints the
 * picker has fresh metrics from; the flow-control signals need the picker's flow control.
 */
export enum PoolMetric {
  /** Requests waiting in the model servers' queues, averaged over the pool as `llm_d_epp_average_queue_size` (target: an integer per replica). */
  AVERAGE_QUEUE_SIZE = 'AverageQueueSize',
  /** KV-cache utilisation averaged over the pool, 0 to 1 as `llm_d_epp_average_kv_cache_utilization` (target: a fraction). */
  AVERAGE_KV_CACHE_UTILIZATION = 'AverageKvCacheUtilization',
  /** Requests being processed, averaged over the pool as `llm_d_epp_average_running_requests` (target: an integer per replica). */
  AVERAGE_RUNNING_REQUESTS = 'AverageRunningRequests',
  /** Requests held in the picker's flow-control queue as `llm_d_epp_flow_control_queue_size` (target: queued requests per replica). */
  FLOW_CONTROL_QUEUE_SIZE = 'FlowControlQueueSize',
  /** The saturation flow control gates dispatch on, 1.0 at its set point as `llm_d_epp_flow_control_pool_saturation` (target: a fraction). */
  FLOW_CONTROL_SATURATION = 'FlowControlSaturation',
}

/** How replicas are scaled. */
export enum AutoscalerKind {
  /** HorizontalPodAutoscaler on CPU utilisation. */
  CPU = 'Cpu',
  /** HorizontalPodAutoscaler on a per-pod server metric from the custom metrics API. */
  SERVER_METRIC = 'ServerMetric',
  /** KEDA ScaledObject with a Prometheus trigger over a server metric. */
  KEDA = 'Keda',
  /** KEDA ScaledObject with a Prometheus trigger over the endpoint picker's metric of the service's pool. */
  KEDA_POOL = 'KedaPool',
  /** HorizontalPodAutoscaler on the endpoint picker's metric of the service's pool, from the external metrics API. */
  EXTERNAL_POOL = 'ExternalPool',
}

/**
 * The replica range of an autoscaled service.
 */
export interface AutoscalingRange {
  /**
   * The fewest replicas (KEDA: 0 scales to zero, on a routed service whose endpoint picker runs flow control).
   */
  readonly minReplicas: number;

  /**
   * The most replicas. GPU quotas and the node pool are checked against this figure.
   */
  readonly maxReplicas: number;
}

/**
 * Scaling on CPU utilisation.
 */
export interface CpuAutoscalingOptions extends AutoscalingRange {
  /**
   * The target average CPU utilisation, in percent of the CPU request (the service must request CPU).
   *
   * @default 70
   */
  readonly targetUtilizationPercent?: number;
}

/**
 * Scaling on a server metric through the HorizontalPodAutoscaler.
 */
export interface ServerMetricAutoscalingOptions extends AutoscalingRange {
  /**
   * The metric.
   */
  readonly metric: ServerMetric;

  /**
   * The target per replica: an integer for queue depth and running requests, a fraction (0 to 1) for KV-cache usage.
   */
  readonly target: number;

  /**
   * The metric's name in the custom metrics API, as your adapter (e.g. prometheus-adapter) exposes it.
   *
   * @default - the server's Prometheus metric name
   */
  readonly metricName?: string;
}

/**
 * Scaling on a server metric through KEDA (needs the KEDA and prometheus-operator add-ons in the ClusterProfile).
 */
export interface KedaAutoscalingOptions extends AutoscalingRange {
  /**
   * The metric.
   */
  readonly metric: ServerMetric;

  /**
   * The target per replica: an integer for queue depth and running requests, a fraction (0 to 1) for KV-cache usage.
   */
  readonly target: number;

  /**
   * The Prometheus server KEDA queries, e.g. `http://prometheus-operated.monitoring.svc:9090`.
   *
   * @default - the address of the monitoring stack that scrapes the service (the PlatformObservability's, else the
   * ClusterProfile's prometheus-operator add-on's; `MonitoringStack.prometheusAddress`, by default the
   * prometheus-operator's `prometheus-operated` Service on port 9090 in the stack's namespace); required when the app
   * declares neither
   */
  readonly prometheusAddress?: string;

  /**
   * How often KEDA evaluates the trigger.
   *
   * @default Duration.seconds(30)
   */
  readonly pollingInterval?: Duration;

  /**
   * How long KEDA waits after the last active trigger before it scales to zero (only with `minReplicas: 0`).
   *
   * @default Duration.minutes(5) (KEDA v2.20.2 pkg/scaling/executor/scale_executor.go defaultCooldownPeriod)
   */
  readonly cooldownPeriod?: Duration;
}

/**
 * Scaling on the endpoint picker's signal for the service's InferencePool, through KEDA (needs a route, and the KEDA
 * and prometheus-operator add-ons in the ClusterProfile).
 *
 * With `minReplicas: 0` the picker must run flow control, which holds requests while the pool has no ready
 * endpoint; they wait at most its `requestTtl` (60 seconds by default) for a replica to become ready.
 */
export interface KedaPoolAutoscalingOptions extends AutoscalingRange {
  /**
   * The pool signal.
   */
  readonly metric: PoolMetric;

  /**
   * The target per replica: an integer for queue sizes and running requests, a fraction (0 to 1) for KV-cache
   * utilisation and flow-control saturation.
   */
  readonly target: number;

  /**
   * The Prometheus server KEDA queries, e.g. `http://prometheus-operated.monitoring.svc:9090`.
   *
   * @default - the address of the monitoring stack that scrapes the service (the PlatformObservability's, else the
   * ClusterProfile's prometheus-operator add-on's; `MonitoringStack.prometheusAddress`, by default the
   * prometheus-operator's `prometheus-operated` Service on port 9090 in the stack's namespace); required when the app
   * declares neither
   */
  readonly prometheusAddress?: string;

  /**
   * How often KEDA evaluates the triggers.
   *
   * @default Duration.seconds(30)
   */
  readonly pollingInterval?: Duration;

  /**
   * How long KEDA waits after the last active trigger before it scales to zero (only with `minReplicas: 0`).
   *
   * @default Duration.minutes(5) (KEDA v2.20.2 pkg/scaling/executor/scale_executor.go defaultCooldownPeriod)
   */
  readonly cooldownPeriod?: Duration;
}

/**
 * Scaling on the endpoint picker's signal for the service's InferencePool through a HorizontalPodAutoscaler on an
 * `External` metric (needs a route, and an external metrics adapter such as prometheus-adapter serving the metric).
 *
 * The metric is asked for by name with the pool's label as its selector (`name` for the averages, `inference_pool`
 * for the flow-control signals), in the service's namespace: the convention of prometheus-adapter's `externalRules`,
 * which turn the selector into `<<.LabelMatchers>>` and add the HPA's namespace as a `namespace` matcher
 * (kubernetes-sigs/prometheus-adapter v0.12.0, docs/externalmetrics.md).
 */
export interface ExternalPoolAutoscalingOptions extends AutoscalingRange {
  /**
   * The pool signal.
   */
  readonly metric: PoolMetric;

  /**
   * The target per replica: an integer for queue sizes and running requests, a fraction (0 to 1) for KV-cache
   * utilisation and flow-control saturation.
   */
  readonly target: number;

  /**
   * The metric's name in the external metrics API, as your adapter's rule names it.
   *
   * @default - the picker's Prometheus name, e.g. `llm_d_epp_average_queue_size` (prometheus-adapter keeps a series'
   * name unless the rule's `name` renames it)
   */
  readonly metricName?: string;
}

/**
 * How an InferenceService scales.
 *
 * ```ts
 * ServingAutoscaling.cpu({ minReplicas: 1, maxReplicas: 4 })
 * ServingAutoscaling.serverMetric({ minReplicas: 2, maxReplicas: 8, metric: ServerMetric.QUEUE_DEPTH, target: 5 })
 * ServingAutoscaling.keda({ minReplicas: 1, maxReplicas: 8, metric: ServerMetric.KV_CACHE_USAGE, target: 0.8,
 *   prometheusAddress: 'http://prometheus-operated.monitoring.svc:9090' })
 * ServingAutoscaling.kedaPool({ minReplicas: 0, maxReplicas: 8, metric: PoolMetric.AVERAGE_QUEUE_SIZE, target: 5,
 *   prometheusAddress: 'http://prometheus-operated.monitoring.svc:9090' })
 * ServingAutoscaling.externalPoolMetric({ minReplicas: 1, maxReplicas: 8, metric: PoolMetric.AVERAGE_QUEUE_SIZE, target: 5 })
 * ```
 */
export class ServingAutoscaling {
  /**
   * A HorizontalPodAutoscaler on CPU utilisation (rarely the bottleneck of a GPU server: prefer a server metric).
   */
  public static cpu(options: CpuAutoscalingOptions): ServingAutoscaling {
    checkProps('ServingAutoscaling.cpu', 'CpuAutoscalingOptions', options, { minReplicas: req('number', 'an integer >= 0'), maxReplicas: req('number', 'an integer >= 1'), targetUtilizationPercent: opt('number') });
    return new ServingAutoscaling(AutoscalerKind.CPU, options, options.targetUtilizationPercent ?? 70);
  }

  /**
   * A HorizontalPodAutoscaler on a per-pod server metric.
   *
   * It needs a custom metrics adapter that serves the metric.
   */
  public static serverMetric(options: ServerMetricAutoscalingOptions): ServingAutoscaling {
    checkProps('ServingAutoscaling.serverMetric', 'ServerMetricAutoscalingOptions', options, {
      minReplicas: req('number', 'an integer >= 0'), maxReplicas: req('number', 'an integer >= 1'), metric: req('string', METRIC), target: req('number'), metricName: opt('string'),
    });
    return new ServingAutoscaling(AutoscalerKind.SERVER_METRIC, options, options.target, options.metric, options.metricName);
  }

  /**
   * A KEDA ScaledObject with a Prometheus trigger over the server's metric (scraped by the generated PodMonitor).
   */
  public static keda(options: KedaAutoscalingOptions): ServingAutoscaling {
    checkProps('ServingAutoscaling.keda', 'KedaAutoscalingOptions', options, kedaChecks(METRIC));
    return new ServingAutoscaling(AutoscalerKind.KEDA, options, options.target, options.metric, undefined,
      options.prometheusAddress, options.pollingInterval, undefined, options.cooldownPeriod);
  }

  /**
   * A KEDA ScaledObject with a Prometheus trigger over the endpoint picker's signal for the service's InferencePool
   * (scraped by the picker's ServiceMonitor): the pool as the gateway sees it, rather than each server's own view.
   *
   * With `minReplicas: 0` a second trigger, 1 while any request waits in the picker's flow-control queue, scales the
   * service up from zero.
   */
  public static kedaPool(options: KedaPoolAutoscalingOptions): ServingAutoscaling {
    checkProps('ServingAutoscaling.kedaPool', 'KedaPoolAutoscalingOptions', options, kedaChecks(POOL_METRIC));
    return new ServingAutoscaling(AutoscalerKind.KEDA_POOL, options, options.target, undefined, undefined,
      options.prometheusAddress, options.pollingInterval, options.metric, options.cooldownPeriod);
  }

  /**
   * A HorizontalPodAutoscaler on the endpoint picker's signal for the service's InferencePool, read from the external
   * metrics API (an alternative to `kedaPool` for clusters that run prometheus-adapter rather than KEDA).
   *
   * Scaling to zero (`minReplicas: 0`) needs the HPAScaleToZero feature gate (alpha and off up to Kubernetes 1.36,
   * beta and on from 1.37) and, like `kedaPool`, a picker whose flow control holds requests; a second metric, the
   * picker's flow-control queue, then scales the service up from zero.
   */
  public static externalPoolMetric(options: ExternalPoolAutoscalingOptions): ServingAutoscaling {
    checkProps('ServingAutoscaling.externalPoolMetric', 'ExternalPoolAutoscalingOptions', options, {
      minReplicas: req('number', 'an integer >= 0'),
      maxReplicas: req('number', 'an integer >= 1'),
      metric: req('string', POOL_METRIC),
      target: req('number'),
      metricName: opt('string'),
    });
    return new ServingAutoscaling(AutoscalerKind.EXTERNAL_POOL, options, options.target, undefined, options.metricName,
      undefined, undefined, options.metric);
  }

  /** How replicas are scaled. */
  public readonly kind: AutoscalerKind;
  /** The fewest replicas. */
  public readonly minReplicas: number;
  /** The most replicas. */
  public readonly maxReplicas: number;
  /** The target: CPU percent, or the metric's per-replica value. */
  public readonly target: number;
  /** The server metric, unless scaling on CPU. */
  public readonly metric?: ServerMetric;
  /** The custom-metrics name override. */
  public readonly metricName?: string;
  /** The Prometheus address, for KEDA. */
  public readonly prometheusAddress?: string;
  /** KEDA's polling interval. */
  public readonly pollingInterval?: Duration;
  /** The pool signal, when scaling on the endpoint picker's metric. */
  public readonly poolMetric?: PoolMetric;
  /** KEDA's cooldown before scaling to zero. */
  public readonly cooldownPeriod?: Duration;

  private constructor(kind: AutoscalerKind, range: AutoscalingRange, target: number, metric?: ServerMetric,
    metricName?: string, prometheusAddress?: string, pollingInterval?: Duration, poolMetric?: PoolMetric, cooldownPeriod?: Duration) {
    this.kind = kind;
    this.minReplicas = range.minReplicas;
    this.maxReplicas = range.maxReplicas;
    this.target = target;
    this.metric = metric;
    this.metricName = metricName;
    this.prometheusAddress = prometheusAddress;
    this.pollingInterval = pollingInterval;
    this.poolMetric = poolMetric;
    this.cooldownPeriod = cooldownPeriod;
  }

  /** Whether this is a KEDA ScaledObject (of either kind). */
  private get keda(): boolean {
    return this.kind === AutoscalerKind.KEDA || this.kind === AutoscalerKind.KEDA_POOL;
  }

  /**
   * Whether this scales on a signal of the service's InferencePool (KEDA or the external metrics API).
   * @internal
   */
  public get _onPool(): boolean {
    return this.kind === AutoscalerKind.KEDA_POOL || this.kind === AutoscalerKind.EXTERNAL_POOL;
  }

  /** @internal */
  public _validate(scope: IConstruct): void {
    // Zero: KEDA, or the HPA on an external metric (the HPAScaleToZero gate is checked against the profile).
    requireInteger(scope, 'autoscaling.minReplicas', this.minReplicas, this.keda || this.kind === AutoscalerKind.EXTERNAL_POOL ? 0 : 1, 1000);
    requireInteger(scope, 'autoscaling.maxReplicas', this.maxReplicas, Math.max(1, this.minReplicas), 1000);
    if (this.kind === AutoscalerKind.CPU) {
      requireInteger(scope, 'autoscaling.targetUtilizationPercent', this.target, 1, 1000);
      return;
    }
    if (this._onPool && !Object.values(PoolMetric).includes(this.poolMetric!)) {
      throw invalidProp(scope, 'autoscaling.metric', this.poolMetric, `one of ${Object.values(PoolMetric).map((m) => JSON.stringify(m)).join(', ')} (PoolMetric)`);
    }
    if (this._fractionTarget()) {
      if (!(this.target > 0 && this.target <= 1)) {
        throw invalidProp(scope, 'autoscaling.target', this.target, this.poolMetric === PoolMetric.FLOW_CONTROL_SATURATION
          ? 'a fraction above 0 and at most 1 for flow-control saturation (at 1 the picker starts holding requests)'
          : 'a fraction above 0 and at most 1 for KV-cache usage');
      }
    } else {
      requireInteger(scope, 'autoscaling.target', this.target, 1, 100000);
    }
    if (this.metricName !== undefined && (!this.metricName || /[/%\s]/.test(this.metricName))) {
      throw invalidProp(scope, 'autoscaling.metricName', this.metricName, 'a metric name without "/", "%" or spaces');
    }
    if (this.keda) {
      if (this.prometheusAddress !== undefined && !/^https?:\/\/\S+$/.test(this.prometheusAddress)) {
        throw invalidProp(scope, 'autoscaling.prometheusAddress', this.prometheusAddress, 'an http:// or https:// URL of a Prometheus server');
      }
      wholeSeconds(scope, 'autoscaling.pollingInterval', this.pollingInterval);
      wholeSeconds(scope, 'autoscaling.cooldownPeriod', this.cooldownPeriod);
      if (this.cooldownPeriod && this.minReplicas > 0) {
        throw new ValidationError(scope, 'autoscaling.cooldownPeriod', `is set, but minReplicas is ${this.minReplicas}: KEDA waits it out only before scaling to zero; ` +
          'unset it or set minReplicas to 0');
      }
    }
  }

  /**
   * Whether the target is a fraction (KV-cache usage, flow-control saturation) rather than a count.
   * @internal
   */
  public _fractionTarget(): boolean {
    return this.metric === ServerMetric.KV_CACHE_USAGE || this.poolMetric === PoolMetric.AVERAGE_KV_CACHE_UTILIZATION
      || this.poolMetric === PoolMetric.FLOW_CONTROL_SATURATION;
  }

  /**
   * The target as a Kubernetes quantity string.
   * @internal
   */
  public _targetQuantity(): string {
    return this.metric === ServerMetric.KV_CACHE_USAGE ? `${Math.round(this.target * 1000)}m` : String(this.target);
  }
}

function wholeSeconds(scope: IConstruct, prop: string, d: Duration | undefined): void {
  const seconds = d ? d.toMilliseconds() / 1000 : undefined;
  if (seconds !== undefined && (!Number.isInteger(seconds) || seconds < 1)) {
    throw new ValidationError(scope, prop, `got ${seconds}s; expected a whole number of seconds, at least 1`);
  }
}

/** The checks of the KEDA options, server metric or pool metric (`metric` says which, for the message). */
function kedaChecks(metric: string) {
  return {
    minReplicas: req('number', 'an integer >= 0'),
    maxReplicas: req('number', 'an integer >= 1'),
    metric: req('string', metric),
    target: req('number'),
    prometheusAddress: opt('string', PROMETHEUS),
    pollingInterval: opt('duration'),
    cooldownPeriod: opt('duration'),
  };
}
