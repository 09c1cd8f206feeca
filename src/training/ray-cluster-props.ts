import { Size } from 'cdk8s';
import { GangScheduler } from './gang-scheduler';
import { TrainingMount } from './training-volume';
import type { GpuNodePool } from '../accelerators/gpu-node-pool';
import { GpuRequest } from '../accelerators/gpu-request';
import { SecretKeyReference } from '../security/secret-reference';
import { WorkloadSecurityProps } from '../security/workload-security';

/**
 * Props for a RayCluster.
 */
export interface RayClusterProps {
  /**
   * The Ray image of the head and the workers, e.g. `rayproject/ray:2.52.0-py312-gpu`.
   */
  readonly image: string;

  /**
   * The most workers the cluster has.
   *
   * With `minWorkers` below it, the Ray autoscaler adds workers up to this number when tasks wait for resources.
   */
  readonly maxWorkers: number;

  /**
   * The fewest workers the cluster keeps.
   *
   * Below `maxWorkers` it turns on the Ray autoscaler (`enableInTreeAutoscaling`), which removes idle workers down
   * to this number; equal to it, the cluster has a fixed size.
   *
   * @default - maxWorkers (a fixed-size cluster)
   */
  readonly minWorkers?: number;

  /**
   * The GPUs each worker gets.
   *
   * @default - no GPUs (CPU workers)
   */
  readonly gpusPerWorker?: GpuRequest;

  /**
   * The GPU node pool the workers run on.
   *
   * @default - no pool placement
   */
  readonly nodePool?: GpuNodePool;

  /**
   * Who admits the cluster.
   *
   * Only `GangScheduler.kueue()` is accepted: Kueue's RayCluster integration admits the head and every worker at
   * once against the queue's quota, and holds that quota for as long as the cluster exists. A cluster that autoscales
   * (`minWorkers` below `maxWorkers`) is queued as a Kueue elastic job: each scale-up is admitted against the quota
   * before its workers start.
   *
   * @default - no queue: KubeRay creates the pods at once
   */
  readonly scheduler?: GangScheduler;

  /**
   * CPU cores each worker requests and is limited to (fractions allowed).
   *
   * @default - 4 cores per GPU of the worker; 2 for a worker without GPUs
   */
  readonly cpuPerWorker?: number;

  /**
   * Memory each worker requests and is limited to.
   *
   * @default - 16Gi per GPU of the worker; 8Gi for a worker without GPUs
   */
  readonly memoryPerWorker?: Size;

  /**
   * CPU cores of the head, as request and limit (fractions allowed).
   *
   * @default 2
   */
  readonly headCpu?: number;

  /**
   * Memory of the head (request = limit).
   *
   * @default Size.gibibytes(8)
   */
  readonly headMemory?: Size;

  /**
   * The Ray version of the image (`rayVersion`), e.g. `2.52.0`.
   *
   * KubeRay picks version-dependent behaviour from it, such as the health probes it injects: from 2.53.0 an HTTP
   * GET of the dashboard agent's health endpoint; unset or older, `bash -c "wget ..."` exec probes
   * (ray-operator/controllers/ray/common/pod.go supportsUnifiedHealthCheck), so an image without bash and wget
   * never becomes Ready unless this says 2.53.0 or later.
   *
   * @default - unset (KubeRay injects its bash + wget probes)
   */
  readonly rayVersion?: string;

  /**
   * Environment variables of the head and the workers.
   *
   * @default - none
   */
  readonly env?: { [name: string]: string };

  /**
   * Environment variables from Secret keys (a Hugging Face token), passed by reference.
   *
   * A name cannot be in both `env` and `secretEnv`.
   *
   * @default - none
   */
  readonly secretEnv?: { [name: string]: SecretKeyReference };

  /**
   * Volumes mounted into the head and every worker (datasets, a shared checkpoint claim).
   *
   * @default - none
   */
  readonly volumes?: TrainingMount[];

  /**
   * The size limit of the memory-backed `/dev/shm` (Ray's object store lives there).
   *
   * @default - no limit beyond the pod's memory
   */
  readonly sharedMemorySize?: Size;

  /**
   * Pods of the cluster's namespace that may use it, by their labels (a notebook), through the head's dashboard
   * (8265, `ray job submit`) and Ray client (10001) ports.
   *
   * @default - only the KubeRay operator reaches the head from outside the cluster's pods
   */
  readonly clientPodLabels?: { [key: string]: string };

  /**
   * The PriorityClass of the pods.
   *
   * @default - the cluster's default priority
   */
  readonly priorityClassName?: string;

  /**
   * The service account of the pods.
   *
   * With autoscaling, the head's Ray autoscaler uses it to scale the workers: KubeRay creates a service account
   * with that permission (named after the cluster) when this is unset; a given one needs it too.
   *
   * @default - the namespace's default service account; with autoscaling, the one KubeRay creates
   */
  readonly serviceAccountName?: string;

  /**
   * Security settings of the pods (they always pass Pod Security `restricted`).
   *
   * @default - user, group and fsGroup 65532; read-only root filesystem unless the workers get GPUs
   */
  readonly security?: WorkloadSecurityProps;

  /**
   * The name of the RayCluster; its head Service is `<name>-head-svc`.
   *
   * KubeRay accepts at most 53 characters (MaxRayClusterNameLength).
   *
   * @default - derived from the construct path
   */
  readonly name?: string;
}
