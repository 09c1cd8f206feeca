import { Duration } from 'cdk8s';
import { findObject, llama, newChart, objectsOf, validatable } from './fixtures';
import { ClusterAddon } from '../../src/cluster/cluster-addon';
import { ClusterProfile } from '../../src/cluster/cluster-profile';
import { ModelServer } from '../../src/serving/model-server';
import { PoolMetric, ServerMetric, ServingAutoscaling } from '../../src/serving/serving-autoscaling';
import { validateObjects } from '../harness';

/**
 * Services autoscaled on the endpoint picker's pool signals and scaled to zero, sent to the real kube-apiserver with
 * the KEDA v2.20.2 CRDs installed (server-side apply dry-run, strict field validation, nothing dropped).
 */

const PROM = 'http://prometheus-operated.monitoring.svc:9090';

beforeAll(() => {
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
});

test('pool signals, scale to zero with the wake trigger, and a server metric scaled to zero behind flow control', async () => {
  const { app, chart } = newChart();
  new ClusterProfile(app, 'Cluster', { addons: [...ClusterAddon.defaults(), ClusterAddon.KEDA] });
  const flowControl = { flowControl: { enabled: true, requestTtl: Duration.minutes(10) } };
  llama(chart, 'queue', ModelServer.vllm(), {
    autoscaling: ServingAutoscaling.kedaPool({
      minReplicas: 1, maxReplicas: 4, metric: PoolMetric.AVERAGE_QUEUE_SIZE, target: 5, prometheusAddress: PROM,
    }),
    route: { gateway: 'inference-gateway' },
  });
  llama(chart, 'zero', ModelServer.sglang(), {
    autoscaling: ServingAutoscaling.kedaPool({
      minReplicas: 0,
      maxReplicas: 4,
      metric: PoolMetric.FLOW_CONTROL_SATURATION,
      target: 0.9,
      prometheusAddress: PROM,
      pollingInterval: Duration.seconds(15),
      cooldownPeriod: Duration.minutes(15),
    }),
    route: { gateway: 'inference-gateway' },
    endpointPicker: flowControl,
  });
  llama(chart, 'server', ModelServer.vllm(), {
    autoscaling: ServingAutoscaling.keda({
      minReplicas: 0, maxReplicas: 2, metric: ServerMetric.KV_CACHE_USAGE, target: 0.8, prometheusAddress: PROM,
    }),
    route: { gateway: 'inference-gateway' },
    endpointPicker: flowControl,
  });
  const objects = objectsOf(chart);
  expect(objects.filter((o) => o.kind === 'ScaledObject')).toHaveLength(3);
  expect(findObject(objects, 'ScaledObject', 'zero').spec.triggers).toHaveLength(2);
  const sent = validatable(objects);
  const results = await validateObjects(sent);
  expect(results.length).toBeGreaterThanOrEqual(sent.length);
});
