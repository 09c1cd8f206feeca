import { IConstruct } from 'constructs';

/**
 * App-wide facts that constructs publish for each other's synth-time checks (a tenant sums the GPU demand of the
 * workloads in its namespace; a training job checks that its Kueue queue exists). One map per app root, so lookups
 * stay O(1) however large the fleet.
 */
interface Registry {
  readonly gpuDemands: GpuDemand[];
  /** The same demands by namespace, in recording order. */
  readonly gpuDemandsByNamespace: Map<string | undefined, GpuDemand[]>;
  readonly localQueues: Map<string, LocalQueueFact>;
  readonly namespaces: Map<string, NamespaceFact>;
  readonly instances: Map<string, IConstruct[]>;
}

/** GPUs a workload asks for, as the tenant quota and the report count them. */
export interface GpuDemand {
  /** The construct that asks. */
  readonly scope: IConstruct;
  /** The namespace its pods run in (undefined: the chart has none). */
  readonly namespace?: string;
  /** Devices per pod. */
  readonly devicesPerPod: number;
  /** How many pods at most hold devices at once (replicas, workers, maxReplicas when autoscaled). */
  readonly pods: number;
  /** The DRA DeviceClass the devices come from, when allocated through DRA. */
  readonly deviceClassName?: string;
  /** The extended resource, e.g. `nvidia.com/gpu`, when allocated through the device plugin. */
  readonly extendedResource?: string;
  /** The GPU model id (GpuModel.id), when the request names one. */
  readonly model?: string;
  /** The name of the GpuNodePool the pods are placed on, if any. */
  readonly pool?: string;
  /** Whether Kueue admits the pods: their devices count against a ClusterQueue only then. */
  readonly queuedByKueue?: boolean;
}

/** A Kueue LocalQueue defined in the app. */
export interface LocalQueueFact {
  readonly scope: IConstruct;
  readonly namespace: string;
  readonly name: string;
}

/** A namespace a construct of the app creates (a tenant). */
export interface NamespaceFact {
  readonly scope: IConstruct;
  readonly name: string;
}

const REGISTRIES = new WeakMap<IConstruct, Registry>();

function registryOf(scope: IConstruct): Registry {
  const root = scope.node.root;
  let registry = REGISTRIES.get(root);
  if (!registry) {
    registry = { gpuDemands: [], gpuDemandsByNamespace: new Map(), localQueues: new Map(), namespaces: new Map(), instances: new Map() };
    REGISTRIES.set(root, registry);
  }
  return registry;
}

export function recordGpuDemand(demand: GpuDemand): void {
  const registry = registryOf(demand.scope);
  registry.gpuDemands.push(demand);
  const inNamespace = registry.gpuDemandsByNamespace.get(demand.namespace);
  if (inNamespace) inNamespace.push(demand);
  else registry.gpuDemandsByNamespace.set(demand.namespace, [demand]);
}

export function gpuDemands(scope: IConstruct): readonly GpuDemand[] {
  return registryOf(scope).gpuDemands;
}

/** The GPU demands of the workloads in one namespace, in recording order. */
export function gpuDemandsIn(scope: IConstruct, namespace: string | undefined): readonly GpuDemand[] {
  return registryOf(scope).gpuDemandsByNamespace.get(namespace) ?? [];
}

export function recordLocalQueue(fact: LocalQueueFact): void {
  registryOf(fact.scope).localQueues.set(`${fact.namespace}/${fact.name}`, fact);
}

/** All LocalQueues of the app (empty when the app defines none: then a referenced queue is assumed to exist). */
export function localQueues(scope: IConstruct): LocalQueueFact[] {
  return [...registryOf(scope).localQueues.values()];
}

export function recordNamespace(fact: NamespaceFact): void {
  registryOf(fact.scope).namespaces.set(fact.name, fact);
}

export function namespaces(scope: IConstruct): NamespaceFact[] {
  return [...registryOf(scope).namespaces.values()];
}

/** The namespace of that name a construct of the app creates, if any. */
export function namespaceFact(scope: IConstruct, name: string): NamespaceFact | undefined {
  return registryOf(scope).namespaces.get(name);
}

/** Records an app-wide construct (e.g. the platform's observability) so constructs in other charts can find it. */
export function recordInstance(kind: string, scope: IConstruct): void {
  const instances = registryOf(scope).instances;
  const ofKind = instances.get(kind);
  if (ofKind) ofKind.push(scope);
  else instances.set(kind, [scope]);
}

/** The constructs of one kind recorded in the app of `scope`, in creation order. */
export function instancesOf(scope: IConstruct, kind: string): readonly IConstruct[] {
  return registryOf(scope).instances.get(kind) ?? [];
}
