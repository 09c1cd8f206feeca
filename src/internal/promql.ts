/**
 * PromQL building blocks with no domain knowledge: selectors, escaping, quantiles, literals. The queries over a
 * vocabulary live with it (DCGM in accelerators/dcgm-queries.ts, model servers in serving/serving-queries.ts, Kueue
 * in platform/observability/kueue-queries.ts). Internal.
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

/** The q-quantile of a histogram over `window`, by `by`. */
export function quantile(q: number, histogram: string, by: string, window: string, ...matchers: string[]): string {
  return `histogram_quantile(${q}, sum by (le, ${by}) (rate(${histogram}_bucket{${selector(...matchers)}}[${window}])))`;
}

/** The distinct elements of `xs`, in first-seen order. */
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
