import { shortHash } from '../../internal/names';

/** One panel of the default dashboard. Internal. */
export interface DashboardPanel {
  /** The panel title. */
  readonly title: string;
  /** The panel's hover text. */
  readonly description: string;
  /** The PromQL query (a recording rule of PlatformObservability). */
  readonly expr: string;
  /** Grafana's legend format, e.g. `{{namespace}}`. */
  readonly legend: string;
  /** Grafana's unit id, e.g. `percent`. */
  readonly unit: string;
  /** The panel type. */
  readonly kind: 'timeseries' | 'bargauge';
  /** Where the panel sits on Grafana's 24-column grid. */
  readonly gridPos: { x: number; y: number; w: number; h: number };
}

/**
 * The currencies Grafana has a unit `currency<CODE>` for (the unit ids of grafana-foundation-sdk v0.0.22's units
 * package, from Grafana's valueFormats categories).
 */
const GRAFANA_CURRENCIES = new Set(['BGN', 'BRL', 'BTC', 'CHF', 'CZK', 'DKK', 'EUR', 'GBP', 'IDR', 'ILS', 'INR', 'ISK', 'JPY',
  'KRW', 'MYR', 'NOK', 'PHP', 'PLN', 'PYG', 'RUB', 'SEK', 'TRY', 'UAH', 'USD', 'UYU', 'VND', 'XPF', 'ZAR']);

/**
 * Grafana's unit for an amount in `currency`; other codes get the custom unit `currency:<CODE>`, since Grafana shows
 * an unknown unit id such as `currencyAUD` verbatim after the value.
 */
function currencyUnit(currency: string): string {
  return GRAFANA_CURRENCIES.has(currency) ? `currency${currency}` : `currency:${currency}`;
}

/** The seven signals of the default platform dashboard, laid out on Grafana's 24-column grid. */
export function defaultPanels(currency: string): DashboardPanel[] {
  const ns = 'namespace=~"$namespace"';
  return [
    { title: 'GPU utilization', description: 'Average DCGM_FI_DEV_GPU_UTIL of the GPUs each namespace holds.', expr: `namespace:gpu_utilization:avg{${ns}}`, legend: '{{namespace}}', unit: 'percent', kind: 'timeseries', gridPos: { x: 0, y: 0, w: 12, h: 8 } },
    { title: 'GPU memory', description: 'Framebuffer used / total of the GPUs each namespace holds.', expr: `namespace:gpu_memory_used:ratio{${ns}}`, legend: '{{namespace}}', unit: 'percentunit', kind: 'timeseries', gridPos: { x: 12, y: 0, w: 12, h: 8 } },
    { title: 'Request latency p95', description: 'p95 end-to-end request latency of the model servers.', expr: `namespace:model_request_latency_seconds:p95{${ns}}`, legend: '{{namespace}}', unit: 's', kind: 'timeseries', gridPos: { x: 0, y: 8, w: 8, h: 8 } },
    { title: 'Error rate', description: 'Failed requests / all requests of the model servers.', expr: `namespace:model_request_errors:ratio{${ns}}`, legend: '{{namespace}}', unit: 'percentunit', kind: 'timeseries', gridPos: { x: 8, y: 8, w: 8, h: 8 } },
    { title: 'Queue time p90', description: 'p90 Kueue admission wait of the workloads of each namespace.', expr: `namespace:kueue_admission_wait_seconds:p90{${ns}}`, legend: '{{namespace}}', unit: 's', kind: 'timeseries', gridPos: { x: 16, y: 8, w: 8, h: 8 } },
    { title: 'Pod restarts (1h)', description: 'Container restarts over the last hour.', expr: `namespace:pod_restarts:increase1h{${ns}}`, legend: '{{namespace}}', unit: 'short', kind: 'timeseries', gridPos: { x: 0, y: 16, w: 12, h: 8 } },
    { title: `Cost per namespace (${currency}/h)`, description: 'GPUs held x the price per GPU-hour given to PlatformObservability.', expr: `namespace:gpu_cost_per_hour:sum{${ns}}`, legend: '{{namespace}}', unit: currencyUnit(currency), kind: 'bargauge', gridPos: { x: 12, y: 16, w: 12, h: 8 } },
  ];
}

/** Grafana dashboard JSON (schema 39) with a datasource and a namespace variable. */
export function dashboardJson(title: string, panels: DashboardPanel[], namespaces: string[]): Record<string, any> {
  const datasource = { type: 'prometheus', uid: '${datasource}' };
  return {
    title,
    uid: `cdk8s-ai-${shortHash(title, 12)}`,
    editable: false,
    schemaVersion: 39,
    tags: ['cdk8s-ai', 'gpu'],
    time: { from: 'now-6h', to: 'now' },
    refresh: '1m',
    templating: {
      list: [
        { name: 'datasource', type: 'datasource', query: 'prometheus', label: 'Data source' },
        {
          name: 'namespace',
          type: 'custom',
          label: 'Tenant',
          multi: true,
          includeAll: true,
          allValue: '.*',
          query: namespaces.join(','),
          current: { text: 'All', value: '$__all' },
          options: namespaces.map((n) => ({ text: n, value: n, selected: false })),
        },
      ],
    },
    panels: panels.map((p, i) => ({
      id: i + 1,
      type: p.kind,
      title: p.title,
      description: p.description,
      datasource,
      gridPos: p.gridPos,
      fieldConfig: { defaults: { unit: p.unit }, overrides: [] },
      options: p.kind === 'bargauge' ? { orientation: 'horizontal', displayMode: 'gradient' } : { legend: { displayMode: 'list', placement: 'bottom' } },
      targets: [{ refId: 'A', datasource, expr: p.expr, legendFormat: p.legend }],
    })),
  };
}
