import type { INodeProvisioner, ProvisionedNodes } from './node-provisioner-base';
import { ValidationError } from '../../internal/errors';
import type { IGpuNodePool } from '../node-pool-contract';

/**
 * Nodes that come from elsewhere (a managed node group, bare metal, another autoscaler). The pool emits nothing;
 * it is a contract: the nodes carry the pool's labels (`pool.nodeLabels`) and taints (`pool.taints`), and workloads
 * placed on the pool require those labels and tolerate those taints.
 */
export class ExistingNodesProvisioner implements INodeProvisioner {
  public readonly kind: string = 'existing-nodes';

  public bind(pool: IGpuNodePool): ProvisionedNodes {
    if (pool.capacityType !== undefined) {
      throw new ValidationError(pool, 'capacityType', `got ${JSON.stringify(pool.capacityType)}; the existing-nodes ` +
        'provisioner cannot choose how nodes are bought. Remove capacityType, or use NodeProvisioner.karpenter(...)');
    }
    return {};
  }
}
