import { ValidationError, show } from '../internal/errors';
import { checkProps, opt, req } from '../internal/runtime-checks';

/**
 * Props for the metrics of a model server of your own (`ServingMetrics.custom`).
 */
export interface ServingMetricsProps {
  /**
   * A name for reports, e.g. `triton`.
   */
  readonly server: string;

  /**
   * The end-to-end request latency histogram (the base name, without `_bucket`), in seconds.
   */
  readonly requestLatencyHistogram: string;

  /**
   * A counter of all requests (for the error rate denominator).
   */
  readonly requestsTotal: string;

  /**
   * A PromQL label matcher that selects failed requests in `requestsTotal`, e.g. `status=~"5.."`; or
   * `__name__="<counter>"` when failures are a counter of their own.
   */
  readonly errorMatcher: string;

  /**
   * The time-to-first-token histogram (base name), when the server has one.
   *
   * @default - none
   */
  readonly timeToFirstTokenHistogram?: string;

  /**
   * The inter-token latency histogram (base name), when the server has one.
   *
   * @default - none
   */
  readonly interTokenLatencyHistogram?: string;

  /**
   * A gauge of KV-cache use from 0 to 1, when the server has one.
   *
   * @default - none
   */
  readonly kvCacheUsage?: string;

  /**
   * A gauge of requests waiting to be scheduled, when the server has one.
   *
   * @default - none
   */
  readonly requestsWaiting?: string;

  /**
   * A gauge of requests being processed (in the running batch), when the server has one.
   *
   * @default - none
   */
  readonly requestsRunning?: string;
}

function parseVersion(server: string, version: string): [number, number] {
  const m = /^v?(\d+)\.(\d+)(\.\d+)?([-+.].*)?$/.exec(version);
  if (!m) throw new ValidationError(`ServingMetrics.${server}`, 'version', `got ${show(version)}; expected a version such as "0.11.2"`);
  return [Number(m[1]), Number(m[2])];
}

function atLeast(v: [number, number], major: number, minor: number): boolean {
  return v[0] > major || (v[0] === major && v[1] >= minor);
}

/**
 * The metric names a model server exposes, pinned per server version so that dashboards and alerts do not go
 * silently empty after a rename (vLLM renamed `gpu_cache_usage_perc` to `kv_cache_usage_perc` and the
 * time-per-output-token histogram to `inter_token_latency_seconds`).
 *
 * The one catalogue of server metric names in the library: an InferenceService's endpoint picker scorers and
 * metric autoscalers read the load gauges (`requestsWaiting`, `requestsRunning`, `kvCacheUsage`) from it, and
 * `ModelServer.metrics` gives the same object to WorkloadMonitoring and the platform dashboards.
 */
export class ServingMetrics {
  /**
   * The `/metrics` of vLLM (prefix `vllm:`, label `model_name`, HTTP counters from prometheus-fastapi-instrumentator).
   *
   * Below 0.10 the KV-cache gauge is `vllm:gpu_cache_usage_perc`; below 0.11 the inter-token histogram is
   * `vllm:time_per_output_token_seconds` (removed in 0.13).
   *
   * @param version The vLLM version, e.g. `0.11.2` (default: 0.11 or later).
   */
  public static vllm(version?: string): ServingMetrics {
    const v = version === undefined ? [0, 11] as [number, number] : parseVersion('vllm', version);
    return new ServingMetrics({
      server: 'vllm',
      requestLatencyHistogram: 'vllm:e2e_request_latency_seconds',
      timeToFirstTokenHistogram: 'vllm:time_to_first_token_seconds',
      interTokenLatencyHistogram: atLeast(v, 0, 11) ? 'vllm:inter_token_latency_seconds' : 'vllm:time_per_output_token_seconds',
      // The load gauges at vLLM 0.25.1 (the pinned vllm-0.25.1.tar.gz), vllm/v1/metrics/loggers.py: Gauge
      // name="vllm:num_requests_running" (L457), "vllm:num_requests_waiting" (L467), "vllm:kv_cache_usage_perc" (L525).
      kvCacheUsage: atLeast(v, 0, 10) ? 'vllm:kv_cache_usage_perc' : 'vllm:gpu_cache_usage_perc',
      requestsWaiting: 'vllm:num_requests_waiting',
      requestsRunning: 'vllm:num_requests_running',
      requestsTotal: 'http_requests_total',
      errorMatcher: 'status="5xx"',
    }, version);
  }

  /**
   * SGLang's `/metrics` (prefix `sglang:`, served with `--enable-metrics`).
   *
   * @param version The SGLang version the names are pinned to, e.g. `0.5.2` (default none).
   */
  public static sglang(version?: string): ServingMetrics {
    if (version !== undefined) parseVersion('sglang', version);
    return new ServingMetrics({
      server: 'sglang',
      requestLatencyHistogram: 'sglang:e2e_request_latency_seconds',
      timeToFirstTokenHistogram: 'sglang:time_to_first_token_seconds',
      interTokenLatencyHistogram: 'sglang:inter_token_latency_seconds',
      // The load gauges at SGLang 0.5.16 (the pinned wheel), sglang/srt/observability/metrics_collector.py: Gauge
      // name="sglang:num_running_reqs" (L270), "sglang:num_queue_reqs" (L276), "sglang:token_usage" (L310).
      kvCacheUsage: 'sglang:token_usage',
      requestsWaiting: 'sglang:num_queue_reqs',
      requestsRunning: 'sglang:num_running_reqs',
      requestsTotal: 'sglang:num_requests_total',
      errorMatcher: '__name__="sglang:num_aborted_requests_total"',
    }, version);
  }

  /**
   * Hugging Face TGI's `/metrics` (prefix `tgi_`).
   *
   * @param version The TGI version the names are pinned to, e.g. `3.3.6` (default none).
   */
  public static tgi(version?: string): ServingMetrics {
    if (version !== undefined) parseVersion('tgi', version);
    return new ServingMetrics({
      server: 'tgi',
      requestLatencyHistogram: 'tgi_request_duration',
      interTokenLatencyHistogram: 'tgi_request_mean_time_per_token_duration',
      // TGI (archived upstream): docs/source/reference/metrics.md of huggingface/text-generation-inference (commit
      // 53fdbe6, not a tag: no release is pinned here).
      requestsWaiting: 'tgi_queue_size',
      requestsRunning: 'tgi_batch_current_size',
      requestsTotal: 'tgi_request_count',
      errorMatcher: '__name__="tgi_request_failure"',
    }, version);
  }

  /**
   * A server this library does not know.
   */
  public static custom(props: ServingMetricsProps): ServingMetrics {
    checkProps('ServingMetrics.custom', 'ServingMetricsProps', props, {
      server: req('string', 'a server name such as "my-server"'),
      requestLatencyHistogram: req('string', 'a histogram base name'),
      requestsTotal: req('string', 'a counter name'),
      errorMatcher: req('string', 'a PromQL label matcher such as \'status=~"5.."\''),
      timeToFirstTokenHistogram: opt('string'),
      interTokenLatencyHistogram: opt('string'),
      kvCacheUsage: opt('string'),
      requestsWaiting: opt('string'),
      requestsRunning: opt('string'),
    });
    return new ServingMetrics(props, undefined);
  }

  /** The server, e.g. `vllm`. */
  public readonly server: string;
  /** The version the names are pinned to, when given. */
  public readonly version?: string;
  /** End-to-end latency histogram (base name). */
  public readonly requestLatencyHistogram: string;
  /** Requests counter. */
  public readonly requestsTotal: string;
  /** Matcher selecting failed requests. */
  public readonly errorMatcher: string;
  /** Time-to-first-token histogram, when known. */
  public readonly timeToFirstTokenHistogram?: string;
  /** Inter-token latency histogram, when known. */
  public readonly interTokenLatencyHistogram?: string;
  /** KV-cache usage gauge (0-1), when known. */
  public readonly kvCacheUsage?: string;
  /** Waiting requests gauge, when known. */
  public readonly requestsWaiting?: string;
  /** Running requests gauge, when known. */
  public readonly requestsRunning?: string;

  private constructor(props: ServingMetricsProps, version: string | undefined) {
    this.server = props.server;
    this.version = version;
    this.requestLatencyHistogram = props.requestLatencyHistogram;
    this.requestsTotal = props.requestsTotal;
    this.errorMatcher = props.errorMatcher;
    this.timeToFirstTokenHistogram = props.timeToFirstTokenHistogram;
    this.interTokenLatencyHistogram = props.interTokenLatencyHistogram;
    this.kvCacheUsage = props.kvCacheUsage;
    this.requestsWaiting = props.requestsWaiting;
    this.requestsRunning = props.requestsRunning;
    const metric = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
    for (const [prop, name] of Object.entries({
      requestLatencyHistogram: this.requestLatencyHistogram,
      requestsTotal: this.requestsTotal,
      timeToFirstTokenHistogram: this.timeToFirstTokenHistogram,
      interTokenLatencyHistogram: this.interTokenLatencyHistogram,
      kvCacheUsage: this.kvCacheUsage,
      requestsWaiting: this.requestsWaiting,
      requestsRunning: this.requestsRunning,
    })) {
      if (name !== undefined && !metric.test(name)) throw new ValidationError(`ServingMetrics.${props.server}`, prop, `got ${show(name)}; expected a Prometheus metric name`);
    }
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*\s*(=|!=|=~|!~)\s*"[^"]*"$/.test(this.errorMatcher)) {
      throw new ValidationError(`ServingMetrics.${props.server}`, 'errorMatcher', `got ${show(this.errorMatcher)}; expected one label matcher such as status=~"5.."`);
    }
  }

  /**
   * PromQL: the fraction of failed requests over `window` for the series matching `selector` (inside braces).
   * @internal
   */
  public _errorRate(selector: string, window: string, by: string): string {
    const sel = (extra: string) => `{${[selector, extra].filter((s) => s).join(', ')}}`;
    if (this.errorMatcher.startsWith('__name__=')) {
      const failed = /"([^"]*)"/.exec(this.errorMatcher)![1];
      return `sum by (${by}) (rate(${failed}${sel('')}[${window}])) / sum by (${by}) (rate(${this.requestsTotal}${sel('')}[${window}]))`;
    }
    return `sum by (${by}) (rate(${this.requestsTotal}${sel(this.errorMatcher)}[${window}])) / sum by (${by}) (rate(${this.requestsTotal}${sel('')}[${window}]))`;
  }
}
