import { SizeRoundingBehavior } from 'cdk8s';
import { celString, migProfileSelector, minMemorySelector, modelSelector, quantityOf } from './cel';
import { DeviceAttribute } from './device-attribute';
import { GpuModel } from './gpu-model';
import { GpuRequest, GpuRequestShape } from './gpu-request';
import { GpuSharing } from './gpu-sharing';
import { GpuVendor } from './gpu-vendor';
import type { NicRequest } from './nic-request';
import * as k8s from '../imports/k8s';

/** The name of the one device request in every claim we generate. */
export const GPU_REQUEST_NAME = 'gpus';
/** The name of the NIC request of a claim (`nics-<i>` for the NIC of GPU group i when NICs are aligned with GPUs). */
export const NIC_REQUEST_NAME = 'nics';
/** The NVIDIA driver's opaque config API (api/nvidia.com/resource/v1beta1). */
const NVIDIA_CONFIG_API = 'resource.nvidia.com/v1beta1';

/** The vendor of a request: its model's, else the pool's, else NVIDIA. */
export function vendorOf(request: GpuRequest, fallback?: GpuModel): GpuVendor {
  return request.model?.vendor ?? request.deviceClass?.vendor ?? fallback?.vendor
    ?? request.alternatives.find((a) => a.model)?.model?.vendor ?? GpuVendor.NVIDIA;
}

/** The DeviceClass a (non-list) request allocates from. */
/** The DeviceClasses a pool publishes its devices under, when it has classes of its own. */
export interface PoolDeviceClasses {
  /** Whole GPUs. */
  readonly whole?: string;
  /** MIG instances, per profile. */
  readonly mig: { readonly [profile: string]: string };
}

export function deviceClassOf(request: GpuRequest, pool?: PoolDeviceClasses, poolModel?: GpuModel): string {
  if (request.deviceClass) return request.deviceClass.name;
  const vendor = vendorOf(request, poolModel);
  if (request.migProfile !== undefined) return pool?.mig[request.migProfile] ?? vendor.partitionDeviceClassName ?? vendor.deviceClassName;
  return pool?.whole ?? vendor.deviceClassName;
}

/** The CEL selectors of a (non-list) request. */
export function selectorsOf(request: GpuRequest, poolModel?: GpuModel): k8s.DeviceSelector[] {
  const vendor = vendorOf(request, poolModel);
  const expressions: string[] = [];
  if (request.model) expressions.push(modelSelector(request.model));
  if (request.minMemory) expressions.push(minMemorySelector(vendor, request.minMemory));
  if (request.migProfile !== undefined) expressions.push(migProfileSelector(vendor, request.migProfile));
  expressions.push(...request.extraSelectors);
  return expressions.map((expression) => ({ cel: { expression } }));
}

/** The fields of one DRA device request (`exactly` or a `firstAvailable` entry). */
interface DeviceFields {
  /** The DeviceClass to allocate from. */
  readonly deviceClassName: string;
  /**
   * CEL selectors the devices must match.
   * @default - none
   */
  readonly selectors?: k8s.DeviceSelector[];
  /**
   * How many devices (allocation mode ExactCount).
   * @default - the apiserver's default (1), or none with `allocationMode: All`
   */
  readonly count?: number;
  /**
   * `All` for every matching device of the node.
   * @default - ExactCount
   */
  readonly allocationMode?: string;
  /**
   * Consumable capacity to take from each device (memory shares).
   * @default - the whole device
   */
  readonly capacity?: k8s.CapacityRequirements;
}

function deviceFields(request: GpuRequest, poolClass: PoolDeviceClasses | undefined, poolModel: GpuModel | undefined): DeviceFields {
  const selectors = selectorsOf(request, poolModel);
  const all = request.shape === GpuRequestShape.ALL_ON_NODE;
  const vendor = vendorOf(request, poolModel);
  return {
    deviceClassName: deviceClassOf(request, poolClass, poolModel),
    selectors: selectors.length ? selectors : undefined,
    allocationMode: all ? 'All' : 'ExactCount',
    count: all ? undefined : request.count,
    capacity: request.memoryShareSize
      ? { requests: { [vendor.memoryCapacity]: k8s.Quantity.fromString(quantityOf(request.memoryShareSize)) } }
      : undefined,
  };
}

/** Names of the alternatives of a prioritized list: readable, unique DNS labels. */
export function alternativeNames(alternatives: GpuRequest[]): string[] {
  const names: string[] = [];
  alternatives.forEach((a, i) => {
    const base = [a.model?.id ?? 'any', ...(a.migProfile ? ['mig', a.migProfile] : [])].join('-')
      .toLowerCase().replace(/[^a-z0-9]+/g, '-').slice(0, 50).replace(/^-+|-+$/g, '');
    names.push(names.includes(base) ? `${base}-${i + 1}` : base);
  });
  return names;
}

function sharingConfig(sharing: GpuSharing, mig: boolean): Record<string, unknown> {
  const mps = sharing.strategy === 'MPS' ? {
    mpsConfig: {
      defaultActiveThreadPercentage: sharing.activeThreadPercentage,
      defaultPinnedDeviceMemoryLimit: sharing.pinnedMemoryLimit ? quantityOf(sharing.pinnedMemoryLimit) : undefined,
    },
  } : {};
  const timeSlicing = sharing.strategy === 'TimeSlicing' && !mig && sharing.interval
    ? { timeSlicingConfig: { interval: sharing.interval } } : {};
  return prune({
    apiVersion: NVIDIA_CONFIG_API,
    kind: mig ? 'MigDeviceConfig' : 'GpuConfig',
    sharing: { strategy: sharing.strategy, ...timeSlicing, ...mps },
  });
}

function prune(value: any): any {
  if (Array.isArray(value)) return value.map(prune);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const p = prune(v);
      if (p !== undefined && !(p && typeof p === 'object' && !Array.isArray(p) && Object.keys(p).length === 0)) out[k] = p;
    }
    return out;
  }
  return value;
}

/** The ResourceClaimSpec of a request (DRA path). */
export function claimSpecOf(request: GpuRequest, poolClass?: PoolDeviceClasses, poolModel?: GpuModel): k8s.ResourceClaimSpec {
  let deviceRequest: k8s.DeviceRequest;
  if (request.shape === GpuRequestShape.FIRST_AVAILABLE) {
    const names = alternativeNames(request.alternatives);
    deviceRequest = {
      name: GPU_REQUEST_NAME,
      firstAvailable: request.alternatives.map((a, i) => ({ name: names[i], ...deviceFields(a, poolClass, poolModel) })),
    };
  } else {
    deviceRequest = {
      name: GPU_REQUEST_NAME,
      exactly: { ...deviceFields(request, poolClass, poolModel), adminAccess: request.adminAccess ? true : undefined },
    };
  }
  const constraints: k8s.DeviceConstraint[] = request.sameAttributes.map((a) => ({ matchAttribute: a.qualifiedName }));
  const config: k8s.DeviceClaimConfiguration[] = [];
  if (request.sharing) {
    const parameters = sharingConfig(request.sharing, request.migProfile !== undefined);
    config.push({ requests: [GPU_REQUEST_NAME], opaque: { driver: vendorOf(request, poolModel).draDriver, parameters } });
  }
  return {
    devices: {
      requests: [deviceRequest],
      constraints: constraints.length ? constraints : undefined,
      config: config.length ? config : undefined,
    },
  };
}

/** True for the name of a NIC request this library generates (`nics`, `nics-0`, ...). */
export function isNicRequestName(name: unknown): boolean {
  return typeof name === 'string' && new RegExp(`^${NIC_REQUEST_NAME}(-\\d+)?$`).test(name);
}

/** The CEL selectors of a NIC request: the driver's RDMA attribute (guarded: a missing one would abort allocation). */
export function nicSelectors(nics: NicRequest): k8s.DeviceSelector[] {
  const expressions: string[] = [];
  if (nics.rdma && nics.driver.rdmaAttribute) {
    const attribute = `device.attributes[${celString(nics.driver.name)}].${nics.driver.rdmaAttribute}`;
    expressions.push(`has(${attribute}) && ${attribute} == true`);
  }
  expressions.push(...nics.extraSelectors);
  return expressions.map((expression) => ({ cel: { expression } }));
}

function nicDeviceRequest(nics: NicRequest, name: string, count: number): k8s.DeviceRequest {
  const selectors = nicSelectors(nics);
  return {
    name,
    exactly: { deviceClassName: nics.deviceClassName, selectors: selectors.length ? selectors : undefined, allocationMode: 'ExactCount', count },
  };
}

/** The ResourceClaimSpec of NICs in a claim of their own (not aligned with GPUs). */
export function nicClaimSpecOf(nics: NicRequest): k8s.ResourceClaimSpec {
  return { devices: { requests: [nicDeviceRequest(nics, NIC_REQUEST_NAME, nics.count)] } };
}

/**
 * GPUs and NICs in one claim: one group per NIC, each with `gpus.count / nics.count` GPUs and the NIC on one PCIe
 * root (a `matchAttribute` constraint per group; one constraint over all would need every device on a single root).
 * The GPU request's own `sameAttributes` constraints are scoped to the GPU requests, so NICs need not carry them.
 */
export function alignedClaimSpecOf(gpus: GpuRequest, nics: NicRequest, poolClass?: PoolDeviceClasses, poolModel?: GpuModel): k8s.ResourceClaimSpec {
  const groups = nics.count;
  const named = (base: string, i: number) => (groups === 1 ? base : `${base}-${i}`);
  const gpuFields = { ...deviceFields(gpus, poolClass, poolModel), count: gpus.count / groups };
  const requests: k8s.DeviceRequest[] = [];
  const constraints: k8s.DeviceConstraint[] = [];
  for (let i = 0; i < groups; i++) {
    requests.push({ name: named(GPU_REQUEST_NAME, i), exactly: { ...gpuFields, adminAccess: gpus.adminAccess ? true : undefined } });
    requests.push(nicDeviceRequest(nics, named(NIC_REQUEST_NAME, i), 1));
    constraints.push({ requests: [named(GPU_REQUEST_NAME, i), named(NIC_REQUEST_NAME, i)], matchAttribute: DeviceAttribute.PCIE_ROOT.qualifiedName });
  }
  const gpuNames = requests.map((r) => r.name).filter((n) => !isNicRequestName(n));
  constraints.unshift(...gpus.sameAttributes.map((a) => ({ requests: gpuNames, matchAttribute: a.qualifiedName })));
  return { devices: { requests, constraints } };
}

/** Whole MiB of a size, or NaN when it is not a whole number of MiB. */
export function wholeMebibytes(size: { toMebibytes(o: { rounding: SizeRoundingBehavior }): number }): number {
  const mib = size.toMebibytes({ rounding: SizeRoundingBehavior.NONE });
  return Number.isInteger(mib) ? mib : NaN;
}
