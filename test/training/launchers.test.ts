// The launchers beyond torchrun (DeepSpeed, JAX, MPI), the initializers and the checkpoint/resume contract: what
// each puts into the JobSet or the Kubeflow Trainer runtime, checked field by field against the upstream conventions
// cited in src/training/launchers/*.ts. The same shapes go to the real apiserver in launchers.apiserver.test.ts.
import { App, Chart, Size } from 'cdk8s';
import { BACKENDS, IMAGE, build, find, jobSetSpecOf, workloadObjects } from './fixtures';
import { GpuModel } from '../../src/accelerators/gpu-model';
import { GpuNodePool } from '../../src/accelerators/gpu-node-pool';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { ClusterProfile, GpuAllocation } from '../../src/cluster/cluster-profile';
import { KubernetesVersion } from '../../src/cluster/kubernetes-version';
import { AiTenant } from '../../src/platform/ai-tenant';
import { GangScheduler } from '../../src/training/gang-scheduler';
import { GangTopology } from '../../src/training/gang-topology';
import { GangTrainingJob, GangTrainingJobProps } from '../../src/training/gang-training-job';
import { TrainingBackend } from '../../src/training/training-backend';
import { InitializerTarget, TrainingInitializer } from '../../src/training/training-initializer';
import { TrainingLauncher } from '../../src/training/training-launcher';
import { TrainingVolume } from '../../src/training/training-volume';
import { KubeObject, toObjects } from '../harness';

const INDEX = "metadata.annotations['batch.kubernetes.io/job-completion-index']";

/** The replicated job `name` of the JobSet (or of the Trainer runtime's JobSet template). */
function rjob(template: KubeObject, name: string): any {
  const found = jobSetSpecOf(template).replicatedJobs.find((r: any) => r.name === name);
  if (!found) throw new Error(`no replicated job ${name}: ${jobSetSpecOf(template).replicatedJobs.map((r: any) => r.name).join(', ')}`);
  return found;
}

function container(template: KubeObject, name: string): any {
  return rjob(template, name).template.spec.template.spec.containers[0];
}

function envOf(c: any): Record<string, unknown> {
  return Object.fromEntries((c.env ?? []).map((e: any) => [e.name, e.value ?? e.valueFrom]));
}

function job(backend: string, props: Partial<GangTrainingJobProps>) {
  const built = build('default', { backend: BACKENDS[backend](), ...props });
  return { ...built, ...workloadObjects(built.objects) };
}

describe('TrainingLauncher.deepspeed(): deepspeed --no_ssh on every worker, the world from a hostfile', () => {
  test('JobSet: the runner options from the gang, the program after them, the node rank from the completion index', () => {
    const { template, objects } = job('jobSet', { launcher: TrainingLauncher.deepspeed(), command: ['train.py', '--deepspeed', 'ds.json'], args: ['--epochs', '3'] });
    const c = container(template, 'worker');
    expect(c.command).toEqual(['deepspeed']);
    expect(c.args).toEqual([
      '--hostfile=/etc/deepspeed/hostfile', '--no_ssh', '--node_rank=$(NODE_RANK)', '--master_addr=finetune-worker-0-0.finetune',
      '--master_port=29500', '--num_nodes=4', '--num_gpus=8', 'train.py', '--deepspeed', 'ds.json', '--epochs', '3',
    ]);
    // Kubernetes expands $(NODE_RANK) from the container's own variable, which must come before any use.
    expect(c.env[0]).toEqual({ name: 'NODE_RANK', valueFrom: { fieldRef: { fieldPath: INDEX } } });
    expect(envOf(c)).toMatchObject({ NCCL_SOCKET_IFNAME: '^lo,docker', TORCH_NCCL_ASYNC_ERROR_HANDLING: '1' });
    expect(c.ports).toEqual([{ name: 'rendezvous', containerPort: 29500, protocol: 'TCP' }]);
    expect(c.volumeMounts).toContainEqual({ name: 'hostfile', mountPath: '/etc/deepspeed', readOnly: true });
    expect(rjob(template, 'worker').template.spec.template.spec.volumes).toContainEqual({ name: 'hostfile', configMap: { name: 'finetune-hostfile' } });
    const hostfile = find(objects, 'ConfigMap');
    expect(hostfile.metadata).toMatchObject({ name: 'finetune-hostfile', namespace: 'training' });
    expect((hostfile as any).data.hostfile).toBe([0, 1, 2, 3].map((i) => `finetune-worker-0-${i}.finetune slots=8\n`).join(''));
  });

  test('Kubeflow Trainer: the same launcher in a plain runtime (no framework policy), hostnames of the node job', () => {
    const { template, workload, objects } = job('kubeflowTrainer', {
      launcher: TrainingLauncher.deepspeed({ procsPerNode: 4, port: 29600, nccl: { ibHcas: 'mlx5' } }),
    });
    expect((template as any).spec.mlPolicy).toEqual({ numNodes: 4 });
    expect(template.metadata.labels?.['trainer.kubeflow.org/framework']).toBeUndefined();
    expect((workload as any).spec.trainer).toEqual({ numNodes: 4 });
    const c = container(template, 'node');
    expect(c.args.slice(0, 7)).toEqual([
      '--hostfile=/etc/deepspeed/hostfile', '--no_ssh', '--node_rank=$(NODE_RANK)', '--master_addr=finetune-node-0-0.finetune',
      '--master_port=29600', '--num_nodes=4', '--num_gpus=4',
    ]);
    expect(envOf(c).NCCL_IB_HCA).toBe('mlx5');
    expect((find(objects, 'ConfigMap') as any).data.hostfile.split('\n')[3]).toBe('finetune-node-0-3.finetune slots=4');
  });

  test('options of the runner that are not the launcher\'s pass through before the script', () => {
    const { template } = job('jobSet', { launcher: TrainingLauncher.deepspeed(), command: ['--no_local_rank', '--module', 'pkg.train'] });
    expect(container(template, 'worker').args.slice(-3)).toEqual(['--no_local_rank', '--module', 'pkg.train']);
  });
});

describe('TrainingLauncher.jax(): the JAX distributed environment from the gang', () => {
  test('JobSet: coordinator at worker 0, one process per worker, the process id from the completion index', () => {
    const { template } = job('jobSet', { launcher: TrainingLauncher.jax(), command: ['python', 'train.py'] });
    const c = container(template, 'worker');
    expect(c.command).toEqual(['python', 'train.py']);
    expect(c.env.slice(0, 3)).toEqual([
      { name: 'JAX_COORDINATOR_ADDRESS', value: 'finetune-worker-0-0.finetune:29500' },
      { name: 'JAX_NUM_PROCESSES', value: '4' },
      { name: 'JAX_PROCESS_ID', valueFrom: { fieldRef: { fieldPath: INDEX } } },
    ]);
    expect(c.ports).toEqual([{ name: 'coordinator', containerPort: 29500, protocol: 'TCP' }]);
    const custom = job('jobSet', { launcher: TrainingLauncher.jax({ port: 1234 }), command: undefined });
    expect(envOf(container(custom.template, 'worker')).JAX_COORDINATOR_ADDRESS).toBe('finetune-worker-0-0.finetune:1234');
    // No command: the image's entrypoint is the program.
    expect(container(custom.template, 'worker').command).toBeUndefined();
  });

  test('Kubeflow Trainer: the runtime\'s jax policy, whose controller sets the three variables itself', () => {
    const { template, workload } = job('kubeflowTrainer', { launcher: TrainingLauncher.jax(), command: ['python', 'train.py'] });
    expect((template as any).spec.mlPolicy).toEqual({ numNodes: 4, jax: {} });
    expect(template.metadata.labels?.['trainer.kubeflow.org/framework']).toBe('jax');
    expect((workload as any).spec.trainer).toEqual({ numNodes: 4 });
    expect(Object.keys(envOf(container(template, 'node'))).filter((k) => k.startsWith('JAX_'))).toEqual([]);
    expect(rjob(template, 'node').template.metadata.labels).toEqual({ 'trainer.kubeflow.org/trainjob-ancestor-step': 'trainer' });
  });
});

describe('TrainingLauncher.mpi(): sshd on the workers, mpirun on a launcher pod once they are ready', () => {
  const mpi = () => TrainingLauncher.mpi({ sshAuthSecret: 'mpi-ssh', mpirunArgs: ['--bind-to', 'none'] });

  test('JobSet: workers run sshd behind a readiness probe, the launcher depends on them being Ready and decides success', () => {
    const { template, objects } = job('jobSet', { launcher: mpi(), command: ['python', 'train.py'], env: { WANDB_PROJECT: 'llama' } });
    const js = jobSetSpecOf(template);
    expect(js.replicatedJobs.map((r: any) => [r.name, r.dependsOn])).toEqual([
      ['worker', undefined],
      ['launcher', [{ name: 'worker', status: 'Ready' }]],
    ]);
    expect(js.successPolicy).toEqual({ operator: 'All', targetReplicatedJobs: ['launcher'] });
    expect(js.coordinator).toEqual({ replicatedJob: 'worker', jobIndex: 0, podIndex: 0 });
    const worker = container(template, 'worker');
    expect(worker.command).toEqual(['/usr/sbin/sshd', '-De', '-f', '/home/mpiuser/.sshd_config']);
    expect(worker.readinessProbe).toEqual({ tcpSocket: { port: 2222 }, initialDelaySeconds: 5 });
    expect(worker.ports).toEqual([{ name: 'ssh', containerPort: 2222, protocol: 'TCP' }]);
    // GPU workers have a writable root anyway; sshd writes its pid file into the user's home.
    expect(worker.securityContext.readOnlyRootFilesystem).toBe(false);
    const sshVolume = {
      name: 'ssh-auth',
      secret: {
        secretName: 'mpi-ssh',
        defaultMode: 0o400,
        items: [
          { key: 'ssh-privatekey', path: 'id_rsa', mode: 0o640 },
          { key: 'ssh-publickey', path: 'id_rsa.pub', mode: 0o644 },
          { key: 'ssh-publickey', path: 'authorized_keys', mode: 0o644 },
        ],
      },
    };
    for (const name of ['worker', 'launcher']) {
      expect(rjob(template, name).template.spec.template.spec.volumes).toContainEqual(sshVolume);
      expect(container(template, name).volumeMounts).toEqual(expect.arrayContaining([
        { name: 'ssh-auth', mountPath: '/home/mpiuser/.ssh', readOnly: true },
        { name: 'hostfile', mountPath: '/etc/mpi', readOnly: true },
      ]));
    }
    expect((find(objects, 'ConfigMap') as any).data.hostfile).toBe([0, 1, 2, 3].map((i) => `finetune-worker-0-${i}.finetune slots=8\n`).join(''));

    const launcher = container(template, 'launcher');
    expect(launcher.name).toBe('launcher');
    expect(launcher.command).toEqual(['mpirun']);
    const exported = Object.keys(envOf(worker)).flatMap((n) => ['-x', n]);
    expect(launcher.args).toEqual(['-np', '32', '-x', 'PATH', '-x', 'LD_LIBRARY_PATH', ...exported, '--bind-to', 'none', 'python', 'train.py']);
    expect(exported).toEqual(expect.arrayContaining(['WANDB_PROJECT', 'HOME']));
    expect(launcher.env.slice(0, 4)).toEqual([
      { name: 'OMPI_MCA_orte_default_hostfile', value: '/etc/mpi/hostfile' },
      { name: 'OMPI_MCA_orte_keep_fqdn_hostnames', value: 'true' },
      { name: 'OMPI_MCA_orte_set_default_slots', value: '8' },
      { name: 'OMPI_MCA_plm_rsh_args', value: '-o ConnectionAttempts=10 -p 2222' },
    ]);
    // The launcher has the worker container's variables (the ranks get them through -x), no GPUs, and is a gang peer.
    expect(launcher.env.slice(4)).toEqual(worker.env);
    expect(launcher.resources).toEqual({ requests: { cpu: '1', memory: '2Gi' }, limits: { cpu: '1', memory: '2Gi' } });
    const launcherPod = rjob(template, 'launcher').template.spec.template;
    expect(launcherPod.spec.resourceClaims).toBeUndefined();
    expect(launcherPod.metadata.labels).toEqual(rjob(template, 'worker').template.spec.template.metadata.labels);
  });

  test('Kubeflow Trainer: the MPI runtime, whose controller writes the hostfile and generates the SSH keys', () => {
    const { template, workload, objects } = job('kubeflowTrainer', { launcher: TrainingLauncher.mpi({ procsPerNode: 2 }), command: ['python', 'train.py'] });
    expect((template as any).spec.mlPolicy).toEqual({
      numNodes: 4,
      mpi: { numProcPerNode: 2, mpiImplementation: 'OpenMPI', sshAuthMountPath: '/home/mpiuser/.ssh', runLauncherAsNode: false },
    });
    expect((workload as any).spec.trainer).toEqual({ numNodes: 4, numProcPerNode: 2 });
    expect(objects.filter((o) => o.kind === 'ConfigMap')).toEqual([]);
    // deepspeed_distributed.yaml: the trainer ancestor is the launcher; both containers are named node.
    expect(rjob(template, 'node').template.metadata).toBeUndefined();
    expect(rjob(template, 'launcher').template.metadata.labels).toEqual({ 'trainer.kubeflow.org/trainjob-ancestor-step': 'trainer' });
    expect(container(template, 'launcher').name).toBe('node');
    expect(container(template, 'launcher').env.filter((e: any) => e.name.startsWith('OMPI_'))).toEqual([]);
    expect(container(template, 'node').volumeMounts.map((m: any) => m.mountPath)).not.toContain('/home/mpiuser/.ssh');
    expect(container(template, 'launcher').args.slice(0, 2)).toEqual(['-np', '8']);
  });

  test('a CPU-only MPI job keeps a writable root unless the job says otherwise; sshd options follow the mount path', () => {
    const { template } = job('jobSet', {
      gpusPerWorker: undefined,
      launcher: TrainingLauncher.mpi({ sshAuthSecret: 'mpi-ssh', sshAuthMountPath: '/home/app/.ssh', sshPort: 2022 }),
      command: ['./allreduce'],
    });
    const worker = container(template, 'worker');
    expect(worker.command).toEqual(['/usr/sbin/sshd', '-De', '-f', '/home/app/.sshd_config']);
    expect(worker.securityContext.readOnlyRootFilesystem).toBe(false);
    expect(envOf(container(template, 'launcher')).OMPI_MCA_plm_rsh_args).toBe('-o ConnectionAttempts=10 -p 2022');
    expect(container(template, 'launcher').args.slice(0, 2)).toEqual(['-np', '4']);
    const readOnly = job('jobSet', {
      gpusPerWorker: undefined, security: { readOnlyRootFilesystem: true }, launcher: TrainingLauncher.mpi({ sshAuthSecret: 'mpi-ssh' }), command: ['./a'],
    });
    expect(container(readOnly.template, 'worker').securityContext.readOnlyRootFilesystem).toBe(true);
  });
});

describe('initializers: download once into the job\'s volume before the gang starts', () => {
  const initializers = [
    TrainingInitializer.huggingFace('tatsu-lab/alpaca', { target: InitializerTarget.DATASET }),
    TrainingInitializer.huggingFace('meta-llama/Llama-3.1-8B', {
      target: InitializerTarget.MODEL, tokenSecret: { secretName: 'hf-token', key: 'token' }, ignorePatterns: ['*.pth', 'original/*'],
    }),
  ];
  const volumes = { dataset: TrainingVolume.fromClaim('datasets'), model: TrainingVolume.fromClaim('models') };

  test.each(['jobSet', 'kubeflowTrainer'])('%s: single-pod jobs first, the workers depend on each being Complete', (backend) => {
    const { template } = job(backend, { ...volumes, initializers });
    const js = jobSetSpecOf(template);
    const workers = backend === 'jobSet' ? 'worker' : 'node';
    expect(js.replicatedJobs.map((r: any) => r.name)).toEqual(['dataset-initializer', 'model-initializer', workers]);
    expect(rjob(template, workers).dependsOn).toEqual([
      { name: 'dataset-initializer', status: 'Complete' },
      { name: 'model-initializer', status: 'Complete' },
    ]);
    expect(js.successPolicy.targetReplicatedJobs).toEqual([workers]);
    const model = rjob(template, 'model-initializer');
    expect(model.template.spec).toMatchObject({ parallelism: 1, completions: 1, backoffLimit: 3 });
    if (backend === 'kubeflowTrainer') {
      expect(model.template.metadata.labels).toEqual({ 'trainer.kubeflow.org/trainjob-ancestor-step': 'model-initializer' });
    }
    const c = container(template, 'model-initializer');
    expect(c.name).toBe('model-initializer');
    expect(c.image).toBe('ghcr.io/kubeflow/trainer/model-initializer:v2.3.0');
    expect(c.env).toEqual([
      { name: 'HF_TOKEN_PATH', value: '/var/run/secrets/huggingface/token' },
      { name: 'HOME', value: '/tmp' },
      { name: 'IGNORE_PATTERNS', value: '*.pth,original/*' },
      { name: 'STORAGE_URI', value: 'hf://meta-llama/Llama-3.1-8B' },
    ]);
    // The image writes to /workspace/model: the model claim is mounted there, read-write; the token is a file.
    expect(c.volumeMounts).toEqual([
      { name: 'model', mountPath: '/workspace/model' },
      { name: 'hf-token', mountPath: '/var/run/secrets/huggingface', readOnly: true },
      { name: 'tmp', mountPath: '/tmp' },
    ]);
    const pod = model.template.spec.template.spec;
    expect(pod.volumes).toContainEqual({ name: 'model', persistentVolumeClaim: { claimName: 'models' } });
    expect(pod.volumes).toContainEqual({ name: 'hf-token', secret: { secretName: 'hf-token', items: [{ key: 'token', path: 'token' }], defaultMode: 0o440 } });
    expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(pod.resourceClaims).toBeUndefined();
    expect(pod.tolerations).toBeUndefined();
    expect(model.template.spec.template.metadata.labels['app.kubernetes.io/component']).toBe('model-initializer');
    // The workers see the same volumes read-only.
    const worker = container(template, workers);
    expect(worker.volumeMounts).toEqual(expect.arrayContaining([
      { name: 'dataset', mountPath: '/data', readOnly: true },
      { name: 'model', mountPath: '/model', readOnly: true },
    ]));
    expect(envOf(worker)).toMatchObject({ DATASET_DIR: '/data', MODEL_DIR: '/model' });
  });

  test('an initializer of your own fills the volume where the workers find it, credentials by reference', () => {
    const { template } = job('jobSet', {
      ...volumes,
      initializers: [TrainingInitializer.fromContainer({
        target: InitializerTarget.DATASET,
        image: IMAGE,
        command: ['python', '-m', 'fetch'],
        args: ['s3://bucket/data'],
        env: { AWS_REGION: 'us-east-1' },
        secretEnv: { AWS_SECRET_ACCESS_KEY: { secretName: 's3', key: 'secret' } },
      })],
    });
    const c = container(template, 'dataset-initializer');
    expect(c).toMatchObject({ image: IMAGE, command: ['python', '-m', 'fetch'], args: ['s3://bucket/data'] });
    expect(c.env).toEqual([
      { name: 'AWS_REGION', value: 'us-east-1' },
      { name: 'DATASET_DIR', value: '/data' },
      { name: 'HOME', value: '/tmp' },
      { name: 'AWS_SECRET_ACCESS_KEY', valueFrom: { secretKeyRef: { name: 's3', key: 'secret' } } },
    ]);
    expect(c.volumeMounts).toContainEqual({ name: 'dataset', mountPath: '/data' });
  });

  test('with MPI: initializers, then the workers, then the launcher', () => {
    const { template } = job('jobSet', {
      ...volumes, initializers: [initializers[1]], launcher: TrainingLauncher.mpi({ sshAuthSecret: 'mpi-ssh' }), command: ['python', 'train.py'],
    });
    expect(jobSetSpecOf(template).replicatedJobs.map((r: any) => [r.name, r.dependsOn])).toEqual([
      ['model-initializer', undefined],
      ['worker', [{ name: 'model-initializer', status: 'Complete' }]],
      ['launcher', [{ name: 'worker', status: 'Ready' }]],
    ]);
  });
});

describe('the checkpoint/resume contract', () => {
  test.each(['jobSet', 'kubeflowTrainer'])('%s: CHECKPOINT_DIR, RESUME_FROM_CHECKPOINT=auto and the gang restart count', (backend) => {
    const { template } = job(backend, { checkpoints: TrainingVolume.fromClaim('checkpoints') });
    const c = container(template, backend === 'jobSet' ? 'worker' : 'node');
    expect(envOf(c)).toMatchObject({
      CHECKPOINT_DIR: '/checkpoints',
      RESUME_FROM_CHECKPOINT: 'auto',
      JOBSET_RESTART_ATTEMPT: { fieldRef: { fieldPath: "metadata.annotations['jobset.sigs.k8s.io/restart-attempt']" } },
    });
    expect(c.volumeMounts).toContainEqual({ name: 'checkpoints', mountPath: '/checkpoints' });
  });

  test('resumeFromCheckpoint: false says never; the job env may override the default but not the restart count', () => {
    const never = job('jobSet', { checkpoints: TrainingVolume.fromClaim('c'), resumeFromCheckpoint: false });
    expect(envOf(container(never.template, 'worker')).RESUME_FROM_CHECKPOINT).toBe('never');
    const custom = job('jobSet', { checkpoints: TrainingVolume.fromClaim('c'), env: { RESUME_FROM_CHECKPOINT: 'latest' } });
    expect(envOf(container(custom.template, 'worker')).RESUME_FROM_CHECKPOINT).toBe('latest');
    expect(() => job('jobSet', { checkpoints: TrainingVolume.fromClaim('c'), env: { JOBSET_RESTART_ATTEMPT: '0' } }))
      .toThrow('env.JOBSET_RESTART_ATTEMPT: got "0"; expected no value: the launcher sets JOBSET_RESTART_ATTEMPT from the gang');
  });

  test('without checkpoints the container gets none of it (the README and example jobs are unchanged)', () => {
    const { template } = job('jobSet', { sharedMemorySize: Size.gibibytes(8) });
    const names = Object.keys(envOf(container(template, 'worker')));
    expect(names.filter((n) => /CHECKPOINT|RESTART|MODEL_DIR/.test(n))).toEqual([]);
  });
});

test('the same app gives the same bytes with every new part', () => {
  const yaml = () => build('default', {
    backend: TrainingBackend.jobSet(),
    launcher: TrainingLauncher.mpi({ sshAuthSecret: 'mpi-ssh' }),
    command: ['python', 'train.py'],
    gpusPerWorker: GpuRequest.of(2),
    model: TrainingVolume.fromClaim('models'),
    checkpoints: TrainingVolume.fromClaim('checkpoints'),
    initializers: [TrainingInitializer.huggingFace('meta-llama/Llama-3.1-8B', { target: InitializerTarget.MODEL })],
    failurePolicy: { failFastExitCodes: [2, 1], restartExitCodes: [137] },
  }).app.synthYaml();
  expect(yaml()).toEqual(yaml());
});

test('under Kueue topology-aware scheduling the initializer and launcher pods ask for an unconstrained placement too', () => {
  const app = new App({ outdir: '/tmp/cdk8s-ai-training-tests' });
  new ClusterProfile(app, 'Cluster', { kubernetesVersion: KubernetesVersion.V1_34, gpuAllocation: GpuAllocation.DEVICE_PLUGIN });
  const chart = new Chart(app, 'platform', { disableResourceNameHashes: true });
  const pool = new GpuNodePool(chart, 'h100', { name: 'h100', gpu: GpuModel.NVIDIA_H100_80_GB, gpusPerNode: 8, maxNodes: 8, topologyLevels: ['example.com/block'] });
  const tenant = new AiTenant(chart, 'research', { team: 'research', owner: 'ml', costCenter: 'cc-1', gpuQuota: [{ pool, gpus: 64 }] });
  new GangTrainingJob(tenant, 'train', {
    image: IMAGE,
    command: ['python', 'train.py'],
    workers: 2,
    gpusPerWorker: GpuRequest.of(8, { model: GpuModel.NVIDIA_H100_80_GB }),
    nodePool: pool,
    scheduler: GangScheduler.kueue({ queue: tenant.queueName }),
    topology: GangTopology.sameDomain('example.com/block'),
    launcher: TrainingLauncher.mpi({ sshAuthSecret: 'mpi-ssh' }),
    model: TrainingVolume.fromClaim('models'),
    initializers: [TrainingInitializer.huggingFace('meta-llama/Llama-3.1-8B', { target: InitializerTarget.MODEL })],
  });
  app.synthYaml();
  const template = find(toObjects(chart), 'JobSet');
  const annotations = (name: string) => rjob(template, name).template.spec.template.metadata.annotations;
  expect(annotations('worker')).toMatchObject({ 'kueue.x-k8s.io/podset-required-topology': 'example.com/block' });
  expect(annotations('launcher')).toEqual({ 'karpenter.sh/do-not-disrupt': 'true', 'kueue.x-k8s.io/podset-unconstrained-topology': 'true' });
  expect(annotations('model-initializer')).toEqual({ 'kueue.x-k8s.io/podset-unconstrained-topology': 'true' });
});
