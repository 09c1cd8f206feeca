import { IConstruct } from 'constructs';
import { invalidProp, ValidationError } from '../internal/errors';

/**
 * The endpoint picker's data layer: which metrics it scrapes from the model servers and how it reads them, following
 * llm-d-router v0.10.0 (pkg/epp/config/loader/defaults.go ensureDataLayer for `injectDefaults`;
 * pkg/epp/framework/plugins/datalayer/extractor/metrics/factories.go for `core-metrics-extractor`'s `engineConfigs`,
 * spec.go for the metric-spec syntax).
 */

/**
 * The metric names the endpoint picker reads from a server it has no built-in engine for (`core-metrics-extractor`
 * `engineConfigs`, llm-d-router v0.10.0). Each is a Prometheus metric name, optionally with label matchers such as
 * `my_requests{state=waiting}`. A scorer that reads a metric you leave out is refused for the server.
 */
export interface EppEngineMetrics {
  /**
   * The gauge of requests waiting in the server's queue (`queuedRequestsSpec`), read by the queue scorer.
   *
   * @default - none: the queue scorer is refused for the server
   */
  readonly queuedRequests?: string;

  /**
   * The gauge of requests the server is running (`runningRequestsSpec`), read by the running-requests scorer.
   *
   * @default - none: the running-requests scorer is refused for the server
   */
  readonly runningRequests?: string;

  /**
   * The gauge of the KV-cache utilisation from 0 to 1 (`kvUsageSpec`), read by the KV-cache scorer and the
   * utilization saturation detector.
   *
   * @default - none: the KV-cache scorer is refused for the server
   */
  readonly kvCacheUsage?: string;
}

/**
 * The endpoint picker's data layer settings (EndpointPickerConfig `dataLayer`).
 */
export interface EppDataLayerOptions {
  /**
   * Let the picker add its default metrics source and extractor (`dataLayer.injectDefaults`). False writes the
   * source and extractor the server needs into the config instead, so the file is the whole data layer; true is
   * refused for a server the picker reads no metrics from (it would scrape vLLM metrics that are not there).
   *
   * @default - true for servers the picker reads metrics from, false for the others
   */
  readonly injectDefaults?: boolean;
}

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
