import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { wholeSeconds } from './checks';
import { GangPlan, SchedulerBinding } from './gang-plan';
import { WORKLOAD_API_RELEASES } from './workload-api';
import { GpuRequestShape } from '../accelerators/gpu-request';
import { localQueues } from '../cluster/app-registry';
import { ClusterAddon } from '../cluster/cluster-addon';
import { PodGroup } from '../imports/podgroup';
import { ValidationError, show } from '../internal/errors';
import { claimName, requireDnsLabel } from '../internal/names';

/** Kueue's job label naming the LocalQueue. */
const KUEUE_QUEUE_LABEL = 'kueue.x-k8s.io/queue-name';
/** Kueue's job label naming the WorkloadPriorityClass. */
const KUEUE_PRIORITY_LABEL = 'kueue.x-k8s.io/priority-class';
/** scheduler-plugins' pod label naming the PodGroup. */
const POD_GROUP_LABEL = 'scheduling.x-k8s.io/pod-group';
/** The scheduler name of the scheduler-plugins second-scheduler Helm chart. */
const SCHEDULER_PLUGINS_SCHEDULER = 'scheduler-plugins-scheduler';

/**
 * Options for Kueue admission.
 */
export interface KueueSchedulerOptions {
  /**
   * The Kueue LocalQueue to submit to, in the job's namespace. When the app defines LocalQueues (an AiTenant
   * does), this one must be among them.
   */
  readonly queue: string;

  /**
   * A Kueue WorkloadPriorityClass (`kueue.x-k8s.io/priority-class`), for ordering and preemption inside the queue.
   *
   * @default - the priority of the pods' PriorityClass, else 0
   */
  readonly priorityClass?: string;
}

/**
 * Options for scheduler-plugins coscheduling.
 */
export interface PodGroupSchedulerOptions {
  /**
   * The scheduler that runs the coscheduling plugin.
   *
   * @default 'scheduler-plugins-scheduler' (the scheduler-plugins second-scheduler chart)
   */
  readonly schedulerName?: string;

  /**
   * How long the scheduler waits for the whole group before giving up on an attempt (`scheduleTimeoutSeconds`).
   *
   * @default - the plugin's `permitWaitingTimeSeconds`
   */
  readonly scheduleTimeout?: Duration;
}

/**
 * Who makes the workers of a gang start together or not at all. Pick the one your cluster runs.
 *
 * ```ts
 * GangScheduler.kueue({ queue: 'research' })       // Kueue admits the whole job at once against quota
 * GangScheduler.podGroup()                          // scheduler-plugins coscheduling PodGroup
 * GangScheduler.workloadApi()                       // the native Workload API (Kubernetes 1.35+, behind gates)
 * ```
 */
export abstract class GangScheduler {
  /**
   * Kueue: the job is submitted with the queue label (and the WorkloadPriorityClass).
   *
   * Kueue's webhook suspends it on creation, admits all workers at once when the queue's quota has room, then
   * unsuspends it. The queue itself (LocalQueue, ClusterQueue, ResourceFlavor) belongs to the tenant; it is only
   * referenced here.
   *
   * Kueue counts only DRA device requests with an exact count: a GPU request with a prioritized list, all devices
   * of a node, admin access, a shared claim or a capacity share is refused (request the GPUs as the extended
   * resource instead, `asExtendedResource: true`, where the cluster supports it).
   */
  public static kueue(options: KueueSchedulerOptions): GangScheduler {
    return new KueueScheduler(options);
  }

  /**
   * The coscheduling plugin of scheduler-plugins: a PodGroup with `minMember` = all workers, the pods labelled into
   * it and scheduled by the scheduler that runs the plugin.
   */
  public static podGroup(options: PodGroupSchedulerOptions = {}): GangScheduler {
    return new PodGroupScheduler(options);
  }

  /**
   * The native Kubernetes Workload API (gang policy with `minCount` = all workers), rendered for the target
   * version of the ClusterProfile: 1.35 `scheduling.k8s.io/v1alpha1` Workload + pod `workloadRef`; 1.36 `v1alpha2`
   * Workload + PodGroup + pod `schedulingGroup`; 1.37 `v1beta1`. Off by default in every version: the profile must
   * enable its feature gates (and the cluster serve the API version through `--runtime-config`).
   */
  public static workloadApi(): GangScheduler {
    return new WorkloadApiScheduler();
  }

  /** The scheduler's name, e.g. `kueue`. */
  public abstract readonly name: string;

  /**
   * Checks the job against the scheduler and returns what it adds to the job.
   * @internal
   */
  public abstract _bind(scope: Construct, plan: GangPlan): SchedulerBinding;
}

const NO_BINDING = { jobLabels: {}, podLabels: {}, suspend: false, podFields: {}, objects: [] };

class KueueScheduler extends GangScheduler {
  public readonly name = 'kueue';

  constructor(private readonly options: KueueSchedulerOptions) {
    super();
  }

  public _bind(scope: Construct, plan: GangPlan): SchedulerBinding {
    plan.profile._requireAddon(scope, 'scheduler', ClusterAddon.KUEUE, 'GangScheduler.kueue()');
    const queue = requireDnsLabel(scope, 'scheduler.queue', this.options.queue);
    const jobLabels: Record<string, string> = { [KUEUE_QUEUE_LABEL]: queue };
    if (this.options.priorityClass !== undefined) {
      jobLabels[KUEUE_PRIORITY_LABEL] = requireDnsLabel(scope, 'scheduler.priorityClass', this.options.priorityClass);
    }
    requireCountableDevices(scope, plan);
    scope.node.addValidation({ validate: () => { requireQueueInApp(scope, queue, plan.namespace); return []; } });
    // No `suspend: true` in the YAML: Kueue's create-time webhook suspends every job with a queue label
    // (pkg/controller/jobs/{jobset,trainjob}/*_webhook.go Default -> jobframework.ApplyDefaultForSuspend, v0.19.2), and
    // Kueue then owns the field. A manifest that set it would conflict with Kueue on every GitOps re-sync after
    // admission (server-side apply, no force), and a forced re-sync would suspend the running gang again.
    return { ...NO_BINDING, jobLabels, suspend: false };
  }
}

/** Kueue v0.19 marks a workload inadmissible when a DRA request is not `exactly` with an exact count. */
function requireCountableDevices(scope: Construct, plan: GangPlan): void {
  const request = plan.gpuRequest;
  if (!request || !plan.gpus || plan.gpus.extendedResource !== undefined) return;
  const problem = request.shape === GpuRequestShape.FIRST_AVAILABLE ? 'a prioritized list (firstAvailable)'
    : request.shape === GpuRequestShape.ALL_ON_NODE ? 'all devices of a node (allocationMode: All)'
      : request.adminAccess ? 'admin access (adminAccess)'
        : request.shape === GpuRequestShape.SHARED ? 'one ResourceClaim shared by all pods (Kueue counts only ResourceClaimTemplates)'
          : request.shape === GpuRequestShape.MEMORY_SHARE ? 'a share of device capacity (consumable capacity)'
            : undefined;
  if (!problem) return;
  const extendedPath = plan.profile.isFeatureEnabled('DRAExtendedResource');
  const fix = extendedPath
    ? 'request whole GPUs with an exact count, e.g. GpuRequest.of(8, { model }), or as the extended resource ' +
      '(GpuRequest.of(8, { model, asExtendedResource: true }), which Kueue counts)'
    : 'request whole GPUs with an exact count, e.g. GpuRequest.of(8, { model })';
  throw new ValidationError(scope, 'gpusPerWorker', `GangScheduler.kueue() cannot admit a GPU request with ${problem}: ` +
    `Kueue counts only DRA requests for an exact number of devices and leaves any other workload inadmissible; ${fix}`);
}

/** When the app defines LocalQueues, the job's queue must be one of them (same namespace). */
function requireQueueInApp(scope: Construct, queue: string, namespace: string | undefined): void {
  const queues = localQueues(scope);
  if (queues.length === 0) return;
  if (queues.some((q) => q.name === queue && (namespace === undefined || q.namespace === namespace))) return;
  const where = namespace === undefined ? '' : ` in namespace ${show(namespace)}`;
  const known = queues.map((q) => `${q.namespace}/${q.name}`).sort().join(', ');
  throw new ValidationError(scope, 'scheduler.queue', `got ${show(queue)}; the app defines no LocalQueue ${show(queue)}${where}. ` +
    `LocalQueues in the app: ${known}`);
}

class PodGroupScheduler extends GangScheduler {
  public readonly name = 'podGroup';

  constructor(private readonly options: PodGroupSchedulerOptions) {
    super();
  }

  public _bind(scope: Construct, plan: GangPlan): SchedulerBinding {
    plan.profile._requireAddon(scope, 'scheduler', ClusterAddon.SCHEDULER_PLUGINS, 'GangScheduler.podGroup()');
    const schedulerName = requireDnsLabel(scope, 'scheduler.schedulerName', this.options.schedulerName ?? SCHEDULER_PLUGINS_SCHEDULER);
    const timeout = this.options.scheduleTimeout !== undefined ? wholeSeconds(scope, 'scheduler.scheduleTimeout', this.options.scheduleTimeout, 1) : undefined;
    claimName(scope, 'PodGroup.scheduling.x-k8s.io', plan.namespace, plan.name);
    const podGroup = new PodGroup(scope, 'PodGroup', {
      metadata: { name: plan.name, namespace: plan.namespace, labels: plan.labels },
      spec: { minMember: plan.workers, scheduleTimeoutSeconds: timeout },
    });
    return { ...NO_BINDING, podLabels: { [POD_GROUP_LABEL]: plan.name }, schedulerName, objects: [podGroup] };
  }
}

class WorkloadApiScheduler extends GangScheduler {
  public readonly name = 'workloadApi';

  public _bind(scope: Construct, plan: GangPlan): SchedulerBinding {
    const version = plan.profile.kubernetesVersion;
    const release = WORKLOAD_API_RELEASES[version.minor];
    if (!release) {
      throw new ValidationError(scope, 'scheduler', 'GangScheduler.workloadApi() needs the Workload API (scheduling.k8s.io), ' +
        `which Kubernetes ${version} does not have (alpha from 1.35); target 1.35 or later in the ClusterProfile, or use ` +
        'GangScheduler.kueue() or GangScheduler.podGroup()');
    }
    for (const gate of release.gates) {
      plan.profile._requireFeature(scope, 'scheduler', gate,
        `GangScheduler.workloadApi() (${release.groupVersion}, which the apiserver serves only with --runtime-config=${release.groupVersion}=true)`);
    }
    if (!plan.backend.podFields.includes(release.podField)) {
      throw new ValidationError(scope, 'scheduler', `on Kubernetes ${version} the Workload API links pods to their group ` +
        `through spec.${release.podField}, which the ${plan.backend.release} CRD does not keep in its pod template (the ` +
        'apiserver would prune it and the gang would never form); target Kubernetes 1.36 or later, or use GangScheduler.kueue() ' +
        'or GangScheduler.podGroup()');
    }
    const { objects, podFields } = release.render(scope, plan);
    return { ...NO_BINDING, podFields, objects };
  }
}
