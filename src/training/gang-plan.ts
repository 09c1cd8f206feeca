/**
 * Internal contracts between GangTrainingJob, its scheduler, launcher and backend. Not part of the public API.
 */
import { ApiObject } from 'cdk8s';
import type { Construct, IConstruct } from 'constructs';
import type { GangTopology } from './gang-topology';
import type { GpuAttachment } from '../accelerators/attach';
import type { GpuNodePool } from '../accelerators/gpu-node-pool';
import type { GpuRequest } from '../accelerators/gpu-request';
import type { ClusterAddon } from '../cluster/cluster-addon';
import type { ClusterProfile } from '../cluster/cluster-profile';
import * as k8s from '../imports/k8s';

/** torchrun's default master port, also the one Kubeflow Trainer injects. */
export const TORCHRUN_DEFAULT_PORT = 29500;

/** What a backend is and what its CRD can carry, known before the pods are built. */
export interface BackendTraits {
  /** The kind of the top-level object, e.g. `JobSet`. */
  readonly kind: string;
  /** Its API group, e.g. `jobset.x-k8s.io`. */
  readonly apiGroup: string;
  /** The CRD release the backend renders for, for messages, e.g. `JobSet v0.12`. */
  readonly release: string;
  /** The add-on the cluster needs. */
  readonly addon: ClusterAddon;
  /** The trainer container's name. */
  readonly containerName: string;
  /** The replicated job that holds the workers. */
  readonly replicatedJobName: string;
  /** Pod fields newer than the 1.34 PodSpec that the CRD's pod template keeps (others would be pruned). */
  readonly podFields: readonly string[];
  /** The backend can delete finished jobs after a TTL. */
  readonly supportsTtl: boolean;
  /** The backend's controller injects the torchrun environment itself. */
  readonly injectsTorchEnv: boolean;
  /** Where the backend departs from the JobSet conventions (KubeRay); undefined for the JobSet-based backends. */
  readonly conventions?: BackendConventions;
  /**
   * The launch conventions the backend's controller implements itself (Kubeflow Trainer's `mlPolicy`: `torch`,
   * `jax`, `mpi`); a launcher then leaves what the controller injects to it.
   */
  readonly controllerPolicies?: readonly string[];
  /** The container name of a separate launcher pod (MPI), e.g. `launcher`. */
  readonly launcherContainerName?: string;
}

/** The conventions of a backend that is not a JobSet underneath (KubeRay). */
export interface BackendConventions {
  /** The longest name its controller accepts, and the upstream source of that limit, for messages. */
  readonly maxNameLength: number;
  readonly nameLimitSource: string;
  /** The leader's stable DNS name for a job name (KubeRay: the head Service). */
  readonly leaderHost: (name: string) => string;
  /** The TTL when the job sets none. */
  readonly defaultTtlSeconds: number;
  /** The GangScheduler factories it works with, e.g. `['kueue']`, and why only those, for messages. */
  readonly schedulers: readonly string[];
  readonly schedulersReason: string;
  /** The launcher factories it works with; the first is the default. */
  readonly launchers: readonly string[];
  readonly launchersReason: string;
}

/** The facts every part of a gang job works from. */
export interface GangPlan {
  /** The name of the top-level object (JobSet, TrainJob) and of the job's other objects. */
  readonly name: string;
  readonly namespace?: string;
  readonly workers: number;
  readonly profile: ClusterProfile;
  /** The standard labels of the job's objects. */
  readonly labels: Record<string, string>;
  /** Labels that select exactly the job's worker pods. */
  readonly podSelector: Record<string, string>;
  readonly backend: BackendTraits;
  readonly gpuRequest?: GpuRequest;
  readonly gpus?: GpuAttachment;
  /** The pool the workers are placed on. */
  readonly nodePool?: GpuNodePool;
  /** Where the workers must land together. */
  readonly topology?: GangTopology;
}

/** What a scheduler adds to the job. */
export interface SchedulerBinding {
  /** Labels on the top-level object (JobSet, TrainJob). */
  readonly jobLabels: Record<string, string>;
  readonly podLabels: Record<string, string>;
  /** Annotations on the pod template (Kueue's pod-set topology request). */
  readonly podAnnotations: Record<string, string>;
  /** Submit the job suspended (a queue admits it). */
  readonly suspend: boolean;
  readonly schedulerName?: string;
  /** Pod spec fields newer than the 1.34 PodSpec (e.g. `schedulingGroup`). */
  readonly podFields: Record<string, unknown>;
  /** Objects the scheduler emitted (PodGroup, Workload). */
  readonly objects: ApiObject[];
}

/** A binding that adds nothing; each scheduler spreads it and sets what it adds. */
export const NO_BINDING: SchedulerBinding = { jobLabels: {}, podLabels: {}, podAnnotations: {}, suspend: false, podFields: {}, objects: [] };

/** How the rendezvous reaches the workers. */
export interface Rendezvous {
  /** The leader's stable DNS name (worker 0). */
  readonly leaderHost: string;
  /** The downward-API field that holds the worker's index. */
  readonly workerIndexFieldPath: string;
  /** The backend's controller injects the torchrun environment itself (Kubeflow Trainer). */
  readonly injectedByController: boolean;
  /** The only port the controller supports, when it injects. */
  readonly fixedPort?: number;
  /** Worker `index`'s stable DNS name (for hostfiles). */
  readonly workerHost?: (index: number) => string;
}

/** What a launcher is told about the job. */
export interface LaunchContext {
  readonly workers: number;
  /** GPUs per worker (0 without GPUs). */
  readonly devicesPerPod: number;
  readonly command?: string[];
  readonly args?: string[];
  readonly rendezvous: Rendezvous;
  /** What the backend's controller implements itself (BackendTraits.controllerPolicies). */
  readonly controllerPolicies?: readonly string[];
  /** The backend's CRD release, for messages, e.g. `JobSet v0.12`. */
  readonly backendRelease?: string;
}

/** What a launcher puts into the trainer container. */
export interface LaunchPlan {
  readonly command?: string[];
  readonly args?: string[];
  /** Computed variables the user may not override. */
  readonly env: k8s.EnvVar[];
  /** Defaults the job's `env` may override. */
  readonly defaultEnv: Record<string, string>;
  readonly ports: k8s.ContainerPort[];
  /** The job runs torchrun (Kubeflow Trainer's torch policy). */
  readonly torch: boolean;
  /** Processes per worker, when the launcher knows it. */
  readonly procsPerNode?: number;
  /** Kubeflow Trainer's `mlPolicy` besides `numNodes` (e.g. `{ jax: {} }`); by default `{ torch: {} }` when `torch`. */
  readonly mlPolicy?: Record<string, unknown>;
  /** The `trainer.kubeflow.org/framework` label of a Trainer runtime; by default `torch` when `torch`. */
  readonly framework?: string;
  /** Files the launcher needs (a hostfile): a ConfigMap mounted read-only into the worker and launcher containers. */
  readonly files?: LaunchFiles;
  /** More volumes of the worker and launcher containers (SSH keys). */
  readonly volumes?: LaunchVolume[];
  /** Paths the backend's controller mounts volumes at (Kubeflow Trainer's MPI SSH keys and hostfile). */
  readonly reservedMountPaths?: string[];
  /** The readiness probe of the worker container (sshd of an MPI worker). */
  readonly readinessProbe?: k8s.Probe;
  /** A separate launcher pod that starts the program on the workers (mpirun); the workers then run `command`. */
  readonly launcherPod?: LauncherPodPlan;
}

/** Files of a launcher, rendered as the ConfigMap `<job>-<name>`. */
export interface LaunchFiles {
  /** The ConfigMap's name suffix and the volume's name, e.g. `hostfile`. */
  readonly name: string;
  readonly mountPath: string;
  readonly data: Record<string, string>;
}

/** A volume a launcher mounts into the worker and launcher containers. */
export interface LaunchVolume {
  readonly volume: k8s.Volume;
  readonly mountPath: string;
}

/** The launcher pod of a launcher that starts the program from one pod (mpirun over SSH). */
export interface LauncherPodPlan {
  readonly command: string[];
  /** The arguments, given the names of the launcher container's variables to pass on to the workers. */
  readonly args: (envNames: readonly string[]) => string[];
  /** Computed variables the user may not override. */
  readonly env: k8s.EnvVar[];
}

/** Everything a backend renders from. */
export interface GangRendering {
  /** The worker pod template as JSON (`metadata` + `spec`), ready for a CRD's opaque template field. */
  readonly podTemplate: { metadata: Record<string, any>; spec: Record<string, any> };
  readonly scheduler: SchedulerBinding;
  readonly launch: LaunchPlan;
  /** Pod retries before the worker's Job fails (and the whole gang restarts). */
  readonly backoffLimit: number;
  /** Whole-gang restarts before the job fails. */
  readonly maxRestarts: number;
  /** Runtime limit of one attempt. */
  readonly activeDeadlineSeconds?: number;
  readonly ttlSecondsAfterFinished?: number;
  /** The job succeeds when the leader (worker 0) succeeds. */
  readonly leaderSuccess: boolean;
  /** Node label of an exclusive topology domain. */
  readonly exclusiveTopology?: string;
  /** Jobs that run to completion before the workers start (dataset and model initializers), in order. */
  readonly initializers?: RoleJob[];
  /** The launcher pod template (MPI), started once the workers are ready. */
  readonly launcherPodTemplate?: { metadata: Record<string, any>; spec: Record<string, any> };
  /** Failure handling by exit code and pod condition. */
  readonly failure?: FailureRendering;
}

/** A single-pod replicated job besides the workers (an initializer). */
export interface RoleJob {
  /** The replicated job's name, which is also its container's name, e.g. `dataset-initializer`. */
  readonly name: string;
  readonly podTemplate: { metadata: Record<string, any>; spec: Record<string, any> };
  /** Pod retries before the Job fails. */
  readonly backoffLimit: number;
}

/** A GangFailurePolicy, rendered. */
export interface FailureRendering {
  /** The Job's `podFailurePolicy` for a pod whose program runs in `containerName` (none without exit-code or disruption rules). */
  readonly podFailurePolicy: (containerName: string) => Record<string, any> | undefined;
  /** The JobSet's `failurePolicy.rules`. */
  readonly rules: Record<string, any>[];
}

/** What a backend emitted. */
export interface BackendObjects {
  /** The object users and queues see: the JobSet or the TrainJob. */
  readonly workload: ApiObject;
  /** Its companions (a TrainingRuntime). */
  readonly companions: ApiObject[];
}

/**
 * One gang scheduler (schedulers/). GangScheduler's factories wrap it, so it never imports GangScheduler: the
 * factories import it, and an import back would close a circle.
 */
export interface SchedulerStrategy {
  /** The name of the factory that makes it, e.g. `kueue`. */
  readonly name: string;
  /** Checks the job against the scheduler and returns what it adds to the job. */
  bind(scope: Construct, plan: GangPlan): SchedulerBinding;
}

/** One training backend (backends/), wrapped by TrainingBackend's factories like a SchedulerStrategy. */
export interface BackendStrategy {
  /** The name of the factory that makes it, e.g. `jobSet`. */
  readonly name: string;
  /** What the backend is and what its CRD can carry. */
  traits(): BackendTraits;
  /** Emits the backend's objects. */
  render(scope: Construct, plan: GangPlan, rendering: GangRendering): BackendObjects;
}

/** One launcher (launchers/), wrapped by TrainingLauncher's factories like a SchedulerStrategy. */
export interface LauncherStrategy {
  /** The name of the factory that makes it, e.g. `torchrun`. */
  readonly name: string;
  /** The container settings for a job. */
  launch(scope: IConstruct, context: LaunchContext): LaunchPlan;
}
