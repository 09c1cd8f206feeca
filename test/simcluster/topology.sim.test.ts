/**
 * Topology-aware gangs with the real Kueue (v0.19.2, topology-aware scheduling on by default), JobSet and
 * kube-scheduler on the simulated cluster: a pool of 8 kwok nodes in 2 blocks of 2 racks, declared with
 * `topologyLevels`, whose tenant emits a Kueue Topology and a topology flavor. A gang that requires one block but is
 * larger than any block is not admitted, though quota and nodes would hold it; a gang that fits lands inside one block;
 * a gang that only prefers one rack is admitted across racks. Kueue runs with the `waitForPodsReady` the
 * ClusterProfile declares, exactly as the PlatformReport tells the platform team to merge it.
 */
import { App, Chart, Duration } from 'cdk8s';
import { synthesize, SynthesizedApp } from './apps';
import { SimCluster } from './cluster';
import { expectRunningOnPools, GITOPS_MANAGER, podsOf } from './expectations';
import { condition, expectNotAdmitted, gangObjects, workloadOf } from './gangs';
import {
  AiTenant, ClusterAddon, ClusterProfile, GangScheduler, GangTopology, GangTrainingJob, GpuAllocation, GpuModel, GpuNodePool,
  GpuRequest, KubernetesVersion, PlatformReport, TrainingBackend,
} from '../../src';
import { KubeObject } from '../harness/objects';

const SIM_TIMEOUT = 600_000;
const IMAGE = 'ghcr.io/acme/train@sha256:' + 'c'.repeat(64);
const BLOCK = 'example.com/block';
const RACK = 'example.com/rack';
const NODES = 8;
/** Node i: block i/4, rack i/2 (2 blocks x 2 racks x 2 nodes of 8 GPUs). */
const nodeTopology = (i: number) => ({ [BLOCK]: `block-${Math.floor(i / 4)}`, [RACK]: `rack-${Math.floor(i / 2)}` });
const KUEUE = ClusterAddon.kueueWith({ waitForPodsReady: { timeout: Duration.minutes(5), requeuingStrategy: { backoffLimitCount: 3 } } });

interface Gang { readonly name: string; readonly workers: number; readonly topology: GangTopology }

/** The platform (pool with topology levels, one tenant owning all 64 GPUs) and the given gangs, 8 GPUs per worker. */
function platformApp(gangs: readonly Gang[]): { out: SynthesizedApp; kueueFields: Record<string, unknown> } {
  const app = new App();
  new ClusterProfile(app, 'Cluster', {
    kubernetesVersion: KubernetesVersion.V1_34, gpuAllocation: GpuAllocation.DEVICE_PLUGIN, addons: [...ClusterAddon.defaults(), KUEUE],
  });
  const chart = new Chart(app, 'tas', { disableResourceNameHashes: true });
  const pool = new GpuNodePool(chart, 'tas', {
    name: 'tas', gpu: GpuModel.NVIDIA_H100_80_GB, gpusPerNode: 8, maxNodes: NODES, topologyLevels: [BLOCK, RACK],
  });
  const tenant = new AiTenant(chart, 'research', {
    team: 'research',
    owner: 'sim',
    costCenter: 'cc-sim',
    gpuQuota: [{ pool, gpus: 64 }],
    fairShare: { cohort: 'tas' },
    apiServer: { cidrs: ['10.0.0.1/32'] },
  });
  for (const g of gangs) {
    new GangTrainingJob(tenant, g.name, {
      image: IMAGE,
      command: ['train.py'],
      workers: g.workers,
      gpusPerWorker: GpuRequest.of(8, { model: GpuModel.NVIDIA_H100_80_GB }),
      nodePool: pool,
      backend: TrainingBackend.jobSet(),
      scheduler: GangScheduler.kueue({ queue: tenant.queueName }),
      topology: g.topology,
    });
  }
  const report = new PlatformReport(app, 'Report');
  const kueueFields = report.model().kueueConfiguration.fields;
  return { out: synthesize(app), kueueFields };
}

function jobSet(out: SynthesizedApp): KubeObject {
  const found = out.objects.filter((o) => o.kind === 'JobSet');
  expect(found).toHaveLength(1);
  return found[0];
}

async function expectCondition(cluster: SimCluster, js: KubeObject, type: string): Promise<any> {
  let wl: any;
  await cluster.waitFor(`Workload of ${js.metadata.name} ${type}`, async () => {
    wl = await workloadOf(cluster, js);
    return condition(wl, type)?.status === 'True' || `Workload ${wl ? JSON.stringify(wl.status?.conditions) : 'not created'}`;
  }, 120_000);
  return wl;
}

/** The value of `label` on the node of every pod of the gang. */
async function nodeLabelsOf(cluster: SimCluster, objects: readonly KubeObject[], label: string): Promise<string[]> {
  const nodes = new Map((await cluster.api.list('v1', 'Node')).map((n) => [n.metadata.name, n]));
  return (await podsOf(cluster, objects)).map((p) => String(nodes.get(p.spec.nodeName)?.metadata.labels?.[label]));
}

async function deleteGang(cluster: SimCluster, js: KubeObject): Promise<void> {
  const ns = String(js.metadata.namespace);
  await cluster.api.delete('jobset.x-k8s.io/v1alpha2', 'JobSet', String(js.metadata.name), ns);
  await cluster.waitFor(`pods of ${js.metadata.name} gone`, async () => {
    const pods = await cluster.api.list('v1', 'Pod', ns, `jobset.sigs.k8s.io/jobset-name=${js.metadata.name}`);
    return pods.length === 0 || `${pods.length} pods left`;
  }, 60_000);
}

describe('topology-aware gangs with the real Kueue, JobSet and kube-scheduler', () => {
  let cluster: SimCluster;
  const platform = platformApp([]);

  beforeAll(async () => {
    cluster = await SimCluster.start({
      pools: platform.out.pools,
      nodeOptions: { tas: { devicePlugin: true, dra: false, labels: nodeTopology } },
      kueueConfig: platform.kueueFields,
    });
    await cluster.api.applyAll(platform.out.objects, GITOPS_MANAGER);
  }, SIM_TIMEOUT);

  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  test('Kueue runs with the waitForPodsReady the report declares, and the ClusterQueue with the topology flavor is active', async () => {
    expect(platform.kueueFields).toEqual({ waitForPodsReady: { timeout: '5m', requeuingStrategy: { backoffLimitCount: 3 } } });
    await cluster.waitFor('ClusterQueue research active', async () => {
      const cq = await cluster.api.get('kueue.x-k8s.io/v1beta2', 'ClusterQueue', 'research');
      return condition(cq, 'Active')?.status === 'True' || `ClusterQueue conditions ${JSON.stringify(cq?.status?.conditions)}`;
    }, 60_000);
  }, SIM_TIMEOUT);

  test('a gang larger than any block is not admitted when it requires one block', async () => {
    const wide = platformApp([{ name: 'wide', workers: 5, topology: GangTopology.sameDomain(BLOCK) }]).out;
    const js = jobSet(wide);
    await cluster.api.applyAll(gangObjects(wide, js), GITOPS_MANAGER);
    const why = await expectNotAdmitted(cluster, js);
    // Kueue's own reason: the topology, not the quota (64 GPUs would hold the 40).
    expect(why).toContain('topology "tas" allows to fit only 4 out of 5 pod(s)');
    await deleteGang(cluster, js);
  }, SIM_TIMEOUT);

  test('a gang that fits one block is admitted, starts whole (PodsReady) and runs inside one block', async () => {
    const fits = platformApp([{ name: 'fits', workers: 4, topology: GangTopology.sameDomain(BLOCK) }]).out;
    const js = jobSet(fits);
    const objects = gangObjects(fits, js);
    await cluster.api.applyAll(objects, GITOPS_MANAGER);
    const admitted = await expectCondition(cluster, js, 'Admitted');
    const assignment = admitted.status.admission.podSetAssignments[0];
    expect(assignment.flavors).toEqual({ 'cpu': 'tas', 'memory': 'tas', 'nvidia.com/gpu': 'tas' });
    expect(assignment.topologyAssignment.levels).toEqual(['kubernetes.io/hostname']);
    await expectRunningOnPools(cluster, objects, 120_000);
    await expectCondition(cluster, js, 'PodsReady');
    const blocks = await nodeLabelsOf(cluster, objects, BLOCK);
    expect(blocks).toHaveLength(4);
    expect(new Set(blocks).size).toBe(1);
    expect(new Set(await nodeLabelsOf(cluster, objects, 'kubernetes.io/hostname')).size).toBe(4);
    await deleteGang(cluster, js);
  }, SIM_TIMEOUT);

  test('a gang that only prefers one rack is admitted across racks', async () => {
    const spread = platformApp([{ name: 'spread', workers: 3, topology: GangTopology.sameRack(RACK, { preferred: true }) }]).out;
    const js = jobSet(spread);
    const objects = gangObjects(spread, js);
    await cluster.api.applyAll(objects, GITOPS_MANAGER);
    await expectCondition(cluster, js, 'Admitted');
    await expectRunningOnPools(cluster, objects, 120_000);
    const racks = await nodeLabelsOf(cluster, objects, RACK);
    expect(racks).toHaveLength(3);
    expect(new Set(racks).size).toBe(2);
    expect(new Set(await nodeLabelsOf(cluster, objects, BLOCK)).size).toBe(1);
  }, SIM_TIMEOUT);
});
