import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { ClusterAddon } from '../../cluster/cluster-addon';
import { PodGroup } from '../../imports/podgroup';
import { claimName, requireDnsLabel } from '../../internal/names';
import { wholeSeconds } from '../checks';
import { GangPlan, NO_BINDING, SchedulerBinding, SchedulerStrategy } from '../gang-plan';

/** scheduler-plugins' pod label naming the PodGroup. */
const POD_GROUP_LABEL = 'scheduling.x-k8s.io/pod-group';
/** The scheduler name of the scheduler-plugins second-scheduler Helm chart. */
const SCHEDULER_PLUGINS_SCHEDULER = 'scheduler-plugins-scheduler';

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

/** `GangScheduler.podGroup()`: a scheduler-plugins PodGroup with every worker as its minimum membership. */
export class PodGroupScheduler implements SchedulerStrategy {
  public readonly name = 'podGroup';

  constructor(private readonly options: PodGroupSchedulerOptions) {}

  public bind(scope: Construct, plan: GangPlan): SchedulerBinding {
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
