/**
 * A RayJob gang with the real Kueue (v0.19.2, its RayJob integration and webhooks) and the real KubeRay operator on the
 * simulated cluster (issue 20): a gang over its tenant's quota stays suspended, reserves nothing, and the operator
 * creates nothing for it (no RayCluster, pod or submitter Job); when the quota holds it, Kueue admits the head, the
 * workers and the submitter as one workload, and the operator makes the RayCluster, its head and worker pods and the
 * submitter Job from our spec, which the scheduler places (the head and submitter on CPU nodes, one worker per H100
 * node, each worker's DRA claim allocated 8 GPUs) and kwok runs. It also checks what KubeRay adds to our templates
 * under Pod Security `restricted` (init container, probes, `ray start` flags) and that the RayJob's head Service,
 * the job's leaderAddress, selects the head pod; and an autoscaled RayCluster as a Kueue elastic job.
 *
 * The operator runs at v1.6.2 against the v1.7.0 CRDs of ../shared/crds/kuberay, the way LeaderWorkerSet runs at
 * v0.9.0 here: the Go module proxy refuses v1.7.0's source (403 on the zip, tools/simcluster/README.md) and serves
 * v1.6.2, the version Kueue v0.19.2 itself builds against. The v1.7.0 CRDs only add fields (networkPolicy, tlsOptions,
 * ingressOptions, historyServerOptions, GCS storage, autoscaler command/args, worker group priority) that the library
 * does not write, so the v1.6.2 operator reads every field of what we synthesize; it updates the RayJob with its own
 * types (finalizer), which would drop fields it does not know.
 */
import { Chart } from 'cdk8s';
import { profiledApp, synthesize, SynthesizedApp } from './apps';
import { SimCluster } from './cluster';
import { claimsAllocated, GITOPS_MANAGER, isReady } from './expectations';
import { POOL_LABEL } from './nodes';
import {
  AiTenant, ClusterAddon, GangScheduler, GangTrainingJob, GpuModel, GpuNodePool, GpuRequest, KubernetesVersion, RayCluster, TrainingBackend,
} from '../../src';
import { KubeObject } from '../harness/objects';

const SIM_TIMEOUT = 600_000;
const IMAGE = 'ghcr.io/acme/ray-trainer@sha256:' + 'e'.repeat(64);

/**
 * A pool of 4 H100 nodes, one tenant with `gpus` of them, and (optionally) a RayJob gang of 4 workers x 8 GPUs or an
 * autoscaled RayCluster of 1 to 3 workers x 8 GPUs.
 */
function rayApp(gpus: number, withJob: boolean, withElasticCluster = false): SynthesizedApp {
  const app = profiledApp(KubernetesVersion.V1_34, [ClusterAddon.KUBERAY]);
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

/** The RayClusters KubeRay made for a RayJob (named `<rayjob>-<suffix>`, owned by it). */
async function rayClustersOf(cluster: SimCluster, job: KubeObject): Promise<any[]> {
  const list = await cluster.api.list('ray.io/v1', 'RayCluster', String(job.metadata.namespace));
  return list.filter((c) => (c.metadata.ownerReferences ?? []).some((r: any) => r.kind === 'RayJob' && r.name === job.metadata.name));
}

async function suspended(cluster: SimCluster, job: KubeObject): Promise<boolean | undefined> {
  const live = await cluster.api.get('ray.io/v1', 'RayJob', String(job.metadata.name), String(job.metadata.namespace));
  return live?.spec?.suspend;
}

describe('a RayJob gang with the real Kueue and the real KubeRay operator (v1.6.2)', () => {
  let cluster: SimCluster;
  const within = rayApp(32, true);
  const rayJob = within.objects.find((o) => o.kind === 'RayJob')!;
  const ns = String(rayJob.metadata.namespace);

  beforeAll(async () => {
    cluster = await SimCluster.start({
      pools: within.pools, kuberay: true, kueueConfig: { resources: { deviceClassMappings: within.deviceClassMappings } },
    });
  }, SIM_TIMEOUT);

  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  test('over quota nothing is created; within quota Kueue admits every pod set at once and KubeRay runs them all', async () => {
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
    // All or nothing: the operator sees the suspended RayJob and creates no RayCluster, no pod, no submitter Job.
    for (const until = Date.now() + 8_000; Date.now() < until;) {
      expect({
        clusters: (await rayClustersOf(cluster, rayJob)).map((c) => c.metadata.name),
        pods: (await cluster.api.list('v1', 'Pod', ns)).map((p) => p.metadata.name),
        jobs: (await cluster.api.list('batch/v1', 'Job', ns)).map((j) => j.metadata.name),
      }).toEqual({ clusters: [], pods: [], jobs: [] });
      await new Promise((r) => setTimeout(r, 1_000));
    }

    // The platform team raises the quota to 32: the whole gang is admitted, KubeRay creates the cluster and its pods.
    const raised = Date.now();
    await cluster.api.applyAll(within.objects.filter((o) => !isJobObject(o, rayJob)), GITOPS_MANAGER);
    await cluster.waitFor('the RayJob admitted and unsuspended', async () => {
      const admitted = condition(await workloadOf(cluster, rayJob), 'Admitted')?.status === 'True';
      const state = await suspended(cluster, rayJob);
      // Kueue sets suspend to false, which the RayJob type omits when empty (rayjob_types.go `suspend,omitempty`).
      return admitted && !state || `admitted ${admitted}, suspend ${state}`;
    }, 60_000);
    const admittedMs = Date.now() - raised;
    let pods: any[] = [];
    await cluster.waitFor('the head, 4 workers and the submitter Running', async () => {
      pods = await cluster.api.list('v1', 'Pod', ns);
      const ready = pods.filter(isReady);
      return (ready.length === 6 && pods.length === 6)
        || `${ready.length}/${pods.length} ready: ${pods.map((p) => `${p.metadata.name} ${p.status?.phase}`).join(', ')}`;
    }, 180_000);
    const runningMs = Date.now() - raised;
    process.stdout.write(`RayJob gang: admitted ${admittedMs} ms, 6 pods Running ${runningMs} ms after the quota was raised\n`);

    // The operator made one RayCluster from our spec and ran it: head, workers, submitter (K8sJobMode).
    const [rc] = await rayClustersOf(cluster, rayJob);
    const live = await cluster.api.get('ray.io/v1', 'RayJob', String(rayJob.metadata.name), ns);
    expect({ state: rc?.status?.state, job: live.status.jobDeploymentStatus, cluster: live.status.rayClusterName })
      .toEqual({ state: 'ready', job: 'Running', cluster: rc.metadata.name });
    const nodes = new Map((await cluster.api.list('v1', 'Node')).map((n) => [n.metadata.name, n]));
    const poolOf = (p: any) => nodes.get(p.spec.nodeName)?.metadata.labels?.[POOL_LABEL] ?? 'cpu';
    const role = (p: any) => p.metadata.labels['ray.io/node-type'] ?? (p.metadata.labels['batch.kubernetes.io/job-name'] ? 'submitter' : '?');
    expect(pods.map((p) => [role(p), poolOf(p), p.metadata.labels['kueue.x-k8s.io/podset']]).sort()).toEqual([
      ['head', 'cpu', 'head'], ['submitter', 'cpu', 'submitter'],
      ...[0, 1, 2, 3].map(() => ['worker', 'h100', 'workers']),
    ]);
    const workers = pods.filter((p) => role(p) === 'worker');
    expect(new Set(workers.map((p) => p.spec.nodeName)).size).toBe(4);
    // Each worker's claim from our template is allocated 8 H100s on the worker's own node by the real scheduler.
    const devices = await claimsAllocated(cluster, within.objects, 60_000);
    const byNode = new Map<string, number>();
    devices.forEach((d) => byNode.set(d.node, (byNode.get(d.node) ?? 0) + 1));
    expect([...byNode.values()]).toEqual([8, 8, 8, 8]);
    expect(new Set(devices.map((d) => d.attributes.productName))).toEqual(new Set(['NVIDIA H100 80GB HBM3']));
    expect(new Set(workers.map((p) => p.spec.nodeName))).toEqual(new Set(byNode.keys()));

    // What KubeRay added to our templates, under the namespace's Pod Security `restricted` (the apiserver admitted
    // every pod): the workers' init container waiting for GCS copies the Ray container's security context; the probes
    // it injects use the dashboard agent port our containers declare; Ray gets its GPUs from our rayStartParams, since
    // KubeRay counts no DRA claims (its desiredGPU is 0).
    expect((await cluster.api.get('v1', 'Namespace', ns)).metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    const worker = workers[0];
    const [init] = worker.spec.initContainers;
    const rayContainer = worker.spec.containers[0];
    expect({
      init: init.name,
      initSecurity: init.securityContext,
      probePort: rayContainer.readinessProbe.exec.command.join(' ').match(/localhost:(\d+)/)?.[1],
      declared: rayContainer.ports.map((p: any) => p.containerPort),
      start: rayContainer.args[0].match(/--num-gpus=\d+/)?.[0],
      desiredGPU: rc.status.desiredGPU,
      token: worker.spec.automountServiceAccountToken,
    }).toEqual({
      init: 'wait-gcs-ready',
      initSecurity: rayContainer.securityContext,
      probePort: '52365',
      declared: [52365, 8080],
      start: '--num-gpus=8',
      desiredGPU: '0',
      token: false,
    });
    // The RayJob's own head Service, the job's leaderAddress (`<rayjob>-head-svc`, stable across retries), selects the
    // head pod: KubeRay selects it by `app.kubernetes.io/name: kuberay` (common/job.go BuildHeadServiceForRayJob builds
    // the selector without the template's labels), so the head template keeps KubeRay's value of that label; the
    // cluster's own head Service selects by the template's. (Checked on the selectors: kwok's loopback pod IPs are not
    // valid EndpointSlice addresses, so the slices stay empty here.)
    const head = pods.find((p) => role(p) === 'head');
    const selects = async (service: string) => {
      const selector = (await cluster.api.get('v1', 'Service', service, ns))?.spec?.selector ?? { missing: service };
      return Object.entries(selector).every(([k, v]) => head.metadata.labels[k] === v) || `${service} selects ${JSON.stringify(selector)}`;
    };
    expect([await selects(`${rayJob.metadata.name}-head-svc`), await selects(`${rc.metadata.name}-head-svc`)]).toEqual([true, true]);
    expect(live.status.dashboardURL).toBe(`${rc.metadata.name}-head-svc.${ns}.svc.cluster.local:8265`);
    const submitter = pods.find((p) => role(p) === 'submitter');
    expect(submitter.spec.containers[0].args[0]).toContain(`ray job submit --address http://${rc.metadata.name}-head-svc.${ns}.svc.cluster.local:8265`);
    expect(submitter.spec.containers[0].args[0]).toContain('-- python finetune.py');

    // A server-side re-apply of the running job conflicts on the worker group, and only there: Kueue wrote its labels,
    // annotation and the flavor's node selector into every pod template on admission, and the RayJob CRD keeps
    // workerGroupSpecs as one atomic list (no x-kubernetes-list-type, v1.6.2 and v1.7.0), so Kueue owns all of it; the
    // head and submitter templates are maps, where Kueue owns only its own keys. (TrainingBackend.rayJob() says so.)
    const reapplied = await cluster.api.apply(rayJob, GITOPS_MANAGER);
    expect({ status: reapplied.status, message: reapplied.message }).toEqual({
      status: 409,
      message: 'Apply failed with 1 conflict: conflict with "kueue" using ray.io/v1: .spec.rayClusterSpec.workerGroupSpecs',
    });
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
    // Free the quota the running RayJob holds (kwok never ends its pods, so the job would run forever); the operator
    // removes its finalizer, and Kueue the Workload.
    await cluster.api.delete('ray.io/v1', 'RayJob', String(rayJob.metadata.name), String(rayJob.metadata.namespace));
    await cluster.waitFor('the RayJob\'s Workload gone', async () => (await workloadOf(cluster, rayJob)) === undefined || 'still there', 60_000);
    const elastic = rayApp(32, false, true);
    const lab = elastic.objects.find((o) => o.kind === 'RayCluster')!;
    const labNs = String(lab.metadata.namespace);
    const slices = async () => (await cluster.api.list('kueue.x-k8s.io/v1beta2', 'Workload', labNs))
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
    const live = await cluster.api.get('ray.io/v1', 'RayCluster', String(lab.metadata.name), labNs);
    const grown = {
      apiVersion: lab.apiVersion,
      kind: lab.kind,
      metadata: { name: lab.metadata.name, namespace: labNs },
      spec: { ...live.spec, workerGroupSpecs: live.spec.workerGroupSpecs.map((g: any) => ({ ...g, replicas: 3 })) },
    };
    const applied = await cluster.api.apply(grown as KubeObject, 'ray-autoscaler', { force: true });
    expect(applied.message).toBeUndefined();
    await cluster.waitFor('the scale-up admitted as a slice of 3 workers', async () => {
      const workers = await admittedWorkers();
      return (workers.length === 1 && workers[0] === 3) || `admitted slices' workers: ${JSON.stringify(workers)}`;
    }, 60_000);
    // KubeRay runs the cluster at each admitted size: the head with its autoscaler sidecar, and 3 workers once the
    // slice of 3 is admitted.
    let pods: any[] = [];
    await cluster.waitFor('the head and 3 workers of the RayCluster Running', async () => {
      pods = await cluster.api.list('v1', 'Pod', labNs, `ray.io/cluster=${lab.metadata.name}`);
      const ready = pods.filter(isReady);
      return (ready.length === 4 && pods.length === 4) || `${ready.length}/${pods.length} ready`;
    }, 120_000);
    const head = pods.find((p) => p.metadata.labels['ray.io/node-type'] === 'head');
    expect(pods.filter((p) => p.metadata.labels['ray.io/node-type'] === 'worker')).toHaveLength(3);
    const autoscaler = head.spec.containers.find((c: any) => c.name === 'autoscaler');
    // The sidecar KubeRay adds takes the restricted security context and scratch volume of our autoscalerOptions.
    expect({ security: autoscaler.securityContext, home: autoscaler.env.find((e: any) => e.name === 'HOME')?.value })
      .toEqual({ security: head.spec.containers[0].securityContext, home: '/tmp' });
    // The autoscaler's identity is KubeRay's (common/rbac.go): a ServiceAccount named after the cluster, with its Role
    // bound, which the head runs as with its token mounted (the library leaves serviceAccountName unset).
    const sa = await cluster.api.get('v1', 'ServiceAccount', String(lab.metadata.name), labNs);
    const binding = await cluster.api.get('rbac.authorization.k8s.io/v1', 'RoleBinding', String(lab.metadata.name), labNs);
    expect({
      account: head.spec.serviceAccountName,
      token: head.spec.automountServiceAccountToken,
      owner: sa?.metadata.ownerReferences?.[0]?.kind,
      role: binding?.roleRef?.name,
      subject: binding?.subjects?.[0]?.name,
    }).toEqual({ account: lab.metadata.name, token: true, owner: 'RayCluster', role: lab.metadata.name, subject: lab.metadata.name });
  }, SIM_TIMEOUT);
});
