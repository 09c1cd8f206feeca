import { IConstruct } from 'constructs';
import { LaunchContext, LaunchPlan, LauncherStrategy } from './gang-plan';
import { RawLauncher } from './launchers/raw-launcher';
import { TorchrunLauncher, TorchrunOptions } from './launchers/torchrun-launcher';

export type { NcclSettings, TorchrunOptions } from './launchers/torchrun-launcher';

/**
 * How each worker starts the training program: torchrun with the rendezvous wired from the gang, or the command
 * as given.
 *
 * ```ts
 * TrainingLauncher.torchrun()                       // torchrun <command> <args>, one process per GPU
 * TrainingLauncher.torchrun({ nccl: { ibHcas: 'mlx5' } })
 * TrainingLauncher.raw()                            // the command as given (DeepSpeed, JAX, MPI, scripts)
 * ```
 */
export abstract class TrainingLauncher {
  /**
   * PyTorch `torchrun` with static rendezvous: the number of nodes is the gang size, the node rank is the worker's
   * index, the master address is the leader's stable DNS name, one process per GPU. The job's `command` is the
   * training script and its arguments (`['train.py', '--epochs', '3']` or `['-m', 'package.module']`), never the
   * launcher itself: the container runs `torchrun <command> <args>`, and a command that starts with `torchrun`,
   * `python -m torch.distributed.run`, a Python interpreter or a rendezvous option is refused. The settings reach
   * torchrun as its `PET_*` environment variables (`--nnodes`, `--nproc-per-node`, `--node-rank`, `--master-addr`,
   * `--master-port`; static rendezvous at the leader).
   */
  public static torchrun(options: TorchrunOptions = {}): TrainingLauncher {
    return new ChosenLauncher(new TorchrunLauncher(options));
  }

  /**
   * The command and arguments as given (or the image's entrypoint), with no launch conventions.
   *
   * It is for frameworks that start their own workers.
   */
  public static raw(): TrainingLauncher {
    return new ChosenLauncher(new RawLauncher());
  }

  /** The launcher's name, e.g. `torchrun`. */
  public abstract readonly name: string;

  /**
   * The container settings for a job.
   * @internal
   */
  public abstract _launch(scope: IConstruct, context: LaunchContext): LaunchPlan;
}

/** What every factory returns: the launcher it chose, each a class of its own in launchers/. */
class ChosenLauncher extends TrainingLauncher {
  public readonly name: string;

  constructor(private readonly launcher: LauncherStrategy) {
    super();
    this.name = launcher.name;
  }

  public _launch(scope: IConstruct, context: LaunchContext): LaunchPlan {
    return this.launcher.launch(scope, context);
  }
}
// Errors name what the caller passed by its public type ("got a TrainingLauncher"), not by this private class.
Object.defineProperty(ChosenLauncher, 'name', { value: 'TrainingLauncher' });
