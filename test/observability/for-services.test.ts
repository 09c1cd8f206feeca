/**
 * `WorkloadMonitoring.forServices` (issue 22): the alerts of many InferenceServices in one call, each exactly as
 * `WorkloadMonitoring.forService`. With `InferenceService.declareMany` a tenant of services builds in two calls from
 * Python or Go; the bytes are those of the one-by-one calls, the errors name the service.
 */
import { Chart } from 'cdk8s';
import { GpuModel } from '../../src/accelerators/gpu-model';
import { GpuNodePool } from '../../src/accelerators/gpu-node-pool';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { AiApp } from '../../src/cluster/ai-app';
import { AiTenant } from '../../src/platform/ai-tenant';
import { PlatformObservability } from '../../src/platform/observability/platform-observability';
import { ServiceMonitoringOptions, WorkloadMonitoring } from '../../src/platform/observability/workload-monitoring';
import { InferenceService } from '../../src/serving/inference-service';
import { InferenceServiceProps } from '../../src/serving/inference-service-props';
import { ModelServer } from '../../src/serving/model-server';
import { ModelSource } from '../../src/serving/model-source';
import { ServingMetrics } from '../../src/serving/serving-metrics';
import { badInputCatalogue } from '../harness';

const MODELS = ['meta-llama/Llama-3.1-8B-Instruct', 'Qwen/Qwen3-8B', 'google/gemma-3-12b-it'].map((m) => ModelSource.huggingFace(m, { tokenSecret: 'hf-token' }));

/**
 * A small bench fleet (bench/fleet.ts's shape: tenants of services on a GPU pool, routed, monitored), built either one
 * call per service (`new InferenceService`, `forService`) or one pair of calls per tenant (`declareMany`, `forServices`).
 */
function fleet(batched: boolean, options?: ServiceMonitoringOptions): string {
  const app = new AiApp();
  const chart = new Chart(app, 'fleet', { disableResourceNameHashes: true });
  new PlatformObservability(chart, 'observability');
  const pool = new GpuNodePool(chart, 'h100', { gpu: GpuModel.NVIDIA_H100_80_GB, gpusPerNode: 8, maxNodes: 4 });
  const server = ModelServer.vllm();
  const gpus = GpuRequest.of(1, { model: GpuModel.NVIDIA_H100_80_GB });
  for (let t = 0; t < 2; t++) {
    const tenant = new AiTenant(chart, `team-${t}`, {
      team: `team-${t}`,
      owner: `oncall-${t}`,
      costCenter: 'cc-1000',
      groups: [`team-${t}-engineers`],
      gpuQuota: [{ pool, gpus: 4 }],
      apiServer: { cidrs: ['10.0.0.1/32'], port: 443 },
      modelDownloads: { cidrs: ['0.0.0.0/0'], excludedCidrs: ['10.0.0.0/8'] },
    });
    const declarations = [0, 1, 2, 3].map((k) => {
      const i = t * 4 + k;
      const props: InferenceServiceProps = { model: MODELS[i % MODELS.length], server, gpus, nodePool: pool, route: { gateway: 'gateways/inference-gateway' } };
      return { id: `model-${i}`, props };
    });
    if (batched) {
      WorkloadMonitoring.forServices(InferenceService.declareMany(tenant, declarations), options);
    } else {
      for (const d of declarations) WorkloadMonitoring.forService(new InferenceService(tenant, d.id, d.props), options);
    }
  }
  return app.synthYaml();
}

test('declareMany + forServices per tenant: the same bytes as new InferenceService + forService per service', () => {
  const oneByOne = fleet(false);
  expect(oneByOne).toContain('alert: Team0Model0GpusIdle');
  expect(fleet(true)).toEqual(oneByOne);
});

test('options apply to every service, as forService\'s do', () => {
  const options = { gpus: false, thresholds: { latencyP95Seconds: 2 }, serving: ServingMetrics.vllm() };
  const oneByOne = fleet(false, options);
  expect(oneByOne).toContain('alert: Team0Model0LatencyHigh');
  expect(oneByOne).not.toContain('Team0Model0GpusIdle');
  expect(fleet(true, options)).toEqual(oneByOne);
});

test('the monitorings in the order of the services, each the child Alerts of its service', () => {
  const chart = new Chart(new AiApp(), 'c', { namespace: 'serving' });
  const services = InferenceService.declareMany(chart, ['a', 'b', 'c'].map((id) => ({ id, props: { model: MODELS[0] } })));
  const monitorings = WorkloadMonitoring.forServices([services[2], services[0]]);
  expect(monitorings.map((m) => m.node.path)).toEqual(['c/c/Alerts', 'c/a/Alerts']);
  expect(WorkloadMonitoring.forServices([])).toEqual([]);
});

test('a mistake in the list creates nothing', () => {
  const chart = new Chart(new AiApp(), 'c');
  const [a, b] = InferenceService.declareMany(chart, ['a', 'b'].map((id) => ({ id, props: { model: MODELS[0] } })));
  expect(() => WorkloadMonitoring.forServices([a, b, a])).toThrow('[c/a] services[2]: got the service of services[0] again; expected each service once');
  expect(a.node.tryFindChild('Alerts')).toBeUndefined();
  expect(b.node.tryFindChild('Alerts')).toBeUndefined();
});

const service = (s: Chart | any, id = 'llm') => new InferenceService(s, id, { model: MODELS[0] });

badInputCatalogue([
  {
    name: 'forServices without services',
    build: () => { WorkloadMonitoring.forServices(undefined as any); },
    error: '[WorkloadMonitoring.forServices (for_services)] services: got undefined; expected an array of InferenceServices (it is required)',
  },
  {
    name: 'forServices with one service instead of an array',
    build: (s) => { WorkloadMonitoring.forServices(service(s) as any); },
    error: '[WorkloadMonitoring.forServices (for_services)] services: got a InferenceService; expected an array of InferenceServices',
  },
  {
    name: 'forServices with something that is not a service',
    build: (s) => { WorkloadMonitoring.forServices([service(s), 'qwen' as any]); },
    error: '[WorkloadMonitoring.forServices (for_services)] services[1]: got "qwen" (a string); expected an InferenceService',
  },
  {
    name: 'forServices with the same service twice',
    build: (s) => { const llm = service(s); WorkloadMonitoring.forServices([llm, service(s, 'qwen'), llm]); },
    error: '[bad-input/llm] services[2]: got the service of services[0] again; expected each service once',
  },
  {
    name: 'forServices with a service already monitored',
    build: (s) => { const llm = service(s); WorkloadMonitoring.forService(llm); WorkloadMonitoring.forServices([service(s, 'qwen'), llm]); },
    error: '[bad-input/llm] services[1]: already monitored (it has a child Alerts); expected a service without WorkloadMonitoring.forService',
  },
  {
    name: 'forService on a service already monitored',
    build: (s) => { const llm = service(s); WorkloadMonitoring.forServices([llm]); WorkloadMonitoring.forService(llm); },
    error: '[bad-input/llm] service: already monitored (it has a child Alerts)',
  },
  {
    name: 'forServices with serving metrics that are not ServingMetrics',
    build: (s) => { WorkloadMonitoring.forServices([service(s)], { serving: 'vllm' as any }); },
    error: '[WorkloadMonitoring.forServices (for_services)] serving: got "vllm" (a string); expected a ServingMetrics such as ServingMetrics.vllm()',
  },
  {
    name: 'forServices with a bad threshold names the first service\'s monitoring',
    build: (s) => { WorkloadMonitoring.forServices([service(s), service(s, 'qwen')], { thresholds: { errorRatio: 5 } }); },
    error: '[bad-input/llm/Alerts] thresholds.errorRatio (thresholds.error_ratio): got 5; expected a number from 0 to 1',
  },
], { title: 'WorkloadMonitoring.forServices bad inputs' });
