/**
 * The topology levels of a GpuNodePool (the node labels Kueue's topology-aware scheduling places gangs by). Internal.
 */
import { IConstruct } from 'constructs';
import { ValidationError, invalidProp, show } from '../internal/errors';
import { requireQualifiedName } from '../internal/qualified-name';

/** The node's own level: always the lowest, because Kueue respects taints and node selectors only at it. */
export const HOSTNAME_LEVEL = 'kubernetes.io/hostname';
/** Kueue's Topology holds at most 16 levels (apis/kueue/v1beta2/topology_types.go, v0.19.2). */
const MAX_LEVELS = 16;

/**
 * The pool's levels, widest first, ending with `kubernetes.io/hostname`: Kueue v0.19 evaluates taints, node selectors
 * and required node affinity only when the hostname is the lowest level (pkg/cache/scheduler/tas_flavor_snapshot.go,
 * `isLowestLevelNode`), and every GPU pool is tainted. Empty when the pool declares none.
 */
export function resolveTopologyLevels(scope: IConstruct, levels: readonly string[] | undefined): string[] {
  if (levels === undefined || levels.length === 0) return [];
  const seen = new Set<string>();
  levels.forEach((level, i) => {
    requireQualifiedName(scope, `topologyLevels[${i}]`, level, 'example.com/rack');
    if (seen.has(level)) throw invalidProp(scope, `topologyLevels[${i}]`, level, 'a node label not listed before (each level once)');
    if (level === HOSTNAME_LEVEL && i !== levels.length - 1) {
      throw invalidProp(scope, `topologyLevels[${i}]`, level, `${HOSTNAME_LEVEL} only as the last (narrowest) level`);
    }
    seen.add(level);
  });
  const resolved = levels[levels.length - 1] === HOSTNAME_LEVEL ? [...levels] : [...levels, HOSTNAME_LEVEL];
  if (resolved.length > MAX_LEVELS) {
    throw invalidProp(scope, 'topologyLevels', levels.length, `at most ${MAX_LEVELS - 1} levels besides ${HOSTNAME_LEVEL} (a Kueue Topology holds ${MAX_LEVELS})`);
  }
  return resolved;
}

/**
 * Refuses a pool with topology levels when its GPUs come through DRA: Kueue v0.19's topology-aware scheduling counts
 * a node's capacity from `status.allocatable` alone (pkg/cache/scheduler/tas_topology_tree.go) and a pod's demand from
 * its containers' requests (pkg/scheduler/flavorassigner/tas_flavorassigner.go), so DRA devices are invisible to it
 * ("No DRA + Topology Aware Scheduling", site/content/en/docs/concepts/dynamic_resource_allocation.md) and it would
 * pin several workers to one node's GPUs.
 */
export function requireAllocatableGpus(scope: IConstruct, prop: string, poolName: string, usesDra: boolean): void {
  if (!usesDra) return;
  throw new ValidationError(scope, prop, `pool ${show(poolName)} has topologyLevels, so Kueue places its workloads by ` +
    'topology-aware scheduling, which in Kueue v0.19 counts only the resources a node lists as allocatable and never DRA ' +
    'devices: it would pin several workers to the GPUs of one node; target a cluster whose GPUs come through the device ' +
    'plugin (ClusterProfile gpuAllocation: GpuAllocation.DEVICE_PLUGIN), or drop the pool\'s topologyLevels');
}
