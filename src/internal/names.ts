import { createHash } from 'node:crypto';
import { Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ValidationError, show } from './errors';

/** DNS-1123 label: at most 63 characters, lowercase alphanumerics and '-', alphanumeric at both ends. */
export const DNS_LABEL_MAX = 63;
/** DNS-1123 subdomain: at most 253 characters. */
export const DNS_SUBDOMAIN_MAX = 253;
const HASH_LENGTH = 8;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function isDnsLabel(value: string, maxLength = DNS_LABEL_MAX): boolean {
  return value.length <= maxLength && DNS_LABEL.test(value);
}

export function shortHash(input: string, length = HASH_LENGTH): string {
  return createHash('sha256').update(input).digest('hex').slice(0, length);
}

function sanitize(component: string): string {
  return component.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
}

/**
 * Joins name parts into a DNS-1123 label of at most `maxLength` characters, lowercased. The result is readable where
 * possible; when a part had other characters replaced or the name had to be shortened, an 8-character hash of the
 * original parts is appended so two inputs that differ beyond case never map to the same name (names that differ
 * only in case are caught by `claimName`).
 */
export function dnsLabel(parts: string[], maxLength = DNS_LABEL_MAX): string {
  if (maxLength < HASH_LENGTH + 2) throw new Error(`dnsLabel: maxLength ${maxLength} leaves no room for a name`);
  const cleaned = parts.map(sanitize).filter((p) => p.length > 0);
  const joined = cleaned.join('-');
  const lossless = joined === parts.filter((p) => p.length > 0).join('-').toLowerCase();
  if (lossless && joined.length > 0 && joined.length <= maxLength) return joined;
  const hash = shortHash(parts.join('/'));
  const room = maxLength - HASH_LENGTH - 1;
  const head = joined.slice(0, room).replace(/-+$/, '');
  return head.length > 0 ? `${head}-${hash}` : hash.replace(/^[^a-z0-9]/, 'x');
}

/** The ids from the enclosing chart (exclusive) down to `scope` (inclusive). */
export function pathBelowChart(scope: IConstruct): string[] {
  const ids: string[] = [];
  for (let s: IConstruct | undefined = scope; s !== undefined && !Chart.isChart(s); s = s.node.scope) {
    if (s.node.id.length > 0) ids.push(s.node.id);
  }
  return ids.reverse();
}

/**
 * The deterministic resource name of a construct: its path below the chart, DNS-1123 safe, within `maxLength`,
 * with optional suffix parts (for the several objects one construct emits, e.g. `['epp']`).
 */
export function resourceName(scope: IConstruct, suffix: string[] = [], maxLength = DNS_LABEL_MAX): string {
  const parts = pathBelowChart(scope);
  if (parts.length === 0) parts.push(scope.node.id || 'default');
  return dnsLabel([...parts, ...suffix], maxLength);
}

/** Throws a ValidationError unless `value` is a DNS-1123 label (for names a user gives us). */
export function requireDnsLabel(scope: IConstruct | string, prop: string, value: string, maxLength = DNS_LABEL_MAX): string {
  if (!isDnsLabel(value, maxLength)) {
    throw new ValidationError(scope, prop, `got ${show(value)}; expected a DNS-1123 label: at most ${maxLength} ` +
      'characters of a-z, 0-9 and \'-\', starting and ending with a letter or digit');
  }
  return value;
}

/** Per app root: the construct that claimed each `kind/namespace/name` (paths are unique in a tree, so identity will do). */
const REGISTRIES = new WeakMap<IConstruct, Map<string, IConstruct>>();

/**
 * Records that `scope` emits an object of `kind` named `name` in `namespace`, and throws when another construct of
 * the same app already claimed it. One map lookup per name, so fleets of thousands stay linear.
 */
export function claimName(scope: IConstruct, kind: string, namespace: string | undefined, name: string): void {
  let root = scope;
  while (root.node.scope !== undefined) root = root.node.scope; // node.root builds the whole path as an array first
  let registry = REGISTRIES.get(root);
  if (!registry) {
    registry = new Map();
    REGISTRIES.set(root, registry);
  }
  const key = `${kind}/${namespace ?? ''}/${name}`;
  const owner = registry.get(key);
  if (owner === undefined) {
    registry.set(key, scope);
  } else if (owner !== scope) {
    throw new ValidationError(scope, 'id', `the ${kind} name ${show(name)}${namespace ? ` in namespace ${show(namespace)}` : ''} ` +
      `is already used by ${owner.node.path}; give one of the two constructs another id or put them in different namespaces`);
  }
}
