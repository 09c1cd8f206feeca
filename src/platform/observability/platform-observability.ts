import { ApiObject, Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { dashboardJson, defaultPanels } from './dashboard';
import { GpuPrice } from './gpu-price';
import { localQueueQuantile } from './kueue-queries';
import { OtelCollector, OtlpProtocol } from './tracing';
import { DcgmLabels } from '../../accelerators/dcgm-labels';
import { dcgm, gpuMemoryRatio, gpuUtilization } from '../../accelerators/dcgm-queries';
import { instancesOf, namespaces, recordInstance } from '../../cluster/app-registry';
import { ClusterAddon } from '../../cluster/cluster-addon';
import { ClusterProfile } from '../../cluster/cluster-profile';
import { MonitoringStack } from '../../cluster/monitoring-stack';
import { registerMonitoringStackChooser } from '../../cluster/stack-of';
import { registerTraceTargetChooser, TraceTarget, tracedBeforeRegistration } from '../../cluster/trace-target';
import { FastApiObject } from '../../imports/fast-api-object';
import { ValidationError, invalidProp } from '../../internal/errors';
import { standardLabels } from '../../internal/labels';
import { claimName, requireDnsLabel, resourceName } from '../../internal/names';
import { num, restarts, unique } from '../../internal/promql';
import { checkProps, opt, requireScope } from '../../internal/runtime-checks';
import { ServingMetrics } from '../../serving/serving-metrics';
import { servingMetricsIn } from '../../serving/serving-metrics-registry';
import { servingErrorRatio, servingLatencyP95 } from '../../serving/serving-queries';

const PLATFORM_OBSERVABILITY = Symbol.for('cdk8s-ai.PlatformObservability');
/** The registry key of the app's PlatformObservability instances. */
const PLATFORM_OBSERVABILITY_KIND = 'PlatformObservability';

/**
 * Props for PlatformObservability.
 */
export interface PlatformObservabilityProps {
  /**
   * The Prometheus/Grafana installation that must pick up monitors, rules and dashboards.
   *
   * @default - the stack of the ClusterProfile's prometheus-operator add-on (`MonitoringStack.kubePrometheusStack()`
   * unless the profile lists `ClusterAddon.prometheusOperatorWith(...)`)
   */
  readonly stack?: MonitoringStack;

  /**
   * Where DCGM exporter series carry the workload namespace and pod.
   *
   * @default DcgmLabels.EXPORTED
   */
  readonly dcgmLabels?: DcgmLabels;

  /**
   * The price of one GPU-hour per model, for the cost rules, the dashboard and the platform report.
   *
   * @default - no prices: cost per namespace stays empty and the readiness item "cost visible" fails
   */
  readonly gpuPrices?: GpuPrice[];

  /**
   * The currency of `gpuPrices` (ISO 4217), shown in the dashboard and report.
   *
   * @default 'USD'
   */
  readonly currency?: string;

  /**
   * The base URL of the platform runbooks.
   *
   * Every generated alert gets `runbook_url: <base>#<alert name>`.
   *
   * @default - alerts carry no runbook link and the readiness item "runbooks" fails
   */
  readonly runbookBaseUrl?: string;

  /**
   * The Grafana folder of the dashboard (annotation `k8s-sidecar-target-directory`).
   *
   * Grafana shows it as a folder when the dashboard provider has `foldersFromFilesStructure: true`.
   *
   * @default - the sidecar's default folder
   */
  readonly dashboardFolder?: string;

  /**
   * An OpenTelemetry collector for the traces of the workloads that send them (vLLM servers and endpoint pickers).
   *
   * Create the PlatformObservability before those workloads: one created after them is refused. Other model servers
   * send no traces, and synth warns about each.
   *
   * @default - no traces
   */
  readonly tracing?: OtelCollector;

  /**
   * The scrape interval of generated monitors.
   *
   * @default '30s'
   */
  readonly scrapeInterval?: string;

  /**
   * The name of the generated rules and dashboard.
   *
   * @default - derived from the construct path
   */
  readonly name?: string;
}

// The ClusterProfile labels every monitor and rule for the stack that applies to it: a PlatformObservability's first.
ClusterProfile._platformStackOf = (scope) => PlatformObservability.of(scope)?.stack;

/** Per scope: the PlatformObservability among its children (null: none). Reset whenever one is created. */
let declaredIn = new WeakMap<IConstruct, PlatformObservability | null>();

/**
 * The platform's observability: which Prometheus picks monitors up, how DCGM labels arrive, what a GPU-hour
 * costs and where traces go.
 *
 * It also makes the platform-wide objects: one PrometheusRule with the recording rules behind the default
 * dashboard (GPU utilization and memory per namespace, restarts, Kueue queue time, model-server latency and error
 * rate, cost per namespace) plus platform alerts, and the Grafana dashboard as a ConfigMap the Grafana sidecar
 * loads. Workload monitors (WorkloadMonitoring) find it up the construct tree like a ClusterProfile.
 */
export class PlatformObservability extends Construct {
  /**
   * True when `x` is a PlatformObservability.
   */
  public static isPlatformObservability(x: any): x is PlatformObservability {
    return x !== null && typeof x === 'object' && PLATFORM_OBSERVABILITY in x;
  }

  /**
   * The PlatformObservability that applies to `scope`: the nearest one declared among the children of `scope` or
   * of one of its ancestors.
   *
   * Without one there, it is the app's only one (declared in another chart, created before `scope`'s constructs).
   * It is undefined when there is none or several elsewhere.
   */
  public static of(scope: IConstruct): PlatformObservability | undefined {
    requireScope('PlatformObservability.of', scope);
    for (let ancestor: IConstruct | undefined = scope; ancestor !== undefined; ancestor = ancestor.node.scope) {
      let found = declaredIn.get(ancestor);
      if (found === undefined) {
        found = (ancestor.node.children.find((c) => PlatformObservability.isPlatformObservability(c)) ?? null) as PlatformObservability | null;
        declaredIn.set(ancestor, found);
      }
      if (found) return found;
    }
    const elsewhere = instancesOf(scope, PLATFORM_OBSERVABILITY_KIND);
    return elsewhere.length === 1 ? elsewhere[0] as PlatformObservability : undefined;
  }

  /** The monitoring stack. */
  public readonly stack: MonitoringStack;
  /** The DCGM label mode. */
  public readonly dcgmLabels: DcgmLabels;
  /** GPU prices. */
  public readonly gpuPrices: GpuPrice[];
  /** The currency. */
  public readonly currency: string;
  /** Runbook base URL, when given. */
  public readonly runbookBaseUrl?: string;
  /** The OpenTelemetry collector, when given. */
  public readonly tracing?: OtelCollector;
  /** The scrape interval. */
  public readonly scrapeInterval: string;
  /** The generated PrometheusRule (recording rules and platform alerts). */
  public readonly rules: ApiObject;
  /** The generated Grafana dashboard ConfigMap. */
  public readonly dashboard: ApiObject;
  /** The dashboard's uid and title. */
  public readonly dashboardTitle: string;

  constructor(scope: Construct, id: string, props: PlatformObservabilityProps = {}) {
    super(scope, id);
    registerMonitoringStackChooser(this, (s) => PlatformObservability.of(s)?.stack);
    props = checkProps(this, 'PlatformObservabilityProps', props, {
      stack: opt(MonitoringStack, 'a MonitoringStack such as MonitoringStack.kubePrometheusStack()'),
      dcgmLabels: opt(DcgmLabels, 'DcgmLabels.EXPORTED or DcgmLabels.HONORED'),
      gpuPrices: opt('array'),
      currency: opt('string'),
      runbookBaseUrl: opt('string'),
      dashboardFolder: opt('string'),
      tracing: opt('object'),
      scrapeInterval: opt('string'),
      name: opt('string'),
    });
    Object.defineProperty(this, PLATFORM_OBSERVABILITY, { value: true });
    declaredIn = new WeakMap();
    recordInstance(PLATFORM_OBSERVABILITY_KIND, this);
    const profile = ClusterProfile.of(this);
    profile._requireAddon(this, 'stack', ClusterAddon.PROMETHEUS_OPERATOR, 'PlatformObservability (PrometheusRule)');
    this.stack = props.stack ?? profile.monitoringStack ?? MonitoringStack.kubePrometheusStack();
    this.dcgmLabels = props.dcgmLabels ?? DcgmLabels.EXPORTED;
    this.gpuPrices = [...(props.gpuPrices ?? [])];
    this.currency = props.currency ?? 'USD';
    this.runbookBaseUrl = props.runbookBaseUrl;
    this.tracing = props.tracing;
    this.scrapeInterval = props.scrapeInterval ?? '30s';
    this.validate(props);
    const name = props.name !== undefined ? requireDnsLabel(this, 'name', props.name) : resourceName(this);
    this.dashboardTitle = `AI platform (${name})`;
    claimName(this, 'PrometheusRule', this.stack.namespace, name);
    claimName(this, 'ConfigMap', this.stack.dashboardNamespace, `${name}-dashboard`);
    const labels = standardLabels({ name: 'platform-observability', instance: name, component: 'monitoring' });
    this.rules = new FastApiObject(this, 'Rules', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { name, namespace: this.stack.namespace, labels: { ...labels, ...this.stack.selectorLabels } },
      spec: Lazy.any({ produce: () => ({ groups: this.ruleGroups() }) }),
    });
    this.dashboard = new FastApiObject(this, 'Dashboard', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: `${name}-dashboard`,
        namespace: this.stack.dashboardNamespace,
        labels: { ...labels, [this.stack.dashboardLabel]: this.stack.dashboardLabelValue },
        annotations: props.dashboardFolder ? { 'k8s-sidecar-target-directory': props.dashboardFolder } : undefined,
      },
      data: Lazy.any({ produce: () => ({ [`${name}.json`]: JSON.stringify(this.dashboardModel(), undefined, 2) }) }),
    });
  }

  /** The price of one GPU-hour of `modelId`, when given. */
  public priceOf(modelId: string): number | undefined {
    return this.gpuPrices.find((p) => p.model.id === modelId)?.pricePerHour;
  }

  /** The Grafana dashboard model (the JSON in the ConfigMap). */
  public dashboardModel(): any {
    const tenants = namespaces(this).map((n) => n.name).sort();
    return dashboardJson(this.dashboardTitle, defaultPanels(this.currency), tenants);
  }

  /**
   * The runbook link of an alert, when a base URL is given.
   * @internal
   */
  public _runbook(alert: string): string | undefined {
    return this.runbookBaseUrl ? `${this.runbookBaseUrl}#${alert.toLowerCase()}` : undefined;
  }

  private servers(): ServingMetrics[] {
    const recorded = servingMetricsIn(this);
    const all = recorded.length ? recorded : [ServingMetrics.vllm()];
    const byKey = new Map(all.map((s) => [`${s.server}/${s.requestLatencyHistogram}/${s.requestsTotal}/${s.errorMatcher}`, s]));
    return [...byKey.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, s]) => s);
  }

  private ruleGroups(): any[] {
    const d = this.dcgmLabels;
    const servers = this.servers();
    const record = (r: string, expr: string) => ({ record: r, expr });
    const prices = this.gpuPrices.flatMap((p) => unique(p.model.productNames).map((product) =>
      `label_replace(vector(${num(p.pricePerHour)}), "modelName", "${product}", "", "")`));
    const recording = [
      record('namespace:gpu_utilization:avg', gpuUtilization(d, 'namespace')),
      record('namespace:gpu_memory_used:ratio', gpuMemoryRatio(d, 'namespace')),
      record('namespace:pod_restarts:increase1h', restarts('namespace', '1h')),
      record('namespace:kueue_admission_wait_seconds:p90', localQueueQuantile(0.9, 'kueue_local_queue_admission_wait_time_seconds', 'namespace', '10m')),
      record('namespace:model_request_latency_seconds:p95', servingLatencyP95(servers, 'namespace', '5m')),
      record('namespace:model_request_errors:ratio', servingErrorRatio(servers, 'namespace', '5m')),
      record('namespace_model:gpu_allocated:count', `count by (namespace, modelName) (${dcgm('DCGM_FI_DEV_GPU_UTIL', d)})`),
    ];
    if (prices.length) {
      recording.push(record('gpu:price_per_hour', prices.join(' or ')));
      recording.push(record('namespace:gpu_cost_per_hour:sum',
        'sum by (namespace) (namespace_model:gpu_allocated:count * on (modelName) group_left() gpu:price_per_hour)'));
    }
    const alerts = [
      // The XID gauge holds the code of the GPU's last XID error (dcgm-exporter 4.5.3-4.8.2
      // internal/pkg/collector/gpu_collector.go): a change to a non-zero code within 10 minutes is a new error, and the
      // alert's value is its code.
      this.alert('GpuXidError', 'DCGM_FI_DEV_XID_ERRORS != 0 and changes(DCGM_FI_DEV_XID_ERRORS[10m]) > 0', '0m', 'critical',
        'A GPU reported an XID error', 'GPU {{ $labels.gpu }} on {{ $labels.Hostname }} reported XID {{ $value }}; drain the node if it repeats.'),
      this.alert('NamespaceGpusIdle', `namespace:gpu_utilization:avg < 5 and on (namespace) count by (namespace) (${dcgm('DCGM_FI_DEV_GPU_UTIL', d)}) > 0`, '1h', 'warning',
        'A namespace holds idle GPUs', 'Namespace {{ $labels.namespace }} holds GPUs below 5% utilization for an hour.'),
      this.alert('KueueWorkloadsInadmissible', 'sum by (cluster_queue) (kueue_pending_workloads{status="inadmissible"}) > 0', '30m', 'warning',
        'Workloads cannot be admitted', 'ClusterQueue {{ $labels.cluster_queue }} has inadmissible workloads for 30 minutes (quota or flavor mismatch).'),
    ];
    return [
      { name: 'cdk8s-ai.platform.recording', interval: '1m', rules: recording },
      { name: 'cdk8s-ai.platform.alerts', rules: alerts },
    ];
  }

  private alert(name: string, expr: string, forDuration: string, severity: string, summary: string, description: string): any {
    const runbook = this._runbook(name);
    return {
      alert: name,
      expr,
      for: forDuration === '0m' ? undefined : forDuration,
      labels: { severity },
      annotations: { summary, description, ...(runbook ? { runbook_url: runbook } : {}) },
    };
  }

  private validate(props: PlatformObservabilityProps) {
    const seen = new Set<string>();
    this.gpuPrices.forEach((p, i) => {
      if (!(Number.isFinite(p.pricePerHour) && p.pricePerHour >= 0)) throw invalidProp(this, `gpuPrices[${i}].pricePerHour`, p.pricePerHour, 'a price >= 0');
      if (seen.has(p.model.id)) throw invalidProp(this, `gpuPrices[${i}].model`, p.model.id, 'one price per GPU model');
      seen.add(p.model.id);
    });
    if (!/^[A-Z]{3}$/.test(this.currency)) throw invalidProp(this, 'currency', this.currency, 'an ISO 4217 code such as "USD"');
    if (this.runbookBaseUrl !== undefined && !/^https?:\/\/\S+$/.test(this.runbookBaseUrl)) throw invalidProp(this, 'runbookBaseUrl', this.runbookBaseUrl, 'an http(s) URL');
    if (!/^\d+(ms|s|m|h)$/.test(this.scrapeInterval)) throw invalidProp(this, 'scrapeInterval', this.scrapeInterval, 'a duration such as "30s"');
    if (props.dashboardFolder !== undefined && !/^[A-Za-z0-9 _.-]{1,100}$/.test(props.dashboardFolder)) {
      throw invalidProp(this, 'dashboardFolder', props.dashboardFolder, 'a folder name of letters, digits, spaces, "_", "." and "-"');
    }
    if (this.tracing && !/^https?:\/\/[^\s/]+(:\d+)?(\/\S*)?$/.test(this.tracing.endpoint)) {
      throw new ValidationError(this, 'tracing.endpoint', `got ${JSON.stringify(this.tracing.endpoint)}; expected an http(s) URL such as "http://otel-collector.observability.svc:4317"`);
    }
    if (this.tracing) this.shareTracing(this.tracing);
  }

  /**
   * Gives the workloads this PlatformObservability applies to its collector. Workloads built before it never saw it:
   * they would send no traces, so they are refused rather than left out silently.
   */
  private shareTracing(tracing: OtelCollector): void {
    const early = tracedBeforeRegistration(this).filter((s) => s.node.path !== this.node.path);
    if (early.length) {
      throw new ValidationError(this, 'tracing', `${early.map((s) => s.node.path).join(', ')} ${early.length === 1 ? 'was' : 'were'} created ` +
        'before this PlatformObservability and would send no traces; create the PlatformObservability before the workloads it traces');
    }
    const target: TraceTarget = {
      endpoint: tracing.endpoint,
      protocol: tracing.protocol ?? OtlpProtocol.GRPC,
      namespace: tracing.namespace ?? /^[a-z]+:\/\/[^.:/]+\.([a-z0-9-]+)(\.svc)?/.exec(tracing.endpoint)?.[1],
      podLabels: tracing.podLabels,
    };
    registerTraceTargetChooser(this, (s) => (PlatformObservability.of(s) === this ? target : undefined));
  }
}
