import { checkProps, opt, req, requireKind } from '../internal/runtime-checks';

function checkOptions(factory: string, options: GangTopologyOptions | undefined): GangTopologyOptions {
  return checkProps(factory, 'GangTopologyOptions', options, { exclusive: opt('boolean'), preferred: opt('boolean') }, 'options.');
}

/** The well-known zone label of nodes. */
const ZONE_LABEL = 'topology.kubernetes.io/zone';
/** GPU Feature Discovery's NVLink partition label (`<ClusterUUID>.<CliqueID>`). */
const NVLINK_CLIQUE_LABEL = 'nvidia.com/gpu.clique';

/**
 * Options for a gang topology.
 */
export interface GangTopologyOptions {
  /**
   * The gang takes its topology domain for itself: no other exclusive gang's workers share the domain (JobSet
   * exclusive placement, `alpha.jobset.sigs.k8s.io/exclusive-topology`). Without it the workers only share one
   * domain (required pod affinity on the gang's own pods).
   *
   * @default false
   */
  readonly exclusive?: boolean;

  /**
   * One domain is a preference, not a requirement: Kueue's topology-aware scheduling admits the gang in one domain
   * when one has room, else in the fewest domains of the next level up, else spread
   * (`kueue.x-k8s.io/podset-preferred-topology`). Without it a gang that fits no single domain waits
   * (`kueue.x-k8s.io/podset-required-topology`). Needs `GangScheduler.kueue()` and a node pool with `topologyLevels`.
   *
   * @default false
   */
  readonly preferred?: boolean;
}

/**
 * Where the workers of a gang must land together: every worker in the same domain of a node label (zone, NVLink
 * domain, rack), so the collective traffic of the training job stays on the fast fabric.
 *
 * Under `GangScheduler.kueue()` on a node pool with `topologyLevels`, Kueue's topology-aware scheduling admits the
 * gang only into one domain with room for all of it (the label must be one of the pool's levels); elsewhere the
 * workers require each other's domain through pod affinity.
 *
 * ```ts
 * GangTopology.sameZone()
 * GangTopology.sameNvlinkDomain({ exclusive: true })
 * GangTopology.sameRack('example.com/rack')
 * GangTopology.sameDomain('example.com/block', { preferred: true })   // Kueue, on a pool with topologyLevels
 * ```
 */
export class GangTopology {
  /**
   * Every worker in one zone (`topology.kubernetes.io/zone`).
   */
  public static sameZone(options: GangTopologyOptions = {}): GangTopology {
    options = checkOptions('GangTopology.sameZone', options);
    return new GangTopology(ZONE_LABEL, 'zone', options);
  }

  /**
   * Every worker in one multi-node NVLink domain (GPU Feature Discovery's `nvidia.com/gpu.clique`, e.g. one
   * GB200 NVL72 rack).
   */
  public static sameNvlinkDomain(options: GangTopologyOptions = {}): GangTopology {
    options = checkOptions('GangTopology.sameNvlinkDomain', options);
    return new GangTopology(NVLINK_CLIQUE_LABEL, 'NVLink domain', options);
  }

  /**
   * Every worker in one rack. Kubernetes sets no rack label itself: name the label your nodes carry, e.g.
   * `topology.kubernetes.io/rack` or a cloud provider's.
   *
   * @param nodeLabel The key of the node label naming the rack.
   */
  public static sameRack(nodeLabel: string, options: GangTopologyOptions = {}): GangTopology {
    requireKind('GangTopology.sameRack', 'nodeLabel', nodeLabel, req('string', 'a node label key such as "topology.kubernetes.io/rack"'));
    options = checkOptions('GangTopology.sameRack', options);
    return new GangTopology(nodeLabel, 'rack', options);
  }

  /**
   * Every worker in one domain of any node label, e.g. `example.com/network-block`.
   *
   * @param nodeLabel The key of the node label naming the domain.
   */
  public static sameDomain(nodeLabel: string, options: GangTopologyOptions = {}): GangTopology {
    requireKind('GangTopology.sameDomain', 'nodeLabel', nodeLabel, req('string', 'a node label key such as "example.com/network-block"'));
    options = checkOptions('GangTopology.sameDomain', options);
    return new GangTopology(nodeLabel, `domain of ${nodeLabel}`, options);
  }

  /** The node label whose value names the domain. */
  public readonly nodeLabel: string;
  /** What the domain is, for messages. */
  public readonly description: string;
  /** True when the gang takes the domain for itself. */
  public readonly exclusive: boolean;
  /** True when one domain is only preferred (Kueue topology-aware scheduling). */
  public readonly preferred: boolean;

  private constructor(nodeLabel: string, description: string, options: GangTopologyOptions) {
    this.nodeLabel = nodeLabel;
    this.description = description;
    this.exclusive = options.exclusive ?? false;
    this.preferred = options.preferred ?? false;
  }
}
