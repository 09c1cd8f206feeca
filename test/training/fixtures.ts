// Shared fixtures for the training tests: profiles per test environment, a job builder, and the pods a backend's
// controller creates from the synthesized objects.
import { App, Chart } from 'cdk8s';
import { GpuModel } from '../../src/accelerators/gpu-model';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { ClusterAddon } from '../../src/cluster/cluster-addon';
import { ClusterProfile, ClusterProfileProps } from '../../src/cluster/cluster-profile';
import { KubernetesVersion } from '../../src/cluster/kubernetes-version';
import { GangScheduler } from '../../src/training/gang-scheduler';
import { GangTrainingJob, GangTrainingJobProps } from '../../src/training/gang-training-job';
import { TrainingBackend } from '../../src/training/training-backend';
import { KubeObject, toObjects } from '../harness';

export type Env = 'default' | 'latest';
export const NAMESPACE = 'training';
export const IMAGE = 'ghcr.io/acme/train@sha256:' + 'c'.repeat(64);
/** Every add-on a gang job can use. */
export const TRAINING_ADDONS = [...ClusterAddon.defaults(), ClusterAddon.SCHEDULER_PLUGINS, ClusterAddon.KUBEFLOW_TRAINER];

/** The ClusterProfile matching a test environment: 1.34 defaults, or 1.37 with the Workload API gate on. */
export function profileFor(env: Env, extra: ClusterProfileProps = {}): ClusterProfileProps {
  return env === 'latest'
    ? { kubernetesVersion: KubernetesVersion.V1_37, featureGates: { GenericWorkload: true }, addons: TRAINING_ADDONS, ...extra }
    : { kubernetesVersion: KubernetesVersion.V1_34, addons: TRAINING_ADDONS, ...extra };
}

export interface Fixture {
  readonly app: App;
  readonly chart: Chart;
}

/** An app with the profile of `env` and one chart in `namespace` (null: a chart without namespace, for tenants). */
export function appFor(env: Env, profile: ClusterProfileProps = {}, namespace: string | null = NAMESPACE): Fixture {
  const app = new App({ outdir: '/tmp/cdk8s-ai-training-tests' });
  new ClusterProfile(app, 'Cluster', profileFor(env, profile));
  const chart = new Chart(app, 'training', { namespace: namespace ?? undefined });
  return { app, chart };
}

/** Props of a small valid job; override what the test is about. */
export function jobProps(overrides: Partial<GangTrainingJobProps> = {}): GangTrainingJobProps {
  return {
    image: IMAGE,
    command: ['train.py', '--epochs', '3'],
    workers: 4,
    gpusPerWorker: GpuRequest.of(8, { model: GpuModel.NVIDIA_H100_80_GB }),
    scheduler: GangScheduler.kueue({ queue: 'research' }),
    ...overrides,
  };
}

export const SCHEDULERS: Record<string, () => GangScheduler> = {
  kueue: () => GangScheduler.kueue({ queue: 'research', priorityClass: 'high' }),
  podGroup: () => GangScheduler.podGroup(),
  workloadApi: () => GangScheduler.workloadApi(),
};

export const BACKENDS: Record<string, () => TrainingBackend> = {
  jobSet: () => TrainingBackend.jobSet(),
  kubeflowTrainer: () => TrainingBackend.kubeflowTrainer(),
};

/** Synthesizes the app (running every construct's synth-time validation) and returns the chart's objects. */
export function synth(fixture: Fixture): KubeObject[] {
  fixture.app.synthYaml();
  return toObjects(fixture.chart);
}

export interface Built extends Fixture {
  readonly job: GangTrainingJob;
  readonly objects: KubeObject[];
}

/** One job named `finetune` in an app for `env`, synthesized. */
export function build(env: Env, props: Partial<GangTrainingJobProps>, profile: ClusterProfileProps = {}): Built {
  const fixture = appFor(env, profile);
  const job = new GangTrainingJob(fixture.chart, 'finetune', jobProps(props));
  return { ...fixture, job, objects: synth(fixture) };
}

export function find(objects: KubeObject[], kind: string, apiVersion?: string): KubeObject {
  const found = objects.filter((o) => o.kind === kind && (apiVersion === undefined || o.apiVersion === apiVersion));
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}: ${objects.map((o) => o.kind).join(', ')}`);
  return found[0];
}

/** The JobSet spec of a JobSet, or of a TrainingRuntime's template. */
export function jobSetSpecOf(obj: KubeObject): any {
  return obj.kind === 'TrainingRuntime' ? (obj as any).spec.template.spec : (obj as any).spec;
}

/** The worker pod template in a JobSet or TrainingRuntime. */
export function podTemplateOf(obj: KubeObject): any {
  return jobSetSpecOf(obj).replicatedJobs[0].template.spec.template;
}

/**
 * The Indexed Job the JobSet controller creates for the workers (`<name>-<replicatedJob>-0`), so the apiserver
 * checks the pod template with the core Pod validation and Pod Security admission, not only the CRD schema.
 */
export function workerJob(obj: KubeObject): KubeObject {
  const name = obj.metadata.name;
  const rjob = jobSetSpecOf(obj).replicatedJobs[0];
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: `${name}-${rjob.name}-0`, namespace: obj.metadata.namespace, labels: rjob.template.metadata?.labels },
    spec: rjob.template.spec,
  };
}

/** The top-level object of a backend (JobSet or TrainJob) and the object that holds the pod template. */
export function workloadObjects(objects: KubeObject[]): { workload: KubeObject; template: KubeObject } {
  const trainJob = objects.find((o) => o.kind === 'TrainJob');
  if (trainJob) return { workload: trainJob, template: find(objects, 'TrainingRuntime') };
  const jobSet = find(objects, 'JobSet');
  return { workload: jobSet, template: jobSet };
}

/** The env of the trainer container as a name → value (or fieldPath) map. */
export function containerEnv(obj: KubeObject): Record<string, string> {
  const container = podTemplateOf(obj).spec.containers[0];
  return Object.fromEntries((container.env ?? []).map((e: any) => [e.name, e.value ?? e.valueFrom?.fieldRef?.fieldPath]));
}
