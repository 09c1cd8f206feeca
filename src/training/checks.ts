/**
 * Prop checks shared by the training constructs. Internal.
 */
import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ValidationError } from '../internal/errors';
export { isDnsSubdomain, isQualifiedName } from '../internal/qualified-name';

const INT32_MAX = 2 ** 31 - 1;

/** A Duration as whole seconds from `min` to 2^31-1, as a ValidationError otherwise. */
export function wholeSeconds(scope: IConstruct, prop: string, duration: Duration, min: number): number {
  let seconds: number;
  try {
    seconds = duration.toSeconds();
  } catch {
    throw new ValidationError(scope, prop, `got ${duration.toHumanString()}; expected a whole number of seconds`);
  }
  if (!Number.isInteger(seconds) || seconds < min || seconds > INT32_MAX) {
    throw new ValidationError(scope, prop, `got ${duration.toHumanString()}; expected a whole number of seconds from ${min} to ${INT32_MAX}`);
  }
  return seconds;
}
