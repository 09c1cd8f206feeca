/**
 * Gang scheduling through the native Workload API (Kubernetes 1.37, `GenericWorkload` on) with the real kube-scheduler
 * and JobSet: with nodes for 3 of the 4 workers no worker is bound (the scheduler holds the whole gang back); when
 * the fourth node appears, all four run together.
 */
import { App, Chart } from 'cdk8s';
import { synthesize, SynthesizedApp } from './apps';
import { SimCluster } from './cluster';
import { expectRunningOnPools, GITOPS_MANAGER } from './expectations';
import { poolNodes } from './nodes';
import {
  ClusterAddon, ClusterProfile, GangScheduler, GangTrainingJob, GpuModel, GpuNodePool, GpuRequest, KubernetesVersion,
  TrainingBackend,
} from '../../src';

const SIM_TIMEOUT = 600_000;

function gangApp(): SynthesizedApp {
  const app = new App();
  new ClusterProfile(app, 'Cluster', {
    kubernetesVersion: KubernetesVersion.V1_37, featureGates: { GenericWorkload: true }, addons: ClusterAddon.defaults(),
  });
  const chart = new Chart(app, 'gang', { namespace: 'gang', disableResourceNameHashes: true });
  const pool = new GpuNodePool(chart, 'h100', { name: 'h100', gpu: GpuModel.NVIDIA_H100_80_GB, gpusPerNode: 8, maxNodes: 4 });
  new GangTrainingJob(chart, 'pretrain', {
    image: 'ghcr.io/acme/train@sha256:' + 'c'.repeat(64),
    command: ['train.py'],
    workers: 4,
    gpusPerWorker: GpuRequest.of(8, { model: GpuModel.NVIDIA_H100_80_GB }),
    nodePool: pool,
    backend: TrainingBackend.jobSet(),
    scheduler: GangScheduler.workloadApi(),
  });
  return synthesize(app);
}

describe('Workload API gangs with the real kube-scheduler (1.37)', () => {
  let cluster: SimCluster;
  let out: SynthesizedApp;

  beforeAll(async () => {
    out = gangApp();
    cluster = await SimCluster.start({ environment: 'latest', pools: out.pools, nodeOptions: { h100: { nodes: 3 } } });
    await cluster.api.createNamespace('gang');
  }, SIM_TIMEOUT);

  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  test('no worker runs until all four fit; then all run', async () => {
    expect(out.objects.map((o) => o.kind)).toEqual(expect.arrayContaining(['Workload', 'PodGroup', 'JobSet']));
    await cluster.api.applyAll(out.objects, GITOPS_MANAGER);
    const jobSet = out.objects.find((o) => o.kind === 'JobSet')!;
    const pods = () => cluster.api.list('v1', 'Pod', 'gang', `jobset.sigs.k8s.io/jobset-name=${jobSet.metadata.name}`);
    await cluster.waitFor('the four worker pods created', async () => {
      const n = (await pods()).length;
      if (n === 4) return true;
      const events = (await cluster.api.list('v1', 'Event', 'gang')).map((e) => `${e.involvedObject.kind}/${e.involvedObject.name}: ${e.reason} ${e.message}`);
      return `${n} pods; events: ${events.slice(-6).join(' | ')}`;
    }, 60_000);
    const until = Date.now() + 10_000;
    while (Date.now() < until) {
      const bound = (await pods()).filter((p) => p.spec.nodeName).map((p) => `${p.metadata.name} on ${p.spec.nodeName}`);
      expect({ bound }).toEqual({ bound: [] });
      await new Promise((r) => setTimeout(r, 1_000));
    }
    const contract = out.pools.find((p) => p.name === 'h100')!;
    await cluster.addNodes(poolNodes(contract, { nodes: 4 }));
    await expectRunningOnPools(cluster, out.objects, 120_000);
  }, SIM_TIMEOUT);
});
