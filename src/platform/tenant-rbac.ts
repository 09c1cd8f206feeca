import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { TenantAccess } from './tenant-access';
import { tenantObject } from './tenant-namespace';
import * as k8s from '../imports/k8s';
import { invalidProp } from '../internal/errors';

/** The Role and RoleBinding that give the tenant's groups their access. */
export interface TenantRbacObjects {
  /**
   * The Role.
   * @default - none: no groups
   */
  readonly role?: ApiObject;
  /**
   * The RoleBinding.
   * @default - none: no groups
   */
  readonly roleBinding?: ApiObject;
}

/** The namespace's `default` ServiceAccount, without token automount. */
export function emitDefaultServiceAccount(scope: Construct, namespace: string): ApiObject {
  return tenantObject(scope, namespace, k8s.KubeServiceAccount, 'DefaultServiceAccount', 'ServiceAccount', 'default', {
    automountServiceAccountToken: false,
  });
}

/** A Role with the rules of `access` and a RoleBinding to `groups`; nothing without groups. */
export function emitTenantRbac(scope: Construct, namespace: string, groups: string[] | undefined,
  access: TenantAccess | undefined): TenantRbacObjects {
  if (!groups?.length) return {};
  const granted = access ?? TenantAccess.VIEW;
  const roleName = `tenant-${granted.name}`;
  const role = tenantObject(scope, namespace, k8s.KubeRole, 'Role', 'Role', roleName, { rules: granted.rules.map((r) => ({ ...r })) });
  groups.forEach((g, i) => { if (!/^\S+$/.test(g)) throw invalidProp(scope, `groups[${i}]`, g, 'a group name without spaces'); });
  const roleBinding = tenantObject(scope, namespace, k8s.KubeRoleBinding, 'RoleBinding', 'RoleBinding', roleName, {
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: roleName },
    subjects: [...new Set(groups)].map((name) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name })),
  });
  roleBinding.node.addDependency(role);
  return { role, roleBinding };
}
