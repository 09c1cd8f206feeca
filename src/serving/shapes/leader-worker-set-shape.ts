import { IConstruct } from 'constructs';
import { ClusterAddon } from '../../cluster/cluster-addon';
import { ClusterProfile } from '../../cluster/cluster-profile';
import * as k8s from '../../imports/k8s';
import * as lws from '../../imports/lws';
import { show, ValidationError } from '../../internal/errors';
import { ResolvedParallelism } from '../parallelism';
import { GroupStartupPolicy, MultiNodeProps, SubGroupPolicy } from '../parallelism-props';
import { LaunchRole, LaunchSpec } from '../server-engine';
import { checkLeaderWorkerSet, PodLabelSet } from '../serving-checks';
import { RenderedWorkload, ScaleTargetRef, SERVER_CONTAINER, WorkloadInput, WorkloadShape } from '../workload-shape';

/** Label the LeaderWorkerSet controller puts on every pod: 0 on the leader. */
const LWS_WORKER_INDEX = 'leaderworkerset.sigs.k8s.io/worker-index';

/**
 * A replica served from several pods: a LeaderWorkerSet group whose leader serves the API and whose workers run
 * model shards. Needs the LeaderWorkerSet add-on.
 */
export class LeaderWorkerSetShape implements WorkloadShape {
  public readonly maxNameLength = 52;
  /**
   * Not the Service's name: the LeaderWorkerSet controller creates a headless Service named after the LeaderWorkerSet
   * (the pods' subdomain, behind LWS_LEADER_ADDRESS), and our ClusterIP Service of that name would either take its
   * place or fail to apply over it (lws v0.9.0 pkg/controllers/leaderworkerset_controller.go reconcileHeadlessServices).
   */
  public readonly workloadNameSuffix = ['lws'];
  public readonly servingRole = LaunchRole.LEADER;
  public readonly spreadsReplicas = false;
  public readonly groupTraffic = true;
  public readonly podsPerReplica: number;

  /**
   * @param parallelism the replica's parallelism (more than one pod)
   * @param multiNode the `multiNode` prop
   */
  constructor(parallelism: ResolvedParallelism, private readonly multiNode: MultiNodeProps) {
    this.podsPerReplica = parallelism.nodes;
  }

  public podCount(maxReplicas: number): number {
    return Math.max(1, maxReplicas) * this.podsPerReplica;
  }

  public requireAddons(scope: IConstruct, profile: ClusterProfile): void {
    profile._requireAddon(scope, 'multiNode', ClusterAddon.LEADER_WORKER_SET, 'A multi-node replica (LeaderWorkerSet)');
  }

  public servingPodLabels(podLabels: { [key: string]: string }): { [key: string]: string } {
    return { ...podLabels, [LWS_WORKER_INDEX]: '0' };
  }

  public servingSelector(workloadSelector: { [key: string]: string }): { [key: string]: string } {
    return { ...workloadSelector, [LWS_WORKER_INDEX]: '0' };
  }

  public podLabelSets(owner: string, namespace: string | undefined, podLabels: { [key: string]: string },
    servingLabels: { [key: string]: string } = {}): PodLabelSet[] {
    return [
      { owner, namespace, labels: this.servingPodLabels({ ...podLabels, ...servingLabels }) },
      { owner: `${owner} (workers)`, namespace, labels: podLabels },
    ];
  }

  public controllerServices(workloadName: string): string[] {
    return [workloadName];
  }

  public check(scope: IConstruct, workloadName: string): void {
    // The name is the headless Service's too: a DNS-1035 label (lws v0.9.0 pkg/webhooks/leaderworkerset_webhook.go).
    if (!/^[a-z]/.test(workloadName)) {
      throw new ValidationError(scope, 'id', `gives the LeaderWorkerSet the name ${show(workloadName)}, which must start ` +
        'with a letter (it also names the group\'s headless Service, a DNS-1035 label); give the construct an id starting with a letter');
    }
    checkLeaderWorkerSet(scope, this.podsPerReplica, this.multiNode.subGroupSize, this.leaderExcluded);
  }

  public render(input: WorkloadInput): RenderedWorkload {
    const mn = this.multiNode;
    const template = (spec: k8s.PodSpec, labels = input.podLabels) => k8s.toJson_PodTemplateSpec({ metadata: { labels }, spec });
    const leaderWorkerSet = new lws.LeaderWorkerSet(input.scope, 'LeaderWorkerSet', {
      metadata: {
        ...input.meta('LeaderWorkerSet', input.workloadName),
        annotations: mn.exclusiveTopologyKey ? { 'leaderworkerset.sigs.k8s.io/exclusive-topology': mn.exclusiveTopologyKey } : undefined,
      },
      spec: {
        replicas: input.replicas,
        startupPolicy: mn.startupPolicy === GroupStartupPolicy.LEADER_READY
          ? lws.LeaderWorkerSetSpecStartupPolicy.LEADER_READY
          : lws.LeaderWorkerSetSpecStartupPolicy.LEADER_CREATED,
        rolloutStrategy: {
          type: lws.LeaderWorkerSetSpecRolloutStrategyType.ROLLING_UPDATE,
          rollingUpdateConfiguration: {
            maxUnavailable: lws.LeaderWorkerSetSpecRolloutStrategyRollingUpdateConfigurationMaxUnavailable.fromNumber(1),
            maxSurge: lws.LeaderWorkerSetSpecRolloutStrategyRollingUpdateConfigurationMaxSurge.fromNumber(0),
          },
        },
        leaderWorkerTemplate: {
          size: this.podsPerReplica,
          // One NCCL group: a restart of any pod recreates the whole group.
          restartPolicy: lws.LeaderWorkerSetSpecLeaderWorkerTemplateRestartPolicy.RECREATE_GROUP_ON_POD_RESTART,
          leaderTemplate: template(input.servingPod, { ...input.podLabels, ...input.servingLabels }),
          workerTemplate: template(workerPodSpec(input.servingPod, input.launch(LaunchRole.WORKER))),
          subGroupPolicy: mn.subGroupSize !== undefined ? {
            subGroupSize: mn.subGroupSize,
            subGroupPolicyType: this.leaderExcluded
              ? lws.LeaderWorkerSetSpecLeaderWorkerTemplateSubGroupPolicySubGroupPolicyType.LEADER_EXCLUDED
              : lws.LeaderWorkerSetSpecLeaderWorkerTemplateSubGroupPolicySubGroupPolicyType.LEADER_WORKER,
          } : undefined,
        },
      },
    });
    return { workload: leaderWorkerSet, leaderWorkerSet };
  }

  public scaleTargetRef(name: string): ScaleTargetRef {
    return { apiVersion: 'leaderworkerset.x-k8s.io/v1', kind: 'LeaderWorkerSet', name };
  }

  private get leaderExcluded(): boolean {
    return this.multiNode.subGroupPolicy === SubGroupPolicy.LEADER_EXCLUDED;
  }
}

/** The worker pod of a multi-node group: the leader's spec with the worker command line and no API probes. */
function workerPodSpec(leader: k8s.PodSpec, worker: LaunchSpec): k8s.PodSpec {
  return {
    ...leader,
    containers: leader.containers.map((c) => (c.name !== SERVER_CONTAINER ? c : {
      ...c,
      command: worker.command.length ? worker.command : undefined,
      args: worker.args,
      ports: undefined,
      startupProbe: undefined,
      livenessProbe: undefined,
      readinessProbe: undefined,
    })),
  };
}
