import { ApiObject, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { defaultLauncher, maxBackendNameLength, requireBackendConventions, requireBackendName } from './backend-conventions';
import { isDnsSubdomain, isQualifiedName, wholeSeconds } from './checks';
import { allowGangPeers } from './gang-peers';
import { BackendTraits, GangPlan, LaunchContext, TORCHRUN_DEFAULT_PORT } from './gang-plan';
import { launchFilesConfigMap, launchVolumes, jobRoles, requireJobRoles, withJobConventions } from './gang-roles';
import { GangScheduler } from './gang-scheduler';
import { GangSuccessPolicy, GangTrainingJobProps } from './gang-training-job-props';
import { COMPLETION_INDEX_FIELD, leaderHost, workerHostname } from './jobset-spec';
import { requireTopologyReachable } from './topology-checks';
import { TrainingBackend } from './training-backend';
import { TrainingLauncher } from './training-launcher';
import { TrainingVolume } from './training-volume';
import { configureWorkerPod, workerPodTemplate } from './worker-pod';
import { GpuAttachment, attachGpus } from '../accelerators/attach';
import type { GpuNodePool } from '../accelerators/gpu-node-pool';
import { GpuRequest, GpuRequestShape } from '../accelerators/gpu-request';
import { ClusterProfile } from '../cluster/cluster-profile';
import { ValidationError, invalidProp, requireInteger, show } from '../internal/errors';
import { selectorLabels, standardLabels } from '../internal/labels';
import { requireDnsLabel, resourceName } from '../internal/names';
import { namespaceOf } from '../internal/namespace';
import { checkProps, opt, req } from '../internal/runtime-checks';
import { PodSpecBuilder, resolveSecurity } from '../security/pod-spec';
import { IngressIsolationHandle } from '../security/tenant-network';

export { GangSuccessPolicy } from './gang-training-job-props';
export type { GangTrainingJobProps } from './gang-training-job-props';

/** The largest gang: an Indexed Job allows at most 10^5 parallel pods. */
const MAX_WORKERS = 100_000;
const INT32_MAX = 2 ** 31 - 1;
/** How long a finished JobSet (and its pods and logs) is kept by default: a week to read logs and results. */
const DEFAULT_TTL = Duration.days(7);
/** KubeRay's TTL deletes the RayCluster, whose pods hold their GPUs until then: none by default. */
const defaultTtl = (traits: BackendTraits) => (traits.conventions ? Duration.seconds(traits.conventions.defaultTtlSeconds) : DEFAULT_TTL);

/**
 * A distributed training job whose workers are one failure domain, with the PyTorch launch conventions built in.
 *
 * The workers are scheduled together (all or nothing, through Kueue, scheduler-plugins coscheduling or the native
 * Workload API), fail together and restart together.
 *
 * ```ts
 * new GangTrainingJob(chart, 'finetune', {
 *   image: 'ghcr.io/acme/train:1.0',
 *   command: ['train.py', '--config', 'llama.yaml'],
 *   workers: 4,
 *   gpusPerWorker: GpuRequest.of(8, { model: GpuModel.NVIDIA_H100_80_GB }),
 *   nodePool: pool,
 *   scheduler: GangScheduler.kueue({ queue: 'research' }),
 * });
 * ```
 */
export class GangTrainingJob extends Construct {
  /** The name of the job's objects (JobSet, TrainJob or RayJob). */
  public readonly name: string;
  /** The namespace, when the chart or a tenant sets one. */
  public readonly namespace?: string;
  /** The gang size. */
  public readonly workers: number;
  /** The leader's stable DNS name, the rendezvous address (worker 0, or the head Service with KubeRay). */
  public readonly leaderAddress: string;
  /** The top-level object: the JobSet, the TrainJob or the RayJob. */
  public readonly workload: ApiObject;
  /** Other objects of the backend (the TrainingRuntime of a TrainJob). */
  public readonly backendObjects: ApiObject[];
  /**
   * The gang objects of the scheduler (PodGroup, Workload).
   *
   * It is empty for Kueue.
   */
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
      model: opt(TrainingVolume),
      resumeFromCheckpoint: opt('boolean'),
      failurePolicy: opt('object'),
      initializers: opt('array'),
      command: opt('string[]'),
      args: opt('string[]'),
      env: opt('string-map'),
      secretEnv: opt('object'),
      volumes: opt('array'),
      maxRuntime: opt('duration'),
      ttlAfterFinished: opt('duration'),
      sharedMemorySize: opt('size'),
    });
    const profile = ClusterProfile.of(this);
    const backend = props.backend ?? TrainingBackend.jobSet();
    const traits = backend._traits();
    const launcher = props.launcher ?? defaultLauncher(traits);
    requireBackendConventions(this, backend.name, traits, props.scheduler.name, launcher.name);
    requireJobRoles(this, props, traits, launcher.name);
    this.workers = requireInteger(this, 'workers', props.workers, 1, MAX_WORKERS);
    this.name = this.workloadName(props, traits);
    this.namespace = namespaceOf(this);
    const settings = this.validateSettings(props, traits);
    profile._requireAddon(this, 'backend', traits.addon, `TrainingBackend.${backend.name}()`);

    const security = resolveSecurity(this, {
      ...props.security,
      // MPI workers run sshd, which writes its pid file into the image user's home.
      readOnlyRootFilesystem: props.security?.readOnlyRootFilesystem ?? (props.gpusPerWorker === undefined && launcher.name !== 'mpi'),
    });
    const builder = new PodSpecBuilder(this, security);
    const gpus = this.attachGpus(builder, props, traits);
    this.gpuClaimTemplate = gpus?.claimTemplate;
    const plan = this.gangPlan(profile, traits, props, gpus);
    const binding = props.scheduler._bind(this, plan);
    this.leaderAddress = traits.conventions?.leaderHost(this.name) ?? leaderHost(this.name, traits.replicatedJobName);
    const launch = withJobConventions(props, traits, launcher._launch(this, this.launchContext(props, traits, gpus)));
    const launchFiles = launchFilesConfigMap(this, plan, launch);

    configureWorkerPod(this, builder, { props, traits, launch, binding, gpus: gpus?.devicesPerPod ?? 0, launchVolumes: launchVolumes(plan, launch) });
    const roles = jobRoles(this, { props, plan, traits, launch, security, binding, workerBuilder: builder });
    const objects = backend._render(this, plan, {
      ...roles,
      podTemplate: workerPodTemplate(builder, plan, binding, props.topology),
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
    const prerequisites = [...binding.objects, gpus?.claimTemplate, gpus?.claim, launchFiles].filter((o): o is ApiObject => o !== undefined);
    prerequisites.forEach((o) => this.workload.node.addDependency(o));
    this.isolation = allowGangPeers(this, plan);
  }

  /**
   * The NetworkPolicy isolating the workers where the namespace has no default-deny of its own (no AiTenant).
   *
   * It admits the other workers of the gang on every port and the edges other constructs declare to the workers. It
   * is undefined in a tenant, whose default-deny and allows (including the gang's peer edge) do that.
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
      : resourceName(this, [], maxBackendNameLength(traits, this.workers));
    if (!/^[a-z]/.test(name)) {
      throw new ValidationError(this, 'name', `got ${show(name)}; the ${traits.kind} name also names its headless Service, ` +
        'which must start with a letter (RFC 1035); set name or give the construct an id that starts with a letter');
    }
    requireBackendName(this, 'name', name, traits, this.workers);
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
    if (props.nodePool !== undefined && props.gpusPerWorker === undefined) {
      throw new ValidationError(this, 'nodePool', 'a GpuNodePool places GPU workers; set gpusPerWorker too, or leave nodePool unset for a CPU-only job');
    }
    if (props.topology !== undefined && !isQualifiedName(props.topology.nodeLabel)) {
      throw invalidProp(this, 'topology.nodeLabel', props.topology.nodeLabel, 'a node label key such as "topology.kubernetes.io/rack"');
    }
    requireTopologyReachable(this, props.topology, props.gpusPerWorker, props.nodePool, props.scheduler.name);
    if (props.successPolicy !== undefined && !Object.values(GangSuccessPolicy).includes(props.successPolicy)) {
      throw invalidProp(this, 'successPolicy', props.successPolicy, `one of ${Object.values(GangSuccessPolicy).map(show).join(', ')}`);
    }
    return {
      maxRestarts: requireInteger(this, 'maxRestarts', props.maxRestarts ?? 3, 0, INT32_MAX),
      backoffLimit: requireInteger(this, 'backoffLimit', props.backoffLimit ?? 0, 0, INT32_MAX),
      activeDeadlineSeconds: props.maxRuntime !== undefined ? wholeSeconds(this, 'maxRuntime', props.maxRuntime, 1) : undefined,
      ttlSecondsAfterFinished: traits.supportsTtl ? wholeSeconds(this, 'ttlAfterFinished', props.ttlAfterFinished ?? defaultTtl(traits), 0) : undefined,
    };
  }

  private gangPlan(profile: ClusterProfile, traits: BackendTraits, props: GangTrainingJobProps, gpus?: GpuAttachment): GangPlan {
    const identity = { name: 'gang-training-job', instance: this.name, component: 'trainer' };
    return {
      name: this.name,
      namespace: this.namespace,
      workers: this.workers,
      profile,
      labels: standardLabels(identity),
      podSelector: selectorLabels(identity),
      backend: traits,
      gpuRequest: props.gpusPerWorker,
      gpus,
      nodePool: props.nodePool,
      topology: props.topology,
    };
  }

  /** What the launcher is told: the gang, the program, and the rendezvous at the leader's stable DNS name. */
  private launchContext(props: GangTrainingJobProps, traits: BackendTraits, gpus?: GpuAttachment): LaunchContext {
    return {
      workers: this.workers,
      devicesPerPod: gpus?.devicesPerPod ?? 0,
      command: props.command,
      args: props.args,
      rendezvous: {
        leaderHost: this.leaderAddress,
        workerIndexFieldPath: COMPLETION_INDEX_FIELD,
        injectedByController: traits.injectsTorchEnv,
        fixedPort: traits.injectsTorchEnv ? TORCHRUN_DEFAULT_PORT : undefined,
        workerHost: traits.conventions ? undefined : (i) => `${workerHostname(this.name, traits.replicatedJobName, i)}.${this.name}`,
      },
      controllerPolicies: traits.controllerPolicies,
      backendRelease: traits.release,
    };
  }

  private attachGpus(builder: PodSpecBuilder, props: GangTrainingJobProps, traits: BackendTraits): GpuAttachment | undefined {
    const request = props.gpusPerWorker;
    if (!request) return undefined;
    if (props.nodePool) this.requireGangFitsPool(request, props.nodePool);
    return attachGpus(this, builder, request, {
      pods: this.workers,
      containers: [traits.containerName],
      pool: props.nodePool,
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
}
