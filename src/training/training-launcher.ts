import { IConstruct } from 'constructs';
import { LaunchContext, LaunchPlan, LauncherStrategy } from './gang-plan';
import { DeepSpeedLauncher, DeepSpeedOptions } from './launchers/deepspeed-launcher';
import { JaxLauncher, JaxOptions } from './launchers/jax-launcher';
import { MpiLauncher, MpiOptions } from './launchers/mpi-launcher';
import { RawLauncher } from './launchers/raw-launcher';
import { TorchrunLauncher, TorchrunOptions } from './launchers/torchrun-launcher';
import { checkProps, opt } from '../internal/runtime-checks';

export type { NcclSettings } from './launchers/nccl-env';
export type { TorchrunOptions } from './launchers/torchrun-launcher';
export type { DeepSpeedOptions } from './launchers/deepspeed-launcher';
export type { JaxOptions } from './launchers/jax-launcher';
export type { MpiOptions } from './launchers/mpi-launcher';

const NCCL_CHECKS = { nccl: opt('object'), abortOnCollectiveError: opt('boolean') };

/**
 * How each worker starts the training program: torchrun with the rendezvous wired from the gang, or the command
 * as given.
 *
 * ```ts
 * TrainingLauncher.torchrun()                       // torchrun <command> <args>, one process per GPU
 * TrainingLauncher.torchrun({ nccl: { ibHcas: 'mlx5' } })
 * TrainingLauncher.deepspeed()                      // deepspeed --no_ssh on every worker, hostfile from the gang
 * TrainingLauncher.jax()                            // JAX_COORDINATOR_ADDRESS, JAX_NUM_PROCESSES, JAX_PROCESS_ID
 * TrainingLauncher.mpi({ sshAuthSecret: 'mpi-ssh' }) // mpirun on a launcher pod, sshd on the workers
 * TrainingLauncher.raw()                            // the command as given (scripts, frameworks that start their own workers)
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
   * DeepSpeed's `deepspeed` launcher in its SSH-free mode: every worker runs `deepspeed --no_ssh` with the gang's
   * hostfile (a ConfigMap of the workers' stable DNS names, `slots` = processes per worker, mounted at
   * `/etc/deepspeed/hostfile`), its node rank (`--node_rank=$(NODE_RANK)`, the worker's index), the master address
   * (worker 0) and port, and starts its own ranks. The job's `command` is the training script and its arguments
   * (`['train.py', '--deepspeed', 'ds_config.json']`); a command that starts with `deepspeed` or a Python interpreter,
   * or sets the options the launcher owns, is refused.
   */
  public static deepspeed(options: DeepSpeedOptions = {}): TrainingLauncher {
    checkProps('TrainingLauncher.deepspeed()', 'DeepSpeedOptions', options, {
      procsPerNode: opt('number'), port: opt('number'), ...NCCL_CHECKS,
    }, 'options.');
    return new ChosenLauncher(new DeepSpeedLauncher(options ?? {}));
  }

  /**
   * JAX multi-process, one process per worker: `JAX_COORDINATOR_ADDRESS` (worker 0's stable DNS name and the
   * port), `JAX_NUM_PROCESSES` (the workers) and `JAX_PROCESS_ID` (the worker's index), the variables Kubeflow
   * Trainer's JAX runtime sets. JAX reads the coordinator address itself; the program passes the other two:
   * `jax.distributed.initialize(num_processes=int(os.environ['JAX_NUM_PROCESSES']), process_id=int(os.environ['JAX_PROCESS_ID']))`.
   * The command runs as given (`['python', 'train.py']`). With `TrainingBackend.kubeflowTrainer()` the runtime's
   * `jax` policy makes the Trainer controller set the variables.
   */
  public static jax(options: JaxOptions = {}): TrainingLauncher {
    checkProps('TrainingLauncher.jax()', 'JaxOptions', options, { port: opt('number') }, 'options.');
    return new ChosenLauncher(new JaxLauncher(options ?? {}));
  }

  /**
   * Open MPI: the workers run sshd (ready when it listens), and a launcher pod then runs `mpirun -np <workers x
   * procsPerNode> -x <the job's variables> <command> <args>` over SSH, with the hostfile of the workers' stable DNS
   * names. This is the MPI Operator v2 shape; with `TrainingBackend.kubeflowTrainer()` it is Trainer's MPI runtime,
   * whose controller writes the hostfile and generates the SSH keys. With `TrainingBackend.jobSet()` the keys come
   * from a Secret you create (`sshAuthSecret`), never from the YAML. The job succeeds when `mpirun` does.
   */
  public static mpi(options: MpiOptions = {}): TrainingLauncher {
    checkProps('TrainingLauncher.mpi()', 'MpiOptions', options, {
      sshAuthSecret: opt('string'),
      sshAuthMountPath: opt('string'),
      sshPort: opt('number'),
      sshdCommand: opt('string[]'),
      procsPerNode: opt('number'),
      mpirunArgs: opt('string[]'),
    }, 'options.');
    return new ChosenLauncher(new MpiLauncher(options ?? {}));
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
