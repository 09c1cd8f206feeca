import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { namespaceFact } from '../cluster/app-registry';
import * as k8s from '../imports/k8s';
import { clusterScoped } from '../internal/cluster-scoped';
import { ValidationError, show } from '../internal/errors';
import { standardLabels } from '../internal/labels';
import { claimName } from '../internal/names';

/**
 * Namespaces an AiTenant must never take over: the tenant labels them for Pod Security `restricted` and puts a
 * default-deny NetworkPolicy in them, which would cut cluster DNS (kube-system), node heartbeats
 * (kube-node-lease), the `kubernetes` Service endpoints (default) or an add-on's controllers (`*-system`).
 */
const RESERVED = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/** Namespace labels with the tenant's ownership (plain keys, usable by Kubecost/OpenCost aggregation). */
const TENANT_TEAM_LABEL = 'team';
const TENANT_OWNER_LABEL = 'owner';
const TENANT_COST_CENTER_LABEL = 'cost-center';

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

/** Refuses a namespace another tenant of the app already owns. */
export function requireNamespaceFree(scope: IConstruct, name: string): void {
  const existing = namespaceFact(scope, name);
  if (existing) {
    throw new ValidationError(scope, 'namespace', `got ${show(name)}; the tenant ${existing.scope.node.path} already owns ` +
      'that namespace (tenants must not overlap); give one of them another namespace');
  }
}

/** The labels of an object the tenant of `namespace` emits. */
export function tenantLabels(namespace: string, kind: string): Record<string, string> {
  return standardLabels({ name: 'ai-tenant', instance: namespace, component: kind.toLowerCase() });
}

/** Emits a namespaced object of the tenant under `scope`, claiming its name. */
export function tenantObject(scope: Construct, namespace: string, objectClass: any, id: string, kind: string, name: string,
  body: Record<string, any>): ApiObject {
  claimName(scope, kind, namespace, name);
  return new objectClass(scope, id, {
    metadata: { name, namespace, labels: tenantLabels(namespace, kind) },
    ...body,
  });
}

/** What the tenant's Namespace object states. */
export interface TenantNamespaceSpec {
  /** The namespace name. */
  readonly name: string;
  /** The Kubernetes minor Pod Security is pinned to, e.g. `1.34`. */
  readonly kubernetesVersion: string;
  /** The owning team. */
  readonly team: string;
  /** Who answers for the tenant. */
  readonly owner: string;
  /** The cost center. */
  readonly costCenter: string;
  /** Opt-in labels of admission controllers (image signing, image admission), added last. */
  readonly admissionLabels: Record<string, string>;
}

/** Emits the Namespace: Pod Security `restricted` enforced, audited and warned at the target minor, ownership labels. */
export function emitTenantNamespace(scope: Construct, spec: TenantNamespaceSpec): ApiObject {
  const version = `v${spec.kubernetesVersion}`;
  const labels: Record<string, string> = {
    ...tenantLabels(spec.name, 'Namespace'),
    'pod-security.kubernetes.io/enforce': 'restricted',
    'pod-security.kubernetes.io/enforce-version': version,
    'pod-security.kubernetes.io/audit': 'restricted',
    'pod-security.kubernetes.io/audit-version': version,
    'pod-security.kubernetes.io/warn': 'restricted',
    'pod-security.kubernetes.io/warn-version': version,
    [TENANT_TEAM_LABEL]: spec.team,
    [TENANT_OWNER_LABEL]: spec.owner,
    [TENANT_COST_CENTER_LABEL]: spec.costCenter,
    ...spec.admissionLabels,
  };
  claimName(scope, 'Namespace', undefined, spec.name);
  return clusterScoped(new k8s.KubeNamespace(scope, 'Namespace', { metadata: { name: spec.name, labels } }));
}
