import { ApiObject } from 'cdk8s';
import type { IGpuNodePool } from '../node-pool-contract';

/**
 * What a provisioner did for a pool.
 */
export interface ProvisionedNodes {
  /**
   * The object that provisions the nodes (e.g. a Karpenter NodePool), when there is one.
   *
   * @default - none: the nodes come from elsewhere
   */
  readonly resource?: ApiObject;

  /**
   * Node labels, beyond the pool's own, that pods targeting the pool require (e.g. `karpenter.sh/nodepool`).
   *
   * @default - none
   */
  readonly podNodeLabels?: { [key: string]: string };

  /**
   * The ProvisioningRequest Kueue sends the cluster's autoscaler before it admits a gang onto the pool.
   *
   * @default - none: Kueue admits gangs on quota alone
   */
  readonly provisioningRequest?: ProvisioningRequestSettings;
}

/**
 * How Kueue asks the cluster's autoscaler for a gang's nodes (a Kueue `ProvisioningRequestConfig`).
 */
export interface ProvisioningRequestSettings {
  /**
   * The autoscaler's provisioning class (`provisioningClassName`).
   */
  readonly className: string;

  /**
   * The class's parameters.
   */
  readonly parameters: { [key: string]: string };

  /**
   * Retries after a failed request before Kueue deactivates the workload.
   */
  readonly backoffLimitCount: number;

  /**
   * The first wait before a retry, in seconds.
   */
  readonly backoffBaseSeconds: number;

  /**
   * The longest wait between retries, in seconds.
   */
  readonly backoffMaxSeconds: number;
}

/**
 * Where a GpuNodePool's nodes come from. Implement it to add a provisioner (one class); the library ships
 * `NodeProvisioner.karpenter(...)`, `NodeProvisioner.clusterAutoscaler(...)` and `NodeProvisioner.existingNodes()`.
 */
export interface INodeProvisioner {
  /**
   * A short name for error messages and the platform report, e.g. `karpenter`.
   */
  readonly kind: string;

  /**
   * Emits what provisions the pool's nodes (under `pool`) and says what pods need to land there. Called once,
   * from the pool's constructor.
   */
  bind(pool: IGpuNodePool): ProvisionedNodes;
}
