import { Chart, Duration, JsonPatch } from 'cdk8s';
import { findObject, llama, loraCanary, lwsPods, newChart, objectsOf, ROUTINGS, SERVERS, validatable } from './fixtures';
import { GpuModel } from '../../src/accelerators/gpu-model';
import { GpuNodePool } from '../../src/accelerators/gpu-node-pool';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { ClusterAddon } from '../../src/cluster/cluster-addon';
import { ClusterProfile } from '../../src/cluster/cluster-profile';
import { KubernetesVersion } from '../../src/cluster/kubernetes-version';
import { InferenceRoute } from '../../src/serving/inference-route';
import { ModelServer } from '../../src/serving/model-server';
import { ModelSource } from '../../src/serving/model-source';
import { ServerMetric, ServingAutoscaling } from '../../src/serving/serving-autoscaling';
import { validateObjects } from '../harness';

/**
 * Every server x routing combination, and the multi-node, autoscaling and LoRA shapes, sent to the real
 * kube-apiserver (CRDs from ../shared/crds installed; server-side apply dry-run, strict field validation, nothing
 * dropped; namespaces enforce Pod Security `restricted`).
 */

let validated = 0;
async function validate(objects: any[], environment: 'default' | 'latest' = 'default'): Promise<void> {
  const sent = validatable(objects);
  const results = await validateObjects(sent, { environment });
  expect(results.length).toBeGreaterThanOrEqual(sent.length);
  validated += sent.length;
}


beforeAll(() => {
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
});

afterAll(() => {
  // eslint-disable-next-line no-console
  console.log(`serving apiserver suite: ${validated} objects validated`);
});

describe.each(Object.keys(SERVERS))('%s', (serverName) => {
  test.each(Object.keys(ROUTINGS))('%s', async (routing) => {
    const { chart } = newChart();
    ROUTINGS[routing](chart, SERVERS[serverName]);
    const objects = objectsOf(chart);
    expect(objects.length).toBeGreaterThan(2);
    await validate(objects);
  });
});

describe('multi-node (LeaderWorkerSet)', () => {
  test.each(['vllm', 'sglang'])('%s: tensor 8 x pipeline 2 over two pods, routed to leaders', async (serverName) => {
    const { chart } = newChart();
    llama(chart, 'llama', SERVERS[serverName](), {
      gpus: GpuRequest.of(8, { model: GpuModel.NVIDIA_H100_80_GB }),
      parallelism: { tensor: 8, pipeline: 2 },
      multiNode: { subGroupSize: 1, exclusiveTopologyKey: 'topology.kubernetes.io/zone' },
      replicas: 2,
      route: { gateway: 'inference-gateway' },
    });
    const objects = objectsOf(chart);
    findObject(objects, 'LeaderWorkerSet', 'llama-lws');
    await validate([...objects, ...lwsPods(objects)]);
  });

  test('autoscaled LeaderWorkerSet on the queue metric', async () => {
    const { chart } = newChart();
    llama(chart, 'llama', ModelServer.vllm(), {
      gpus: GpuRequest.of(4),
      parallelism: { tensor: 4, pipeline: 2 },
      multiNode: {},
      autoscaling: ServingAutoscaling.serverMetric({ minReplicas: 1, maxReplicas: 3, metric: ServerMetric.QUEUE_DEPTH, target: 5 }),
    });
    const objects = objectsOf(chart);
    await validate([...objects, ...lwsPods(objects)]);
  });
});

describe('other shapes', () => {
  test('LoRA canary through model rewrites', async () => {
    const { chart } = newChart();
    loraCanary(chart);
    await validate(objectsOf(chart));
  });

  test('autoscaling on CPU and KV cache, PDB', async () => {
    const { chart } = newChart();
    llama(chart, 'cpu', ModelServer.vllm(), {
      resources: { cpu: '8', memory: '64Gi' },
      autoscaling: ServingAutoscaling.cpu({ minReplicas: 2, maxReplicas: 4 }),
    });
    llama(chart, 'kv', ModelServer.sglang(), {
      autoscaling: ServingAutoscaling.serverMetric({ minReplicas: 1, maxReplicas: 4, metric: ServerMetric.KV_CACHE_USAGE, target: 0.8 }),
    });
    const objects = objectsOf(chart);
    expect(objects.filter((o) => o.kind === 'HorizontalPodAutoscaler')).toHaveLength(2);
    await validate(objects);
  });

  test('route in another namespace than its services, with a ReferenceGrant', async () => {
    const { app, chart } = newChart('models');
    const stable = llama(chart, 'stable', ModelServer.vllm());
    const canary = llama(chart, 'canary', ModelServer.vllm());
    const routes = new Chart(app, 'routes', { namespace: 'gateways', disableResourceNameHashes: true });
    new InferenceRoute(routes, 'chat', { gateway: 'inference-gateway', backends: [{ service: stable, weight: 50 }, { service: canary, weight: 50 }] });
    await validate([...objectsOf(chart), ...objectsOf(routes)]);
  });

  test('model sources: PVC, S3 and OCI downloads, shared cache', async () => {
    const { chart } = newChart();
    llama(chart, 'pvc', ModelServer.vllm(), { model: ModelSource.persistentVolumeClaim('models', { path: 'llama-3.1-8b' }) });
    llama(chart, 's3', ModelServer.sglang(), { model: ModelSource.storageUri('s3://models/llama', { credentialsSecret: 's3-credentials' }) });
    llama(chart, 'oci', ModelServer.tgi(), { model: ModelSource.storageUri('oci://registry.example.com/models/llama:1.0') });
    await validate(objectsOf(chart));
  });

  test('placed on a GpuNodePool, Kubernetes 1.37 environment', async () => {
    const { app, chart } = newChart();
    new ClusterProfile(app, 'Cluster', { kubernetesVersion: KubernetesVersion.V1_37 });
    const pool = new GpuNodePool(chart, 'h100', { gpu: GpuModel.NVIDIA_H100_80_GB, gpusPerNode: 8, maxNodes: 2 });
    llama(chart, 'llama', ModelServer.vllm(), { nodePool: pool, gpus: GpuRequest.of(2), replicas: 2, route: { gateway: 'inference-gateway' } });
    await validate(objectsOf(chart), 'latest');
  });

  test('device-plugin cluster (no DRA): nvidia.com/gpu limits', async () => {
    const { app, chart } = newChart();
    new ClusterProfile(app, 'Cluster', { gpuAllocation: 'DevicePlugin' as any, addons: [ClusterAddon.GATEWAY_API, ClusterAddon.INFERENCE_EXTENSION] });
    llama(chart, 'llama', ModelServer.vllm(), { gpus: GpuRequest.of(2), route: { gateway: 'inference-gateway' }, maxStartupTime: Duration.hours(1) });
    const objects = objectsOf(chart);
    expect(objects.find((o) => o.kind === 'ResourceClaimTemplate')).toBeUndefined();
    expect(objects.find((o) => o.kind === 'PodMonitor')).toBeUndefined();
    await validate(objects);
  });
});

describe('the harness bites', () => {
  test('an InferencePool patched past the CRD limits is rejected by the apiserver', async () => {
    const { chart } = newChart();
    const llm = llama(chart, 'llama', ModelServer.vllm(), { route: { gateway: 'gw' } });
    llm.inferencePool!.addJsonPatch(JsonPatch.replace('/spec/targetPorts', [{ number: 8000 }, { number: 8000 }]));
    await expect(validateObjects(validatable(objectsOf(chart)))).rejects.toThrow(/InferencePool serving\/llama/);
  });
});
