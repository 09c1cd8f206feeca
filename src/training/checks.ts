/**
 * Prop checks shared by the training constructs. Internal.
 */
import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ValidationError } from '../internal/errors';

const INT32_MAX = 2 ** 31 - 1;
const QUALIFIED_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

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

/** A label key: an optional DNS-subdomain prefix and `/`, then a name of at most 63 characters. */
export function isQualifiedName(key: string): boolean {
  const slash = key.indexOf('/');
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const prefix = slash >= 0 ? key.slice(0, slash) : '';
  return QUALIFIED_NAME.test(key) && name.length <= 63 && prefix.length <= 253;
}

/** An environment variable name the apiserver accepts (C identifier plus '-' and '.'). */
export function isEnvName(name: string): boolean {
  return ENV_NAME.test(name);
}

/** A DNS-1123 subdomain (object names such as PersistentVolumeClaims, ConfigMaps, Secrets). */
export function isDnsSubdomain(name: string): boolean {
  return name.length <= 253 && DNS_SUBDOMAIN.test(name);
}
