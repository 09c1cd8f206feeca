import { Duration, Size } from 'cdk8s';
import { GangFailurePolicy } from './gang-failure-policy';
import { GangScheduler } from './gang-scheduler';
import { GangTopology } from './gang-topology';
import { TrainingBackend } from './training-backend';
import { TrainingInitializer } from './training-initializer';
import { TrainingLauncher } from './training-launcher';
import { TrainingMount, TrainingVolume } from './training-volume';
import type { GpuNodePool } from '../accelerators/gpu-node-pool';
import { GpuRequest } from '../accelerators/gpu-request';
import { NicRequest } from '../accelerators/nic-request';
import { SecretKeyReference } from '../security/secret-reference';
import { WorkloadSecurityProps } from '../security/workload-security';

/**
 * When a gang job counts as succeeded.
 */
export enum GangSuccessPolicy {
  /** Every worker exits successfully. */
  ALL_WORKERS = 'AllWorkers',

  /**
   * The leader (worker 0) exits successfully.
   *
   * The other workers are then stopped.
   */
  LEADER = 'Leader',
}

/**
 * Props for a GangTrainingJob.
 */
export interface GangTrainingJobProps {
  /**
   * The training image.
   */
  readonly image: string;

  /**
   * The training program.
   *
   * With the torchrun launcher it is the script (or `-m module`) and its arguments, run as
   * `torchrun <command> <args>`, e.g. `['train.py', '--config', 'llama.yaml']`. The launcher adds torchrun itself, so
   * `['torchrun', 'train.py']` or `['python', '-m', 'torch.distributed.run', ...]` is refused.
   *
   * With the raw launcher it is the container command; with `TrainingBackend.rayJob()` it is the Ray job's
   * entrypoint, e.g. `['python', 'train.py']`. With the DeepSpeed launcher it is the script and its arguments
   * (`deepspeed <options> <command> <args>`), with the MPI launcher the program `mpirun` starts on every slot
   * (`['python', 'train.py']`), with the JAX launcher the container command.
   *
   * @default - raw and JAX launchers: the image's entrypoint; torchrun, DeepSpeed and MPI launchers: required
   */
  readonly command?: string[];

  /**
   * More arguments, after `command`.
   *
   * @default - none
   */
  readonly args?: string[];

  /**
   * How many workers (pods) the gang has.
   *
   * They are scheduled together, fail together and restart together.
   */
  readonly workers: number;

  /**
   * The GPUs each worker gets.
   *
   * @default - no GPUs (a CPU-only job)
   */
  readonly gpusPerWorker?: GpuRequest;

  /**
   * The NICs each worker gets from a DRA network driver, e.g. `NicRequest.of(8, { alignWithGpus: true })` for one
   * RDMA NIC per GPU on the GPU's PCIe root.
   *
   * The ClusterProfile must list the driver's add-on (`ClusterAddon.DRANET`).
   *
   * @default - no NICs beyond the pod network
   */
  readonly nicsPerWorker?: NicRequest;

  /**
   * The GPU node pool the workers run on.
   *
   * The job is checked at synth against it: one worker's GPUs must fit on a node and the whole gang on the pool at
   * once.
   *
   * @default - no pool placement
   */
  readonly nodePool?: GpuNodePool;

  /**
   * Who makes the workers start together or not at all.
   */
  readonly scheduler: GangScheduler;

  /**
   * What runs the gang.
   *
   * @default TrainingBackend.jobSet()
   */
  readonly backend?: TrainingBackend;

  /**
   * How each worker starts the training program.
   *
   * @default - TrainingLauncher.torchrun(); TrainingLauncher.raw() with TrainingBackend.rayJob()
   */
  readonly launcher?: TrainingLauncher;

  /**
   * Environment variables of the trainer container.
   *
   * They override the launcher's defaults (NCCL settings) and the job's (`HOME`, `DATASET_DIR`, `CHECKPOINT_DIR`).
   * The variables the launcher computes (torchrun's `PET_*`) cannot be overridden.
   *
   * @default - none
   */
  readonly env?: { [name: string]: string };

  /**
   * Environment variables of the trainer container from Secret keys (a W&B API key, a Hugging Face token).
   *
   * They are passed by reference; values never appear in the YAML. Like `env`, they override the launcher's and the
   * job's defaults but not the variables the launcher computes; a name cannot be in both `env` and `secretEnv`.
   *
   * @default - none
   */
  readonly secretEnv?: { [name: string]: SecretKeyReference };

  /**
   * The training data, mounted read-only at `/data` (and `DATASET_DIR=/data`).
   *
   * @default - none
   */
  readonly dataset?: TrainingVolume;

  /**
   * Where checkpoints go, mounted read-write at `/checkpoints` (and `CHECKPOINT_DIR=/checkpoints`).
   *
   * A volume all workers write to must support it (a `ReadWriteMany` claim). The container also gets
   * `RESUME_FROM_CHECKPOINT` (see `resumeFromCheckpoint`) and `JOBSET_RESTART_ATTEMPT`, the gang's restart count
   * (`0` on the first attempt), so the program can resume from the latest checkpoint after a restart.
   *
   * @default - none
   */
  readonly checkpoints?: TrainingVolume;

  /**
   * Whether the program should resume from the latest checkpoint in `CHECKPOINT_DIR` when there is one: it gets
   * `RESUME_FROM_CHECKPOINT=auto` (resume when a checkpoint exists, else start fresh) or `never`.
   *
   * The variable is the contract; reading it is the program's part (e.g. Hugging Face Trainer's
   * `resume_from_checkpoint` when `get_last_checkpoint(CHECKPOINT_DIR)` finds one). Needs `checkpoints`.
   *
   * @default true
   */
  readonly resumeFromCheckpoint?: boolean;

  /**
   * The model to start from (a fine-tune's base weights), mounted read-only at `/model` (and `MODEL_DIR=/model`).
   *
   * An initializer can fill it before the workers start (`initializers`).
   *
   * @default - none
   */
  readonly model?: TrainingVolume;

  /**
   * Steps that download the dataset or model into the job's `dataset` or `model` volume before the workers start,
   * e.g. `TrainingInitializer.huggingFace('meta-llama/Llama-3.1-8B', { target: InitializerTarget.MODEL })`.
   *
   * Each runs as a single-pod job of the JobSet; the workers start when all have completed (JobSet `dependsOn`). The
   * target volume must be a PersistentVolumeClaim.
   *
   * @default - none
   */
  readonly initializers?: TrainingInitializer[];

  /**
   * How the gang reacts to a failed worker by exit code and disruption, e.g.
   * `{ failFastExitCodes: [1], restartExitCodes: [137] }`: a user error fails the job at once, an infrastructure
   * error restarts the whole gang.
   *
   * @default - every failure restarts the whole gang, counted against maxRestarts
   */
  readonly failurePolicy?: GangFailurePolicy;

  /**
   * More volumes mounted into every worker.
   *
   * @default - none
   */
  readonly volumes?: TrainingMount[];

  /**
   * CPU cores each worker requests and is limited to (fractions allowed, e.g. 0.5).
   *
   * Request = limit keeps the workers in the Guaranteed QoS class: evicted last, and given exclusive cores under the
   * static CPU manager, so data loaders of one rank do not slow the others (a gang is as fast as its slowest rank).
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
   * The size limit of the memory-backed `/dev/shm` every worker gets.
   *
   * NCCL and data loaders need far more shared memory than the container runtime's 64Mi. It counts against the
   * worker's memory.
   *
   * @default - no limit beyond the worker's memory
   */
  readonly sharedMemorySize?: Size;

  /**
   * How many times the whole gang is restarted after a failure before the job fails.
   *
   * @default 3
   */
  readonly maxRestarts?: number;

  /**
   * How many times a failed worker pod is retried in place before its failure restarts the whole gang.
   *
   * Keep 0 for torchrun's static rendezvous, where a lone replacement cannot rejoin its peers.
   *
   * @default 0
   */
  readonly backoffLimit?: number;

  /**
   * How long one attempt may run (the Job's `activeDeadlineSeconds`).
   *
   * A restart starts a new attempt.
   *
   * @default - no limit
   */
  readonly maxRuntime?: Duration;

  /**
   * Delete the finished job (and its pods) this long after it finished, with the JobSet and KubeRay backends.
   *
   * Kubeflow Trainer has no TTL for TrainJobs, which are kept until deleted. With KubeRay it deletes the RayJob's
   * RayCluster, whose pods hold their GPUs until then (the RayJob and its submitter's logs stay).
   *
   * Finished pods hold no resources, but thousands of them slow the apiserver and the controllers. Set a long TTL
   * (up to 2^31-1 seconds) to keep a job around.
   *
   * @default - JobSet: Duration.days(7); Kubeflow Trainer: kept until deleted; KubeRay: the RayCluster is deleted when the job ends
   */
  readonly ttlAfterFinished?: Duration;

  /**
   * The PriorityClass of the workers.
   *
   * @default - the cluster's default priority
   */
  readonly priorityClassName?: string;

  /**
   * Where the workers must land together (same zone, NVLink domain, rack).
   *
   * @default - anywhere the scheduler finds room
   */
  readonly topology?: GangTopology;

  /**
   * When the job counts as succeeded.
   *
   * @default GangSuccessPolicy.ALL_WORKERS
   */
  readonly successPolicy?: GangSuccessPolicy;

  /**
   * The service account of the workers.
   *
   * No API token is mounted; workload-identity webhooks still work.
   *
   * @default - the namespace's default service account
   */
  readonly serviceAccountName?: string;

  /**
   * Security settings of the workers (they always pass Pod Security `restricted`).
   *
   * @default - user, group and fsGroup 65532; read-only root filesystem unless the workers get GPUs (the NVIDIA
   * container toolkit's CDI hook writes into the container's root filesystem when it starts, kserve/kserve#5711;
   * InferenceService makes the same choice); `HOME` is the writable /tmp volume either way
   */
  readonly security?: WorkloadSecurityProps;

  /**
   * The name of the JobSet (or TrainJob) and of the job's other objects.
   *
   * JobSet derives the workers' Job and pod names and the coordinator label `<name>-<replicatedJob>-0-0.<name>`
   * from it, and its webhook refuses a JobSet when one is longer than 63 characters. With the JobSet backend the
   * name can have at most 25 characters, with Kubeflow Trainer 26, with KubeRay 47 (its RayJob limit).
   *
   * @default - derived from the construct path, shortened (with a hash) to fit those limits
   */
  readonly name?: string;
}
