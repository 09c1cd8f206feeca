/**
 * ProvisioningRequest admission with the real Kueue on the simulated cluster (issue 20). A gang on a cluster-autoscaler
 * pool reserves its quota, then waits for Kueue's ProvisioningRequest: no worker runs until the autoscaler reports the
 * request Provisioned (the test plays cluster-autoscaler's part on the status, the only part no Go module here runs);
 * a Failed request is retried with the pool's backoff; a gang of the same tenant on a pool without the check starts on
 * quota alone.
 */
import { App, Chart, Duration } from 'cdk8s';
import { synthesize, SynthesizedApp } from './apps';
import { SimCluster } from './cluster';
import { expectRunningOnPools, GITOPS_MANAGER } from './expectations';
import {
  AiTenant, ClusterAddon, ClusterProfile, GangScheduler, GangTrainingJob, GpuModel, GpuNodePool, GpuRequest, KubernetesVersion,
  NodeProvisioner, TrainingBackend,
} from '../../src';
import { KubeObject } from '../harness/objects';

const SIM_TIMEOUT = 600_000;
const IMAGE = 'ghcr.io/acme/train@sha256:' + 'c'.repeat(64);
const NS = 'research';
const PR_API = 'autoscaling.x-k8s.io/v1';
const CLASS = 'best-effort-atomic-scale-up.autoscaling.x-k8s.io';

function provisioningApp(): SynthesizedApp {
  const app = new App();
  new ClusterProfile(app, 'Cluster', {
    kubernetesVersion: KubernetesVersion.V1_34,
    addons: [...ClusterAddon.defaults(), ClusterAddon.CLUSTER_AUTOSCALER],
  });
  const chart = new Chart(app, 'platform', { disableResourceNameHashes: true });
  const scaled = new GpuNodePool(chart, 'scaled', {
    name: 'scaled',
    gpu: GpuModel.NVIDIA_H100_80_GB,
    gpusPerNode: 8,
    maxNodes: 4,
    provisioner: NodeProvisioner.clusterAutoscaler({ retryBackoff: Duration.seconds(1), maxRetryBackoff: Duration.seconds(2) }),
  });
  const fixed = new GpuNodePool(chart, 'fixed', { name: 'fixed', gpu: GpuModel.NVIDIA_L4, gpusPerNode: 4, maxNodes: 1 });
  const tenant = new AiTenant(chart, NS, {
    team: NS,
    owner: 'sim',
    costCenter: 'cc-sim',
    gpuQuota: [{ pool: scaled, gpus: 32 }, { pool: fixed, gpus: 4 }],
    apiServer: { cidrs: ['10.0.0.1/32'] },
  });
  const gang = (id: string, pool: GpuNodePool, gpus: number) => new GangTrainingJob(tenant, id, {
    image: IMAGE,
    command: ['train.py'],
    workers: 2,
    gpusPerWorker: GpuRequest.of(gpus, { model: pool.gpu }),
    nodePool: pool,
    backend: TrainingBackend.jobSet(),
    scheduler: GangScheduler.kueue({ queue: tenant.queueName }),
  });
  gang('pretrain', scaled, 8);
  gang('retry', scaled, 8);
  gang('finetune', fixed, 2);
  return synthesize(app);
}

const condition = (obj: any, type: string) => (obj?.status?.conditions ?? []).find((c: any) => c.type === type);

describe('ProvisioningRequest admission with the real Kueue', () => {
  let cluster: SimCluster;
  let out: SynthesizedApp;
  // Named from their path below the chart: <tenant>-<id>.
  /** A gang's objects (named `<tenant>-<id>`, from their path below the chart), its JobSet among them. */
  const gangObjects = (name: string): KubeObject[] => {
    const objects = out.objects.filter((o) => (o.metadata.labels as any)?.['app.kubernetes.io/instance'] === name);
    if (!objects.some((o) => o.kind === 'JobSet')) throw new Error(`no JobSet ${name} in the app`);
    return objects;
  };

  async function workloadOf(name: string): Promise<any | undefined> {
    const wls = await cluster.api.list('kueue.x-k8s.io/v1beta2', 'Workload', NS);
    return wls.find((w) => (w.metadata.ownerReferences ?? []).some((r: any) => r.kind === 'JobSet' && r.name === name));
  }

  async function requestsOf(name: string): Promise<any[]> {
    const wl = await workloadOf(name);
    if (!wl) return [];
    return (await cluster.api.list(PR_API, 'ProvisioningRequest', NS)).filter((pr) => pr.metadata.name.startsWith(`${wl.metadata.name}-`));
  }

  async function waitForRequest(name: string, attempt: number): Promise<any> {
    let found: any;
    await cluster.waitFor(`ProvisioningRequest ${attempt} of ${name}`, async () => {
      found = (await requestsOf(name)).find((pr) => pr.metadata.name.endsWith(`-${attempt}`));
      return found ? true : `none yet; Workload ${JSON.stringify((await workloadOf(name))?.status ?? 'not created')}`;
    }, 90_000);
    return found;
  }

  async function expectNoWorkers(name: string, settleMs = 5_000): Promise<void> {
    const until = Date.now() + settleMs;
    while (Date.now() < until) {
      const pods = await cluster.api.list('v1', 'Pod', NS, `jobset.sigs.k8s.io/jobset-name=${name}`);
      expect({ name, pods: pods.length, admitted: condition(await workloadOf(name), 'Admitted')?.status ?? 'False' })
        .toEqual({ name, pods: 0, admitted: 'False' });
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }

  const autoscalerSays = (pr: any, type: 'Provisioned' | 'Failed') => cluster.api.patchStatus(PR_API, 'ProvisioningRequest', pr.metadata.name, NS, {
    conditions: [
      { type: 'Accepted', status: 'True', reason: 'Accepted', message: 'sim', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') },
      { type, status: 'True', reason: type, message: 'sim', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') },
    ],
  });

  beforeAll(async () => {
    out = provisioningApp();
    cluster = await SimCluster.start({ pools: out.pools, kueueConfig: { resources: { deviceClassMappings: out.deviceClassMappings } } });
    const gangs = new Set(['research-pretrain', 'research-retry', 'research-finetune']);
    await cluster.api.applyAll(out.objects.filter((o) => !gangs.has((o.metadata.labels as any)?.['app.kubernetes.io/instance'])), GITOPS_MANAGER);
    await cluster.waitFor('the ClusterQueue active with its admission check', async () => {
      const cq = await cluster.api.get('kueue.x-k8s.io/v1beta2', 'ClusterQueue', NS);
      return condition(cq, 'Active')?.status === 'True' || JSON.stringify(cq?.status?.conditions ?? []);
    }, 60_000);
  }, SIM_TIMEOUT);

  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  test('the gang on the autoscaled pool waits for its ProvisioningRequest, then starts whole', async () => {
    await cluster.api.applyAll(gangObjects('research-pretrain'), GITOPS_MANAGER);
    const pr = await waitForRequest('research-pretrain', 1);
    expect({
      class: pr.spec.provisioningClassName,
      pods: pr.spec.podSets.reduce((n: number, s: any) => n + s.count, 0),
    }).toEqual({ class: CLASS, pods: 2 });
    await expectNoWorkers('research-pretrain');

    await autoscalerSays(pr, 'Provisioned');
    // The pods carry the request they consume, so the autoscaler does not scale up for them again (read while they
    // exist: the simulated workers finish and the finished JobSet is cleaned up).
    let annotations: any[] = [];
    await cluster.waitFor('the gang\'s two pods', async () => {
      const pods = await cluster.api.list('v1', 'Pod', NS, 'jobset.sigs.k8s.io/jobset-name=research-pretrain');
      annotations = pods.map((p) => ({
        consumes: p.metadata.annotations?.['autoscaling.x-k8s.io/consume-provisioning-request'],
        class: p.metadata.annotations?.['autoscaling.x-k8s.io/provisioning-class-name'],
        node: String(p.spec.nodeName ?? '').startsWith('scaled-') ? 'scaled' : p.spec.nodeName,
      }));
      return (pods.length === 2 && pods.every((p) => p.spec.nodeName)) || `${pods.length} pod(s)`;
    }, 120_000);
    expect(annotations).toEqual([
      { consumes: pr.metadata.name, class: CLASS, node: 'scaled' },
      { consumes: pr.metadata.name, class: CLASS, node: 'scaled' },
    ]);
  }, SIM_TIMEOUT);

  test('a failed request is asked again after the pool\'s backoff; the gang stays out meanwhile', async () => {
    await cluster.api.applyAll(gangObjects('research-retry'), GITOPS_MANAGER);
    const first = await waitForRequest('research-retry', 1);
    await autoscalerSays(first, 'Failed');
    await waitForRequest('research-retry', 2);
    await expectNoWorkers('research-retry', 2_000);
  }, SIM_TIMEOUT);

  test('the same tenant\'s gang on a pool without the check starts on quota alone', async () => {
    await cluster.api.applyAll(gangObjects('research-finetune'), GITOPS_MANAGER);
    await expectRunningOnPools(cluster, gangObjects('research-finetune'), 120_000);
    expect(await requestsOf('research-finetune')).toEqual([]);
  }, SIM_TIMEOUT);
});

