import { IConstruct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { ValidationError } from '../../internal/errors';
import { declarePodSpecs } from '../../internal/pod-templates';
import { ResolvedParallelism } from '../parallelism';
import { MultiNodeProps } from '../parallelism-props';
import { LaunchRole } from '../server-engine';
import { PodLabelSet } from '../serving-checks';
import { RenderedWorkload, ScaleTargetRef, WorkloadInput, WorkloadShape } from '../workload-shape';

/** One pod per replica: a Deployment. */
export class DeploymentShape implements WorkloadShape {
  public readonly podsPerReplica = 1;
  public readonly maxNameLength = 63;
  public readonly workloadNameSuffix = [];
  public readonly servingRole = LaunchRole.SINGLE;
  public readonly spreadsReplicas = true;
  public readonly groupTraffic = false;

  /**
   * @param parallelism the replica's parallelism (fits one pod)
   * @param multiNode the `multiNode` prop, refused here: the replica needs no second pod
   */
  constructor(private readonly parallelism: ResolvedParallelism, private readonly multiNode: MultiNodeProps | undefined) {}

  public podCount(maxReplicas: number): number {
    return Math.max(1, maxReplicas);
  }

  public requireAddons(): void {}

  public controllerServices(): string[] {
    return [];
  }

  public servingPodLabels(podLabels: { [key: string]: string }): { [key: string]: string } {
    return podLabels;
  }

  public servingSelector(workloadSelector: { [key: string]: string }): { [key: string]: string } {
    return workloadSelector;
  }

  public podLabelSets(owner: string, namespace: string | undefined, podLabels: { [key: string]: string },
    servingLabels: { [key: string]: string } = {}): PodLabelSet[] {
    return [{ owner, namespace, labels: { ...podLabels, ...servingLabels } }];
  }

  public check(scope: IConstruct): void {
    const p = this.parallelism;
    if (this.multiNode) {
      throw new ValidationError(scope, 'multiNode', `is set but the parallelism (${p.tensor} x ${p.pipeline} x ` +
        `${p.data}) fits the ${p.devicesPerPod} GPU(s) of one pod; remove multiNode or raise the parallelism`);
    }
  }

  public render(input: WorkloadInput): RenderedWorkload {
    const { servingPod } = input;
    const podLabels = { ...input.podLabels, ...input.servingLabels };
    const deployment = new k8s.KubeDeployment(input.scope, 'Deployment', {
      metadata: input.meta('Deployment', input.workloadName),
      spec: {
        replicas: input.replicas,
        // A surge pod would need GPUs the pool rarely has spare: replace pods one at a time instead.
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: k8s.IntOrString.fromNumber(0), maxUnavailable: k8s.IntOrString.fromNumber(1) } },
        selector: { matchLabels: input.workloadSelector },
        template: { metadata: { labels: podLabels }, spec: servingPod },
      },
    });
    declarePodSpecs(deployment, () => [{ path: 'spec.template.spec', spec: servingPod, labels: podLabels }]);
    return { workload: deployment, deployment };
  }

  public scaleTargetRef(name: string): ScaleTargetRef {
    return { apiVersion: 'apps/v1', kind: 'Deployment', name };
  }
}
