import { eq, selector } from '../../internal/promql';

/* PromQL over Kueue's LocalQueue series. Internal. */

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
