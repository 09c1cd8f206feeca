/**
 * MIG quotas counted per profile with the real Kueue and scheduler on the simulated cluster (issue 20): nodes whose
 * GPUs mig-parted split into 1g.10gb instances (the fake DRA driver publishes them), a tenant with a quota of such
 * instances, and gangs asking for them. Kueue counts a gang's instances against the profile's DeviceClass through the
 * mapping the PlatformReport gives; a gang over the tenant's instances is held back, one within them runs with every
 * claim allocated a 1g.10gb instance of the pool.
 */
import { Chart } from 'cdk8s';
import { profiledApp, synthesize, SynthesizedApp } from './apps';
import { SimCluster } from './cluster';
import { claimsAllocated, expectRunningOnPools, GITOPS_MANAGER } from './expectations';
import { AiTenant, GangScheduler, GangTrainingJob, GpuModel, GpuNodePool, GpuRequest, KubernetesVersion, TrainingBackend } from '../../src';
import { KubeObject } from '../harness/objects';

const SIM_TIMEOUT = 600_000;
const IMAGE = 'ghcr.io/acme/train@sha256:' + 'c'.repeat(64);
const NS = 'research';
const A100 = GpuModel.NVIDIA_A100_80_GB;
const PROFILE = '1g.10gb';

/** The platform with a tenant quota of `instances`, and a gang of two workers of `perWorker` instances each. */
function migApp(instances: number, perWorker: number): SynthesizedApp {
  const app = profiledApp(KubernetesVersion.V1_34);
  const chart = new Chart(app, 'platform', { disableResourceNameHashes: true });
  const pool = new GpuNodePool(chart, 'a100', { name: 'a100', gpu: A100, gpusPerNode: 8, maxNodes: 1, migProfiles: [PROFILE] });
  const tenant = new AiTenant(chart, NS, {
    team: NS,
    owner: 'sim',
    costCenter: 'cc-sim',
    migQuota: [{ pool, profile: PROFILE, instances, borrowingLimit: 0 }],
    apiServer: { cidrs: ['10.0.0.1/32'] },
  });
  new GangTrainingJob(tenant, `gang${perWorker}`, {
    image: IMAGE,
    command: ['train.py'],
    workers: 2,
    gpusPerWorker: GpuRequest.mig(PROFILE, { count: perWorker, model: A100 }),
    nodePool: pool,
    backend: TrainingBackend.jobSet(),
    scheduler: GangScheduler.kueue({ queue: tenant.queueName }),
  });
  return synthesize(app);
}

const condition = (obj: any, type: string) => (obj?.status?.conditions ?? []).find((c: any) => c.type === type);

describe('MIG quotas per profile with the real Kueue', () => {
  let cluster: SimCluster;
  const platform = migApp(6, 3);
  const gangName = (perWorker: number) => `${NS}-gang${perWorker}`;
  /** A gang's objects (its JobSet, claim template, network policy), without the tenant's. */
  const gangObjects = (out: SynthesizedApp, perWorker: number): KubeObject[] => {
    const objects = out.objects.filter((o) => (o.metadata.labels as any)?.['app.kubernetes.io/instance'] === gangName(perWorker));
    if (!objects.some((o) => o.kind === 'JobSet')) throw new Error(`no JobSet ${gangName(perWorker)}`);
    return objects;
  };

  async function workloadOf(name: string): Promise<any | undefined> {
    const wls = await cluster.api.list('kueue.x-k8s.io/v1beta2', 'Workload', NS);
    return wls.find((w) => (w.metadata.ownerReferences ?? []).some((r: any) => r.kind === 'JobSet' && r.name === name));
  }

  beforeAll(async () => {
    cluster = await SimCluster.start({
      pools: platform.pools,
      nodeOptions: { a100: { migProfile: PROFILE } },
      kueueConfig: { resources: { deviceClassMappings: platform.deviceClassMappings } },
    });
    await cluster.api.applyAll(platform.objects.filter((o) => o.kind !== 'JobSet' && !gangObjects(platform, 3).includes(o)), GITOPS_MANAGER);
  }, SIM_TIMEOUT);

  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  test('Kueue counts the instances of the profile\'s class: a gang over the tenant\'s 6 is held back', async () => {
    expect(platform.deviceClassMappings).toEqual([{
      name: 'deviceclass.resource.kubernetes.io/a100-1g-10gb.gpu-pool.ai.cdk8s.io', deviceClassNames: ['a100-1g-10gb.gpu-pool.ai.cdk8s.io'],
    }]);
    // 2 x 4 = 8 instances, submitted on its own (synth refuses it against this tenant's quota)
    await cluster.api.applyAll(gangObjects(migApp(8, 4), 4), GITOPS_MANAGER);
    let message = '';
    await cluster.waitFor('the 8-instance gang evaluated by Kueue', async () => {
      const reserved = condition(await workloadOf(gangName(4)), 'QuotaReserved');
      message = reserved?.message ?? '';
      return (reserved?.status === 'False' && reserved.reason === 'Pending') || JSON.stringify(reserved ?? 'no Workload yet');
    }, 60_000);
    expect(message).toContain('deviceclass.resource.kubernetes.io/a100-1g-10gb.gpu-pool.ai.cdk8s.io');
    const pods = await cluster.api.list('v1', 'Pod', NS, `jobset.sigs.k8s.io/jobset-name=${gangName(4)}`);
    expect(pods).toEqual([]);
    await cluster.api.delete('jobset.x-k8s.io/v1alpha2', 'JobSet', gangName(4), NS);
  }, SIM_TIMEOUT);

  test('a gang within the tenant\'s instances runs, every claim allocated 1g.10gb instances of the pool', async () => {
    const objects = gangObjects(platform, 3);
    await cluster.api.applyAll(objects, GITOPS_MANAGER);
    await expectRunningOnPools(cluster, objects, 120_000);
    const wl = await workloadOf(gangName(3));
    expect(wl.status.admission.podSetAssignments.map((a: any) => a.resourceUsage['deviceclass.resource.kubernetes.io/a100-1g-10gb.gpu-pool.ai.cdk8s.io']))
      .toEqual(['6']);
    const devices = await claimsAllocated(cluster, objects, 60_000);
    expect(devices).toHaveLength(6);
    expect(new Set(devices.map((d) => `${d.attributes.type} ${d.attributes.profile} ${d.node.startsWith('a100-')}`))).toEqual(new Set(['mig 1g.10gb true']));
  }, SIM_TIMEOUT);
});
