import { ValidationError, show } from '../../internal/errors';

const CLASS_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * How the cluster autoscaler answers a `ProvisioningRequest` (autoscaling.x-k8s.io/v1 `provisioningClassName`).
 */
export class ProvisioningClass {
  /**
   * Scale the pool up for the whole gang or not at all, then hold the nodes for it
   * (`best-effort-atomic-scale-up.autoscaling.x-k8s.io`, cluster-autoscaler): the class for pools that scale from zero.
   */
  public static readonly BEST_EFFORT_ATOMIC_SCALE_UP = new ProvisioningClass('best-effort-atomic-scale-up.autoscaling.x-k8s.io');

  /**
   * Only check that the nodes the gang needs are there now, without scaling up (`check-capacity.autoscaling.x-k8s.io`,
   * cluster-autoscaler).
   */
  public static readonly CHECK_CAPACITY = new ProvisioningClass('check-capacity.autoscaling.x-k8s.io');

  /**
   * GKE's queued provisioning through the Dynamic Workload Scheduler (`queued-provisioning.gke.io`): the request waits
   * until the whole capacity can be obtained.
   */
  public static readonly GKE_QUEUED_PROVISIONING = new ProvisioningClass('queued-provisioning.gke.io');

  /**
   * Another provisioning class the cluster's autoscaler serves, by name.
   *
   * @param className The class name, a DNS-1123 subdomain such as `fast.autoscaler.example.com`.
   */
  public static custom(className: string): ProvisioningClass {
    if (typeof className !== 'string' || className.length > 253 || !CLASS_NAME.test(className)) {
      throw new ValidationError('ProvisioningClass.custom', 'className', `got ${show(className)}; expected a DNS-1123 ` +
        'subdomain of at most 253 characters (lowercase letters, digits, \'-\' and \'.\'), e.g. "queued-provisioning.gke.io"');
    }
    return new ProvisioningClass(className);
  }

  /**
   * @param className The `provisioningClassName`.
   */
  private constructor(public readonly className: string) {}
}
