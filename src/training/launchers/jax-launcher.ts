/**
 * `TrainingLauncher.jax()`: JAX multi-process, one process per worker.
 *
 * Sources: jax-ml/jax jax-v0.11.0 (commit a1521744), `jax/_src/distributed.py`: `jax.distributed.initialize()` reads
 * `JAX_COORDINATOR_ADDRESS` (`host:port` of process 0, which binds `[::]:port`) when no `coordinator_address` is
 * passed; the process count and id come from arguments or a detected cluster, not from the environment. Kubeflow
 * Trainer v2.3.0 `pkg/runtime/framework/plugins/jax/jax.go` sets the same three variables the launcher sets here
 * (`JAX_NUM_PROCESSES` = nodes, `JAX_PROCESS_ID` = the Job completion index, `JAX_COORDINATOR_ADDRESS` =
 * `<name>-node-0-0.<name>:29500`) and its guide (`docs/user-guides/jax.md`) passes them to `initialize`:
 * `jax.distributed.initialize(num_processes=int(os.environ["JAX_NUM_PROCESSES"]),
 * process_id=int(os.environ["JAX_PROCESS_ID"]))`. JAX's own Kubernetes detection (`clusters/k8s_cluster.py`) lists
 * pods through the API server, which the workers have no token for.
 */
import { IConstruct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { invalidProp, requireInteger } from '../../internal/errors';
import { LaunchContext, LaunchPlan, LauncherStrategy } from '../gang-plan';

/** Kubeflow Trainer's `ContainerTrainerPort`, which its JAX plugin puts in the coordinator address. */
const TRAINER_JAX_PORT = 29500;

/**
 * Options for the JAX launcher.
 */
export interface JaxOptions {
  /**
   * The coordinator's port on worker 0 (the port in `JAX_COORDINATOR_ADDRESS`). Kubeflow Trainer always uses 29500.
   *
   * @default 29500
   */
  readonly port?: number;
}

/** `TrainingLauncher.jax()`: the JAX distributed environment from the gang; the command runs as given. */
export class JaxLauncher implements LauncherStrategy {
  public readonly name = 'jax';

  constructor(private readonly options: JaxOptions) {}

  public launch(scope: IConstruct, context: LaunchContext): LaunchPlan {
    const port = requireInteger(scope, 'launcher.port', this.options.port ?? TRAINER_JAX_PORT, 1, 65535);
    const injected = (context.controllerPolicies ?? []).includes('jax');
    if (injected && port !== TRAINER_JAX_PORT) {
      throw invalidProp(scope, 'launcher.port', port, `${TRAINER_JAX_PORT}: the controller of the ${context.backendRelease ?? 'backend'} ` +
        'always puts that port in JAX_COORDINATOR_ADDRESS; leave the port unset or use TrainingBackend.jobSet()');
    }
    const rendezvous = context.rendezvous;
    const env: k8s.EnvVar[] = injected ? [] : [
      { name: 'JAX_COORDINATOR_ADDRESS', value: `${rendezvous.leaderHost}:${port}` },
      { name: 'JAX_NUM_PROCESSES', value: String(context.workers) },
      { name: 'JAX_PROCESS_ID', valueFrom: { fieldRef: { fieldPath: rendezvous.workerIndexFieldPath } } },
    ];
    return {
      command: context.command,
      args: context.args,
      env,
      defaultEnv: {},
      ports: [{ name: 'coordinator', containerPort: port, protocol: 'TCP' }],
      torch: false,
      mlPolicy: { jax: {} },
      framework: 'jax',
    };
  }
}
