import { IConstruct } from 'constructs';
import { invalidProp } from '../../internal/errors';

const NCCL_DEBUG_LEVELS = ['VERSION', 'WARN', 'INFO', 'TRACE'];

/**
 * NCCL system settings of a launcher. Everything here is an environment variable of the trainer container, so
 * a key set in the job's `env` wins over the value here.
 */
export interface NcclSettings {
  /**
   * `NCCL_SOCKET_IFNAME`: the interfaces NCCL's socket transport and bootstrap use, as a prefix list.
   *
   * `^` excludes, `=` matches exactly.
   *
   * @default '^lo,docker' - every interface but loopback and docker bridges
   */
  readonly socketInterfaces?: string;

  /**
   * `NCCL_IB_HCA`: the InfiniBand/RoCE adapters to use, e.g. `mlx5`.
   *
   * @default - NCCL's choice
   */
  readonly ibHcas?: string;

  /**
   * `NCCL_IB_DISABLE=1`: do not use InfiniBand/RoCE even when present.
   *
   * @default false
   */
  readonly disableInfiniband?: boolean;

  /**
   * `NCCL_NET_GDR_LEVEL`: how close the NIC and GPU must be for GPUDirect RDMA, e.g. `PHB`, `SYS`.
   *
   * @default - NCCL's choice
   */
  readonly gpuDirectLevel?: string;

  /**
   * `NCCL_DEBUG`: `VERSION`, `WARN`, `INFO` or `TRACE`. For debugging only: NCCL warns that it can slow a job
   * down or make it hang.
   *
   * @default - unset
   */
  readonly debug?: string;
}

/**
 * The NCCL defaults of a launcher whose ranks use torch.distributed or NCCL directly (torchrun, DeepSpeed, MPI):
 * `NCCL_SOCKET_IFNAME=^lo,docker`, the typed settings, and `TORCH_NCCL_ASYNC_ERROR_HANDLING=1` unless turned off.
 * Errors name `launcher.nccl.<setting>`.
 */
export function ncclEnv(scope: IConstruct, nccl: NcclSettings = {}, abortOnCollectiveError = true): Record<string, string> {
  const env: Record<string, string> = { NCCL_SOCKET_IFNAME: nccl.socketInterfaces ?? '^lo,docker' };
  if (nccl.socketInterfaces === '') throw invalidProp(scope, 'launcher.nccl.socketInterfaces', '', 'an interface list such as "eth0" or "^lo,docker"');
  if (nccl.ibHcas !== undefined) {
    if (nccl.ibHcas === '') throw invalidProp(scope, 'launcher.nccl.ibHcas', '', 'an adapter list such as "mlx5"');
    env.NCCL_IB_HCA = nccl.ibHcas;
  }
  if (nccl.disableInfiniband) env.NCCL_IB_DISABLE = '1';
  if (nccl.gpuDirectLevel !== undefined) {
    if (nccl.gpuDirectLevel === '') throw invalidProp(scope, 'launcher.nccl.gpuDirectLevel', '', 'a level such as "PHB" or "SYS"');
    env.NCCL_NET_GDR_LEVEL = nccl.gpuDirectLevel;
  }
  if (nccl.debug !== undefined) {
    if (!NCCL_DEBUG_LEVELS.includes(nccl.debug)) throw invalidProp(scope, 'launcher.nccl.debug', nccl.debug, `one of ${NCCL_DEBUG_LEVELS.join(', ')}`);
    env.NCCL_DEBUG = nccl.debug;
  }
  if (abortOnCollectiveError) env.TORCH_NCCL_ASYNC_ERROR_HANDLING = '1';
  return env;
}
