import { IConstruct } from 'constructs';
import { invalidProp } from './errors';
import { DNS_SUBDOMAIN_MAX } from './names';

/**
 * Kubernetes name checks shared by every construct (apimachinery `pkg/util/validation`): DNS-1123 subdomains,
 * qualified names (label and annotation keys, taint keys, node labels), label values and extended resource names.
 * One copy for the library, so every construct accepts and refuses the same things. Internal. (DNS-1123 labels live
 * in names.ts with the name builders.)
 */

/** The longest label value, and the longest name part of a qualified name. */
export const LABEL_VALUE_MAX = 63;

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const NAME_PART = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** What a label value is, for error messages. */
export const LABEL_VALUE_TEXT = 'a label value: at most 63 characters of [A-Za-z0-9-_.], starting and ending with a letter or digit';
const NON_EMPTY_LABEL_VALUE_TEXT = 'a label value: 1 to 63 characters of [A-Za-z0-9-_.], starting and ending with a letter or digit';

/** A DNS-1123 subdomain: at most 253 characters of a-z, 0-9, '-' and '.', alphanumeric at both ends of every part. */
export function isDnsSubdomain(value: string): boolean {
  return value.length <= DNS_SUBDOMAIN_MAX && DNS_SUBDOMAIN.test(value);
}

/**
 * A qualified name (label, annotation and taint keys): an optional DNS-subdomain prefix and `/`, then a name of at
 * most 63 characters of [A-Za-z0-9-_.], alphanumeric at both ends.
 */
export function isQualifiedName(value: string): boolean {
  const parts = value.split('/');
  if (parts.length > 2) return false;
  if (parts.length === 2 && !isDnsSubdomain(parts[0])) return false;
  const name = parts[parts.length - 1];
  return name.length <= LABEL_VALUE_MAX && NAME_PART.test(name);
}

/** A qualified name whose domain prefix is mandatory (`nvidia.com/gpu`, `amd.com/gpu.product-name`). */
export function isPrefixedName(value: string): boolean {
  return value.includes('/') && isQualifiedName(value);
}

/** A label value: empty, or at most 63 characters of [A-Za-z0-9-_.], alphanumeric at both ends. */
export function isLabelValue(value: string): boolean {
  return value.length <= LABEL_VALUE_MAX && LABEL_VALUE.test(value);
}

/**
 * An extended resource name (`example.com/gpu`): domain-prefixed, not a native resource (no `kubernetes.io/`), and a
 * valid quota key once prefixed with `requests.` (k8s.io/apimachinery IsExtendedResourceName).
 */
export function isExtendedResourceName(value: string): boolean {
  if (!isPrefixedName(value)) return false;
  if (value.includes('kubernetes.io/') || value.startsWith('requests.')) return false;
  return isQualifiedName(`requests.${value}`);
}

/** Throws the library's ValidationError unless `value` is a DNS-1123 subdomain; returns it. */
export function requireDnsSubdomain(scope: IConstruct | string, prop: string, value: string, what = 'a DNS-1123 subdomain'): string {
  if (!isDnsSubdomain(value)) {
    throw invalidProp(scope, prop, value, `${what} (at most ${DNS_SUBDOMAIN_MAX} characters of a-z, 0-9, '-' and '.', ` +
      'starting and ending with a letter or digit)');
  }
  return value;
}

/** Throws the library's ValidationError unless `value` is a qualified name; returns it. */
export function requireQualifiedName(scope: IConstruct | string, prop: string, value: string, example = 'example.com/team'): string {
  if (!isQualifiedName(value)) {
    throw invalidProp(scope, prop, value, `a qualified name such as ${JSON.stringify(example)} (an optional DNS-subdomain ` +
      'prefix and "/", then at most 63 characters of [A-Za-z0-9-_.], starting and ending with a letter or digit)');
  }
  return value;
}

/** Throws the library's ValidationError unless `value` is a label value (empty allowed); returns it. */
export function requireLabelValue(scope: IConstruct | string, prop: string, value: string): string {
  if (!isLabelValue(value)) throw invalidProp(scope, prop, value, LABEL_VALUE_TEXT);
  return value;
}

/** Throws the library's ValidationError unless `value` is a non-empty label value; returns it. */
export function requireNonEmptyLabelValue(scope: IConstruct | string, prop: string, value: string): string {
  if (value === '' || !isLabelValue(value)) throw invalidProp(scope, prop, value, NON_EMPTY_LABEL_VALUE_TEXT);
  return value;
}

/**
 * Throws the library's ValidationError unless every key of `labels` is a qualified name and every value a label
 * value (checked in sorted key order, so the first error is the same from every language); returns a copy.
 */
export function requireLabels(scope: IConstruct | string, prop: string, labels: { [key: string]: string }): { [key: string]: string } {
  const copy: { [key: string]: string } = {};
  for (const key of Object.keys(labels).sort()) {
    if (!isQualifiedName(key)) {
      throw invalidProp(scope, `${prop}.${key}`, key, 'a qualified label key such as "example.com/team" (an optional ' +
        'DNS-subdomain prefix and "/", then at most 63 characters of [A-Za-z0-9-_.])');
    }
    copy[key] = requireLabelValue(scope, `${prop}.${key}`, labels[key]);
  }
  return copy;
}
