/**
 * The simulated cluster's nodes: kwok nodes made from each GpuNodePool's contract (the labels and taints the pool
 * places pods with, its zone and NVLink clique, GPU Feature Discovery's product label, its GPUs), plain CPU nodes, and
 * a fake DRA driver: one ResourceSlice per GPU node with the devices, attributes and capacities the vendor's DRA
 * driver publishes (NVIDIA k8s-dra-driver-gpu v25.12.0 cmd/gpu-kubelet-plugin/deviceinfo.go: `type`, `uuid`,
 * `productName`, `architecture`, capacity `memory`; MIG devices with `profile` and `parentUUID`), so the real
 * scheduler allocates real claims against the CEL selectors we synthesize.
 */
import { createHash } from 'node:crypto';
import { GpuNodePool } from '../../src';
import { KubeObject } from '../harness/objects';

export const KWOK_ANNOTATION = 'kwok.x-k8s.io/node';
export const SIM_NODE_LABEL = 'simcluster.ai.cdk8s.io/node';
/** Node label naming the GpuNodePool a simulated node was made from (the pool's own label carries the same value). */
export const POOL_LABEL = GpuNodePool.POOL_LABEL;

export interface SimGpu {
  readonly driver: string;
  readonly deviceClassName: string;
  readonly typeAttribute: string;
  readonly wholeDeviceType: string;
  readonly productNameAttribute: string;
  readonly memoryCapacity: string;
  readonly productName: string;
  readonly architecture?: string;
  readonly memoryGib: number;
  readonly productLabel?: string;
  readonly productLabelValue?: string;
  readonly extendedResourceName?: string;
  /** MIG profile → instances per GPU, for MIG-capable models. */
  readonly migInstances: Readonly<Record<string, number>>;
}

/** What a pool promises its pods, as plain data. */
export interface PoolContract {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly { key: string; value?: string; effect: string }[];
  readonly gpusPerNode: number;
  readonly nodes: number;
  readonly gpu: SimGpu;
}

export function poolContract(pool: GpuNodePool): PoolContract {
  const vendor = pool.gpu.vendor as any;
  const labels: Record<string, string> = { ...pool.nodeLabels, ...((pool as any).podNodeLabels ?? {}) };
  if (pool.zones.length) labels['topology.kubernetes.io/zone'] = pool.zones[0];
  if (pool.nvlinkClique) labels[GpuNodePool.NVLINK_CLIQUE_LABEL] = pool.nvlinkClique;
  const migInstances = Object.fromEntries(pool.gpu.migProfiles.map((p) => [p, pool.gpu.migInstancesPerGpu(p)]));
  return {
    name: pool.name,
    labels,
    taints: pool.taints.map((t) => ({ key: t.key, value: t.value, effect: t.effect as string })),
    gpusPerNode: pool.gpusPerNode,
    nodes: pool.maxNodes,
    gpu: {
      driver: vendor.draDriver,
      deviceClassName: vendor.deviceClassName,
      typeAttribute: vendor.typeAttribute ?? 'type',
      wholeDeviceType: vendor.wholeDeviceType ?? 'gpu',
      productNameAttribute: vendor.productNameAttribute ?? 'productName',
      memoryCapacity: vendor.memoryCapacity ?? 'memory',
      productName: pool.gpu.productNames[0],
      architecture: pool.gpu.architecture,
      memoryGib: pool.gpu.memoryGib,
      productLabel: vendor.productLabel,
      productLabelValue: pool.gpu.nodeLabelValues[0],
      extendedResourceName: vendor.extendedResourceName,
      migInstances,
    },
  };
}

export interface NodeOptions {
  /** Publish the GPUs as this MIG profile's instances (all instances a GPU holds) instead of whole GPUs. */
  readonly migProfile?: string;
  /** Also advertise the GPUs as the device plugin's extended resource (`nvidia.com/gpu`). */
  readonly devicePlugin?: boolean;
  /** Publish a ResourceSlice (default: true). */
  readonly dra?: boolean;
  /** How many of the pool's nodes exist (default: maxNodes, the pool's contract). */
  readonly nodes?: number;
  /** Extra labels of the pool's node `index` (e.g. its block and rack for Kueue's topology-aware scheduling). */
  readonly labels?: (index: number) => Record<string, string>;
  /**
   * Spread the GPUs evenly over this many PCIe roots (`resource.kubernetes.io/pcieRoot`, as the NVIDIA driver and
   * DRANET publish it) and publish a fake DRANET (`dra.net`) slice: one RDMA NIC per root, plus a non-RDMA NIC.
   */
  readonly pcieRoots?: number;
}

const PCIE_ROOT = 'resource.kubernetes.io/pcieRoot';
const pcieRoot = (root: number) => `pci0000:${(root * 0x20).toString(16).padStart(2, '0')}`;

/** The fake DRANET slice of a node with `roots` PCIe roots (kubernetes-sigs/dranet v1.4.0 pkg/apis/attributes.go). */
function nicSlice(nodeName: string, roots: number): KubeObject {
  const nic = (name: string, root: number, rdma: boolean) => ({
    name, attributes: { rdma: { bool: rdma }, ifName: { string: name }, [PCIE_ROOT]: { string: pcieRoot(root) } },
  });
  // Last root first and the plain NIC first of all: a first-fit allocation that ignored the constraint would mispair.
  const nics = [nic('eth1', 0, false), ...Array.from({ length: roots }, (_, r) => nic(`gpu${r}rdma0`, r, true)).reverse()];
  return {
    apiVersion: 'resource.k8s.io/v1',
    kind: 'ResourceSlice',
    metadata: { name: `${nodeName}-dra.net` },
    spec: { driver: 'dra.net', nodeName, pool: { name: nodeName, generation: 1, resourceSliceCount: 1 }, devices: nics },
  };
}

function node(name: string, labels: Record<string, string>, taints: PoolContract['taints'], capacity: Record<string, string>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { [KWOK_ANNOTATION]: 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: {
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/os': 'linux',
        'kubernetes.io/hostname': name,
        'type': 'kwok',
        [SIM_NODE_LABEL]: 'true',
        ...labels,
      },
    },
    spec: { taints: taints.map((t) => ({ key: t.key, ...(t.value !== undefined ? { value: t.value } : {}), effect: t.effect })) },
    status: { capacity, allocatable: capacity, nodeInfo: { kubeletVersion: 'fake', architecture: 'amd64', operatingSystem: 'linux' } },
  };
}

const NODE_RESOURCES = { 'cpu': '224', 'memory': '2000Gi', 'pods': '110', 'ephemeral-storage': '10Ti' };

export function cpuNodes(count: number, labels: Record<string, string> = {}, prefix = 'cpu'): KubeObject[] {
  return Array.from({ length: count }, (_, i) => node(`${prefix}-${i}`, labels, [], NODE_RESOURCES));
}

function uuid(nodeName: string, gpu: number, suffix = ''): string {
  const h = createHash('sha256').update(`${nodeName}/${gpu}/${suffix}`).digest('hex');
  return `GPU-${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function migMemoryGib(profile: string): number {
  const m = /\.(\d+)gb/.exec(profile);
  return m ? Number(m[1]) : 1;
}

/** The devices the vendor's driver publishes for one node. */
function devices(contract: PoolContract, nodeName: string, options: NodeOptions): unknown[] {
  const g = contract.gpu;
  const str = (v: string) => ({ string: v });
  const common = (i: number) => ({
    [g.productNameAttribute]: str(g.productName),
    ...(g.architecture ? { architecture: str(g.architecture) } : {}),
    uuid: str(uuid(nodeName, i)),
  });
  const out: unknown[] = [];
  for (let i = 0; i < contract.gpusPerNode; i++) {
    if (options.migProfile) {
      const count = g.migInstances[options.migProfile];
      if (!count) throw new Error(`pool ${contract.name}: ${g.productName} has no MIG profile ${options.migProfile}`);
      for (let j = 0; j < count; j++) {
        out.push({
          name: `gpu-${i}-mig-${options.migProfile.replace(/[.+]/g, '')}-${j}`,
          attributes: {
            ...common(i),
            [g.typeAttribute]: str('mig'),
            profile: str(options.migProfile),
            parentUUID: str(uuid(nodeName, i)),
            uuid: str(uuid(nodeName, i, `mig-${j}`)),
          },
          capacity: { [g.memoryCapacity]: { value: `${migMemoryGib(options.migProfile)}Gi` } },
        });
      }
    } else {
      out.push({
        name: `gpu-${i}`,
        attributes: {
          ...common(i),
          [g.typeAttribute]: str(g.wholeDeviceType),
          ...(options.pcieRoots ? { [PCIE_ROOT]: str(pcieRoot(Math.floor(i * options.pcieRoots / contract.gpusPerNode))) } : {}),
        },
        capacity: { [g.memoryCapacity]: { value: `${g.memoryGib}Gi` } },
      });
    }
  }
  return out;
}

/** The kwok nodes of a pool (`<pool>-<i>`) and, unless `dra: false`, one ResourceSlice per node. */
export function poolNodes(contract: PoolContract, options: NodeOptions = {}): KubeObject[] {
  const objects: KubeObject[] = [];
  for (let i = 0; i < (options.nodes ?? contract.nodes); i++) {
    const name = `${contract.name}-${i}`;
    const labels: Record<string, string> = { ...contract.labels, ...(options.labels?.(i) ?? {}) };
    if (contract.gpu.productLabel && contract.gpu.productLabelValue) labels[contract.gpu.productLabel] = contract.gpu.productLabelValue;
    const capacity: Record<string, string> = { ...NODE_RESOURCES };
    if (options.devicePlugin && contract.gpu.extendedResourceName) capacity[contract.gpu.extendedResourceName] = String(contract.gpusPerNode);
    objects.push(node(name, labels, contract.taints, capacity));
    if (options.dra !== false) {
      objects.push({
        apiVersion: 'resource.k8s.io/v1',
        kind: 'ResourceSlice',
        metadata: { name: `${name}-${contract.gpu.driver}` },
        spec: {
          driver: contract.gpu.driver,
          nodeName: name,
          pool: { name, generation: 1, resourceSliceCount: 1 },
          devices: devices(contract, name, options),
        },
      });
      if (options.pcieRoots) objects.push(nicSlice(name, options.pcieRoots));
    }
  }
  return objects;
}

/**
 * The DeviceClasses a vendor's DRA driver installs (NVIDIA: deployments/helm/nvidia-dra-driver-gpu/templates/
 * deviceclass-gpu.yaml and deviceclass-mig.yaml, v25.12.0), for the vendors of `contracts`.
 */
export function driverDeviceClasses(contracts: readonly PoolContract[]): KubeObject[] {
  const byDriver = new Map<string, SimGpu>();
  for (const c of contracts) byDriver.set(c.gpu.driver, c.gpu);
  const classes: KubeObject[] = [];
  for (const g of byDriver.values()) {
    const cls = (name: string, type: string): KubeObject => ({
      apiVersion: 'resource.k8s.io/v1',
      kind: 'DeviceClass',
      metadata: { name },
      spec: { selectors: [{ cel: { expression: `device.driver == '${g.driver}' && device.attributes['${g.driver}'].${g.typeAttribute} == '${type}'` } }] },
    });
    classes.push(cls(g.deviceClassName, g.wholeDeviceType));
    if (g.driver === 'gpu.nvidia.com') classes.push(cls('mig.nvidia.com', 'mig'));
  }
  return classes;
}
