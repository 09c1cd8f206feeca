// KubeRay: TrainingBackend.rayJob() (a RayJob gang-admitted by Kueue) and the long-lived RayCluster. Shapes,
// defaults and refusals; the apiserver proof is ray.apiserver.test.ts, the catalogue of errors bad-inputs.test.ts.
import { Duration, Size } from 'cdk8s';
import { IMAGE, NAMESPACE, TRAINING_ADDONS, appFor, find, jobProps, synth } from './fixtures';
import { GpuModel } from '../../src/accelerators/gpu-model';
import { GpuNodePool } from '../../src/accelerators/gpu-node-pool';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { ClusterAddon } from '../../src/cluster/cluster-addon';
import { ClusterProfileProps, GpuAllocation } from '../../src/cluster/cluster-profile';
import { GangScheduler } from '../../src/training/gang-scheduler';
import { GangTrainingJob, GangTrainingJobProps } from '../../src/training/gang-training-job';
import { RayCluster, RayClusterProps } from '../../src/training/ray-cluster';
import { RaySubmissionMode, TrainingBackend } from '../../src/training/training-backend';
import { TrainingLauncher } from '../../src/training/training-launcher';
import { TrainingVolume } from '../../src/training/training-volume';
import { KubeObject } from '../harness';

const RAY_ADDONS: ClusterProfileProps = { addons: [...TRAINING_ADDONS, ClusterAddon.KUBERAY] };
const RAY_IMAGE = 'rayproject/ray:2.52.0-py312-gpu';

/** A RayJob gang of 2 H100 x 8 workers under Kueue, synthesized. */
function rayJob(props: Partial<GangTrainingJobProps> = {}, profile: ClusterProfileProps = RAY_ADDONS) {
  const fixture = appFor('default', profile);
  const job = new GangTrainingJob(fixture.chart, 'finetune', jobProps({
    command: ['python', 'train.py', '--epochs', '3'],
    workers: 2,
    backend: TrainingBackend.rayJob(),
    scheduler: GangScheduler.kueue({ queue: 'research', priorityClass: 'high' }),
    ...props,
  }));
  const objects = synth(fixture);
  const rayJobObject = find(objects, 'RayJob', 'ray.io/v1') as any;
  return { fixture, job, objects, spec: rayJobObject.spec, metadata: rayJobObject.metadata };
}

function rayCluster(props: Partial<RayClusterProps> = {}, profile: ClusterProfileProps = RAY_ADDONS) {
  const fixture = appFor('default', profile);
  const cluster = new RayCluster(fixture.chart, 'lab', { image: RAY_IMAGE, maxWorkers: 2, ...props });
  const objects = synth(fixture);
  return { fixture, cluster, objects, spec: (find(objects, 'RayCluster', 'ray.io/v1') as any).spec };
}

const policies = (objects: KubeObject[]) => Object.fromEntries(objects.filter((o) => o.kind === 'NetworkPolicy').map((o) => [o.metadata.name, (o as any).spec]));

describe('TrainingBackend.rayJob()', () => {
  test('a RayJob whose own RayCluster is one gang: CPU head, GPU workers with min = max = replicas', () => {
    const { job, spec, metadata, objects } = rayJob();
    expect(metadata.name).toBe('finetune');
    expect(metadata.labels).toMatchObject({ 'kueue.x-k8s.io/queue-name': 'research', 'kueue.x-k8s.io/priority-class': 'high' });
    expect(spec).toMatchObject({
      entrypoint: 'python train.py --epochs 3',
      submissionMode: 'K8sJobMode',
      shutdownAfterJobFinishes: true,
      ttlSecondsAfterFinished: 0,
      backoffLimit: 3,
    });
    // Kueue's webhook suspends the job; the manifest never does. A RayJob's cluster never autoscales under Kueue.
    expect(spec.suspend).toBeUndefined();
    expect(spec.rayClusterSpec.enableInTreeAutoscaling).toBeUndefined();
    expect(spec.activeDeadlineSeconds).toBeUndefined();

    const [group] = spec.rayClusterSpec.workerGroupSpecs;
    expect(spec.rayClusterSpec.workerGroupSpecs).toHaveLength(1);
    expect(group).toMatchObject({ groupName: 'workers', replicas: 2, minReplicas: 2, maxReplicas: 2, rayStartParams: { 'num-gpus': '8' } });
    const worker = group.template.spec;
    expect(worker.containers).toHaveLength(1);
    expect(worker.containers[0].name).toBe('ray-worker');
    expect(worker.containers[0].command).toBeUndefined();
    expect(worker.containers[0].args).toBeUndefined();
    expect(worker.containers[0].resources.claims).toEqual([{ name: 'gpus' }]);
    expect(worker.resourceClaims).toEqual([{ name: 'gpus', resourceClaimTemplateName: job.gpuClaimTemplate!.name }]);
    expect(worker.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(job.workload.kind).toBe('RayJob');
    expect(job.leaderAddress).toBe('finetune-head-svc');

    const head = spec.rayClusterSpec.headGroupSpec.template;
    expect(head.metadata.labels['app.kubernetes.io/component']).toBe('ray-head');
    // KubeRay's value, which the RayJob's head Service (the leaderAddress) selects the head pod by (common/job.go
    // BuildHeadServiceForRayJob); the workers and the submitter keep ours.
    expect(head.metadata.labels['app.kubernetes.io/name']).toBe('kuberay');
    expect(group.template.metadata.labels['app.kubernetes.io/name']).toBe('gang-training-job');
    expect(head.spec.resourceClaims).toBeUndefined();
    expect(head.spec.tolerations).toBeUndefined();
    expect(head.spec.containers).toEqual([expect.objectContaining({
      name: 'ray-head',
      image: IMAGE,
      resources: { requests: { cpu: '2', memory: '8Gi' }, limits: { cpu: '2', memory: '8Gi' } },
      ports: [
        { name: 'gcs-server', containerPort: 6379, protocol: 'TCP' },
        { name: 'dashboard', containerPort: 8265, protocol: 'TCP' },
        { name: 'client', containerPort: 10001, protocol: 'TCP' },
        { name: 'metrics', containerPort: 8080, protocol: 'TCP' },
        { name: 'dashboard-agent', containerPort: 52365, protocol: 'TCP' },
      ],
    })]);
    // KubeRay probes the dashboard agent's port on every Ray container: the workers declare it too.
    expect(worker.containers[0].ports).toContainEqual({ name: 'dashboard-agent', containerPort: 52365, protocol: 'TCP' });
    for (const pod of [head.spec, worker, spec.submitterPodTemplate.spec]) {
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(pod.containers[0].securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    }
    const submitter = spec.submitterPodTemplate;
    expect(submitter.metadata.labels['app.kubernetes.io/component']).toBe('ray-submitter');
    expect(submitter.spec.containers[0]).toMatchObject({ name: 'ray-job-submitter', image: IMAGE, resources: { limits: { cpu: '500m', memory: '512Mi' } } });
    expect(submitter.spec.containers[0].command).toBeUndefined();
    expect(objects.map((o) => o.kind).sort()).toEqual(['NetworkPolicy', 'NetworkPolicy', 'RayJob', 'ResourceClaimTemplate']);
  });

  test('the head is reachable by its workers, the submitter and the KubeRay operator only', () => {
    const all = policies(rayJob().objects);
    expect(Object.keys(all).sort()).toEqual(['finetune-head', 'finetune-peers']);
    const head = all['finetune-head'];
    expect(head.podSelector.matchLabels).toEqual({ 'app.kubernetes.io/instance': 'finetune', 'app.kubernetes.io/component': 'ray-head' });
    expect(head.ingress).toEqual([
      { from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'finetune', 'app.kubernetes.io/component': 'trainer' } } }] },
      { from: [{ namespaceSelector: {}, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'kuberay-operator' } } }], ports: [{ port: 8265, protocol: 'TCP' }] },
      { from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'finetune', 'app.kubernetes.io/component': 'ray-submitter' } } }], ports: [{ port: 8265, protocol: 'TCP' }] },
    ]);
    expect(all['finetune-peers'].ingress[0].from[0].podSelector.matchLabels['app.kubernetes.io/component']).toBe('ray-head');
  });

  test('options and job settings map to the RayJob', () => {
    const { spec } = rayJob({
      backend: TrainingBackend.rayJob({ headCpu: 0.5, headMemory: Size.gibibytes(4), rayVersion: '2.52.0', submissionMode: RaySubmissionMode.HTTP }),
      ttlAfterFinished: Duration.minutes(10),
      maxRuntime: Duration.hours(12),
      maxRestarts: 0,
      env: { WANDB_PROJECT: 'llama' },
      checkpoints: TrainingVolume.fromClaim('ckpt'),
    });
    expect(spec).toMatchObject({ submissionMode: 'HTTPMode', ttlSecondsAfterFinished: 600, activeDeadlineSeconds: 43200, backoffLimit: 0 });
    expect(spec.submitterPodTemplate).toBeUndefined();
    expect(spec.rayClusterSpec.rayVersion).toBe('2.52.0');
    const head = spec.rayClusterSpec.headGroupSpec.template.spec.containers[0];
    expect(head.resources.limits).toEqual({ cpu: '500m', memory: '4Gi' });
    // The entrypoint runs on the head: it gets the job's env and volumes too.
    expect(head.env).toEqual(expect.arrayContaining([{ name: 'WANDB_PROJECT', value: 'llama' }, { name: 'CHECKPOINT_DIR', value: '/checkpoints' }]));
    expect(head.volumeMounts).toEqual(expect.arrayContaining([{ name: 'checkpoints', mountPath: '/checkpoints' }]));
  });

  test('the pool places the workers, not the head; extended-resource GPUs still tell Ray num-gpus', () => {
    // A device-plugin cluster: the GPUs are the extended resource, which KubeRay would count; num-gpus is set anyway.
    const fixture = appFor('default', { ...RAY_ADDONS, gpuAllocation: GpuAllocation.DEVICE_PLUGIN });
    const pool = new GpuNodePool(fixture.chart, 'pool', { gpu: GpuModel.NVIDIA_H100_80_GB, gpusPerNode: 8, maxNodes: 2, name: 'h100' });
    new GangTrainingJob(fixture.chart, 'finetune', jobProps({
      command: ['python', 'train.py'], workers: 2, nodePool: pool, backend: TrainingBackend.rayJob(),
    }));
    const spec = (find(synth(fixture), 'RayJob') as any).spec;
    const [group] = spec.rayClusterSpec.workerGroupSpecs;
    expect(group.rayStartParams).toEqual({ 'num-gpus': '8' });
    expect(group.template.spec.containers[0].resources.limits['nvidia.com/gpu']).toBe(8);
    expect(group.template.spec.affinity.nodeAffinity).toBeDefined();
    expect(spec.rayClusterSpec.headGroupSpec.template.spec.affinity).toBeUndefined();
  });

  test('the default launcher is raw: the command is the entrypoint; words with spaces are quoted once', () => {
    const { spec } = rayJob({ command: ['python', '-m', 'acme.train'], args: ['--run-name', 'llama ft', '--lr=1e-4'] });
    expect(spec.entrypoint).toBe("python -m acme.train --run-name 'llama ft' --lr=1e-4");
  });

  test('same app, same bytes', () => {
    expect(rayJob().fixture.app.synthYaml()).toBe(rayJob().fixture.app.synthYaml());
    expect(rayCluster({ minWorkers: 0 }).fixture.app.synthYaml()).toBe(rayCluster({ minWorkers: 0 }).fixture.app.synthYaml());
  });

  test.each([
    ['GangScheduler.podGroup()', { scheduler: GangScheduler.podGroup() }, 'scheduler: TrainingBackend.rayJob() (ray_job()) cannot run under GangScheduler.podGroup() (pod_group())'],
    ['GangScheduler.workloadApi()', { scheduler: GangScheduler.workloadApi() }, 'scheduler: TrainingBackend.rayJob() (ray_job()) cannot run under GangScheduler.workloadApi() (workload_api()): the gang comes from Kueue'],
    ['torchrun', { launcher: TrainingLauncher.torchrun() }, 'launcher: TrainingBackend.rayJob() (ray_job()) cannot use TrainingLauncher.torchrun(): KubeRay runs the command once'],
    ['no command', { command: undefined }, 'command: a RayJob needs the program to run'],
    ['a shell character', { args: ['--name=$USER'] }, 'args[0]: got "--name=$USER"; expected a word of letters'],
    ['per-pod retries', { backoffLimit: 1 }, 'backoffLimit (backoff_limit): got 1; a RayJob has no per-pod retries'],
    ['a name KubeRay refuses', { name: 'a'.repeat(48) }, `name: got "${'a'.repeat(48)}" (48 characters); a RayJob name can have at most 47`],
  ] as [string, Partial<GangTrainingJobProps>, string][])('refuses %s', (_, props, message) => {
    expect(() => rayJob(props)).toThrow(message);
  });

  test('refuses a profile without KubeRay', () => {
    expect(() => rayJob({}, {})).toThrow('backend: TrainingBackend.rayJob() (ray_job()) needs KubeRay (ray.io)');
  });
});

describe('RayCluster', () => {
  test('a fixed-size cluster: no autoscaler, replicas = min = max, workers and head isolated', () => {
    const { cluster, spec, objects } = rayCluster({ gpusPerWorker: GpuRequest.of(1, { model: GpuModel.NVIDIA_L4 }), clientPodLabels: { app: 'notebook' } });
    expect(cluster.name).toBe('lab');
    expect(cluster.headServiceName).toBe('lab-head-svc');
    expect(cluster.autoscaling).toBe(false);
    expect(spec.enableInTreeAutoscaling).toBeUndefined();
    expect(spec.workerGroupSpecs[0]).toMatchObject({ groupName: 'workers', replicas: 2, minReplicas: 2, maxReplicas: 2, rayStartParams: { 'num-gpus': '1' } });
    const worker = spec.workerGroupSpecs[0].template.spec.containers[0];
    expect(worker).toMatchObject({ name: 'ray-worker', image: RAY_IMAGE, resources: { limits: { cpu: '4', memory: '16Gi' } } });
    expect(worker.command).toBeUndefined();
    expect(spec.headGroupSpec.template.spec.automountServiceAccountToken).toBe(false);
    expect(spec.headGroupSpec.template.metadata.annotations).toBeUndefined();
    const all = policies(objects);
    expect(Object.keys(all).sort()).toEqual(['lab-head', 'lab-workers']);
    expect(all['lab-head'].ingress).toContainEqual({
      from: [{ podSelector: { matchLabels: { app: 'notebook' } } }],
      ports: [{ port: 8265, protocol: 'TCP' }, { port: 10001, protocol: 'TCP' }],
    });
    expect(cluster.networkPolicies).toHaveLength(2);
  });

  test('minWorkers below maxWorkers turns on the Ray autoscaler, with a restricted sidecar and a token', () => {
    const { cluster, spec } = rayCluster({ minWorkers: 0, maxWorkers: 4 });
    expect(cluster.autoscaling).toBe(true);
    expect(spec.enableInTreeAutoscaling).toBe(true);
    expect(spec.workerGroupSpecs[0]).toMatchObject({ replicas: 0, minReplicas: 0, maxReplicas: 4 });
    expect(spec.autoscalerOptions.securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true });
    expect(spec.headGroupSpec.template.spec.automountServiceAccountToken).toBe(true);
    expect(spec.headGroupSpec.template.spec.serviceAccountName).toBeUndefined();
  });

  test('under Kueue: the queue label on the RayCluster, which Kueue suspends itself', () => {
    const { objects, spec } = rayCluster({ scheduler: GangScheduler.kueue({ queue: 'research' }) });
    const obj = find(objects, 'RayCluster');
    expect(obj.metadata).toMatchObject({ namespace: NAMESPACE, labels: { 'kueue.x-k8s.io/queue-name': 'research' } });
    expect(spec.suspend).toBeUndefined();
  });

  test('autoscaled under Kueue: an elastic job, the annotation and the gate Kueue\'s webhook requires on every pod template', () => {
    const { objects, spec } = rayCluster({ minWorkers: 1, maxWorkers: 3, scheduler: GangScheduler.kueue({ queue: 'research' }) });
    expect(find(objects, 'RayCluster').metadata.annotations).toEqual({ 'kueue.x-k8s.io/elastic-job': 'true' });
    const gates = [spec.headGroupSpec.template, ...spec.workerGroupSpecs.map((g: any) => g.template)].map((t: any) => t.spec.schedulingGates);
    expect(gates).toEqual([[{ name: 'kueue.x-k8s.io/elastic-job' }], [{ name: 'kueue.x-k8s.io/elastic-job' }]]);
    // a fixed-size queued cluster and an autoscaled cluster outside Kueue stay as they were
    expect(find(rayCluster({ scheduler: GangScheduler.kueue({ queue: 'research' }) }).objects, 'RayCluster').metadata.annotations).toBeUndefined();
    expect(rayCluster({ minWorkers: 1, maxWorkers: 3 }).spec.headGroupSpec.template.spec.schedulingGates).toBeUndefined();
  });

  test.each([
    ['coscheduling', { scheduler: GangScheduler.podGroup() }, 'scheduler: a RayCluster cannot run under GangScheduler.podGroup()'],
    ['more min than max workers', { minWorkers: 3 }, 'minWorkers (min_workers): got 3; expected at most maxWorkers (2)'],
    ['a name KubeRay refuses', { name: '9lab' }, 'name: got "9lab"; KubeRay requires a RayCluster name that starts with a letter'],
  ] as [string, Partial<RayClusterProps>, string][])('refuses %s', (_, props, message) => {
    expect(() => rayCluster(props)).toThrow(message);
  });
});
