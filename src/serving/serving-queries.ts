import { ServingMetrics } from './serving-metrics';
import { quantile, selector, unique } from '../internal/promql';

/* PromQL over model-server series, across every engine that runs in the app. Internal. */

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
