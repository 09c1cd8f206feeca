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
