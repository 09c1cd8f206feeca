import { DcgmLabels } from './dcgm-labels';
import { ServingMetrics } from './serving-metrics';

/**
 * PromQL shared by the platform rules, the per-workload rules and the dashboard. Internal.
 *
 * Every namespace-level series is normalised to a `namespace` label, whatever label DCGM's pod attribution arrives
 * in, so that dashboards and alerts read the same recording rules.
 */

/** A selector body (without braces) from label matchers; empty matchers are skipped. */
export function selector(...matchers: (string | undefined)[]): string {
  return matchers.filter((m) => m !== undefined && m !== '').join(', ');
}

/** `label="value"` with PromQL string escaping. */
export function eq(label: string, value: string): string {
  return `${label}="${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** `label=~"regex"`. */
export function re(label: string, regex: string): string {
  return `${label}=~"${regex.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Escapes a literal for use inside a PromQL regex. */
export function regexLiteral(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A DCGM series with its workload namespace copied into `namespace`. */
export function dcgm(metric: string, labels: DcgmLabels, ...matchers: (string | undefined)[]): string {
  const series = `${metric}{${selector(`${labels.namespaceLabel}!=""`, ...matchers)}}`;
  if (labels.namespaceLabel === 'namespace') return series;
  return `label_replace(${series}, "namespace", "$1", "${labels.namespaceLabel}", "(.*)")`;
}

/** GPU utilisation in percent, averaged by `by`. */
export function gpuUtilization(labels: DcgmLabels, by: string, ...matchers: string[]): string {
  return `avg by (${by}) (${dcgm('DCGM_FI_DEV_GPU_UTIL', labels, ...matchers)})`;
}

/** Framebuffer used / (used + free), by `by`. */
export function gpuMemoryRatio(labels: DcgmLabels, by: string, ...matchers: string[]): string {
  return `sum by (${by}) (${dcgm('DCGM_FI_DEV_FB_USED', labels, ...matchers)}) / ` +
    `(sum by (${by}) (${dcgm('DCGM_FI_DEV_FB_USED', labels, ...matchers)}) + sum by (${by}) (${dcgm('DCGM_FI_DEV_FB_FREE', labels, ...matchers)}))`;
}

/** The q-quantile of a histogram over `window`, by `by`. */
export function quantile(q: number, histogram: string, by: string, window: string, ...matchers: string[]): string {
  return `histogram_quantile(${q}, sum by (le, ${by}) (rate(${histogram}_bucket{${selector(...matchers)}}[${window}])))`;
}

/**
 * The per-second rate of a Kueue LocalQueue histogram's buckets, with the LocalQueue's namespace in `namespace`.
 * Kueue's own ServiceMonitor sets no `honorLabels` (kubernetes-sigs/kueue v0.19.2
 * config/components/prometheus/monitor.yaml, charts/kueue/templates/prometheus/monitor.yaml), so Prometheus keeps its
 * target label `namespace` (Kueue's namespace) and renames the metric's own to `exported_namespace`; with
 * `honorLabels: true` it stays `namespace`. Both forms are read.
 */
export function localQueueRate(histogram: string, window: string, namespace?: string, ...matchers: string[]): string {
  const exported = selector(namespace !== undefined ? eq('exported_namespace', namespace) : 'exported_namespace!=""', ...matchers);
  const honored = selector('exported_namespace=""', namespace !== undefined ? eq('namespace', namespace) : undefined, ...matchers);
  return `label_replace(rate(${histogram}_bucket{${exported}}[${window}]), "namespace", "$1", "exported_namespace", "(.*)") ` +
    `or rate(${histogram}_bucket{${honored}}[${window}])`;
}

/** The q-quantile of a Kueue LocalQueue histogram over `window`, by `by` (which may name `namespace`). */
export function localQueueQuantile(q: number, histogram: string, by: string, window: string, namespace?: string, ...matchers: string[]): string {
  return `histogram_quantile(${q}, sum by (le, ${by}) (${localQueueRate(histogram, window, namespace, ...matchers)}))`;
}

/** p95 request latency of every server in `servers`, by `by` (`or` across servers). */
export function servingLatencyP95(servers: ServingMetrics[], by: string, window: string, ...matchers: string[]): string {
  return unique(servers.map((s) => s.requestLatencyHistogram)).map((h) => quantile(0.95, h, by, window, ...matchers)).join(' or ');
}

/** Error ratio of every server in `servers`, by `by` (`or` across servers). */
export function servingErrorRatio(servers: ServingMetrics[], by: string, window: string, ...matchers: string[]): string {
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const s of servers) {
    const q = s._errorRate(selector(...matchers), window, by);
    if (!seen.has(q)) parts.push(`(${q})`);
    seen.add(q);
  }
  return parts.join(' or ');
}

export function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

/** Container restarts over `window`, by `by`. */
export function restarts(by: string, window: string, ...matchers: string[]): string {
  return `sum by (${by}) (increase(kube_pod_container_status_restarts_total{${selector(...matchers)}}[${window}]))`;
}

/** A PromQL float literal (no exponent, no trailing noise). */
export function num(x: number): string {
  return Number.isInteger(x) ? String(x) : String(Math.round(x * 1e6) / 1e6);
}
