import { ApiObject, JsonPatch } from 'cdk8s';

/**
 * Marks a cluster-scoped object (Namespace, ClusterQueue, ResourceFlavor, WorkloadPriorityClass, DeviceClass,
 * ClusterPolicy, Karpenter NodePool, ClusterImagePolicy, ValidatingAdmissionPolicy and its binding, ClusterRole,
 * PriorityClass, ...). cdk8s gives every ApiObject its chart's namespace; the apiserver silently drops
 * `metadata.namespace` of a cluster-scoped kind, so we never emit it. The one helper of the library for this: wrap
 * every cluster-scoped object where it is created, `clusterScoped(new k8s.KubeNamespace(...))`. Internal.
 */
export function clusterScoped<T extends ApiObject>(obj: T): T {
  if (obj.metadata.namespace !== undefined) obj.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
  return obj;
}
