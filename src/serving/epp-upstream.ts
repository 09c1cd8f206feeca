/**
 * What each pinned llm-d-router endpoint picker (EPP) release accepts, read from its source at the tag. Internal:
 * `EppVersion` exposes it. test/serving/epp-upstream.test.ts re-derives the v0.10.0 tables from
 * ../shared/upstream/llm-d-router-v0.10.0.tar.gz (and v0.9.0 from a git clone when one is given), so a table that
 * drifts from its source fails a test.
 *
 * Sources (github.com/llm-d/llm-d-router):
 * - flags: `pkg/epp/server/options.go` (Options.AddFlags), `pkg/common/observability/logging/options.go`
 *   (LoggingOptions.AddFlags: `-v` and the controller-runtime zap flags, sigs.k8s.io/controller-runtime v0.23.3
 *   `pkg/log/zap/zap.go` Options.BindFlags); both registered on pflag.CommandLine by `cmd/epp/runner/runner.go`.
 * - plugins and their maturity: `cmd/epp/runner/runner.go` (Runner.registerInTreePlugins); the maturity gate is
 *   `pkg/epp/framework/interface/plugin/registry.go` (ValidatePluginStability, v0.10.0 only).
 * - feature gates: `cmd/epp/runner/runner.go` (loader.RegisterFeatureGate calls).
 */

/** Maturity of an in-tree plugin type (`pkg/epp/framework/interface/plugin/stability.go`, v0.10.0). */
export type PluginStability = 'Alpha' | 'Beta' | 'Stable' | 'Ungated';

/** One release's table. */
export interface EppUpstreamTable {
  /** Flags the binary parses and runs with (without `--`). */
  readonly flags: readonly string[];
  /** Flags the binary parses but refuses at start when set (`Options.Validate`), with why. */
  readonly refusedFlags: { readonly [flag: string]: string };
  /** In-tree plugin types by maturity. `Ungated`: the release has no maturity gate (every type loads). */
  readonly plugins: { readonly [type: string]: PluginStability };
  /** Config feature gates and their defaults. */
  readonly featureGates: { readonly [gate: string]: boolean };
}

/** controller-runtime v0.23.3 pkg/log/zap/zap.go Options.BindFlags (both releases pin v0.23.3 in go.mod). */
const ZAP_FLAGS = ['zap-devel', 'zap-encoder', 'zap-log-level', 'zap-stacktrace-level', 'zap-time-encoding'];

/** `pkg/epp/server/options.go` deprecatedMetricFlags, v0.9.0 and v0.10.0: parsed, then refused by Validate when set. */
const DEPRECATED_METRIC_FLAGS: { [flag: string]: string } = Object.fromEntries([
  'total-queued-requests-metric', 'total-running-requests-metric', 'kv-cache-usage-percentage-metric', 'lora-info-metric', 'cache-info-metric',
].map((f) => [f, 'deprecated: the picker refuses to start when it is set; metrics are configured through the config file (engineConfigs)']));

/** llm-d-router v0.10.0 `pkg/epp/server/options.go` AddFlags, in source order, then the logging flags. */
const FLAGS_V0_10_0 = [
  'grpc-port', 'ha-enable-leader-election', 'drain-timeout', 'grpc-max-recv-msg-size', 'grpc-max-send-msg-size', 'pool-group',
  'pool-namespace', 'pool-name', 'endpoint-selector', 'endpoint-target-ports', 'disable-endpoint-subset-filter', 'emit-endpoint-scores',
  'refresh-metrics-interval', 'refresh-prometheus-metrics-interval', 'metrics-staleness-threshold',
  'tracing', 'health-checking', 'metrics-port', 'grpc-health-port', 'enable-pprof', 'cert-path', 'enable-cert-reload',
  'enable-grpc-stream-metrics', 'secure-serving', 'tls-min-version', 'tls-cipher-suites', 'metrics-endpoint-auth', 'metrics-client-ca-file',
  'metrics-cert-dir', 'config-file', 'config-text', 'allow-experimental-plugins',
  'v', ...ZAP_FLAGS,
];

/** llm-d-router v0.9.0 `pkg/epp/server/options.go` AddFlags (no drain-timeout, TLS tuning, metrics TLS, experimental gate). */
const FLAGS_V0_9_0 = [
  'grpc-port', 'ha-enable-leader-election', 'grpc-max-recv-msg-size', 'grpc-max-send-msg-size', 'pool-group', 'pool-namespace', 'pool-name',
  'endpoint-selector', 'endpoint-target-ports', 'disable-endpoint-subset-filter',
  // Deprecated in v0.9.0 (a warning, still honoured); removed in v0.10.0.
  'model-server-metrics-scheme', 'model-server-metrics-path', 'model-server-metrics-port', 'model-server-metrics-https-insecure-skip-verify',
  'refresh-metrics-interval', 'refresh-prometheus-metrics-interval', 'metrics-staleness-threshold',
  'tracing', 'health-checking', 'metrics-port', 'grpc-health-port', 'enable-pprof', 'cert-path', 'enable-cert-reload',
  'enable-grpc-stream-metrics', 'secure-serving', 'metrics-endpoint-auth', 'config-file', 'config-text',
  'v', ...ZAP_FLAGS,
];

const alpha = (types: string[]) => types.map((t) => [t, 'Alpha' as PluginStability]);
const beta = (types: string[]) => types.map((t) => [t, 'Beta' as PluginStability]);

/** llm-d-router v0.10.0 `cmd/epp/runner/runner.go` registerInTreePlugins: every type with the maturity it registers. */
const PLUGINS_V0_10_0: { [type: string]: PluginStability } = Object.fromEntries([
  ...alpha([
    'disaggregatedset-rollout-screener', 'session-affinity-filter', 'endpoint-attribute-filter', 'topology-affinity-filter',
    'utilization-filter', 'session-affinity-scorer', 'header-label-affinity-scorer', 'topology-extractor', 'dcgm-data-source',
    'dcgm-extractor', 'header-profile-handler', 'endpoint-attribute-scorer', 'topology-affinity-scorer', 'burst-prefix-cache-producer',
    'p2p-source-producer', 'multicluster-session-affinity-filter', 'multicluster-queue-scorer', 'multicluster-kv-cache-utilization-scorer',
    'multicluster-prefix-cache-scorer', 'multicluster-approx-prefix-cache-producer', 'sheddable-eviction-filter',
    'priority-then-time-eviction-order-policy', 'priority-holdback-policy', 'soft-reflective-ceiling-policy',
    'multicluster-metrics-data-source', 'multicluster-metrics-extractor', 'multicluster-file-discovery', 'agent-identity',
  ]),
  ...beta([
    'label-selector-filter', 'by-label-selector', 'by-label', 'encode-filter', 'decode-filter', 'prefill-filter',
    'data-parallel-profile-handler', 'load-aware-scorer', 'context-length-aware', 'models-data-source', 'models-data-extractor',
    'prefix-cache-scorer', 'max-score-picker', 'random-picker', 'weighted-random-picker', 'single-profile-handler',
    'disagg-headers-handler', 'prefill-header-handler', 'pd-profile-handler', 'disagg-profile-handler', 'always-disagg-pd-decider',
    'prefix-based-pd-decider', 'always-disagg-multimodal-decider', 'kv-cache-utilization-scorer', 'queue-scorer',
    'running-requests-size-scorer', 'lora-affinity-scorer', 'token-load-scorer', 'no-hit-lru-scorer', 'active-request-scorer',
    'precise-prefix-cache-scorer', 'mm-embeddings-cache-scorer', 'precise-prefix-cache-producer', 'global-strict-fairness-policy',
    'round-robin-fairness-policy', 'program-aware-fairness', 'fcfs-ordering-policy', 'edf-ordering-policy', 'slo-deadline-ordering-policy',
    'static-usage-limit-policy', 'approx-prefix-cache-producer', 'inflight-load-producer', 'predicted-latency-producer', 'tokenizer',
    'mm-embeddings-cache-producer', 'token-producer', 'session-id-producer', 'latency-slo-admitter', 'probabilistic-admitter',
    'prefix-cache-affinity-filter', 'slo-headroom-tier-filter', 'latency-scorer', 'header-based-testing-filter',
    'destination-endpoint-served-verifier', 'metrics-data-source', 'core-metrics-extractor', 'k8s-notification-source',
    'endpoint-notification-source', 'request-attribute-reporter', 'openai-parser', 'vllmgrpc-parser', 'passthrough-parser',
    'anthropic-parser', 'vllmhttp-parser', 'vertexai-parser', 'concurrency-detector', 'utilization-detector', 'file-discovery',
  ]),
]);

/** llm-d-router v0.9.0 `cmd/epp/runner/runner.go` registerInTreePlugins: no maturity levels yet, every type loads. */
const PLUGINS_V0_9_0: { [type: string]: PluginStability } = Object.fromEntries([
  'label-selector-filter', 'by-label-selector', 'by-label', 'encode-filter', 'decode-filter', 'prefill-filter', 'session-affinity-filter',
  'data-parallel-profile-handler', 'load-aware-scorer', 'session-affinity-scorer', 'context-length-aware', 'models-data-source',
  'models-data-extractor', 'prefix-cache-scorer', 'max-score-picker', 'random-picker', 'weighted-random-picker', 'single-profile-handler',
  'disagg-headers-handler', 'prefill-header-handler', 'pd-profile-handler', 'disagg-profile-handler', 'always-disagg-pd-decider',
  'prefix-based-pd-decider', 'always-disagg-multimodal-decider', 'kv-cache-utilization-scorer', 'queue-scorer',
  'running-requests-size-scorer', 'lora-affinity-scorer', 'token-load-scorer', 'no-hit-lru-scorer', 'active-request-scorer',
  'precise-prefix-cache-scorer', 'mm-embeddings-cache-scorer', 'precise-prefix-cache-producer', 'global-strict-fairness-policy',
  'round-robin-fairness-policy', 'program-aware-fairness', 'fcfs-ordering-policy', 'edf-ordering-policy', 'slo-deadline-ordering-policy',
  'static-usage-limit-policy', 'approx-prefix-cache-producer', 'inflight-load-producer', 'mm-embeddings-cache-producer',
  'predicted-latency-producer', 'token-producer', 'tokenizer', 'session-id-producer', 'latency-slo-admitter', 'probabilistic-admitter',
  'prefix-cache-affinity-filter', 'slo-headroom-tier-filter', 'latency-scorer', 'header-based-testing-filter',
  'destination-endpoint-served-verifier', 'metrics-data-source', 'core-metrics-extractor', 'k8s-notification-source',
  'endpoint-notification-source', 'request-attribute-reporter', 'anthropic-parser', 'openai-parser', 'vllmgrpc-parser', 'vllmhttp-parser',
  'passthrough-parser', 'vertexai-parser', 'concurrency-detector', 'utilization-detector', 'file-discovery', 'agent-identity',
].map((t) => [t, 'Ungated' as PluginStability]));

/** llm-d-router v0.10.0: flags, plugins, feature gates (`cmd/epp/runner/runner.go`: flowControl off, haPopulateNonLeaderDatastore on). */
export const EPP_V0_10_0: EppUpstreamTable = {
  flags: FLAGS_V0_10_0,
  refusedFlags: DEPRECATED_METRIC_FLAGS,
  plugins: PLUGINS_V0_10_0,
  featureGates: { flowControl: false, haPopulateNonLeaderDatastore: true },
};

/** llm-d-router v0.9.0: flags, plugins, feature gates (`cmd/epp/runner/runner.go`: dataLayer and flowControl, both off). */
export const EPP_V0_9_0: EppUpstreamTable = {
  flags: FLAGS_V0_9_0,
  refusedFlags: DEPRECATED_METRIC_FLAGS,
  plugins: PLUGINS_V0_9_0,
  featureGates: { dataLayer: false, flowControl: false },
};
