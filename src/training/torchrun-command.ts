/**
 * The contract between the torchrun launcher and a job's `command`: the launcher owns the launcher binary and the
 * rendezvous flags; `command` is the training program (a script, or `-m module`) and its arguments. Internal.
 *
 * torchrun's CLI is PyTorch's `torch/distributed/run.py` (docs.pytorch.org/docs/stable/elastic/run.html): every
 * option is also read from `PET_<DEST>` (`torch/distributed/argparse_util.py`, class `env`), which is how the launcher
 * passes `--nnodes`, `--nproc-per-node`, `--node-rank`, `--master-addr` and `--master-port`; `--rdzv-backend` stays at
 * its default `static`, whose endpoint is `--master-addr:--master-port` when `--rdzv-endpoint` is unset. An option on
 * the command line wins over its `PET_*` variable, so a job's command must not carry those options either.
 */
import { IConstruct } from 'constructs';
import { ValidationError, show } from '../internal/errors';

/**
 * The `PET_*` variables the launcher sets, by the torchrun option they stand for (option dest upper-cased, as
 * `torch/distributed/argparse_util.py` reads them). Kubeflow Trainer v2.3.0 injects the same five
 * (`pkg/constants/constants.go`, `TorchRunReservedEnvNames`).
 */
export const TORCHRUN_ENV: Readonly<Record<string, string>> = {
  '--nnodes': 'PET_NNODES',
  '--nproc-per-node': 'PET_NPROC_PER_NODE',
  '--node-rank': 'PET_NODE_RANK',
  '--master-addr': 'PET_MASTER_ADDR',
  '--master-port': 'PET_MASTER_PORT',
};

/** torchrun options the launcher owns (both spellings torchrun accepts), and `--standalone`, which replaces the rendezvous. */
const OWNED_OPTIONS = new Set([
  'nnodes', 'nproc-per-node', 'node-rank', 'master-addr', 'master-port',
  'rdzv-backend', 'rdzv-endpoint', 'rdzv-id', 'rdzv-conf', 'standalone',
].flatMap((o) => [`--${o}`, `--${o.replace(/-/g, '_')}`]));

/** The modules that are torchrun (`python -m torch.distributed.run`) or its deprecated predecessor. */
const LAUNCHER_MODULES = new Set(['torch.distributed.run', 'torch.distributed.launch']);
const PYTHON = /^python(\d+(\.\d+)?)?$/;

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/**
 * Throws unless `command` is a training program for torchrun: not torchrun itself (`torchrun`, `python -m
 * torch.distributed.run`, `-m torch.distributed.run`), not a Python interpreter (torchrun runs the script with
 * `python -u` itself), and without the rendezvous options the launcher sets.
 */
export function requireTorchrunProgram(scope: IConstruct, command: string[]): void {
  const first = command[0];
  const head = basename(first);
  let launcherTokens = 0;
  if (head === 'torchrun') {
    launcherTokens = 1;
  } else if (PYTHON.test(head) && command[1] === '-m' && LAUNCHER_MODULES.has(command[2])) {
    launcherTokens = 3;
  } else if ((first === '-m' || first === '--module') && LAUNCHER_MODULES.has(command[1])) {
    launcherTokens = 2;
  }
  if (launcherTokens > 0) {
    const program = command.slice(launcherTokens).filter((token, i, rest) => !isOwned(token) && !isOwnedValue(rest, i));
    throw new ValidationError(scope, 'command', `got ${show(command)}; the torchrun launcher runs torchrun itself ` +
      `(the container would run ${show(['torchrun', ...command])}), so the command is only the training program: the ` +
      `script (or "-m", "module") and its arguments, e.g. ${show(program.length ? program : ['train.py'])}; or use ` +
      'TrainingLauncher.raw() to run your own torchrun command');
  }
  if (PYTHON.test(head)) {
    const program = command.slice(1);
    throw new ValidationError(scope, 'command', `got ${show(command)}; torchrun starts the training script with Python ` +
      `itself (${show(['torchrun', ...command])} would run ${show(first)} as the script), so the command is only the ` +
      `script (or "-m", "module") and its arguments, e.g. ${show(program.length ? program : ['train.py'])}`);
  }
  for (const token of torchrunOptions(command)) {
    if (isOwned(token)) {
      throw new ValidationError(scope, 'command', `got ${show(command)}; ${show(token.split('=')[0])} is a torchrun option ` +
        'the launcher sets from the gang (PET_* variables; an option on the command line would override them); expected ' +
        'the training program without rendezvous options; set the processes per worker with ' +
        'TrainingLauncher.torchrun({ procsPerNode }) and the port with { port }');
    }
  }
}

/** torchrun's flags that take no value (`torch/distributed/run.py`); `-m`/`--module` ends the options. */
const FLAGS = new Set(['--standalone', '--no-python', '--no_python', '--run-path', '--run_path']);

/** The torchrun options before the program: every `-`-token up to the script, skipping the values of options. */
function torchrunOptions(command: string[]): string[] {
  const options: string[] = [];
  for (let i = 0; i < command.length; i++) {
    const token = command[i];
    if (!token.startsWith('-') || token === '-m' || token === '--module') break;
    options.push(token);
    if (!token.includes('=') && !FLAGS.has(token)) i++; // its value
  }
  return options;
}

function isOwned(token: string): boolean {
  return OWNED_OPTIONS.has(token.split('=')[0]);
}

/** The value of an owned option given as a separate token (`--nnodes 4`). */
function isOwnedValue(tokens: string[], i: number): boolean {
  const previous = tokens[i - 1];
  return i > 0 && previous !== undefined && isOwned(previous) && !previous.includes('=') && previous.replace(/_/g, '-') !== '--standalone';
}
