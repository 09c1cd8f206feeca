import { Construct } from 'constructs';
import { ClusterAddon } from '../../cluster/cluster-addon';
import { JobSet } from '../../imports/jobset';
import { claimName } from '../../internal/names';
import { BackendObjects, BackendStrategy, BackendTraits, GangPlan, GangRendering } from '../gang-plan';
import { gangJobSetSpec } from '../jobset-spec';

/** `TrainingBackend.jobSet()`: the gang is one JobSet (`jobset.x-k8s.io/v1alpha2`, JobSet v0.12). */
export class JobSetBackend implements BackendStrategy {
  public readonly name = 'jobSet';

  public traits(): BackendTraits {
    return {
      kind: 'JobSet',
      apiGroup: 'jobset.x-k8s.io',
      release: 'JobSet v0.12',
      addon: ClusterAddon.JOBSET,
      containerName: 'trainer',
      replicatedJobName: 'worker',
      podFields: ['schedulingGroup'],
      supportsTtl: true,
      injectsTorchEnv: false,
      launcherContainerName: 'launcher',
    };
  }

  public render(scope: Construct, plan: GangPlan, rendering: GangRendering): BackendObjects {
    claimName(scope, 'JobSet', plan.namespace, plan.name);
    claimName(scope, 'Service', plan.namespace, plan.name);
    const workload = new JobSet(scope, 'JobSet', {
      metadata: { name: plan.name, namespace: plan.namespace, labels: { ...plan.labels, ...rendering.scheduler.jobLabels } },
      spec: gangJobSetSpec(plan, rendering, { lifecycle: true }),
    });
    return { workload, companions: [] };
  }
}
