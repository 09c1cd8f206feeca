import { ApiObject, Duration, Size } from 'cdk8s';
import { Construct } from 'constructs';
import { isDnsSubdomain, isEnvName, isQualifiedName, wholeSeconds } from './checks';
import { BackendTraits, GangPlan, LaunchPlan, SchedulerBinding, TORCHRUN_DEFAULT_PORT } from './gang-plan';
import { GangScheduler } from './gang-scheduler';
import { GangTopology } from './gang-topology';
import { maxJobSetNameLength, requireJobSetName } from './jobset-names';
import { COMPLETION_INDEX_FIELD, leaderHost } from './jobset-spec';
import { requireTopologyReachable } from './topology-checks';
import { TrainingBackend } from './training-backend';
import { TrainingLauncher } from './training-launcher';
import { TrainingMount, TrainingVolume } from './training-volume';
import { GpuAttachment, attachGpus } from '../accelerators/attach';
import type { GpuNodePool } from '../accelerators/gpu-node-pool';
import { GpuRequest, GpuRequestShape } from '../accelerators/gpu-request';
import { ClusterProfile } from '../cluster/cluster-profile';
import * as k8s from '../imports/k8s';
import { ValidationError, invalidProp, requireInteger, show } from '../internal/errors';
import { selectorLabels, standardLabels } from '../internal/labels';
import { requireDnsLabel, resourceName } from '../internal/names';
import { namespaceOf } from '../internal/namespace';
import { checkProps, opt, req } from '../internal/runtime-checks';
import { PodSpecBuilder, computeResources, resolveSecurity } from '../security/pod-spec';
import { IngressIsolationHandle, allowTraffic, isolateIngress } from '../security/tenant-network';
import { WorkloadSecurityProps } from '../security/workload-security';

/** The largest gang: an Indexed Job allows at most 10^5 parallel pods. */
const MAX_WORKERS = 100_000;
const INT32_MAX = 2 ** 31 - 1;
const DATASET_PATH = '/data';
const CHECKPOINTS_PATH = '/checkpoints';
const SHARED_MEMORY_PATH = '/dev/shm';
const SCRATCH_PATH = '/tmp';
/** Karpenter leaves nodes of pods with this annotation alone (no consolidation in the middle of a run). */
const DO_NOT_DISRUPT = 'karpenter.sh/do-not-disrupt';
/** How long a finished JobSet (and its pods and logs) is kept by default: a week to read logs and results. */
const DEFAULT_TTL = Duration.days(7);
/** Default CPU cores per GPU of a worker, and of a worker without GPUs. */
const CPU_PER_GPU = 4;
const CPU_WORKER_CORES = 2;
/** Default memory per GPU of a worker (GiB), and of a worker without GPUs. */
const MEMORY_GIB_PER_GPU = 16;
const CPU_WORKER_MEMORY_GIB = 8;

/**
 * When a gang job counts as succeeded.
 */
export enum GangSuccessPolicy {
  /** Every worker exits successfully. */
  ALL_WORKERS = 'AllWorkers',
  /** The leader (worker 0) exits successfully. The other workers are then stopped. */
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
   * The training program. With the torchrun launcher: the script (or `-m module`) and its arguments, run as
   * `torchrun <command> <args>`, e.g. `['train.py', '--config', 'llama.yaml']`; the launcher owns the launcher, so
   * `['torchrun', 'train.py']` or `['python', '-m', 'torch.distributed.run', ...]` is refused. With the raw launcher:
   * the container command.
   *
   * @default - raw launcher: the image's entrypoint; torchrun launcher: required
   */
  readonly command?: string[];

  /**
   * More arguments, after `command`.
   *
   * @default - none
   */
  readonly args?: string[];

  /**
   * How many workers (pods) the gang has. They are scheduled together, fail together and restart together.
   */
  readonly workers: number;

  /**
   * The GPUs each worker gets.
   *
   * @default - no GPUs (a CPU-only job)
   */
  readonly gpusPerWorker?: GpuRequest;

  /**
   * The GPU node pool the workers run on. The job is checked at synth against it: one worker's GPUs must fit on a
   * node and the whole gang on the pool at once.
   *
   * @default - no pool placement
   */
  readonly pool?: GpuNodePool;

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
   * @default TrainingLauncher.torchrun()
   */
  readonly launcher?: TrainingLauncher;

  /**
   * Environment variables of the trainer container. They override the launcher's defaults (NCCL settings) and the
   * job's (`HOME`, `DATASET_DIR`, `CHECKPOINT_DIR`); the variables the launcher computes (torchrun's `PET_*`)
   * cannot be overridden.
   *
   * @default - none
   */
  readonly env?: { [name: string]: string };

  /**
   * The training data, mounted read-only at `/data` (and `DATASET_DIR=/data`).
   *
   * @default - none
   */
  readonly dataset?: TrainingVolume;

  /**
   * Where checkpoints go, mounted read-write at `/checkpoints` (and `CHECKPOINT_DIR=/checkpoints`). A volume all
   * workers write to must support it (a `ReadWriteMany` claim).
   *
   * @default - none
   */
  readonly checkpoints?: TrainingVolume;

  /**
   * More volumes mounted into every worker.
   *
   * @default - none
   */
  readonly volumes?: TrainingMount[];

  /**
   * CPU cores each worker requests and is limited to (fractions allowed, e.g. 0.5). Request = limit keeps the
   * workers in the Guaranteed QoS class: evicted last, and given exclusive cores under the static CPU manager, so
   * data loaders of one rank do not slow the others (a gang is as fast as its slowest rank).
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
   * The size limit of the memory-backed `/dev/shm` every worker gets (NCCL and data loaders need far more than the
   * container runtime's 64Mi). It counts against the worker's memory.
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
   * How many times a failed worker pod is retried in place before its failure restarts the whole gang. Keep 0
   * for torchrun's static rendezvous, where a lone replacement cannot rejoin its peers.
   *
   * @default 0
   */
  readonly backoffLimit?: number;

  /**
   * How long one attempt may run (the Job's `activeDeadlineSeconds`). A restart starts a new attempt.
   *
   * @default - no limit
   */
  readonly maxRuntime?: Duration;

  /**
   * Delete the finished job (and its pods) this long after it finished, with the JobSet backend only. Kubeflow Trainer
   * has no TTL for TrainJobs, which are kept until deleted. Finished pods hold no resources, but thousands of them
   * slow the apiserver and the controllers; set a long TTL (up to 2^31-1 seconds) to keep a job around.
   *
   * @default - JobSet: Duration.days(7); Kubeflow Trainer: kept until deleted
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
   * The service account of the workers. No API token is mounted; workload-identity webhooks still work.
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
   * The name of the JobSet (or TrainJob) and of the job's other objects. JobSet derives the workers' Job and pod
   * names and the coordinator label `<name>-<replicatedJob>-0-0.<name>` from it, and its webhook refuses a JobSet
   * when one is longer than 63 characters: with the JobSet backend the name can have at most 25 characters, with
   * Kubeflow Trainer 26.
   *
   * @default - derived from the construct path, shortened (with a hash) to fit those limits
   */
  readonly name?: string;
}

/**
 * A distributed training job whose workers are one failure domain: scheduled together (all or nothing, through
 * Kueue, scheduler-plugins coscheduling or the native Workload API), failing together and restarting together,
 * with the PyTorch launch conventions built in.
 *
 * ```ts
 * new GangTrainingJob(chart, 'finetune', {
 *   image: 'ghcr.io/acme/train:1.0',
 *   command: ['train.py', '--config', 'llama.yaml'],
 *   workers: 4,
 *   gpusPerWorker: GpuRequest.of(8, { model: GpuModel.NVIDIA_H100_80GB }),
 *   pool,
 *   scheduler: GangScheduler.kueue({ queue: 'research' }),
 * });
 * ```
 */
export class GangTrainingJob extends Construct {
  /** The name of the job's objects (JobSet or TrainJob). */
  public readonly name: string;
  /** The namespace, when the chart or a tenant sets one. */
  public readonly namespace?: string;
  /** The gang size. */
  public readonly workers: number;
  /** The leader's stable DNS name (worker 0), the rendezvous address. */
  public readonly leaderAddress: string;
  /** The top-level object: the JobSet, or the TrainJob. */
  public readonly workload: ApiObject;
  /** Other objects of the backend (the TrainingRuntime of a TrainJob). */
  public readonly backendObjects: ApiObject[];
  /** The gang objects of the scheduler (PodGroup, Workload). It is empty for Kueue. */
  public readonly schedulingObjects: ApiObject[];
  /** The workers' ResourceClaimTemplate, when GPUs come through DRA. */
  public readonly gpuClaimTemplate?: ApiObject;
  private readonly isolation: IngressIsolationHandle;

  constructor(scope: Construct, id: string, props: GangTrainingJobProps) {
    super(scope, id);
    checkProps(this, 'GangTrainingJobProps', props, {
      image: req('string', 'an image reference such as "ghcr.io/acme/train:1.0"'),
      workers: req('number'),
      scheduler: req(GangScheduler, 'a GangScheduler such as GangScheduler.kueue({ queue: \'research\' })'),
      gpusPerWorker: opt(GpuRequest, 'a GpuRequest such as GpuRequest.of(8)'),
      backend: opt(TrainingBackend),
      launcher: opt(TrainingLauncher),
      dataset: opt(TrainingVolume),
      checkpoints: opt(TrainingVolume),
      command: opt('string[]'),
      args: opt('string[]'),
      env: opt('string-map'),
      volumes: opt('array'),
      maxRuntime: opt('duration'),
      ttlAfterFinished: opt('duration'),
      sharedMemorySize: opt('size'),
    });
    const profile = ClusterProfile.of(this);
    const backend = props.backend ?? TrainingBackend.jobSet();
    const launcher = props.launcher ?? TrainingLauncher.torchrun();
    const traits = backend._traits();
    this.workers = requireInteger(this, 'workers', props.workers, 1, MAX_WORKERS);
    this.name = this.workloadName(props, traits);
    this.namespace = namespaceOf(this);
    const settings = this.validateSettings(props, traits);
    profile._requireAddon(this, 'backend', traits.addon, `TrainingBackend.${backend.name}()`);

    const security = resolveSecurity(this, {
      ...props.security,
      readOnlyRootFilesystem: props.security?.readOnlyRootFilesystem ?? props.gpusPerWorker === undefined,
    });
    const builder = new PodSpecBuilder(this, security);
    const gpus = this.attachGpus(builder, props, traits);
    this.gpuClaimTemplate = gpus?.claimTemplate;
    const identity = { name: 'gang-training-job', instance: this.name, component: 'trainer' };
    const plan: GangPlan = {
      name: this.name,
      namespace: this.namespace,
      workers: this.workers,
      profile,
      labels: standardLabels(identity),
      podSelector: selectorLabels(identity),
      backend: traits,
      gpuRequest: props.gpusPerWorker,
      gpus,
    };
    const binding = props.scheduler._bind(this, plan);
    this.leaderAddress = leaderHost(this.name, traits.replicatedJobName);
    const launch = launcher._launch(this, {
      workers: this.workers,
      devicesPerPod: gpus?.devicesPerPod ?? 0,
      command: props.command,
      args: props.args,
      rendezvous: {
        leaderHost: this.leaderAddress,
        workerIndexFieldPath: COMPLETION_INDEX_FIELD,
        injectedByController: traits.injectsTorchEnv,
        fixedPort: traits.injectsTorchEnv ? TORCHRUN_DEFAULT_PORT : undefined,
      },
    });

    this.configurePod(builder, props, traits, launch, binding, gpus?.devicesPerPod ?? 0);
    const podTemplate = this.podTemplate(builder, plan, binding, props.topology);
    const objects = backend._render(this, plan, {
      podTemplate,
      scheduler: binding,
      launch,
      backoffLimit: settings.backoffLimit,
      maxRestarts: settings.maxRestarts,
      activeDeadlineSeconds: settings.activeDeadlineSeconds,
      ttlSecondsAfterFinished: settings.ttlSecondsAfterFinished,
      leaderSuccess: (props.successPolicy ?? GangSuccessPolicy.ALL_WORKERS) === GangSuccessPolicy.LEADER,
      exclusiveTopology: props.topology?.exclusive ? props.topology.nodeLabel : undefined,
    });
    this.workload = objects.workload;
    this.backendObjects = objects.companions;
    this.schedulingObjects = binding.objects;
    // Apply order: the claim template and the gang objects exist before the pods that reference them.
    const prerequisites = [...binding.objects, gpus?.claimTemplate, gpus?.claim].filter((o): o is ApiObject => o !== undefined);
    prerequisites.forEach((o) => this.workload.node.addDependency(o));
    this.isolation = this.allowPeers(plan);
  }

  /**
   * The NetworkPolicy isolating the workers where the namespace has no default-deny of its own (no AiTenant): it
   * admits the other workers of the gang on every port and the edges other constructs declare to the workers.
   * Undefined in a tenant, whose default-deny and allows (including the gang's peer edge) do that.
   */
  public get networkPolicy(): ApiObject | undefined {
    return this.isolation.policy;
  }

  /**
   * The name: given (checked) or derived (shortened deterministically) so that every name JobSet derives from it
   * passes the JobSet webhook (jobset-names.ts).
   */
  private workloadName(props: GangTrainingJobProps, traits: BackendTraits): string {
    const name = props.name !== undefined
      ? requireDnsLabel(this, 'name', props.name)
      : resourceName(this, [], maxJobSetNameLength(traits.replicatedJobName, this.workers));
    if (!/^[a-z]/.test(name)) {
      throw new ValidationError(this, 'name', `got ${show(name)}; the ${traits.kind} name also names its headless Service, ` +
        'which must start with a letter (RFC 1035); set name or give the construct an id that starts with a letter');
    }
    requireJobSetName(this, 'name', name, traits, this.workers);
    return name;
  }

  private validateSettings(props: GangTrainingJobProps, traits: BackendTraits) {
    if (typeof props.image !== 'string' || props.image.trim() === '' || /\s/.test(props.image)) {
      throw invalidProp(this, 'image', props.image, 'an image reference such as "ghcr.io/acme/train:1.0"');
    }
    if (props.ttlAfterFinished !== undefined && !traits.supportsTtl) {
      throw new ValidationError(this, 'ttlAfterFinished', `the ${traits.release} has no TTL for finished jobs (a ${traits.kind} ` +
        'is kept until deleted); leave ttlAfterFinished unset or use TrainingBackend.jobSet()');
    }
    if (props.priorityClassName !== undefined && !isDnsSubdomain(props.priorityClassName)) {
      throw invalidProp(this, 'priorityClassName', props.priorityClassName, 'a PriorityClass name (DNS-1123 subdomain)');
    }
    if (props.serviceAccountName !== undefined && !isDnsSubdomain(props.serviceAccountName)) {
      throw invalidProp(this, 'serviceAccountName', props.serviceAccountName, 'a ServiceAccount name (DNS-1123 subdomain)');
    }
    if (props.pool !== undefined && props.gpusPerWorker === undefined) {
      throw new ValidationError(this, 'pool', 'a GpuNodePool places GPU workers; set gpusPerWorker too, or leave pool unset for a CPU-only job');
    }
    if (props.topology !== undefined && !isQualifiedName(props.topology.nodeLabel)) {
      throw invalidProp(this, 'topology.nodeLabel', props.topology.nodeLabel, 'a node label key such as "topology.kubernetes.io/rack"');
    }
    requireTopologyReachable(this, props.topology, props.gpusPerWorker, props.pool);
    if (props.successPolicy !== undefined && !Object.values(GangSuccessPolicy).includes(props.successPolicy)) {
      throw invalidProp(this, 'successPolicy', props.successPolicy, `one of ${Object.values(GangSuccessPolicy).map(show).join(', ')}`);
    }
    return {
      maxRestarts: requireInteger(this, 'maxRestarts', props.maxRestarts ?? 3, 0, INT32_MAX),
      backoffLimit: requireInteger(this, 'backoffLimit', props.backoffLimit ?? 0, 0, INT32_MAX),
      activeDeadlineSeconds: props.maxRuntime !== undefined ? wholeSeconds(this, 'maxRuntime', props.maxRuntime, 1) : undefined,
      ttlSecondsAfterFinished: traits.supportsTtl ? wholeSeconds(this, 'ttlAfterFinished', props.ttlAfterFinished ?? DEFAULT_TTL, 0) : undefined,
    };
  }

  private attachGpus(builder: PodSpecBuilder, props: GangTrainingJobProps, traits: BackendTraits): GpuAttachment | undefined {
    const request = props.gpusPerWorker;
    if (!request) return undefined;
    if (props.pool) this.requireGangFitsPool(request, props.pool);
    return attachGpus(this, builder, request, {
      pods: this.workers,
      containers: [traits.containerName],
      pool: props.pool,
      prop: 'gpusPerWorker',
      queuedByKueue: props.scheduler.name === 'kueue',
    });
  }

  /** All workers run at once, each on one node: the pool must hold the whole gang, node by node. */
  private requireGangFitsPool(request: GpuRequest, pool: GpuNodePool): void {
    const perWorker = request.shape === GpuRequestShape.ALL_ON_NODE ? pool.gpusPerNode
      : request.shape === GpuRequestShape.WHOLE || request.shape === GpuRequestShape.FIRST_AVAILABLE ? request.count
        : undefined;
    if (perWorker === undefined || perWorker < 1 || perWorker > pool.gpusPerNode) return; // per-pod fit is attachGpus' check
    const workersPerNode = Math.floor(pool.gpusPerNode / perWorker);
    const capacity = pool.maxNodes * workersPerNode;
    if (this.workers > capacity) {
      throw new ValidationError(this, 'workers', `got ${this.workers}; the gang runs all at once, ${this.workers} workers x ` +
        `${perWorker} GPUs = ${this.workers * perWorker} GPUs, but pool ${show(pool.name)} fits at most ${capacity} such workers ` +
        `(${pool.maxNodes} nodes x ${workersPerNode} per node of ${pool.gpusPerNode} GPUs); use at most ${capacity} workers ` +
        'or raise the pool\'s maxNodes');
    }
  }

  private configurePod(builder: PodSpecBuilder, props: GangTrainingJobProps, traits: BackendTraits, launch: LaunchPlan,
    binding: SchedulerBinding, gpus: number): void {
    const mounts = this.mounts(props);
    const volumeMounts: k8s.VolumeMount[] = [];
    mounts.forEach((m) => {
      builder.addVolume(m.volume);
      volumeMounts.push(m.mount);
    });
    builder.addSharedMemory(props.sharedMemorySize?.asString());
    if (!volumeMounts.some((m) => m.mountPath === SCRATCH_PATH)) builder.addScratch('tmp', SCRATCH_PATH);
    builder.addContainer({
      name: traits.containerName,
      image: props.image,
      command: launch.command,
      args: launch.args && launch.args.length ? launch.args : undefined,
      env: this.env(props, launch),
      ports: launch.ports.length ? launch.ports : undefined,
      resources: this.resources(props, gpus),
      volumeMounts: volumeMounts.length ? volumeMounts : undefined,
    }, {
      inputs: {
        argProp: (arg) => ((props.command ?? []).includes(arg) ? 'command' : 'args'),
        commandProp: 'command',
        alternative: 'keep it in a Secret and mount it as a file: volumes: [{ mountPath: \'/var/run/secrets/NAME\', ' +
          'volume: TrainingVolume.fromSecret(\'<secret>\') }], and let the program read it from there',
      },
    });
    builder.restartPolicy = 'Never';
    builder.priorityClassName = props.priorityClassName;
    builder.serviceAccountName = props.serviceAccountName;
    builder.schedulerName = binding.schedulerName;
    builder.setSchedulingFields(binding.podFields);
  }

  private mounts(props: GangTrainingJobProps): { volume: k8s.Volume; mount: k8s.VolumeMount }[] {
    const entries: { prop: string; name: string; mount: TrainingMount }[] = [];
    if (props.dataset) entries.push({ prop: 'dataset', name: 'dataset', mount: { mountPath: DATASET_PATH, volume: props.dataset, readOnly: true } });
    if (props.checkpoints) entries.push({ prop: 'checkpoints', name: 'checkpoints', mount: { mountPath: CHECKPOINTS_PATH, volume: props.checkpoints } });
    (props.volumes ?? []).forEach((mount, i) => entries.push({ prop: `volumes[${i}]`, name: `volume-${i}`, mount }));
    const seen = new Map<string, string>();
    return entries.map(({ prop, name, mount }) => {
      const path = mount.mountPath;
      if (typeof path !== 'string' || !path.startsWith('/') || path.includes(':') || path.split('/').includes('..')) {
        throw invalidProp(this, `${prop}.mountPath`, path, 'an absolute path without ":" or ".." such as "/models"');
      }
      const normalized = path.length > 1 ? path.replace(/\/+$/, '') : path;
      if (normalized === SHARED_MEMORY_PATH) throw invalidProp(this, `${prop}.mountPath`, path, `a path other than ${SHARED_MEMORY_PATH} (every worker gets a memory-backed ${SHARED_MEMORY_PATH}; size it with sharedMemorySize)`);
      const clash = seen.get(normalized);
      if (clash) throw invalidProp(this, `${prop}.mountPath`, path, `a path no other volume uses (${clash} is mounted there)`);
      seen.set(normalized, prop);
      if (mount.subPath !== undefined && (mount.subPath.startsWith('/') || mount.subPath.split('/').includes('..'))) {
        throw invalidProp(this, `${prop}.subPath`, mount.subPath, 'a relative path inside the volume, without ".."');
      }
      const ref = mount.volume.referenceName;
      if (ref !== undefined && !isDnsSubdomain(ref)) {
        throw invalidProp(this, `${prop}.volume`, ref, `a ${mount.volume.kind} name (DNS-1123 subdomain)`);
      }
      const readOnly = mount.readOnly === true || mount.volume.kind === 'configMap' || mount.volume.kind === 'secret';
      return {
        volume: mount.volume._toVolume(name, readOnly),
        mount: { name, mountPath: normalized, readOnly: readOnly || undefined, subPath: mount.subPath },
      };
    });
  }

  private env(props: GangTrainingJobProps, launch: LaunchPlan): k8s.EnvVar[] | undefined {
    const computed = new Set(launch.env.map((e) => e.name));
    const user = props.env ?? {};
    // Sorted: a map from Go or Python arrives in any order, the env list must not.
    for (const name of Object.keys(user).sort()) {
      const value = user[name];
      if (!isEnvName(name)) throw invalidProp(this, `env.${name}`, name, 'an environment variable name ([-._a-zA-Z][-._a-zA-Z0-9]*)');
      if (typeof value !== 'string') throw invalidProp(this, `env.${name}`, value, 'a string value');
      if (computed.has(name)) {
        throw invalidProp(this, `env.${name}`, value, `no value: the launcher sets ${name} from the gang (unset it, or use TrainingLauncher.raw())`);
      }
    }
    const defaults: Record<string, string> = {
      // The default user 65532 has no home directory: caches (torch, Triton, pip) go to the /tmp volume.
      HOME: SCRATCH_PATH,
      ...launch.defaultEnv,
      ...(props.dataset ? { DATASET_DIR: DATASET_PATH } : {}),
      ...(props.checkpoints ? { CHECKPOINT_DIR: CHECKPOINTS_PATH } : {}),
    };
    const merged = { ...defaults, ...user };
    const env = [...launch.env, ...Object.keys(merged).sort().map((name) => ({ name, value: merged[name] }))];
    return env.length ? env : undefined;
  }

  private resources(props: GangTrainingJobProps, gpus: number): k8s.ResourceRequirements {
    let cpu = gpus > 0 ? String(CPU_PER_GPU * gpus) : String(CPU_WORKER_CORES);
    if (props.cpuPerWorker !== undefined) {
      const millis = props.cpuPerWorker * 1000;
      if (!(props.cpuPerWorker > 0) || Math.abs(millis - Math.round(millis)) > 1e-6) {
        throw invalidProp(this, 'cpuPerWorker', props.cpuPerWorker, 'a positive number of cores in steps of 0.001, e.g. 0.5 or 16');
      }
      cpu = Number.isInteger(props.cpuPerWorker) ? String(props.cpuPerWorker) : `${Math.round(millis)}m`;
    }
    const memory = props.memoryPerWorker ?? Size.gibibytes(gpus > 0 ? MEMORY_GIB_PER_GPU * gpus : CPU_WORKER_MEMORY_GIB);
    return computeResources({ cpu, memory: memory.asString() });
  }

  private podTemplate(builder: PodSpecBuilder, plan: GangPlan, binding: SchedulerBinding, topology?: GangTopology) {
    if (topology && !topology.exclusive) {
      builder.addPodAffinity({ labelSelector: { matchLabels: { ...plan.podSelector } }, topologyKey: topology.nodeLabel });
    }
    return {
      metadata: { labels: { ...plan.labels, ...binding.podLabels }, annotations: { [DO_NOT_DISRUPT]: 'true' } },
      spec: builder.buildJson(),
    };
  }

  /**
   * The workers reach each other on every port (torch.distributed, NCCL): one edge a tenant turns into its allows;
   * outside a tenant the workers isolate themselves with it.
   */
  private allowPeers(plan: GangPlan): IngressIsolationHandle {
    const workers = { namespace: plan.namespace, podLabels: plan.podSelector };
    allowTraffic({
      scope: this,
      name: 'peers',
      description: `the workers of ${plan.name} reach each other (torch.distributed, NCCL)`,
      from: workers,
      to: workers,
      ports: [],
      allPorts: true,
    });
    return isolateIngress({
      scope: this,
      id: 'NetworkPolicy',
      name: `${plan.name}-peers`,
      namespace: plan.namespace,
      selector: plan.podSelector,
      podLabels: plan.labels,
      labels: plan.labels,
      description: `the workers of ${plan.name}`,
    });
  }
}

