import { IConstruct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { ValidationError, invalidProp, requireInteger } from '../../internal/errors';
import { LaunchContext, LaunchPlan, LauncherStrategy, TORCHRUN_DEFAULT_PORT } from '../gang-plan';
import { TORCHRUN_ENV, requireTorchrunProgram } from '../torchrun-command';

const NCCL_DEBUG_LEVELS = ['VERSION', 'WARN', 'INFO', 'TRACE'];

/**
 * NCCL system settings of a torchrun job. Everything here is an environment variable of the trainer container, so
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
 * Options for the torchrun launcher.
 */
export interface TorchrunOptions {
  /**
   * Processes per worker (`--nproc-per-node`).
   *
   * @default - the GPUs per worker; 1 for a CPU-only job
   */
  readonly procsPerNode?: number;

  /**
   * The rendezvous port on the leader (`--master-port`). Kubeflow Trainer always uses 29500.
   *
   * @default 29500
   */
  readonly port?: number;

  /**
   * NCCL settings.
   *
   * @default - `NCCL_SOCKET_IFNAME=^lo,docker`, NCCL's own defaults for the rest
   */
  readonly nccl?: NcclSettings;

  /**
   * Abort a rank whose collective fails or times out (`TORCH_NCCL_ASYNC_ERROR_HANDLING=1`), so a broken gang
   * fails and restarts together instead of hanging.
   *
   * @default true
   */
  readonly abortOnCollectiveError?: boolean;
}

/** `TrainingLauncher.torchrun()`: torchrun with static rendezvous at the leader, wired from the gang. */
export class TorchrunLauncher implements LauncherStrategy {
  public readonly name = 'torchrun';

  constructor(private readonly options: TorchrunOptions) {}

  public launch(scope: IConstruct, context: LaunchContext): LaunchPlan {
    const command = context.command ?? [];
    if (command.length === 0) {
      throw new ValidationError(scope, 'command', 'the torchrun launcher needs the training program: a script and its ' +
        'arguments such as ["train.py"] or a module such as ["-m", "package.train"]; the container runs torchrun <command> <args>');
    }
    requireTorchrunProgram(scope, command);
    const procsPerNode = this.options.procsPerNode !== undefined
      ? requireInteger(scope, 'launcher.procsPerNode', this.options.procsPerNode, 1, 1024)
      : Math.max(1, context.devicesPerPod);
    const port = requireInteger(scope, 'launcher.port', this.options.port ?? TORCHRUN_DEFAULT_PORT, 1, 65535);
    const rendezvous = context.rendezvous;
    if (rendezvous.fixedPort !== undefined && port !== rendezvous.fixedPort) {
      throw invalidProp(scope, 'launcher.port', port, `${rendezvous.fixedPort}: the backend's controller always ` +
        'uses that rendezvous port; leave the port unset or use TrainingBackend.jobSet()');
    }
    const env: k8s.EnvVar[] = rendezvous.injectedByController ? [] : [
      { name: TORCHRUN_ENV['--nnodes'], value: String(context.workers) },
      { name: TORCHRUN_ENV['--nproc-per-node'], value: String(procsPerNode) },
      { name: TORCHRUN_ENV['--node-rank'], valueFrom: { fieldRef: { fieldPath: rendezvous.workerIndexFieldPath } } },
      { name: TORCHRUN_ENV['--master-addr'], value: rendezvous.leaderHost },
      { name: TORCHRUN_ENV['--master-port'], value: String(port) },
    ];
    return {
      command: ['torchrun'],
      args: [...command, ...(context.args ?? [])],
      env,
      defaultEnv: this.defaultEnv(scope),
      ports: [{ name: 'rendezvous', containerPort: port, protocol: 'TCP' }],
      torch: true,
      procsPerNode,
    };
  }

  private defaultEnv(scope: IConstruct): Record<string, string> {
    const nccl = this.options.nccl ?? {};
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
    if (this.options.abortOnCollectiveError ?? true) env.TORCH_NCCL_ASYNC_ERROR_HANDLING = '1';
    return env;
  }
}
