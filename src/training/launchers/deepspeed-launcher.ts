/**
 * `TrainingLauncher.deepspeed()`: the `deepspeed` launcher in its SSH-free multi-node mode.
 *
 * Source: deepspeedai/DeepSpeed v0.19.5 (commit cf443004), `deepspeed/launcher/runner.py`. With `--no_ssh` (since
 * v0.14.5) every node runs `deepspeed` itself and starts only its own ranks (`deepspeed.launcher.launch` with
 * `--node_rank`), instead of the default PDSH fan-out over SSH from one node. The world is read from `--hostfile`
 * (`<host> slots=<n>` lines, `_parse_hostfile`); without a hostfile the runner falls back to the local GPUs and
 * `--master_addr=127.0.0.1`, so a multi-node job needs one. `--node_rank` must be in `[0, hosts)`; `--master_addr` and
 * `--master_port` (default 29500, `TORCH_DISTRIBUTED_DEFAULT_PORT`) are torch.distributed's rendezvous, which
 * `launch.py` hands to each rank as `MASTER_ADDR`, `MASTER_PORT`, `RANK`, `LOCAL_RANK` and `WORLD_SIZE`. The runner
 * reads none of these from the environment, so they are arguments; the node rank is the worker's index through the
 * downward API, expanded by Kubernetes from `$(NODE_RANK)`.
 */
import { IConstruct } from 'constructs';
import { ValidationError, requireInteger } from '../../internal/errors';
import { LaunchContext, LaunchPlan, LauncherStrategy, TORCHRUN_DEFAULT_PORT } from '../gang-plan';
import { hostfile } from './hostfile';
import { NcclSettings, ncclEnv } from './nccl-env';
import { LauncherCli, requireLauncherProgram } from './program-checks';

/** Where the hostfile ConfigMap is mounted. */
const HOSTFILE_DIR = '/etc/deepspeed';
/** The variable that holds the worker's index, expanded into `--node_rank`. */
const DEEPSPEED_NODE_RANK_ENV = 'NODE_RANK';

const OWNED = [
  '-H', '--hostfile', '-i', '--include', '-e', '--exclude', '--num_nodes', '--num_gpus', '--num_accelerators', '--master_port',
  '--master_addr', '--node_rank', '--launcher', '--launcher_args', '--no_ssh', '--force_multi', '--elastic_training',
  '--min_elastic_nodes', '--max_elastic_nodes',
];
/** The runner's `store_true` options. */
const FLAGS = [
  '--module', '--no_python', '--no_local_rank', '--no_ssh', '--no_ssh_check', '--force_multi', '--save_pid', '--elastic_training',
  '--bind_cores_to_rank', '-q', '--quiet',
];
const CLI: LauncherCli = {
  factory: 'TrainingLauncher.deepspeed()',
  binaries: ['deepspeed', 'ds', 'deepspeed.pt'],
  owned: new Set(OWNED),
  flags: new Set(FLAGS),
  example: '["train.py", "--deepspeed", "ds_config.json"] (a module: ["--module", "package.train"])',
  ownedHint: 'the launcher passes the hostfile, node rank, master address and port, and sets the processes per worker ' +
    'with TrainingLauncher.deepspeed({ procsPerNode }) and the port with { port }',
  runsPython: true,
};

/**
 * Options for the DeepSpeed launcher.
 */
export interface DeepSpeedOptions {
  /**
   * Processes (GPUs) per worker: the worker's `slots` in the hostfile and `--num_gpus`.
   *
   * @default - the GPUs per worker; 1 for a CPU-only job
   */
  readonly procsPerNode?: number;

  /**
   * The torch.distributed rendezvous port on worker 0 (`--master_port`).
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
   * Abort a rank whose collective fails or times out (`TORCH_NCCL_ASYNC_ERROR_HANDLING=1`), so a broken gang fails and
   * restarts together instead of hanging.
   *
   * @default true
   */
  readonly abortOnCollectiveError?: boolean;
}

/** `TrainingLauncher.deepspeed()`: `deepspeed --no_ssh` on every worker, the world from a hostfile of the gang. */
export class DeepSpeedLauncher implements LauncherStrategy {
  public readonly name = 'deepspeed';

  constructor(private readonly options: DeepSpeedOptions) {}

  public launch(scope: IConstruct, context: LaunchContext): LaunchPlan {
    const command = context.command ?? [];
    if (command.length === 0) {
      throw new ValidationError(scope, 'command', 'the deepspeed launcher needs the training program: a script and its ' +
        'arguments such as ["train.py", "--deepspeed", "ds_config.json"]; the container runs deepspeed <options> <command> <args>');
    }
    requireLauncherProgram(scope, command, CLI);
    const procs = this.options.procsPerNode !== undefined
      ? requireInteger(scope, 'launcher.procsPerNode', this.options.procsPerNode, 1, 1024)
      : Math.max(1, context.devicesPerPod);
    const port = requireInteger(scope, 'launcher.port', this.options.port ?? TORCHRUN_DEFAULT_PORT, 1, 65535);
    const leader = context.rendezvous.leaderHost;
    return {
      command: ['deepspeed'],
      args: [
        `--hostfile=${HOSTFILE_DIR}/hostfile`,
        '--no_ssh',
        `--node_rank=$(${DEEPSPEED_NODE_RANK_ENV})`,
        `--master_addr=${leader}`,
        `--master_port=${port}`,
        `--num_nodes=${context.workers}`,
        `--num_gpus=${procs}`,
        ...command,
        ...(context.args ?? []),
      ],
      env: [{ name: DEEPSPEED_NODE_RANK_ENV, valueFrom: { fieldRef: { fieldPath: context.rendezvous.workerIndexFieldPath } } }],
      defaultEnv: ncclEnv(scope, this.options.nccl, this.options.abortOnCollectiveError ?? true),
      ports: [{ name: 'rendezvous', containerPort: port, protocol: 'TCP' }],
      torch: false,
      procsPerNode: procs,
      files: { name: 'hostfile', mountPath: HOSTFILE_DIR, data: { hostfile: hostfile(scope, context, procs, 'deepspeed') } },
    };
  }
}
