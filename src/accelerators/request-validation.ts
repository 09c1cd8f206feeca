import { IConstruct } from 'constructs';
import { wholeMebibytes, vendorOf } from './claim-spec';
import { deviceSelectorProblem } from './device-cel-environment';
import { GpuModel } from './gpu-model';
import type { GpuNodePool } from './gpu-node-pool';
import { GpuRequest, GpuRequestShape } from './gpu-request';
import { NicRequest } from './nic-request';
import { ClusterAddon } from '../cluster/cluster-addon';
import { ClusterProfile } from '../cluster/cluster-profile';
import { ValidationError, invalidProp, requireInteger, show } from '../internal/errors';
import { isDnsSubdomain } from '../internal/qualified-name';
import { req, requireKind } from '../internal/runtime-checks';

/** Devices one claim can hold (AllocationResultsMaxSize, KEP 4381). */
export const MAX_DEVICES_PER_CLAIM = 32;
/** Alternatives of a prioritized list (KEP 4816). */
export const MAX_ALTERNATIVES = 8;
/** Pods one ResourceClaim can be reserved for (KEP 5729). */
const MAX_SHARED_PODS = 256;
/** CEL selector length limit (CELDeviceSelector). */
const MAX_CEL_LENGTH = 10 * 1024;
const MIG_PROFILE = /^[1-9]\d*g\.\d+gb([+-][a-z]+)*$/;
const QUALIFIED_ATTRIBUTE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+\/[A-Za-z]([A-Za-z0-9_]*)?$/;
const GIB_AS_GB = 1024 ** 3 / 1e9;

/**
 * Every check of a GpuRequest against the target cluster, in one place. Throws a ValidationError naming the
 * workload's path, the prop, the bad value and what would be valid.
 */
export function validateGpuRequest(scope: IConstruct, prop: string, request: GpuRequest, profile: ClusterProfile,
  viaExtendedResource: boolean, pods: number): void {
  validateShape(scope, prop, request);
  if (viaExtendedResource) {
    validateExtendedResourcePath(scope, prop, request, profile);
  } else {
    validateDraPath(scope, prop, request, profile, pods);
  }
}

/**
 * Checks the request's device count first, before anything derived from it (replicas x count, parallelism), so a
 * bad count is reported as the prop the user set (`gpus.count`), not as a derived one.
 */
export function validateGpuCount(scope: IConstruct, prop: string, request: GpuRequest): void {
  if (request.shape !== GpuRequestShape.FIRST_AVAILABLE && request.shape !== GpuRequestShape.ALL_ON_NODE) {
    requireInteger(scope, `${prop}.count`, request.count, 1, MAX_DEVICES_PER_CLAIM);
  }
}

function validateShape(scope: IConstruct, prop: string, request: GpuRequest): void {
  switch (request.shape) {
    case GpuRequestShape.FIRST_AVAILABLE:
      validateAlternatives(scope, prop, request);
      break;
    case GpuRequestShape.ALL_ON_NODE:
      break;
    default:
      requireInteger(scope, `${prop}.count`, request.count, 1, MAX_DEVICES_PER_CLAIM);
  }
  validateDevice(scope, prop, request);
  request.sameAttributes.forEach((a, i) => {
    if (!QUALIFIED_ATTRIBUTE.test(a.qualifiedName)) {
      throw invalidProp(scope, `${prop}.sameAttributes[${i}]`, a.qualifiedName,
        'a fully qualified attribute `<domain>/<name>`, e.g. "resource.kubernetes.io/pcieRoot"');
    }
  });
}

function validateDevice(scope: IConstruct, prop: string, request: GpuRequest): void {
  const model = request.model;
  if (request.minMemory !== undefined) {
    const mib = wholeMebibytes(request.minMemory);
    if (!(mib > 0)) throw invalidProp(scope, `${prop}.minMemory`, `${request.minMemory.toKibibytes()}Ki`, 'a positive whole number of MiB');
    if (model && mib / 1024 * GIB_AS_GB > model.memoryGib) {
      throw invalidProp(scope, `${prop}.minMemory`, `${mib}Mi`, `at most the ${model.memoryGib} GB of ${model.id}, or another model`);
    }
  }
  if (request.memoryShareSize !== undefined) {
    const mib = wholeMebibytes(request.memoryShareSize);
    if (!(mib > 0)) throw invalidProp(scope, `${prop}.memoryShare`, `${request.memoryShareSize.toKibibytes()}Ki`, 'a positive whole number of MiB');
    if (model && mib / 1024 * GIB_AS_GB > model.memoryGib) {
      throw invalidProp(scope, `${prop}.memoryShare`, `${mib}Mi`, `at most the ${model.memoryGib} GB of ${model.id}`);
    }
  }
  if (request.migProfile !== undefined) validateMig(scope, prop, request.migProfile, model);
  if (request.deviceClass) {
    const classModel = request.deviceClass.model;
    if (classModel && model && classModel.id !== model.id) {
      throw invalidProp(scope, `${prop}.deviceClass`, request.deviceClass.name, `a DeviceClass of ${model.id} (this one selects ${classModel.id})`);
    }
    if (request.migProfile !== undefined) {
      throw invalidProp(scope, `${prop}.deviceClass`, request.deviceClass.name, 'no DeviceClass with a MIG request (MIG devices come from the driver\'s MIG class)');
    }
  }
  validateSelectors(scope, prop, request.extraSelectors, "device.attributes['gpu.nvidia.com'].index < 4");
  if (request.sharing) {
    const pct = request.sharing.activeThreadPercentage;
    if (pct !== undefined) requireInteger(scope, `${prop}.sharing.activeThreadPercentage`, pct, 1, 100);
    const limit = request.sharing.pinnedMemoryLimit;
    if (limit !== undefined && !(wholeMebibytes(limit) > 0)) {
      throw invalidProp(scope, `${prop}.sharing.pinnedMemoryLimit`, `${limit.toKibibytes()}Ki`, 'a positive whole number of MiB');
    }
  }
}

function validateSelectors(scope: IConstruct, prop: string, selectors: string[], example: string): void {
  selectors.forEach((s, i) => {
    if (s.trim() === '' || s.length > MAX_CEL_LENGTH) {
      throw invalidProp(scope, `${prop}.extraSelectors[${i}]`, s, `a non-empty CEL expression of at most ${MAX_CEL_LENGTH} characters`);
    }
    const problem = deviceSelectorProblem(s);
    if (problem) {
      throw invalidProp(scope, `${prop}.extraSelectors[${i}]`, s, `a valid CEL device selector of type bool (${problem}), such as ${show(example)}`);
    }
  });
}

/**
 * Every check of a NicRequest against the profile and, when aligned, against the GPU request whose claim it joins
 * (`gpuClaimTemplate`: the GPUs went into a per-pod DRA ResourceClaimTemplate).
 */
export function validateNicRequest(scope: IConstruct, prop: string, nics: NicRequest, profile: ClusterProfile,
  gpus: GpuRequest | undefined, gpuClaimTemplate: boolean): void {
  requireKind(scope, prop, nics, req(NicRequest, 'a NicRequest such as NicRequest.of(8, { alignWithGpus: true })'));
  requireInteger(scope, `${prop}.count`, nics.count, 1, MAX_DEVICES_PER_CLAIM);
  profile._requireFeature(scope, prop, 'DynamicResourceAllocation', 'NICs as DRA devices (NicRequest)');
  profile._requireAddon(scope, prop, nics.driver.addon, `NICs from the DRA network driver ${nics.driver.name} (NicRequest)`);
  if (!isDnsSubdomain(nics.deviceClassName)) {
    throw invalidProp(scope, `${prop}.deviceClassName`, nics.deviceClassName, 'a DeviceClass name (DNS-1123 subdomain) such as "dranet"');
  }
  if (nics.rdma && !nics.driver.rdmaAttribute) {
    throw new ValidationError(scope, `${prop}.rdma`, `the DRA network driver ${nics.driver.name} has no RDMA attribute to select ` +
      'RDMA NICs by; give NicDriver.custom an rdmaAttribute, or request rdma: false');
  }
  validateSelectors(scope, prop, nics.extraSelectors, "device.attributes['dra.net'].numaNode == 0");
  if (!nics.alignWithGpus) return;
  const where = `${prop}.alignWithGpus`;
  if (!gpus) {
    throw new ValidationError(scope, where, 'NICs are aligned with the GPUs of the workload, which requests none; request GPUs too, or leave alignWithGpus unset');
  }
  if (gpus.shape !== GpuRequestShape.WHOLE) {
    throw new ValidationError(scope, where, `NICs are aligned with whole GPUs (GpuRequest.of), not with a ${gpus.shape} GPU request; ` +
      'request whole GPUs, or leave alignWithGpus unset');
  }
  if (!gpuClaimTemplate) {
    throw new ValidationError(scope, where, 'NICs are aligned with GPUs inside one DRA claim, but the GPUs are requested as an ' +
      'extended resource (asExtendedResource, or a ClusterProfile with gpuAllocation DevicePlugin); request the GPUs through DRA, or leave alignWithGpus unset');
  }
  if (gpus.count % nics.count !== 0) {
    throw invalidProp(scope, `${prop}.count`, nics.count, `a divisor of the ${gpus.count} GPUs per pod when alignWithGpus is set ` +
      '(each NIC gets an equal share of the GPUs on its PCIe root), e.g. 1 NIC per GPU');
  }
  if (gpus.count + nics.count > MAX_DEVICES_PER_CLAIM || nics.count + gpus.sameAttributes.length > MAX_DEVICES_PER_CLAIM) {
    throw invalidProp(scope, `${prop}.count`, nics.count, `at most ${MAX_DEVICES_PER_CLAIM} devices and ${MAX_DEVICES_PER_CLAIM} ` +
      `constraints in the aligned claim (KEP 4381 limits), which also holds ${gpus.count} GPUs`);
  }
}

function validateMig(scope: IConstruct, prop: string, profile: string, model: GpuModel | undefined): void {
  if (!MIG_PROFILE.test(profile)) {
    throw invalidProp(scope, `${prop}.migProfile`, profile, 'a MIG profile such as "1g.10gb", "3g.40gb" or "1g.10gb+me"');
  }
  if (model && !model.supportsMigProfile(profile)) {
    const valid = model.migProfiles.length ? `one of ${model.migProfiles.map(show).join(', ')}` : `nothing: ${model.id} has no MIG support`;
    throw invalidProp(scope, `${prop}.migProfile`, profile, `a MIG profile of ${model.id}: ${valid}`);
  }
  const vendor = model?.vendor;
  if (vendor && !vendor.partitionDeviceClassName) {
    throw invalidProp(scope, `${prop}.migProfile`, profile, `no MIG profile: the ${vendor.name} driver has no MIG device class`);
  }
}

function validateAlternatives(scope: IConstruct, prop: string, request: GpuRequest): void {
  const alts = request.alternatives;
  if (alts.length < 1 || alts.length > MAX_ALTERNATIVES) {
    throw invalidProp(scope, `${prop}.alternatives`, `${alts.length} alternatives`, `from 1 to ${MAX_ALTERNATIVES} alternatives (DRA firstAvailable limit)`);
  }
  alts.forEach((a, i) => {
    const p = `${prop}.alternatives[${i}]`;
    if (a.shape !== GpuRequestShape.WHOLE && a.shape !== GpuRequestShape.MIG) {
      throw invalidProp(scope, p, a.shape, 'GpuRequest.of(...) or GpuRequest.mig(...) (a prioritized list cannot nest shared, all-on-node, memory-share or list requests)');
    }
    const unsupported = [
      a.adminAccess && 'adminAccess', a.multiNodeNvlink && 'multiNodeNvlink', a.asExtendedResource && 'asExtendedResource',
      a.sameAttributes.length > 0 && 'sameAttributes',
    ].filter(Boolean);
    if (unsupported.length) {
      throw new ValidationError(scope, p, `${unsupported.join(', ')} cannot be set on one alternative of a prioritized list; ` +
        'set sameAttributes on GpuRequest.firstAvailable(..., { sameAttributes }) and the other options on a plain request');
    }
    requireInteger(scope, `${p}.count`, a.count, 1, MAX_DEVICES_PER_CLAIM);
    validateDevice(scope, p, a);
  });
}

/** The DRA path: each option that is beta/alpha somewhere in 1.34-1.37 only where the profile has its gate on. */
function validateDraPath(scope: IConstruct, prop: string, request: GpuRequest, profile: ClusterProfile, pods: number): void {
  const vendorNames = new Set([request, ...request.alternatives].filter((r) => r.model).map((r) => r.model!.vendor.draDriver));
  if (request.shape === GpuRequestShape.FIRST_AVAILABLE) {
    profile._requireFeature(scope, `${prop}`, 'DRAPrioritizedList', 'GpuRequest.firstAvailable (DRA prioritized list)');
    if (vendorNames.size > 1) {
      throw new ValidationError(scope, `${prop}.alternatives`, `the alternatives mix drivers (${[...vendorNames].join(', ')}); ` +
        'one claim config and constraint set cannot serve two vendors, use alternatives of one vendor');
    }
  }
  if (request.adminAccess) profile._requireFeature(scope, `${prop}.adminAccess`, 'DRAAdminAccess', 'adminAccess on a device request');
  if (request.shape === GpuRequestShape.MEMORY_SHARE) {
    profile._requireFeature(scope, `${prop}.memoryShare`, 'DRAConsumableCapacity', 'GpuRequest.memoryShare (consumable capacity)');
  }
  if (request.dynamicMig) {
    profile._requireFeature(scope, `${prop}.dynamic`, 'DRAPartitionableDevices', 'dynamic MIG (partitionable devices)');
  }
  if (request.shape === GpuRequestShape.SHARED && pods > MAX_SHARED_PODS) {
    throw invalidProp(scope, `${prop}`, `shared by ${pods} pods`, `at most ${MAX_SHARED_PODS} pods per shared ResourceClaim (status.reservedFor limit)`);
  }
  if (request.sharing && vendorOf(request).name !== 'nvidia') {
    throw new ValidationError(scope, `${prop}.sharing`, `time-slicing and MPS are NVIDIA driver settings; ${vendorOf(request).name} GPUs cannot take them`);
  }
  if (request.multiNodeNvlink) {
    profile._requireAddon(scope, `${prop}.multiNodeNvlink`, ClusterAddon.NVIDIA_DRA_DRIVER, 'multi-node NVLink (ComputeDomain)');
    if (vendorOf(request).name !== 'nvidia') {
      throw new ValidationError(scope, `${prop}.multiNodeNvlink`, `multi-node NVLink is an NVIDIA feature; the request is for ${request.model?.id}`);
    }
  }
}

/** What the extended resource `nvidia.com/gpu: N` cannot say. */
function validateExtendedResourcePath(scope: IConstruct, prop: string, request: GpuRequest, profile: ClusterProfile): void {
  const why = profile.usesDra
    ? 'with asExtendedResource (the request becomes the extended resource `<vendor>/gpu: N`)'
    : 'on a cluster without DRA (ClusterProfile gpuAllocation: DevicePlugin), where the request becomes the extended resource `<vendor>/gpu: N`';
  const unsupported: [boolean, string, string][] = [
    [request.shape === GpuRequestShape.MIG, 'migProfile', 'a MIG profile'],
    [request.shape === GpuRequestShape.FIRST_AVAILABLE, 'alternatives', 'a prioritized list (firstAvailable)'],
    [request.shape === GpuRequestShape.ALL_ON_NODE, 'shape', 'all GPUs of a node'],
    [request.shape === GpuRequestShape.SHARED, 'sharing', 'GPUs shared between pods'],
    [request.shape === GpuRequestShape.MEMORY_SHARE, 'memoryShare', 'a memory share (consumable capacity)'],
    [request.minMemory !== undefined, 'minMemory', 'a memory selector'],
    [request.sameAttributes.length > 0, 'sameAttributes', 'devices that share an attribute'],
    [request.adminAccess, 'adminAccess', 'admin access'],
    [request.multiNodeNvlink, 'multiNodeNvlink', 'multi-node NVLink (ComputeDomain)'],
    [request.extraSelectors.length > 0, 'extraSelectors', 'CEL selectors'],
  ];
  for (const [bad, field, what] of unsupported) {
    if (bad) {
      throw new ValidationError(scope, `${prop}.${field}`, `${what} cannot be expressed ${why}; ` +
        'target a cluster with DRA (ClusterProfile gpuAllocation: DynamicResourceAllocation) or request whole GPUs by count and model');
    }
  }
  const vendor = vendorOf(request);
  if (request.deviceClass && !request.deviceClass.extendedResourceName) {
    throw invalidProp(scope, `${prop}.deviceClass`, request.deviceClass.name, 'a DeviceClass with an extendedResourceName when the request is an extended resource');
  }
  if (!request.deviceClass && !vendor.extendedResourceName) {
    throw new ValidationError(scope, `${prop}`, `${vendor.name} GPUs have no device-plugin extended resource; ${why.replace(/, where.*$/, '')} is impossible`);
  }
  if (profile.usesDra) {
    profile._requireFeature(scope, `${prop}.asExtendedResource`, 'DRAExtendedResource', 'an extended resource satisfied through DRA (asExtendedResource)');
  }
}

/** The request against the pool it is placed on. */
export function validatePoolFit(scope: IConstruct, prop: string, request: GpuRequest, pool: GpuNodePool, pods: number, devicesPerPod: number): void {
  const where = `pool ${pool.node.path} (${pool.gpu.id}, ${pool.gpusPerNode} per node, ${pool.maxNodes} nodes)`;
  const fits = (r: GpuRequest) => (!r.model || r.model.id === pool.gpu.id) && (r.migProfile !== undefined || r.count <= pool.gpusPerNode);
  if (request.shape === GpuRequestShape.FIRST_AVAILABLE) {
    if (!request.alternatives.some(fits)) {
      throw new ValidationError(scope, `${prop}.alternatives`, `no alternative fits the ${where}; ` +
        `add one of ${pool.gpu.id} with at most ${pool.gpusPerNode} GPUs`);
    }
  } else {
    if (request.model && request.model.id !== pool.gpu.id) {
      throw invalidProp(scope, `${prop}.model`, request.model.id, `${pool.gpu.id}, the model of the ${where}`);
    }
    if (request.migProfile !== undefined && !pool.gpu.supportsMigProfile(request.migProfile)) {
      throw invalidProp(scope, `${prop}.migProfile`, request.migProfile, `a MIG profile of ${pool.gpu.id}, the model of the ${where}` +
        (pool.gpu.migProfiles.length ? `: one of ${pool.gpu.migProfiles.map(show).join(', ')}` : ' (which has none)'));
    }
    if (request.migProfile === undefined && request.shape !== GpuRequestShape.ALL_ON_NODE && request.count > pool.gpusPerNode) {
      throw invalidProp(scope, `${prop}.count`, request.count, `at most ${pool.gpusPerNode}, the GPUs per node of the ${where}`);
    }
  }
  for (const [field, size] of [['minMemory', request.minMemory], ['memoryShare', request.memoryShareSize]] as const) {
    if (size !== undefined && wholeMebibytes(size) / 1024 * GIB_AS_GB > pool.gpu.memoryGib) {
      throw invalidProp(scope, `${prop}.${field}`, `${wholeMebibytes(size)}Mi`, `at most the ${pool.gpu.memoryGib} GB of ${pool.gpu.id}, the model of the ${where}`);
    }
  }
  if (request.deviceClass?.model && request.deviceClass.model.id !== pool.gpu.id) {
    throw invalidProp(scope, `${prop}.deviceClass`, request.deviceClass.name, `a DeviceClass of ${pool.gpu.id}, the model of the ${where}`);
  }
  if (request.migProfile !== undefined && request.shape !== GpuRequestShape.ALL_ON_NODE) {
    const perGpu = pool.gpu.migInstancesPerGpu(request.migProfile);
    if (request.count > perGpu * pool.gpusPerNode) {
      throw invalidProp(scope, `${prop}.count`, request.count, `at most ${perGpu * pool.gpusPerNode} ${request.migProfile} devices ` +
        `(${perGpu} per GPU x ${pool.gpusPerNode} GPUs), what one node of the ${where} holds`);
    }
  }
  const total = poolGpusHeld(request, pool, pods, devicesPerPod);
  if (total > pool.gpuCapacity) {
    throw new ValidationError(scope, prop, `the workload holds ${total} GPUs of the ${where} at most, which has ${pool.gpuCapacity}; ` +
      'raise the pool\'s maxNodes or lower the replicas');
  }
}

/**
 * Whole GPUs of the pool a workload holds at most: shared claims hold their devices once; MIG slices are packed
 * onto as few GPUs as the profile allows; a prioritized list counts its largest alternative.
 */
export function poolGpusHeld(request: GpuRequest, pool: GpuNodePool, pods: number, devicesPerPod: number): number {
  const heldPods = request.shape === GpuRequestShape.SHARED ? 1 : pods;
  if (request.migProfile !== undefined && request.shape !== GpuRequestShape.ALL_ON_NODE) {
    const perGpu = Math.max(1, pool.gpu.migInstancesPerGpu(request.migProfile));
    return Math.ceil(heldPods * request.count / perGpu);
  }
  return heldPods * Math.min(devicesPerPod, pool.gpusPerNode);
}
