import { IConstruct } from 'constructs';
import { ValidationError, show } from '../internal/errors';

/**
 * Namespaces an AiTenant must never take over: the tenant labels them for Pod Security `restricted` and puts a
 * default-deny NetworkPolicy in them, which would cut cluster DNS (kube-system), node heartbeats
 * (kube-node-lease), the `kubernetes` Service endpoints (default) or an add-on's controllers (`*-system`).
 */
const RESERVED = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/** Why `name` is a system namespace, or undefined. */
export function systemNamespaceReason(name: string): string | undefined {
  if (RESERVED.includes(name)) return `${show(name)} is a Kubernetes system namespace`;
  if (name.startsWith('kube-')) return `${show(name)} is in the kube- prefix Kubernetes reserves for itself`;
  if (name.startsWith('openshift-')) return `${show(name)} is in the openshift- prefix OpenShift reserves for itself`;
  if (name.endsWith('-system')) return `${show(name)} is the namespace of a cluster add-on (the -system convention: kueue-system, jobset-system, ...)`;
  return undefined;
}

/** Refuses a tenant on a system namespace (given as `namespace`, or derived from the tenant's id). */
export function requireTenantNamespace(scope: IConstruct, name: string, given: boolean): string {
  const reason = systemNamespaceReason(name);
  if (reason) {
    const prop = given ? 'namespace' : 'id';
    throw new ValidationError(scope, prop, `got ${show(name)}; ${reason}, and a tenant's default-deny NetworkPolicy and ` +
      'restricted Pod Security would break the cluster there (cluster DNS, node leases, add-on controllers); expected a ' +
      'namespace of the tenant\'s own, such as "team-a"' + (given ? '' : ' (the id names the namespace unless namespace is set)'));
  }
  return name;
}
