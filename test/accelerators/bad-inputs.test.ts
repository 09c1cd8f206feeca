// The bad-input catalogue of src/accelerators and GpuNodePool: one row per refusal, each with the error it gives.
import { Chart, Size } from 'cdk8s';
import { Construct } from 'constructs';
import { ALL_ADDONS } from './fixtures';
import { GpuWorkload, GpuWorkloadProps } from './gpu-workload';
import { nicGang } from './nic-fixtures';
import { ComputeDomain } from '../../src/accelerators/compute-domain';
import { DeviceAttribute } from '../../src/accelerators/device-attribute';
import { GpuDeviceClass } from '../../src/accelerators/gpu-device-class';
import { GpuModel, GpuModelProps } from '../../src/accelerators/gpu-model';
import { GpuNodePool, GpuNodePoolProps } from '../../src/accelerators/gpu-node-pool';
import { MigStrategy } from '../../src/accelerators/gpu-operator-policy';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { GpuSharing } from '../../src/accelerators/gpu-sharing';
import { GpuVendor, GpuVendorProps } from '../../src/accelerators/gpu-vendor';
import { NicDriver, NicDriverProps, NicRequest, NicRequestOptions } from '../../src/accelerators/nic-request';
import { CapacityType, TaintEffect } from '../../src/accelerators/node-pool-contract';
import { NodeProvisioner } from '../../src/accelerators/provisioners/node-provisioner';
import { ClusterAddon } from '../../src/cluster/cluster-addon';
import { ClusterProfile, ClusterProfileProps, GpuAllocation } from '../../src/cluster/cluster-profile';
import { KubernetesVersion } from '../../src/cluster/kubernetes-version';
import { GangTrainingJobProps } from '../../src/training/gang-training-job';
import { BadInputRow, badInputCatalogue } from '../harness';

const H100 = GpuModel.NVIDIA_H100_80_GB;
const A100 = GpuModel.NVIDIA_A100_80_GB;
const V1_37 = { kubernetesVersion: KubernetesVersion.V1_37 };
const NO_DRA = { gpuAllocation: GpuAllocation.DEVICE_PLUGIN };
const NODE_CLASS = { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'gpu' };
const karpenter = (extra: object = {}) => NodeProvisioner.karpenter({ nodeClass: NODE_CLASS, instanceTypes: ['p5.48xlarge'], ...extra });

/** A chart under an app with the given profile (declared first, as users do). */
function chartWith(scope: Construct, profile: ClusterProfileProps = {}): Chart {
  const app = scope.node.root as Construct;
  new ClusterProfile(app, 'Cluster', { addons: ALL_ADDONS, ...profile });
  return new Chart(app, 'c', { namespace: 'ml' });
}

/** A workload row: `gpus` on a 1.34 DRA cluster unless a profile says otherwise. */
function workload(name: string, props: GpuWorkloadProps | (() => GpuWorkloadProps), error: string | RegExp,
  profile: ClusterProfileProps = {}): BadInputRow {
  return { name, error, build: (scope) => new GpuWorkload(chartWith(scope, profile), 'w', typeof props === 'function' ? props() : props) };
}

/** A row with a pool `p` and a workload `w` placed on it. */
function onPool(name: string, poolProps: Partial<GpuNodePoolProps>, gpus: () => GpuRequest, error: string | RegExp, replicas = 1): BadInputRow {
  return {
    name,
    error,
    build: (scope) => {
      const chart = chartWith(scope);
      const p = new GpuNodePool(chart, 'p', { gpu: H100, gpusPerNode: 8, maxNodes: 2, ...poolProps });
      new GpuWorkload(chart, 'w', { gpus: gpus(), pool: p, replicas });
    },
  };
}

function pool(name: string, props: Partial<GpuNodePoolProps>, error: string | RegExp, profile: ClusterProfileProps = {}): BadInputRow {
  return { name, error, build: (scope) => new GpuNodePool(chartWith(scope, profile), 'p', { gpu: H100, gpusPerNode: 8, ...props }) };
}

function customModel(name: string, props: Partial<GpuModelProps>, error: string | RegExp): BadInputRow {
  return { name, error, build: () => GpuModel.custom({ id: 'my-gpu', productNames: ['My GPU'], memoryGib: 48, ...props }) };
}

function customVendor(name: string, props: Partial<GpuVendorProps>, error: string | RegExp): BadInputRow {
  return { name, error, build: () => GpuVendor.custom({ name: 'acme', draDriver: 'gpu.acme.com', ...props }) };
}

const NOT_WITHOUT_DRA = 'cannot be expressed on a cluster without DRA (ClusterProfile gpuAllocation (gpu_allocation): DevicePlugin)';

badInputCatalogue([
  // --- GpuRequest: counts, memory, MIG, selectors ---
  workload('count 0', { gpus: GpuRequest.of(0) }, '[c/w] gpus.count: got 0; expected an integer from 1 to 32'),
  workload('fractional count', { gpus: GpuRequest.of(1.5) }, '[c/w] gpus.count: got 1.5; expected an integer from 1 to 32'),
  workload('count above the per-claim limit', { gpus: GpuRequest.of(33) }, '[c/w] gpus.count: got 33; expected an integer from 1 to 32'),
  workload('zero minimum memory', { gpus: GpuRequest.of(1, { minMemory: Size.mebibytes(0) }) }, '[c/w] gpus.minMemory (gpus.min_memory): got "0Ki"; expected a positive whole number of MiB'),
  workload('minimum memory below 1 MiB', { gpus: GpuRequest.of(1, { minMemory: Size.kibibytes(512) }) }, '[c/w] gpus.minMemory (gpus.min_memory): got "512Ki"; expected a positive whole number of MiB'),
  workload('more memory than the model has', { gpus: GpuRequest.of(1, { model: H100, minMemory: Size.gibibytes(80) }) },
    '[c/w] gpus.minMemory (gpus.min_memory): got "81920Mi"; expected at most the 80 GB of nvidia-h100-80gb, or another model'),
  workload('malformed MIG profile', { gpus: GpuRequest.mig('big') }, '[c/w] gpus.migProfile (gpus.mig_profile): got "big"; expected a MIG profile such as "1g.10gb"'),
  workload('MIG on a model without MIG', { gpus: GpuRequest.mig('1g.10gb', { model: GpuModel.NVIDIA_L4 }) },
    '[c/w] gpus.migProfile (gpus.mig_profile): got "1g.10gb"; expected a MIG profile of nvidia-l4: nothing: nvidia-l4 has no MIG support'),
  workload('MIG profile of another model', { gpus: GpuRequest.mig('1g.10gb', { model: GpuModel.NVIDIA_A100_40_GB }) },
    '[c/w] gpus.migProfile (gpus.mig_profile): got "1g.10gb"; expected a MIG profile of nvidia-a100-40gb: one of "1g.5gb", "1g.5gb+me", "2g.10gb"'),
  workload('MIG count 0', { gpus: GpuRequest.mig('1g.10gb', { count: 0 }) }, '[c/w] gpus.count: got 0; expected an integer from 1 to 32'),
  workload('empty extra selector', { gpus: GpuRequest.of(1, { extraSelectors: [' '] }) }, '[c/w] gpus.extraSelectors[0] (gpus.extra_selectors[0]): got " "; expected a non-empty CEL expression'),
  workload('attribute without domain', { gpus: GpuRequest.of(2, { sameAttributes: [DeviceAttribute.custom('pcieRoot')] }) },
    '[c/w] gpus.sameAttributes[0] (gpus.same_attributes[0]): got "pcieRoot"; expected a fully qualified attribute `<domain>/<name>`'),
  workload('MPS thread percentage 0', { gpus: GpuRequest.shared(GpuSharing.mps({ activeThreadPercentage: 0 })) },
    '[c/w] gpus.sharing.activeThreadPercentage (gpus.sharing.active_thread_percentage): got 0; expected an integer from 1 to 100'),
  workload('MPS thread percentage 101', { gpus: GpuRequest.shared(GpuSharing.mps({ activeThreadPercentage: 101 })) },
    '[c/w] gpus.sharing.activeThreadPercentage (gpus.sharing.active_thread_percentage): got 101; expected an integer from 1 to 100'),
  workload('MPS pinned memory 0', { gpus: GpuRequest.shared(GpuSharing.mps({ pinnedMemoryLimit: Size.mebibytes(0) })) },
    '[c/w] gpus.sharing.pinnedMemoryLimit (gpus.sharing.pinned_memory_limit): got "0Ki"; expected a positive whole number of MiB'),
  workload('time-slicing on AMD', { gpus: GpuRequest.shared(GpuSharing.timeSlicing(), { model: GpuModel.AMD_MI300_X }) },
    '[c/w] gpus.sharing: time-slicing and MPS are NVIDIA driver settings; amd GPUs cannot take them'),
  workload('MIG on AMD', { gpus: GpuRequest.mig('1g.10gb', { model: GpuModel.custom({ id: 'amd-x', vendor: GpuVendor.AMD, productNames: ['X'], memoryGib: 64, migProfiles: { '1g.10gb': 7 } }) }) },
    '[c/w] gpus.migProfile (gpus.mig_profile): got "1g.10gb"; expected no MIG profile: the amd driver has no MIG device class'),
  workload('a shared claim for too many pods', { gpus: GpuRequest.shared(GpuSharing.timeSlicing()), replicas: 257 },
    '[c/w] gpus: got "shared by 257 pods"; expected at most 256 pods per shared ResourceClaim'),
  workload('no pods', { gpus: GpuRequest.of(1), replicas: 0 }, '[c/w] replicas: got 0; expected an integer >= 1'),
  // --- prioritized list ---
  workload('empty prioritized list', { gpus: GpuRequest.firstAvailable([]) },
    '[c/w] gpus.alternatives: got "0 alternatives"; expected from 1 to 8 alternatives'),
  workload('nine alternatives', () => ({ gpus: GpuRequest.firstAvailable(Array.from({ length: 9 }, () => GpuRequest.of(1))) }),
    '[c/w] gpus.alternatives: got "9 alternatives"; expected from 1 to 8 alternatives'),
  workload('nested list', { gpus: GpuRequest.firstAvailable([GpuRequest.firstAvailable([GpuRequest.of(1)])]) },
    '[c/w] gpus.alternatives[0]: got "FirstAvailable"; expected GpuRequest.of(...) or GpuRequest.mig(...)'),
  workload('shared alternative', { gpus: GpuRequest.firstAvailable([GpuRequest.shared(GpuSharing.timeSlicing())]) },
    '[c/w] gpus.alternatives[0]: got "Shared"; expected GpuRequest.of(...) or GpuRequest.mig(...)'),
  workload('admin access on an alternative', { gpus: GpuRequest.firstAvailable([GpuRequest.of(1, { adminAccess: true })]) },
    '[c/w] gpus.alternatives[0]: adminAccess cannot be set on one alternative of a prioritized list'),
  workload('constraint on an alternative', { gpus: GpuRequest.firstAvailable([GpuRequest.of(2, { sameAttributes: [DeviceAttribute.PCIE_ROOT] })]) },
    '[c/w] gpus.alternatives[0]: sameAttributes cannot be set on one alternative of a prioritized list'),
  workload('alternative with count 0', { gpus: GpuRequest.firstAvailable([GpuRequest.of(0)]) },
    '[c/w] gpus.alternatives[0].count: got 0; expected an integer from 1 to 32'),
  workload('alternatives of two vendors', { gpus: GpuRequest.firstAvailable([GpuRequest.of(1, { model: H100 }), GpuRequest.of(1, { model: GpuModel.AMD_MI300_X })]) },
    '[c/w] gpus.alternatives: the alternatives mix drivers (gpu.nvidia.com, gpu.amd.com)'),
  // --- feature gates per version ---
  workload('prioritized list with the gate off', { gpus: GpuRequest.firstAvailable([GpuRequest.of(1)]) },
    '[c/w] gpus: GpuRequest.firstAvailable (DRA prioritized list) needs the feature gate DRAPrioritizedList', { featureGates: { DRAPrioritizedList: false } }),
  workload('admin access with the gate off', { gpus: GpuRequest.of(1, { adminAccess: true }) },
    '[c/w] gpus.adminAccess (gpus.admin_access): adminAccess on a device request needs the feature gate DRAAdminAccess', { featureGates: { DRAAdminAccess: false } }),
  workload('memory share on 1.34', { gpus: GpuRequest.memoryShare(Size.gibibytes(10)) },
    '[c/w] gpus.memoryShare (gpus.memory_share): GpuRequest.memoryShare (consumable capacity) needs the feature gate DRAConsumableCapacity (capacity requests and shared devices), which is off on the target Kubernetes 1.34'),
  workload('memory share larger than the GPU', { gpus: GpuRequest.memoryShare(Size.gibibytes(100), { model: H100 }) },
    '[c/w] gpus.memoryShare (gpus.memory_share): got "102400Mi"; expected at most the 80 GB of nvidia-h100-80gb', V1_37),
  workload('dynamic MIG on 1.34', { gpus: GpuRequest.mig('1g.10gb', { dynamic: true }) },
    '[c/w] gpus.dynamic: dynamic MIG (partitionable devices) needs the feature gate DRAPartitionableDevices'),
  workload('extended resource through DRA on 1.35', { gpus: GpuRequest.of(1, { asExtendedResource: true }) },
    '[c/w] gpus.asExtendedResource (gpus.as_extended_resource): an extended resource satisfied through DRA (asExtendedResource) needs the feature gate DRAExtendedResource', { kubernetesVersion: KubernetesVersion.V1_35 }),
  workload('memory selector as an extended resource through DRA', { gpus: GpuRequest.of(1, { asExtendedResource: true, minMemory: Size.gibibytes(8) }) },
    '[c/w] gpus.minMemory (gpus.min_memory): a memory selector cannot be expressed with asExtendedResource', V1_37),
  // --- multi-node NVLink ---
  workload('multi-node NVLink without the NVIDIA DRA driver', { gpus: GpuRequest.of(4, { multiNodeNvlink: true }) },
    '[c/w] gpus.multiNodeNvlink (gpus.multi_node_nvlink): multi-node NVLink (ComputeDomain) needs NVIDIA DRA driver (gpu.nvidia.com), which the ClusterProfile "Cluster" does not list in its addons',
    { addons: [ClusterAddon.KUEUE] }),
  workload('multi-node NVLink on AMD', { gpus: GpuRequest.of(4, { model: GpuModel.AMD_MI300_X, multiNodeNvlink: true }) },
    '[c/w] gpus.multiNodeNvlink (gpus.multi_node_nvlink): multi-node NVLink is an NVIDIA feature; the request is for amd-mi300x'),
  // --- clusters without DRA: what the extended resource cannot say ---
  workload('MIG without DRA', { gpus: GpuRequest.mig('1g.10gb') }, `[c/w] gpus.migProfile (gpus.mig_profile): a MIG profile ${NOT_WITHOUT_DRA}`, NO_DRA),
  workload('prioritized list without DRA', { gpus: GpuRequest.firstAvailable([GpuRequest.of(1, { model: H100 }), GpuRequest.of(1, { model: A100 })]) },
    `[c/w] gpus.alternatives: a prioritized list (firstAvailable) ${NOT_WITHOUT_DRA}`, NO_DRA),
  workload('memory selector without DRA', { gpus: GpuRequest.of(1, { minMemory: Size.gibibytes(40) }) }, `[c/w] gpus.minMemory (gpus.min_memory): a memory selector ${NOT_WITHOUT_DRA}`, NO_DRA),
  workload('all GPUs of a node without DRA', { gpus: GpuRequest.allOnNode() }, `[c/w] gpus.shape: all GPUs of a node ${NOT_WITHOUT_DRA}`, NO_DRA),
  workload('shared GPUs without DRA', { gpus: GpuRequest.shared(GpuSharing.timeSlicing()) }, `[c/w] gpus.sharing: GPUs shared between pods ${NOT_WITHOUT_DRA}`, NO_DRA),
  workload('memory share without DRA', { gpus: GpuRequest.memoryShare(Size.gibibytes(4)) }, `[c/w] gpus.memoryShare (gpus.memory_share): a memory share (consumable capacity) ${NOT_WITHOUT_DRA}`, NO_DRA),
  workload('same PCIe root without DRA', { gpus: GpuRequest.of(2, { sameAttributes: [DeviceAttribute.PCIE_ROOT] }) },
    `[c/w] gpus.sameAttributes (gpus.same_attributes): devices that share an attribute ${NOT_WITHOUT_DRA}`, NO_DRA),
  workload('admin access without DRA', { gpus: GpuRequest.of(1, { adminAccess: true }) }, `[c/w] gpus.adminAccess (gpus.admin_access): admin access ${NOT_WITHOUT_DRA}`, NO_DRA),
  workload('multi-node NVLink without DRA', { gpus: GpuRequest.of(1, { multiNodeNvlink: true }) },
    `[c/w] gpus.multiNodeNvlink (gpus.multi_node_nvlink): multi-node NVLink (ComputeDomain) ${NOT_WITHOUT_DRA}`, NO_DRA),
  workload('CEL selectors without DRA', { gpus: GpuRequest.of(1, { extraSelectors: ['true'] }) }, `[c/w] gpus.extraSelectors (gpus.extra_selectors): CEL selectors ${NOT_WITHOUT_DRA}`, NO_DRA),
  workload('vendor without an extended resource, without DRA', {
    gpus: GpuRequest.of(1, { model: GpuModel.custom({ id: 'acme-x1', vendor: GpuVendor.custom({ name: 'acme', draDriver: 'gpu.acme.com' }), productNames: ['X1'], memoryGib: 32 }) }),
  }, '[c/w] gpus: acme GPUs have no device-plugin extended resource', NO_DRA),
  {
    name: 'DeviceClass without extendedResourceName as an extended resource',
    error: '[c/w] gpus.deviceClass (gpus.device_class): got "my-class"; expected a DeviceClass with an extendedResourceName when the request is an extended resource',
    build: (scope) => {
      const chart = chartWith(scope, V1_37);
      const deviceClass = new GpuDeviceClass(chart, 'dc', { name: 'my-class' });
      new GpuWorkload(chart, 'w', { gpus: GpuRequest.of(1, { deviceClass, asExtendedResource: true }) });
    },
  },
  {
    name: 'DeviceClass of another model',
    error: '[c/w] gpus.deviceClass (gpus.device_class): got "a100s"; expected a DeviceClass of nvidia-h100-80gb (this one selects nvidia-a100-80gb)',
    build: (scope) => {
      const chart = chartWith(scope);
      const deviceClass = new GpuDeviceClass(chart, 'dc', { name: 'a100s', model: A100 });
      new GpuWorkload(chart, 'w', { gpus: GpuRequest.of(1, { deviceClass, model: H100 }) });
    },
  },
  // --- fit against the pool ---
  onPool('model other than the pool\'s', {}, () => GpuRequest.of(1, { model: A100 }),
    '[c/w] gpus.model: got "nvidia-a100-80gb"; expected nvidia-h100-80gb, the model of the pool c/p (nvidia-h100-80gb, 8 per node, 2 nodes)'),
  onPool('more GPUs per pod than per node', {}, () => GpuRequest.of(16), '[c/w] gpus.count: got 16; expected at most 8, the GPUs per node of the pool c/p'),
  onPool('more GPUs than the pool holds', {}, () => GpuRequest.of(8), '[c/w] gpus: the workload holds 24 GPUs of the pool c/p (nvidia-h100-80gb, 8 per node, 2 nodes) at most, which has 16', 3),
  onPool('all GPUs of more nodes than the pool has', {}, () => GpuRequest.allOnNode(), '[c/w] gpus: the workload holds 24 GPUs of the pool c/p', 3),
  onPool('no alternative fits the pool', {}, () => GpuRequest.firstAvailable([GpuRequest.of(8, { model: A100 }), GpuRequest.of(16, { model: H100 })]),
    '[c/w] gpus.alternatives: no alternative fits the pool c/p (nvidia-h100-80gb, 8 per node, 2 nodes); add one of nvidia-h100-80gb with at most 8 GPUs'),
  onPool('MIG profile the pool\'s GPUs lack', {}, () => GpuRequest.mig('1g.5gb'),
    '[c/w] gpus.migProfile (gpus.mig_profile): got "1g.5gb"; expected a MIG profile of nvidia-h100-80gb, the model of the pool c/p'),
  onPool('more MIG devices than a node holds', { gpusPerNode: 1 }, () => GpuRequest.mig('3g.40gb', { count: 3 }),
    '[c/w] gpus.count: got 3; expected at most 2 3g.40gb devices (2 per GPU x 1 GPUs), what one node of the pool c/p'),
  {
    name: 'two workloads overfill the pool',
    error: /Validation failed with the following errors:\n {2}\[c\/p\] maxNodes \(max_nodes\): the workloads placed on the pool need 24 GPUs \(c\/a \(16\), c\/b \(8\)\) but the pool holds at most 16/,
    build: (scope) => {
      const chart = chartWith(scope);
      const p = new GpuNodePool(chart, 'p', { gpu: H100, gpusPerNode: 8, maxNodes: 2 });
      new GpuWorkload(chart, 'a', { gpus: GpuRequest.of(8), pool: p, replicas: 2 });
      new GpuWorkload(chart, 'b', { gpus: GpuRequest.of(4), pool: p, replicas: 2 });
    },
  },
  {
    name: 'pool DeviceClass of another model',
    error: '[c/w] gpus.deviceClass (gpus.device_class): got "a100s"; expected a DeviceClass of nvidia-h100-80gb, the model of the pool c/p',
    build: (scope) => {
      const chart = chartWith(scope);
      const p = new GpuNodePool(chart, 'p', { gpu: H100, gpusPerNode: 8 });
      new GpuWorkload(chart, 'w', { gpus: GpuRequest.of(1, { deviceClass: new GpuDeviceClass(chart, 'dc', { name: 'a100s', model: A100 }) }), pool: p });
    },
  },
  // --- GpuNodePool ---
  pool('no GPUs per node', { gpusPerNode: 0 }, '[c/p] gpusPerNode (gpus_per_node): got 0; expected an integer from 1 to 64'),
  pool('65 GPUs per node', { gpusPerNode: 65 }, '[c/p] gpusPerNode (gpus_per_node): got 65; expected an integer from 1 to 64'),
  pool('no nodes', { maxNodes: 0 }, '[c/p] maxNodes (max_nodes): got 0; expected an integer >= 1'),
  pool('min above max', { minNodes: 3, maxNodes: 2 }, '[c/p] minNodes (min_nodes): got 3; expected at most maxNodes (2)'),
  pool('taint key with spaces', { taints: [{ key: 'nvidia gpu' }] }, '[c/p] taints[0].key: got "nvidia gpu"; expected a qualified name such as "nvidia.com/gpu"'),
  pool('taint value with slash', { taints: [{ key: 'nvidia.com/gpu', value: 'a/b' }] }, '[c/p] taints[0].value: got "a/b"; expected a label value'),
  pool('duplicate taints', { taints: [{ key: 'nvidia.com/gpu' }, { key: 'nvidia.com/gpu', value: 'x', effect: TaintEffect.NO_SCHEDULE }] },
    '[c/p] taints[1]: got {"key":"nvidia.com/gpu","value":"x","effect":"NoSchedule"}; expected taints with distinct key and effect'),
  pool('label key invalid', { labels: { 'team name': 'ml' } }, '[c/p] labels.team name: got "team name"; expected a qualified label key'),
  pool('label value invalid', { labels: { team: 'm l' } }, '[c/p] labels.team: got "m l"; expected a label value'),
  pool('label that overrides the pool label', { labels: { 'ai.cdk8s.io/gpu-node-pool': 'x' } },
    '[c/p] labels.ai.cdk8s.io/gpu-node-pool: got "x"; expected no ai.cdk8s.io/gpu-node-pool label (the pool sets it to its name)'),
  pool('zone invalid', { zones: ['us east'] }, '[c/p] zones[0]: got "us east"; expected a zone name (a label value)'),
  pool('clique invalid', { nvlinkClique: 'a b' }, '[c/p] nvlinkClique (nvlink_clique): got "a b"; expected a clique id'),
  pool('clique on AMD', { gpu: GpuModel.AMD_MI300_X, nvlinkClique: 'x.1' }, '[c/p] nvlinkClique (nvlink_clique): got "x.1"; NVLink cliques exist only for NVIDIA GPUs, the pool has amd-mi300x'),
  pool('name invalid', { name: 'H100_pool' }, '[c/p] name: got "H100_pool"; expected a DNS-1123 label'),
  pool('capacity type with existing nodes', { capacityType: CapacityType.SPOT },
    '[c/p] capacityType (capacity_type): got "spot"; the existing-nodes provisioner cannot choose how nodes are bought'),
  {
    name: 'two pools with one name',
    error: '[c/q] id: the GpuNodePool name "gpus" is already used by c/p',
    build: (scope) => {
      const chart = chartWith(scope);
      new GpuNodePool(chart, 'p', { gpu: H100, gpusPerNode: 8, name: 'gpus' });
      new GpuNodePool(chart, 'q', { gpu: A100, gpusPerNode: 8, name: 'gpus' });
    },
  },
  pool('pool DeviceClass without DRA', { deviceClass: true }, '[c/p/DeviceClass] scope: a DeviceClass needs Dynamic Resource Allocation', NO_DRA),
  // --- Karpenter provisioner ---
  pool('Karpenter not installed', { provisioner: karpenter() }, '[c/p] provisioner: NodeProvisioner.karpenter(...) needs Karpenter (karpenter.sh), which the ClusterProfile "Cluster" does not list',
    { addons: ClusterAddon.defaults() }),
  pool('Karpenter without instance types', { provisioner: karpenter({ instanceTypes: [] }) }, '[c/p] provisioner.instanceTypes (provisioner.instance_types): got []; expected at least one instance type'),
  pool('Karpenter node class without name', { provisioner: karpenter({ nodeClass: { ...NODE_CLASS, name: '' } }) }, '[c/p] provisioner.nodeClass.name (provisioner.node_class.name): got ""; expected a non-empty string'),
  pool('Karpenter weight 0', { provisioner: karpenter({ weight: 0 }) }, '[c/p] provisioner.weight: got 0; expected an integer from 1 to 100'),
  pool('Karpenter weight 101', { provisioner: karpenter({ weight: 101 }) }, '[c/p] provisioner.weight: got 101; expected an integer from 1 to 100'),
  pool('Karpenter with a minimum', { provisioner: karpenter(), minNodes: 1, maxNodes: 2 }, '[c/p] minNodes (min_nodes): got 1; a Karpenter NodePool has no minimum size'),
  pool('Karpenter into a clique', { provisioner: karpenter(), nvlinkClique: 'abc.1' }, '[c/p] nvlinkClique (nvlink_clique): got "abc.1"; Karpenter cannot launch nodes into an NVLink clique'),
  // --- GPU Operator ClusterPolicy ---
  pool('GPU Operator not installed', { gpuOperator: {} }, '[c/p/GpuOperator] gpuOperator (gpu_operator): a GPU Operator ClusterPolicy needs NVIDIA GPU Operator (ClusterPolicy)',
    { addons: ClusterAddon.defaults() }),
  pool('MIG strategy for a GPU without MIG', { gpu: GpuModel.NVIDIA_L4, gpuOperator: { migStrategy: MigStrategy.SINGLE } },
    '[c/p/GpuOperator] gpuOperator.migStrategy (gpu_operator.mig_strategy): got "single"; the pool\'s GPU model has no MIG support'),
  pool('driver version invalid', { gpuOperator: { driverVersion: 'latest' } }, '[c/p/GpuOperator] gpuOperator.driverVersion (gpu_operator.driver_version): got "latest"; expected a driver version such as "580.95.05"'),
  pool('ServiceMonitor without prometheus-operator', { gpuOperator: { serviceMonitor: true } },
    '[c/p/GpuOperator] gpuOperator.serviceMonitor (gpu_operator.service_monitor): a DCGM exporter ServiceMonitor needs prometheus-operator', { addons: [ClusterAddon.NVIDIA_GPU_OPERATOR] }),
  pool('ServiceMonitor without the exporter', { gpuOperator: { serviceMonitor: true, dcgmExporter: false } },
    '[c/p/GpuOperator] gpuOperator.serviceMonitor (gpu_operator.service_monitor): a ServiceMonitor needs the DCGM exporter'),
  pool('GPU Operator on AMD nodes', { gpu: GpuModel.AMD_MI300_X, gpuOperator: {} }, '[c/p] gpuOperator (gpu_operator): the NVIDIA GPU Operator cannot manage amd-mi300x nodes'),
  {
    name: 'two ClusterPolicies',
    error: '[c/q/GpuOperator] id: the ClusterPolicy name "cluster-policy" is already used by c/p/GpuOperator',
    build: (scope) => {
      const chart = chartWith(scope);
      new GpuNodePool(chart, 'p', { gpu: H100, gpusPerNode: 8, gpuOperator: {} });
      new GpuNodePool(chart, 'q', { gpu: A100, gpusPerNode: 8, gpuOperator: {} });
    },
  },
  // --- GpuDeviceClass and ComputeDomain ---
  {
    name: 'extendedResourceName without domain',
    error: '[c/dc] extendedResourceName (extended_resource_name): got "gpu"; expected a domain-prefixed resource name outside kubernetes.io',
    build: (scope) => new GpuDeviceClass(chartWith(scope, V1_37), 'dc', { extendedResourceName: 'gpu' }),
  },
  {
    name: 'extendedResourceName on 1.34',
    error: '[c/dc] extendedResourceName (extended_resource_name): a DeviceClass extendedResourceName needs the feature gate DRAExtendedResource',
    build: (scope) => new GpuDeviceClass(chartWith(scope), 'dc', { extendedResourceName: 'example.com/h100' }),
  },
  {
    name: 'DeviceClass name invalid',
    error: '[c/dc] name: got "H100s"; expected a DNS-1123 subdomain',
    build: (scope) => new GpuDeviceClass(chartWith(scope), 'dc', { name: 'H100s' }),
  },
  {
    name: 'ComputeDomain without the driver',
    error: '[c/cd] scope: a ComputeDomain (multi-node NVLink) needs NVIDIA DRA driver (gpu.nvidia.com)',
    build: (scope) => new ComputeDomain(chartWith(scope, { addons: [] }), 'cd'),
  },
  {
    name: 'ComputeDomain without DRA',
    error: '[c/cd] scope: a ComputeDomain needs Dynamic Resource Allocation and the NVIDIA DRA driver',
    build: (scope) => new ComputeDomain(chartWith(scope, NO_DRA), 'cd'),
  },
  {
    name: 'ComputeDomain name too long',
    error: '[c/cd] name: got "' + 'a'.repeat(56) + '"; expected a DNS-1123 label: at most 55 characters',
    build: (scope) => new ComputeDomain(chartWith(scope), 'cd', { name: 'a'.repeat(56) }),
  },
  // --- custom models and vendors ---
  customModel('model id invalid', { id: 'My GPU' }, '[GpuModel.custom] id: got "My GPU"; expected a DNS-1123 label'),
  customModel('model without product names', { productNames: [] }, '[GpuModel.custom] productNames (product_names): got []; expected at least one non-empty product name'),
  customModel('model without memory', { memoryGib: 0 }, '[GpuModel.custom] memoryGib (memory_gib): got 0; expected a positive number of GB'),
  customModel('pattern with look-ahead', { productNamePattern: 'h100(?!.*nvl)' }, '[GpuModel.custom] productNamePattern (product_name_pattern): got "h100(?!.*nvl)"; expected a non-empty RE2 regular expression'),
  customModel('pattern that does not compile', { productNamePattern: 'h100(' }, '[GpuModel.custom] productNamePattern (product_name_pattern): got "h100("; expected a non-empty RE2 regular expression'),
  customModel('exclude pattern with back-reference', { excludePattern: '(a)\\1' }, '[GpuModel.custom] excludePattern (exclude_pattern): got "(a)\\\\1"; expected a non-empty RE2'),
  customModel('node label value invalid', { nodeLabelValues: ['My GPU'] }, '[GpuModel.custom] nodeLabelValues (node_label_values): got "My GPU"; expected label values'),
  customModel('MIG profile invalid', { migProfiles: { half: 2 } }, '[GpuModel.custom] migProfiles (mig_profiles): got "half"; expected MIG profiles such as "1g.10gb"'),
  customModel('MIG instances above 7', { migProfiles: { '1g.10gb': 8 } }, '[GpuModel.custom] migProfiles.1g.10gb (mig_profiles.1g.10gb): got 8; expected an integer from 1 to 7'),
  customVendor('vendor name invalid', { name: 'Acme Corp' }, '[GpuVendor.custom] name: got "Acme Corp"; expected a DNS-1123 label'),
  customVendor('driver name invalid', { draDriver: 'GPU_ACME' }, '[GpuVendor.custom] draDriver (dra_driver): got "GPU_ACME"; expected a DNS-1123 subdomain'),
  customVendor('attribute name invalid', { productNameAttribute: 'product-name' }, '[GpuVendor.custom] productNameAttribute (product_name_attribute): got "product-name"; expected a DRA attribute name'),
  customVendor('extended resource invalid', { extendedResourceName: 'gpu' }, '[GpuVendor.custom] extendedResourceName (extended_resource_name): got "gpu"; expected a domain-prefixed name'),
  customVendor('type attribute without value', { typeAttribute: 'type' }, '[GpuVendor.custom] wholeDeviceType (whole_device_type): got undefined; expected set together with typeAttribute'),
  // --- NicRequest (nicsPerWorker of a gang job `ft`) and NicDriver ---
  nicRow('NICs on a profile without the driver', NicRequest.of(1), '[c/ft] nicsPerWorker (nics_per_worker): NICs from the DRA network driver dra.net (NicRequest) needs DRANET DRA network driver (dra.net), which the ClusterProfile "Cluster" does not list in its addons', {}, []),
  nicRow('NIC count 0', NicRequest.of(0), '[c/ft] nicsPerWorker.count (nics_per_worker.count): got 0; expected an integer from 1 to 32'),
  nicRow('NIC DeviceClass name invalid', NicRequest.of(1, { deviceClassName: 'DRANet' }), '[c/ft] nicsPerWorker.deviceClassName (nics_per_worker.device_class_name): got "DRANet"; expected a DeviceClass name (DNS-1123 subdomain)'),
  nicRow('NIC selector that does not compile', NicRequest.of(1, { extraSelectors: ["device.attributes['dra.net'].numaNode =="] }), /\[c\/ft\] nicsPerWorker\.extraSelectors\[0\].*expected a valid CEL device selector/),
  nicRow('NICs aligned without GPUs', NicRequest.of(1, { alignWithGpus: true }), '[c/ft] nicsPerWorker.alignWithGpus (nics_per_worker.align_with_gpus): NICs are aligned with the GPUs of the workload, which requests none', { gpusPerWorker: undefined }),
  nicRow('NICs aligned with a prioritized list', NicRequest.of(1, { alignWithGpus: true }), 'NICs are aligned with whole GPUs (GpuRequest.of), not with a FirstAvailable GPU request',
    { gpusPerWorker: GpuRequest.firstAvailable([GpuRequest.of(8, { model: H100 }), GpuRequest.of(8, { model: A100 })]) }),
  nicRow('NICs aligned with device-plugin GPUs', NicRequest.of(8, { alignWithGpus: true }), 'NICs are aligned with GPUs inside one DRA claim, but the GPUs are requested as an extended resource', {}, undefined, NO_DRA),
  nicRow('NIC count that does not divide the GPUs', NicRequest.of(3, { alignWithGpus: true }), '[c/ft] nicsPerWorker.count (nics_per_worker.count): got 3; expected a divisor of the 8 GPUs per pod'),
  nicRow('aligned claim over the device limit', NicRequest.of(16, { alignWithGpus: true }), 'got 16; expected at most 32 devices and 32 constraints in the aligned claim',
    { gpusPerWorker: GpuRequest.of(32) }),
  nicRow('RDMA from a driver without an RDMA attribute', NicRequest.of(1, { driver: NicDriver.custom({ name: 'nic.example.com' }) }),
    '[c/ft] nicsPerWorker.rdma (nics_per_worker.rdma): the DRA network driver nic.example.com has no RDMA attribute', {}, [ClusterAddon.custom('nic.example.com')]),
  nicRow('nicsPerWorker not a NicRequest', 'eight' as unknown as NicRequest, '[c/ft] nicsPerWorker (nics_per_worker): got "eight"'),
  nicRequestRow('NicRequest count not a number', () => NicRequest.of('8' as unknown as number), '[NicRequest.of] count: got "8"'),
  nicRequestRow('NicRequest driver not a NicDriver', () => NicRequest.of(1, { driver: 'dra.net' } as unknown as NicRequestOptions), '[NicRequest.of] driver: got "dra.net"'),
  nicDriverRow('NIC driver name invalid', { name: 'DRA_NET' }, '[NicDriver.custom] name: got "DRA_NET"; expected a DNS-1123 subdomain'),
  nicDriverRow('NIC driver RDMA attribute invalid', { name: 'nic.example.com', rdmaAttribute: 'rdma-capable' }, '[NicDriver.custom] rdmaAttribute (rdma_attribute): got "rdma-capable"; expected a DRA attribute name'),
]);

/** A gang job `ft` with `nics` per worker on a 1.34 profile with DRANET (and scheduler-plugins for its PodGroup). */
function nicRow(name: string, nics: NicRequest, error: string | RegExp, props: Partial<GangTrainingJobProps> = {},
  extraAddons: ClusterAddon[] | undefined = [ClusterAddon.DRANET], profile: ClusterProfileProps = {}): BadInputRow {
  const addons = [...ALL_ADDONS, ClusterAddon.SCHEDULER_PLUGINS, ...(extraAddons ?? [ClusterAddon.DRANET])];
  return { name, error, build: (scope) => nicGang(chartWith(scope, { addons, ...profile }), { ...props, nicsPerWorker: nics }) };
}

function nicRequestRow(name: string, build: () => void, error: string | RegExp): BadInputRow {
  return { name, error, build };
}

function nicDriverRow(name: string, props: NicDriverProps, error: string | RegExp): BadInputRow {
  return { name, error, build: () => NicDriver.custom(props) };
}

