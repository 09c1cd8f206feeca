/**
 * promtool unit-test cases for every kind of alert the library generates: for each synthesized alerting rule, a
 * test group in which it must fire (with the labels and annotations Alertmanager would receive) and one in which it
 * must stay silent, over synthetic series labelled the way they arrive in Prometheus from their upstream exporters:
 *
 * - DCGM exporter through the GPU Operator's ServiceMonitor (`honorLabels: false`: the workload's namespace and pod
 *   in `exported_namespace`/`exported_pod`, the exporter's in `namespace`/`pod`), or with `honorLabels: true`;
 * - kube-state-metrics through kube-prometheus-stack's ServiceMonitor (`honorLabels: true`);
 * - Kueue through its own ServiceMonitor (no `honorLabels`: the LocalQueue namespace in `exported_namespace`);
 * - model servers through the generated PodMonitor (target labels `namespace`, `pod`, `container`).
 *
 * Silent cases also hold unhealthy series of other workloads (another namespace, another pod name, an unallocated
 * GPU), so an alert that is not scoped to its workload fails them.
 *
 * An alert is identified by its kind: the platform alert's name, or a workload alert's name without the PascalCase
 * workload name (rule label `workload`). A kind without a generator here has no cases, and the test fails.
 */
import { PromRule } from './promtool';

/** A promtool `input_series` entry. */
export interface InputSeries {
  readonly series: string;
  readonly values: string;
}

/** One promtool test group with one `alert_rule_test`. */
export interface AlertCase {
  readonly name: string;
  readonly alert: string;
  readonly fires: boolean;
  readonly group: any;
}

/** What an alert's cases need to know beyond its rule. */
export interface AlertContext {
  /** The namespace of the PrometheusRule (a workload's own namespace). */
  readonly namespace?: string;
}

type Generator = (rule: PromRule, ctx: Required<AlertContext>) => { firing: Scenario; silent: Scenario };

interface Scenario {
  readonly series: InputSeries[];
  readonly evalTime: string;
  /** Labels of the firing alert's expression result (before the rule's labels), and its value. */
  readonly alerts: { labels: Record<string, string>; value: number }[];
}

const GPU_MODEL = 'NVIDIA H100 80GB HBM3';
const POD_SUFFIX = '7c9d8f6b5-x2k4p';

/** `metric{a="b", ...}` in promtool's series notation. */
export function seriesName(metric: string, labels: Record<string, string>): string {
  const body = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(', ');
  return `${metric}{${body}}`;
}

/** The kind of an alert: its name without the PascalCase workload name. */
export function alertKind(rule: PromRule): string {
  const workload = rule.labels?.workload;
  if (!workload) return rule.alert!;
  const prefix = workload.split('-').filter((p) => p).map((p) => p[0].toUpperCase() + p.slice(1)).join('');
  return rule.alert!.startsWith(prefix) ? rule.alert!.slice(prefix.length) : rule.alert!;
}

/** The threshold the expression compares against last (`... > 0.95`). */
function threshold(rule: PromRule): number {
  const m = /\s[<>]\s(-?\d+(?:\.\d+)?)\s*$/.exec(rule.expr);
  if (!m) throw new Error(`${rule.alert}: no trailing threshold in ${rule.expr}`);
  return Number(m[1]);
}

/** The pod name prefix of a workload alert (`pod=~"<prefix>-.*"`), unescaped. */
function podPrefix(rule: PromRule): string {
  const m = /pod=~"((?:[^"\\]|\\.)*)-\.\*"/.exec(rule.expr);
  if (!m) throw new Error(`${rule.alert}: no pod matcher in ${rule.expr}`);
  return m[1].replace(/\\\\/g, '\\').replace(/\\(.)/g, '$1');
}

function dcgmExported(rule: PromRule): boolean {
  return rule.expr.includes('exported_namespace');
}

/** A DCGM exporter series for GPU `gpu`, attributed to `pod` in `namespace` (or unallocated). */
function dcgmLabels(exported: boolean, gpu: number, namespace?: string, pod?: string): Record<string, string> {
  const own = { gpu: String(gpu), UUID: `GPU-${gpu}000000-0000-0000-0000-000000000000`, device: `nvidia${gpu}`, modelName: GPU_MODEL, Hostname: 'gpu-node-1', DCGM_FI_DRIVER_VERSION: '580.95.05' };
  const workload: Record<string, string> = namespace && pod ? { namespace, pod, container: 'main' } : {};
  if (!exported) return { ...own, ...workload, job: 'nvidia-dcgm-exporter' };
  const moved = Object.fromEntries(Object.entries(workload).map(([k, v]) => [`exported_${k}`, v]));
  return { ...own, ...moved, namespace: 'gpu-operator', pod: 'nvidia-dcgm-exporter-8xq2v', container: 'nvidia-dcgm-exporter', job: 'nvidia-dcgm-exporter' };
}

/** Labels of a model-server series scraped by the generated PodMonitor. */
function podLabels(namespace: string, pod: string): Record<string, string> {
  return { namespace, pod, container: 'server', instance: '10.0.0.7:8000', job: `${namespace}/server` };
}

/** Cumulative histogram buckets: all observations in the bucket `le` (or +Inf), at one per second. */
function histogram(metric: string, labels: Record<string, string>, bounds: number[], observedIn: number, minutes: number): InputSeries[] {
  return [...bounds.map(String), '+Inf'].map((le, i) => ({
    series: seriesName(`${metric}_bucket`, { ...labels, le }),
    values: i >= observedIn ? `0+60x${minutes}` : `0x${minutes}`,
  }));
}

const other = (ns: string) => `${ns}-other`;

/** Series of the same workload in another namespace, when the rule is scoped to its namespace (none otherwise). */
function elsewhere(rule: PromRule, make: () => InputSeries[]): InputSeries[] {
  return /(^|[{,\s])(exported_)?namespace="/.test(rule.expr) ? make() : [];
}

const GENERATORS: Record<string, Generator> = {
  Restarting: (rule, { namespace }) => {
    const limit = threshold(rule);
    const pod = `${podPrefix(rule)}-${POD_SUFFIX}`;
    const ksm = (ns: string, p: string) => ({ namespace: ns, pod: p, container: 'main', uid: `uid-${p}`, job: 'kube-state-metrics' });
    const metric = 'kube_pod_container_status_restarts_total';
    const step = Math.floor(limit) + 1;
    return {
      firing: { series: [{ series: seriesName(metric, ksm(namespace, pod)), values: `0+${step}x40` }], evalTime: '40m', alerts: [{ labels: { namespace, pod }, value: 40 * step }] },
      silent: {
        series: [
          { series: seriesName(metric, ksm(namespace, pod)), values: `${step}x40` },
          ...elsewhere(rule, () => [{ series: seriesName(metric, ksm(other(namespace), pod)), values: `0+${step}x40` }]),
          { series: seriesName(metric, ksm(namespace, `unrelated-${POD_SUFFIX}`)), values: `0+${step}x40` },
        ],
        evalTime: '40m',
        alerts: [],
      },
    };
  },

  GpusIdle: (rule, { namespace }) => {
    const limit = threshold(rule);
    if (limit <= 0) throw new Error(`${rule.alert}: a utilization threshold of ${limit}% can never fire`);
    const exported = dcgmExported(rule);
    const pod = `${podPrefix(rule)}-${POD_SUFFIX}`;
    const idle = Math.floor(limit / 2);
    const busy = Math.min(100, Math.ceil(limit) + 10);
    const gpu = (i: number, ns?: string, p?: string) => seriesName('DCGM_FI_DEV_GPU_UTIL', dcgmLabels(exported, i, ns, p));
    return {
      firing: { series: [0, 1].map((i) => ({ series: gpu(i, namespace, pod), values: `${idle}x80` })), evalTime: '70m', alerts: [{ labels: { namespace }, value: idle }] },
      silent: {
        series: [
          ...[0, 1].map((i) => ({ series: gpu(i, namespace, pod), values: `${busy}x80` })),
          ...elsewhere(rule, () => [{ series: gpu(2, other(namespace), pod), values: '0x80' }]),
          { series: gpu(3), values: '0x80' },
        ],
        evalTime: '70m',
        alerts: [],
      },
    };
  },

  GpuMemoryPressure: (rule, { namespace }) => {
    const limit = threshold(rule);
    if (limit >= 1) throw new Error(`${rule.alert}: a memory ratio threshold of ${limit} can never fire`);
    const exported = dcgmExported(rule);
    const pod = `${podPrefix(rule)}-${POD_SUFFIX}`;
    const total = 80000;
    const gpu = (used: number, i: number, ns?: string, p?: string): InputSeries[] => [
      { series: seriesName('DCGM_FI_DEV_FB_USED', dcgmLabels(exported, i, ns, p)), values: `${used}x30` },
      { series: seriesName('DCGM_FI_DEV_FB_FREE', dcgmLabels(exported, i, ns, p)), values: `${total - used}x30` },
    ];
    const full = Math.round(total * (1 + limit) / 2);
    return {
      firing: { series: gpu(full, 0, namespace, pod), evalTime: '20m', alerts: [{ labels: { namespace }, value: full / total }] },
      silent: { series: [...gpu(Math.round(total * limit / 2), 0, namespace, pod), ...elsewhere(rule, () => gpu(total, 1, other(namespace), pod)), ...gpu(total, 2)], evalTime: '20m', alerts: [] },
    };
  },

  LatencyHigh: (rule, { namespace }) => {
    const limit = threshold(rule);
    const metric = /rate\(([^{\s]+)_bucket\{/.exec(rule.expr)?.[1];
    if (!metric) throw new Error(`${rule.alert}: no histogram in ${rule.expr}`);
    const pod = `${podPrefix(rule)}-${POD_SUFFIX}`;
    const bounds = [limit / 2, limit, 2 * limit];
    // Every request slower than the largest finite bucket: histogram_quantile returns that bucket's bound, 2 × limit.
    return {
      firing: { series: histogram(metric, podLabels(namespace, pod), bounds, 3, 30), evalTime: '20m', alerts: [{ labels: { namespace }, value: 2 * limit }] },
      silent: {
        series: [
          ...histogram(metric, podLabels(namespace, pod), bounds, 0, 30),
          ...elsewhere(rule, () => histogram(metric, podLabels(other(namespace), pod), bounds, 3, 30)),
        ],
        evalTime: '20m',
        alerts: [],
      },
    };
  },

  ErrorRateHigh: (rule, { namespace }) => {
    const limit = threshold(rule);
    if (limit >= 1) throw new Error(`${rule.alert}: an error ratio threshold of ${limit} can never fire`);
    const pod = `${podPrefix(rule)}-${POD_SUFFIX}`;
    const rates = [...rule.expr.matchAll(/rate\(([^{\s]+)\{([^}]*)\}\[/g)].map((m) => ({ metric: m[1], matchers: m[2].split(', ') }));
    if (rates.length < 2) throw new Error(`${rule.alert}: no error ratio in ${rule.expr}`);
    const [failed, all] = rates;
    const extra = failed.matchers.filter((m) => !all.matchers.includes(m));
    const failing = Math.min(100, Math.ceil(100 * (1 + limit) / 2));
    const counters = (ns: string, p: string, perMinute: number): InputSeries[] => {
      const labels = podLabels(ns, p);
      if (failed.metric !== all.metric) {
        return [
          { series: seriesName(failed.metric, labels), values: `3+${perMinute}x30` },
          { series: seriesName(all.metric, labels), values: '500+100x30' },
        ];
      }
      // One counter split by a label (vLLM's http_requests_total{status="5xx"}): the failing and the other requests.
      const m = /^([a-zA-Z_]\w*)="([^"]*)"$/.exec(extra[0] ?? '');
      if (extra.length !== 1 || !m) throw new Error(`${rule.alert}: cannot tell failed requests apart in ${rule.expr}`);
      const route = { handler: '/v1/chat/completions', method: 'POST' };
      return [
        { series: seriesName(all.metric, { ...labels, ...route, [m[1]]: m[2] }), values: `3+${perMinute}x30` },
        { series: seriesName(all.metric, { ...labels, ...route, [m[1]]: m[2] === '2xx' ? '4xx' : '2xx' }), values: `500+${100 - perMinute}x30` },
      ];
    };
    return {
      firing: { series: counters(namespace, pod, failing), evalTime: '25m', alerts: [{ labels: { namespace }, value: failing / 100 }] },
      silent: { series: [...counters(namespace, pod, 0), ...elsewhere(rule, () => counters(other(namespace), pod, 100))], evalTime: '25m', alerts: [] },
    };
  },

  KvCacheFull: (rule, { namespace }) => {
    const limit = threshold(rule);
    const metric = /\(([^(){\s]+)\{/.exec(rule.expr)?.[1];
    if (!metric || limit >= 1) throw new Error(`${rule.alert}: cannot read the KV-cache gauge and threshold of ${rule.expr}`);
    const pod = `${podPrefix(rule)}-${POD_SUFFIX}`;
    const full = Math.round((1 + limit) / 2 * 1000) / 1000;
    return {
      firing: { series: [{ series: seriesName(metric, podLabels(namespace, pod)), values: `${full}x30` }], evalTime: '20m', alerts: [{ labels: { namespace }, value: full }] },
      silent: {
        series: [{ series: seriesName(metric, podLabels(namespace, pod)), values: `${limit / 2}x30` }, ...elsewhere(rule, () => [{ series: seriesName(metric, podLabels(other(namespace), pod)), values: '1x30' }])],
        evalTime: '20m',
        alerts: [],
      },
    };
  },

  QueueWaitLong: (rule, { namespace }) => {
    const limit = threshold(rule);
    const queue = /name="([^"]+)"/.exec(rule.expr)?.[1];
    if (!queue) throw new Error(`${rule.alert}: no LocalQueue in ${rule.expr}`);
    const metric = 'kueue_local_queue_admission_wait_time_seconds';
    // As Kueue's ServiceMonitor delivers them: Prometheus' target labels win, the queue's namespace is exported_*.
    const kueue = (ns: string) => ({ name: queue, exported_namespace: ns, namespace: 'kueue-system', pod: 'kueue-controller-manager-6d4f9-kq2xz', job: 'kueue-controller-manager-metrics-service' });
    const bounds = [limit / 2, limit, 2 * limit];
    return {
      firing: { series: histogram(metric, kueue(namespace), bounds, 3, 60), evalTime: '50m', alerts: [{ labels: { namespace, name: queue }, value: 2 * limit }] },
      silent: { series: [...histogram(metric, kueue(namespace), bounds, 0, 60), ...elsewhere(rule, () => histogram(metric, kueue(other(namespace)), bounds, 3, 60))], evalTime: '50m', alerts: [] },
    };
  },

  GpuXidError: () => {
    const labels = dcgmLabels(true, 0, 'research', `train-${POD_SUFFIX}`);
    const xid = (values: string, gpu = 0) => ({ series: seriesName('DCGM_FI_DEV_XID_ERRORS', { ...labels, gpu: String(gpu), device: `nvidia${gpu}` }), values });
    return {
      // XID 79 (GPU fell off the bus) five minutes ago.
      firing: { series: [xid('0x10 79x20')], evalTime: '15m', alerts: [{ labels: { ...labels }, value: 79 }] },
      // No XID, and one that happened long ago (the gauge keeps the last XID).
      silent: { series: [xid('0x30'), xid('0x5 43x30', 1)], evalTime: '30m', alerts: [] },
    };
  },

  NamespaceGpusIdle: (rule) => {
    const exported = dcgmExported(rule);
    const gpu = (i: number, ns?: string) => seriesName('DCGM_FI_DEV_GPU_UTIL', dcgmLabels(exported, i, ns, ns ? `llm-${POD_SUFFIX}` : undefined));
    return {
      firing: { series: [{ series: gpu(0, 'research'), values: '2x80' }, { series: gpu(1, 'serving'), values: '60x80' }], evalTime: '70m', alerts: [{ labels: { namespace: 'research' }, value: 2 }] },
      silent: { series: [{ series: gpu(0, 'research'), values: '40x80' }, { series: gpu(1), values: '0x80' }], evalTime: '70m', alerts: [] },
    };
  },

  KueueWorkloadsInadmissible: () => {
    const pending = (status: string, cq: string) => seriesName('kueue_pending_workloads', { cluster_queue: cq, status, namespace: 'kueue-system', job: 'kueue-controller-manager-metrics-service' });
    return {
      firing: { series: [{ series: pending('inadmissible', 'research'), values: '2x40' }, { series: pending('active', 'research'), values: '1x40' }], evalTime: '40m', alerts: [{ labels: { cluster_queue: 'research' }, value: 2 }] },
      silent: { series: [{ series: pending('inadmissible', 'research'), values: '0x40' }, { series: pending('active', 'research'), values: '5x40' }, { series: pending('inadmissible', 'serving'), values: '0x20 1x5 0x15' }], evalTime: '40m', alerts: [] },
    };
  },
};

/** The alert kinds that have cases. */
export const ALERT_KINDS_WITH_CASES = Object.keys(GENERATORS).sort();

/** Go's `fmt.Sprint(float64)` for the values alerts report (plain decimals). */
function goFloat(v: number): string {
  return String(v);
}

/** Prometheus' `humanizePercentage` template function: `%.4g%%` of v × 100. */
function humanizePercentage(v: number): string {
  return `${Number((v * 100).toPrecision(4))}%`;
}

/** Expands the template constructs the library's annotations use: `$labels.x`, `$value`, `$value | humanizePercentage`. */
export function expandTemplate(template: string, labels: Record<string, string>, value: number): string {
  const out = template.replace(/\{\{\s*([^}]*?)\s*\}\}/g, (all, body: string) => {
    const label = /^\$labels\.(\w+)$/.exec(body);
    if (label) return labels[label[1]] ?? '';
    if (body === '$value') return goFloat(value);
    if (/^\$value\s*\|\s*humanizePercentage$/.test(body)) return humanizePercentage(value);
    throw new Error(`template construct ${all} is not known to the test's expander; add it`);
  });
  return out;
}

/** The firing and the silent case of an alert, or undefined when its kind has no generator. */
export function alertCases(rule: PromRule, ctx: AlertContext): AlertCase[] | undefined {
  const generate = GENERATORS[alertKind(rule)];
  if (!generate) return undefined;
  const { firing, silent } = generate(rule, { namespace: ctx.namespace ?? 'default' });
  const group = (what: string, s: Scenario) => ({
    name: `${rule.alert} ${what}`,
    interval: '1m',
    input_series: s.series,
    alert_rule_test: [{
      eval_time: s.evalTime,
      alertname: rule.alert,
      exp_alerts: s.alerts.map((a) => ({
        exp_labels: { ...a.labels, ...(rule.labels ?? {}) },
        exp_annotations: Object.fromEntries(Object.entries(rule.annotations ?? {}).map(([k, v]) => [k, expandTemplate(v, a.labels, a.value)])),
      })),
    }],
  });
  return [
    { name: `${rule.alert} fires`, alert: rule.alert!, fires: true, group: group('fires', firing) },
    { name: `${rule.alert} stays silent`, alert: rule.alert!, fires: false, group: group('stays silent', silent) },
  ];
}
