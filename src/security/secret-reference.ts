import { IConstruct } from 'constructs';
import { ValidationError, show } from '../internal/errors';
import { redact, secretValueKind } from '../internal/secret-detection';

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
