import type { GpuNodePool } from '../accelerators/gpu-node-pool';
import { GpuDemand } from '../cluster/app-registry';
import type { ClusterProfile } from '../cluster/cluster-profile';
import { ValidationError } from '../internal/errors';

/**
 * Quota keys derived from the accelerator model and the cluster profile (never typed by users). Internal.
 *
 * - DRA: `<class>.deviceclass.resource.k8s.io/devices` (counts devices of ResourceClaims of the class, GA with
 *   DRA in 1.34); with DRAExtendedResource on, also `requests.deviceclass.resource.kubernetes.io/<class>` and,
 *   when the class names one, `requests.<extendedResourceName>`.
 * - Device plugin: `requests.<extended resource>` only: a `limits.` key for an extended resource is accepted by
 *   the apiserver but never enforced.
 */
export interface PoolQuotaKeys {
  /** The key the pool's devices are counted against (demand is compared with it). */
  readonly primary: string;
  /** Extra keys that cap other paths to the same devices. */
  readonly extra: string[];
  /** The resource name Kueue's ClusterQueue covers for the pool's GPUs. */
  readonly kueueResource: string;
  /**
   * The DeviceClass, under DRA.
   * @default - none: the cluster allocates GPUs through the device plugin (see `extendedResource`)
   */
  readonly deviceClassName?: string;
  /**
   * The extended resource, under the device plugin.
   * @default - none: the cluster allocates GPUs through DRA (see `deviceClassName`)
   */
  readonly extendedResource?: string;
}

export function deviceClassKey(deviceClassName: string): string {
  return `${deviceClassName}.deviceclass.resource.k8s.io/devices`;
}

export function poolQuotaKeys(scope: string, prop: string, pool: GpuNodePool, profile: ClusterProfile): PoolQuotaKeys {
  if (profile.usesDra) {
    const className = pool.deviceClass?.name ?? pool.gpu.vendor.deviceClassName;
    const extra: string[] = [];
    if (profile.isFeatureEnabled('DRAExtendedResource')) {
      extra.push(`requests.deviceclass.resource.kubernetes.io/${className}`);
      if (pool.deviceClass?.extendedResourceName) extra.push(`requests.${pool.deviceClass.extendedResourceName}`);
    }
    return { primary: deviceClassKey(className), extra, kueueResource: `deviceclass.resource.kubernetes.io/${className}`, deviceClassName: className };
  }
  const ext = pool.gpu.vendor.extendedResourceName;
  if (!ext) {
    throw new ValidationError(scope, prop, `the pool ${pool.name} has ${pool.gpu.id} GPUs, whose vendor ${pool.gpu.vendor.name} has no ` +
      'device-plugin extended resource; target a cluster with DRA (ClusterProfile gpuAllocation DYNAMIC_RESOURCE_ALLOCATION)');
  }
  return { primary: `requests.${ext}`, extra: [], kueueResource: ext, extendedResource: ext };
}

/** The quota key a recorded demand counts against. */
export function demandKey(demand: GpuDemand): string | undefined {
  if (demand.deviceClassName) return deviceClassKey(demand.deviceClassName);
  if (demand.extendedResource) return `requests.${demand.extendedResource}`;
  return undefined;
}
