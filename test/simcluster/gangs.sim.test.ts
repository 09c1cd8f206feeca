/**
 * Gang semantics and tenant quotas with the real Kueue and JobSet on the simulated cluster: a gang that does not fit
 * its tenant's quota is not admitted and runs no worker; when it fits, all workers run; a second gang waits until the
 * first finishes; a tenant borrows an idle tenant's GPUs within its borrowing limit, never beyond; and the GPUs a
 * serving tenant is using are not lent to a training tenant.
 */
import { Chart } from 'cdk8s';
import { profiledApp, synthesize, SynthesizedApp } from './apps';
import { SimCluster } from './cluster';
import { expectRunningOnPools, GITOPS_MANAGER, expectedPods } from './expectations';
import { condition, expectNotAdmitted, gangObjects, workloadOf } from './gangs';
import {
  AiTenant, GangScheduler, GangTrainingJob, GpuModel, GpuNodePool, GpuRequest, InferenceService, KubernetesVersion, ModelServer, ModelSource,
  TrainingBackend,
} from '../../src';
import { KubeObject } from '../harness/objects';

const SIM_TIMEOUT = 600_000;
const IMAGE = 'ghcr.io/acme/train@sha256:' + 'c'.repeat(64);
const VLLM = 'ghcr.io/acme/vllm@sha256:' + 'd'.repeat(64);

interface GangSpec { readonly name: string; readonly workers: number; readonly gpus: number }

interface TenantSpec {
  readonly name: string;
  readonly cohort: string;
  readonly gpus: number;
  readonly borrowingLimit?: number;
  readonly lendingLimit?: number;
  readonly gangs?: readonly GangSpec[];
  /** Model-server replicas of one GPU each. */
  readonly servingReplicas?: number;
}

/** One app: a pool and tenants on it, each with its gangs and model servers. */
function platformApp(poolName: string, gpu: GpuModel, nodes: number, tenants: readonly TenantSpec[]): SynthesizedApp {
  const app = profiledApp(KubernetesVersion.V1_34);
  const chart = new Chart(app, poolName, { disableResourceNameHashes: true });
  const pool = new GpuNodePool(chart, poolName, { name: poolName, gpu, gpusPerNode: 8, maxNodes: nodes });
  for (const t of tenants) {
    const tenant = new AiTenant(chart, t.name, {
      team: t.name,
      owner: 'sim',
      costCenter: 'cc-sim',
      gpuQuota: [{ pool, gpus: t.gpus, borrowingLimit: t.borrowingLimit, lendingLimit: t.lendingLimit }],
      fairShare: { cohort: t.cohort },
      apiServer: { cidrs: ['10.0.0.1/32'] },
      modelDownloads: { cidrs: ['0.0.0.0/0'] },
    });
    for (const g of t.gangs ?? []) {
      new GangTrainingJob(tenant, g.name, {
        image: IMAGE,
        command: ['train.py'],
        workers: g.workers,
        gpusPerWorker: GpuRequest.of(g.gpus, { model: gpu }),
        nodePool: pool,
        backend: TrainingBackend.jobSet(),
        scheduler: GangScheduler.kueue({ queue: tenant.queueName }),
      });
    }
    if (t.servingReplicas) {
      new InferenceService(tenant, 'llm', {
        model: ModelSource.huggingFace('Qwen/Qwen2.5-0.5B-Instruct'),
        server: ModelServer.vllm({ image: VLLM }),
        gpus: GpuRequest.of(1, { model: gpu }),
        nodePool: pool,
        replicas: t.servingReplicas,
      });
    }
  }
  return synthesize(app);
}

function jobSetsOf(out: SynthesizedApp, tenant: string): KubeObject[] {
  return out.objects.filter((o) => o.kind === 'JobSet' && o.metadata.namespace === tenant);
}

/** The tenants' and pool's objects only (quota, queues, namespace, flavors), no gang. */
function platformObjects(out: SynthesizedApp): KubeObject[] {
  const gangs = new Set(out.objects.filter((o) => o.kind === 'JobSet').map((o) => `${o.metadata.namespace}/${o.metadata.name}`));
  return out.objects.filter((o) => !gangs.has(`${o.metadata.namespace}/${(o.metadata.labels as any)?.['app.kubernetes.io/instance']}`));
}

async function expectAdmitted(cluster: SimCluster, jobSet: KubeObject): Promise<void> {
  await cluster.waitFor(`JobSet ${jobSet.metadata.name} admitted`, async () => {
    const wl = await workloadOf(cluster, jobSet);
    return condition(wl, 'Admitted')?.status === 'True' || `Workload ${wl ? JSON.stringify(wl.status?.conditions) : 'not created'}`;
  }, 60_000);
}


/** What the kubelet reports when every container of a JobSet's pods exited 0: the training finished. */
async function finishJobSet(cluster: SimCluster, jobSet: KubeObject): Promise<void> {
  const ns = String(jobSet.metadata.namespace);
  const pods = await cluster.api.list('v1', 'Pod', ns, `jobset.sigs.k8s.io/jobset-name=${jobSet.metadata.name}`);
  const now = new Date().toISOString();
  for (const p of pods) {
    await cluster.api.patchStatus('v1', 'Pod', p.metadata.name, ns, {
      phase: 'Succeeded',
      conditions: [{ type: 'Ready', status: 'False', reason: 'PodCompleted', lastTransitionTime: now }],
      containerStatuses: p.spec.containers.map((c: any) => ({
        name: c.name,
        image: c.image,
        imageID: '',
        ready: false,
        restartCount: 0,
        started: false,
        state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: now, finishedAt: now } },
      })),
    });
  }
  await cluster.waitFor(`JobSet ${jobSet.metadata.name} completed`, async () => {
    const js = await cluster.api.get('jobset.x-k8s.io/v1alpha2', 'JobSet', String(jobSet.metadata.name), ns);
    return condition(js, 'Completed')?.status === 'True' || `JobSet conditions ${JSON.stringify(js?.status?.conditions)}`;
  }, 60_000);
}

describe('gangs and tenant quotas with the real Kueue and JobSet', () => {
  let cluster: SimCluster;
  // Pool h100 (4 nodes x 8): one tenant alone in its cohort, for gang semantics.
  const solo = (gpus: number, gangs: GangSpec[]) => platformApp('h100', GpuModel.NVIDIA_H100_80_GB, 4,
    [{ name: 'solo', cohort: 'solo', gpus, borrowingLimit: 0, gangs }]);
  // Pool a100 (4 nodes x 8): a training and a serving tenant sharing a cohort.
  const shared = (train: Partial<TenantSpec>, serve: Partial<TenantSpec>) => platformApp('a100', GpuModel.NVIDIA_A100_80_GB, 4, [
    { name: 'train', cohort: 'shared', gpus: 16, ...train },
    { name: 'serve', cohort: 'shared', gpus: 16, ...serve },
  ]);

  beforeAll(async () => {
    const pools = [...solo(32, []).pools, ...shared({}, {}).pools];
    cluster = await SimCluster.start({
      pools,
      kueueConfig: { resources: { deviceClassMappings: [{ name: 'deviceclass.resource.kubernetes.io/gpu.nvidia.com', deviceClassNames: ['gpu.nvidia.com'] }] } },
    });
  }, SIM_TIMEOUT);

  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  test('a gang over its quota runs no worker; within quota all run; a second gang waits for the first to finish', async () => {
    // 4 workers x 8 GPUs = 32 against a quota of 24 (room for 3 of the 4 workers).
    await cluster.api.applyAll(solo(24, []).objects, GITOPS_MANAGER);
    const bigApp = solo(32, [{ name: 'big', workers: 4, gpus: 8 }]);
    const [big] = jobSetsOf(bigApp, 'solo');
    await cluster.api.applyAll(gangObjects(bigApp, big), GITOPS_MANAGER);
    const why = await expectNotAdmitted(cluster, big);
    expect(why).toMatch(/insufficient quota/i);

    // The platform team raises the quota to 32 (a GitOps change): the whole gang is admitted and all 4 run.
    await cluster.api.applyAll(platformObjects(bigApp), GITOPS_MANAGER);
    await expectAdmitted(cluster, big);
    await expectRunningOnPools(cluster, [big], 120_000);

    // A second gang that does not fit next to the first waits, and runs when the first finishes.
    const secondApp = solo(32, [{ name: 'second', workers: 2, gpus: 8 }]);
    const [second] = jobSetsOf(secondApp, 'solo');
    await cluster.api.applyAll(gangObjects(secondApp, second), GITOPS_MANAGER);
    await expectNotAdmitted(cluster, second);
    await finishJobSet(cluster, big);
    await expectAdmitted(cluster, second);
    await expectRunningOnPools(cluster, [second], 120_000);
    expect(expectedPods([second])[0].count).toBe(2);
  }, SIM_TIMEOUT);

  test('a tenant borrows an idle tenant\'s GPUs within its borrowing limit, never beyond', async () => {
    // train: 16 guaranteed + 8 borrowable. A 32-GPU gang is over quota plus borrowing: not admitted.
    await cluster.api.applyAll(shared({ borrowingLimit: 8 }, {}).objects, GITOPS_MANAGER);
    const hugeApp = shared({ borrowingLimit: 16, gangs: [{ name: 'huge', workers: 4, gpus: 8 }] }, {});
    const [huge] = jobSetsOf(hugeApp, 'train');
    await cluster.api.applyAll(gangObjects(hugeApp, huge), GITOPS_MANAGER);
    await expectNotAdmitted(cluster, huge);
    await cluster.api.delete('jobset.x-k8s.io/v1alpha2', 'JobSet', String(huge.metadata.name), 'train');

    // A 24-GPU gang borrows 8 of serve's idle GPUs and runs.
    const borrow = shared({ borrowingLimit: 8, gangs: [{ name: 'borrower', workers: 3, gpus: 8 }] }, {});
    const [borrower] = jobSetsOf(borrow, 'train');
    await cluster.api.applyAll(borrow.objects, GITOPS_MANAGER);
    await expectAdmitted(cluster, borrower);
    await expectRunningOnPools(cluster, [borrower], 120_000);
    await finishJobSet(cluster, borrower);
    await cluster.api.delete('jobset.x-k8s.io/v1alpha2', 'JobSet', String(borrower.metadata.name), 'train');
  }, SIM_TIMEOUT);

  test('GPUs a serving tenant is using are not lent to a training tenant', async () => {
    // serve runs 16 single-GPU model servers (all its guaranteed GPUs); train then asks for 24 (16 + 8 borrowed).
    const servingApp = shared({ borrowingLimit: 8 }, { servingReplicas: 16 });
    await cluster.api.applyAll(servingApp.objects, GITOPS_MANAGER);
    await expectRunningOnPools(cluster, servingApp.objects, 180_000);
    const serveQueue = servingApp.objects.find((o) => o.kind === 'ClusterQueue' && o.metadata.name === 'serve');
    const gpuFlavor = (serveQueue!.spec as any).resourceGroups[1].flavors[0].resources[0];
    expect(gpuFlavor.lendingLimit).toBe('0');
    const greedyApp = shared({ borrowingLimit: 8, gangs: [{ name: 'greedy', workers: 3, gpus: 8 }] }, {});
    const [greedy] = jobSetsOf(greedyApp, 'train');
    await cluster.api.applyAll(gangObjects(greedyApp, greedy), GITOPS_MANAGER);
    await expectNotAdmitted(cluster, greedy);
  }, SIM_TIMEOUT);
});
