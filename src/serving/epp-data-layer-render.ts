import { IConstruct } from 'constructs';
import { EppDataLayerOptions, EppEngineMetrics } from './epp-data-layer';
import { invalidProp, ValidationError } from '../internal/errors';

/** The checks and rendering of the picker's data layer (the public types are in epp-data-layer.ts). Internal. */

/** The `core-metrics-extractor` engine name the picker reserves (factories.go, mapping_registry.go DefaultEngineType). */
const RESERVED_ENGINE = 'default';
/** spec.go metricSpecRE with model.LegacyValidation names and labelPairRE / addQuotesRE label pairs. */
const METRIC_NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL_PAIR = '[a-zA-Z_][a-zA-Z0-9_]*\\s*=\\s*(?:"[^"]*"|[^",}\\s]+)';
const METRIC_SPEC = new RegExp(`^${METRIC_NAME}(?:\\{\\s*(?:${LABEL_PAIR}(?:\\s*,\\s*${LABEL_PAIR})*)?\\s*\\})?$`);
const METRIC_SPEC_KEYS: [keyof EppEngineMetrics, string][] = [
  ['queuedRequests', 'queuedRequestsSpec'], ['runningRequests', 'runningRequestsSpec'], ['kvCacheUsage', 'kvUsageSpec'],
];

/** Checks a custom server's engine metrics (the prop path is `server.eppMetrics`). */
export function checkEngineMetrics(scope: IConstruct, prop: string, engine: string, builtIn: string[], m: EppEngineMetrics): void {
  if (engine === RESERVED_ENGINE || builtIn.includes(engine)) {
    throw invalidProp(scope, 'server.name', engine, `a name other than ${[RESERVED_ENGINE, ...builtIn].join(', ')} with eppMetrics (the picker's ` +
      'engine label is the server name; for a built-in engine give eppEngineType instead)');
  }
  const given = METRIC_SPEC_KEYS.filter(([k]) => m[k] !== undefined);
  if (given.length === 0) {
    throw new ValidationError(scope, prop, 'names no metric; give queuedRequests, runningRequests or kvCacheUsage (or leave eppMetrics unset)');
  }
  for (const [k] of given) {
    const spec = m[k]!;
    if (typeof spec !== 'string' || !METRIC_SPEC.test(spec)) {
      throw invalidProp(scope, `${prop}.${k}`, spec, 'a Prometheus metric name, optionally with label matchers, such as my_queue_size{state=waiting}');
    }
  }
}

/** The metric names without label matchers (autoscalers query these by name). */
export function plainMetricName(spec: string | undefined): string | undefined {
  return spec !== undefined && /^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(spec) ? spec : undefined;
}

/** What the picker's data layer is rendered from. */
export interface DataLayerInput {
  /** The engine label value, undefined for a server the picker reads no metrics from. */
  readonly engine?: string;
  /** The engine's metric specs, for an engine the picker does not have built in. */
  readonly engineMetrics?: EppEngineMetrics;
  readonly metricsPath: string;
  readonly options?: EppDataLayerOptions;
}

/** Refuses data layer settings the server cannot use. */
export function checkDataLayer(scope: IConstruct, input: DataLayerInput): void {
  if (input.engine === undefined && input.options?.injectDefaults === true) {
    throw invalidProp(scope, 'endpointPicker.dataLayer.injectDefaults', true, 'false or unset: the server exports no metrics the endpoint ' +
      'picker reads, and the injected source would scrape it for vLLM\'s (pkg/epp/config/loader/defaults.go ensureDataLayer)');
  }
}

/** The data layer plugins and the `dataLayer` section (undefined: the loader's defaults, which find the declared source). */
export function renderDataLayer(input: DataLayerInput): { plugins: any[]; dataLayer?: { [key: string]: any } } {
  const engine = input.engine;
  if (engine === undefined) return { plugins: [], dataLayer: { injectDefaults: false } };
  const custom = input.engineMetrics;
  const specs = custom ? Object.fromEntries(METRIC_SPEC_KEYS.filter(([k]) => custom[k] !== undefined).map(([k, f]) => [f, custom[k]])) : {};
  const extractorParams = custom
    ? { defaultEngine: engine, engineConfigs: [{ name: engine, ...specs }] }
    : engine === 'vllm' ? undefined : { defaultEngine: engine };
  const plugins = [
    // The llm-d chart's metrics source and extractor (llm-d-router v0.10.0 config/charts/routerlib/templates/_config.yaml).
    { type: 'metrics-data-source', parameters: { scheme: 'http', path: input.metricsPath } },
    extractorParams ? { type: 'core-metrics-extractor', parameters: extractorParams } : { type: 'core-metrics-extractor' },
  ];
  const inject = input.options?.injectDefaults;
  if (inject === undefined) return { plugins };
  if (inject) return { plugins, dataLayer: { injectDefaults: true } };
  return {
    plugins,
    dataLayer: { injectDefaults: false, sources: [{ pluginRef: 'metrics-data-source', extractors: [{ pluginRef: 'core-metrics-extractor' }] }] },
  };
}
