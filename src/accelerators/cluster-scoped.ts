import { ApiObject, JsonPatch } from 'cdk8s';

/**
 * Marks a cluster-scoped object: cdk8s gives every ApiObject its chart's namespace, which a cluster-scoped kind
 * (DeviceClass, ClusterPolicy, Karpenter NodePool) must not carry.
 */
export function clusterScoped<T extends ApiObject>(obj: T): T {
  if (obj.metadata.namespace !== undefined) obj.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
  return obj;
}
