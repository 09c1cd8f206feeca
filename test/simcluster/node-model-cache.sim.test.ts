/**
 * The node-local model volume (SharedModelVolume.nodeLocal) on the simulated cluster.
 *
 * What is real: the PersistentVolume binder binds the pre-bound claim to its local volume; the DaemonSet controller
 * runs one fill pod on every node of the pool (and none elsewhere), placed by the pool's labels and taints; the
 * scheduler's VolumeBinding plugin places the servers only where the local volume's node affinity allows, with Pod
 * Security restricted enforced on every pod. What is not: kwok mounts no volume and runs no container, so the download,
 * the completion marker, the readiness probe that reads it and the servers' wait for it are not executed.
 */
import { Chart, Size } from 'cdk8s';
import { profiledApp, synthesize, SynthesizedApp } from './apps';
import { SimCluster } from './cluster';
import { expectRunningOnPools, GITOPS_MANAGER, isReady, podsOf } from './expectations';
import { POOL_LABEL } from './nodes';
import { GpuModel, GpuNodePool, GpuRequest, InferenceService, KubernetesVersion, ModelServer, ModelSource, SharedModelVolume } from '../../src';

const SIM_TIMEOUT = 600_000;
const VLLM = 'ghcr.io/acme/vllm@sha256:' + 'f'.repeat(64);
const NS = 'cache';

function cacheApp(): SynthesizedApp {
  const app = profiledApp(KubernetesVersion.V1_34);
  const chart = new Chart(app, NS, { disableResourceNameHashes: true, namespace: NS });
  const pool = new GpuNodePool(chart, 'pool', { name: 'cache', gpu: GpuModel.NVIDIA_H100_80_GB, gpusPerNode: 8, maxNodes: 3 });
  new InferenceService(chart, 'llm', {
    model: ModelSource.storageUri('s3://models/llama-3.1-8b', {
      credentialsSecret: 's3-credentials',
      sharedVolume: SharedModelVolume.nodeLocal({ nodePool: pool, nodePath: '/mnt/nvme/models', size: Size.gibibytes(40), allowLocalPersistentVolume: true }),
    }),
    server: ModelServer.vllm({ image: VLLM }),
    gpus: GpuRequest.of(1, { model: GpuModel.NVIDIA_H100_80_GB }),
    nodePool: pool,
    replicas: 2,
  });
  return synthesize(app);
}

describe('a node-local model volume with the real PersistentVolume binder, DaemonSet controller and scheduler', () => {
  let cluster: SimCluster;
  let out: SynthesizedApp;

  beforeAll(async () => {
    out = cacheApp();
    cluster = await SimCluster.start({ pools: out.pools });
    await cluster.api.createNamespace(NS);
    await cluster.api.applyAll(out.objects, GITOPS_MANAGER);
  }, SIM_TIMEOUT);

  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  test('the claim binds to the local volume, one fill pod runs on every pool node, the servers run on pool nodes', async () => {
    const claim = out.objects.find((o) => o.kind === 'PersistentVolumeClaim')!;
    await cluster.waitFor('the claim Bound to its local volume', async () => {
      const pvc = await cluster.api.get('v1', 'PersistentVolumeClaim', String(claim.metadata.name), NS);
      return pvc?.status?.phase === 'Bound' || `phase ${pvc?.status?.phase}`;
    }, 60_000);
    const pv = await cluster.api.get('v1', 'PersistentVolume', String(out.objects.find((o) => o.kind === 'PersistentVolume')!.metadata.name));
    expect(pv.status.phase).toBe('Bound');
    expect(pv.spec.claimRef).toMatchObject({ namespace: NS, name: claim.metadata.name });

    const poolNodes = (await cluster.api.list('v1', 'Node')).filter((n) => n.metadata.labels?.[POOL_LABEL] === 'cache').map((n) => n.metadata.name).sort();
    expect(poolNodes).toHaveLength(3);
    const ds = out.objects.find((o) => o.kind === 'DaemonSet')!;
    let fill: any[] = [];
    await cluster.waitFor('a Ready fill pod on every pool node', async () => {
      const status = (await cluster.api.get('apps/v1', 'DaemonSet', String(ds.metadata.name), NS))?.status;
      fill = await cluster.api.list('v1', 'Pod', NS, Object.entries((ds.spec as any).selector.matchLabels).map(([k, v]) => `${k}=${v}`).join(','));
      const ok = status?.desiredNumberScheduled === 3 && status?.numberReady === 3 && fill.filter(isReady).length === 3;
      return ok || `DaemonSet status ${JSON.stringify(status)}`;
    }, 120_000);
    expect(fill.map((p) => p.spec.nodeName).sort()).toEqual(poolNodes);

    await expectRunningOnPools(cluster, out.objects, 180_000);
    const servers = await podsOf(cluster, out.objects.filter((o) => o.kind === 'Deployment' && o.metadata.name === 'llm'));
    expect(servers).toHaveLength(2);
    for (const pod of servers) {
      expect(poolNodes).toContain(pod.spec.nodeName);
      expect(pod.spec.volumes.find((v: any) => v.name === 'model').persistentVolumeClaim).toEqual({ claimName: claim.metadata.name, readOnly: true });
    }
    console.log(`node-local volume: ${pv.metadata.name} Bound; fill pods on ${fill.map((p) => p.spec.nodeName).sort().join(', ')}; `
      + `servers on ${servers.map((p) => p.spec.nodeName).sort().join(', ')}`);
  }, SIM_TIMEOUT);
});
