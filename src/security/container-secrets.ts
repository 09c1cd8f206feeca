import { IConstruct } from 'constructs';
import * as k8s from '../imports/k8s';
import { ValidationError } from '../internal/errors';
import { findSecretInArgs, redact, secretReason } from '../internal/secret-detection';

/**
 * Where a container's env, command and args came from, so a refusal names the prop the user set. Every field is
 * optional: without it env variables are named `env.<NAME>`, args `args` and the command `command`.
 */
export interface ContainerInputs {
  /** The prop that set env variable `name` (e.g. `server.env.OPENAI_API_KEY`). */
  readonly envProp?: (name: string) => string;
  /** The prop that set argument `arg` (e.g. `server.extraArgs`). */
  readonly argProp?: (arg: string) => string;
  /** The prop that set the command. */
  readonly commandProp?: string;
  /**
   * How this construct takes a credential instead, for the message; `NAME` stands for the variable. By default the
   * generic advice: a Secret referenced with `valueFrom.secretKeyRef` or mounted as a file.
   */
  readonly alternative?: string;
}

const GENERIC_ALTERNATIVE = 'keep it in a Kubernetes Secret and reference it (an env variable from a secretKeyRef, or the Secret mounted ' +
  'as a file)';

/** A name for the variable an argument's credential should move to: `--api-key` → `API_KEY`. */
function suggestedName(flag: string | undefined): string {
  const n = (flag ?? 'SECRET').replace(/^-+/, '').replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/[^A-Za-z0-9]+/g, '_').toUpperCase();
  return /^[A-Z_]/.test(n) ? n : `SECRET_${n}`;
}

/**
 * Refuses a container whose env values, command or args hold a credential literal (see `secret-detection.ts`).
 * Env variables from `valueFrom` (Secret references) are not looked at: that is the safe way.
 */
export function checkContainerSecrets(scope: IConstruct, container: k8s.Container, inputs: ContainerInputs = {}): void {
  const alternative = (name: string) => (inputs.alternative ?? GENERIC_ALTERNATIVE).replace(/\bNAME\b/g, name);
  for (const e of container.env ?? []) {
    if (e.valueFrom !== undefined || typeof e.value !== 'string') continue;
    const reason = secretReason(e.name, e.value);
    if (reason) {
      const prop = inputs.envProp ? inputs.envProp(e.name) : `env.${e.name}`;
      throw new ValidationError(scope, prop, `got ${redact(e.value)}: ${reason}; expected no credential in the YAML (it is ` +
        `committed, diffed and readable by anyone who can read the object): ${alternative(e.name)}`);
    }
  }
  for (const [list, propOf] of [
    [container.command, () => inputs.commandProp ?? 'command'],
    [container.args, (arg: string) => (inputs.argProp ? inputs.argProp(arg) : 'args')],
  ] as const) {
    const found = findSecretInArgs(list ?? []);
    if (!found) continue;
    const name = suggestedName(found.flag);
    const where = found.flag ? `${JSON.stringify(found.flag)} with ${redact(found.value)}` : redact(found.value);
    throw new ValidationError(scope, propOf((list ?? [])[found.index]), `got ${where}: ${found.reason}; expected no credential ` +
      `in the command line (it would be written to the YAML): ${alternative(name)}, and write "$(${name})" in the ` +
      'argument (Kubernetes expands it from the container\'s env), or let the program read the Secret from a file');
  }
}
