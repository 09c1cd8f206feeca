/**
 * Synth-time checks that a gang's topology can be met at all. Internal.
 */
import { IConstruct } from 'constructs';
import { GangTopology } from './gang-topology';
import { GpuModel } from '../accelerators/gpu-model';
import type { GpuNodePool } from '../accelerators/gpu-node-pool';
import type { GpuRequest } from '../accelerators/gpu-request';
import { ValidationError, show } from '../internal/errors';

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
  pool: GpuNodePool | undefined): void {
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
