import { IConstruct } from 'constructs';
import { GpuModel } from './gpu-model';

// What a node provisioner reads from a pool. The provisioners implement INodeProvisioner against this contract,
// not against GpuNodePool, so the pool can choose its default provisioner without an import circle.

/**
 * The effect of a node taint.
 */
export enum TaintEffect {
  /** Pods that do not tolerate the taint are not scheduled on the node. */
  NO_SCHEDULE = 'NoSchedule',
  /** The scheduler avoids the node for pods that do not tolerate the taint. */
  PREFER_NO_SCHEDULE = 'PreferNoSchedule',
  /** Pods that do not tolerate the taint are not scheduled and evicted. */
  NO_EXECUTE = 'NoExecute',
}

/**
 * A taint on the pool's nodes.
 *
 * Workloads placed on the pool tolerate it automatically.
 */
export interface NodeTaint {
  /**
   * The taint key, e.g. `nvidia.com/gpu`.
   */
  readonly key: string;

  /**
   * The taint value.
   *
   * @default - no value
   */
  readonly value?: string;

  /**
   * The effect.
   *
   * @default TaintEffect.NO_SCHEDULE
   */
  readonly effect?: TaintEffect;
}

/**
 * How the pool's nodes are bought.
 */
export enum CapacityType {
  /** On-demand instances. */
  ON_DEMAND = 'on-demand',
  /** Spot instances (may be reclaimed). */
  SPOT = 'spot',
  /** Reserved capacity (capacity reservations). */
  RESERVED = 'reserved',
}

/**
 * A GPU node pool as its provisioner sees it: the nodes' shape and the labels and taints they carry.
 */
export interface IGpuNodePool extends IConstruct {
  /** The pool's name. */
  readonly name: string;
  /** The GPU model of every node. */
  readonly gpu: GpuModel;
  /** GPUs per node. */
  readonly gpusPerNode: number;
  /** The fewest nodes. */
  readonly minNodes: number;
  /** The most nodes. */
  readonly maxNodes: number;
  /** How nodes are bought, when set. */
  readonly capacityType?: CapacityType;
  /** The taints of the pool's nodes. */
  readonly taints: NodeTaint[];
  /** The labels every node of the pool carries (the contract for existing nodes). */
  readonly nodeLabels: { [key: string]: string };
  /** The zones, when constrained. */
  readonly zones: string[];
  /** The NVLink clique, when constrained. */
  readonly nvlinkClique?: string;
}
