/**
 * The PromQL of the KEDA triggers, run by promtool (tools/simcluster builds it): every query parses, and on series
 * shaped like the endpoint picker's (llm-d-router v0.10.0 pkg/epp/metrics) it gives what KEDA needs: the pool
 * average only while endpoints are ready (the picker leaves the averages at their last value when none is), one value
 * across picker replicas, and the wake trigger at 1 exactly while requests wait in flow control.
 */
import { Duration } from 'cdk8s';
import { findObject, llama, newChart, objectsOf } from './fixtures';
import { ClusterAddon } from '../../src/cluster/cluster-addon';
import { ClusterProfile } from '../../src/cluster/cluster-profile';
import { ModelServer } from '../../src/serving/model-server';
import { PoolMetric, ServerMetric, ServingAutoscaling } from '../../src/serving/serving-autoscaling';
import { checkRules, PromtoolWorkspace, testRules } from '../observability/promtool';

const PROM = 'http://prometheus-operated.monitoring.svc:9090';

/** The triggers' queries of a scale-to-zero service scaling on `metric`. */
function queries(metric: PoolMetric, target: number): string[] {
  const { app, chart } = newChart();
  new ClusterProfile(app, 'Cluster', { addons: [...ClusterAddon.defaults(), ClusterAddon.KEDA] });
  llama(chart, 'llama', ModelServer.vllm(), {
    autoscaling: ServingAutoscaling.kedaPool({ minReplicas: 0, maxReplicas: 4, metric, target, prometheusAddress: PROM }),
    route: { gateway: 'gw' },
    endpointPicker: { flowControl: { enabled: true, requestTtl: Duration.minutes(10) } },
  });
  return findObject(objectsOf(chart), 'ScaledObject').spec.triggers.map((t: any) => t.metadata.query);
}

function serverQueries(): string[] {
  const { app, chart } = newChart();
  new ClusterProfile(app, 'Cluster', { addons: [...ClusterAddon.defaults(), ClusterAddon.KEDA] });
  llama(chart, 'llama', ModelServer.sglang(), {
    autoscaling: ServingAutoscaling.keda({
      minReplicas: 1, maxReplicas: 4, metric: ServerMetric.KV_CACHE_USAGE, target: 0.8, prometheusAddress: PROM,
    }),
  });
  return findObject(objectsOf(chart), 'ScaledObject').spec.triggers.map((t: any) => t.metadata.query);
}

const ws = new PromtoolWorkspace();
afterAll(() => ws.cleanup());

test('every trigger query parses (promtool check rules)', () => {
  const all = [...Object.values(PoolMetric).flatMap((m) => queries(m, m.includes('Kv') || m.includes('Saturation') ? 0.8 : 5)), ...serverQueries()];
  const file = ws.recordingRuleFile('keda-triggers', all.map((expr, i) => ({ record: `keda:trigger_${i}:value`, expr })));
  const result = checkRules([file]);
  expect(result.output).toContain('SUCCESS');
  expect(result.ok).toBe(true);
});

test('the pool average counts only while endpoints are ready; the wake trigger is 1 while requests wait', () => {
  const [load, wake] = queries(PoolMetric.AVERAGE_QUEUE_SIZE, 5);
  const rules = ws.recordingRuleFile('keda-behaviour', [{ record: 'keda:load', expr: load }, { record: 'keda:wake', expr: wake }]);
  // Two picker replicas (instances); minute 0-2 two ready endpoints, then none (scaled to zero) with the average
  // left at its last value; requests queue in flow control from minute 4.
  const epp = (instance: string) => `namespace="serving",name="llama",instance="${instance}"`;
  const queued = (instance: string) => `namespace="serving",inference_pool="llama",instance="${instance}",priority="0",fairness_id="default"`;
  const test = ws.testFile('keda-behaviour', {
    rule_files: [rules],
    evaluation_interval: '1m',
    tests: [{
      interval: '1m',
      input_series: [
        { series: `llm_d_epp_average_queue_size{${epp('10.0.0.1:9090')}}`, values: '7 7 7 7 7 7' },
        { series: `llm_d_epp_average_queue_size{${epp('10.0.0.2:9090')}}`, values: '6 6 6 6 6 6' },
        { series: `llm_d_epp_ready_endpoints{${epp('10.0.0.1:9090')}}`, values: '2 2 2 0 0 0' },
        { series: `llm_d_epp_ready_endpoints{${epp('10.0.0.2:9090')}}`, values: '2 2 2 0 0 0' },
        { series: `llm_d_epp_flow_control_queue_size{${queued('10.0.0.1:9090')}}`, values: '0 0 0 0 3 9' },
        // Another pool's series in the namespace count for nothing.
        { series: 'llm_d_epp_average_queue_size{namespace="serving",name="other",instance="10.0.0.3:9090"}', values: '50 50 50 50 50 50' },
        { series: 'llm_d_epp_ready_endpoints{namespace="serving",name="other",instance="10.0.0.3:9090"}', values: '1 1 1 1 1 1' },
      ],
      promql_expr_test: [
        { expr: 'keda:load', eval_time: '1m', exp_samples: [{ labels: 'keda:load', value: 7 }] },
        { expr: 'keda:load', eval_time: '3m', exp_samples: [] },
        { expr: 'keda:wake', eval_time: '3m', exp_samples: [{ labels: 'keda:wake', value: 0 }] },
        { expr: 'keda:wake', eval_time: '4m', exp_samples: [{ labels: 'keda:wake', value: 1 }] },
        { expr: 'keda:wake', eval_time: '5m', exp_samples: [{ labels: 'keda:wake', value: 1 }] },
      ],
    }],
  });
  const result = testRules([test]);
  expect(result.output).toContain('SUCCESS');
  expect(result.ok).toBe(true);
});
