import { ClusterAutoscalerProvisioner, ClusterAutoscalerProvisionerProps } from './cluster-autoscaler-provisioner';
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
   * A cluster-autoscaler node group (defined with the cloud provider): Kueue admits a gang onto the pool only once the
   * autoscaler has provisioned nodes for all of it (a ProvisioningRequest admission check in every tenant with quota on
   * the pool).
   */
  public static clusterAutoscaler(props: ClusterAutoscalerProvisionerProps = {}): INodeProvisioner {
    return new ClusterAutoscalerProvisioner(props);
  }

  /**
   * Nodes that come from elsewhere: the pool is a label and taint contract and emits nothing.
   */
  public static existingNodes(): INodeProvisioner {
    return new ExistingNodesProvisioner();
  }

  private constructor() {}
}
