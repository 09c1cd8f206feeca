import { Construct } from 'constructs';
import { GpuRequestShape } from '../../accelerators/gpu-request';
import { localQueues } from '../../cluster/app-registry';
import { ClusterAddon } from '../../cluster/cluster-addon';
import { ValidationError, show } from '../../internal/errors';
import { requireDnsLabel } from '../../internal/names';
import { GangPlan, NO_BINDING, SchedulerBinding, SchedulerStrategy } from '../gang-plan';
import { kueueTopologyRequest } from '../topology-checks';

/** Kueue's job label naming the LocalQueue. */
const KUEUE_QUEUE_LABEL = 'kueue.x-k8s.io/queue-name';
/** Kueue's job label naming the WorkloadPriorityClass. */
const KUEUE_PRIORITY_LABEL = 'kueue.x-k8s.io/priority-class';

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

/** `GangScheduler.kueue()`: Kueue admits the whole job at once against the queue's quota. */
export class KueueScheduler implements SchedulerStrategy {
  public readonly name = 'kueue';

  constructor(private readonly options: KueueSchedulerOptions) {}

  public bind(scope: Construct, plan: GangPlan): SchedulerBinding {
    plan.profile._requireAddon(scope, 'scheduler', ClusterAddon.KUEUE, 'GangScheduler.kueue()');
    const queue = requireDnsLabel(scope, 'scheduler.queue', this.options.queue);
    const jobLabels: Record<string, string> = { [KUEUE_QUEUE_LABEL]: queue };
    if (this.options.priorityClass !== undefined) {
      jobLabels[KUEUE_PRIORITY_LABEL] = requireDnsLabel(scope, 'scheduler.priorityClass', this.options.priorityClass);
    }
    requireCountableDevices(scope, plan);
    const podAnnotations = kueueTopologyRequest(scope, plan);
    scope.node.addValidation({ validate: () => { requireQueueInApp(scope, queue, plan.namespace); return []; } });
    // No `suspend: true` in the YAML: Kueue's create-time webhook suspends every job with a queue label
    // (pkg/controller/jobs/{jobset,trainjob}/*_webhook.go Default -> jobframework.ApplyDefaultForSuspend, v0.19.2), and
    // Kueue then owns the field. A manifest that set it would conflict with Kueue on every GitOps re-sync after
    // admission (server-side apply, no force), and a forced re-sync would suspend the running gang again.
    return { ...NO_BINDING, jobLabels, podAnnotations, suspend: false };
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
