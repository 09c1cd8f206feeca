// GangTrainingJob on the real kube-apiserver: every scheduler x backend, with the pods the controller creates
// checked as real Jobs (core Pod validation + Pod Security `restricted`), plus the launch conventions.
import { Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  BACKENDS, Env, IMAGE, SCHEDULERS, appFor, build, containerEnv, find, jobProps, jobSetSpecOf, podTemplateOf,
  synth, workerJob, workloadObjects,
} from './fixtures';
import { GpuModel } from '../../src/accelerators/gpu-model';
import { GpuNodePool } from '../../src/accelerators/gpu-node-pool';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { recordLocalQueue } from '../../src/cluster/app-registry';
import { AiTenant } from '../../src/platform/ai-tenant';
import { GangScheduler } from '../../src/training/gang-scheduler';
import { GangTopology } from '../../src/training/gang-topology';
import { GangSuccessPolicy, GangTrainingJob } from '../../src/training/gang-training-job';
import { TrainingBackend } from '../../src/training/training-backend';
import { TrainingLauncher } from '../../src/training/training-launcher';
import { TrainingVolume } from '../../src/training/training-volume';
import { KubeObject, validateObjects } from '../harness';

let accepted = 0;
afterAll(() => process.stderr.write(`[training apiserver] ${accepted} objects accepted by the apiserver\n`));

/** Validates the objects plus the worker Job the controller creates; every object must be accepted as sent. */
async function proveOnApiserver(objects: KubeObject[], env: Env): Promise<void> {
  const { template } = workloadObjects(objects);
  const sent = [...objects, workerJob(template)];
  const results = await validateObjects(sent, { environment: env });
  expect(results.map((r) => r.object.kind).sort()).toEqual(sent.map((o) => o.kind).sort());
  accepted += results.length;
}

const MATRIX: [string, string, Env][] = [
  ['kueue', 'jobSet', 'default'],
  ['kueue', 'kubeflowTrainer', 'default'],
  ['podGroup', 'jobSet', 'default'],
  ['podGroup', 'kubeflowTrainer', 'default'],
  ['kueue', 'jobSet', 'latest'],
  ['kueue', 'kubeflowTrainer', 'latest'],
  ['podGroup', 'jobSet', 'latest'],
  ['podGroup', 'kubeflowTrainer', 'latest'],
  ['workloadApi', 'jobSet', 'latest'],
  ['workloadApi', 'kubeflowTrainer', 'latest'],
];

describe('every scheduler x backend is accepted by the apiserver', () => {
  test.each(MATRIX)('%s x %s on %s', async (scheduler, backend, env) => {
    const { objects } = build(env, { scheduler: SCHEDULERS[scheduler](), backend: BACKENDS[backend]() });
    const { workload, template } = workloadObjects(objects);
    const pod = podTemplateOf(template);
    const spec = (workload as any).spec;

    if (scheduler === 'kueue') {
      expect(workload.metadata.labels).toMatchObject({ 'kueue.x-k8s.io/queue-name': 'research', 'kueue.x-k8s.io/priority-class': 'high' });
      // Kueue's create-time webhook suspends it; a manifest that did would conflict with Kueue on a GitOps re-sync.
      expect(spec.suspend).toBeUndefined();
      expect(objects.filter((o) => o.kind === 'PodGroup' || o.kind === 'Workload')).toEqual([]);
    } else {
      expect(spec.suspend).toBeUndefined();
    }
    if (scheduler === 'podGroup') {
      const group = find(objects, 'PodGroup', 'scheduling.x-k8s.io/v1alpha1');
      expect((group as any).spec).toEqual({ minMember: 4 });
      expect(pod.metadata.labels['scheduling.x-k8s.io/pod-group']).toBe(group.metadata.name);
      expect(pod.spec.schedulerName).toBe('scheduler-plugins-scheduler');
    }
    if (scheduler === 'workloadApi') {
      const wl = find(objects, 'Workload', 'scheduling.k8s.io/v1beta1');
      const group = find(objects, 'PodGroup', 'scheduling.k8s.io/v1beta1');
      expect((wl as any).spec.podGroupTemplates).toEqual([{ name: 'workers', schedulingPolicy: { gang: { minCount: 4 } } }]);
      expect((wl as any).spec.controllerRef).toEqual({ apiGroup: backend === 'jobSet' ? 'jobset.x-k8s.io' : 'trainer.kubeflow.org', kind: workload.kind, name: workload.metadata.name });
      expect((group as any).spec).toEqual({ workloadRef: { workloadName: wl.metadata.name, templateName: 'workers' }, schedulingPolicy: { gang: { minCount: 4 } } });
      expect(pod.spec.schedulingGroup).toEqual({ podGroupName: group.metadata.name });
    }

    const js = jobSetSpecOf(template);
    expect(js.failurePolicy).toEqual({ maxRestarts: 3, restartStrategy: 'BlockingRecreate' });
    expect(js.replicatedJobs).toHaveLength(1);
    expect(js.replicatedJobs[0].replicas).toBe(1);
    expect(js.replicatedJobs[0].template.spec).toMatchObject({ parallelism: 4, completions: 4, completionMode: 'Indexed', backoffLimit: 0 });
    expect(js.network).toEqual({ enableDNSHostnames: true, publishNotReadyAddresses: true });
    expect(pod.spec.restartPolicy).toBe('Never');
    expect(pod.spec.resourceClaims).toEqual([{ name: 'gpus', resourceClaimTemplateName: 'finetune-gpus' }]);
    const vars = containerEnv(template);
    if (backend === 'jobSet') {
      expect(vars).toMatchObject({
        PET_NNODES: '4',
        PET_NPROC_PER_NODE: '8',
        PET_MASTER_ADDR: 'finetune-worker-0-0.finetune',
        PET_MASTER_PORT: '29500',
        PET_NODE_RANK: "metadata.annotations['batch.kubernetes.io/job-completion-index']",
      });
    } else {
      // Kubeflow Trainer injects PET_* into the `node` container of the `trainer` ancestor job; the TrainJob says how many.
      expect(Object.keys(vars).filter((k) => k.startsWith('PET_'))).toEqual([]);
      expect(pod.spec.containers[0].name).toBe('node');
      expect(js.replicatedJobs[0].template.metadata.labels).toEqual({ 'trainer.kubeflow.org/trainjob-ancestor-step': 'trainer' });
      expect(spec.runtimeRef).toEqual({ apiGroup: 'trainer.kubeflow.org', kind: 'TrainingRuntime', name: 'finetune' });
      expect(spec.trainer).toEqual({ numNodes: 4, numProcPerNode: 8 });
      expect((template as any).spec.mlPolicy).toEqual({ numNodes: 4, torch: {} });
    }

    await proveOnApiserver(objects, env);
  });
});

describe('launch conventions', () => {
  test('torchrun runs the script with one process per GPU, /dev/shm and the NCCL defaults', () => {
    const { objects } = build('default', { gpusPerWorker: GpuRequest.of(4), sharedMemorySize: Size.gibibytes(16) });
    const jobSet = find(objects, 'JobSet');
    const container = podTemplateOf(jobSet).spec.containers[0];
    expect(container.command).toEqual(['torchrun']);
    expect(container.args).toEqual(['train.py', '--epochs', '3']);
    expect(containerEnv(jobSet)).toMatchObject({
      PET_NPROC_PER_NODE: '4', NCCL_SOCKET_IFNAME: '^lo,docker', TORCH_NCCL_ASYNC_ERROR_HANDLING: '1', HOME: '/tmp',
    });
    expect(containerEnv(jobSet).NCCL_DEBUG).toBeUndefined();
    expect(podTemplateOf(jobSet).spec.volumes).toContainEqual({ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '16Gi' } });
    expect(container.volumeMounts).toContainEqual({ name: 'dshm', mountPath: '/dev/shm' });
  });

  test('the job env overrides the NCCL defaults; typed NCCL settings render', () => {
    const { objects } = build('default', {
      env: { NCCL_SOCKET_IFNAME: 'eth0', WANDB_MODE: 'offline' },
      launcher: TrainingLauncher.torchrun({ nccl: { ibHcas: 'mlx5', disableInfiniband: true, gpuDirectLevel: 'PHB', debug: 'WARN' }, abortOnCollectiveError: false }),
    });
    const env = containerEnv(find(objects, 'JobSet'));
    expect(env).toMatchObject({ NCCL_SOCKET_IFNAME: 'eth0', NCCL_IB_HCA: 'mlx5', NCCL_IB_DISABLE: '1', NCCL_NET_GDR_LEVEL: 'PHB', NCCL_DEBUG: 'WARN', WANDB_MODE: 'offline' });
    expect(env.TORCH_NCCL_ASYNC_ERROR_HANDLING).toBeUndefined();
  });

  test.each(['jobSet', 'kubeflowTrainer'])('secretEnv renders as secretKeyRef variables after env, sorted, with no value (%s)', (backend) => {
    const { objects } = build('default', {
      backend: BACKENDS[backend](),
      env: { WANDB_PROJECT: 'llama' },
      secretEnv: { WANDB_API_KEY: { secretName: 'wandb', key: 'api-key' }, HF_TOKEN: { secretName: 'hf', key: 'token' } },
    });
    const env: any[] = podTemplateOf(workloadObjects(objects).template).spec.containers[0].env;
    expect(env.slice(-2)).toEqual([
      { name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: 'hf', key: 'token' } } },
      { name: 'WANDB_API_KEY', valueFrom: { secretKeyRef: { name: 'wandb', key: 'api-key' } } },
    ]);
    expect(env.findIndex((e) => e.name === 'WANDB_PROJECT')).toBeLessThan(env.length - 2);
    expect(new Set(env.map((e) => e.name)).size).toBe(env.length);
    // A Secret variable replaces a launcher default of its name instead of adding a second variable.
    const replaced = build('default', { secretEnv: { NCCL_SOCKET_IFNAME: { secretName: 'net', key: 'ifname' } } });
    const nccl = podTemplateOf(find(replaced.objects, 'JobSet')).spec.containers[0].env.filter((e: any) => e.name === 'NCCL_SOCKET_IFNAME');
    expect(nccl).toEqual([{ name: 'NCCL_SOCKET_IFNAME', valueFrom: { secretKeyRef: { name: 'net', key: 'ifname' } } }]);
  });

  test('a CPU-only torchrun job runs one process per worker unless told otherwise', () => {
    const cpu = build('default', { gpusPerWorker: undefined });
    expect(containerEnv(find(cpu.objects, 'JobSet')).PET_NPROC_PER_NODE).toBe('1');
    const four = build('default', { gpusPerWorker: undefined, launcher: TrainingLauncher.torchrun({ procsPerNode: 4, port: 3389 }) });
    expect(containerEnv(find(four.objects, 'JobSet'))).toMatchObject({ PET_NPROC_PER_NODE: '4', PET_MASTER_PORT: '3389' });
  });

  test('raw mode runs the command as given, with no torchrun variables', () => {
    const { objects } = build('default', { launcher: TrainingLauncher.raw(), command: ['deepspeed', 'train.py'], args: ['--zero', '3'] });
    const jobSet = find(objects, 'JobSet');
    const container = podTemplateOf(jobSet).spec.containers[0];
    expect(container.command).toEqual(['deepspeed', 'train.py']);
    expect(container.args).toEqual(['--zero', '3']);
    expect(Object.keys(containerEnv(jobSet)).filter((k) => k.startsWith('PET_') || k.startsWith('NCCL_'))).toEqual([]);
    // The coordinator annotation still gives raw launchers the leader's address.
    expect(jobSetSpecOf(jobSet).coordinator).toEqual({ replicatedJob: 'worker', jobIndex: 0, podIndex: 0 });
  });

  test('the Trainer backend takes its process count from the launcher', () => {
    const { objects } = build('default', { backend: TrainingBackend.kubeflowTrainer(), launcher: TrainingLauncher.torchrun({ procsPerNode: 2 }) });
    expect((find(objects, 'TrainJob') as any).spec.trainer).toEqual({ numNodes: 4, numProcPerNode: 2 });
    const raw = build('default', { backend: TrainingBackend.kubeflowTrainer(), launcher: TrainingLauncher.raw(), command: ['python', 'x.py'] });
    expect((find(raw.objects, 'TrainingRuntime') as any).spec.mlPolicy).toEqual({ numNodes: 4 });
    expect((find(raw.objects, 'TrainJob') as any).spec.trainer).toEqual({ numNodes: 4 });
  });
});

describe('placement, policies and volumes on the apiserver', () => {
  test.each<[string, Env]>([['jobSet', 'default'], ['kubeflowTrainer', 'latest']])('everything at once with %s on %s', async (backend, env) => {
    const fixture = appFor(env);
    const pool = new GpuNodePool(fixture.chart, 'h100', { gpu: GpuModel.NVIDIA_H100_80_GB, gpusPerNode: 8, maxNodes: 4, zones: ['us-east-1a'] });
    new GangTrainingJob(fixture.chart, 'finetune', jobProps({
      backend: BACKENDS[backend](),
      nodePool: pool,
      topology: GangTopology.sameZone(),
      successPolicy: GangSuccessPolicy.LEADER,
      maxRestarts: 5,
      backoffLimit: 1,
      maxRuntime: Duration.hours(12),
      ttlAfterFinished: backend === 'jobSet' ? Duration.days(1) : undefined,
      priorityClassName: 'training-high',
      serviceAccountName: 'trainer',
      cpuPerWorker: 31.5,
      memoryPerWorker: Size.gibibytes(900),
      dataset: TrainingVolume.fromClaim('datasets'),
      checkpoints: TrainingVolume.fromClaim('checkpoints'),
      volumes: [
        { mountPath: '/config', volume: TrainingVolume.fromConfigMap('train-config') },
        { mountPath: '/secrets/hf', volume: TrainingVolume.fromSecret('hf-token') },
        { mountPath: '/scratch', volume: TrainingVolume.scratch(Size.gibibytes(200)) },
        { mountPath: '/models', volume: TrainingVolume.fromClaim('models'), readOnly: true, subPath: 'llama' },
      ],
      env: { HF_HUB_OFFLINE: '1' },
      secretEnv: { WANDB_API_KEY: { secretName: 'wandb', key: 'api-key' } },
    }));
    const objects = synth(fixture);
    const { template } = workloadObjects(objects);
    const js = jobSetSpecOf(template);
    const pod = podTemplateOf(template);
    expect(js.failurePolicy.maxRestarts).toBe(5);
    expect(js.replicatedJobs[0].template.spec).toMatchObject({ backoffLimit: 1, activeDeadlineSeconds: 43200, successPolicy: { rules: [{ succeededIndexes: '0' }] } });
    if (backend === 'jobSet') expect(js.ttlSecondsAfterFinished).toBe(86400);
    expect(pod.spec).toMatchObject({ priorityClassName: 'training-high', serviceAccountName: 'trainer', automountServiceAccountToken: false });
    expect(pod.spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual([{
      labelSelector: { matchLabels: { 'app.kubernetes.io/instance': 'finetune', 'app.kubernetes.io/component': 'trainer' } },
      topologyKey: 'topology.kubernetes.io/zone',
    }]);
    expect(pod.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions)
      .toContainEqual({ key: 'ai.cdk8s.io/gpu-node-pool', operator: 'In', values: ['h100'] });
    expect(pod.spec.containers[0].resources).toMatchObject({ requests: { cpu: '31500m', memory: '900Gi' }, limits: { memory: '900Gi' } });
    expect(pod.spec.containers[0].volumeMounts).toEqual(expect.arrayContaining([
      { name: 'dataset', mountPath: '/data', readOnly: true },
      { name: 'checkpoints', mountPath: '/checkpoints' },
      { name: 'volume-0', mountPath: '/config', readOnly: true },
      { name: 'volume-3', mountPath: '/models', readOnly: true, subPath: 'llama' },
    ]));
    expect(containerEnv(template)).toMatchObject({ DATASET_DIR: '/data', CHECKPOINT_DIR: '/checkpoints', HF_HUB_OFFLINE: '1' });
    expect(pod.spec.containers[0].env).toContainEqual({ name: 'WANDB_API_KEY', valueFrom: { secretKeyRef: { name: 'wandb', key: 'api-key' } } });
    expect(pod.metadata.annotations).toEqual({ 'karpenter.sh/do-not-disrupt': 'true' });
    await proveOnApiserver(objects, env);
  });

  test('a cdk8s-plus PersistentVolumeClaim works as a volume', async () => {
    const fixture = appFor('default');
    const claim = kplus.PersistentVolumeClaim.fromClaimName(fixture.chart, 'Checkpoints', 'shared-checkpoints');
    new GangTrainingJob(fixture.chart, 'finetune', jobProps({ checkpoints: TrainingVolume.fromPersistentVolumeClaim(claim) }));
    const objects = synth(fixture);
    expect(podTemplateOf(find(objects, 'JobSet')).spec.volumes).toContainEqual({ name: 'checkpoints', persistentVolumeClaim: { claimName: 'shared-checkpoints' } });
    await proveOnApiserver(objects, 'default');
  });

  test('exclusive topology uses JobSet exclusive placement instead of pod affinity', async () => {
    // An NVLink domain spans nodes only for multi-node NVLink GPUs (GB200 NVL72); H100 workers would be refused.
    const { objects } = build('latest', {
      topology: GangTopology.sameNvlinkDomain({ exclusive: true }),
      gpusPerWorker: GpuRequest.of(4, { model: GpuModel.NVIDIA_GB200 }),
      scheduler: GangScheduler.podGroup(),
    });
    const jobSet = find(objects, 'JobSet');
    expect(jobSetSpecOf(jobSet).replicatedJobs[0].template.metadata.annotations).toEqual({ 'alpha.jobset.sigs.k8s.io/exclusive-topology': 'nvidia.com/gpu.clique' });
    expect(podTemplateOf(jobSet).spec.affinity?.podAffinity).toBeUndefined();
    await proveOnApiserver(objects, 'latest');
  });

  test('a rack topology on any node label', async () => {
    const { objects } = build('default', { topology: GangTopology.sameRack('example.com/rack') });
    expect(podTemplateOf(find(objects, 'JobSet')).spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey).toBe('example.com/rack');
    await proveOnApiserver(objects, 'default');
  });

  test('Kueue takes GPUs requested as the extended resource (counted by Kueue) on 1.37', async () => {
    const { objects } = build('latest', { gpusPerWorker: GpuRequest.of(8, { model: GpuModel.NVIDIA_H100_80_GB, asExtendedResource: true }) });
    const pod = podTemplateOf(find(objects, 'JobSet'));
    // The default CPU and memory (4 cores and 16Gi per GPU) are limits too: Guaranteed QoS.
    expect(pod.spec.containers[0].resources.limits).toEqual({ 'nvidia.com/gpu': 8, 'cpu': '32', 'memory': '128Gi' });
    expect(pod.spec.containers[0].resources.requests).toEqual({ cpu: '32', memory: '128Gi' });
    expect(pod.spec.resourceClaims).toBeUndefined();
    await proveOnApiserver(objects, 'latest');
  });

  test('in a tenant namespace (default-deny), the workers may reach each other on any port', async () => {
    const fixture = appFor('default', {}, null);
    const tenant = new AiTenant(fixture.chart, 'research', { namespace: 'research', team: 'ml', owner: 'alice', costCenter: 'cc-1' });
    const job = new GangTrainingJob(tenant, 'finetune', jobProps({ gpusPerWorker: undefined, scheduler: GangScheduler.kueue({ queue: tenant.queueName }) }));
    const objects = synth(fixture);
    // Inside the tenant the name comes from the path below the chart.
    expect(job.name).toBe('research-finetune');
    const policies = objects.filter((o) => o.kind === 'NetworkPolicy' && /^research-finetune-peers/.test(o.metadata.name ?? ''));
    const workers = { matchLabels: { 'app.kubernetes.io/instance': 'research-finetune', 'app.kubernetes.io/component': 'trainer' } };
    // The tenant turns the gang's all-ports peer edge into its own allows (egress from, ingress to the workers).
    expect(policies.map((p) => [p.metadata.name, p.metadata.namespace, (p as any).spec]).sort()).toEqual([
      ['research-finetune-peers-in', 'research', { podSelector: workers, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: workers }] }] }],
      ['research-finetune-peers-out', 'research', { podSelector: workers, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: workers }] }] }],
    ]);
    // The tenant's default-deny and allows isolate the workers: the job adds no policy of its own.
    expect(job.networkPolicy).toBeUndefined();
    await proveOnApiserver(objects, 'default');
  });

  test('a tenant declared after the job takes over: its allows replace the job\'s own isolation policy', async () => {
    const fixture = appFor('default');
    const job = new GangTrainingJob(fixture.chart, 'finetune', jobProps({ gpusPerWorker: undefined }));
    expect(job.networkPolicy).toBeDefined();
    new AiTenant(fixture.chart, 'research', { namespace: fixture.chart.namespace!, queueName: 'research', team: 'ml', owner: 'alice', costCenter: 'cc-1' });
    expect(job.networkPolicy).toBeUndefined();
    const objects = synth(fixture);
    const names = objects.filter((o) => o.kind === 'NetworkPolicy').map((o) => o.metadata.name);
    expect(names).toEqual(expect.arrayContaining([`${job.name}-peers-in`, `${job.name}-peers-out`, 'default-deny']));
    expect(names).not.toContain(`${job.name}-peers`);
    await proveOnApiserver(objects, 'default');
  });

  test('outside a tenant the workers isolate themselves: ingress only from the other workers, on any port', async () => {
    const { objects, job } = build('default', {});
    const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
    const workers = { matchLabels: { 'app.kubernetes.io/instance': job.name, 'app.kubernetes.io/component': 'trainer' } };
    expect(policies.map((p) => p.metadata.name)).toEqual([`${job.name}-peers`]);
    expect((policies[0] as any).spec).toEqual({ podSelector: workers, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: workers }] }] });
    expect(job.networkPolicy).toBeDefined();
    await proveOnApiserver(objects, 'default');
  });
});

describe('names', () => {
  test('a long construct path yields a name whose last worker hostname is still a DNS label', async () => {
    const fixture = appFor('default');
    const id = 'a-very-long-construct-id-for-a-fine-tuning-job-of-llama-3-70b-instruct';
    const job = new GangTrainingJob(fixture.chart, id, jobProps({ workers: 1024, gpusPerWorker: GpuRequest.of(1) }));
    const hostname = `${job.name}-worker-0-1023`;
    expect(hostname.length).toBeLessThanOrEqual(63);
    expect(job.name).toMatch(/^[a-z][-a-z0-9]*[a-z0-9]$/);
    expect(job.leaderAddress).toBe(`${job.name}-worker-0-0.${job.name}`);
    await proveOnApiserver(synth(fixture), 'default');
  });

  test('the same input gives the same bytes', () => {
    const yaml = () => {
      const fixture = appFor('latest');
      new GangTrainingJob(fixture.chart, 'finetune', jobProps({ scheduler: GangScheduler.workloadApi(), topology: GangTopology.sameZone() }));
      return fixture.app.synthYaml();
    };
    expect(yaml()).toEqual(yaml());
  });

  test('two jobs in different namespaces may share a name; objects carry the namespace', () => {
    const fixture = appFor('default', {}, null);
    const a = new GangTrainingJob(new Chart(fixture.app, 'a', { namespace: 'team-a' }), 'finetune', jobProps());
    const b = new GangTrainingJob(new Chart(fixture.app, 'b', { namespace: 'team-b' }), 'finetune', jobProps());
    expect([a.name, a.namespace, b.name, b.namespace]).toEqual(['finetune', 'team-a', 'finetune', 'team-b']);
    expect(() => fixture.app.synthYaml()).not.toThrow();
  });
});

describe('Kueue queues of the tenant', () => {
  function tenantApp(env: Env = 'default') {
    const fixture = appFor(env, {}, null);
    const pool = new GpuNodePool(fixture.chart, 'h100', { gpu: GpuModel.NVIDIA_H100_80_GB, gpusPerNode: 8, maxNodes: 4 });
    const tenant = new AiTenant(fixture.chart, 'research', {
      namespace: 'research',
      team: 'ml',
      owner: 'alice',
      costCenter: 'cc-1',
      gpuQuota: [{ pool, gpus: 32 }],
      fairShare: { priorities: [{ name: 'production', value: 1000 }] },
    });
    return { ...fixture, pool, tenant };
  }

  test.each<Env>(['default', 'latest'])('a fine-tuning job in the tenant, through its queue, on its pool (%s)', async (env) => {
    const { app, chart, pool, tenant } = tenantApp(env);
    const job = new GangTrainingJob(tenant, 'finetune', jobProps({
      nodePool: pool,
      scheduler: GangScheduler.kueue({ queue: tenant.queueName, priorityClass: tenant.priorityClassName('production') }),
    }));
    const objects = synth({ app, chart });
    expect(job.namespace).toBe('research');
    const jobSet = find(objects, 'JobSet');
    expect(jobSet.metadata.labels).toMatchObject({ 'kueue.x-k8s.io/queue-name': 'research', 'kueue.x-k8s.io/priority-class': 'research-production' });
    expect(objects.find((o) => o.kind === 'LocalQueue')?.metadata).toMatchObject({ name: 'research', namespace: 'research' });
    await proveOnApiserver(objects, env);
  });

  test('a queue the tenant defines after the job is found too (the check runs at synth)', () => {
    const fixture = appFor('default', {}, 'research');
    new GangTrainingJob(fixture.chart, 'finetune', jobProps({ gpusPerWorker: undefined, scheduler: GangScheduler.kueue({ queue: 'research' }) }));
    recordLocalQueue({ scope: fixture.chart, namespace: 'research', name: 'research' });
    expect(() => synth(fixture)).not.toThrow();
  });

  test('a queue the app does not define is refused, naming the queues that exist', () => {
    const { app, chart, tenant } = tenantApp();
    new GangTrainingJob(tenant, 'finetune', jobProps({ gpusPerWorker: undefined, scheduler: GangScheduler.kueue({ queue: 'batch' }) }));
    expect(() => synth({ app, chart })).toThrow('[training/research/finetune] scheduler.queue: got "batch"; the app defines no LocalQueue "batch" in namespace "research". LocalQueues in the app: research/research');
  });

  test('without any LocalQueue in the app the queue is assumed to exist on the cluster', () => {
    expect(() => build('default', {})).not.toThrow();
  });
});

test('the image is passed through untouched', () => {
  const { objects } = build('default', {});
  expect(podTemplateOf(find(objects, 'JobSet')).spec.containers[0].image).toBe(IMAGE);
});

describe('negative controls: the apiserver checks what the refusals claim', () => {
  test.each(['jobSet', 'kubeflowTrainer'])('the %s CRD does not keep workloadRef (1.35 Workload API link), so workloadApi() on 1.35 is refused', async (backend) => {
    const { objects } = build('latest', { scheduler: GangScheduler.workloadApi(), backend: BACKENDS[backend]() });
    const holder = JSON.parse(JSON.stringify(workloadObjects(objects).template));
    podTemplateOf(holder).spec.workloadRef = { name: 'finetune', podGroup: 'workers' };
    await expect(validateObjects([holder], { environment: 'latest' })).rejects.toThrow(/workloadRef/);
  });

  test('a 1.34 cluster drops schedulingGroup from the pods, so workloadApi() needs the gates', async () => {
    const { objects } = build('latest', { scheduler: GangScheduler.workloadApi() });
    await expect(validateObjects([workerJob(find(objects, 'JobSet'))], { environment: 'default' })).rejects.toThrow(/schedulingGroup/);
  });

  test('a worker pod that breaks Pod Security restricted is rejected', async () => {
    const { objects } = build('default', {});
    const job = workerJob(find(objects, 'JobSet')) as any;
    job.spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation = true;
    await expect(validateObjects([job], { environment: 'default' })).rejects.toThrow(/allowPrivilegeEscalation/);
  });
});

describe('the README / examples/main.ts snippet', () => {
  test('a fine-tuning job gang-scheduled through the tenant\'s Kueue queue on a GpuNodePool', async () => {
    const { app, chart } = appFor('default', {}, null);
    // --- snippet (as in the README) ---
    const h100 = new GpuNodePool(chart, 'h100', { gpu: GpuModel.NVIDIA_H100_80_GB, gpusPerNode: 8, maxNodes: 4 });
    const research = new AiTenant(chart, 'research', {
      team: 'ml-research',
      owner: 'alice',
      costCenter: 'cc-1234',
      gpuQuota: [{ pool: h100, gpus: 16 }],
      fairShare: { priorities: [{ name: 'production', value: 1000 }] },
    });
    const finetune = new GangTrainingJob(research, 'finetune', {
      image: IMAGE,
      command: ['finetune.py', '--model', 'meta-llama/Llama-3.1-8B-Instruct', '--epochs', '3'],
      workers: 2,
      gpusPerWorker: GpuRequest.of(8, { model: GpuModel.NVIDIA_H100_80_GB }),
      nodePool: h100,
      scheduler: GangScheduler.kueue({ queue: research.queueName, priorityClass: research.priorityClassName('production') }),
      dataset: TrainingVolume.fromClaim('datasets'),
      checkpoints: TrainingVolume.fromClaim('checkpoints'),
      topology: GangTopology.sameZone(),
      cpuPerWorker: 64,
      memoryPerWorker: Size.gibibytes(512),
      maxRuntime: Duration.hours(24),
      ttlAfterFinished: Duration.days(7),
    });
    // --- end of snippet ---
    const objects = synth({ app, chart });
    expect(finetune.leaderAddress).toBe('research-finetune-worker-0-0.research-finetune');
    expect(find(objects, 'JobSet').metadata).toMatchObject({
      namespace: 'research',
      labels: { 'kueue.x-k8s.io/queue-name': 'research', 'kueue.x-k8s.io/priority-class': 'research-production' },
    });
    await proveOnApiserver(objects, 'default');
  });
});
