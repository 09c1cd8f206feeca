/**
 * The README's endpoint-picker claims (flow control, profile sets, precise prefix routing, KV offload): the snippet
 * synthesizes, and what it says the service emits.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Chart, Size } from 'cdk8s';
import * as YAML from 'yaml';
import { GpuModel } from '../../src/accelerators/gpu-model';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { EndpointPickerConfig, EppScorer } from '../../src/serving/endpoint-picker-config';
import { EppFairnessPolicy } from '../../src/serving/epp-flow-control';
import { EndpointPickerProfiles } from '../../src/serving/epp-profile-set';
import { InferenceService } from '../../src/serving/inference-service';
import { ModelServer } from '../../src/serving/model-server';
import { ModelSource } from '../../src/serving/model-source';

const README = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');

test('the README\'s endpoint-picker service emits what the README says', () => {
  const start = README.indexOf('#### Endpoint picker: flow control, profile sets');
  const snippet = README.slice(start, README.indexOf('#### ', start + 10));
  for (const line of [
    'server: ModelServer.vllm({ kvOffloadingSize: Size.gibibytes(64) }),',
    'priorityBands: [{ priority: 10, maxRequests: 500, fairness: EppFairnessPolicy.roundRobin() }],',
    'defaultNegativePriorityBand: { maxRequests: 50 },',
    '{ name: \'cache\', config: EndpointPickerConfig.of({ scorers: [EppScorer.precisePrefixCache(5), EppScorer.queue(1)] }) },',
  ]) expect(snippet).toContain(line);
  const app = new App();
  const chart = new Chart(app, 'readme', { namespace: 'serving', disableResourceNameHashes: true });
  new InferenceService(chart, 'chat', {
    model: ModelSource.huggingFace('Qwen/Qwen3-32B'),
    server: ModelServer.vllm({ kvOffloadingSize: Size.gibibytes(64) }),
    gpus: GpuRequest.of(2, { model: GpuModel.NVIDIA_H100_80_GB }),
    objectives: [{ name: 'interactive', priority: 10 }, { name: 'batch', priority: -1 }],
    endpointPicker: {
      flowControl: {
        maxBytes: Size.gibibytes(4),
        priorityBands: [{ priority: 10, maxRequests: 500, fairness: EppFairnessPolicy.roundRobin() }],
        defaultNegativePriorityBand: { maxRequests: 50 },
        eviction: true,
      },
      config: EndpointPickerProfiles.selectedByHeader({
        profiles: [
          { name: 'latency', config: EndpointPickerConfig.of({ scorers: [EppScorer.queue(3), EppScorer.kvCacheUtilization(1)] }) },
          { name: 'cache', config: EndpointPickerConfig.of({ scorers: [EppScorer.precisePrefixCache(5), EppScorer.queue(1)] }) },
        ],
      }),
    },
    route: { gateway: 'gateways/inference-gateway' },
  });
  const objects = chart.toJson();
  const byName = (kind: string, name: string) => objects.find((o: any) => o.kind === kind && o.metadata.name === name);
  const config = YAML.parse(byName('ConfigMap', 'chat-epp').data['epp-config.yaml']);
  expect(config.featureGates).toEqual(['flowControl']);
  expect(config.flowControl).toMatchObject({
    maxBytes: String(4 * 2 ** 30),
    enableEviction: true,
    defaultNegativePriorityBand: { maxRequests: '50' },
    priorityBands: [{ priority: 10, maxRequests: '500', fairnessPolicyRef: 'round-robin-fairness-policy' }],
  });
  expect(config.schedulingProfiles.map((p: any) => p.name)).toEqual(['latency', 'cache']);
  const types = config.plugins.map((p: any) => p.type);
  for (const t of ['header-profile-handler', 'precise-prefix-cache-producer', 'endpoint-notification-source', 'token-producer']) expect(types).toContain(t);
  expect(byName('Deployment', 'chat-epp').spec.template.spec.containers[0].args).toContain('--allow-experimental-plugins');
  const server = byName('Deployment', 'chat').spec.template.spec.containers[0];
  expect(server.args.join(' ')).toContain('--kv-offloading-size 64 --kv-offloading-backend native');
  expect(server.args).toContain('--kv-events-config');
  expect(server.ports).toContainEqual({ name: 'kv-events', containerPort: 5557, protocol: 'TCP' });
  expect(server.resources.requests.memory).toBe('104Gi'); // 2 x 16Gi + 8Gi /dev/shm + 64Gi offload
  const allow = byName('NetworkPolicy', 'chat').spec.ingress.find((r: any) => r.ports.some((p: any) => p.port === 5557));
  expect(allow.from[0].podSelector.matchLabels['app.kubernetes.io/component']).toBe('endpoint-picker');
});
