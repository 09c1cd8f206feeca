import { parse as parseYaml } from 'yaml';
import { findObject, newChart, objectsOf } from './fixtures';
import { GpuModel } from '../../src/accelerators/gpu-model';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { ClusterAddon } from '../../src/cluster/cluster-addon';
import { ClusterProfile } from '../../src/cluster/cluster-profile';
import { requirementsOf } from '../../src/platform/ai-conformance';
import { trafficEdges } from '../../src/security/tenant-network';
import { EndpointPickerConfig, EppScorer } from '../../src/serving/endpoint-picker-config';
import { PdDecider } from '../../src/serving/epp-pd-decider';
import { InferenceService } from '../../src/serving/inference-service';
import { ModelServer } from '../../src/serving/model-server';
import { ModelSource } from '../../src/serving/model-source';

const H100 = GpuModel.NVIDIA_H100_80_GB;
const template = (o: any) => o.spec.template;

describe('InferenceService: prefill/decode disaggregation', () => {
  const { chart } = newChart();
  const llm = new InferenceService(chart, 'llama', {
    model: ModelSource.huggingFace('meta-llama/Llama-3.1-8B-Instruct'),
    server: ModelServer.vllm(),
    gpus: GpuRequest.of(1, { model: H100 }),
    replicas: 2,
    disaggregation: { prefill: { replicas: 3, gpus: GpuRequest.of(2, { model: H100 }) } },
    route: { gateway: 'inference-gateway' },
  });
  const objects = objectsOf(chart);
  const decode = findObject(objects, 'Deployment', 'llama');
  const prefill = findObject(objects, 'Deployment', 'llama-prefill');

  test('the service becomes the decode workload; a prefill workload gets its own replicas, GPUs and parallelism', () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).filter((n) => /prefill/.test(n)).sort()).toEqual([
      'Deployment/llama-prefill', 'NetworkPolicy/llama-prefill', 'PodDisruptionBudget/llama-prefill', 'ResourceClaimTemplate/llama-prefill-gpus',
    ]);
    expect(llm.workload).toBe(llm.deployment);
    expect(llm.prefillWorkload!.name).toBe('llama-prefill');
    expect(llm.prefillGpuClaimTemplate!.name).toBe('llama-prefill-gpus');
    expect(decode.spec.replicas).toBe(2);
    expect(prefill.spec.replicas).toBe(3);
    expect(findObject(objects, 'ResourceClaimTemplate', 'llama-prefill-gpus').spec.spec.devices.requests[0].exactly.count).toBe(2);
    expect(template(prefill).spec.resourceClaims).toEqual([{ name: 'gpus', resourceClaimTemplateName: 'llama-prefill-gpus' }]);
    const prefillArgs = template(prefill).spec.containers[0].args;
    expect(prefillArgs).toEqual(expect.arrayContaining(['--tensor-parallel-size', '2']));
    expect(template(decode).spec.containers[0].args).not.toContain('--tensor-parallel-size');
  });

  test('pods are labelled with the role the picker filters on; the workloads select only their role', () => {
    expect(template(decode).metadata.labels['llm-d.ai/role']).toBe('decode');
    expect(template(prefill).metadata.labels['llm-d.ai/role']).toBe('prefill');
    expect(decode.spec.selector.matchLabels['llm-d.ai/role']).toBe('decode');
    expect(prefill.spec.selector.matchLabels['llm-d.ai/role']).toBe('prefill');
    for (const d of [decode, prefill]) expect(template(d).metadata.labels['llm-d.ai/inference-serving']).toBe('true');
    // One pool over both roles; the Service reaches the decode pods (through their sidecar).
    const pool = findObject(objects, 'InferencePool', 'llama');
    expect(pool.spec.selector.matchLabels).toEqual({
      'app.kubernetes.io/component': 'model-server', 'app.kubernetes.io/instance': 'llama', 'llm-d.ai/inference-serving': 'true',
    });
    expect(findObject(objects, 'Service', 'llama').spec.selector['llm-d.ai/role']).toBe('decode');
    expect(findObject(objects, 'PodMonitor', 'llama').spec.selector.matchLabels).toEqual(pool.spec.selector.matchLabels);
  });

  test('both roles run vLLM with the NIXL connector and its side channel on the pod IP', () => {
    for (const d of [decode, prefill]) {
      const server = template(d).spec.containers[0];
      const i = server.args.indexOf('--kv-transfer-config');
      expect(JSON.parse(server.args[i + 1])).toEqual({ kv_connector: 'NixlConnector', kv_role: 'kv_both' });
      expect(server.env).toEqual(expect.arrayContaining([
        { name: 'VLLM_NIXL_SIDE_CHANNEL_HOST', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        { name: 'VLLM_NIXL_SIDE_CHANNEL_PORT', value: '5600' },
      ]));
    }
  });

  test('decode pods serve through the routing sidecar; vLLM moves behind it', () => {
    const spec = template(decode).spec;
    expect(spec.initContainers).toHaveLength(1);
    const sidecar = spec.initContainers[0];
    expect(sidecar).toMatchObject({
      name: 'routing-sidecar',
      image: 'ghcr.io/llm-d/llm-d-router-disagg-sidecar:v0.10.0',
      restartPolicy: 'Always',
      args: ['--port=8000', '--model-server-port=8200', '--kv-connector=nixlv2', '--secure-proxy=false'],
      ports: [{ name: 'http', containerPort: 8000, protocol: 'TCP' }],
    });
    expect(sidecar.securityContext).toMatchObject({ allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
    const server = spec.containers[0];
    expect(server.ports).toEqual([{ name: 'model-server', containerPort: 8200, protocol: 'TCP' }]);
    expect(server.args.slice(server.args.indexOf('--port'), server.args.indexOf('--port') + 2)).toEqual(['--port', '8200']);
    expect(server.readinessProbe.httpGet.port).toBe('model-server');
    // Prefill pods need no sidecar and serve on the pool's port.
    expect(template(prefill).spec.initContainers).toBeUndefined();
    expect(template(prefill).spec.containers[0].ports).toEqual([{ name: 'http', containerPort: 8000, protocol: 'TCP' }]);
    expect(findObject(objects, 'InferencePool', 'llama').spec.targetPorts).toEqual([{ number: 8000 }]);
  });

  test('the picker gets the disaggregation profile handler, both role profiles and the decider', () => {
    const config = parseYaml(findObject(objects, 'ConfigMap', 'llama-epp').data['epp-config.yaml']);
    expect(config.schedulingProfiles.map((p: any) => p.name)).toEqual(['prefill', 'decode']);
    expect(config.schedulingProfiles[0].plugins[0]).toEqual({ pluginRef: 'prefill-filter' });
    expect(config.schedulingProfiles[1].plugins[0]).toEqual({ pluginRef: 'decode-filter' });
    expect(config.plugins).toEqual(expect.arrayContaining([
      { type: 'prefix-based-pd-decider', parameters: { nonCachedTokens: 16 } },
      { type: 'disagg-profile-handler', parameters: { deciders: { prefill: 'prefix-based-pd-decider' } } },
    ]));
    const names = config.plugins.map((p: any) => p.name ?? p.type);
    for (const p of config.schedulingProfiles) for (const ref of p.plugins) expect(names).toContain(ref.pluginRef);
  });

  test('traffic: decode and prefill pods reach each other for the KV-cache transfer; the picker scrapes both', () => {
    const edges = trafficEdges(chart).filter((e) => e.scope.node.path.startsWith(`${llm.node.path}/`));
    const kv = edges.filter((e) => e.name.startsWith('kv-'));
    expect(kv.map((e) => [e.from.podLabels!['llm-d.ai/role'], e.to.podLabels!['llm-d.ai/role'], e.allPorts])).toEqual([
      ['decode', 'prefill', true], ['prefill', 'decode', true],
    ]);
    const scrape = edges.find((e) => e.name === 'picker-scrape')!;
    expect(scrape.to.podLabels).toEqual(findObject(objects, 'InferencePool', 'llama').spec.selector.matchLabels);
  });

  test('the platform report maps the prefill workload to disaggregated_inference', () => {
    expect(requirementsOf(prefill)).toContain('disaggregated_inference');
    expect(requirementsOf(decode)).not.toContain('disaggregated_inference');
  });
});

describe('InferenceService: a service without disaggregation never claims disaggregated_inference', () => {
  test('no object of a plain routed service maps to it, even with "prefill"/"decode" strings in args', () => {
    const { chart } = newChart();
    new InferenceService(chart, 'llama', {
      model: ModelSource.huggingFace('meta-llama/Llama-3.1-8B-Instruct'),
      server: ModelServer.vllm({ extraArgs: ['--enable-chunked-prefill'], env: { MODE: 'decode' } }),
      gpus: GpuRequest.of(1),
      route: { gateway: 'inference-gateway' },
    });
    expect(objectsOf(chart).filter((o) => requirementsOf(o).includes('disaggregated_inference'))).toEqual([]);
  });
});

describe('InferenceService: a multi-node prefill role (LeaderWorkerSet) next to a Deployment decode role', () => {
  const { chart } = newChart();
  new ClusterProfile(chart, 'Cluster', { addons: [ClusterAddon.LEADER_WORKER_SET, ClusterAddon.GATEWAY_API, ClusterAddon.INFERENCE_EXTENSION] });
  const llm = new InferenceService(chart, 'big', {
    model: ModelSource.huggingFace('meta-llama/Llama-3.1-70B-Instruct'),
    gpus: GpuRequest.of(4),
    disaggregation: { prefill: { gpus: GpuRequest.of(4), parallelism: { tensor: 4, pipeline: 2 }, multiNode: {} } },
    endpointPicker: {
      config: EndpointPickerConfig.disaggregated({
        decode: EndpointPickerConfig.of({ scorers: [EppScorer.prefixCache(3), EppScorer.kvCacheUtilization(1)] }),
        decider: PdDecider.prefixBased({ nonCachedTokens: 256, promptTokens: 512 }),
      }),
    },
    route: { gateway: 'inference-gateway' },
  });
  const objects = objectsOf(chart);

  test('the prefill LeaderWorkerSet labels only its leaders as serving; the pool selects them and the decode pods', () => {
    const lws = findObject(objects, 'LeaderWorkerSet', 'big-prefill-lws');
    expect(llm.prefillWorkload).toBe(llm.node.findChild('Prefill').node.findChild('LeaderWorkerSet'));
    const t = lws.spec.leaderWorkerTemplate;
    expect(t.size).toBe(2);
    expect(t.leaderTemplate.metadata.labels).toMatchObject({ 'llm-d.ai/role': 'prefill', 'llm-d.ai/inference-serving': 'true' });
    expect(t.workerTemplate.metadata.labels['llm-d.ai/inference-serving']).toBeUndefined();
    expect(t.workerTemplate.spec.containers[0].args).toEqual(expect.arrayContaining(['--kv-transfer-config', '--headless']));
    expect(requirementsOf(lws)).toContain('disaggregated_inference');
  });

  test('the picker config carries the user\'s decode profile and decider parameters', () => {
    const config = parseYaml(findObject(objects, 'ConfigMap', 'big-epp').data['epp-config.yaml']);
    expect(config.plugins).toEqual(expect.arrayContaining([
      { type: 'prefix-based-pd-decider', parameters: { nonCachedTokens: 256, promptTokens: 512 } },
    ]));
    const decode = config.schedulingProfiles.find((p: any) => p.name === 'decode');
    expect(decode.plugins).toEqual([
      { pluginRef: 'decode-filter' }, { pluginRef: 'max-score-picker' },
      { pluginRef: 'prefix-cache-scorer', weight: 3 }, { pluginRef: 'kv-cache-utilization-scorer', weight: 1 },
    ]);
  });
});

describe('EndpointPickerConfig.disaggregated: one declaration per plugin', () => {
  test('a type both profiles use with different parameters gets a name per profile', () => {
    const c = EndpointPickerConfig.disaggregated({
      prefill: EndpointPickerConfig.of({ scorers: [EppScorer.prefixCache(1, { matchLengthWeight: 0.5 })] }),
    });
    const { plugins, profiles } = c._render();
    expect(plugins.filter((p) => p.type === 'prefix-cache-scorer')).toEqual([
      { type: 'prefix-cache-scorer', parameters: { matchLengthWeight: 0.5 } },
      { name: 'decode-prefix-cache-scorer', type: 'prefix-cache-scorer' },
    ]);
    expect(profiles[1].plugins).toContainEqual({ pluginRef: 'decode-prefix-cache-scorer', weight: 2 });
  });
});
