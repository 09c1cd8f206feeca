import { ApiObject, Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { ReclaimPolicy, TenantFairShare } from './ai-tenant-props';
import { tenantLabels } from './tenant-namespace';
import { provisioningChecks } from './tenant-provisioning';
import { ResolvedQuota, demandKey } from './tenant-quota';
import { GpuNodePool } from '../accelerators/gpu-node-pool';
import { requireAllocatableGpus } from '../accelerators/topology-levels';
import { gpuDemandsIn, recordLocalQueue } from '../cluster/app-registry';
import { ClusterProfile } from '../cluster/cluster-profile';
import { FastApiObject } from '../imports/fast-api-object';
import * as kueue from '../imports/kueue';
import { clusterScoped } from '../internal/cluster-scoped';
import { invalidProp, requireInteger } from '../internal/errors';
import { standardLabels } from '../internal/labels';
import { claimName, requireDnsLabel } from '../internal/names';

const DEFAULT_COHORT = 'cdk8s-ai';
const CPU_FLAVOR = 'cdk8s-ai-default';
const DEFAULT_PRIORITIES = [
  { name: 'production', value: 1000, description: 'serving and deadline-bound training' },
  { name: 'batch', value: 100, description: 'preemptible batch work' },
];

/** What a tenant's Kueue queues are built from. */
export interface TenantQueuesSpec {
  /** The namespace; it also names the ClusterQueue. */
  readonly namespace: string;
  /** The LocalQueue name. */
  readonly queueName: string;
  /** Fair sharing as the user gave it. */
  readonly fairShare: TenantFairShare;
  /** The tenant's CPU (nominal quota of the default flavor). */
  readonly cpu: string;
  /** The tenant's memory (nominal quota of the default flavor). */
  readonly memory: string;
  /** The tenant's validated GPU pool shares. */
  readonly quotas: ResolvedQuota[];
}

/** The Kueue objects of a tenant. */
export interface TenantQueues {
  /** The ClusterQueue (named after the namespace, selecting only it). */
  readonly clusterQueue: ApiObject;
  /** The LocalQueue workloads name. */
  readonly localQueue: ApiObject;
  /** The WorkloadPriorityClasses, `<namespace>-<name>`. */
  readonly priorityClasses: ApiObject[];
}

/**
 * Emits the tenant's Kueue queues: a ClusterQueue in the cohort with nominal quota per pool flavor, borrowing and
 * lending limits and preemption; the LocalQueue; the WorkloadPriorityClasses; and the ResourceFlavors the app shares.
 */
export function emitTenantQueues(scope: Construct, spec: TenantQueuesSpec): TenantQueues {
  const fair = spec.fairShare;
  const ns = spec.namespace;
  const cohort = fair.cohort !== undefined ? requireDnsLabel(scope, 'fairShare.cohort', fair.cohort) : DEFAULT_COHORT;
  if (fair.weight !== undefined && !(Number.isFinite(fair.weight) && fair.weight >= 0)) throw invalidProp(scope, 'fairShare.weight', fair.weight, 'a number >= 0');
  sharedResourceFlavor(scope, CPU_FLAVOR, undefined);
  const groups = resourceGroups(scope, spec);
  claimName(scope, 'ClusterQueue', undefined, ns);
  const clusterQueue = clusterScoped(new FastApiObject(scope, 'ClusterQueue', {
    apiVersion: 'kueue.x-k8s.io/v1beta2',
    kind: 'ClusterQueue',
    metadata: { name: ns, labels: tenantLabels(ns, 'ClusterQueue') },
    spec: {
      cohortName: cohort,
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } },
      queueingStrategy: 'BestEffortFIFO',
      resourceGroups: groups,
      preemption: {
        reclaimWithinCohort: fair.reclaimWithinCohort ?? ReclaimPolicy.ANY,
        withinClusterQueue: (fair.preemptLowerPriority ?? true) ? 'LowerPriority' : 'Never',
      },
      fairSharing: fair.weight !== undefined ? { weight: String(fair.weight) } : undefined,
      admissionChecksStrategy: provisioningChecks(scope, spec.quotas),
    },
  }));
  claimName(scope, 'LocalQueue', ns, spec.queueName);
  const localQueue = new kueue.LocalQueueV1Beta2(scope, 'LocalQueue', {
    metadata: { name: spec.queueName, namespace: ns, labels: tenantLabels(ns, 'LocalQueue') },
    spec: { clusterQueue: ns },
  });
  localQueue.node.addDependency(clusterQueue);
  const priorityClasses = (fair.priorities ?? DEFAULT_PRIORITIES).map((p, i) => {
    const name = `${ns}-${requireDnsLabel(scope, `fairShare.priorities[${i}].name`, p.name, 63 - ns.length - 1)}`;
    requireInteger(scope, `fairShare.priorities[${i}].value`, p.value, -2147483648, 1000000000);
    claimName(scope, 'WorkloadPriorityClass', undefined, name);
    return clusterScoped(new kueue.WorkloadPriorityClassV1Beta2(scope, `Priority-${p.name}`, {
      metadata: { name, labels: tenantLabels(ns, 'WorkloadPriorityClass') },
      value: p.value,
      description: p.description ?? `${p.name} workloads of tenant ${ns}`,
    }));
  });
  recordLocalQueue({ scope, namespace: ns, name: spec.queueName });
  return { clusterQueue, localQueue, priorityClasses };
}

/** CPU and memory in the default flavor (never borrowed); the GPUs of each pool in the pool's flavor. */
function resourceGroups(scope: Construct, spec: TenantQueuesSpec): any[] {
  const gpuResources = [...new Set(spec.quotas.map((q) => q.keys.kueueResource))].sort();
  const usesDra = ClusterProfile.of(scope).usesDra;
  spec.quotas.forEach((q, i) => { if (q.pool.topologyLevels.length) requireAllocatableGpus(scope, `gpuQuota[${i}].pool`, q.pool.name, usesDra); });
  if (spec.quotas.some((q) => q.pool.topologyLevels.length)) return [topologyGroup(scope, spec, gpuResources)];
  const groups: any[] = [{
    coveredResources: ['cpu', 'memory'],
    flavors: [{
      name: CPU_FLAVOR,
      resources: [
        { name: 'cpu', nominalQuota: spec.cpu, borrowingLimit: '0' },
        { name: 'memory', nominalQuota: spec.memory, borrowingLimit: '0' },
      ],
    }],
  }];
  if (spec.quotas.length) {
    groups.push({
      coveredResources: gpuResources,
      flavors: byPool(spec.quotas).map(([pool, quotas]) => ({
        name: sharedResourceFlavor(scope, pool.name, pool),
        resources: gpuQuotas(scope, spec, quotas, gpuResources),
      })),
    });
  }
  return groups;
}

/** The quotas grouped by pool (a pool's whole GPUs and its MIG profiles share its flavor), in first-seen order. */
function byPool(quotas: readonly ResolvedQuota[]): [GpuNodePool, ResolvedQuota[]][] {
  const groups = new Map<GpuNodePool, ResolvedQuota[]>();
  for (const q of quotas) groups.set(q.pool, [...(groups.get(q.pool) ?? []), q]);
  return [...groups];
}

/**
 * With a topology pool, one group covers CPU, memory and GPUs: Kueue v0.19 admits a pod set that asks for topology
 * only when every flavor it gets is a topology flavor or covers none of the resources it requests
 * (pkg/scheduler/flavorassigner/tas_flavorassigner.go checkPodSetAndFlavorMatchForTAS), so a GPU worker's CPU and
 * memory must come from its pool's flavor. The default flavor comes first, with no GPUs: CPU-only pods stop there,
 * GPU pods move on to their pool's flavor. Each pool flavor holds the tenant's CPU and memory quota again; the
 * namespace's ResourceQuota caps the sum.
 */
function topologyGroup(scope: Construct, spec: TenantQueuesSpec, gpuResources: string[]): any {
  const cpuAndMemory = [
    { name: 'cpu', nominalQuota: spec.cpu, borrowingLimit: '0' },
    { name: 'memory', nominalQuota: spec.memory, borrowingLimit: '0' },
  ];
  return {
    coveredResources: ['cpu', 'memory', ...gpuResources],
    flavors: [
      { name: CPU_FLAVOR, resources: [...cpuAndMemory, ...gpuResources.map((r) => ({ name: r, nominalQuota: '0', borrowingLimit: '0' }))] },
      ...byPool(spec.quotas).map(([pool, quotas]) => ({
        name: sharedResourceFlavor(scope, pool.name, pool),
        resources: [...cpuAndMemory, ...gpuQuotas(scope, spec, quotas, gpuResources)],
      })),
    ],
  };
}

/** The pool's devices (whole GPUs, MIG instances per profile) in its own flavor, none of the other pools' resources. */
function gpuQuotas(scope: Construct, spec: TenantQueuesSpec, quotas: readonly ResolvedQuota[], gpuResources: string[]): any[] {
  return gpuResources.map((r) => quotas.find((x) => x.keys.kueueResource === r)).map((q, i) => q
    ? {
      name: q.keys.kueueResource,
      nominalQuota: String(q.gpus),
      borrowingLimit: String(q.borrowingLimit),
      lendingLimit: q.lendingLimit === undefined
        ? Lazy.any({ produce: () => defaultLendingLimit(scope, spec.namespace, q) })
        : String(q.lendingLimit),
    }
    : { name: gpuResources[i], nominalQuota: '0', borrowingLimit: '0' });
}

/**
 * Kueue cannot see pods it does not admit (model servers are Deployments and LeaderWorkerSets outside Kueue), so it
 * would lend the guaranteed GPUs they hold to other tenants, whose admitted gangs then wait for GPUs that never free
 * up. By default the tenant lends only the guaranteed GPUs its unqueued workloads on the pool leave free.
 */
function defaultLendingLimit(scope: IConstruct, namespace: string, q: ResolvedQuota): string | undefined {
  const held = gpuDemandsIn(scope, namespace)
    .filter((d) => !d.queuedByKueue && d.pool === q.pool.name && demandKey(d) === q.keys.primary)
    .reduce((sum, d) => sum + d.devicesPerPod * d.pods, 0);
  return held === 0 ? undefined : String(Math.max(0, q.gpus - held));
}

const FLAVORS = new WeakMap<IConstruct, Map<string, ApiObject>>();

/** One Kueue ResourceFlavor per name per app, created by the first tenant that needs it. */
function sharedResourceFlavor(tenant: Construct, name: string, pool: GpuNodePool | undefined): string {
  const all = FLAVORS.get(tenant.node.root) ?? new Map<string, ApiObject>();
  FLAVORS.set(tenant.node.root, all);
  if (all.has(name)) return name;
  claimName(tenant, 'ResourceFlavor', undefined, name);
  const spec = pool
    ? {
      nodeLabels: { ...pool.nodeLabels },
      // Exactly the tolerations GpuNodePool places pods with: Kueue adds a flavor's tolerations to an admitted job's pod
      // template only when it lacks an equal one (pkg/podset/podset.go Merge, v0.19.2), so our own jobs stay as applied
      // and a GitOps re-sync owns the whole (atomic) tolerations list without a conflict with Kueue.
      tolerations: pool.taints.map((t) => ({ key: t.key, operator: 'Exists', effect: t.effect })),
      topologyName: pool.topologyLevels.length ? sharedTopology(tenant, pool) : undefined,
    }
    : {};
  all.set(name, clusterScoped(new kueue.ResourceFlavorV1Beta2(tenant, `Flavor-${name}`, {
    metadata: { name, labels: standardLabels({ name: 'ai-tenant', instance: name, component: 'resourceflavor' }) },
    spec,
  })));
  return name;
}

/**
 * The Kueue Topology of a pool's levels, named after the pool, made with its flavor. Without it the ClusterQueue
 * stays inactive (`TopologyNotFound`, pkg/cache/scheduler/clusterqueue.go v0.19.2).
 */
function sharedTopology(tenant: Construct, pool: GpuNodePool): string {
  claimName(tenant, 'Topology', undefined, pool.name);
  clusterScoped(new kueue.TopologyV1Beta2(tenant, `Topology-${pool.name}`, {
    metadata: { name: pool.name, labels: standardLabels({ name: 'ai-tenant', instance: pool.name, component: 'topology' }) },
    spec: { levels: pool.topologyLevels.map((nodeLabel) => ({ nodeLabel })) },
  }));
  return pool.name;
}
