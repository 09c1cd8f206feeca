import { IConstruct } from 'constructs';
import { requireEnvName } from './env-name';
import * as k8s from '../imports/k8s';
import { ValidationError, invalidProp, show } from '../internal/errors';
import { isDnsSubdomain } from '../internal/qualified-name';
import { redact, secretValueKind } from '../internal/secret-detection';

/**
 * A key of a Secret, referenced by name: the value never appears in the generated YAML.
 */
export interface SecretKeyReference {
  /**
   * The Secret's name (in the workload's namespace).
   */
  readonly secretName: string;

  /**
   * The key inside the Secret.
   */
  readonly key: string;
}

/**
 * Throws unless `ref` is a Secret key reference (`{ secretName, key }`, both non-empty strings). From plain
 * JavaScript a string can arrive where the reference belongs (`secretEnv: { API_KEY: 'sk-...' }`); rendered as is
 * it would give `secretKeyRef: {}`, a pod that never starts. The string is shown redacted: it is often the very
 * credential the reference exists to keep out of the YAML.
 */
export function requireSecretKeyReference(scope: IConstruct | string, prop: string, ref: unknown): void {
  const example = `${prop}: { secretName: '<secret>', key: '<key>' }`;
  if (typeof ref === 'string') {
    const shown = secretValueKind(ref) || ref.length >= 8 ? redact(ref) : show(ref);
    throw new ValidationError(scope, prop, `got the string ${shown}; expected a reference to a key of a Secret, not a value: ` +
      `put the value in a Secret and write ${example}`);
  }
  if (ref === null || typeof ref !== 'object' || Array.isArray(ref)) {
    throw new ValidationError(scope, prop, `got ${show(ref)}; expected a reference to a key of a Secret: ${example}`);
  }
  const r = ref as { secretName?: unknown; key?: unknown };
  for (const field of ['secretName', 'key'] as const) {
    if (typeof r[field] !== 'string' || r[field] === '') {
      throw new ValidationError(scope, `${prop}.${field}`, `got ${show(r[field])}; expected a non-empty string (${example})`);
    }
  }
}

/** Throws unless `name` (when given) is a Secret name and `key` a Secret key. */
export function requireSecretRef(scope: IConstruct, prop: string, name: string | undefined, key: string): void {
  if (name === undefined) return;
  if (!isDnsSubdomain(name)) throw invalidProp(scope, prop, name, 'the name of a Secret (DNS-1123 subdomain)');
  if (!/^[-._a-zA-Z0-9]+$/.test(key) || key.length > 253) throw invalidProp(scope, `${prop}Key`, key, 'a Secret key ([-._a-zA-Z0-9]+)');
}

/**
 * Validates a workload's `secretEnv` (variable name → Secret key), in name order: each name an env variable name,
 * each value a reference (not a string), its Secret name a DNS-1123 subdomain and its key a Secret key. Errors name
 * `<prop>.<NAME>`.
 */
export function requireSecretEnv(scope: IConstruct, prop: string, secretEnv: { [name: string]: SecretKeyReference } | undefined): void {
  const map = secretEnv ?? {};
  // Sorted: a map from Go or Python arrives in any order, the first error must not depend on it.
  for (const name of Object.keys(map).sort()) {
    const ref = map[name];
    requireEnvName(scope, `${prop}.${name}`, name);
    requireSecretKeyReference(scope, `${prop}.${name}`, ref);
    requireSecretRef(scope, `${prop}.${name}.secretName`, ref.secretName, ref.key);
  }
}

/** The env variables of a (validated) `secretEnv`, sorted by name, each from its Secret key: no value in the YAML. */
export function secretEnvVars(secretEnv: { [name: string]: SecretKeyReference } | undefined): k8s.EnvVar[] {
  const map = secretEnv ?? {};
  return Object.keys(map).sort().map((name) => ({ name, valueFrom: { secretKeyRef: { name: map[name].secretName, key: map[name].key } } }));
}
