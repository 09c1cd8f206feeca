/**
 * The README's prefill/decode disaggregation claims: the snippet synthesizes, and what it says the service emits.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Chart } from 'cdk8s';
import { GpuModel } from '../../src/accelerators/gpu-model';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { requirementsOf } from '../../src/platform/ai-conformance';
import { InferenceService } from '../../src/serving/inference-service';
import { ModelSource } from '../../src/serving/model-source';

const README = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');

test('the README\'s disaggregated service emits what the README says', () => {
  const snippet = README.slice(README.indexOf('#### Prefill/decode disaggregation'));
  expect(snippet).toContain('disaggregation: { prefill: { replicas: 4, gpus: GpuRequest.of(2, { model: GpuModel.NVIDIA_H100_80_GB }) } },');
  const app = new App();
  const chart = new Chart(app, 'readme', { namespace: 'serving', disableResourceNameHashes: true });
  new InferenceService(chart, 'llama-pd', {
    model: ModelSource.huggingFace('meta-llama/Llama-3.1-70B-Instruct'),
    gpus: GpuRequest.of(4, { model: GpuModel.NVIDIA_H100_80_GB }),
    replicas: 2,
    disaggregation: { prefill: { replicas: 4, gpus: GpuRequest.of(2, { model: GpuModel.NVIDIA_H100_80_GB }) } },
    route: { gateway: 'gateways/inference-gateway' },
  });
  const objects = chart.toJson();
  const byName = (kind: string, name: string) => objects.find((o: any) => o.kind === kind && o.metadata.name === name);
  const decode = byName('Deployment', 'llama-pd');
  const prefill = byName('Deployment', 'llama-pd-prefill');
  expect([decode.spec.replicas, prefill.spec.replicas]).toEqual([2, 4]);
  expect(decode.spec.template.metadata.labels['llm-d.ai/role']).toBe('decode');
  expect(prefill.spec.template.metadata.labels['llm-d.ai/role']).toBe('prefill');
  for (const d of [decode, prefill]) {
    const server = d.spec.template.spec.containers[0];
    expect(server.args).toContain('--kv-transfer-config');
    expect(server.env).toContainEqual({ name: 'VLLM_NIXL_SIDE_CHANNEL_PORT', value: '5600' });
  }
  expect(decode.spec.template.spec.initContainers[0].image).toBe('ghcr.io/llm-d/llm-d-router-disagg-sidecar:v0.10.0');
  expect(objects.filter((o: any) => o.kind === 'InferencePool')).toHaveLength(1);
  const config = byName('ConfigMap', 'llama-pd-epp').data['epp-config.yaml'];
  for (const s of ['disagg-profile-handler', 'prefill-filter', 'decode-filter', 'prefix-based-pd-decider']) expect(config).toContain(s);
  expect(objects.filter((o: any) => requirementsOf(o).includes('disaggregated_inference')).map((o: any) => `${o.kind}/${o.metadata.name}`))
    .toEqual(['Deployment/llama-pd-prefill']);
});
