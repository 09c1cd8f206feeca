import { IConstruct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { ValidationError, invalidProp, requireInteger } from '../../internal/errors';
import { LaunchContext, LaunchPlan, LauncherStrategy, TORCHRUN_DEFAULT_PORT } from '../gang-plan';
import { NcclSettings, ncclEnv } from './nccl-env';
import { TORCHRUN_ENV, requireTorchrunProgram } from '../torchrun-command';

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
      defaultEnv: ncclEnv(scope, this.options.nccl, this.options.abortOnCollectiveError ?? true),
      ports: [{ name: 'rendezvous', containerPort: port, protocol: 'TCP' }],
      torch: true,
      procsPerNode,
    };
  }
}
