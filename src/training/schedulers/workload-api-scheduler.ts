import { Construct } from 'constructs';
import { ValidationError } from '../../internal/errors';
import { GangPlan, NO_BINDING, SchedulerBinding, SchedulerStrategy } from '../gang-plan';
import { WORKLOAD_API_RELEASES } from '../workload-api';

/** `GangScheduler.workloadApi()`: the native Workload API, in the shape of the profile's Kubernetes version. */
export class WorkloadApiScheduler implements SchedulerStrategy {
  public readonly name = 'workloadApi';

  public bind(scope: Construct, plan: GangPlan): SchedulerBinding {
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
