/**
 * A multi-node model server with the real LeaderWorkerSet controller on the simulated cluster, applied in the order
 * that once broke it: the LeaderWorkerSet first, so its controller creates the group's headless Service before our
 * objects arrive. The controller names that Service after the LeaderWorkerSet (lws v0.9.0
 * pkg/controllers/leaderworkerset_controller.go reconcileHeadlessServices); ours must be another object, or the apply
 * conflicts on `.spec.selector` (the other order left the group without its headless Service: the workers' DNS for
 * LWS_LEADER_ADDRESS never resolves).
 */
import { Chart } from 'cdk8s';
import { profiledApp, synthesize, SynthesizedApp } from './apps';
import { SimCluster } from './cluster';
import { expectRunningOnPools, GITOPS_MANAGER } from './expectations';
import { GpuModel, GpuNodePool, GpuRequest, InferenceService, KubernetesVersion, ModelServer, ModelSource } from '../../src';
import { KubeObject } from '../harness/objects';

const SIM_TIMEOUT = 600_000;
const VLLM = 'ghcr.io/acme/vllm@sha256:' + 'd'.repeat(64);
const NS = 'mn';

function multiNodeApp(): SynthesizedApp {
  const app = profiledApp(KubernetesVersion.V1_34);
  const chart = new Chart(app, NS, { disableResourceNameHashes: true, namespace: NS });
  const pool = new GpuNodePool(chart, 'pool', { name: 'mn', gpu: GpuModel.NVIDIA_H100_80_GB, gpusPerNode: 8, maxNodes: 4 });
  new InferenceService(chart, 'llm', {
    model: ModelSource.huggingFace('Qwen/Qwen2.5-0.5B-Instruct'),
    server: ModelServer.vllm({ image: VLLM }),
    gpus: GpuRequest.of(8, { model: GpuModel.NVIDIA_H100_80_GB }),
    nodePool: pool,
    replicas: 2,
    parallelism: { tensor: 8, pipeline: 2 },
    multiNode: {},
  });
  return synthesize(app);
}

describe('a multi-node server with the real LeaderWorkerSet controller', () => {
  let cluster: SimCluster;
  let out: SynthesizedApp;

  beforeAll(async () => {
    out = multiNodeApp();
    cluster = await SimCluster.start({ pools: out.pools });
  }, SIM_TIMEOUT);

  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  test('the group\'s headless Service is the controller\'s, the clients\' Service is ours, both apply in either order', async () => {
    await cluster.api.createNamespace(NS);
    const lws = out.objects.find((o) => o.kind === 'LeaderWorkerSet')!;
    const service = out.objects.find((o) => o.kind === 'Service' && o.metadata.name === 'llm')!;
    expect(lws.metadata.name).toBe('llm-lws');

    await cluster.api.applyAll([lws], GITOPS_MANAGER);
    await cluster.waitFor('the LeaderWorkerSet controller\'s headless Service', async () =>
      (await cluster.api.get('v1', 'Service', 'llm-lws', NS)) ? true : 'not created yet', 60_000);
    await cluster.api.applyAll(out.objects.filter((o: KubeObject) => o !== lws), GITOPS_MANAGER);
    await expectRunningOnPools(cluster, out.objects, 180_000);

    const headless = await cluster.api.get('v1', 'Service', 'llm-lws', NS);
    const ours = await cluster.api.get('v1', 'Service', 'llm', NS);
    expect({
      headless: { clusterIP: headless.spec.clusterIP, selector: headless.spec.selector, owner: headless.metadata.ownerReferences?.[0]?.kind },
      ours: { type: ours.spec.type, selector: ours.spec.selector, managers: ours.metadata.managedFields.map((m: any) => m.manager) },
    }).toEqual({
      headless: { clusterIP: 'None', selector: { 'leaderworkerset.sigs.k8s.io/name': 'llm-lws' }, owner: 'LeaderWorkerSet' },
      ours: { type: 'ClusterIP', selector: (service.spec as any).selector, managers: [GITOPS_MANAGER] },
    });
    // The StatefulSets of the group name the controller's headless Service as their pods' subdomain.
    const sets = await cluster.api.list('apps/v1', 'StatefulSet', NS, 'leaderworkerset.sigs.k8s.io/name=llm-lws');
    expect(sets.length).toBe(3);
    expect(new Set(sets.map((s) => s.spec.serviceName))).toEqual(new Set(['llm-lws']));
  }, SIM_TIMEOUT);
});
