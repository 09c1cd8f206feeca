/**
 * Synth-time checks that a gang's topology can be met at all. Internal.
 */
import { IConstruct } from 'constructs';
import type { GangPlan } from './gang-plan';
import { GangTopology } from './gang-topology';
import { GpuModel } from '../accelerators/gpu-model';
import type { GpuNodePool } from '../accelerators/gpu-node-pool';
import type { GpuRequest } from '../accelerators/gpu-request';
import { requireAllocatableGpus } from '../accelerators/topology-levels';
import { ValidationError, show } from '../internal/errors';

/** Kueue's pod-set topology requests (apis/kueue/v1beta2/topology_types.go, v0.19.2), on the pod template. */
const REQUIRED_TOPOLOGY = 'kueue.x-k8s.io/podset-required-topology';
const PREFERRED_TOPOLOGY = 'kueue.x-k8s.io/podset-preferred-topology';
const UNCONSTRAINED_TOPOLOGY = 'kueue.x-k8s.io/podset-unconstrained-topology';

/** GPU Feature Discovery's NVLink partition label. */
const NVLINK_CLIQUE_LABEL = 'nvidia.com/gpu.clique';

/**
 * Catalogue models whose nodes never carry `nvidia.com/gpu.clique`. GPU Feature Discovery (NVIDIA/k8s-device-plugin
 * v0.20.0 `internal/lm/imex.go`) sets the label only from GPUs attached to a multi-node NVLink fabric
 * (go-nvlib `IsFabricAttached`: `nvmlDeviceGetGpuFabricInfo` completed with a non-zero cluster UUID), which the NVL72
 * racks of Grace Blackwell (GB200) are; these models are PCIe cards or 8-GPU boards whose NVLink ends at the node.
 * Custom models are not judged (their fabric is unknown).
 */
const NO_NVLINK_CLIQUE: readonly GpuModel[] = [
  GpuModel.NVIDIA_A100_40_GB, GpuModel.NVIDIA_A100_80_GB, GpuModel.NVIDIA_H100_80_GB, GpuModel.NVIDIA_H100_NVL,
  GpuModel.NVIDIA_H200, GpuModel.NVIDIA_B200, GpuModel.NVIDIA_L4, GpuModel.NVIDIA_L40_S, GpuModel.NVIDIA_T4,
  GpuModel.NVIDIA_A10_G,
];

function hasNoClique(model: GpuModel): boolean {
  return model.vendor.name !== 'nvidia' || NO_NVLINK_CLIQUE.includes(model);
}

/**
 * Refuses `GangTopology.sameNvlinkDomain()` (or any topology on `nvidia.com/gpu.clique`) when the workers' nodes
 * cannot carry the clique label: the required pod affinity on a label no node has never schedules.
 */
export function requireTopologyReachable(scope: IConstruct, topology: GangTopology | undefined, request: GpuRequest | undefined,
  pool: GpuNodePool | undefined, scheduler: string): void {
  if (topology?.preferred && scheduler !== 'kueue') {
    throw new ValidationError(scope, 'topology', 'a preferred topology (preferred: true) is a request to Kueue\'s topology-aware ' +
      `scheduling, but GangScheduler.${scheduler}() schedules this job, which cannot place a gang in a preferred domain; use ` +
      'GangScheduler.kueue(...) with a node pool that has topologyLevels, or drop preferred (the workers then require one domain)');
  }
  if (topology?.nodeLabel !== NVLINK_CLIQUE_LABEL) return;
  const fix = 'use GangTopology.sameZone() or sameRack(...), or GPUs of a multi-node NVLink model such as GpuModel.NVIDIA_GB200';
  if (request === undefined) {
    throw new ValidationError(scope, 'topology', `a ${topology.description} topology needs nodes labelled ${NVLINK_CLIQUE_LABEL}, ` +
      'which only multi-node NVLink GPU nodes carry; a CPU-only job (no gpusPerWorker) would never schedule; set gpusPerWorker or ' + fix);
  }
  if (pool?.nvlinkClique !== undefined) return; // the pool names its clique: its nodes carry the label
  const models = pool !== undefined ? [pool.gpu]
    : request.model !== undefined ? [request.model]
      : request.alternatives.map((a) => a.model);
  if (models.length === 0 || models.some((m) => m === undefined || !hasNoClique(m))) return;
  const where = pool !== undefined ? `pool ${show(pool.name)} has ${pool.gpu.id} GPUs` : `gpusPerWorker asks for ${models.map((m) => m!.id).join(' or ')} GPUs`;
  throw new ValidationError(scope, 'topology', `a ${topology.description} topology keeps the workers on nodes of one NVLink ` +
    `clique (label ${NVLINK_CLIQUE_LABEL}), but ${where}, whose nodes carry no clique label (GPU Feature Discovery v0.20.0 ` +
    `sets it only for GPUs on a multi-node NVLink fabric): the workers would never schedule; ${fix}`);
}

/**
 * The pod-set topology request Kueue's topology-aware scheduling reads from the pod template, when the job's pool has
 * topology levels (its ResourceFlavor then names a Kueue Topology): the gang's level as required or preferred, or
 * `unconstrained` for a gang without a topology, because a topology flavor admits only pod sets that ask for topology
 * (pkg/scheduler/flavorassigner/tas_flavorassigner.go checkPodSetAndFlavorMatchForTAS, v0.19.2).
 */
export function kueueTopologyRequest(scope: IConstruct, plan: GangPlan): Record<string, string> {
  const { nodePool: pool, topology } = plan;
  const levels = pool?.topologyLevels ?? [];
  if (!pool || levels.length === 0) {
    if (topology?.preferred) {
      const where = pool ? `node pool ${show(pool.name)} has no topologyLevels` : 'the job has no nodePool';
      throw new ValidationError(scope, 'topology', 'a preferred topology (preferred: true) needs Kueue\'s topology-aware scheduling, ' +
        `but the ${where}, so Kueue has no Topology to place the gang by; place the job on a GpuNodePool with topologyLevels, ` +
        'or drop preferred (the workers then require one domain)');
    }
    return {};
  }
  requireAllocatableGpus(scope, 'nodePool', pool.name, plan.profile.usesDra);
  if (!topology) return { [UNCONSTRAINED_TOPOLOGY]: 'true' };
  if (!levels.includes(topology.nodeLabel)) {
    throw new ValidationError(scope, 'topology', `got a ${topology.description} topology on node label ${topology.nodeLabel}, which is ` +
      `not a topology level of pool ${show(pool.name)} (levels: ${levels.join(', ')}): Kueue would never admit the gang; use one ` +
      `of the levels, e.g. GangTopology.sameDomain(${show(levels[0])}), or add ${topology.nodeLabel} to the pool's topologyLevels`);
  }
  if (topology.exclusive) {
    throw new ValidationError(scope, 'topology', 'an exclusive topology keeps other gangs out of the domain through pod ' +
      `anti-affinity, which Kueue's topology-aware scheduling (pool ${show(pool.name)} has topologyLevels) does not see: it can ` +
      'admit a second gang into the same domain, whose workers then never schedule; drop exclusive (Kueue admits the gang ' +
      'only into a domain with room for all its workers)');
  }
  return { [topology.preferred ? PREFERRED_TOPOLOGY : REQUIRED_TOPOLOGY]: topology.nodeLabel };
}
