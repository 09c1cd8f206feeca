/**
 * `WorkloadMonitoring.forService` (issue 22): the alerts of an InferenceService in one call, the same objects as the
 * props built by hand from the service, so a fleet from Python or Go crosses to the runtime once per service for them.
 */
import { App, Chart } from 'cdk8s';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { PlatformObservability } from '../../src/platform/observability/platform-observability';
import { WorkloadMonitoring } from '../../src/platform/observability/workload-monitoring';
import { InferenceService } from '../../src/serving/inference-service';
import { ModelServer } from '../../src/serving/model-server';
import { ModelSource } from '../../src/serving/model-source';
import { ServingMetrics } from '../../src/serving/serving-metrics';
import { badInputCatalogue } from '../harness';

function serviceIn(server: ModelServer): { chart: Chart; service: InferenceService } {
  const app = new App();
  const chart = new Chart(app, 'c', { namespace: 'serving', disableResourceNameHashes: true });
  new PlatformObservability(chart, 'observability');
  const service = new InferenceService(chart, 'llm', { model: ModelSource.huggingFace('o/m'), server, gpus: GpuRequest.of(1) });
  return { chart, service };
}

const rulesOf = (chart: Chart) => chart.toJson().filter((o: any) => o.kind === 'PrometheusRule' && o.metadata.name === 'llm');

test.each([
  ['vLLM', () => ModelServer.vllm(), () => ServingMetrics.vllm()],
  ['SGLang', () => ModelServer.sglang(), () => ServingMetrics.sglang()],
])('%s: the same PrometheusRule as the props built from the service by hand', (_name, server, metrics) => {
  const byHand = serviceIn(server());
  new WorkloadMonitoring(byHand.service, 'Alerts', { podLabels: byHand.service.selector, podNamePrefix: byHand.service.name, serving: metrics() });
  const oneCall = serviceIn(server());
  const monitoring = WorkloadMonitoring.forService(oneCall.service);
  expect(monitoring.node.scope).toBe(oneCall.service);
  expect(rulesOf(oneCall.chart)).toEqual(rulesOf(byHand.chart));
  expect(monitoring.alertNames).toEqual(expect.arrayContaining(['LlmLatencyHigh', 'LlmErrorRateHigh']));
});

test('options: no GPU alerts, thresholds', () => {
  const { service } = serviceIn(ModelServer.vllm());
  const monitoring = WorkloadMonitoring.forService(service, { gpus: false, thresholds: { latencyP95Seconds: 2 } });
  expect(monitoring.alertNames.some((a) => a.includes('Gpu'))).toBe(false);
  const latency = monitoring.rules.toJson().spec.groups.flatMap((g: any) => g.rules).find((r: any) => r.alert === 'LlmLatencyHigh');
  expect(latency.expr).toMatch(/> 2$/);
});

badInputCatalogue([
  { name: 'forService without a service', build: () => { WorkloadMonitoring.forService(undefined as any); }, error: '[WorkloadMonitoring.forService (for_service)] service: got undefined; expected an InferenceService (it is required)' },
  {
    name: 'forService with serving metrics that are not ServingMetrics',
    build: (s) => { WorkloadMonitoring.forService(new InferenceService(s, 'llm', { model: ModelSource.huggingFace('o/m') }), { serving: 'vllm' as any }); },
    error: '[WorkloadMonitoring.forService (for_service)] serving: got "vllm" (a string); expected a ServingMetrics such as ServingMetrics.vllm()',
  },
], { title: 'WorkloadMonitoring.forService bad inputs' });
