// Shared fixtures for the accelerator tests: profiles per test environment and the GpuRequest shapes.
import * as os from 'node:os';
import * as path from 'node:path';
import { ApiObject, App, Chart, Size } from 'cdk8s';
import { DeviceAttribute } from '../../src/accelerators/device-attribute';
import { GpuModel } from '../../src/accelerators/gpu-model';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { GpuSharing, TimeSliceInterval } from '../../src/accelerators/gpu-sharing';
import { ClusterAddon } from '../../src/cluster/cluster-addon';
import { ClusterProfile, GpuAllocation } from '../../src/cluster/cluster-profile';
import { KubernetesVersion } from '../../src/cluster/kubernetes-version';

export type Env = 'default' | 'latest';
export const ENVS: Env[] = ['default', 'latest'];
export const NAMESPACE = 'gpu-tests';
/** Where an app writes if a test synthesizes it (never the working tree). */
export const TEST_OUTDIR = path.join(os.tmpdir(), 'cdk8s-ai-accelerator-tests');
export const ALL_ADDONS = [...ClusterAddon.defaults(), ClusterAddon.KARPENTER, ClusterAddon.NVIDIA_GPU_OPERATOR];

/** An app whose ClusterProfile matches the test environment (1.34 defaults, or 1.37 defaults). */
export function appFor(env: Env, options: { gpuAllocation?: GpuAllocation; addons?: ClusterAddon[] } = {}): { app: App; chart: Chart } {
  const app = new App({ outdir: TEST_OUTDIR });
  new ClusterProfile(app, 'Cluster', {
    kubernetesVersion: env === 'latest' ? KubernetesVersion.V1_37 : KubernetesVersion.V1_34,
    gpuAllocation: options.gpuAllocation,
    addons: options.addons ?? ALL_ADDONS,
  });
  const chart = new Chart(app, 'gpus', { namespace: NAMESPACE });
  return { app, chart };
}

/** A Namespace labelled for DRA admin access (claims with adminAccess are only admitted there), in its own chart. */
export function adminAccessNamespace(app: App, name: string): ApiObject {
  return new ApiObject(new Chart(app, 'namespaces'), `ns-${name}`, {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: { 'resource.kubernetes.io/admin-access': 'true' } },
  });
}

export interface Shape {
  readonly name: string;
  readonly request: () => GpuRequest;
  /** Environments whose default gates allow the shape (the others must refuse it). */
  readonly envs: Env[];
  readonly replicas?: number;
}

/** One line per GpuRequest shape, as the README shows them. */
export const SHAPES: Shape[] = [
  { name: 'one GPU of any model', request: () => GpuRequest.of(1), envs: ['default', 'latest'] },
  { name: 'eight H100 80GB', request: () => GpuRequest.of(8, { model: GpuModel.NVIDIA_H100_80_GB }), envs: ['default', 'latest'] },
  { name: 'minimum memory', request: () => GpuRequest.of(1, { minMemory: Size.gibibytes(40) }), envs: ['default', 'latest'] },
  { name: 'MIG profile', request: () => GpuRequest.mig('1g.10gb', { model: GpuModel.NVIDIA_A100_80_GB }), envs: ['default', 'latest'] },
  {
    name: 'MIG slices of one GPU',
    request: () => GpuRequest.mig('3g.40gb', { count: 2, sameAttributes: [DeviceAttribute.MIG_PARENT_GPU] }),
    envs: ['default', 'latest'],
  },
  { name: 'time-sliced shared GPU', request: () => GpuRequest.shared(GpuSharing.timeSlicing(TimeSliceInterval.LONG)), envs: ['default', 'latest'], replicas: 3 },
  {
    name: 'MPS shared GPU',
    request: () => GpuRequest.shared(GpuSharing.mps({ activeThreadPercentage: 50, pinnedMemoryLimit: Size.gibibytes(8) }),
      { model: GpuModel.NVIDIA_L40_S }),
    envs: ['default', 'latest'],
    replicas: 2,
  },
  { name: 'shared MIG device', request: () => GpuRequest.shared(GpuSharing.mps(), { migProfile: '1g.10gb', model: GpuModel.NVIDIA_H100_80_GB }), envs: ['default', 'latest'], replicas: 2 },
  {
    name: 'H100 else A100 (prioritized list)',
    request: () => GpuRequest.firstAvailable([
      GpuRequest.of(8, { model: GpuModel.NVIDIA_H100_80_GB }),
      GpuRequest.of(8, { model: GpuModel.NVIDIA_A100_80_GB }),
      GpuRequest.mig('7g.80gb', { count: 4 }),
    ]),
    envs: ['default', 'latest'],
  },
  { name: 'all GPUs of the node', request: () => GpuRequest.allOnNode({ model: GpuModel.NVIDIA_L4 }), envs: ['default', 'latest'] },
  { name: 'same PCIe root', request: () => GpuRequest.of(2, { sameAttributes: [DeviceAttribute.PCIE_ROOT] }), envs: ['default', 'latest'] },
  {
    name: 'extra CEL selector',
    request: () => GpuRequest.of(1, { extraSelectors: ["device.attributes['gpu.nvidia.com'].architecture == 'Hopper'"] }),
    envs: ['default', 'latest'],
  },
  { name: 'memory share (consumable capacity)', request: () => GpuRequest.memoryShare(Size.gibibytes(20), { model: GpuModel.NVIDIA_H200 }), envs: ['latest'] },
  { name: 'dynamic MIG (partitionable devices)', request: () => GpuRequest.mig('2g.20gb', { dynamic: true }), envs: ['latest'] },
  { name: 'extended resource through DRA', request: () => GpuRequest.of(2, { asExtendedResource: true }), envs: ['latest'] },
  { name: 'multi-node NVLink', request: () => GpuRequest.of(4, { model: GpuModel.NVIDIA_GB200, multiNodeNvlink: true }), envs: ['default', 'latest'], replicas: 2 },
  {
    name: 'custom model with regex metacharacters in its name',
    request: () => GpuRequest.of(1, { model: GpuModel.custom({ id: 'rtx-6000-ada', productNames: ['NVIDIA RTX 6000 Ada Generation (rev. 1)', "Quadro's \\ odd"], memoryGib: 48 }) }),
    envs: ['default', 'latest'],
  },
  { name: 'AMD MI300X', request: () => GpuRequest.of(8, { model: GpuModel.AMD_MI300_X, minMemory: Size.gibibytes(128) }), envs: ['default', 'latest'] },
];
