import type { ExpertParallelismProps } from './expert-parallelism-props';

/**
 * How a replica's GPUs are split: tensor x pipeline x data parallel ranks = GPUs per pod x pods per replica.
 */
export interface ParallelismProps {
  /**
   * Tensor-parallel size.
   *
   * @default - the GPUs each pod gets
   */
  readonly tensor?: number;

  /**
   * The pipeline-parallel size in stages.
   *
   * Typically one stage per node in a multi-node replica.
   *
   * @default 1
   */
  readonly pipeline?: number;

  /**
   * Data-parallel size (engine replicas inside one serving replica).
   *
   * @default 1
   */
  readonly data?: number;

  /**
   * Expert parallelism for a mixture-of-experts model: its experts split over the tensor x data ranks (wide-EP when
   * the ranks span pods).
   *
   * @default - no expert parallelism (the experts are split like the other layers, by tensor parallelism)
   */
  readonly expert?: ExpertParallelismProps;
}

/** Which pods of a multi-node group a sub-group spans. */
export enum SubGroupPolicy {
  /** Sub-groups include the leader. */
  LEADER_WORKER = 'LeaderWorker',
  /** The leader is in no sub-group. */
  LEADER_EXCLUDED = 'LeaderExcluded',
}

/** When the workers of a multi-node group start. */
export enum GroupStartupPolicy {
  /** With the leader pod. */
  LEADER_CREATED = 'LeaderCreated',
  /** Once the leader is Ready. */
  LEADER_READY = 'LeaderReady',
}

/**
 * Serving one replica from several pods, as a LeaderWorkerSet group.
 *
 * It needs the LeaderWorkerSet add-on. Setting it (even to `{}`) allows the parallelism to need more GPUs than one
 * pod gets.
 */
export interface MultiNodeProps {
  /**
   * Split each group into sub-groups of this many pods (e.g. per NVLink domain or TPU slice).
   *
   * @default - no sub-groups
   */
  readonly subGroupSize?: number;

  /**
   * Whether sub-groups include the leader.
   *
   * @default SubGroupPolicy.LEADER_WORKER
   */
  readonly subGroupPolicy?: SubGroupPolicy;

  /**
   * When workers start.
   *
   * @default GroupStartupPolicy.LEADER_CREATED
   */
  readonly startupPolicy?: GroupStartupPolicy;

  /**
   * Place each group alone in one domain of this node topology label (e.g. `cloud.google.com/gke-nodepool` or a
   * rack label): LeaderWorkerSet exclusive placement.
   *
   * @default - no exclusive placement
   */
  readonly exclusiveTopologyKey?: string;
}
