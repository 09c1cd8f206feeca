/**
 * The README's many-services snippet: `InferenceService.declareMany` and `WorkloadMonitoring.forServices`, as written
 * there, write exactly what one `new InferenceService` and one `WorkloadMonitoring.forService` per service write.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Chart } from 'cdk8s';
import { GpuModel } from '../../src/accelerators/gpu-model';
import { GpuNodePool } from '../../src/accelerators/gpu-node-pool';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { AiApp } from '../../src/cluster/ai-app';
import { AiTenant } from '../../src/platform/ai-tenant';
import { PlatformObservability } from '../../src/platform/observability/platform-observability';
import { WorkloadMonitoring } from '../../src/platform/observability/workload-monitoring';
import { InferenceService } from '../../src/serving/inference-service';
import { ModelServer } from '../../src/serving/model-server';
import { ModelSource } from '../../src/serving/model-source';

const README = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');

function synth(batched: boolean): string {
  const app = new AiApp();
  const chart = new Chart(app, 'fleet', { disableResourceNameHashes: true });
  new PlatformObservability(chart, 'observability');
  const pool = new GpuNodePool(chart, 'h100', { gpu: GpuModel.NVIDIA_H100_80_GB, gpusPerNode: 8, maxNodes: 4 });
  const tenant = new AiTenant(chart, 'team', {
    team: 'team',
    owner: 'oncall',
    costCenter: 'cc-1',
    gpuQuota: [{ pool, gpus: 3 }],
    apiServer: { cidrs: ['10.0.0.1/32'] },
    modelDownloads: { cidrs: ['0.0.0.0/0'] },
  });
  const models = ['Qwen/Qwen3-8B', 'meta-llama/Llama-3.1-8B-Instruct', 'google/gemma-3-12b-it'].map((m) => ModelSource.huggingFace(m));
  const server = ModelServer.vllm();
  const gpus = GpuRequest.of(1, { model: GpuModel.NVIDIA_H100_80_GB });
  if (batched) {
    // As in the README.
    const services = InferenceService.declareMany(tenant, models.map((model, i) => ({
      id: `model-${i}`,
      props: { model, server, gpus, nodePool: pool, route: { gateway: 'gateways/inference-gateway' } },
    })));
    WorkloadMonitoring.forServices(services);
  } else {
    models.forEach((model, i) => {
      const service = new InferenceService(tenant, `model-${i}`, { model, server, gpus, nodePool: pool, route: { gateway: 'gateways/inference-gateway' } });
      WorkloadMonitoring.forService(service);
    });
  }
  return app.synthYaml();
}

test('the README shows the batch calls as this test runs them', () => {
  const start = README.indexOf('const services = InferenceService.declareMany(tenant');
  expect(start).toBeGreaterThan(0);
  const snippet = README.slice(start, README.indexOf('```', start));
  for (const line of [
    'const services = InferenceService.declareMany(tenant, models.map((model, i) => ({',
    'id: `model-${i}`,',
    "props: { model, server, gpus, nodePool: pool, route: { gateway: 'gateways/inference-gateway' } },",
    'WorkloadMonitoring.forServices(services);',
  ]) expect(snippet).toContain(line);
});

test('declareMany and forServices write the same bytes as one call per service', () => {
  const batched = synth(true);
  expect(batched).toContain('kind: PrometheusRule');
  expect(batched.match(/^kind: InferencePool$/gm)).toHaveLength(3);
  expect(batched).toBe(synth(false));
});
