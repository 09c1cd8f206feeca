import { Duration } from 'cdk8s';

/**
 * Why Karpenter disrupts a node, for a disruption budget (karpenter.sh/v1 `NodePool.spec.disruption.budgets[].reasons`,
 * Karpenter v1.14.1 `pkg/apis/crds/karpenter.sh_nodepools.yaml`).
 */
export enum KarpenterDisruptionReason {
  /** Consolidation of a node whose pods fit elsewhere (`WhenEmptyOrUnderutilized`). */
  UNDERUTILIZED = 'Underutilized',
  /** Removal of a node with no pods but daemons. */
  EMPTY = 'Empty',
  /** Replacement of a node that no longer matches its NodePool or node class. */
  DRIFTED = 'Drifted',
}

/**
 * A Karpenter disruption budget: how many of the pool's nodes may be disrupting at once, for which reasons and when.
 * Budgets limit the graceful methods (drift, consolidation); expiration and interruption are not budgeted.
 */
export interface KarpenterDisruptionBudget {
  /**
   * The most nodes of the pool that may be disrupting at once: a count such as `'1'` (`'0'` blocks disruption) or a
   * percentage of the pool's nodes such as `'10%'`.
   */
  readonly nodes: string;

  /**
   * The disruption reasons the budget applies to.
   *
   * @default - every reason
   */
  readonly reasons?: KarpenterDisruptionReason[];

  /**
   * When the budget becomes active, in cron syntax, in UTC.
   *
   * `@daily` and the like are allowed. Set it together with `duration`.
   *
   * @default - always active
   */
  readonly schedule?: string;

  /**
   * How long the budget stays active after each `schedule` hit, in whole minutes.
   *
   * Set it together with `schedule`.
   *
   * @default - always active
   */
  readonly duration?: Duration;
}

/**
 * How long a Karpenter node lives before it is replaced (`NodePool.spec.template.spec.expireAfter`). Expiration is
 * forceful: it ignores disruption budgets, and once `terminationGracePeriod` has passed it also ignores
 * `karpenter.sh/do-not-disrupt`.
 *
 * ```ts
 * KarpenterExpiry.after(Duration.days(30))   // Karpenter's default
 * KarpenterExpiry.never()                    // e.g. reserved capacity you keep
 * ```
 */
export class KarpenterExpiry {
  /**
   * Nodes expire this long after they were created (whole seconds, at least one).
   *
   * @param duration The node lifetime.
   */
  public static after(duration: Duration): KarpenterExpiry {
    return new KarpenterExpiry(duration);
  }

  /**
   * Nodes never expire.
   *
   * They are replaced only by drift, consolidation, interruption or by hand.
   */
  public static never(): KarpenterExpiry {
    return new KarpenterExpiry(undefined);
  }

  /** The lifetime, or undefined for never. */
  public readonly duration?: Duration;

  private constructor(duration: Duration | undefined) {
    this.duration = duration;
  }
}
