// Property: the training shapes of issue 20 (a RayJob gang, the RayCluster construct, Kueue topology-aware gangs on a
// pool with topologyLevels, and DRA NICs per worker) synthesize for every generated valid prop set, and the apiserver
// accepts every object plus the pods (or worker Job) their controllers create, nothing dropped. Kept apart from
// properties.apiserver.test.ts, which would pass 400 lines.
import { Chart, Duration, Size } from 'cdk8s';
import * as fc from 'fast-check';
import { Env, IMAGE, TRAINING_ADDONS, appFor, find, podTemplateOf, synth, workerJob, workloadObjects } from './fixtures';
import { rayPods, submitterJob } from './kuberay-objects';
import { GpuModel } from '../../src/accelerators/gpu-model';
import { GpuNodePool } from '../../src/accelerators/gpu-node-pool';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { NicRequest } from '../../src/accelerators/nic-request';
import { ClusterAddon } from '../../src/cluster/cluster-addon';
import { GpuAllocation } from '../../src/cluster/cluster-profile';
import { warnings } from '../../src/cluster/platform-warnings';
import { AiTenant } from '../../src/platform/ai-tenant';
import { GangScheduler } from '../../src/training/gang-scheduler';
import { GangTopology } from '../../src/training/gang-topology';
import { GangTrainingJob } from '../../src/training/gang-training-job';
import { RayCluster } from '../../src/training/ray-cluster';
import { RaySubmissionMode, TrainingBackend } from '../../src/training/training-backend';
import { TrainingLauncher } from '../../src/training/training-launcher';
import { TrainingVolume } from '../../src/training/training-volume';
import { KubeObject, checkProperty } from '../harness';

/** Runs per shape and environment, as in properties.apiserver.test.ts (200). */
const RUNS = 200;
const RAY_IMAGE = 'rayproject/ray@sha256:' + 'a'.repeat(64);
const MODELS = [GpuModel.NVIDIA_H100_80_GB, GpuModel.NVIDIA_A100_80_GB, GpuModel.NVIDIA_L4];
const BLOCK = 'example.com/block';
const RACK = 'example.com/rack';
const HOSTNAME = 'kubernetes.io/hostname';
const KUEUE_NIC_WARNING = 'has no resources.deviceClassMappings entry';

const label = fc.stringMatching(/^[a-z]([-a-z0-9]{0,18}[a-z0-9])?$/);
const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const envVars = fc.dictionary(fc.stringMatching(/^[A-Z][A-Z0-9_]{0,15}$/).filter((n) => n !== 'HOME'), fc.string({ maxLength: 24 }), { maxKeys: 3 });
/** Words that survive KubeRay's two shells (ray-pods.ts SAFE_WORD). */
const word = fc.stringMatching(/^[A-Za-z0-9_@%+=:,./-]{1,12}$/);
const labelValue = fc.stringMatching(/^[a-zA-Z0-9]([-a-zA-Z0-9_.]{0,20}[a-zA-Z0-9])?$/);
const labelKey = fc.tuple(opt(fc.constantFrom('example.com', 'acme.io')), label).map(([p, n]) => (p ? `${p}/${n}` : n));
const tenant = fc.option(fc.constantFrom('research', 'team-b'), { nil: null });
const gpus = fc.record({ count: fc.integer({ min: 1, max: 8 }), model: opt(fc.constantFrom(...MODELS)), pool: fc.boolean() });
const head = fc.record({ cpuMillis: opt(fc.integer({ min: 100, max: 16_000 })), memoryGi: opt(fc.integer({ min: 1, max: 64 })) });
const rayVersion = opt(fc.constantFrom('2.52.0', '2.9'));

type GpuValue = { count: number; model?: GpuModel; pool: boolean };

/** The nodes `workers` pods of `count` GPUs need on nodes of `nodeGpus`. */
const nodesFor = (workers: number, count: number, nodeGpus: number) => Math.ceil(workers / Math.floor(nodeGpus / count));

/**
 * A chart in a plain namespace, or an AiTenant (default-deny, its own queue) in a chart without one; and the GPU
 * request and pool of the workers. A tenant counts every GPU against a pool's quota, so its GPU workers always get a
 * pool, with quota for all of it.
 */
function placement(env: Env, tenantName: string | null, g: GpuValue | undefined, workers: number, extended = false) {
  const fixture = appFor(env, { addons: [...TRAINING_ADDONS, ClusterAddon.KUBERAY] }, tenantName === null ? 'training' : null);
  let request: GpuRequest | undefined;
  let pool: GpuNodePool | undefined;
  if (g) {
    const withPool = g.pool || tenantName !== null;
    const model = g.model ?? (withPool ? GpuModel.NVIDIA_H100_80_GB : undefined);
    const nodeGpus = model?.maxGpusPerNode ?? 8;
    const count = Math.min(g.count, nodeGpus);
    request = GpuRequest.of(count, { model, asExtendedResource: extended });
    if (withPool) pool = new GpuNodePool(fixture.chart, 'pool', { gpu: model!, gpusPerNode: nodeGpus, maxNodes: nodesFor(workers, count, nodeGpus) });
  }
  if (tenantName === null) return { fixture, scope: fixture.chart as Chart | AiTenant, queue: 'research', request, pool };
  const t = new AiTenant(fixture.chart, tenantName, {
    team: 'ml',
    owner: 'alice',
    costCenter: 'cc-1',
    apiServer: { cidrs: ['10.0.0.1/32'] },
    gpuQuota: pool ? [{ pool, gpus: pool.gpusPerNode * pool.maxNodes }] : undefined,
  });
  return { fixture, scope: t as Chart | AiTenant, queue: t.queueName, request, pool };
}

function fail(message: string): never {
  throw new Error(`invariant: ${message}`);
}

// ---- TrainingBackend.rayJob(): always Kueue (the only scheduler KubeRay's RayJob gang accepts), in a plain
// namespace or an AiTenant's queue.
const rayJobArbitrary = (env: Env) => fc.record({
  id: fc.stringMatching(/^[a-z][a-z0-9-]{0,30}$/),
  tenant,
  workers: fc.integer({ min: 1, max: 16 }),
  gpus: opt(gpus),
  extended: env === 'latest' ? fc.boolean() : fc.constant(false),
  head,
  mode: opt(fc.constantFrom(RaySubmissionMode.K8S_JOB, RaySubmissionMode.HTTP)),
  rayVersion,
  args: fc.array(word, { maxLength: 3 }),
  env: envVars,
  checkpoints: opt(label),
  shmGi: opt(fc.integer({ min: 1, max: 64 })),
  maxRestarts: opt(fc.integer({ min: 0, max: 10 })),
  maxRuntimeSeconds: opt(fc.integer({ min: 1, max: 1_000_000 })),
  ttlSeconds: opt(fc.integer({ min: 0, max: 1_000_000 })),
  priority: opt(label),
  name: opt(fc.stringMatching(/^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/)),
});

function buildRayJob(env: Env, v: RayJobValue): KubeObject[] {
  // Extended-resource GPUs in a tenant too: the pool's quota keys include the vendor's extended resource (they once
  // listed it only for a pool DeviceClass, and the tenant refused what its gpuQuota entry covers).
  const { fixture, scope, queue, request, pool } = placement(env, v.tenant, v.gpus, v.workers, v.extended);
  const job = new GangTrainingJob(scope, v.id, {
    image: RAY_IMAGE,
    command: ['python', 'train.py'],
    args: v.args,
    workers: v.workers,
    gpusPerWorker: request,
    nodePool: pool,
    scheduler: GangScheduler.kueue({ queue, priorityClass: v.priority }),
    backend: TrainingBackend.rayJob({
      headCpu: v.head.cpuMillis === undefined ? undefined : v.head.cpuMillis / 1000,
      headMemory: v.head.memoryGi === undefined ? undefined : Size.gibibytes(v.head.memoryGi),
      submissionMode: v.mode,
      rayVersion: v.rayVersion,
    }),
    launcher: v.args.length % 2 === 0 ? TrainingLauncher.raw() : undefined,
    env: v.env,
    checkpoints: v.checkpoints ? TrainingVolume.fromClaim(v.checkpoints) : undefined,
    sharedMemorySize: v.shmGi === undefined ? undefined : Size.gibibytes(v.shmGi),
    maxRestarts: v.maxRestarts,
    maxRuntime: v.maxRuntimeSeconds === undefined ? undefined : Duration.seconds(v.maxRuntimeSeconds),
    ttlAfterFinished: v.ttlSeconds === undefined ? undefined : Duration.seconds(v.ttlSeconds),
    name: v.name,
  });
  const objects = synth(fixture);
  const rayJob = find(objects, 'RayJob', 'ray.io/v1') as any;
  const group = rayJob.spec.rayClusterSpec.workerGroupSpecs[0];
  if (group.replicas !== v.workers || group.minReplicas !== v.workers || group.maxReplicas !== v.workers) fail('a RayJob gang has a fixed size');
  if (rayJob.spec.shutdownAfterJobFinishes !== true) fail('Kueue needs the cluster deleted when the job ends');
  if (rayJob.metadata.labels['kueue.x-k8s.io/queue-name'] !== queue) fail('the RayJob is queued');
  if ((v.mode === RaySubmissionMode.HTTP) !== (rayJob.spec.submitterPodTemplate === undefined)) fail('a submitter pod exactly in K8sJobMode');
  return [...objects, ...rayPods(job.name, job.namespace!, rayJob.spec.rayClusterSpec), ...submitterJob(rayJob)];
}
type RayJobValue = ReturnType<typeof rayJobArbitrary> extends fc.Arbitrary<infer T> ? T : never;

// ---- RayCluster: fixed size or autoscaled, with or without Kueue (an autoscaled queued cluster is a Kueue elastic job).
const rayClusterArbitrary = fc.record({
  id: fc.stringMatching(/^[a-z][a-z0-9-]{0,30}$/),
  tenant,
  size: fc.constantFrom('fixed', 'fixedKueue', 'autoscaled', 'autoscaledKueue'),
  maxWorkers: fc.integer({ min: 1, max: 16 }),
  minFraction: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
  gpus: opt(gpus),
  head,
  rayVersion,
  env: envVars,
  clientPodLabels: opt(fc.dictionary(labelKey, labelValue, { minKeys: 1, maxKeys: 3 })),
  cpuMillis: opt(fc.integer({ min: 100, max: 64_000 })),
  memoryGi: opt(fc.integer({ min: 1, max: 512 })),
  shmGi: opt(fc.integer({ min: 1, max: 64 })),
  dataset: opt(label),
  priorityClassName: opt(label),
  serviceAccountName: opt(label),
  name: opt(fc.stringMatching(/^[a-z]([-a-z0-9]{0,40}[a-z0-9])?$/)),
});
type RayClusterValue = typeof rayClusterArbitrary extends fc.Arbitrary<infer T> ? T : never;

function buildRayCluster(env: Env, v: RayClusterValue): KubeObject[] {
  const { fixture, scope, queue, request, pool } = placement(env, v.tenant, v.gpus, v.maxWorkers);
  const autoscaled = v.size === 'autoscaled' || v.size === 'autoscaledKueue';
  const queued = v.size === 'fixedKueue' || v.size === 'autoscaledKueue';
  const minWorkers = autoscaled ? Math.floor(v.minFraction * v.maxWorkers) : undefined;
  const cluster = new RayCluster(scope, v.id, {
    image: RAY_IMAGE,
    maxWorkers: v.maxWorkers,
    minWorkers,
    gpusPerWorker: request,
    nodePool: pool,
    scheduler: queued ? GangScheduler.kueue({ queue }) : undefined,
    headCpu: v.head.cpuMillis === undefined ? undefined : v.head.cpuMillis / 1000,
    headMemory: v.head.memoryGi === undefined ? undefined : Size.gibibytes(v.head.memoryGi),
    rayVersion: v.rayVersion,
    env: v.env,
    clientPodLabels: v.clientPodLabels,
    cpuPerWorker: v.cpuMillis === undefined ? undefined : v.cpuMillis / 1000,
    memoryPerWorker: v.memoryGi === undefined ? undefined : Size.gibibytes(v.memoryGi),
    sharedMemorySize: v.shmGi === undefined ? undefined : Size.gibibytes(v.shmGi),
    volumes: v.dataset ? [{ mountPath: '/data', volume: TrainingVolume.fromClaim(v.dataset), readOnly: true }] : undefined,
    priorityClassName: v.priorityClassName,
    serviceAccountName: v.serviceAccountName,
    name: v.name,
  });
  const objects = synth(fixture);
  const spec = (find(objects, 'RayCluster', 'ray.io/v1') as any).spec;
  if (cluster.autoscaling !== (autoscaled && minWorkers! < v.maxWorkers)) fail('autoscaling exactly when minWorkers < maxWorkers');
  const elastic = (find(objects, 'RayCluster', 'ray.io/v1') as any).metadata.annotations?.['kueue.x-k8s.io/elastic-job'] === 'true';
  if (elastic !== (cluster.autoscaling && queued)) fail('a Kueue elastic job exactly when an autoscaled cluster is queued');
  if (spec.workerGroupSpecs[0].maxReplicas !== v.maxWorkers) fail('maxReplicas is maxWorkers');
  if (cluster.autoscaling !== (spec.enableInTreeAutoscaling === true)) fail('the in-tree autoscaler follows autoscaling');
  // Priority admission looks the class up for the pods; the harness applies a PriorityClass for real.
  const priorityClass = v.priorityClassName
    ? [{ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: v.priorityClassName }, value: 1000 } as KubeObject] : [];
  return [...priorityClass, ...objects, ...rayPods(cluster.name, cluster.namespace!, spec)];
}

// ---- Kueue topology-aware gangs: device-plugin GPUs on a pool with topologyLevels, a tenant with quota on it.
const topologyArbitrary = fc.record({
  id: fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/),
  levels: fc.subarray([BLOCK, RACK], { minLength: 1 }),
  hostnameGiven: fc.boolean(),
  model: fc.constantFrom(...MODELS),
  count: fc.integer({ min: 1, max: 8 }),
  workers: fc.integer({ min: 1, max: 16 }),
  backend: fc.constantFrom('jobSet', 'kubeflowTrainer', 'rayJob'),
  topology: opt(fc.record({ how: fc.constantFrom('sameDomain', 'sameRack'), level: fc.nat(), preferred: fc.boolean() })),
  quota: fc.nat(),
});
type TopologyValue = typeof topologyArbitrary extends fc.Arbitrary<infer T> ? T : never;

function buildTopology(env: Env, v: TopologyValue): KubeObject[] {
  const profile = { gpuAllocation: GpuAllocation.DEVICE_PLUGIN, addons: [...TRAINING_ADDONS, ClusterAddon.KUBERAY] };
  const fixture = appFor(env, profile, null);
  const levels = v.hostnameGiven ? [...v.levels, HOSTNAME] : v.levels;
  const nodeGpus = v.model.maxGpusPerNode ?? 8;
  const count = Math.min(v.count, nodeGpus);
  const maxNodes = nodesFor(v.workers, count, nodeGpus);
  const pool = new GpuNodePool(fixture.chart, 'pool', { name: 'gpus', gpu: v.model, gpusPerNode: nodeGpus, maxNodes, topologyLevels: levels });
  // A quota from the gang's GPUs up to the pool's.
  const need = v.workers * count;
  const quota = need + (v.quota % (nodeGpus * maxNodes - need + 1));
  const t = new AiTenant(fixture.chart, 'research', {
    team: 'research', owner: 'ml', costCenter: 'cc-1', gpuQuota: [{ pool, gpus: quota }], apiServer: { cidrs: ['10.0.0.1/32'] },
  });
  // Every level of the pool's Topology can be asked for, the hostname level included (listed or not).
  const all = [...v.levels, HOSTNAME];
  const level = v.topology && all[v.topology.level % all.length];
  const topology = v.topology && (v.topology.how === 'sameRack'
    ? GangTopology.sameRack(level!, { preferred: v.topology.preferred })
    : GangTopology.sameDomain(level!, { preferred: v.topology.preferred }));
  const ray = v.backend === 'rayJob';
  const job = new GangTrainingJob(t, v.id, {
    image: ray ? RAY_IMAGE : IMAGE,
    command: ray ? ['python', 'train.py'] : ['train.py'],
    workers: v.workers,
    gpusPerWorker: GpuRequest.of(count, { model: v.model }),
    nodePool: pool,
    scheduler: GangScheduler.kueue({ queue: t.queueName }),
    backend: ray ? TrainingBackend.rayJob() : v.backend === 'jobSet' ? TrainingBackend.jobSet() : TrainingBackend.kubeflowTrainer(),
    topology,
  });
  const objects = synth(fixture);
  const rayJob = ray ? find(objects, 'RayJob', 'ray.io/v1') as any : undefined;
  const pod = rayJob ? rayJob.spec.rayClusterSpec.workerGroupSpecs[0].template : podTemplateOf(workloadObjects(objects).template);
  const [key, value] = !topology ? ['kueue.x-k8s.io/podset-unconstrained-topology', 'true']
    : [`kueue.x-k8s.io/podset-${topology.preferred ? 'preferred' : 'required'}-topology`, level];
  if (pod.metadata?.annotations?.[key] !== value) fail(`the workers ask Kueue for ${key}=${value}`);
  if (!objects.some((o) => o.kind === 'Topology')) fail('the tenant emits the pool\'s Topology');
  if (rayJob) return [...objects, ...rayPods(job.name, job.namespace!, rayJob.spec.rayClusterSpec), ...submitterJob(rayJob)];
  return [...objects, workerJob(workloadObjects(objects).template)];
}

// ---- NICs per worker (DRANET): aligned with DRA GPUs (a divisor of the GPU count) or in a claim of their own.
const nicArbitrary = (env: Env) => fc.record({
  id: fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/),
  workers: fc.integer({ min: 1, max: 16 }),
  gpuCount: fc.constantFrom(1, 2, 4, 8),
  model: opt(fc.constantFrom(GpuModel.NVIDIA_H100_80_GB, GpuModel.NVIDIA_B200)),
  withGpus: fc.boolean(),
  aligned: fc.boolean(),
  nicPick: fc.nat(),
  rdma: opt(fc.boolean()),
  extraSelector: fc.boolean(),
  scheduler: env === 'latest' ? fc.constantFrom('kueue', 'podGroup', 'workloadApi') : fc.constantFrom('kueue', 'podGroup'),
  backend: fc.constantFrom('jobSet', 'kubeflowTrainer'),
  nccl: opt(fc.constantFrom('=net1', '^lo,docker')),
});
type NicValue = ReturnType<typeof nicArbitrary> extends fc.Arbitrary<infer T> ? T : never;

function buildNic(env: Env, v: NicValue): KubeObject[] {
  const fixture = appFor(env, { addons: [...TRAINING_ADDONS, ClusterAddon.DRANET] });
  // Alignment needs whole DRA GPUs and a NIC count dividing them.
  const aligned = v.aligned && v.withGpus;
  const divisors = [1, 2, 4, 8].filter((d) => v.gpuCount % d === 0);
  const nics = aligned ? divisors[v.nicPick % divisors.length] : 1 + (v.nicPick % 8);
  const scheduler = v.scheduler === 'kueue' ? GangScheduler.kueue({ queue: 'research' })
    : v.scheduler === 'podGroup' ? GangScheduler.podGroup() : GangScheduler.workloadApi();
  new GangTrainingJob(fixture.chart, v.id, {
    image: IMAGE,
    command: ['train.py'],
    workers: v.workers,
    gpusPerWorker: v.withGpus ? GpuRequest.of(v.gpuCount, { model: v.model }) : undefined,
    nicsPerWorker: NicRequest.of(nics, {
      alignWithGpus: aligned, rdma: v.rdma, extraSelectors: v.extraSelector ? ["device.attributes['dra.net'].numaNode == 0"] : undefined,
    }),
    scheduler,
    backend: v.backend === 'jobSet' ? TrainingBackend.jobSet() : TrainingBackend.kubeflowTrainer(),
    launcher: v.nccl ? TrainingLauncher.torchrun({ nccl: { socketInterfaces: v.nccl } }) : undefined,
  });
  const objects = synth(fixture);
  const templates = objects.filter((o) => o.kind === 'ResourceClaimTemplate') as any[];
  const requests = templates.flatMap((t) => t.spec.spec.devices.requests);
  const nicCount = requests.filter((r) => r.exactly.deviceClassName === 'dranet').reduce((n, r) => n + r.exactly.count, 0);
  if (nicCount !== nics) fail(`the claims ask for ${nics} NICs`);
  const pcieRoots = templates.flatMap((t) => t.spec.spec.devices.constraints ?? []).filter((c: any) => c.matchAttribute === 'resource.kubernetes.io/pcieRoot');
  if (pcieRoots.length !== (aligned ? nics : 0)) fail('one pcieRoot constraint per aligned NIC');
  const mappingWarning = warnings(fixture.chart).some((w) => w.includes(KUEUE_NIC_WARNING));
  if (mappingWarning !== (v.scheduler === 'kueue')) fail('Kueue, and only Kueue, is warned about the NIC DeviceClass mapping');
  return [...objects, workerJob(workloadObjects(objects).template)];
}

describe('fast-check: the issue-20 training shapes are accepted by the apiserver', () => {
  // The Kueue NIC warning is checked in buildNic; printed, it would be one line per generated Kueue NIC job.
  beforeAll(() => {
    const write = process.stderr.write.bind(process.stderr);
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk: any, ...rest: any[]) =>
      String(chunk).includes(KUEUE_NIC_WARNING) ? true : write(chunk, ...rest));
  });
  afterAll(() => jest.restoreAllMocks());
  const shapes: [string, (env: Env) => Promise<unknown>][] = [
    ['TrainingBackend.rayJob()', (env) => run(env, 'rayJob', rayJobArbitrary(env), (v) => buildRayJob(env, v))],
    ['RayCluster', (env) => run(env, 'rayCluster', rayClusterArbitrary, (v) => buildRayCluster(env, v))],
    ['Kueue topology-aware gangs', (env) => run(env, 'topology', topologyArbitrary, (v) => buildTopology(env, v))],
    ['NICs per worker', (env) => run(env, 'nics', nicArbitrary(env), (v) => buildNic(env, v))],
  ];
  const cases = (['latest', 'default'] as Env[]).flatMap((env) => shapes.map(([name, check]) => [name, env, check] as const));
  test.each(cases)(`%s: ${RUNS} prop sets on %s`, async (_name, env, check) => {
    await check(env);
  });
});

async function run<T>(env: Env, shape: string, arbitrary: fc.Arbitrary<T>, build: (v: T) => KubeObject[]): Promise<void> {
  const report = await checkProperty(arbitrary, build, { environment: env, numRuns: RUNS });
  process.stderr.write(`[training properties ${shape} ${env}] ${JSON.stringify(report)}\n`);
  expect(report.numRuns).toBe(RUNS);
  expect(report.objects).toBeGreaterThanOrEqual(RUNS * 2);
}
