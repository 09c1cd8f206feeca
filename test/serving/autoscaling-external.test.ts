import { App, Chart, Duration, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { findObject, llama, newChart, objectsOf } from './fixtures';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { ClusterAddon } from '../../src/cluster/cluster-addon';
import { ClusterProfile } from '../../src/cluster/cluster-profile';
import { KubernetesVersion } from '../../src/cluster/kubernetes-version';
import { MonitoringStack } from '../../src/cluster/monitoring-stack';
import { PlatformObservability } from '../../src/platform/observability/platform-observability';
import { InferenceService } from '../../src/serving/inference-service';
import { InferenceServiceProps } from '../../src/serving/inference-service-props';
import { ModelServer } from '../../src/serving/model-server';
import { ModelSource } from '../../src/serving/model-source';
import { ExternalPoolAutoscalingOptions, PoolMetric, ServerMetric, ServingAutoscaling } from '../../src/serving/serving-autoscaling';
import { badInputCatalogue } from '../harness';

/**
 * The HorizontalPodAutoscaler on the endpoint picker's pool signal from the external metrics API (issue 18), and the
 * KEDA Prometheus address taken from the app's monitoring stack.
 */

const ROUTE = { gateway: 'gw' };
const FLOW_CONTROL = { flowControl: { enabled: true, requestTtl: Duration.minutes(10) } };

function external(options: Partial<ExternalPoolAutoscalingOptions> = {}): ServingAutoscaling {
  return ServingAutoscaling.externalPoolMetric({ minReplicas: 1, maxReplicas: 4, metric: PoolMetric.AVERAGE_QUEUE_SIZE, target: 5, ...options });
}

function chartOn(version = KubernetesVersion.V1_34, featureGates?: { [gate: string]: boolean }): Chart {
  const { app, chart } = newChart();
  new ClusterProfile(app, 'Cluster', { kubernetesVersion: version, featureGates });
  return chart;
}

beforeAll(() => {
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
});

describe('ServingAutoscaling.externalPoolMetric', () => {
  test('average queue size: an External metric named like the picker\'s gauge, the pool by its name label, a Value target', () => {
    const chart = chartOn();
    llama(chart, 'llama', ModelServer.vllm(), { autoscaling: external(), route: ROUTE });
    const objects = objectsOf(chart);
    const hpa = findObject(objects, 'HorizontalPodAutoscaler', 'llama');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'llama' },
      minReplicas: 1,
      maxReplicas: 4,
      metrics: [{
        type: 'External',
        external: { metric: { name: 'llm_d_epp_average_queue_size', selector: { matchLabels: { name: 'llama' } } }, target: { type: 'Value', value: '5' } },
      }],
    });
    // No KEDA object, and no KEDA add-on needed.
    expect(objects.filter((o) => o.kind === 'ScaledObject')).toHaveLength(0);
    expect(findObject(objects, 'InferencePool').metadata.name).toBe('llama');
  });

  test.each([
    [PoolMetric.AVERAGE_KV_CACHE_UTILIZATION, 0.8, 'llm_d_epp_average_kv_cache_utilization', 'name', { type: 'Value', value: '800m' }],
    [PoolMetric.AVERAGE_RUNNING_REQUESTS, 12, 'llm_d_epp_average_running_requests', 'name', { type: 'Value', value: '12' }],
    [PoolMetric.FLOW_CONTROL_QUEUE_SIZE, 3, 'llm_d_epp_flow_control_queue_size', 'inference_pool', { type: 'AverageValue', averageValue: '3' }],
    [PoolMetric.FLOW_CONTROL_SATURATION, 0.9, 'llm_d_epp_flow_control_pool_saturation', 'inference_pool', { type: 'Value', value: '900m' }],
  ])('%s: %s', (metric, target, name, label, hpaTarget) => {
    const chart = chartOn();
    llama(chart, 'llama', ModelServer.vllm(), { autoscaling: external({ metric, target }), route: ROUTE, endpointPicker: FLOW_CONTROL });
    expect(findObject(objectsOf(chart), 'HorizontalPodAutoscaler').spec.metrics)
      .toEqual([{ type: 'External', external: { metric: { name, selector: { matchLabels: { [label]: 'llama' } } }, target: hpaTarget } }]);
  });

  test('metricName renames the metric as the adapter rule does; the selector stays the pool', () => {
    const chart = chartOn();
    llama(chart, 'llama', ModelServer.vllm(), { autoscaling: external({ metricName: 'pool_queue' }), route: ROUTE });
    expect(findObject(objectsOf(chart), 'HorizontalPodAutoscaler').spec.metrics[0].external.metric)
      .toEqual({ name: 'pool_queue', selector: { matchLabels: { name: 'llama' } } });
  });

  test('scale to zero with HPAScaleToZero (on by default from 1.37): the flow-control queue wakes the service', () => {
    const chart = chartOn(KubernetesVersion.V1_37);
    llama(chart, 'llama', ModelServer.vllm(), { autoscaling: external({ minReplicas: 0 }), route: ROUTE, endpointPicker: FLOW_CONTROL });
    const spec = findObject(objectsOf(chart), 'HorizontalPodAutoscaler').spec;
    expect(spec.minReplicas).toBe(0);
    expect(spec.metrics).toHaveLength(2);
    expect(spec.metrics[1]).toEqual({
      type: 'External',
      external: {
        metric: { name: 'llm_d_epp_flow_control_queue_size', selector: { matchLabels: { inference_pool: 'llama' } } },
        target: { type: 'AverageValue', averageValue: '5' },
      },
    });
  });

  test('scale to zero on the flow-control queue itself needs no second metric; 1.34 with the gate set explicitly', () => {
    const chart = chartOn(KubernetesVersion.V1_34, { HPAScaleToZero: true });
    llama(chart, 'llama', ModelServer.vllm(), {
      autoscaling: external({ minReplicas: 0, metric: PoolMetric.FLOW_CONTROL_QUEUE_SIZE, target: 2 }), route: ROUTE, endpointPicker: FLOW_CONTROL,
    });
    expect(findObject(objectsOf(chart), 'HorizontalPodAutoscaler').spec.metrics).toHaveLength(1);
  });
});

describe('the KEDA Prometheus address defaults to the monitoring stack', () => {
  function kedaService(chart: Construct, prometheusAddress?: string): void {
    llama(chart as Chart, 'llama', ModelServer.vllm(), {
      route: ROUTE,
      autoscaling: ServingAutoscaling.kedaPool({
        minReplicas: 1, maxReplicas: 4, metric: PoolMetric.AVERAGE_QUEUE_SIZE, target: 5, prometheusAddress,
      }),
    });
  }
  const address = (chart: Chart) => findObject(objectsOf(chart), 'ScaledObject').spec.triggers[0].metadata.serverAddress;

  test('the ClusterProfile\'s prometheus-operator add-on: prometheus-operated in kube-prometheus-stack\'s namespace', () => {
    const { app, chart } = newChart();
    new ClusterProfile(app, 'Cluster', { addons: [...ClusterAddon.defaults(), ClusterAddon.KEDA] });
    kedaService(chart);
    expect(address(chart)).toBe('http://prometheus-operated.monitoring.svc:9090');
  });

  test('the PlatformObservability\'s stack, even when declared after the service', () => {
    const { app, chart } = newChart();
    new ClusterProfile(app, 'Cluster', { addons: [...ClusterAddon.defaults(), ClusterAddon.KEDA] });
    kedaService(chart);
    new PlatformObservability(new Chart(app, 'platform'), 'obs', { stack: MonitoringStack.kubePrometheus('observability') });
    expect(address(chart)).toBe('http://prometheus-operated.observability.svc:9090');
  });

  test('a custom stack\'s own address (e.g. a Prometheus with spec.serviceName, or Thanos)', () => {
    const { app, chart } = newChart();
    const stack = MonitoringStack.custom({ namespace: 'obs', prometheusAddress: 'https://thanos-query.obs.svc:10902' });
    new ClusterProfile(app, 'Cluster', {
      addons: [...ClusterAddon.defaults().filter((a) => a.id !== 'prometheus-operator'),
        ClusterAddon.prometheusOperatorWith(stack), ClusterAddon.KEDA],
    });
    kedaService(chart);
    expect(address(chart)).toBe('https://thanos-query.obs.svc:10902');
  });

  test('an explicit address wins', () => {
    const { app, chart } = newChart();
    new ClusterProfile(app, 'Cluster', { addons: [...ClusterAddon.defaults(), ClusterAddon.KEDA] });
    kedaService(chart, 'http://vm.metrics.svc:8428');
    expect(address(chart)).toBe('http://vm.metrics.svc:8428');
  });
});

// --- every refusal, with the error it must produce

const HF = ModelSource.huggingFace('meta-llama/Llama-3.1-8B-Instruct');

interface TestProfile { readonly v?: KubernetesVersion; readonly gates?: { [g: string]: boolean } }

function svc(scope: Construct, extra: Partial<InferenceServiceProps> = {}, profile: TestProfile = {}): InferenceService {
  new ClusterProfile(scope, 'Cluster', { kubernetesVersion: profile.v, featureGates: profile.gates });
  return new InferenceService(scope, 'llm', { model: HF, gpus: GpuRequest.of(1), ...extra });
}

const js = (x: unknown): any => x;

badInputCatalogue([
  {
    name: 'an external pool signal on an unrouted service',
    error: '[bad-input/llm] autoscaling.metric: got "AverageQueueSize", a signal of the endpoint picker, but the service is in no route',
    build: (s) => svc(s, { autoscaling: external() }),
  },
  {
    name: 'an external flow-control signal with flow control off',
    error: 'autoscaling.metric: got "FlowControlQueueSize", which the endpoint picker records only with flow control on',
    build: (s) => svc(s, { route: ROUTE, autoscaling: external({ metric: PoolMetric.FLOW_CONTROL_QUEUE_SIZE }) }),
  },
  {
    name: 'minReplicas 0 on 1.34 without HPAScaleToZero',
    error: 'autoscaling.minReplicas (autoscaling.min_replicas): A HorizontalPodAutoscaler with minReplicas 0 needs the feature gate HPAScaleToZero',
    build: (s) => svc(s, { route: ROUTE, endpointPicker: FLOW_CONTROL, autoscaling: external({ minReplicas: 0 }) }),
  },
  {
    name: 'minReplicas 0 on 1.37 with HPAScaleToZero turned off',
    error: 'needs the feature gate HPAScaleToZero',
    build: (s) => svc(s, { route: ROUTE, endpointPicker: FLOW_CONTROL, autoscaling: external({ minReplicas: 0 }) },
      { v: KubernetesVersion.V1_37, gates: { HPAScaleToZero: false } }),
  },
  {
    name: 'minReplicas 0 on a fraction signal',
    error: 'autoscaling.minReplicas (autoscaling.min_replicas): is 0 with "AverageKvCacheUtilization", a fraction',
    build: (s) => svc(s, {
      route: ROUTE,
      endpointPicker: FLOW_CONTROL,
      autoscaling: external({ minReplicas: 0, metric: PoolMetric.AVERAGE_KV_CACHE_UTILIZATION, target: 0.8 }),
    }, { v: KubernetesVersion.V1_37 }),
  },
  {
    name: 'minReplicas 0 without flow control',
    error: 'autoscaling.minReplicas (autoscaling.min_replicas): got 0; expected at least 1 while the endpoint picker\'s flow control is off',
    build: (s) => svc(s, { route: ROUTE, autoscaling: external({ minReplicas: 0 }) }, { v: KubernetesVersion.V1_37 }),
  },
  {
    name: 'an external pool signal with monitoring off',
    error: '[bad-input/llm] autoscaling: the external metrics adapter serves the endpoint picker\'s metrics from the Prometheus its generated ' +
      'ServiceMonitor feeds; enable monitoring (prometheus-operator)',
    build: (s) => svc(s, { route: ROUTE, monitoring: { enabled: false }, autoscaling: external() }),
  },
  {
    name: 'an external signal that is not a PoolMetric',
    error: 'autoscaling.metric: got "KvCacheUsage"; expected one of "AverageQueueSize"',
    build: (s) => svc(s, { route: ROUTE, autoscaling: external({ metric: js(ServerMetric.KV_CACHE_USAGE) }) }),
  },
  {
    name: 'a fraction target above 1',
    error: 'autoscaling.target: got 80; expected a fraction above 0 and at most 1',
    build: (s) => svc(s, { route: ROUTE, autoscaling: external({ metric: PoolMetric.AVERAGE_KV_CACHE_UTILIZATION, target: 80 }) }),
  },
  {
    name: 'a count target that is not an integer',
    error: 'autoscaling.target: got 2.5',
    build: (s) => svc(s, { route: ROUTE, autoscaling: external({ target: 2.5 }) }),
  },
  {
    name: 'a metricName with a slash',
    error: 'autoscaling.metricName (autoscaling.metric_name): got "epp/queue"; expected a metric name without "/", "%" or spaces',
    build: (s) => svc(s, { route: ROUTE, autoscaling: external({ metricName: 'epp/queue' }) }),
  },
  {
    name: 'maxReplicas below minReplicas',
    error: 'autoscaling.maxReplicas (autoscaling.max_replicas): got 1; expected an integer',
    build: (s) => svc(s, { route: ROUTE, autoscaling: external({ minReplicas: 3, maxReplicas: 1 }) }),
  },
  {
    name: 'externalPoolMetric without a metric',
    error: '[ServingAutoscaling.externalPoolMetric (external_pool_metric)] metric: got undefined; expected a PoolMetric such as PoolMetric.AVERAGE_QUEUE_SIZE (it is required)',
    build: () => ServingAutoscaling.externalPoolMetric(js({ minReplicas: 1, maxReplicas: 2, target: 1 })),
  },
  {
    name: 'a monitoring stack address that is not a URL',
    error: '[MonitoringStack.custom] prometheusAddress (prometheus_address): got "prometheus:9090"; expected an http:// or https:// URL',
    build: () => MonitoringStack.custom({ prometheusAddress: 'prometheus:9090' }),
  },
  {
    name: 'a KEDA address that is not a URL, with the stack\'s default available',
    error: 'autoscaling.prometheusAddress (autoscaling.prometheus_address): got "prometheus:9090"',
    build: (s) => svc(s, {
      route: ROUTE,
      autoscaling: ServingAutoscaling.kedaPool({
        minReplicas: 1,
        maxReplicas: 2,
        metric: PoolMetric.AVERAGE_QUEUE_SIZE,
        target: 5,
        prometheusAddress: 'prometheus:9090',
      }),
    }),
  },
], { title: 'external-metric autoscaling and the Prometheus address: bad inputs' });

test('a KEDA scaler with no monitoring stack to take the address from is refused (KEDA needs the scraped metrics anyway)', () => {
  const app = Testing.app();
  const chart = new Chart(app, 'c', { namespace: 'serving' });
  new ClusterProfile(app, 'Cluster', { addons: [ClusterAddon.KEDA, ClusterAddon.GATEWAY_API, ClusterAddon.INFERENCE_EXTENSION, ClusterAddon.LLM_D_ROUTER] });
  expect(() => {
    new InferenceService(chart, 'llm', {
      model: HF,
      gpus: GpuRequest.of(1),
      route: ROUTE,
      autoscaling: ServingAutoscaling.kedaPool({ minReplicas: 1, maxReplicas: 2, metric: PoolMetric.AVERAGE_QUEUE_SIZE, target: 5 }),
    });
    app.synth();
  }).toThrow('enable monitoring (prometheus-operator)');
  expect(App).toBeDefined();
});
