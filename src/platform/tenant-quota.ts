import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import type { AiTenantProps, TenantGpuQuota, TenantMigQuota } from './ai-tenant-props';
import { tenantObject } from './tenant-namespace';
import { GpuNodePool } from '../accelerators/gpu-node-pool';
import { GpuDemand, gpuDemandsIn } from '../cluster/app-registry';
import type { ClusterProfile } from '../cluster/cluster-profile';
import * as k8s from '../imports/k8s';
import { ValidationError, invalidProp, requireInteger } from '../internal/errors';
import { requireQuantity } from '../internal/quantity';
import { requireSameApp } from '../internal/same-app';

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
    // Under DRAExtendedResource a pod may also ask for the pool's GPUs by an extended resource name: the pool class's,
    // or the vendor's (`GpuRequest` asExtendedResource); each such path gets its key, so the quota caps it too.
    const names = [pool.deviceClass?.extendedResourceName, pool.gpu.vendor.extendedResourceName];
    return deviceClassQuotaKeys(pool.deviceClass?.name ?? pool.gpu.vendor.deviceClassName, profile, names);
  }
  const ext = pool.gpu.vendor.extendedResourceName;
  if (!ext) {
    throw new ValidationError(scope, prop, `the pool ${pool.name} has ${pool.gpu.id} GPUs, whose vendor ${pool.gpu.vendor.name} has no ` +
      'device-plugin extended resource; target a cluster with DRA (ClusterProfile gpuAllocation DYNAMIC_RESOURCE_ALLOCATION)');
  }
  return { primary: `requests.${ext}`, extra: [], kueueResource: ext, extendedResource: ext };
}

/** The keys of devices of one DeviceClass (a pool's whole GPUs, or its MIG instances of one profile). */
function deviceClassQuotaKeys(className: string, profile: ClusterProfile, extendedResourceNames: (string | undefined)[] = []): PoolQuotaKeys {
  const extra: string[] = [];
  if (profile.isFeatureEnabled('DRAExtendedResource')) {
    extra.push(`requests.deviceclass.resource.kubernetes.io/${className}`);
    for (const name of new Set(extendedResourceNames.filter((n): n is string => n !== undefined))) extra.push(`requests.${name}`);
  }
  return { primary: deviceClassKey(className), extra, kueueResource: `deviceclass.resource.kubernetes.io/${className}`, deviceClassName: className };
}

/** The quota key a recorded demand counts against. */
export function demandKey(demand: GpuDemand): string | undefined {
  if (demand.deviceClassName) return deviceClassKey(demand.deviceClassName);
  if (demand.extendedResource) return `requests.${demand.extendedResource}`;
  return undefined;
}

/** GPUs the workloads in `namespace` hold at most, per quota key. */
export function gpuDemandOf(scope: IConstruct, namespace: string): Record<string, number> {
  const demand: Record<string, number> = {};
  for (const d of gpuDemandsIn(scope, namespace)) {
    const key = demandKey(d);
    if (key) demand[key] = (demand[key] ?? 0) + d.devicesPerPod * d.pods;
  }
  return demand;
}

/** A validated gpuQuota entry with its defaults applied. */
export interface ResolvedQuota {
  /** The pool. */
  readonly pool: GpuNodePool;
  /** Guaranteed GPUs (Kueue nominal quota). */
  readonly gpus: number;
  /** GPUs the tenant may borrow on top. */
  readonly borrowingLimit: number;
  /**
   * Guaranteed GPUs others may borrow.
   * @default - all of `gpus` (no Kueue lendingLimit)
   */
  readonly lendingLimit?: number;
  /** The quota keys the pool's GPUs are counted against. */
  readonly keys: PoolQuotaKeys;
  /**
   * The MIG profile, for a share of MIG instances (`gpus` then counts instances).
   * @default - whole GPUs
   */
  readonly migProfile?: string;
}

/** One tenant's guaranteed GPUs on a pool. */
interface PoolShare {
  readonly tenant: IConstruct;
  readonly namespace: string;
  readonly gpus: number;
}

/** The guaranteed GPUs of every tenant of an app, per pool, in creation order. */
const SHARES_BY_POOL = new WeakMap<IConstruct, Map<GpuNodePool, PoolShare[]>>();
/** The guaranteed MIG instances of every tenant of an app, per `<pool>/<profile>`, in creation order. */
const MIG_SHARES = new WeakMap<IConstruct, Map<string, PoolShare[]>>();

function requireQuota(scope: IConstruct, prop: string, value: string): void {
  requireQuantity(scope, prop, value, '"500m", "16" or "64Gi"');
}

/**
 * A tenant's share of GPU node pools, and the ResourceQuota and LimitRange that cap its namespace: GPUs (keys from
 * the pool's GPU model), CPU, memory and object counts; CPU/memory default requests and a GPU max per pod.
 */
export class TenantQuota {
  /** The validated gpuQuota entries. */
  public readonly quotas: ResolvedQuota[];
  /** The validated migQuota entries. */
  public readonly migQuotas: ResolvedQuota[];
  /** The GPU quota keys and their hard limits (guaranteed + borrowable). */
  public readonly hard: Record<string, number> = {};
  private readonly scope: Construct;
  private readonly namespace: string;
  private readonly profile: ClusterProfile;

  constructor(scope: Construct, namespace: string, profile: ClusterProfile, entries: TenantGpuQuota[], migEntries: TenantMigQuota[]) {
    this.scope = scope;
    this.namespace = namespace;
    this.profile = profile;
    this.quotas = this.resolve(entries);
    this.migQuotas = this.resolveMig(migEntries);
  }

  /** The tenant's CPU and memory (ResourceQuota and Kueue nominal quota), validated. */
  public cpuAndMemory(props: AiTenantProps): { cpu: string; memory: string } {
    const cpu = props.cpu ?? String(8 + 16 * this.maxGpus());
    const memory = props.memory ?? `${32 + 128 * this.maxGpus()}Gi`;
    requireQuota(this.scope, 'cpu', cpu);
    requireQuota(this.scope, 'memory', memory);
    return { cpu, memory };
  }

  /** Emits the ResourceQuota `tenant-quota`. */
  public emitResourceQuota(props: AiTenantProps): ApiObject {
    const { cpu, memory } = this.cpuAndMemory(props);
    const hard: Record<string, k8s.Quantity> = {
      'requests.cpu': k8s.Quantity.fromString(cpu),
      'requests.memory': k8s.Quantity.fromString(memory),
      'pods': k8s.Quantity.fromNumber(requireInteger(this.scope, 'maxPods', props.maxPods ?? 200, 1)),
      'services': k8s.Quantity.fromNumber(50),
      'configmaps': k8s.Quantity.fromNumber(200),
      'secrets': k8s.Quantity.fromNumber(200),
      'persistentvolumeclaims': k8s.Quantity.fromNumber(50),
      'services.loadbalancers': k8s.Quantity.fromNumber(0),
      'services.nodeports': k8s.Quantity.fromNumber(0),
    };
    if (this.profile.usesDra) hard['count/resourceclaims.resource.k8s.io'] = k8s.Quantity.fromNumber(500);
    for (const [key, value] of Object.entries(this.hard).sort(([a], [b]) => a.localeCompare(b))) hard[key] = k8s.Quantity.fromNumber(value);
    return tenantObject(this.scope, this.namespace, k8s.KubeResourceQuota, 'ResourceQuota', 'ResourceQuota', 'tenant-quota', { spec: { hard } });
  }

  /** Emits the LimitRange `tenant-limits`: default requests, and a GPU max under the device plugin (never a GPU default). */
  public emitLimitRange(props: AiTenantProps): ApiObject {
    const cpu = props.defaultCpuRequest ?? '250m';
    const memory = props.defaultMemoryRequest ?? '512Mi';
    requireQuota(this.scope, 'defaultCpuRequest', cpu);
    requireQuota(this.scope, 'defaultMemoryRequest', memory);
    const gpuMax: Record<string, k8s.Quantity> = {};
    for (const q of this.quotas) {
      if (!q.keys.extendedResource) continue;
      const perPod = Math.max(q.pool.gpusPerNode, gpuMax[q.keys.extendedResource] ? Number(gpuMax[q.keys.extendedResource].value) : 0);
      gpuMax[q.keys.extendedResource] = k8s.Quantity.fromNumber(perPod);
    }
    const hasGpuMax = Object.keys(gpuMax).length > 0;
    const limits: k8s.LimitRangeItem[] = [{
      type: 'Container',
      defaultRequest: { cpu: k8s.Quantity.fromString(cpu), memory: k8s.Quantity.fromString(memory) },
      max: hasGpuMax ? gpuMax : undefined,
    }];
    if (hasGpuMax) limits.push({ type: 'Pod', max: gpuMax });
    return tenantObject(this.scope, this.namespace, k8s.KubeLimitRange, 'LimitRange', 'LimitRange', 'tenant-limits', { spec: { limits } });
  }

  /**
   * Reports workloads whose GPUs the quota does not cover, and (once per pool, by its first tenant) pools whose
   * tenants are guaranteed more GPUs than it holds.
   */
  public synthErrors(fail: (prop: string, problem: string) => void): void {
    const demand = gpuDemandOf(this.scope, this.namespace);
    for (const [key, want] of Object.entries(demand).sort(([a], [b]) => a.localeCompare(b))) {
      const have = this.hard[key];
      const who = gpuDemandsIn(this.scope, this.namespace).filter((d) => demandKey(d) === key)
        .map((d) => `${d.scope.node.path} (${d.devicesPerPod * d.pods})`).join(', ');
      if (have === undefined) {
        fail('gpuQuota', `the workloads ${who} ask for ${want} GPUs counted as ${key}, but the tenant has no quota for it; ` +
          `add a gpuQuota entry for the pool they run on, or a migQuota entry for its MIG profile (quota keys: ${Object.keys(this.hard).sort().join(', ') || 'none'})`);
      } else if (want > have && this.migQuotas.some((q) => q.keys.primary === key)) {
        fail('migQuota', `quota overcommit: the workloads ${who} hold up to ${want} MIG instances (${key}) but the tenant's ` +
          `quota is ${have} (instances + borrowingLimit); raise the quota or shrink the workloads`);
      } else if (want > have) {
        fail('gpuQuota', `quota overcommit: the workloads ${who} hold up to ${want} GPUs (${key}) but the tenant's quota is ${have} ` +
          '(gpus + borrowingLimit); raise the quota or shrink the workloads');
      }
    }
    const byPool = SHARES_BY_POOL.get(this.scope.node.root) ?? new Map<GpuNodePool, PoolShare[]>();
    for (const q of this.quotas) {
      const shares = byPool.get(q.pool) ?? [];
      const total = shares.reduce((s, x) => s + x.gpus, 0);
      if (total > q.pool.gpuCapacity && shares[0].tenant === this.scope) {
        fail('gpuQuota', `quota overcommit: the tenants' guaranteed GPUs on pool ${q.pool.name} add up to ${total} ` +
          `(${shares.map((s) => `${s.namespace}: ${s.gpus}`).join(', ')}) but the pool holds ${q.pool.gpuCapacity}; lower a tenant's gpus or grow the pool`);
      }
    }
    const migShares = MIG_SHARES.get(this.scope.node.root) ?? new Map<string, PoolShare[]>();
    for (const q of this.migQuotas) {
      const shares = migShares.get(`${q.pool.name}/${q.migProfile}`) ?? [];
      const total = shares.reduce((s, x) => s + x.gpus, 0);
      const capacity = q.pool.migCapacity(q.migProfile!);
      if (total > capacity && shares[0].tenant === this.scope) {
        fail('migQuota', `quota overcommit: the tenants' guaranteed ${q.migProfile} instances on pool ${q.pool.name} add up to ` +
          `${total} (${shares.map((s) => `${s.namespace}: ${s.gpus}`).join(', ')}) but the pool holds at most ${capacity}; lower a ` +
          'tenant\'s instances or grow the pool');
      }
    }
  }

  private resolveMig(entries: TenantMigQuota[]): ResolvedQuota[] {
    const seen = new Set<string>();
    return entries.map((e, i) => {
      const prop = `migQuota[${i}]`;
      if (!GpuNodePool.isGpuNodePool(e.pool)) throw invalidProp(this.scope, `${prop}.pool`, String(e.pool), 'a GpuNodePool');
      requireSameApp(this.scope, `${prop}.pool`, e.pool, 'the GpuNodePool');
      const deviceClass = e.pool.migDeviceClass(e.profile);
      if (!deviceClass) {
        throw invalidProp(this.scope, `${prop}.profile`, e.profile, `a profile the pool ${e.pool.name} is partitioned into (its ` +
          `migProfiles: ${e.pool.migDeviceClasses.map((c) => c.migProfile).join(', ') || 'none; add the profile to the pool\'s migProfiles'})`);
      }
      const key = `${e.pool.name}/${e.profile}`;
      if (seen.has(key)) throw invalidProp(this.scope, `${prop}.profile`, e.profile, `each pool and profile at most once (pool ${e.pool.name})`);
      seen.add(key);
      const capacity = e.pool.migCapacity(e.profile);
      const gpus = requireInteger(this.scope, `${prop}.instances`, e.instances, 0, capacity);
      const borrowingLimit = requireInteger(this.scope, `${prop}.borrowingLimit`, e.borrowingLimit ?? capacity - gpus, 0, capacity - gpus);
      const lendingLimit = e.lendingLimit === undefined ? undefined : requireInteger(this.scope, `${prop}.lendingLimit`, e.lendingLimit, 0, gpus);
      const keys = deviceClassQuotaKeys(deviceClass.name, this.profile);
      for (const k of [keys.primary, ...keys.extra]) this.hard[k] = (this.hard[k] ?? 0) + gpus + borrowingLimit;
      const shares = MIG_SHARES.get(this.scope.node.root) ?? new Map<string, PoolShare[]>();
      MIG_SHARES.set(this.scope.node.root, shares);
      shares.set(key, [...(shares.get(key) ?? []), { tenant: this.scope, namespace: this.namespace, gpus }]);
      return { pool: e.pool, gpus, borrowingLimit, lendingLimit, keys, migProfile: e.profile };
    });
  }

  private resolve(entries: TenantGpuQuota[]): ResolvedQuota[] {
    const seen = new Set<GpuNodePool>();
    return entries.map((e, i) => {
      const prop = `gpuQuota[${i}]`;
      if (!GpuNodePool.isGpuNodePool(e.pool)) throw invalidProp(this.scope, `${prop}.pool`, String(e.pool), 'a GpuNodePool');
      if (seen.has(e.pool)) throw invalidProp(this.scope, `${prop}.pool`, e.pool.name, 'each pool at most once');
      requireSameApp(this.scope, `${prop}.pool`, e.pool, 'the GpuNodePool');
      seen.add(e.pool);
      const capacity = e.pool.gpuCapacity;
      const gpus = requireInteger(this.scope, `${prop}.gpus`, e.gpus, 0, capacity);
      const borrowingLimit = requireInteger(this.scope, `${prop}.borrowingLimit`, e.borrowingLimit ?? capacity - gpus, 0, capacity - gpus);
      const lendingLimit = e.lendingLimit === undefined ? undefined : requireInteger(this.scope, `${prop}.lendingLimit`, e.lendingLimit, 0, gpus);
      const keys = poolQuotaKeys(this.scope.node.path, `${prop}.pool`, e.pool, this.profile);
      for (const key of [keys.primary, ...keys.extra]) this.hard[key] = (this.hard[key] ?? 0) + gpus + borrowingLimit;
      const byPool = SHARES_BY_POOL.get(this.scope.node.root) ?? new Map<GpuNodePool, PoolShare[]>();
      SHARES_BY_POOL.set(this.scope.node.root, byPool);
      byPool.set(e.pool, [...(byPool.get(e.pool) ?? []), { tenant: this.scope, namespace: this.namespace, gpus }]);
      return { pool: e.pool, gpus, borrowingLimit, lendingLimit, keys };
    });
  }

  /** The GPUs and MIG instances the tenant may hold (each pod on a MIG instance needs CPU and memory as on a GPU). */
  private maxGpus(): number {
    return [...this.quotas, ...this.migQuotas].reduce((sum, q) => sum + q.gpus + q.borrowingLimit, 0);
  }
}
