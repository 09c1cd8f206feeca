// KubeRay on the real kube-apiserver (the harness installs the KubeRay v1.7.0 CRDs from ../shared/crds): the RayJob
// of TrainingBackend.rayJob() and the RayCluster construct, plus the pods KubeRay creates from their templates
// (head, worker, submitter) as real Pods and Jobs, so core Pod validation and Pod Security `restricted` see them.
import { Size } from 'cdk8s';
import { Env, TRAINING_ADDONS, appFor, find, jobProps, synth } from './fixtures';
import { rayPods, submitterJob } from './kuberay-objects';
import { GpuModel } from '../../src/accelerators/gpu-model';
import { GpuNodePool } from '../../src/accelerators/gpu-node-pool';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { ClusterAddon } from '../../src/cluster/cluster-addon';
import { ClusterProfileProps } from '../../src/cluster/cluster-profile';
import { AiTenant } from '../../src/platform/ai-tenant';
import { GangScheduler } from '../../src/training/gang-scheduler';
import { GangTrainingJob } from '../../src/training/gang-training-job';
import { RayCluster } from '../../src/training/ray-cluster';
import { RaySubmissionMode, TrainingBackend } from '../../src/training/training-backend';
import { TrainingVolume } from '../../src/training/training-volume';
import { KubeObject, validateObjects } from '../harness';

const RAY_ADDONS: ClusterProfileProps = { addons: [...TRAINING_ADDONS, ClusterAddon.KUBERAY] };
const RAY_IMAGE = 'rayproject/ray@sha256:' + 'a'.repeat(64);

let accepted = 0;
afterAll(() => process.stderr.write(`[ray apiserver] ${accepted} objects accepted by the apiserver\n`));

async function prove(sent: KubeObject[], env: Env): Promise<void> {
  const results = await validateObjects(sent, { environment: env });
  expect(results.map((r) => r.object.kind).sort()).toEqual(sent.map((o) => o.kind).sort());
  accepted += results.length;
}

describe('TrainingBackend.rayJob()', () => {
  test.each(['default', 'latest'] as Env[])('a RayJob gang under Kueue with DRA GPUs on a pool (%s)', async (env) => {
    const fixture = appFor(env, RAY_ADDONS);
    const pool = new GpuNodePool(fixture.chart, 'pool', { gpu: GpuModel.NVIDIA_H100_80_GB, gpusPerNode: 8, maxNodes: 4, name: 'h100' });
    const job = new GangTrainingJob(fixture.chart, 'finetune', jobProps({
      image: RAY_IMAGE,
      command: ['python', 'train.py', '--epochs', '3'],
      workers: 4,
      nodePool: pool,
      backend: TrainingBackend.rayJob({ rayVersion: '2.52.0' }),
      scheduler: GangScheduler.kueue({ queue: 'research', priorityClass: 'high' }),
      checkpoints: TrainingVolume.fromClaim('checkpoints'),
      sharedMemorySize: Size.gibibytes(64),
    }));
    const objects = synth(fixture);
    const rayJob = find(objects, 'RayJob', 'ray.io/v1');
    const spec = (rayJob as any).spec;
    expect(spec.shutdownAfterJobFinishes).toBe(true);
    expect(spec.rayClusterSpec.workerGroupSpecs[0]).toMatchObject({ replicas: 4, minReplicas: 4, maxReplicas: 4 });
    const ns = job.namespace!;
    await prove([...objects, ...rayPods(job.name, ns, spec.rayClusterSpec), ...submitterJob(rayJob)], env);
  });

  test('HTTP submission: no submitter pod, the operator reaches the dashboard', async () => {
    const fixture = appFor('default', RAY_ADDONS);
    const job = new GangTrainingJob(fixture.chart, 'finetune', jobProps({
      command: ['python', 'train.py'], gpusPerWorker: undefined, backend: TrainingBackend.rayJob({ submissionMode: RaySubmissionMode.HTTP }),
    }));
    const objects = synth(fixture);
    const spec = (find(objects, 'RayJob') as any).spec;
    expect(spec.submitterPodTemplate).toBeUndefined();
    await prove([...objects, ...rayPods(job.name, job.namespace!, spec.rayClusterSpec)], 'default');
  });

  test('in a tenant namespace (default-deny): head and workers reach each other, the operator and submitter the dashboard', async () => {
    const fixture = appFor('default', RAY_ADDONS, null);
    const tenant = new AiTenant(fixture.chart, 'research', { namespace: 'research', team: 'ml', owner: 'alice', costCenter: 'cc-1' });
    const job = new GangTrainingJob(tenant, 'finetune', jobProps({
      command: ['python', 'train.py'],
      gpusPerWorker: undefined,
      backend: TrainingBackend.rayJob(),
      scheduler: GangScheduler.kueue({ queue: tenant.queueName }),
    }));
    const objects = synth(fixture);
    const names = objects.filter((o) => o.kind === 'NetworkPolicy').map((o) => o.metadata.name);
    expect(names).toEqual(expect.arrayContaining([
      `${job.name}-ray-head-to-workers-in`, `${job.name}-ray-head-to-workers-out`, `${job.name}-kuberay-operator-in`, `${job.name}-ray-job-submitter-in`,
    ]));
    expect(names).not.toContain(`${job.name}-head`);
    const spec = (find(objects, 'RayJob') as any).spec;
    await prove([...objects, ...rayPods(job.name, 'research', spec.rayClusterSpec), ...submitterJob(find(objects, 'RayJob'))], 'default');
  });
});

describe('RayCluster', () => {
  test.each(['default', 'latest'] as Env[])('a fixed-size GPU cluster under Kueue (%s)', async (env) => {
    const fixture = appFor(env, RAY_ADDONS);
    const cluster = new RayCluster(fixture.chart, 'lab', {
      image: RAY_IMAGE,
      maxWorkers: 2,
      gpusPerWorker: GpuRequest.of(1, { model: GpuModel.NVIDIA_L4 }),
      scheduler: GangScheduler.kueue({ queue: 'research' }),
      volumes: [{ mountPath: '/data', volume: TrainingVolume.fromClaim('datasets'), readOnly: true }],
      env: { HF_HOME: '/tmp/hf' },
      clientPodLabels: { app: 'notebook' },
    });
    const objects = synth(fixture);
    const spec = (find(objects, 'RayCluster', 'ray.io/v1') as any).spec;
    await prove([...objects, ...rayPods(cluster.name, cluster.namespace!, spec)], env);
  });

  test('an autoscaling CPU cluster: the autoscaler sidecar and the head as KubeRay builds them', async () => {
    const fixture = appFor('default', RAY_ADDONS);
    const cluster = new RayCluster(fixture.chart, 'lab', { image: RAY_IMAGE, minWorkers: 0, maxWorkers: 8 });
    const objects = synth(fixture);
    const spec = (find(objects, 'RayCluster', 'ray.io/v1') as any).spec;
    // The head with the autoscaler sidecar KubeRay adds (kuberay-objects.ts), and a worker.
    expect(spec.autoscalerOptions).toBeDefined();
    const pods = rayPods(cluster.name, cluster.namespace!, spec);
    await prove([...objects, ...pods], 'default');
  });
});
