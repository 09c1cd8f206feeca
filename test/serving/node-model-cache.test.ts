import { Chart, Size, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { findObject, llama, newChart, objectsOf } from './fixtures';
import { GpuModel } from '../../src/accelerators/gpu-model';
import { GpuNodePool } from '../../src/accelerators/gpu-node-pool';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { ClusterProfile } from '../../src/cluster/cluster-profile';
import { AiTenant } from '../../src/platform/ai-tenant';
import { InferenceService } from '../../src/serving/inference-service';
import { ModelServer } from '../../src/serving/model-server';
import { ModelSource } from '../../src/serving/model-source';
import { NodeLocalModelVolumeProps, SharedModelVolume } from '../../src/serving/shared-model-volume';
import { badInputCatalogue } from '../harness';

/**
 * The node-local model volume (issue 18): a local PersistentVolume with the pool's node affinity, pre-bound to the
 * service's claim, a DaemonSet on the pool's nodes that fills each copy once, servers that mount it read-only.
 */

const H100 = GpuModel.NVIDIA_H100_80_GB;

function localVolume(pool: GpuNodePool, extra: Partial<NodeLocalModelVolumeProps> = {}): SharedModelVolume {
  return SharedModelVolume.nodeLocal({ nodePool: pool, nodePath: '/mnt/nvme/models', size: Size.gibibytes(40), allowLocalPersistentVolume: true, ...extra });
}

function build(): { objects: any[]; chart: Chart } {
  const { chart } = newChart();
  const pool = new GpuNodePool(chart, 'h100', { gpu: H100, gpusPerNode: 8, maxNodes: 2 });
  llama(chart, 'llama', ModelServer.vllm(), {
    model: ModelSource.storageUri('hf://meta-llama/Llama-3.1-8B-Instruct', { credentialsSecret: 'hf-token', sharedVolume: localVolume(pool) }),
    nodePool: pool,
    replicas: 3,
  });
  return { objects: objectsOf(chart), chart };
}

beforeAll(() => {
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
});

describe('SharedModelVolume.nodeLocal', () => {
  test('a local PersistentVolume on every node of the pool, pre-bound both ways to the service\'s claim', () => {
    const { objects } = build();
    const pv = findObject(objects, 'PersistentVolume');
    expect(pv.metadata.namespace).toBeUndefined();
    expect(pv.metadata.name).toBe('serving-llama-model-node-cache');
    expect(pv.spec).toEqual({
      capacity: { storage: '40Gi' },
      accessModes: ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: 'Retain',
      volumeMode: 'Filesystem',
      local: { path: '/mnt/nvme/models' },
      nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'ai.cdk8s.io/gpu-node-pool', operator: 'In', values: ['h100'] }] }] } },
      claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: 'serving', name: 'llama-model' },
    });
    expect(findObject(objects, 'PersistentVolumeClaim', 'llama-model').spec).toEqual({
      accessModes: ['ReadWriteOnce'], storageClassName: '', volumeName: pv.metadata.name, resources: { requests: { storage: '40Gi' } },
    });
    // No Job: the DaemonSet fills each node.
    expect(objects.filter((o) => o.kind === 'Job')).toEqual([]);
  });

  test('the DaemonSet runs on the pool\'s nodes, restricted, downloads once per node with its credentials as a file', () => {
    const { objects } = build();
    const ds = findObject(objects, 'DaemonSet', 'llama-model-cache');
    const spec = ds.spec.template.spec;
    expect(spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions)
      .toEqual([{ key: 'ai.cdk8s.io/gpu-node-pool', operator: 'In', values: ['h100'] }]);
    expect(spec.tolerations).toEqual(expect.arrayContaining([expect.objectContaining({ key: 'nvidia.com/gpu', operator: 'Exists' })]));
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(spec.volumes.map((v: any) => v.hostPath)).toEqual(spec.volumes.map(() => undefined));
    const [download] = spec.initContainers;
    expect(download.command).toEqual(['/bin/sh', '-c', '[ -f "$2" ] && exit 0; exec "$3" "$0" "$1"', 'hf://meta-llama/Llama-3.1-8B-Instruct',
      expect.stringMatching(/^\/mnt\/models\/models\/[0-9a-f]{12}$/), expect.stringMatching(/\.complete$/), '/storage-initializer/scripts/initializer-entrypoint']);
    expect(download.env).toEqual(expect.arrayContaining([{ name: 'HF_TOKEN_PATH', value: '/var/run/secrets/huggingface/token' }]));
    expect(download.resources.requests['ephemeral-storage']).toBe('2Gi');
    expect(download.resources.limits['ephemeral-storage']).toBe('2Gi');
    expect(download.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    const [ready] = spec.containers;
    expect(ready.name).toBe('cache-ready');
    expect(ready.readinessProbe.exec.command).toEqual(['test', '-f', download.command[5]]);
    expect(spec.volumes).toEqual(expect.arrayContaining([{ name: 'model', persistentVolumeClaim: { claimName: 'llama-model' } }]));
  });

  test('the servers mount the claim read-only, wait for their node\'s marker, and download nothing', () => {
    const { objects } = build();
    const spec = findObject(objects, 'Deployment', 'llama').spec.template.spec;
    expect(spec.volumes).toEqual(expect.arrayContaining([{ name: 'model', persistentVolumeClaim: { claimName: 'llama-model', readOnly: true } }]));
    expect(spec.initContainers.map((c: any) => c.name)).toEqual(['model-wait']);
    expect(spec.containers[0].args[0]).toMatch(/^\/mnt\/models\/models\/[0-9a-f]{12}$/);
    expect(spec.containers[0].resources.requests['ephemeral-storage']).toBeUndefined();
  });

  test('in a tenant the DaemonSet\'s pods, not the servers, get the model-download egress', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'tenants', { disableResourceNameHashes: true });
    new ClusterProfile(app, 'Cluster');
    const pool = new GpuNodePool(chart, 'h100', { gpu: H100, gpusPerNode: 8, maxNodes: 2 });
    const tenant = new AiTenant(chart, 'serving', {
      team: 'serving',
      owner: 'bob',
      costCenter: 'cc-200',
      gpuQuota: [{ pool, gpus: 8 }],
      modelDownloads: { cidrs: ['0.0.0.0/0'], excludedCidrs: ['10.0.0.0/8'] },
    });
    llama(tenant as unknown as Chart, 'llama', ModelServer.vllm(), {
      model: ModelSource.storageUri('hf://meta-llama/Llama-3.1-8B-Instruct', { credentialsSecret: 'hf-token', sharedVolume: localVolume(pool) }),
      nodePool: pool,
    });
    app.synth();
    const objects = chart.toJson();
    const egress = objects.filter((o: any) => o.kind === 'NetworkPolicy' && o.metadata.name.endsWith('model-download-out'));
    expect(egress.map((o: any) => o.spec.podSelector.matchLabels['app.kubernetes.io/component'])).toEqual(['model-download']);
    expect(egress[0].metadata.annotations['ai.cdk8s.io/allows']).toContain('the DaemonSet serving-llama-model-cache fills the node-local model volume');
  });
});

function svc(scope: Construct, volume: (pool: GpuNodePool) => SharedModelVolume, placeOnPool = true): InferenceService {
  new ClusterProfile(scope, 'Cluster');
  const pool = new GpuNodePool(scope, 'h100', { gpu: H100, gpusPerNode: 8, maxNodes: 2 });
  const other = new GpuNodePool(scope, 'other', { gpu: H100, gpusPerNode: 8, maxNodes: 2 });
  return new InferenceService(scope, 'llm', {
    model: ModelSource.storageUri('s3://models/llama', { sharedVolume: volume(pool) }),
    gpus: GpuRequest.of(1, { model: H100 }),
    nodePool: placeOnPool ? pool : other,
  });
}

const js = (x: unknown): any => x;
const P = '[bad-input/llm]';

badInputCatalogue([
  {
    name: 'a node-local volume without the explicit opt-in',
    error: `${P} model.sharedVolume.allowLocalPersistentVolume (model.shared_volume.allow_local_persistent_volume): is not true: a node-local ` +
      'model volume writes to /mnt/nvme/models on every node of the pool h100 through a local PersistentVolume, which Pod Security restricted does not see',
    build: (s) => svc(s, (pool) => localVolume(pool, { allowLocalPersistentVolume: undefined })),
  },
  {
    name: 'a node-local volume with the opt-in false',
    error: 'model.sharedVolume.allowLocalPersistentVolume (model.shared_volume.allow_local_persistent_volume): is not true',
    build: (s) => svc(s, (pool) => localVolume(pool, { allowLocalPersistentVolume: false })),
  },
  {
    name: 'a relative node path',
    error: `${P} model.sharedVolume.nodePath (model.shared_volume.node_path): got "models"; expected an absolute directory below "/" without ".."`,
    build: (s) => svc(s, (pool) => localVolume(pool, { nodePath: 'models' })),
  },
  {
    name: 'a node path with ..',
    error: 'model.sharedVolume.nodePath (model.shared_volume.node_path): got "/mnt/../etc"',
    build: (s) => svc(s, (pool) => localVolume(pool, { nodePath: '/mnt/../etc' })),
  },
  {
    name: 'the node\'s root as the node path',
    error: 'model.sharedVolume.nodePath (model.shared_volume.node_path): got "/"',
    build: (s) => svc(s, (pool) => localVolume(pool, { nodePath: '/' })),
  },
  {
    name: 'a zero size',
    error: `${P} model.sharedVolume.size (model.shared_volume.size): got "0Gi"; expected a positive size`,
    build: (s) => svc(s, (pool) => localVolume(pool, { size: Size.gibibytes(0) })),
  },
  {
    name: 'servers on another pool than the volume\'s',
    error: 'model.sharedVolume (model.shared_volume): is a node-local volume on the pool h100, but the Deployment llm is not placed on that pool; set nodePool to it',
    build: (s) => svc(s, (pool) => localVolume(pool), false),
  },
  {
    name: 'nodeLocal without a pool',
    error: '[SharedModelVolume.nodeLocal (node_local)] nodePool (node_pool): got undefined; expected the GpuNodePool the servers run on (it is required)',
    build: () => SharedModelVolume.nodeLocal(js({ nodePath: '/mnt/nvme/models', size: Size.gibibytes(1) })),
  },
  {
    name: 'nodeLocal with a string size',
    error: '[SharedModelVolume.nodeLocal (node_local)] size: got "40Gi"',
    build: (s) => SharedModelVolume.nodeLocal(js({ nodePool: new GpuNodePool(s, 'p', { gpu: H100, gpusPerNode: 8, maxNodes: 1 }), nodePath: '/m', size: '40Gi' })),
  },
], { title: 'node-local model volume: bad inputs' });
