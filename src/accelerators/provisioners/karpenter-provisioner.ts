import { Duration } from 'cdk8s';
import { KarpenterDisruptionBudget, KarpenterDisruptionReason, KarpenterExpiry } from './karpenter-disruption';
import type { INodeProvisioner, ProvisionedNodes } from './node-provisioner-base';
import { ClusterAddon } from '../../cluster/cluster-addon';
import { ClusterProfile } from '../../cluster/cluster-profile';
import * as karpenter from '../../imports/karpenter';
import { clusterScoped } from '../../internal/cluster-scoped';
import { ValidationError, show } from '../../internal/errors';
import { standardLabels } from '../../internal/labels';
import { claimName } from '../../internal/names';
import { checkProps, req } from '../../internal/runtime-checks';
import type { IGpuNodePool } from '../node-pool-contract';

export * from './karpenter-disruption';

/**
 * A reference to the cloud provider's node class (e.g. an AWS `EC2NodeClass`), which the Karpenter NodePool uses.
 */
export interface KarpenterNodeClassRef {
  /**
   * The API group, e.g. `karpenter.k8s.aws`.
   */
  readonly group: string;

  /**
   * The kind, e.g. `EC2NodeClass`.
   */
  readonly kind: string;

  /**
   * The node class name.
   */
  readonly name: string;
}

/**
 * How Karpenter consolidates the pool's nodes.
 */
export enum KarpenterConsolidation {
  /** Remove a node only when no pod (other than daemons) runs there: never evicts a running GPU job. */
  WHEN_EMPTY = 'WhenEmpty',
  /** Also replace or remove under-used nodes (evicts pods). */
  WHEN_EMPTY_OR_UNDERUTILIZED = 'WhenEmptyOrUnderutilized',
}

/**
 * Props for the Karpenter provisioner.
 */
export interface KarpenterProvisionerProps {
  /**
   * The provider's node class, by reference (it is not emitted).
   */
  readonly nodeClass: KarpenterNodeClassRef;

  /**
   * Instance types that have the pool's GPUs (`node.kubernetes.io/instance-type`), e.g. `['p5.48xlarge']`.
   * Karpenter picks among them; keep it to GPU instance types, because Karpenter sizes nodes from CPU and memory
   * when it ignores DRA claims.
   */
  readonly instanceTypes: string[];

  /**
   * How Karpenter consolidates nodes.
   *
   * @default KarpenterConsolidation.WHEN_EMPTY
   */
  readonly consolidation?: KarpenterConsolidation;

  /**
   * How long a node must be consolidatable before Karpenter acts.
   *
   * @default Duration.minutes(10)
   */
  readonly consolidateAfter?: Duration;

  /**
   * How long a node lives before Karpenter replaces it (`spec.template.spec.expireAfter`). Expiration is forceful and
   * not budgeted; a running gang keeps its node (its pods carry `karpenter.sh/do-not-disrupt`) until
   * `terminationGracePeriod` has passed.
   *
   * @default KarpenterExpiry.after(Duration.days(30)) - Karpenter's default, 720h (karpenter.sh_nodepools.yaml v1.14.1)
   */
  readonly expireAfter?: KarpenterExpiry;

  /**
   * How long an expiring or drifted node may keep pods that block its drain (`karpenter.sh/do-not-disrupt`, a PodDisruptionBudget)
   * before Karpenter deletes them (`spec.template.spec.terminationGracePeriod`). With it set, drift also replaces nodes
   * that run such pods, once the grace period has passed; Karpenter aligns each pod's own grace period to it.
   *
   * @default Duration.hours(24) - a running training job gets a day to finish or checkpoint (the gang then restarts
   *   elsewhere); Karpenter's default (unset) waits forever, keeping a tainted GPU node that takes no new pods for as
   *   long as one pod blocks it (karpenter.sh_nodepools.yaml v1.14.1, kubernetes-sigs/karpenter#1776)
   */
  readonly terminationGracePeriod?: Duration;

  /**
   * How many nodes Karpenter may disrupt at once, per reason (`spec.disruption.budgets`, at most 50). Karpenter applies
   * the most restrictive active budget.
   *
   * @default - one node at a time for drift and consolidation (a gang loses at most one node while GPU capacity is
   *   replaced, and a lost GPU node is slow to come back), every empty node at once (an idle GPU node is the most
   *   expensive kind); Karpenter's default is 10% of the nodes for every reason (karpenter.sh_nodepools.yaml v1.14.1)
   */
  readonly disruptionBudgets?: KarpenterDisruptionBudget[];

  /**
   * The pool's weight among Karpenter NodePools that fit a pod (1-100).
   *
   * @default - Karpenter's default (0)
   */
  readonly weight?: number;
}

/** Karpenter's well-known labels (karpenter.sh/v1 pkg/apis/v1/labels.go). */
const NODEPOOL_LABEL = 'karpenter.sh/nodepool';
const CAPACITY_TYPE_LABEL = 'karpenter.sh/capacity-type';
const INSTANCE_TYPE_LABEL = 'node.kubernetes.io/instance-type';
const ZONE_LABEL = 'topology.kubernetes.io/zone';
/** Karpenter's default node lifetime: `expireAfter` default 720h (Karpenter v1.14.1 pkg/apis/crds/karpenter.sh_nodepools.yaml). */
const DEFAULT_EXPIRY = KarpenterExpiry.after(Duration.hours(720));
/** GPU nodes: a day for a running job to finish or checkpoint before an expiring or drifted node is emptied. */
const DEFAULT_TERMINATION_GRACE = Duration.hours(24);
/** GPU nodes: drift and consolidation one node at a time; empty nodes all at once (see `disruptionBudgets`). */
const DEFAULT_BUDGETS: KarpenterDisruptionBudget[] = [
  { nodes: '1', reasons: [KarpenterDisruptionReason.DRIFTED, KarpenterDisruptionReason.UNDERUTILIZED] },
  { nodes: '100%', reasons: [KarpenterDisruptionReason.EMPTY] },
];
/** The CRD's patterns and limits (Karpenter v1.14.1 pkg/apis/crds/karpenter.sh_nodepools.yaml). */
const BUDGET_NODES = /^((100|[0-9]{1,2})%|[0-9]+)$/;
const BUDGET_SCHEDULE = /^(@(annually|yearly|monthly|weekly|daily|midnight|hourly))|((.+)\s(.+)\s(.+)\s(.+)\s(.+))$/;
const MAX_BUDGETS = 50;

/**
 * A Karpenter `NodePool` (karpenter.sh/v1) for the pool. Karpenter (v1.14, `--ignore-dra-requests=true` by
 * default) does not see DRA claims when it decides to add nodes; pods placed on the pool therefore require
 * `karpenter.sh/nodepool: <pool>`, which makes Karpenter launch nodes from this NodePool for them.
 */
export class KarpenterProvisioner implements INodeProvisioner {
  public readonly kind: string = 'karpenter';

  constructor(private readonly props: KarpenterProvisionerProps) {}

  public bind(pool: IGpuNodePool): ProvisionedNodes {
    const profile = ClusterProfile.of(pool);
    profile._requireAddon(pool, 'provisioner', ClusterAddon.KARPENTER, 'NodeProvisioner.karpenter(...)');
    this.validate(pool);
    claimName(pool, 'NodePool', undefined, pool.name);
    const requirements: karpenter.NodePoolSpecTemplateSpecRequirements[] = [
      { key: INSTANCE_TYPE_LABEL, operator: karpenter.NodePoolSpecTemplateSpecRequirementsOperator.IN, values: [...this.props.instanceTypes] },
      { key: CAPACITY_TYPE_LABEL, operator: karpenter.NodePoolSpecTemplateSpecRequirementsOperator.IN, values: [pool.capacityType ?? 'on-demand'] },
    ];
    if (pool.zones.length) {
      requirements.push({ key: ZONE_LABEL, operator: karpenter.NodePoolSpecTemplateSpecRequirementsOperator.IN, values: [...pool.zones] });
    }
    const consolidateAfter = this.props.consolidateAfter ?? Duration.minutes(10);
    const resource = clusterScoped(new karpenter.NodePool(pool, 'NodePool', {
      metadata: { name: pool.name, labels: standardLabels({ name: 'gpu-node-pool', instance: pool.name, component: 'node-pool' }) },
      spec: {
        template: {
          metadata: { labels: { ...pool.nodeLabels } },
          spec: {
            nodeClassRef: { group: this.props.nodeClass.group, kind: this.props.nodeClass.kind, name: this.props.nodeClass.name },
            requirements,
            taints: pool.taints.map((t) => ({ key: t.key, value: t.value, effect: t.effect as any })),
            expireAfter: this.expireAfter(pool),
            terminationGracePeriod: karpenterDuration(this.seconds(pool, 'provisioner.terminationGracePeriod',
              this.props.terminationGracePeriod ?? DEFAULT_TERMINATION_GRACE, 0)),
          },
        },
        disruption: {
          consolidationPolicy: (this.props.consolidation ?? KarpenterConsolidation.WHEN_EMPTY) as any,
          consolidateAfter: `${consolidateAfter.toSeconds()}s`,
          budgets: this.budgets(pool),
        },
        limits: { nodes: karpenter.NodePoolSpecLimits.fromNumber(pool.maxNodes) },
        weight: this.props.weight,
      },
    }));
    return { resource, podNodeLabels: { [NODEPOOL_LABEL]: pool.name } };
  }

  private expireAfter(pool: IGpuNodePool): string {
    const duration = (this.props.expireAfter ?? DEFAULT_EXPIRY).duration;
    return duration === undefined ? 'Never' : karpenterDuration(this.seconds(pool, 'provisioner.expireAfter', duration, 1));
  }

  private budgets(pool: IGpuNodePool): karpenter.NodePoolSpecDisruptionBudgets[] {
    const budgets = this.props.disruptionBudgets ?? DEFAULT_BUDGETS;
    if (budgets.length === 0 || budgets.length > MAX_BUDGETS) {
      throw new ValidationError(pool, 'provisioner.disruptionBudgets', `got ${budgets.length} budgets; expected 1 to ${MAX_BUDGETS} ` +
        '(a budget with nodes "0" blocks disruption; leave the prop unset for the GPU defaults)');
    }
    return budgets.map((b, i) => {
      const prop = `provisioner.disruptionBudgets[${i}]`;
      if (typeof b.nodes !== 'string' || !BUDGET_NODES.test(b.nodes)) {
        throw new ValidationError(pool, `${prop}.nodes`, `got ${show(b.nodes)}; expected a node count such as "1" or a percentage such as "10%"`);
      }
      const reasons = b.reasons ?? [];
      const known = Object.values(KarpenterDisruptionReason) as string[];
      reasons.forEach((r, j) => {
        if (!known.includes(r)) throw new ValidationError(pool, `${prop}.reasons[${j}]`, `got ${show(r)}; expected one of ${known.map(show).join(', ')}`);
        if (reasons.indexOf(r) !== j) throw new ValidationError(pool, `${prop}.reasons[${j}]`, `got ${show(r)} twice; expected each reason once`);
      });
      if ((b.schedule === undefined) !== (b.duration === undefined)) {
        throw new ValidationError(pool, `${prop}.${b.schedule === undefined ? 'schedule' : 'duration'}`, 'got none; schedule and ' +
          'duration go together (Karpenter refuses one without the other); set both, or neither for an always-active budget');
      }
      if (b.schedule !== undefined && !BUDGET_SCHEDULE.test(b.schedule)) {
        throw new ValidationError(pool, `${prop}.schedule`, `got ${show(b.schedule)}; expected a cron schedule such as "0 9 * * 1-5" or "@daily"`);
      }
      let duration: string | undefined;
      if (b.duration !== undefined) {
        const seconds = this.seconds(pool, `${prop}.duration`, b.duration, 60);
        if (seconds % 60 !== 0) throw new ValidationError(pool, `${prop}.duration`, `got ${b.duration.toHumanString()}; expected whole minutes (Karpenter accepts only hours and minutes)`);
        duration = karpenterDuration(seconds);
      }
      return { nodes: b.nodes, reasons: b.reasons?.length ? [...b.reasons] as any : undefined, schedule: b.schedule, duration };
    });
  }

  private seconds(pool: IGpuNodePool, prop: string, duration: Duration, min: number): number {
    let seconds = Number.NaN;
    try {
      seconds = duration.toSeconds();
    } catch {
      // fractional seconds: refused below
    }
    if (!Number.isInteger(seconds) || seconds < min) {
      throw new ValidationError(pool, prop, `got ${duration.toHumanString()}; expected a whole number of seconds, at least ${min}`);
    }
    return seconds;
  }

  private validate(pool: IGpuNodePool) {
    const p = checkProps(pool, 'KarpenterProvisionerProps', this.props, {
      nodeClass: req('object', 'a node class reference { group, kind, name }, e.g. { group: \'karpenter.k8s.aws\', kind: \'EC2NodeClass\', name: \'gpu\' }'),
      instanceTypes: req('string[]', 'a list of instance types with the pool\'s GPUs, e.g. ["p5.48xlarge"]'),
    }, 'provisioner.');
    for (const [field, value] of Object.entries({ group: p.nodeClass.group, kind: p.nodeClass.kind, name: p.nodeClass.name })) {
      if (!value) throw new ValidationError(pool, `provisioner.nodeClass.${field}`, `got ${show(value)}; expected a non-empty string`);
    }
    if (p.instanceTypes.length === 0) {
      throw new ValidationError(pool, 'provisioner.instanceTypes', 'got []; expected at least one instance type with the pool\'s GPUs ' +
        '(Karpenter would otherwise pick any instance type, GPU-less ones included)');
    }
    if (p.weight !== undefined && (!Number.isInteger(p.weight) || p.weight < 1 || p.weight > 100)) {
      throw new ValidationError(pool, 'provisioner.weight', `got ${show(p.weight)}; expected an integer from 1 to 100`);
    }
    if (pool.minNodes > 0) {
      throw new ValidationError(pool, 'minNodes', `got ${pool.minNodes}; a Karpenter NodePool has no minimum size (it adds ` +
        'nodes for pending pods and removes empty ones); use 0, or the existing-nodes provisioner for a fixed pool');
    }
    if (pool.nvlinkClique !== undefined) {
      throw new ValidationError(pool, 'nvlinkClique', `got ${show(pool.nvlinkClique)}; Karpenter cannot launch nodes into ` +
        'an NVLink clique (nvidia.com/gpu.clique is set by GPU Feature Discovery after boot); use the existing-nodes provisioner');
    }
  }
}

/** A Go duration in the units Karpenter's patterns accept, in the largest unit that is exact (`720h`, `90m`, `45s`). */
function karpenterDuration(seconds: number): string {
  if (seconds > 0 && seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds > 0 && seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}
