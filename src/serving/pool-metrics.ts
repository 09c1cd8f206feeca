/**
 * The InferencePool saturation signals the endpoint picker exports, and the PromQL a KEDA trigger scales on. Internal:
 * `PoolMetric` (serving-autoscaling.ts) is the public choice.
 *
 * Names and labels, llm-d-router v0.10.0 (github.com/llm-d/llm-d-router, tag v0.10.0; the same names and labels at
 * v0.9.0):
 * - `pkg/epp/metrics/llm_d_router_metrics.go`: subsystem `llm_d_epp`; the pool gauges `average_queue_size`,
 *   `average_kv_cache_utilization`, `average_running_requests`, `ready_endpoints`, labelled `name` (poolLabels,
 *   `pkg/epp/metrics/metrics.go`); the flow-control gauges `flow_control_queue_size` (labels `fairness_id`,
 *   `priority`, `inference_pool`, `model_name`, `target_model_name`) and `flow_control_pool_saturation`
 *   (`inference_pool`). The `inference_pool_*` / `inference_extension_*` twins in metrics.go are deprecated there.
 * - `pkg/epp/datalayer/logger/logger.go` refreshPrometheusMetrics: the `name` label is the InferencePool's name; with
 *   no ready endpoint only `ready_endpoints` is updated (to 0) and the averages keep their last value, so every
 *   average here is read only while `ready_endpoints` is above 0.
 * - `cmd/epp/runner/runner.go` (NewFlowControlAdmissionController(fc, opts.PoolName, ...)) and
 *   `pkg/epp/flowcontrol/controller/controller.go` EnqueueAndWait: `inference_pool` is `--pool-name`, and
 *   `flow_control_queue_size` counts the requests waiting in flow control (incremented on entry, decremented when
 *   dispatched, rejected or evicted).
 * - `pkg/epp/flowcontrol/controller/internal/processor.go` dispatchCycle: `flow_control_pool_saturation` is
 *   recorded every cycle; an empty pool reads 1.0 (`saturationdetector/utilization/detector.go`,
 *   `saturationdetector/concurrency/detector.go`), so it too is read only while endpoints are ready.
 */

/** The picker's metric names and the label that carries the pool's name. */
interface PickerGauge {
  readonly name: string;
  readonly poolLabel: 'name' | 'inference_pool';
  /** Requests or bytes summed over picker replicas (each queues its own), or a pool-wide value they all compute. */
  readonly aggregate: 'sum' | 'max';
  /** Read only while the pool has ready endpoints (see above). */
  readonly whileReady: boolean;
  /** Only recorded with the picker's flow control on. */
  readonly flowControl: boolean;
}

/** Keys: the `PoolMetric` values. */
export const PICKER_GAUGES: { readonly [metric: string]: PickerGauge } = {
  AverageQueueSize: { name: 'llm_d_epp_average_queue_size', poolLabel: 'name', aggregate: 'max', whileReady: true, flowControl: false },
  AverageKvCacheUtilization: { name: 'llm_d_epp_average_kv_cache_utilization', poolLabel: 'name', aggregate: 'max', whileReady: true, flowControl: false },
  AverageRunningRequests: { name: 'llm_d_epp_average_running_requests', poolLabel: 'name', aggregate: 'max', whileReady: true, flowControl: false },
  FlowControlQueueSize: { name: 'llm_d_epp_flow_control_queue_size', poolLabel: 'inference_pool', aggregate: 'sum', whileReady: false, flowControl: true },
  FlowControlSaturation: { name: 'llm_d_epp_flow_control_pool_saturation', poolLabel: 'inference_pool', aggregate: 'max', whileReady: true, flowControl: true },
};

const READY_ENDPOINTS = 'llm_d_epp_ready_endpoints';

/**
 * Picker releases whose flow control holds requests while the pool has no ready endpoint, so that a replica can start
 * from zero under them. v0.10.0: the director admits through flow control before it looks for endpoints
 * (`pkg/epp/requestcontrol/director.go`, Admit before Locate); the dispatch cycle gates on saturation, which reads 1.0
 * for an empty pool, and "when the pool has no endpoints the queue acts as a scale-from-zero waiting room and requests
 * hold for the full [defaultRequestTTL] budget" (`pkg/epp/flowcontrol/README.md`; `processor.go` poolEmpty). Without
 * flow control the director answers 503 "failed to find endpoint candidates for serving the request" at once.
 * v0.9.0 is not listed: its empty-pool behaviour is not verified here.
 */
export const HOLDS_REQUESTS_WHILE_EMPTY: readonly string[] = ['0.10.0'];

/** Whether a pool metric needs the picker's flow control. */
export function needsFlowControl(metric: string): boolean {
  return PICKER_GAUGES[metric]?.flowControl ?? false;
}

/** Whether the metric is a per-endpoint average or a ratio (a KEDA `Value` target) rather than a count to share out. */
export function isIntensive(metric: string): boolean {
  return PICKER_GAUGES[metric]?.aggregate === 'max';
}

/** The PromQL a KEDA trigger runs for a pool metric: one value for the pool (KEDA refuses a multi-element result). */
export function poolQuery(metric: string, namespace: string, pool: string): string {
  const g = PICKER_GAUGES[metric];
  const sel = (label: string) => `{namespace="${namespace}",${label}="${pool}"}`;
  const series = `${g.name}${sel(g.poolLabel)}`;
  return g.whileReady
    ? `${g.aggregate}(${series} and on(instance) ${READY_ENDPOINTS}${sel('name')} > 0)`
    : `${g.aggregate}(${series})`;
}

/**
 * The scale-from-zero trigger: 1 while any request waits in the picker's flow-control queue, else 0 (so it activates
 * the ScaledObject and asks for one replica, leaving scale-out to the load trigger).
 */
export function wakeQuery(namespace: string, pool: string): string {
  return `clamp_max(${poolQuery('FlowControlQueueSize', namespace, pool)}, 1)`;
}
