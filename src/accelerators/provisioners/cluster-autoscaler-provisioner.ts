import { Duration } from 'cdk8s';
import type { INodeProvisioner, ProvisionedNodes } from './node-provisioner-base';
import { ProvisioningClass } from './provisioning-class';
import { ClusterAddon } from '../../cluster/cluster-addon';
import { ClusterProfile } from '../../cluster/cluster-profile';
import { ValidationError, requireInteger } from '../../internal/errors';
import { checkProps, opt } from '../../internal/runtime-checks';
import type { IGpuNodePool } from '../node-pool-contract';

/** Kueue's limit on a ProvisioningRequestConfig's parameters (apis/kueue/v1beta2 provisioningrequestconfig_types.go, v0.19.2). */
const MAX_PARAMETERS = 100;
const MAX_PARAMETER_LENGTH = 255;

/**
 * Props for the cluster-autoscaler provisioner.
 */
export interface ClusterAutoscalerProvisionerProps {
  /**
   * How the autoscaler answers the ProvisioningRequests Kueue sends for a gang on the pool.
   *
   * @default ProvisioningClass.BEST_EFFORT_ATOMIC_SCALE_UP
   */
  readonly provisioningClass?: ProvisioningClass;

  /**
   * Extra parameters of the provisioning class (ProvisioningRequest `spec.parameters`), e.g. GKE's `maxRunDurationSeconds`.
   *
   * @default - none
   */
  readonly parameters?: { [key: string]: string };

  /**
   * How many times Kueue asks again after the autoscaler failed a request, before it deactivates the workload.
   *
   * @default 3 (Kueue's default)
   */
  readonly maxRetries?: number;

  /**
   * The first wait before Kueue asks again, doubled for each further retry.
   *
   * @default Duration.minutes(1) (Kueue's default)
   */
  readonly retryBackoff?: Duration;

  /**
   * The longest wait between two requests.
   *
   * @default Duration.minutes(30) (Kueue's default)
   */
  readonly maxRetryBackoff?: Duration;
}

/**
 * Nodes from a cluster-autoscaler node group (defined with the cloud provider, not emitted), which may scale from zero.
 * The pool is a label and taint contract, as with existing nodes; in addition, a gang queued by Kueue onto the pool
 * starts only once the autoscaler has provisioned nodes for all of it: every AiTenant with quota on the pool gets a
 * Kueue `ProvisioningRequest` admission check on the pool's flavor. The cluster needs cluster-autoscaler with
 * `--enable-provisioning-requests` (ClusterAddon.CLUSTER_AUTOSCALER).
 */
export class ClusterAutoscalerProvisioner implements INodeProvisioner {
  public readonly kind: string = 'cluster-autoscaler';

  constructor(private readonly props: ClusterAutoscalerProvisionerProps = {}) {}

  public bind(pool: IGpuNodePool): ProvisionedNodes {
    ClusterProfile.of(pool)._requireAddon(pool, 'provisioner', ClusterAddon.CLUSTER_AUTOSCALER, 'NodeProvisioner.clusterAutoscaler(...)');
    const p = checkProps(pool, 'ClusterAutoscalerProvisionerProps', this.props, {
      provisioningClass: opt('object', 'a ProvisioningClass'),
      parameters: opt('object', 'a map of parameter names to strings'),
      maxRetries: opt('number', 'a whole number from 0 to 100'),
      retryBackoff: opt('object', 'a Duration'),
      maxRetryBackoff: opt('object', 'a Duration'),
    }, 'provisioner.');
    if (pool.capacityType !== undefined) {
      throw new ValidationError(pool, 'capacityType', `got ${JSON.stringify(pool.capacityType)}; the cluster autoscaler ` +
        'buys nodes as its node group says. Remove capacityType, or use NodeProvisioner.karpenter(...)');
    }
    const parameters = p.parameters ?? {};
    this.checkParameters(pool, parameters);
    // Kueue's own defaults, written out (kubebuilder defaults of ProvisioningRequestRetryStrategy in
    // apis/kueue/v1beta2/provisioningrequestconfig_types.go, v0.19.2): 3 retries, 60 s base, 1800 s maximum.
    const retries = p.maxRetries ?? 3;
    requireInteger(pool, 'provisioner.maxRetries', retries, 0, 100);
    const base = this.seconds(pool, 'provisioner.retryBackoff', p.retryBackoff ?? Duration.minutes(1));
    const max = this.seconds(pool, 'provisioner.maxRetryBackoff', p.maxRetryBackoff ?? Duration.minutes(30));
    if (max < base) {
      throw new ValidationError(pool, 'provisioner.maxRetryBackoff', `got ${max}s, shorter than retryBackoff (${base}s); ` +
        'the longest wait must be at least the first');
    }
    return {
      provisioningRequest: {
        className: (p.provisioningClass ?? ProvisioningClass.BEST_EFFORT_ATOMIC_SCALE_UP).className,
        parameters,
        backoffLimitCount: retries,
        backoffBaseSeconds: base,
        backoffMaxSeconds: max,
      },
    };
  }

  private checkParameters(pool: IGpuNodePool, parameters: { [key: string]: string }): void {
    const keys = Object.keys(parameters);
    if (keys.length > MAX_PARAMETERS) {
      throw new ValidationError(pool, 'provisioner.parameters', `has ${keys.length} entries; Kueue allows at most ${MAX_PARAMETERS}`);
    }
    for (const k of keys) {
      const v = parameters[k];
      if (k.length === 0) throw new ValidationError(pool, 'provisioner.parameters', 'has an empty parameter name');
      if (typeof v !== 'string' || v.length > MAX_PARAMETER_LENGTH) {
        throw new ValidationError(pool, `provisioner.parameters.${k}`, `got ${JSON.stringify(v)}; expected a string of at most ` +
          `${MAX_PARAMETER_LENGTH} characters`);
      }
    }
  }

  private seconds(pool: IGpuNodePool, prop: string, d: Duration): number {
    const s = d.toSeconds({ integral: false });
    requireInteger(pool, prop, s, 1, 2147483647);
    return s;
  }
}
