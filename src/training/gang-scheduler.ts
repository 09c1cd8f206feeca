import { Construct } from 'constructs';
import { GangPlan, SchedulerBinding, SchedulerStrategy } from './gang-plan';
import { KueueScheduler, KueueSchedulerOptions } from './schedulers/kueue-scheduler';
import { PodGroupScheduler, PodGroupSchedulerOptions } from './schedulers/pod-group-scheduler';
import { WorkloadApiScheduler } from './schedulers/workload-api-scheduler';

export type { KueueSchedulerOptions } from './schedulers/kueue-scheduler';
export type { PodGroupSchedulerOptions } from './schedulers/pod-group-scheduler';

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
    return new ChosenScheduler(new KueueScheduler(options));
  }

  /**
   * The coscheduling plugin of scheduler-plugins: a PodGroup with `minMember` = all workers, the pods labelled into
   * it and scheduled by the scheduler that runs the plugin.
   */
  public static podGroup(options: PodGroupSchedulerOptions = {}): GangScheduler {
    return new ChosenScheduler(new PodGroupScheduler(options));
  }

  /**
   * The native Kubernetes Workload API (gang policy with `minCount` = all workers), rendered for the target
   * version of the ClusterProfile: 1.35 `scheduling.k8s.io/v1alpha1` Workload + pod `workloadRef`; 1.36 `v1alpha2`
   * Workload + PodGroup + pod `schedulingGroup`; 1.37 `v1beta1`. Off by default in every version: the profile must
   * enable its feature gates (and the cluster serve the API version through `--runtime-config`).
   */
  public static workloadApi(): GangScheduler {
    return new ChosenScheduler(new WorkloadApiScheduler());
  }

  /** The scheduler's name, e.g. `kueue`. */
  public abstract readonly name: string;

  /**
   * Checks the job against the scheduler and returns what it adds to the job.
   * @internal
   */
  public abstract _bind(scope: Construct, plan: GangPlan): SchedulerBinding;
}

/** What every factory returns: the scheduler it chose, each a class of its own in schedulers/. */
class ChosenScheduler extends GangScheduler {
  public readonly name: string;

  constructor(private readonly scheduler: SchedulerStrategy) {
    super();
    this.name = scheduler.name;
  }

  public _bind(scope: Construct, plan: GangPlan): SchedulerBinding {
    return this.scheduler.bind(scope, plan);
  }
}
// Errors name what the caller passed by its public type ("got a GangScheduler"), not by this private class.
Object.defineProperty(ChosenScheduler, 'name', { value: 'GangScheduler' });
