import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { GpuDeviceClass } from './gpu-device-class';
import { GpuModel } from './gpu-model';
import { GpuOperatorOptions, GpuOperatorPolicy } from './gpu-operator-policy';
import { CapacityType, IGpuNodePool, NodeTaint, TaintEffect } from './node-pool-contract';
import { ExistingNodesProvisioner } from './provisioners/existing-nodes-provisioner';
import type { INodeProvisioner, ProvisioningRequestSettings } from './provisioners/node-provisioner-base';
import { resolveTopologyLevels } from './topology-levels';
import { ValidationError, invalidProp, requireInteger, show, validationMessage } from '../internal/errors';
import { DNS_LABEL_MAX, claimName, dnsLabel, isDnsLabel, requireDnsLabel, resourceName } from '../internal/names';
import { LABEL_VALUE_TEXT, isLabelValue, requireLabels, requireQualifiedName } from '../internal/qualified-name';
import { checkProps, opt, req } from '../internal/runtime-checks';
import type { PodSpecBuilder } from '../security/pod-spec';

/** The label every node of a pool carries, with the pool's name as value. */
const GPU_NODE_POOL_LABEL = 'ai.cdk8s.io/gpu-node-pool';
/** GPU Feature Discovery's NVLink partition label (`<ClusterUUID>.<CliqueID>`). */
const NVLINK_CLIQUE_LABEL = 'nvidia.com/gpu.clique';
const ZONE_LABEL = 'topology.kubernetes.io/zone';
/** Pool DeviceClasses are named `<pool>.gpu-pool.ai.cdk8s.io` (cluster-scoped: a domain keeps them apart). */
const DEVICE_CLASS_DOMAIN = 'gpu-pool.ai.cdk8s.io';
const MAX_GPUS_PER_NODE = 64;

/**
 * Props for a GpuNodePool.
 */
export interface GpuNodePoolProps {
  /**
   * The GPU model of every node.
   */
  readonly gpu: GpuModel;

  /**
   * GPUs per node (1-64).
   */
  readonly gpusPerNode: number;

  /**
   * The fewest nodes the pool keeps.
   *
   * @default 0
   */
  readonly minNodes?: number;

  /**
   * The most nodes the pool grows to.
   *
   * With `gpusPerNode` it fixes the pool's GPU capacity, which workloads placed on the pool are checked against at
   * synth.
   *
   * @default 1
   */
  readonly maxNodes?: number;

  /**
   * Where the nodes come from.
   *
   * @default NodeProvisioner.existingNodes()
   */
  readonly provisioner?: INodeProvisioner;

  /**
   * How nodes are bought (provisioners that launch nodes only).
   *
   * @default - on-demand for provisioners that launch nodes
   */
  readonly capacityType?: CapacityType;

  /**
   * Taints of the pool's nodes, so that only workloads placed on the pool land there. Workloads placed on the pool
   * tolerate them automatically.
   *
   * @default - [{ key: 'nvidia.com/gpu' (the vendor's GPU taint key), value: 'present', effect: NO_SCHEDULE }]
   */
  readonly taints?: NodeTaint[];

  /**
   * Extra labels of the pool's nodes (the pool always adds `ai.cdk8s.io/gpu-node-pool: <name>`).
   *
   * @default - none
   */
  readonly labels?: { [key: string]: string };

  /**
   * Zones the nodes are in (`topology.kubernetes.io/zone`).
   *
   * @default - any zone
   */
  readonly zones?: string[];

  /**
   * The NVLink clique of the nodes (`nvidia.com/gpu.clique`, `<ClusterUUID>.<CliqueID>`), for multi-node NVLink
   * systems such as GB200 NVL72.
   *
   * @default - no clique constraint
   */
  readonly nvlinkClique?: string;

  /**
   * The node labels that say where each node sits in the network, widest first, e.g. `['example.com/block',
   * 'example.com/rack']`: every node carries each label, and nodes with equal values share that part of the fabric.
   *
   * An AiTenant on the pool then emits a Kueue Topology of these levels (with `kubernetes.io/hostname` appended as the
   * lowest level) for the pool's ResourceFlavor, and Kueue places the pool's gangs by it: `GangTopology` chooses the
   * level a gang must (or prefers to) fit in. Kueue v0.19 counts only the resources a node lists as allocatable, so
   * this needs GPUs from the device plugin (`GpuAllocation.DEVICE_PLUGIN`).
   *
   * @default - no topology: Kueue admits the pool's gangs by quota only
   */
  readonly topologyLevels?: string[];

  /**
   * Create a DRA DeviceClass that selects the pool's GPU model, named `<pool>.gpu-pool.ai.cdk8s.io`; whole-GPU
   * requests of workloads placed on the pool allocate from it.
   *
   * @default false
   */
  readonly deviceClass?: boolean;

  /**
   * The MIG profiles the pool's GPUs are partitioned into (as mig-parted lays out the nodes), e.g. `['1g.10gb']`.
   * Each gets a DRA DeviceClass named `<pool>-<profile>.gpu-pool.ai.cdk8s.io` that selects the pool model's MIG
   * instances of that profile: MIG requests of workloads placed on the pool allocate from it, and an AiTenant's
   * `migQuota` counts instances per profile (Kueue and the ResourceQuota count devices per DeviceClass).
   *
   * @default - none: MIG requests use the driver's `mig.nvidia.com` class, counted together whatever their profile
   */
  readonly migProfiles?: string[];

  /**
   * Emit the NVIDIA GPU Operator's ClusterPolicy with these settings.
   *
   * There is one per cluster: at most one pool of an app may set it. Its daemon sets tolerate the pool's taints.
   *
   * @default - no ClusterPolicy
   */
  readonly gpuOperator?: GpuOperatorOptions;

  /**
   * The pool's name (Karpenter NodePool name, label value).
   *
   * @default - derived from the construct path
   */
  readonly name?: string;
}

/** A workload placed on the pool and the most GPUs it holds at once. */
interface PoolDemand {
  /** The workload. */
  readonly scope: IConstruct;
  /** GPUs it holds at most (devices per pod x pods). */
  readonly devices: number;
  /** Whole GPUs each pod holds on its node, when its pods hold whole GPUs (not MIG slices or a shared GPU). */
  readonly gpusPerPod?: number;
  /** Its pods, when `gpusPerPod` is set. */
  readonly pods?: number;
}

/**
 * A pool of GPU nodes where GPU pods land and nothing else does: nodes of one GPU model, tainted so that only
 * workloads placed on the pool tolerate them, labelled so those workloads require them. Workloads that take a
 * GpuRequest accept `pool` and are checked at synth against the pool (model, GPUs per node, capacity).
 */
export class GpuNodePool extends Construct implements IGpuNodePool {
  /** The label every node of a pool carries, with the pool's name as value (`ai.cdk8s.io/gpu-node-pool`). */
  public static readonly POOL_LABEL = GPU_NODE_POOL_LABEL;
  /** GPU Feature Discovery's NVLink clique label (`nvidia.com/gpu.clique`). */
  public static readonly NVLINK_CLIQUE_LABEL = NVLINK_CLIQUE_LABEL;

  /**
   * True when `x` is a GpuNodePool.
   */
  public static isGpuNodePool(x: any): x is GpuNodePool {
    return x !== null && typeof x === 'object' && GPU_NODE_POOL in x;
  }

  /** The pool's name. */
  public readonly name: string;
  /** The GPU model of every node. */
  public readonly gpu: GpuModel;
  /** GPUs per node. */
  public readonly gpusPerNode: number;
  /** The fewest nodes. */
  public readonly minNodes: number;
  /** The most nodes. */
  public readonly maxNodes: number;
  /** How nodes are bought, when set. */
  public readonly capacityType?: CapacityType;
  /** The taints of the pool's nodes. */
  public readonly taints: NodeTaint[];
  /** The labels every node of the pool carries (the contract for existing nodes). */
  public readonly nodeLabels: { [key: string]: string };
  /** The zones, when constrained. */
  public readonly zones: string[];
  /** The NVLink clique, when constrained. */
  public readonly nvlinkClique?: string;
  /** The pool's topology levels, widest first and ending with `kubernetes.io/hostname`; empty without `topologyLevels`. */
  public readonly topologyLevels: string[];
  /** The provisioner. */
  public readonly provisioner: INodeProvisioner;
  /**
   * The ProvisioningRequest Kueue sends before it admits a gang onto the pool (NodeProvisioner.clusterAutoscaler).
   *
   * @default - none: Kueue admits gangs on quota alone
   */
  public readonly provisioningRequest?: ProvisioningRequestSettings;
  /** The object that provisions the nodes (e.g. the Karpenter NodePool), when there is one. */
  public readonly provisionerResource?: ApiObject;
  /** The pool's DeviceClass, when `deviceClass` is set. */
  public readonly deviceClass?: GpuDeviceClass;
  /** The pool's DeviceClasses of MIG instances, one per profile of `migProfiles`. */
  public readonly migDeviceClasses: GpuDeviceClass[];
  /** The GPU Operator ClusterPolicy, when `gpuOperator` is set. */
  public readonly gpuOperatorPolicy?: GpuOperatorPolicy;
  private readonly podNodeLabels: { [key: string]: string };
  private readonly demands: PoolDemand[] = [];

  constructor(scope: Construct, id: string, props: GpuNodePoolProps) {
    super(scope, id);
    checkProps(this, 'GpuNodePoolProps', props, {
      gpu: req(GpuModel, 'a GpuModel such as GpuModel.NVIDIA_H100_80_GB (or GpuModel.custom(...))'),
      gpusPerNode: req('number'),
      minNodes: opt('number'),
      maxNodes: opt('number'),
      provisioner: opt('object', 'a provisioner from NodeProvisioner.karpenter(...)'),
      taints: opt('array'),
      zones: opt('string[]'),
      topologyLevels: opt('string[]', 'node label keys such as [\'example.com/block\', \'example.com/rack\']'),
      migProfiles: opt('string[]', 'MIG profiles of the pool\'s model such as [\'1g.10gb\']'),
      labels: opt('string-map'),
      name: opt('string'),
    });
    Object.defineProperty(this, GPU_NODE_POOL, { value: true });
    this.name = props.name !== undefined ? requireDnsLabel(this, 'name', props.name) : resourceName(this, [], DNS_LABEL_MAX);
    this.gpu = props.gpu;
    this.gpusPerNode = requireInteger(this, 'gpusPerNode', props.gpusPerNode, 1, MAX_GPUS_PER_NODE);
    const perModel = props.gpu.maxGpusPerNode;
    if (perModel !== undefined && this.gpusPerNode > perModel) {
      throw invalidProp(this, 'gpusPerNode', this.gpusPerNode, `at most ${perModel}: a node holds at most ${perModel} ${props.gpu.id} GPUs ` +
        '(GpuModel maxGpusPerNode), so the pool would promise capacity no node has');
    }
    this.minNodes = requireInteger(this, 'minNodes', props.minNodes ?? 0, 0);
    this.maxNodes = requireInteger(this, 'maxNodes', props.maxNodes ?? Math.max(1, this.minNodes), 1);
    if (this.minNodes > this.maxNodes) throw invalidProp(this, 'minNodes', this.minNodes, `at most maxNodes (${this.maxNodes})`);
    this.capacityType = props.capacityType;
    this.taints = (props.taints ?? [{ key: props.gpu.vendor.taintKey, value: 'present' }])
      .map((t) => ({ key: t.key, value: t.value, effect: t.effect ?? TaintEffect.NO_SCHEDULE }));
    this.zones = [...(props.zones ?? [])];
    this.nvlinkClique = props.nvlinkClique;
    this.topologyLevels = resolveTopologyLevels(this, props.topologyLevels);
    this.nodeLabels = sortedKeys({ ...(props.labels ?? {}), [GPU_NODE_POOL_LABEL]: this.name });
    this.validate(props);
    claimName(this, 'GpuNodePool', undefined, this.name);
    this.provisioner = props.provisioner ?? new ExistingNodesProvisioner();
    const provisioned = this.provisioner.bind(this);
    this.provisionerResource = provisioned.resource;
    this.provisioningRequest = provisioned.provisioningRequest;
    this.podNodeLabels = sortedKeys(requireLabels(this, 'provisioner.podNodeLabels', provisioned.podNodeLabels ?? {}));
    if (props.deviceClass) {
      this.deviceClass = new GpuDeviceClass(this, 'DeviceClass', { name: `${this.name}.${DEVICE_CLASS_DOMAIN}`, model: this.gpu });
    }
    this.migDeviceClasses = this.migClasses(props.migProfiles ?? []);
    if (props.gpuOperator) {
      if (this.gpu.vendor.name !== 'nvidia') {
        throw new ValidationError(this, 'gpuOperator', `the NVIDIA GPU Operator cannot manage ${this.gpu.id} nodes`);
      }
      this.gpuOperatorPolicy = new GpuOperatorPolicy(this, 'GpuOperator', {
        ...props.gpuOperator,
        tolerations: this.taints.map((t) => ({ key: t.key, effect: t.effect })),
        migCapable: this.gpu.migProfiles.length > 0,
      });
    }
    this.node.addValidation({ validate: () => this.capacityErrors() });
  }

  /** The pool's DeviceClass of MIG instances of `profile`, if `migProfiles` lists it. */
  public migDeviceClass(profile: string): GpuDeviceClass | undefined {
    return this.migDeviceClasses.find((c) => c.migProfile === profile);
  }

  /** The most MIG instances of `profile` the pool holds: every GPU partitioned into that profile. */
  public migCapacity(profile: string): number {
    return this.gpu.migInstancesPerGpu(profile) * this.gpuCapacity;
  }

  /** The pool's GPU capacity: `maxNodes * gpusPerNode`. */
  public get gpuCapacity(): number {
    return this.maxNodes * this.gpusPerNode;
  }

  /**
   * Places a pod on the pool: requires the pool's labels (and zone/clique), tolerates the pool's taints (by key and
   * effect, whatever their value).
   * @internal
   */
  public _place(builder: PodSpecBuilder): void {
    // sorted keys: a provisioner written in Go hands its map over in random order, and requirements are a list
    for (const [key, value] of Object.entries({ ...this.podNodeLabels, [GPU_NODE_POOL_LABEL]: this.name }).sort(([a], [b]) => compare(a, b))) {
      builder.requireNode({ key, operator: 'In', values: [value] });
    }
    if (this.zones.length) builder.requireNode({ key: ZONE_LABEL, operator: 'In', values: [...this.zones] });
    if (this.nvlinkClique) builder.requireNode({ key: NVLINK_CLIQUE_LABEL, operator: 'In', values: [this.nvlinkClique] });
    for (const t of this.taints) builder.addToleration({ key: t.key, operator: 'Exists', effect: t.effect });
  }

  /**
   * Records that a workload holds `devices` of the pool's GPUs at most; the pool checks the sum at synth.
   * @internal
   */
  public _recordDemand(scope: IConstruct, devices: number, gpusPerPod?: number, pods?: number): void {
    this.demands.push({ scope, devices, gpusPerPod, pods });
  }

  private migClasses(profiles: string[]): GpuDeviceClass[] {
    profiles.forEach((profile, i) => {
      if (!this.gpu.migProfiles.includes(profile)) {
        throw invalidProp(this, `migProfiles[${i}]`, profile, this.gpu.migProfiles.length
          ? `a MIG profile of ${this.gpu.id}: ${this.gpu.migProfiles.join(', ')}` : `none: ${this.gpu.id} has no MIG`);
      }
      if (profiles.indexOf(profile) !== i) throw invalidProp(this, `migProfiles[${i}]`, profile, 'each profile at most once');
    });
    return profiles.map((profile) => new GpuDeviceClass(this, `MigDeviceClass-${profile}`, {
      name: `${migClassLabel(this.name, profile)}.${DEVICE_CLASS_DOMAIN}`,
      model: this.gpu,
      migProfile: profile,
    }));
  }

  private capacityErrors(): string[] {
    const total = this.demands.reduce((sum, d) => sum + d.devices, 0);
    // cdk8s prefixes validation messages with the construct path: `[path] maxNodes: ...`, as a ValidationError reads
    if (total > this.gpuCapacity) {
      const who = this.demands.map((d) => `${d.scope.node.path} (${d.devices})`).join(', ');
      return [validationMessage('maxNodes', `the workloads placed on the pool need ${total} GPUs (${who}) but the pool holds at most ` +
        `${this.gpuCapacity} (${this.maxNodes} nodes x ${this.gpusPerNode}); raise maxNodes or move a workload`)];
    }
    return this.packingErrors();
  }

  /**
   * A pod's GPUs all come from its own node, so the sum is not enough: three 3-GPU pods do not fit two 4-GPU nodes.
   * The default scheduler spreads (LeastAllocated scoring and the serving pods' preferred anti-affinity put each pod
   * on the emptiest node that fits), and pods arrive in any order, so the pool places the whole-GPU pods the way that
   * strands the most GPUs: smallest first, each on the node with the most free GPUs. Pods of one size fit exactly
   * when they fit any way; mixed sizes (2- and 3-GPU pods on 4-GPU nodes) are refused when spreading would strand
   * the larger ones, as it did on the simulated cluster. MIG and shared GPUs take the room that is left.
   */
  private packingErrors(): string[] {
    const pods = this.demands.flatMap((d) => (d.gpusPerPod ? Array.from({ length: d.pods ?? 0 }, () => d.gpusPerPod!) : []))
      .sort((a, b) => a - b);
    const free = Array.from({ length: this.maxNodes }, () => this.gpusPerNode);
    let unplaced = 0;
    for (const size of pods) {
      const node = free.indexOf(Math.max(...free));
      if (free[node] < size) unplaced++;
      else free[node] -= size;
    }
    const fractional = this.demands.filter((d) => !d.gpusPerPod).reduce((sum, d) => sum + d.devices, 0);
    if (unplaced === 0 && fractional <= free.reduce((a, b) => a + b, 0)) return [];
    const who = this.demands.map((d) => (d.gpusPerPod ? `${d.scope.node.path} (${d.pods} pods x ${d.gpusPerPod})` : `${d.scope.node.path} (${d.devices})`)).join(', ');
    return [validationMessage('maxNodes', 'the pods placed on the pool do not fit its nodes: each pod\'s GPUs come from one node of ' +
      `${this.gpusPerNode}, and ${who} spread over ${this.maxNodes} nodes leave ${unplaced || 'some'} pod(s) without a ` +
      'node; raise maxNodes, request the same GPUs per pod in every workload of the pool (a divisor of the GPUs per ' +
      'node), or move a workload to a pool of its own')];
  }

  private validate(props: GpuNodePoolProps) {
    const keys = new Set<string>();
    this.taints.forEach((t, i) => {
      requireQualifiedName(this, `taints[${i}].key`, t.key, 'nvidia.com/gpu');
      if (t.value !== undefined && !isLabelValue(t.value)) throw invalidProp(this, `taints[${i}].value`, t.value, LABEL_VALUE_TEXT);
      const k = `${t.key}:${t.effect}`;
      if (keys.has(k)) throw invalidProp(this, `taints[${i}]`, t, 'taints with distinct key and effect');
      keys.add(k);
    });
    const labels = requireLabels(this, 'labels', props.labels ?? {});
    if (GPU_NODE_POOL_LABEL in labels) {
      throw invalidProp(this, `labels.${GPU_NODE_POOL_LABEL}`, labels[GPU_NODE_POOL_LABEL], `no ${GPU_NODE_POOL_LABEL} label (the pool sets it to its name)`);
    }
    this.zones.forEach((z, i) => { if (z === '' || !isLabelValue(z)) throw invalidProp(this, `zones[${i}]`, z, 'a zone name (a label value)'); });
    if (this.nvlinkClique !== undefined && (this.nvlinkClique === '' || !isLabelValue(this.nvlinkClique))) {
      throw invalidProp(this, 'nvlinkClique', this.nvlinkClique, 'a clique id `<ClusterUUID>.<CliqueID>` (a label value)');
    }
    if (this.nvlinkClique !== undefined && this.gpu.vendor.name !== 'nvidia') {
      throw new ValidationError(this, 'nvlinkClique', `got ${show(this.nvlinkClique)}; NVLink cliques exist only for NVIDIA GPUs, the pool has ${this.gpu.id}`);
    }
  }
}

const GPU_NODE_POOL = Symbol.for('cdk8s-ai.GpuNodePool');

/** Plain code-point order (not locale-dependent), the same in every language binding. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A copy of `labels` with its keys in sorted order (jsii hands Go maps over in random order). */
function sortedKeys(labels: { [key: string]: string }): { [key: string]: string } {
  return Object.fromEntries(Object.entries(labels).sort(([a], [b]) => compare(a, b)));
}

/** `<pool>-<profile>` with the profile's dots as dashes (`a100-1g-10gb`), hashed only when that is too long. */
function migClassLabel(pool: string, profile: string): string {
  const readable = `${pool}-${profile.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return isDnsLabel(readable) ? readable : dnsLabel([pool, profile]);
}
