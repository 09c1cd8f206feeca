import { Construct, IConstruct } from 'constructs';
import { ResolvedQuota } from './tenant-quota';
import { GpuNodePool } from '../accelerators/gpu-node-pool';
import { FastApiObject } from '../imports/fast-api-object';
import * as kueue from '../imports/kueue';
import { clusterScoped } from '../internal/cluster-scoped';
import { standardLabels } from '../internal/labels';
import { claimName } from '../internal/names';

/** Kueue's provisioning admission check controller (apis/kueue/v1beta2 provisioningrequestconfig_types.go, v0.19.2). */
const PROVISIONING_CONTROLLER = 'kueue.x-k8s.io/provisioning-request';

/** A ClusterQueue's `admissionChecksStrategy`. */
export interface AdmissionChecksStrategy {
  readonly admissionChecks: { readonly name: string; readonly onFlavors: string[] }[];
}

/**
 * The ProvisioningRequest admission checks of a tenant's ClusterQueue: one per pool whose provisioner asks the
 * autoscaler first, limited to the pool's flavor, so a gang assigned to another pool (a Karpenter pool, existing nodes)
 * is admitted on quota alone.
 */
export function provisioningChecks(tenant: Construct, quotas: readonly ResolvedQuota[]): AdmissionChecksStrategy | undefined {
  const admissionChecks = quotas
    .filter((q, i) => q.pool.provisioningRequest && quotas.findIndex((x) => x.pool === q.pool) === i)
    .map((q) => ({ name: sharedProvisioningCheck(tenant, q), onFlavors: [q.pool.name] }));
  return admissionChecks.length ? { admissionChecks } : undefined;
}

const CHECKS = new WeakMap<IConstruct, Set<string>>();

/** One AdmissionCheck and ProvisioningRequestConfig per pool per app, made by the first tenant with quota on it. */
function sharedProvisioningCheck(tenant: Construct, q: ResolvedQuota): string {
  const pool = q.pool;
  const name = `${pool.name}-provisioning`;
  const made = CHECKS.get(tenant.node.root) ?? new Set<string>();
  CHECKS.set(tenant.node.root, made);
  if (made.has(name)) return name;
  made.add(name);
  const labels = standardLabels({ name: 'ai-tenant', instance: pool.name, component: 'provisioning' });
  claimName(tenant, 'ProvisioningRequestConfig', undefined, name);
  clusterScoped(new FastApiObject(tenant, `ProvisioningConfig-${pool.name}`, {
    apiVersion: 'kueue.x-k8s.io/v1beta2',
    kind: 'ProvisioningRequestConfig',
    metadata: { name, labels },
    spec: provisioningConfigSpec(pool, q.keys.extendedResource),
  }));
  claimName(tenant, 'AdmissionCheck', undefined, name);
  clusterScoped(new kueue.AdmissionCheckV1Beta2(tenant, `AdmissionCheck-${pool.name}`, {
    metadata: { name, labels },
    spec: {
      controllerName: PROVISIONING_CONTROLLER,
      parameters: { apiGroup: 'kueue.x-k8s.io', kind: 'ProvisioningRequestConfig', name },
    },
  }));
  return name;
}

/**
 * Under the device plugin only the pod sets requesting the pool's GPUs go into the request (a launcher or a CPU-only
 * pod set is no reason to scale the GPU pool). Kueue matches managed resources against the containers' requests
 * (pkg/controller/admissionchecks/provisioning/controller.go podUses, v0.19.2), which DRA claims are not, so under DRA
 * every pod set goes in.
 */
function provisioningConfigSpec(pool: GpuNodePool, extendedResource: string | undefined): Record<string, unknown> {
  const settings = pool.provisioningRequest!;
  return {
    provisioningClassName: settings.className,
    // Sorted: a map from Go or Python arrives in any order.
    parameters: Object.keys(settings.parameters).length
      ? Object.fromEntries(Object.keys(settings.parameters).sort().map((k) => [k, settings.parameters[k]]))
      : undefined,
    managedResources: extendedResource ? [extendedResource] : undefined,
    retryStrategy: {
      backoffLimitCount: settings.backoffLimitCount,
      backoffBaseSeconds: settings.backoffBaseSeconds,
      backoffMaxSeconds: settings.backoffMaxSeconds,
    },
  };
}
