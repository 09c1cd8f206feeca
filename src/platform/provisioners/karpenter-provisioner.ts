import { Duration } from 'cdk8s';
import type { INodeProvisioner, ProvisionedNodes } from './node-provisioner-base';
import * as karpenter from '../../imports/karpenter';
import { clusterScoped } from '../../internal/cluster-scoped';
import { ValidationError, show } from '../../internal/errors';
import { standardLabels } from '../../internal/labels';
import { claimName } from '../../internal/names';
import { ClusterAddon } from '../cluster-addon';
import { ClusterProfile } from '../cluster-profile';
import type { GpuNodePool } from '../gpu-node-pool';

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

/**
 * A Karpenter `NodePool` (karpenter.sh/v1) for the pool. Karpenter (v1.14, `--ignore-dra-requests=true` by
 * default) does not see DRA claims when it decides to add nodes; pods placed on the pool therefore require
 * `karpenter.sh/nodepool: <pool>`, which makes Karpenter launch nodes from this NodePool for them.
 */
export class KarpenterProvisioner implements INodeProvisioner {
  public readonly kind: string = 'karpenter';

  constructor(private readonly props: KarpenterProvisionerProps) {}

  public bind(pool: GpuNodePool): ProvisionedNodes {
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
          },
        },
        disruption: {
          consolidationPolicy: (this.props.consolidation ?? KarpenterConsolidation.WHEN_EMPTY) as any,
          consolidateAfter: `${consolidateAfter.toSeconds()}s`,
        },
        limits: { nodes: karpenter.NodePoolSpecLimits.fromNumber(pool.maxNodes) },
        weight: this.props.weight,
      },
    }));
    return { resource, podNodeLabels: { [NODEPOOL_LABEL]: pool.name } };
  }

  private validate(pool: GpuNodePool) {
    const p = this.props;
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
