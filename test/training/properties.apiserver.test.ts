// Property: every valid GangTrainingJob prop set synthesizes, keeps the gang invariants, and the apiserver accepts
// every object plus the worker Job its controller creates (200 generated prop sets per environment).
import { Duration, Size } from 'cdk8s';
import * as fc from 'fast-check';
import { Env, IMAGE, appFor, containerEnv, jobSetSpecOf, synth, workerJob, workloadObjects } from './fixtures';
import { GpuModel } from '../../src/accelerators/gpu-model';
import { GpuNodePool } from '../../src/accelerators/gpu-node-pool';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { GangFailureAction } from '../../src/training/gang-failure-policy';
import { GangScheduler } from '../../src/training/gang-scheduler';
import { GangTopology } from '../../src/training/gang-topology';
import { GangSuccessPolicy, GangTrainingJob, GangTrainingJobProps } from '../../src/training/gang-training-job';
import { TrainingBackend } from '../../src/training/training-backend';
import { TrainingLauncher } from '../../src/training/training-launcher';
import { TrainingMount, TrainingVolume } from '../../src/training/training-volume';
import { KubeObject, checkProperty } from '../harness';

const MODELS = [GpuModel.NVIDIA_H100_80_GB, GpuModel.NVIDIA_A100_80_GB, GpuModel.NVIDIA_L4];
const label = fc.stringMatching(/^[a-z]([-a-z0-9]{0,18}[a-z0-9])?$/);
const envName = fc.stringMatching(/^[A-Z][A-Z0-9_]{0,15}$/).filter((n) => !n.startsWith('PET_'));
const envValue = fc.string({ maxLength: 24 });

// The extended-resource path through DRA needs DRAExtendedResource (on from 1.36).
const gpus = (env: Env) => fc.option(fc.record({
  count: fc.integer({ min: 1, max: 8 }),
  model: fc.option(fc.constantFrom(...MODELS), { nil: undefined }),
  extended: env === 'latest' ? fc.boolean() : fc.constant(false),
  pool: fc.boolean(),
}), { nil: undefined });

const launcher = fc.oneof(
  fc.constant(undefined),
  fc.constant({ raw: true as const }),
  fc.constant({ jax: true as const }),
  fc.constant({ deepspeed: true as const }),
  fc.record({
    procsPerNode: fc.option(fc.integer({ min: 1, max: 16 }), { nil: undefined }),
    port: fc.option(fc.integer({ min: 1024, max: 65535 }), { nil: undefined }),
    nccl: fc.option(fc.record({
      socketInterfaces: fc.option(fc.constantFrom('eth0', '^lo,docker', '=ib0'), { nil: undefined }),
      ibHcas: fc.option(fc.constantFrom('mlx5', 'mlx5_0:1'), { nil: undefined }),
      disableInfiniband: fc.option(fc.boolean(), { nil: undefined }),
      gpuDirectLevel: fc.option(fc.constantFrom('PHB', 'SYS', 'PIX'), { nil: undefined }),
      debug: fc.option(fc.constantFrom('WARN', 'INFO'), { nil: undefined }),
    }), { nil: undefined }),
    abortOnCollectiveError: fc.option(fc.boolean(), { nil: undefined }),
  }),
);

// Exit codes are disjoint between the two lists (buildValue drops restart codes that also fail fast).
const exitCodes = fc.uniqueArray(fc.integer({ min: 1, max: 255 }), { maxLength: 6 });
const failurePolicy = fc.option(fc.record({
  failFast: exitCodes,
  restart: exitCodes,
  disruption: fc.option(fc.boolean(), { nil: undefined }),
  otherFail: fc.boolean(),
}), { nil: undefined });

const topology = fc.option(fc.record({
  kind: fc.constantFrom('zone', 'nvlink', 'rack', 'domain'),
  exclusive: fc.boolean(),
}), { nil: undefined });

type VolumeSpec = { readonly kind: 'claim' | 'configMap' | 'secret'; readonly name: string } | { readonly kind: 'scratch'; readonly size?: number };
const volume: fc.Arbitrary<VolumeSpec> = fc.oneof(
  label.map((n): VolumeSpec => ({ kind: 'claim', name: n })),
  label.map((n): VolumeSpec => ({ kind: 'configMap', name: n })),
  label.map((n): VolumeSpec => ({ kind: 'secret', name: n })),
  fc.option(fc.integer({ min: 1, max: 512 }), { nil: undefined }).map((g): VolumeSpec => ({ kind: 'scratch', size: g })),
);

const mounts = fc.uniqueArray(fc.record({
  dir: label,
  volume,
  readOnly: fc.option(fc.boolean(), { nil: undefined }),
  subPath: fc.option(label, { nil: undefined }),
}), { maxLength: 3, selector: (m) => m.dir });

function jobArbitrary(env: Env) {
  return fc.record({
    id: fc.stringMatching(/^[a-z][a-zA-Z0-9-]{0,50}$/),
    namespace: fc.constantFrom('training', 'team-a'),
    workers: fc.oneof(fc.integer({ min: 1, max: 16 }), fc.integer({ min: 17, max: 5000 })),
    gpus: gpus(env),
    scheduler: env === 'latest' ? fc.constantFrom('kueue', 'podGroup', 'workloadApi') : fc.constantFrom('kueue', 'podGroup'),
    queuePriority: fc.option(label, { nil: undefined }),
    backend: fc.constantFrom('jobSet', 'kubeflowTrainer'),
    launcher,
    failurePolicy,
    topology,
    env: fc.dictionary(envName, envValue, { maxKeys: 4 }),
    dataset: fc.option(label, { nil: undefined }),
    checkpoints: fc.option(label, { nil: undefined }),
    mounts,
    cpuMillis: fc.option(fc.integer({ min: 1, max: 128_000 }), { nil: undefined }),
    memoryGi: fc.option(fc.integer({ min: 1, max: 2048 }), { nil: undefined }),
    shmGi: fc.option(fc.integer({ min: 1, max: 256 }), { nil: undefined }),
    maxRestarts: fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }),
    backoffLimit: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
    maxRuntimeSeconds: fc.option(fc.integer({ min: 1, max: 10_000_000 }), { nil: undefined }),
    ttlSeconds: fc.option(fc.integer({ min: 0, max: 10_000_000 }), { nil: undefined }),
    leaderSuccess: fc.option(fc.boolean(), { nil: undefined }),
    priorityClassName: fc.option(label, { nil: undefined }),
    serviceAccountName: fc.option(label, { nil: undefined }),
    // At most 25 characters: JobSet v0.12.0's webhook caps the coordinator label <name>-worker-0-0.<name> at 63.
    name: fc.option(fc.stringMatching(/^[a-z]([-a-z0-9]{0,23}[a-z0-9])?$/), { nil: undefined }),
    scheduleTimeout: fc.option(fc.integer({ min: 1, max: 3600 }), { nil: undefined }),
  });
}

type Value = ReturnType<typeof jobArbitrary> extends fc.Arbitrary<infer T> ? T : never;

function trainingVolume(v: VolumeSpec): TrainingVolume {
  if (v.kind === 'scratch') return TrainingVolume.scratch(v.size === undefined ? undefined : Size.gibibytes(v.size));
  if (v.kind === 'claim') return TrainingVolume.fromClaim(v.name);
  if (v.kind === 'configMap') return TrainingVolume.fromConfigMap(v.name);
  return TrainingVolume.fromSecret(v.name);
}

function scheduler(v: Value): GangScheduler {
  if (v.scheduler === 'kueue') return GangScheduler.kueue({ queue: 'research', priorityClass: v.queuePriority });
  if (v.scheduler === 'podGroup') return GangScheduler.podGroup({ scheduleTimeout: v.scheduleTimeout ? Duration.seconds(v.scheduleTimeout) : undefined });
  return GangScheduler.workloadApi();
}

function trainingLauncher(v: Value): TrainingLauncher | undefined {
  const l = v.launcher;
  if (l === undefined) return undefined;
  if ('raw' in l) return TrainingLauncher.raw();
  if ('jax' in l) return TrainingLauncher.jax();
  if ('deepspeed' in l) return TrainingLauncher.deepspeed();
  // Kubeflow Trainer always uses port 29500.
  return TrainingLauncher.torchrun({ ...l, port: v.backend === 'kubeflowTrainer' ? undefined : l.port });
}

function gangTopology(v: Value): GangTopology | undefined {
  const t = v.topology;
  if (!t) return undefined;
  const options = { exclusive: t.exclusive };
  // An NVLink domain exists only for GPU workers (of a multi-node NVLink model, see buildValue); CPU jobs are refused.
  if (t.kind === 'zone' || (t.kind === 'nvlink' && !v.gpus)) return GangTopology.sameZone(options);
  if (t.kind === 'nvlink') return GangTopology.sameNvlinkDomain(options);
  if (t.kind === 'rack') return GangTopology.sameRack('topology.kubernetes.io/rack', options);
  return GangTopology.sameDomain('example.com/network-block', options);
}

/** Builds the app for one value, checks the gang invariants, returns every object plus the worker Job. */
function buildValue(env: Env, value: Value): KubeObject[] {
  // GB200 (the model of NVLink-domain jobs) has 4 GPUs per node (one NVL72 compute tray): a worker asks at most that.
  const v: Value = value.gpus && value.topology?.kind === 'nvlink' ? { ...value, gpus: { ...value.gpus, count: Math.min(value.gpus.count, 4) } } : value;
  const fixture = appFor(env, {}, v.namespace);
  let pool: GpuNodePool | undefined;
  let request: GpuRequest | undefined;
  if (v.gpus) {
    // sameNvlinkDomain() is refused for models without multi-node NVLink: those jobs get GB200 (NVL72) GPUs.
    const model = v.topology?.kind === 'nvlink' ? GpuModel.NVIDIA_GB200 : v.gpus.model ?? (v.gpus.pool ? GpuModel.NVIDIA_H100_80_GB : undefined);
    const nodeGpus = model?.maxGpusPerNode ?? 8;
    request = GpuRequest.of(v.gpus.count, { model, asExtendedResource: v.gpus.extended });
    if (v.gpus.pool) {
      const perNode = Math.floor(nodeGpus / v.gpus.count);
      pool = new GpuNodePool(fixture.chart, 'pool', { gpu: model!, gpusPerNode: nodeGpus, maxNodes: Math.ceil(v.workers / perNode) });
    }
  }
  const props: GangTrainingJobProps = {
    image: IMAGE,
    command: ['train.py'],
    args: ['--seed', '1'],
    workers: v.workers,
    gpusPerWorker: request,
    nodePool: pool,
    scheduler: scheduler(v),
    backend: v.backend === 'jobSet' ? TrainingBackend.jobSet() : TrainingBackend.kubeflowTrainer(),
    launcher: trainingLauncher(v),
    topology: gangTopology(v),
    env: v.env,
    dataset: v.dataset ? TrainingVolume.fromClaim(v.dataset) : undefined,
    checkpoints: v.checkpoints ? TrainingVolume.fromClaim(v.checkpoints) : undefined,
    volumes: v.mounts.map((m): TrainingMount => ({ mountPath: `/mnt/${m.dir}`, volume: trainingVolume(m.volume), readOnly: m.readOnly, subPath: m.subPath })),
    cpuPerWorker: v.cpuMillis === undefined ? undefined : v.cpuMillis / 1000,
    memoryPerWorker: v.memoryGi === undefined ? undefined : Size.gibibytes(v.memoryGi),
    sharedMemorySize: v.shmGi === undefined ? undefined : Size.gibibytes(v.shmGi),
    maxRestarts: v.maxRestarts,
    backoffLimit: v.backoffLimit,
    maxRuntime: v.maxRuntimeSeconds === undefined ? undefined : Duration.seconds(v.maxRuntimeSeconds),
    ttlAfterFinished: v.ttlSeconds === undefined || v.backend !== 'jobSet' ? undefined : Duration.seconds(v.ttlSeconds),
    successPolicy: v.leaderSuccess === undefined ? undefined : v.leaderSuccess ? GangSuccessPolicy.LEADER : GangSuccessPolicy.ALL_WORKERS,
    priorityClassName: v.priorityClassName,
    serviceAccountName: v.serviceAccountName,
    name: v.name,
    failurePolicy: v.failurePolicy && {
      failFastExitCodes: v.failurePolicy.failFast,
      restartExitCodes: v.failurePolicy.restart.filter((c) => !v.failurePolicy!.failFast.includes(c)),
      restartOnDisruption: v.failurePolicy.disruption,
      otherFailures: v.failurePolicy.otherFail ? GangFailureAction.FAIL : GangFailureAction.RESTART,
    },
  };
  const job = new GangTrainingJob(fixture.chart, v.id, props);
  const objects = synth(fixture);
  checkInvariants(v, job, objects);
  const { template } = workloadObjects(objects);
  return [...objects, workerJob(template)];
}

function fail(message: string): never {
  throw new Error(`invariant: ${message}`);
}

function checkInvariants(v: Value, job: GangTrainingJob, objects: KubeObject[]): void {
  const { workload, template } = workloadObjects(objects);
  const js = jobSetSpecOf(template);
  const rjob = js.replicatedJobs[0];
  const last = `${job.name}-${rjob.name}-0-${v.workers - 1}`;
  if (last.length > 63) fail(`hostname ${last} is longer than 63`);
  // JobSet v0.12.0 pkg/webhooks/jobset_webhook.go: the pod name plus a 5-character suffix and the coordinator label fit.
  if (`${last}-abcde`.length > 63) fail(`pod name ${last}-abcde is longer than 63`);
  const coordinator = `${job.name}-${rjob.name}-0-0.${job.name}`;
  if (coordinator.length > 63) fail(`coordinator label ${coordinator} is longer than 63`);
  if (rjob.replicas !== 1 || rjob.template.spec.parallelism !== v.workers || rjob.template.spec.completions !== v.workers) fail('one Job runs every worker');
  if (js.failurePolicy.restartStrategy !== 'BlockingRecreate') fail('the whole gang restarts together');
  if ((workload as any).spec.suspend !== undefined) fail('no job sets suspend (Kueue\'s webhook suspends queued jobs on creation)');
  const group = objects.find((o) => o.kind === 'PodGroup');
  if (v.scheduler === 'podGroup' && (group as any)?.spec.minMember !== v.workers) fail('PodGroup minMember is the gang size');
  if (v.scheduler === 'workloadApi' && (group as any)?.spec.schedulingPolicy.gang.minCount !== v.workers) fail('PodGroup minCount is the gang size');
  const vars = containerEnv(template);
  for (const [name, value] of Object.entries(v.env)) if (vars[name] !== value) fail(`env ${name} is the user's value`);
  const torchrun = !v.launcher || 'procsPerNode' in v.launcher;
  if (torchrun && v.backend === 'jobSet') {
    if (vars.PET_NNODES !== String(v.workers)) fail('PET_NNODES is the gang size');
    const procs = v.launcher && 'procsPerNode' in v.launcher && v.launcher.procsPerNode ? v.launcher.procsPerNode : v.gpus?.count ?? 1;
    if (vars.PET_NPROC_PER_NODE !== String(procs)) fail('PET_NPROC_PER_NODE is the GPUs per worker unless set');
    if (vars.PET_MASTER_ADDR !== `${job.name}-worker-0-0.${job.name}`) fail('the rendezvous is the leader\'s stable DNS name');
  }
  if (torchrun && v.backend === 'kubeflowTrainer' && Object.keys(vars).some((k) => k.startsWith('PET_'))) fail('Trainer injects PET_* itself');
  const userRule = (js.failurePolicy.rules ?? []).find((r: any) => r.name === 'UserExitCode');
  if (v.failurePolicy?.failFast.length && userRule?.action !== 'FailJobSet') fail('user exit codes fail the JobSet at once');
  const codes = rjob.template.spec.podFailurePolicy?.rules.flatMap((r: any) => r.onExitCodes?.values ?? []) ?? [];
  if (new Set(codes).size !== codes.length) fail('every exit code is in one pod failure rule');
}

describe('fast-check: generated GangTrainingJobs are accepted by the apiserver', () => {
  test.each<Env>(['latest', 'default'])('200 prop sets on %s', async (env) => {
    const report = await checkProperty(jobArbitrary(env), (v) => buildValue(env, v), { environment: env, numRuns: 200 });
    process.stderr.write(`[training properties ${env}] ${JSON.stringify(report)}\n`);
    expect(report.numRuns).toBe(200);
    expect(report.objects).toBeGreaterThanOrEqual(200 * 2);
  });
});
