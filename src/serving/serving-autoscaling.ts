import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { invalidProp, requireInteger, ValidationError } from '../internal/errors';
import { checkProps, opt, req } from '../internal/runtime-checks';

const METRIC = 'a ServerMetric such as ServerMetric.KV_CACHE_USAGE';

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

/** How replicas are scaled. */
export enum AutoscalerKind {
  /** HorizontalPodAutoscaler on CPU utilisation. */
  CPU = 'Cpu',
  /** HorizontalPodAutoscaler on a per-pod server metric from the custom metrics API. */
  SERVER_METRIC = 'ServerMetric',
  /** KEDA ScaledObject with a Prometheus trigger. */
  KEDA = 'Keda',
}

/**
 * The replica range of an autoscaled service.
 */
export interface AutoscalingRange {
  /**
   * The fewest replicas (KEDA: 0 scales to zero).
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
   */
  readonly prometheusAddress: string;

  /**
   * How often KEDA evaluates the trigger.
   *
   * @default Duration.seconds(30)
   */
  readonly pollingInterval?: Duration;
}

/**
 * How an InferenceService scales.
 *
 * ```ts
 * ServingAutoscaling.cpu({ minReplicas: 1, maxReplicas: 4 })
 * ServingAutoscaling.serverMetric({ minReplicas: 2, maxReplicas: 8, metric: ServerMetric.QUEUE_DEPTH, target: 5 })
 * ServingAutoscaling.keda({ minReplicas: 1, maxReplicas: 8, metric: ServerMetric.KV_CACHE_USAGE, target: 0.8,
 *   prometheusAddress: 'http://prometheus-operated.monitoring.svc:9090' })
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
    checkProps('ServingAutoscaling.keda', 'KedaAutoscalingOptions', options, {
      minReplicas: req('number', 'an integer >= 0'),
      maxReplicas: req('number', 'an integer >= 1'),
      metric: req('string', METRIC),
      target: req('number'),
      prometheusAddress: req('string', 'a URL such as "http://prometheus-operated.monitoring.svc:9090"'),
      pollingInterval: opt('duration'),
    });
    return new ServingAutoscaling(AutoscalerKind.KEDA, options, options.target, options.metric, undefined,
      options.prometheusAddress, options.pollingInterval);
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

  private constructor(kind: AutoscalerKind, range: AutoscalingRange, target: number, metric?: ServerMetric,
    metricName?: string, prometheusAddress?: string, pollingInterval?: Duration) {
    this.kind = kind;
    this.minReplicas = range.minReplicas;
    this.maxReplicas = range.maxReplicas;
    this.target = target;
    this.metric = metric;
    this.metricName = metricName;
    this.prometheusAddress = prometheusAddress;
    this.pollingInterval = pollingInterval;
  }

  /** @internal */
  public _validate(scope: IConstruct): void {
    requireInteger(scope, 'autoscaling.minReplicas', this.minReplicas, this.kind === AutoscalerKind.KEDA ? 0 : 1, 1000);
    requireInteger(scope, 'autoscaling.maxReplicas', this.maxReplicas, Math.max(1, this.minReplicas), 1000);
    if (this.kind === AutoscalerKind.CPU) {
      requireInteger(scope, 'autoscaling.targetUtilizationPercent', this.target, 1, 1000);
      return;
    }
    if (this.metric === ServerMetric.KV_CACHE_USAGE) {
      if (!(this.target > 0 && this.target <= 1)) throw invalidProp(scope, 'autoscaling.target', this.target, 'a fraction above 0 and at most 1 for KV-cache usage');
    } else {
      requireInteger(scope, 'autoscaling.target', this.target, 1, 100000);
    }
    if (this.metricName !== undefined && (!this.metricName || /[/%\s]/.test(this.metricName))) {
      throw invalidProp(scope, 'autoscaling.metricName', this.metricName, 'a metric name without "/", "%" or spaces');
    }
    if (this.kind === AutoscalerKind.KEDA) {
      if (!/^https?:\/\/\S+$/.test(this.prometheusAddress ?? '')) {
        throw invalidProp(scope, 'autoscaling.prometheusAddress', this.prometheusAddress, 'an http:// or https:// URL of a Prometheus server');
      }
      const seconds = this.pollingInterval ? this.pollingInterval.toMilliseconds() / 1000 : undefined;
      if (seconds !== undefined && (!Number.isInteger(seconds) || seconds < 1)) {
        throw new ValidationError(scope, 'autoscaling.pollingInterval', `got ${seconds}s; expected a whole number of seconds, at least 1`);
      }
    }
  }

  /**
   * The target as a Kubernetes quantity string.
   * @internal
   */
  public _targetQuantity(): string {
    return this.metric === ServerMetric.KV_CACHE_USAGE ? `${Math.round(this.target * 1000)}m` : String(this.target);
  }
}
