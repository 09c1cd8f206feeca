/**
 * The contract between a launcher that runs a binary of its own (`deepspeed`, `mpirun`) and the job's `command`: the
 * launcher owns the binary and the options it sets from the gang; `command` is the training program. Internal.
 */
import { IConstruct } from 'constructs';
import { ValidationError, show } from '../../internal/errors';

/** How one launcher binary parses its command line. */
export interface LauncherCli {
  /** The factory, for messages, e.g. `TrainingLauncher.deepspeed()`. */
  readonly factory: string;
  /** The binaries the launcher runs itself, e.g. `deepspeed`. */
  readonly binaries: readonly string[];
  /** Options the launcher sets from the gang (both spellings where the CLI accepts two). */
  readonly owned: ReadonlySet<string>;
  /** Options that take no value (argparse `store_true` flags); every other option takes the next token. */
  readonly flags: ReadonlySet<string>;
  /** The program as the launcher expects it, for messages, e.g. `["train.py", "--deepspeed", "ds.json"]`. */
  readonly example: string;
  /** Where the options the launcher owns are set instead, for messages. */
  readonly ownedHint: string;
  /** The launcher starts the script with Python itself, so a Python interpreter cannot be the program. */
  readonly runsPython: boolean;
}

const PYTHON = /^python(\d+(\.\d+)?)?$/;

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/**
 * Throws unless `command` is a training program for the launcher: not the launcher binary itself, and without the
 * options the launcher sets (among the options before the program).
 */
export function requireLauncherProgram(scope: IConstruct, command: string[], cli: LauncherCli): void {
  const head = basename(command[0]);
  if (cli.binaries.includes(head)) {
    throw new ValidationError(scope, 'command', `got ${show(command)}; ${cli.factory} runs ${head} itself (the container ` +
      `would run ${head} twice), so the command is only the training program, e.g. ${cli.example}; or use ` +
      'TrainingLauncher.raw() to run your own launch command');
  }
  if (cli.runsPython && PYTHON.test(head)) {
    throw new ValidationError(scope, 'command', `got ${show(command)}; ${cli.factory} starts the training script with ` +
      `Python itself (${show(head)} would be run as the script), so the command is only the script and its arguments, ` +
      `e.g. ${cli.example}`);
  }
  for (const token of leadingOptions(command, cli.flags)) {
    if (cli.owned.has(token.split('=')[0])) {
      throw new ValidationError(scope, 'command', `got ${show(command)}; ${show(token.split('=')[0])} is an option ${cli.factory} ` +
        `sets from the gang; expected the training program without it; ${cli.ownedHint}`);
    }
  }
}

/** The options before the program: every `-`-token up to the first other token, skipping the values of options. */
function leadingOptions(command: string[], flags: ReadonlySet<string>): string[] {
  const options: string[] = [];
  for (let i = 0; i < command.length; i++) {
    const token = command[i];
    if (!token.startsWith('-')) break;
    options.push(token);
    if (!token.includes('=') && !flags.has(token)) i++; // its value
  }
  return options;
}
