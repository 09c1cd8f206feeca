/**
 * `TrainingLauncher.mpi()`: Open MPI's `mpirun` on a launcher pod, starting the ranks over SSH on the workers, the
 * shape of the MPI Operator v2 and of Kubeflow Trainer's MPI runtime.
 *
 * Sources: kubeflow/trainer v2.3.0 (commit 658725bd) `pkg/runtime/framework/plugins/mpi/mpi.go` and
 * `pkg/constants/constants.go`: the hostfile `<host> slots=<numProcPerNode>` per node at `/etc/mpi/hostfile`, the
 * SSH key Secret (type `kubernetes.io/ssh-auth`, keys `ssh-privatekey` and `ssh-publickey`) mounted as `id_rsa`
 * (0640), `id_rsa.pub` and `authorized_keys` (0644) in the `.ssh` directory, and on the launcher
 * `OMPI_MCA_orte_default_hostfile`, `OMPI_MCA_orte_keep_fqdn_hostnames=true`, `OMPI_MCA_orte_set_default_slots` and
 * `OMPI_MCA_plm_rsh_args=-o ConnectionAttempts=10`; `manifests/base/runtimes/deepspeed_distributed.yaml`: workers run
 * `/usr/sbin/sshd -De -f /home/mpiuser/.sshd_config` with a TCP readiness probe on port 2222, and the launcher job
 * `dependsOn` the node job being `Ready`; the job succeeds when the launcher does. kubeflow/mpi-operator v0.8.0
 * (commit 101db144) `build/base/Dockerfile` (the non-root `mpiuser`, sshd on port 2222) and its examples, which pass
 * `-x PATH -x LD_LIBRARY_PATH` to `mpirun`: ranks started over SSH do not inherit the container's environment.
 */
import { IConstruct } from 'constructs';
import * as k8s from '../../imports/k8s';
import { ValidationError, invalidProp, requireInteger } from '../../internal/errors';
import { isDnsSubdomain } from '../checks';
import { LaunchContext, LaunchPlan, LauncherStrategy } from '../gang-plan';
import { hostfile } from './hostfile';
import { LauncherCli, requireLauncherProgram } from './program-checks';

const HOSTFILE_DIR = '/etc/mpi';
const DEFAULT_SSH_DIR = '/home/mpiuser/.ssh';
const DEFAULT_SSH_PORT = 2222;
/** Variables the ranks need from the launcher besides the job's own (MPI Operator v0.8.0 examples). */
const ALWAYS_EXPORTED = ['PATH', 'LD_LIBRARY_PATH'];
/** Open MPI's own settings stay with mpirun. */
const MPIRUN_SETTINGS = /^OMPI_/;

const CLI: LauncherCli = {
  factory: 'TrainingLauncher.mpi()',
  binaries: ['mpirun', 'mpiexec', 'orterun', 'prterun'],
  owned: new Set(['-np', '-n', '--np', '-c', '--hostfile', '-hostfile', '--machinefile', '-machinefile', '-H', '--host', '-host']),
  flags: new Set(),
  example: '["python", "train.py"]',
  ownedHint: 'the launcher passes the process count and the hostfile; put other mpirun options in ' +
    'TrainingLauncher.mpi({ mpirunArgs })',
  runsPython: false,
};

/**
 * Options for the MPI launcher.
 */
export interface MpiOptions {
  /**
   * The Secret with the SSH key pair the launcher and workers share: type `kubernetes.io/ssh-auth` with the keys
   * `ssh-privatekey` and `ssh-publickey` (the public key is also mounted as `authorized_keys`).
   *
   * Required with `TrainingBackend.jobSet()`. Kubeflow Trainer generates a key pair per TrainJob itself, so with
   * `TrainingBackend.kubeflowTrainer()` leave it unset.
   *
   * @default - none
   */
  readonly sshAuthSecret?: string;

  /**
   * The `.ssh` directory of the image's user, where the keys are mounted.
   *
   * The pod's user must be that image user (set `security.runAsUser` to its id, 1000 for the MPI Operator's
   * `mpiuser`): OpenSSH finds `~/.ssh` through the user's home directory in `/etc/passwd`.
   *
   * @default '/home/mpiuser/.ssh'
   */
  readonly sshAuthMountPath?: string;

  /**
   * The port sshd listens on in the workers (a non-root sshd cannot bind 22).
   *
   * With `TrainingBackend.kubeflowTrainer()` the image's `ssh_config` must name it, as the MPI Operator's base image
   * does: Trainer sets `OMPI_MCA_plm_rsh_args` itself.
   *
   * @default 2222
   */
  readonly sshPort?: number;

  /**
   * The command that runs sshd in the foreground on every worker.
   *
   * @default - `['/usr/sbin/sshd', '-De', '-f', '<home>/.sshd_config']`, `<home>` being the parent of sshAuthMountPath
   */
  readonly sshdCommand?: string[];

  /**
   * Processes (slots) per worker.
   *
   * @default - the GPUs per worker; 1 for a CPU-only job
   */
  readonly procsPerNode?: number;

  /**
   * More `mpirun` options, placed before the program, e.g. `['--bind-to', 'none', '--map-by', 'slot']`.
   *
   * @default - none
   */
  readonly mpirunArgs?: string[];
}

/** `TrainingLauncher.mpi()`: sshd on the workers, `mpirun` on a launcher pod once they are ready. */
export class MpiLauncher implements LauncherStrategy {
  public readonly name = 'mpi';

  constructor(private readonly options: MpiOptions) {}

  public launch(scope: IConstruct, context: LaunchContext): LaunchPlan {
    const command = context.command ?? [];
    if (command.length === 0) {
      throw new ValidationError(scope, 'command', 'the mpi launcher needs the training program, such as ["python", "train.py"]; ' +
        'the launcher pod runs mpirun <options> <command> <args>');
    }
    requireLauncherProgram(scope, command, CLI);
    const byController = (context.controllerPolicies ?? []).includes('mpi');
    const secret = this.sshSecret(scope, context, byController);
    const sshDir = this.sshDir(scope);
    const port = requireInteger(scope, 'launcher.sshPort', this.options.sshPort ?? DEFAULT_SSH_PORT, 1, 65535);
    const procs = this.options.procsPerNode !== undefined
      ? requireInteger(scope, 'launcher.procsPerNode', this.options.procsPerNode, 1, 1024)
      : Math.max(1, context.devicesPerPod);
    const sshd = this.options.sshdCommand ?? ['/usr/sbin/sshd', '-De', '-f', `${sshDir.slice(0, sshDir.lastIndexOf('/'))}/.sshd_config`];
    if (sshd.length === 0 || sshd.some((t) => typeof t !== 'string' || t === '')) {
      throw invalidProp(scope, 'launcher.sshdCommand', sshd, 'a command such as ["/usr/sbin/sshd", "-De", "-f", "/home/mpiuser/.sshd_config"]');
    }
    const mpirunArgs = this.options.mpirunArgs ?? [];
    const owned = mpirunArgs.find((a) => CLI.owned.has(a.split('=')[0]));
    if (owned !== undefined) {
      throw invalidProp(scope, 'launcher.mpirunArgs', mpirunArgs, `mpirun options other than ${owned.split('=')[0]}, which the launcher ` +
        'sets from the gang (the process count is workers x procsPerNode, the hosts come from the hostfile)');
    }
    const ranks = context.workers * procs;
    const program = [...command, ...(context.args ?? [])];
    const launcherEnv: k8s.EnvVar[] = byController ? [] : [
      { name: 'OMPI_MCA_orte_default_hostfile', value: `${HOSTFILE_DIR}/hostfile` },
      { name: 'OMPI_MCA_orte_keep_fqdn_hostnames', value: 'true' },
      { name: 'OMPI_MCA_orte_set_default_slots', value: String(procs) },
      { name: 'OMPI_MCA_plm_rsh_args', value: `-o ConnectionAttempts=10 -p ${port}` },
    ];
    return {
      command: sshd,
      env: [],
      defaultEnv: {},
      ports: [{ name: 'ssh', containerPort: port, protocol: 'TCP' }],
      torch: false,
      procsPerNode: procs,
      readinessProbe: { tcpSocket: { port: k8s.IntOrString.fromNumber(port) }, initialDelaySeconds: 5 },
      mlPolicy: byController
        ? { mpi: { numProcPerNode: procs, mpiImplementation: 'OpenMPI', sshAuthMountPath: sshDir, runLauncherAsNode: false } }
        : undefined,
      files: byController ? undefined : { name: 'hostfile', mountPath: HOSTFILE_DIR, data: { hostfile: hostfile(scope, context, procs, 'mpi') } },
      volumes: secret === undefined ? undefined : [{ volume: sshVolume(secret), mountPath: sshDir }],
      reservedMountPaths: byController ? [sshDir, HOSTFILE_DIR] : undefined,
      launcherPod: {
        command: ['mpirun'],
        args: (names) => [
          '-np', String(ranks),
          ...[...new Set([...ALWAYS_EXPORTED, ...names.filter((n) => !MPIRUN_SETTINGS.test(n))])].flatMap((n) => ['-x', n]),
          ...mpirunArgs,
          ...program,
        ],
        env: launcherEnv,
      },
    };
  }

  private sshSecret(scope: IConstruct, context: LaunchContext, byController: boolean): string | undefined {
    const secret = this.options.sshAuthSecret;
    if (byController && secret !== undefined) {
      throw new ValidationError(scope, 'launcher.sshAuthSecret', `the controller of the ${context.backendRelease ?? 'backend'} generates ` +
        'an SSH key pair for every TrainJob (the Secret <name>-mpi-ssh-auth) and mounts it itself; leave sshAuthSecret unset');
    }
    if (!byController && secret === undefined) {
      throw new ValidationError(scope, 'launcher.sshAuthSecret', 'mpirun starts the ranks over SSH, so the launcher and workers ' +
        'need a shared key pair: create a Secret of type kubernetes.io/ssh-auth with the keys ssh-privatekey and ssh-publickey ' +
        '(for example from ssh-keygen, never committed in clear text) and name it in the launcher\'s sshAuthSecret option');
    }
    if (secret !== undefined && !isDnsSubdomain(secret)) {
      throw invalidProp(scope, 'launcher.sshAuthSecret', secret, 'the name of a Secret (DNS-1123 subdomain)');
    }
    return secret;
  }

  private sshDir(scope: IConstruct): string {
    const dir = this.options.sshAuthMountPath ?? DEFAULT_SSH_DIR;
    if (typeof dir !== 'string' || !/^\/[^:]*[^/]$/.test(dir) || dir.split('/').includes('..') || dir.lastIndexOf('/') === 0) {
      throw invalidProp(scope, 'launcher.sshAuthMountPath', dir, 'the absolute path of a .ssh directory below a home directory, such as "/home/mpiuser/.ssh"');
    }
    return dir;
  }
}

/** The key pair as Trainer mounts it: the private key 0640, the public key and authorized_keys 0644, the rest 0400. */
function sshVolume(secretName: string): k8s.Volume {
  return {
    name: 'ssh-auth',
    secret: {
      secretName,
      defaultMode: 0o400,
      items: [
        { key: 'ssh-privatekey', path: 'id_rsa', mode: 0o640 },
        { key: 'ssh-publickey', path: 'id_rsa.pub', mode: 0o644 },
        { key: 'ssh-publickey', path: 'authorized_keys', mode: 0o644 },
      ],
    },
  };
}
