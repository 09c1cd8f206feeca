import { ExistingNodesProvisioner } from './existing-nodes-provisioner';
import { KarpenterProvisioner, KarpenterProvisionerProps } from './karpenter-provisioner';
import type { INodeProvisioner } from './node-provisioner-base';

/**
 * Where a GpuNodePool's nodes come from.
 */
export class NodeProvisioner {
  /**
   * A Karpenter `NodePool` (karpenter.sh/v1) with the provider's node class passed by reference.
   */
  public static karpenter(props: KarpenterProvisionerProps): INodeProvisioner {
    return new KarpenterProvisioner(props);
  }

  /**
   * Nodes that come from elsewhere: the pool is a label and taint contract and emits nothing.
   */
  public static existingNodes(): INodeProvisioner {
    return new ExistingNodesProvisioner();
  }

  private constructor() {}
}
