import { Chart, Duration } from 'cdk8s';
import { findObject, llama, newChart, objectsOf } from './fixtures';
import { ClusterAddon } from '../../src/cluster/cluster-addon';
import { ClusterProfile } from '../../src/cluster/cluster-profile';
import { InferenceRoute } from '../../src/serving/inference-route';
import { ModelServer } from '../../src/serving/model-server';
import { PoolMetric, ServerMetric, ServingAutoscaling } from '../../src/serving/serving-autoscaling';

/** Autoscaling on the endpoint picker's signals for a service's InferencePool (KEDA), and scaling to zero. */

const PROM = 'http://prometheus-operated.monitoring.svc:9090';
const READY = 'llm_d_epp_ready_endpoints{namespace="serving",name="llama"} > 0';

function chartWithKeda(): Chart {
  const { app, chart } = newChart();
  new ClusterProfile(app, 'Cluster', { addons: [...ClusterAddon.defaults(), ClusterAddon.KEDA] });
  return chart;
}

function pool(metric: PoolMetric, target: number, minReplicas = 1, extra: { cooldownPeriod?: Duration } = {}): ServingAutoscaling {
  return ServingAutoscaling.kedaPool({ minReplicas, maxReplicas: 4, metric, target, prometheusAddress: PROM, ...extra });
}

const FLOW_CONTROL = { flowControl: { enabled: true, requestTtl: Duration.minutes(10) } };

describe('ServingAutoscaling.kedaPool', () => {
  test('average queue size: the picker\'s pool gauge, read while endpoints are ready, as a Value target', () => {
    const chart = chartWithKeda();
    llama(chart, 'llama', ModelServer.vllm(), { autoscaling: pool(PoolMetric.AVERAGE_QUEUE_SIZE, 5), route: { gateway: 'gw' } });
    const objects = objectsOf(chart);
    expect(findObject(objects, 'ScaledObject').spec).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'llama' },
      minReplicaCount: 1,
      maxReplicaCount: 4,
      triggers: [{
        type: 'prometheus',
        metricType: 'Value',
        metadata: {
          serverAddress: PROM,
          query: `max(llm_d_epp_average_queue_size{namespace="serving",name="llama"} and on(instance) ${READY})`,
          threshold: '5',
        },
      }],
    });
    // The picker's ServiceMonitor scrapes what the query reads; the pool is named like the service.
    findObject(objects, 'ServiceMonitor', 'llama-epp');
    expect(findObject(objects, 'InferencePool').metadata.name).toBe('llama');
  });

  test.each([
    [PoolMetric.AVERAGE_KV_CACHE_UTILIZATION, 0.8, 'llm_d_epp_average_kv_cache_utilization{namespace="serving",name="llama"}', '0.8'],
    [PoolMetric.AVERAGE_RUNNING_REQUESTS, 16, 'llm_d_epp_average_running_requests{namespace="serving",name="llama"}', '16'],
    [PoolMetric.FLOW_CONTROL_SATURATION, 0.9, 'llm_d_epp_flow_control_pool_saturation{namespace="serving",inference_pool="llama"}', '0.9'],
  ])('%s: max over picker replicas, guarded by ready endpoints', (metric, target, series, threshold) => {
    const chart = chartWithKeda();
    llama(chart, 'llama', ModelServer.sglang(), { autoscaling: pool(metric, target), route: { gateway: 'gw' }, endpointPicker: FLOW_CONTROL });
    const [trigger] = findObject(objectsOf(chart), 'ScaledObject').spec.triggers;
    expect(trigger.metricType).toBe('Value');
    expect(trigger.metadata.query).toBe(`max(${series} and on(instance) ${READY})`);
    expect(trigger.metadata.threshold).toBe(threshold);
  });

  test('flow-control queue size: summed over picker replicas, shared out per replica (AverageValue)', () => {
    const chart = chartWithKeda();
    llama(chart, 'llama', ModelServer.vllm(), {
      autoscaling: pool(PoolMetric.FLOW_CONTROL_QUEUE_SIZE, 10), route: { gateway: 'gw' }, endpointPicker: FLOW_CONTROL,
    });
    const [trigger] = findObject(objectsOf(chart), 'ScaledObject').spec.triggers;
    expect(trigger).toEqual({
      type: 'prometheus',
      metadata: { serverAddress: PROM, query: 'sum(llm_d_epp_flow_control_queue_size{namespace="serving",inference_pool="llama"})', threshold: '10' },
    });
  });

  test('a route attached after the service is built counts (checked at synth)', () => {
    const chart = chartWithKeda();
    const svc = llama(chart, 'llama', ModelServer.vllm(), { autoscaling: pool(PoolMetric.AVERAGE_QUEUE_SIZE, 5, 0), endpointPicker: FLOW_CONTROL });
    new InferenceRoute(chart, 'route', { gateway: 'gw', backends: [{ service: svc }] });
    expect(findObject(objectsOf(chart), 'ScaledObject').spec.minReplicaCount).toBe(0);
  });
});

describe('scale to zero', () => {
  test('behind a picker with flow control: a wake trigger on the flow-control queue', () => {
    const chart = chartWithKeda();
    llama(chart, 'llama', ModelServer.vllm(), {
      autoscaling: pool(PoolMetric.AVERAGE_KV_CACHE_UTILIZATION, 0.7, 0, { cooldownPeriod: Duration.minutes(15) }),
      route: { gateway: 'gw' },
      endpointPicker: FLOW_CONTROL,
    });
    const objects = objectsOf(chart);
    const spec = findObject(objects, 'ScaledObject').spec;
    expect(spec.minReplicaCount).toBe(0);
    expect(spec.cooldownPeriod).toBe(900);
    expect(spec.triggers).toHaveLength(2);
    // 1 while any request waits, so it activates from zero (activation: above 0) and asks for one replica.
    expect(spec.triggers[1]).toEqual({
      type: 'prometheus',
      metadata: {
        serverAddress: PROM,
        query: 'clamp_max(sum(llm_d_epp_flow_control_queue_size{namespace="serving",inference_pool="llama"}), 1)',
        threshold: '1',
      },
    });
    // The picker really runs flow control, and holds requests up to the TTL given.
    const config = findObject(objects, 'ConfigMap', 'llama-epp').data['epp-config.yaml'];
    expect(config).toContain('flowControl');
    expect(config).toContain('defaultRequestTTL: 600s');
  });

  test('on the flow-control queue itself: one trigger (it is above 0 exactly while requests wait)', () => {
    const chart = chartWithKeda();
    llama(chart, 'llama', ModelServer.vllm(), { autoscaling: pool(PoolMetric.FLOW_CONTROL_QUEUE_SIZE, 8, 0), route: { gateway: 'gw' }, endpointPicker: FLOW_CONTROL });
    expect(findObject(objectsOf(chart), 'ScaledObject').spec.triggers).toHaveLength(1);
  });

  test('a server metric behind a picker with flow control (objectives turn it on) gets the wake trigger too', () => {
    const chart = chartWithKeda();
    llama(chart, 'llama', ModelServer.vllm(), {
      autoscaling: ServingAutoscaling.keda({ minReplicas: 0, maxReplicas: 3, metric: ServerMetric.QUEUE_DEPTH, target: 4, prometheusAddress: PROM }),
      route: { gateway: 'gw' },
      objectives: [{ name: 'interactive', priority: 10 }],
    });
    const triggers = findObject(objectsOf(chart), 'ScaledObject').spec.triggers;
    expect(triggers.map((t: any) => t.metadata.query)).toEqual([
      'sum(vllm:num_requests_waiting{namespace="serving",app_kubernetes_io_instance="llama"})',
      'clamp_max(sum(llm_d_epp_flow_control_queue_size{namespace="serving",inference_pool="llama"}), 1)',
    ]);
  });
});

test('KV-cache usage from the servers is an average: a Value target (a replica count-independent ratio)', () => {
  const chart = chartWithKeda();
  llama(chart, 'llama', ModelServer.vllm(), {
    autoscaling: ServingAutoscaling.keda({
      minReplicas: 1, maxReplicas: 3, metric: ServerMetric.KV_CACHE_USAGE, target: 0.8, prometheusAddress: PROM,
    }),
  });
  const [trigger] = findObject(objectsOf(chart), 'ScaledObject').spec.triggers;
  expect(trigger.metricType).toBe('Value');
  expect(trigger.metadata.query).toBe('sum(vllm:kv_cache_usage_perc{namespace="serving",app_kubernetes_io_instance="llama"}) / ' +
    'count(vllm:kv_cache_usage_perc{namespace="serving",app_kubernetes_io_instance="llama"})');
});
