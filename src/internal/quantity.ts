import { IConstruct } from 'constructs';
import { invalidProp } from './errors';

/**
 * A Kubernetes quantity: a number with an optional binary-SI, decimal-SI or exponent suffix
 * (k8s.io/apimachinery v0.37.2 pkg/api/resource/quantity.go, the grammar in its package comment).
 */
const QUANTITY = /^[+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+|[numkMGTPE]|[KMGTPE]i)?$/;

/** Throws unless `value` (when given) is a Kubernetes quantity; `example` shows valid ones in the message. */
export function requireQuantity(scope: IConstruct | string, prop: string, value: string | undefined, example = '"4", "500m" or "32Gi"'): void {
  if (value !== undefined && (typeof value !== 'string' || !QUANTITY.test(value))) {
    throw invalidProp(scope, prop, value, `a Kubernetes quantity such as ${example}`);
  }
}
