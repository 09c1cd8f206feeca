/**
 * A RayJob gang with the real Kueue (v0.19.2, its RayJob integration and webhooks) on the simulated cluster: a gang
 * over its tenant's quota stays suspended and reserves nothing; when the quota holds it, Kueue admits the head, the
 * workers and the submitter as one workload and unsuspends the RayJob.
 *
 * Without the KubeRay operator: the Go module proxy refuses its source (tools/simcluster/README.md), so nothing here
 * turns an admitted RayJob into a RayCluster and pods. What runs is Kueue's side of the gang, on the objects as
 * synthesized: its webhook (which suspends the RayJob, and refuses a queued one that keeps its cluster or autoscales,
 * as the library does at synth), its quota accounting of every pod set at once, and the workload slices of an
 * autoscaled RayCluster (a Kueue elastic job) as its replicas grow.
 */
import { App, Chart } from 'cdk8s';
import { synthesize, SynthesizedApp } from './apps';
import { SimCluster } from './cluster';
import { GITOPS_MANAGER } from './expectations';
import {
  AiTenant, ClusterAddon, ClusterProfile, GangScheduler, GangTrainingJob, GpuModel, GpuNodePool, GpuRequest, KubernetesVersion,
  RayCluster, TrainingBackend,
} from '../../src';
import { KubeObject } from '../harness/objects';

const SIM_TIMEOUT = 600_000;
const IMAGE = 'ghcr.io/acme/ray-trainer@sha256:' + 'e'.repeat(64);

/**
 * A pool of 4 H100 nodes, one tenant with `gpus` of them, and (optionally) a RayJob gang of 4 workers x 8 GPUs or an
 * autoscaled RayCluster of 1 to 3 workers x 8 GPUs.
 */
function rayApp(gpus: number, withJob: boolean, withElasticCluster = false): SynthesizedApp {
  const app = new App();
  new ClusterProfile(app, 'Cluster', { kubernetesVersion: KubernetesVersion.V1_34, addons: [...ClusterAddon.defaults(), ClusterAddon.KUBERAY] });
  const chart = new Chart(app, 'ray', { disableResourceNameHashes: true });
  const pool = new GpuNodePool(chart, 'h100', { name: 'h100', gpu: GpuModel.NVIDIA_H100_80_GB, gpusPerNode: 8, maxNodes: 4 });
  const tenant = new AiTenant(chart, 'ray', {
    team: 'ray',
    owner: 'sim',
    costCenter: 'cc-sim',
    gpuQuota: [{ pool, gpus, borrowingLimit: 0 }],
    fairShare: { cohort: 'ray' },
    apiServer: { cidrs: ['10.0.0.1/32'] },
  });
  if (withJob) {
    new GangTrainingJob(tenant, 'finetune', {
      image: IMAGE,
      command: ['python', 'finetune.py'],
      workers: 4,
      gpusPerWorker: GpuRequest.of(8, { model: GpuModel.NVIDIA_H100_80_GB }),
      nodePool: pool,
      backend: TrainingBackend.rayJob(),
      scheduler: GangScheduler.kueue({ queue: tenant.queueName }),
    });
  }
  if (withElasticCluster) {
    new RayCluster(tenant, 'lab', {
      image: 'rayproject/ray:2.52.0-py312-gpu',
      minWorkers: 1,
      maxWorkers: 3,
      gpusPerWorker: GpuRequest.of(8, { model: GpuModel.NVIDIA_H100_80_GB }),
      nodePool: pool,
      scheduler: GangScheduler.kueue({ queue: tenant.queueName }),
    });
  }
  return synthesize(app);
}

const isJobObject = (o: KubeObject, job: KubeObject) => o.metadata.namespace === job.metadata.namespace
  && (o.metadata.labels as any)?.['app.kubernetes.io/instance'] === job.metadata.name;

async function workloadOf(cluster: SimCluster, job: KubeObject): Promise<any | undefined> {
  const wls = await cluster.api.list('kueue.x-k8s.io/v1beta2', 'Workload', String(job.metadata.namespace));
  return wls.find((w) => (w.metadata.ownerReferences ?? []).some((r: any) => r.kind === 'RayJob' && r.name === job.metadata.name));
}

const condition = (obj: any, type: string) => (obj?.status?.conditions ?? []).find((c: any) => c.type === type);

async function suspended(cluster: SimCluster, job: KubeObject): Promise<boolean | undefined> {
  const live = await cluster.api.get('ray.io/v1', 'RayJob', String(job.metadata.name), String(job.metadata.namespace));
  return live?.spec?.suspend;
}

describe('a RayJob gang with the real Kueue (no KubeRay operator)', () => {
  let cluster: SimCluster;
  const within = rayApp(32, true);
  const rayJob = within.objects.find((o) => o.kind === 'RayJob')!;

  beforeAll(async () => {
    cluster = await SimCluster.start({ pools: within.pools, kueueConfig: { resources: { deviceClassMappings: within.deviceClassMappings } } });
  }, SIM_TIMEOUT);

  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  test('over quota it stays suspended and reserves nothing; within quota Kueue admits every pod set at once', async () => {
    // The tenant has 24 GPUs; the gang needs 4 x 8 = 32 (the job comes from the app whose quota holds it, as a
    // team's pipeline submits it).
    await cluster.api.applyAll(rayApp(24, false).objects, GITOPS_MANAGER);
    await cluster.api.applyAll(within.objects.filter((o) => isJobObject(o, rayJob)), GITOPS_MANAGER);
    let message = '';
    await cluster.waitFor('the RayJob\'s Workload evaluated by Kueue', async () => {
      const wl = await workloadOf(cluster, rayJob);
      const reserved = condition(wl, 'QuotaReserved');
      message = reserved?.message ?? '';
      return reserved?.status === 'False' && reserved.reason === 'Pending' || `Workload ${wl ? JSON.stringify(wl.status?.conditions) : 'not created'}`;
    }, 60_000);
    expect(message).toMatch(/insufficient quota/i);
    // Kueue's webhook suspended it on creation (the manifest does not) and keeps it so while it waits.
    expect(await suspended(cluster, rayJob)).toBe(true);
    const wl = await workloadOf(cluster, rayJob);
    expect(wl.spec.podSets.map((p: any) => [p.name, p.count])).toEqual([['head', 1], ['workers', 4], ['submitter', 1]]);

    // The platform team raises the quota to 32: the whole gang is admitted and KubeRay may create the cluster.
    await cluster.api.applyAll(within.objects.filter((o) => !isJobObject(o, rayJob)), GITOPS_MANAGER);
    await cluster.waitFor('the RayJob admitted and unsuspended', async () => {
      const admitted = condition(await workloadOf(cluster, rayJob), 'Admitted')?.status === 'True';
      const state = await suspended(cluster, rayJob);
      // Kueue sets suspend to false, which the RayJob type omits when empty (rayjob_types.go `suspend,omitempty`).
      return admitted && !state || `admitted ${admitted}, suspend ${state}`;
    }, 60_000);
  }, SIM_TIMEOUT);

  test('Kueue\'s webhook refuses the queued RayJobs the library refuses at synth: a cluster kept after the job, autoscaling', async () => {
    const variant = (name: string, spec: (s: any) => any): KubeObject => ({
      ...rayJob,
      metadata: { ...rayJob.metadata, name },
      spec: spec(rayJob.spec),
    });
    const kept = await cluster.api.apply(variant('kept', (s) => ({ ...s, shutdownAfterJobFinishes: false })), GITOPS_MANAGER);
    expect(kept.status).toBe(403);
    expect(kept.message).toContain('spec.shutdownAfterJobFinishes: Invalid value: false: a kueue managed job should delete the cluster after finishing');
    const scaled = await cluster.api.apply(variant('scaled', (s) => ({ ...s, rayClusterSpec: { ...s.rayClusterSpec, enableInTreeAutoscaling: true } })), GITOPS_MANAGER);
    expect(scaled.status).toBe(403);
    expect(scaled.message).toContain('a kueue managed job should only use autoscaling when workload slicing is enabled');
  }, SIM_TIMEOUT);

  test('an autoscaled RayCluster is a Kueue elastic job: admitted at its size, each scale-up admitted as a new slice', async () => {
    // Free the quota the admitted RayJob holds (no operator runs it to the end).
    await cluster.api.delete('ray.io/v1', 'RayJob', String(rayJob.metadata.name), String(rayJob.metadata.namespace));
    await cluster.waitFor('the RayJob\'s Workload gone', async () => (await workloadOf(cluster, rayJob)) === undefined || 'still there', 60_000);
    const elastic = rayApp(32, false, true);
    const lab = elastic.objects.find((o) => o.kind === 'RayCluster')!;
    const ns = String(lab.metadata.namespace);
    const slices = async () => (await cluster.api.list('kueue.x-k8s.io/v1beta2', 'Workload', ns))
      .filter((w) => (w.metadata.ownerReferences ?? []).some((r: any) => r.kind === 'RayCluster' && r.name === lab.metadata.name));
    const admittedWorkers = async () => (await slices())
      .filter((w) => condition(w, 'Admitted')?.status === 'True' && condition(w, 'Finished')?.status !== 'True')
      .map((w) => w.spec.podSets.find((p: any) => p.name === 'workers')?.count);

    // Without the elastic-job annotation Kueue's webhook refuses the autoscaled cluster, as it did before the library set it.
    const plain = { ...lab, metadata: { ...lab.metadata, name: 'plain', annotations: {} } };
    const refused = await cluster.api.apply(plain, GITOPS_MANAGER);
    expect(refused.status).toBe(403);
    expect(refused.message).toContain('a kueue-managed RayCluster can use autoscaling only as an elastic job');

    await cluster.api.applyAll(elastic.objects.filter((o) => (o.metadata.labels as any)?.['app.kubernetes.io/instance'] === lab.metadata.name), GITOPS_MANAGER);
    await cluster.waitFor('the RayCluster admitted at 1 worker', async () => {
      const workers = await admittedWorkers();
      return (workers.length === 1 && workers[0] === 1) || `admitted slices' workers: ${JSON.stringify(workers)}`;
    }, 60_000);

    // The Ray autoscaler asks for 3 workers (it writes replicas); Kueue admits the new size as a slice replacing the old.
    const live = await cluster.api.get('ray.io/v1', 'RayCluster', String(lab.metadata.name), ns);
    const grown = {
      apiVersion: lab.apiVersion,
      kind: lab.kind,
      metadata: { name: lab.metadata.name, namespace: ns },
      spec: { ...live.spec, workerGroupSpecs: live.spec.workerGroupSpecs.map((g: any) => ({ ...g, replicas: 3 })) },
    };
    const applied = await cluster.api.apply(grown as KubeObject, 'ray-autoscaler', { force: true });
    expect(applied.message).toBeUndefined();
    await cluster.waitFor('the scale-up admitted as a slice of 3 workers', async () => {
      const workers = await admittedWorkers();
      return (workers.length === 1 && workers[0] === 3) || `admitted slices' workers: ${JSON.stringify(workers)}`;
    }, 60_000);
  }, SIM_TIMEOUT);
});
