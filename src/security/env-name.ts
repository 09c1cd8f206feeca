import { IConstruct } from 'constructs';
import { invalidProp } from '../internal/errors';

/** Environment variable names the apiserver accepts (a C identifier plus '-' and '.'). Internal. */
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/** Throws unless `name` is a valid environment variable name. */
export function requireEnvName(scope: IConstruct, prop: string, name: string): void {
  if (!ENV_NAME.test(name)) throw invalidProp(scope, prop, name, 'an environment variable name ([-._a-zA-Z][-._a-zA-Z0-9]*)');
}
