// The launchers beyond torchrun, the initializers and the checkpoint contract on the real kube-apiserver: every
// object as synthesized (JobSet or TrainingRuntime + TrainJob, the hostfile ConfigMap) plus the Job of every
// replicated job that the JobSet controller creates (workers, MPI launcher, initializers), so the pod templates pass
// core Pod validation and Pod Security `restricted`, not only the CRD schema.
import { everyJob } from './every-job';
import { BACKENDS, Env, IMAGE, appFor, build, jobSetSpecOf, synth, workloadObjects } from './fixtures';
import { GpuModel } from '../../src/accelerators/gpu-model';
import { GpuNodePool } from '../../src/accelerators/gpu-node-pool';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { AiTenant } from '../../src/platform/ai-tenant';
import { GangScheduler } from '../../src/training/gang-scheduler';
import { GangTrainingJob, GangTrainingJobProps } from '../../src/training/gang-training-job';
import { InitializerTarget, TrainingInitializer } from '../../src/training/training-initializer';
import { TrainingLauncher } from '../../src/training/training-launcher';
import { TrainingVolume } from '../../src/training/training-volume';
import { KubeObject, validateObjects } from '../harness';

let accepted = 0;
afterAll(() => process.stderr.write(`[launchers apiserver] ${accepted} objects accepted by the apiserver\n`));

async function prove(objects: KubeObject[], env: Env): Promise<number> {
  const sent = [...objects, ...everyJob(workloadObjects(objects).template)];
  const results = await validateObjects(sent, { environment: env });
  expect(results.map((r) => `${r.object.kind}/${r.object.metadata.name}`).sort()).toEqual(sent.map((o) => `${o.kind}/${o.metadata.name}`).sort());
  accepted += results.length;
  return sent.filter((o) => o.kind === 'Job').length;
}

const PROGRAMS: Record<string, Partial<GangTrainingJobProps>> = {
  deepspeed: { launcher: TrainingLauncher.deepspeed(), command: ['train.py', '--deepspeed', 'ds_config.json'] },
  jax: { launcher: TrainingLauncher.jax(), command: ['python', 'train.py'] },
  mpiJobSet: { launcher: TrainingLauncher.mpi({ sshAuthSecret: 'mpi-ssh', mpirunArgs: ['--bind-to', 'none'] }), command: ['python', 'train.py'] },
  mpiTrainer: { launcher: TrainingLauncher.mpi({ procsPerNode: 4 }), command: ['python', 'train.py'] },
};

const MATRIX: [string, string, Env, number][] = [
  ['deepspeed', 'jobSet', 'default', 1],
  ['deepspeed', 'kubeflowTrainer', 'default', 1],
  ['jax', 'jobSet', 'default', 1],
  ['jax', 'kubeflowTrainer', 'default', 1],
  ['mpiJobSet', 'jobSet', 'default', 2],
  ['mpiTrainer', 'kubeflowTrainer', 'default', 2],
  ['deepspeed', 'jobSet', 'latest', 1],
  ['mpiJobSet', 'jobSet', 'latest', 2],
  ['mpiTrainer', 'kubeflowTrainer', 'latest', 2],
];

describe('every launcher on every backend is accepted, with the Job of every replicated job', () => {
  test.each(MATRIX)('%s on %s (%s)', async (program, backend, env, jobs) => {
    const { objects } = build(env, { backend: BACKENDS[backend](), ...PROGRAMS[program] });
    expect(await prove(objects, env)).toBe(jobs);
  });
});

describe('initializers, the model volume and the checkpoint contract on the apiserver', () => {
  const everything = (backend: string): Partial<GangTrainingJobProps> => ({
    backend: BACKENDS[backend](),
    dataset: TrainingVolume.fromClaim('datasets'),
    model: TrainingVolume.fromClaim('models'),
    checkpoints: TrainingVolume.fromClaim('checkpoints'),
    resumeFromCheckpoint: true,
    initializers: [
      TrainingInitializer.fromContainer({
        target: InitializerTarget.DATASET,
        image: IMAGE,
        command: ['python', '-m', 'fetch'],
        env: { AWS_REGION: 'us-east-1' },
        secretEnv: { AWS_SECRET_ACCESS_KEY: { secretName: 's3', key: 'secret' } },
      }),
      TrainingInitializer.huggingFace('meta-llama/Llama-3.1-8B', {
        target: InitializerTarget.MODEL, tokenSecret: { secretName: 'hf-token', key: 'token' }, ignorePatterns: ['*.pth'],
      }),
    ],
    failurePolicy: { failFastExitCodes: [1, 2], restartExitCodes: [137] },
  });

  test.each<[string, Env]>([['jobSet', 'default'], ['kubeflowTrainer', 'default'], ['jobSet', 'latest'], ['kubeflowTrainer', 'latest']])(
    'two initializers before the workers on %s (%s)', async (backend, env) => {
      const { objects } = build(env, everything(backend));
      expect(await prove(objects, env)).toBe(3);
    });

  test('MPI with an initializer: initializer, workers, launcher, all with the failure policy', async () => {
    const { objects } = build('default', {
      ...everything('jobSet'), ...PROGRAMS.mpiJobSet, gpusPerWorker: GpuRequest.of(4),
    });
    expect(await prove(objects, 'default')).toBe(4);
  });

  test('a CPU-only MPI gang (writable root for sshd) still passes Pod Security restricted', async () => {
    const { objects } = build('default', { ...PROGRAMS.mpiJobSet, gpusPerWorker: undefined });
    expect(await prove(objects, 'default')).toBe(2);
  });
});

describe('the README snippet (#### Launchers and failure policy)', () => {
  test('a DeepSpeed fine-tune with a model initializer, checkpoints and a failure policy', async () => {
    const { app, chart } = appFor('default', {}, null);
    const h100 = new GpuNodePool(chart, 'h100', { gpu: GpuModel.NVIDIA_H100_80_GB, gpusPerNode: 8, maxNodes: 4 });
    const research = new AiTenant(chart, 'research', { team: 'ml-research', owner: 'alice', costCenter: 'cc-1234', gpuQuota: [{ pool: h100, gpus: 32 }] });
    // --- snippet (as in the README) ---
    new GangTrainingJob(research, 'llama-sft', {
      image: IMAGE,
      command: ['train.py', '--deepspeed', 'ds_config.json'],
      workers: 4,
      gpusPerWorker: GpuRequest.of(8, { model: GpuModel.NVIDIA_H100_80_GB }),
      scheduler: GangScheduler.kueue({ queue: research.queueName }),
      launcher: TrainingLauncher.deepspeed(),
      model: TrainingVolume.fromClaim('models'),
      initializers: [TrainingInitializer.huggingFace('meta-llama/Llama-3.1-8B', { target: InitializerTarget.MODEL, tokenSecret: { secretName: 'hf-token', key: 'token' } })],
      checkpoints: TrainingVolume.fromClaim('checkpoints'),
      failurePolicy: { failFastExitCodes: [1, 2], restartExitCodes: [137] },
    });
    // --- end of snippet ---
    const objects = synth({ app, chart });
    const template = workloadObjects(objects).template;
    expect(jobSetSpecOf(template).replicatedJobs.map((r: any) => r.name)).toEqual(['model-initializer', 'worker']);
    expect(await prove(objects, 'default')).toBe(2);
  });
});
