import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { localQueueQuantile } from './kueue-queries';
import { PlatformObservability } from './platform-observability';
import { DcgmLabels } from '../../accelerators/dcgm-labels';
import { gpuMemoryRatio, gpuUtilization } from '../../accelerators/dcgm-queries';
import { ClusterAddon } from '../../cluster/cluster-addon';
import { ClusterProfile } from '../../cluster/cluster-profile';
import { monitoringStackOf } from '../../cluster/stack-of';
import { FastApiObject } from '../../imports/fast-api-object';
import { invalidProp, ValidationError } from '../../internal/errors';
import { standardLabels } from '../../internal/labels';
import { claimName, isDnsLabel, resourceName } from '../../internal/names';
import { namespaceOf } from '../../internal/namespace';
import { eq, num, quantile, re, regexLiteral, restarts } from '../../internal/promql';
import { isDnsSubdomain, requireLabels } from '../../internal/qualified-name';
import { checkProps, opt, req, requireKind } from '../../internal/runtime-checks';
import { allowTraffic } from '../../security/tenant-network';
import { InferenceService } from '../../serving/inference-service';
import { ServingMetrics } from '../../serving/serving-metrics';
import { recordServingMetrics } from '../../serving/serving-metrics-registry';
import { servingErrorRatio } from '../../serving/serving-queries';

/**
 * Alert thresholds of a workload.
 */
export interface MonitoringThresholds {
  /**
   * Alert when p95 request latency stays above this many seconds for 10 minutes (serving only).
   *
   * @default 10
   */
  readonly latencyP95Seconds?: number;

  /**
   * Alert when the failed-request ratio stays above this for 10 minutes (serving only).
   *
   * @default 0.05
   */
  readonly errorRatio?: number;

  /**
   * Alert when the workload's GPUs stay below this utilization (percent) for an hour.
   *
   * @default 10
   */
  readonly gpuIdlePercent?: number;

  /**
   * Alert when GPU framebuffer use stays above this ratio for 10 minutes.
   *
   * @default 0.95
   */
  readonly gpuMemoryRatio?: number;

  /**
   * Alert when the p90 Kueue admission wait of the workload's queue exceeds this many seconds (queued workloads only).
   *
   * @default 1800
   */
  readonly queueWaitSeconds?: number;

  /**
   * Alert when containers restart more than this many times in an hour.
   *
   * @default 3
   */
  readonly restartsPerHour?: number;
}

/**
 * Props for WorkloadMonitoring.
 */
export interface WorkloadMonitoringProps {
  /**
   * Labels that select exactly the workload's pods.
   */
  readonly podLabels: { [key: string]: string };

  /**
   * The prefix of the workload's pod names (the Deployment, LeaderWorkerSet or JobSet name), to scope GPU and
   * restart queries to its pods. It also names the PodMonitor, the PrometheusRule and the alerts (when it is a
   * DNS-1123 label; else they are named after the construct's parent).
   */
  readonly podNamePrefix: string;

  /**
   * The name of the container port serving metrics, which a PodMonitor scrapes.
   *
   * @default - no PodMonitor (the workload exposes no metrics of its own)
   */
  readonly metricsPort?: string;

  /**
   * The metrics path.
   *
   * @default '/metrics'
   */
  readonly metricsPath?: string;

  /**
   * The model server's metric names: adds latency and error-rate alerts.
   *
   * @default - not a model server
   */
  readonly serving?: ServingMetrics;

  /**
   * The Kueue LocalQueue the workload is queued in: adds a queue-time alert.
   *
   * @default - not queued
   */
  readonly localQueue?: string;

  /**
   * Whether the pods hold GPUs: adds GPU idle and memory alerts from DCGM.
   *
   * @default true
   */
  readonly gpus?: boolean;

  /**
   * Pod labels copied onto scraped series (e.g. `rollouts-pod-template-hash` for canary queries).
   *
   * @default - none
   */
  readonly podTargetLabels?: string[];

  /**
   * Alert thresholds.
   *
   * @default - the defaults of MonitoringThresholds
   */
  readonly thresholds?: MonitoringThresholds;
}

/**
 * Options for the alerts of an InferenceService (`WorkloadMonitoring.forService`, `WorkloadMonitoring.forServices`).
 */
export interface ServiceMonitoringOptions {
  /**
   * The model server's metric names, for the latency and error-rate alerts.
   *
   * @default - the service's server's own (`server.metrics`)
   */
  readonly serving?: ServingMetrics;

  /**
   * Whether the pods hold GPUs: adds GPU idle and memory alerts from DCGM.
   *
   * @default true
   */
  readonly gpus?: boolean;

  /**
   * Alert thresholds.
   *
   * @default - the defaults of MonitoringThresholds
   */
  readonly thresholds?: MonitoringThresholds;
}

/** The id of a service's monitoring under the service (`forService`, `forServices`). */
const ALERTS = 'Alerts';

/**
 * Monitoring for one serving or training workload: a PodMonitor on its metrics port (labelled so the platform's
 * Prometheus selects it, with the NetworkPolicy edge from Prometheus) and a PrometheusRule with its alerts: GPU
 * idle and memory pressure (DCGM), restarts (kube-state-metrics), queue time (Kueue), latency and error rate
 * (model server). Settings come from the PlatformObservability up the tree, else from the ClusterProfile's
 * prometheus-operator add-on (kube-prometheus-stack defaults unless it says otherwise).
 */
export class WorkloadMonitoring extends Construct {
  /**
   * The alerts of an InferenceService (child `Alerts`): its pods, its pod names and its server's metric names, in one
   * call. Each call from Python or Go crosses to the library's runtime once, where building the props from the
   * service (`selector`, `name`) would cross three times: a fleet of thousands of services builds faster.
   *
   * @param service The service to watch.
   * @param options Metric names, GPU alerts and thresholds.
   */
  public static forService(service: InferenceService, options: ServiceMonitoringOptions = {}): WorkloadMonitoring {
    const factory = 'WorkloadMonitoring.forService';
    requireKind(factory, 'service', service, req(InferenceService, 'an InferenceService'));
    options = checkServiceOptions(factory, options);
    requireUnmonitored(service, 'service');
    return monitorService(service, options);
  }

  /**
   * The alerts of many InferenceServices in one call, each exactly as `WorkloadMonitoring.forService(service, options)`.
   *
   * The services and options are checked first (a service given twice, or one already monitored, creates nothing),
   * then each service gets its monitoring in the order given. From Python or Go the call crosses to the library's
   * runtime once, where `forService` crosses once per service: with `InferenceService.declareMany`, a tenant of many
   * services builds in two calls.
   *
   * @param services The services to watch.
   * @param options Metric names, GPU alerts and thresholds, the same for every service.
   * @returns The monitorings, in the order of `services`.
   */
  public static forServices(services: InferenceService[], options: ServiceMonitoringOptions = {}): WorkloadMonitoring[] {
    const factory = 'WorkloadMonitoring.forServices';
    requireKind(factory, 'services', services, req('array', 'an array of InferenceServices'));
    services.forEach((service, i) => requireKind(factory, `services[${i}]`, service, req(InferenceService, 'an InferenceService')));
    options = checkServiceOptions(factory, options);
    const seen = new Map<InferenceService, number>();
    services.forEach((service, i) => {
      const earlier = seen.get(service);
      if (earlier !== undefined) {
        throw new ValidationError(service, `services[${i}]`, `got the service of services[${earlier}] again; expected each service once`);
      }
      requireUnmonitored(service, `services[${i}]`);
      seen.set(service, i);
    });
    return services.map((service) => monitorService(service, options));
  }

  /** The PodMonitor, when the workload has a metrics port. */
  public readonly podMonitor?: ApiObject;
  /** The PrometheusRule with the workload's alerts. */
  public readonly rules: ApiObject;
  /** The alert names, in order. */
  public readonly alertNames: string[];

  constructor(scope: Construct, id: string, props: WorkloadMonitoringProps) {
    super(scope, id);
    checkProps(this, 'WorkloadMonitoringProps', props, {
      podLabels: req('string-map', 'labels selecting the workload\'s pods, such as { app: "trainer" }'),
      podNamePrefix: req('string', 'a pod name prefix (DNS-1123)'),
      metricsPort: opt('string'),
      metricsPath: opt('string'),
      serving: opt(ServingMetrics, 'a ServingMetrics such as ServingMetrics.vllm()'),
      localQueue: opt('string'),
      gpus: opt('boolean'),
      podTargetLabels: opt('string[]'),
      thresholds: opt('object'),
    });
    ClusterProfile.of(this)._requireAddon(this, 'monitoring', ClusterAddon.PROMETHEUS_OPERATOR, 'WorkloadMonitoring (PodMonitor, PrometheusRule)');
    const platform = PlatformObservability.of(this);
    const stack = monitoringStackOf(this);
    const dcgmLabels = platform?.dcgmLabels ?? DcgmLabels.EXPORTED;
    const namespace = namespaceOf(this);
    const t = resolveThresholds(this, props.thresholds ?? {});
    if (Object.keys(props.podLabels).length === 0) throw invalidProp(this, 'podLabels', props.podLabels, 'at least one label selecting the workload\'s pods');
    const podLabels = requireLabels(this, 'podLabels', props.podLabels);
    if (!isDnsSubdomain(props.podNamePrefix)) throw invalidProp(this, 'podNamePrefix', props.podNamePrefix, 'a pod name prefix (DNS-1123)');
    // Named after the workload it watches (its pod name prefix is the Deployment, LeaderWorkerSet or JobSet name), so
    // the alerts and their `workload` label say which workload it is, and two workloads of one tenant do not collide.
    const name = isDnsLabel(props.podNamePrefix) ? props.podNamePrefix : resourceName(scope);
    const labels = { ...standardLabels({ name: 'workload-monitoring', instance: name, component: 'monitoring' }), ...stack.selectorLabels };
    if (props.serving) recordServingMetrics(this, props.serving);

    if (props.metricsPort !== undefined) {
      if (!/^(?=.*[a-z])[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/.test(props.metricsPort)) throw invalidProp(this, 'metricsPort', props.metricsPort, 'a container port name (IANA_SVC_NAME)');
      claimName(this, 'PodMonitor', namespace, name);
      this.podMonitor = new FastApiObject(this, 'PodMonitor', {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'PodMonitor',
        metadata: { name, namespace, labels },
        spec: {
          selector: { matchLabels: podLabels },
          podMetricsEndpoints: [{ port: props.metricsPort, path: props.metricsPath ?? '/metrics', interval: platform?.scrapeInterval ?? '30s' }],
          podTargetLabels: props.podTargetLabels?.length ? [...props.podTargetLabels] : undefined,
        },
      });
      allowTraffic({
        scope: this,
        name: 'metrics',
        description: `Prometheus scrapes ${name} on port ${props.metricsPort}`,
        from: { namespace: stack.namespace, podLabels: stack.prometheusPodLabels },
        to: { namespace, podLabels },
        ports: [{ port: props.metricsPort }],
      });
    }

    const pods = re('pod', `${regexLiteral(props.podNamePrefix)}-.*`);
    const ns = namespace !== undefined ? eq('namespace', namespace) : undefined;
    const gpuPods = [re(dcgmLabels.podLabel, `${regexLiteral(props.podNamePrefix)}-.*`), ...(namespace !== undefined ? [eq(dcgmLabels.namespaceLabel, namespace)] : [])];
    const alert = (suffix: string, expr: string, forDuration: string, severity: string, summary: string, description: string) => {
      const alertName = `${pascal(name)}${suffix}`;
      const runbook = platform?._runbook(alertName);
      const annotations = { summary, description, ...(runbook ? { runbook_url: runbook } : {}) };
      return { alert: alertName, expr, for: forDuration, labels: { severity, workload: name }, annotations };
    };
    // Read once: the rules are built again when the object is written (below), from the props as they were here.
    const gpus = props.gpus ?? true;
    const serving = props.serving;
    const localQueue = props.localQueue;
    const buildRules = (): any[] => {
      const rules: any[] = [
        alert('Restarting', `${restarts('namespace, pod', '1h', ...[ns, pods].filter((x): x is string => x !== undefined))} > ${t.restartsPerHour}`, '5m', 'warning',
          `${name} containers restart`, 'Pod {{ $labels.pod }} restarted {{ $value }} times in the last hour.'),
      ];
      if (gpus) {
        rules.push(alert('GpusIdle', `${gpuUtilization(dcgmLabels, 'namespace', ...gpuPods)} < ${num(t.gpuIdlePercent)}`, '1h', 'warning',
          `${name} holds idle GPUs`, `The GPUs of ${name} averaged {{ $value }}% utilization for an hour.`));
        rules.push(alert('GpuMemoryPressure', `${gpuMemoryRatio(dcgmLabels, 'namespace', ...gpuPods)} > ${num(t.gpuMemoryRatio)}`, '10m', 'warning',
          `${name} GPU memory is nearly full`, `GPU framebuffer use of ${name} is {{ $value | humanizePercentage }}.`));
      }
      if (serving) {
        const sel = [ns, pods].filter((x): x is string => x !== undefined);
        rules.push(alert('LatencyHigh', `${quantile(0.95, serving.requestLatencyHistogram, 'namespace', '5m', ...sel)} > ${num(t.latencyP95Seconds)}`, '10m', 'warning',
          `${name} p95 latency is high`, `p95 end-to-end latency of ${name} is {{ $value }}s.`));
        rules.push(alert('ErrorRateHigh', `${servingErrorRatio([serving], 'namespace', '5m', ...sel)} > ${num(t.errorRatio)}`, '10m', 'critical',
          `${name} fails requests`, `{{ $value | humanizePercentage }} of the requests to ${name} fail.`));
        if (serving.kvCacheUsage) {
          rules.push(alert('KvCacheFull', `max by (namespace) (${serving.kvCacheUsage}{${sel.join(', ')}}) > 0.95`, '10m', 'warning',
            `${name} KV cache is full`, `KV-cache use of ${name} is {{ $value | humanizePercentage }}; requests queue or get preempted.`));
        }
      }
      if (localQueue !== undefined) {
        const wait = localQueueQuantile(0.9, 'kueue_local_queue_admission_wait_time_seconds', 'namespace, name', '30m', namespace, eq('name', localQueue));
        rules.push(alert('QueueWaitLong', `${wait} > ${num(t.queueWaitSeconds)}`, '15m', 'warning',
          `${name} waits long for admission`, `p90 Kueue admission wait in LocalQueue ${localQueue} is {{ $value }}s.`));
      }
      return rules;
    };
    this.alertNames = buildRules().map((r) => r.alert);
    claimName(this, 'PrometheusRule', namespace, name);
    // The rules are built again when the object is written, not held: they are about 6 KB per workload, and a fleet
    // of thousands of services would keep them all alive from construction to synthesis (bench/README.md).
    this.rules = new FastApiObject(this, 'Rules', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { name, namespace, labels },
      spec: Lazy.any({ produce: () => ({ groups: [{ name: `${name}.alerts`, rules: buildRules() }] }) }),
    });
  }
}

function checkServiceOptions(factory: string, options: ServiceMonitoringOptions): ServiceMonitoringOptions {
  return checkProps(factory, 'ServiceMonitoringOptions', options, {
    serving: opt(ServingMetrics, 'a ServingMetrics such as ServingMetrics.vllm()'), gpus: opt('boolean'), thresholds: opt('object'),
  });
}

/** A service has one monitoring (child `Alerts`): a second would collide, so say so naming the service. */
function requireUnmonitored(service: InferenceService, prop: string): void {
  if (service.node.tryFindChild(ALERTS) !== undefined) {
    throw new ValidationError(service, prop, `already monitored (it has a child ${ALERTS}); expected a service without WorkloadMonitoring.forService or forServices yet`);
  }
}

/** The monitoring of one checked service: its pods, its names and its server's metric names. */
function monitorService(service: InferenceService, options: ServiceMonitoringOptions): WorkloadMonitoring {
  return new WorkloadMonitoring(service, ALERTS, {
    podLabels: service.selector,
    podNamePrefix: service.name,
    serving: options.serving ?? service.server.metrics,
    gpus: options.gpus,
    thresholds: options.thresholds,
  });
}

function pascal(name: string): string {
  return name.split('-').filter((p) => p).map((p) => p[0].toUpperCase() + p.slice(1)).join('');
}

function resolveThresholds(scope: Construct, t: MonitoringThresholds): Required<MonitoringThresholds> {
  const check = (prop: string, v: number | undefined, d: number, max?: number) => {
    const value = v ?? d;
    if (!Number.isFinite(value) || value < 0 || (max !== undefined && value > max)) {
      throw invalidProp(scope, `thresholds.${prop}`, value, max !== undefined ? `a number from 0 to ${max}` : 'a number >= 0');
    }
    return value;
  };
  return {
    latencyP95Seconds: check('latencyP95Seconds', t.latencyP95Seconds, 10),
    errorRatio: check('errorRatio', t.errorRatio, 0.05, 1),
    gpuIdlePercent: check('gpuIdlePercent', t.gpuIdlePercent, 10, 100),
    gpuMemoryRatio: check('gpuMemoryRatio', t.gpuMemoryRatio, 0.95, 1),
    queueWaitSeconds: check('queueWaitSeconds', t.queueWaitSeconds, 1800),
    restartsPerHour: check('restartsPerHour', t.restartsPerHour, 3),
  };
}
