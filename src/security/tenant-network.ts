import { ApiObject, Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { edgePolicySpec } from './tenant-network-policy';
import { EdgeSide, isRangePeer, rangesOf, TrafficEdge, TrafficPeer } from './traffic-edge';
import * as k8s from '../imports/k8s';
import { cidrStrictlyContains, isCidr } from '../internal/cidr';
import { ValidationError, invalidProp, show } from '../internal/errors';
import { claimName, isDnsLabel } from '../internal/names';

/**
 * The traffic hook between workloads and tenants.
 *
 * A tenant namespace denies all ingress and egress by default. Constructs that know an edge of the graph (a gateway
 * reaching a model server, an eval Job calling its target, Prometheus scraping a metrics port, a workload sending
 * traces to a collector) declare it once with `allowTraffic`. Every tenant whose namespace is one end of the edge
 * turns it into a NetworkPolicy in its namespace: an egress rule on the `from` pods, an ingress rule on the `to` pods.
 * Edges may be declared before or after the tenant exists (pending edges are replayed when it registers); edges
 * whose ends are not tenant namespaces are only recorded (the platform report lists them), because a namespace
 * without default-deny needs no allow, and an allow there would isolate the selected pods.
 *
 * Workloads that must be isolated wherever they run (model servers, endpoint pickers, training gangs) also call
 * `isolateIngress`: outside a firewalled namespace it emits one NetworkPolicy selecting their pods that admits
 * exactly the edges declared to them (so the pods are isolated, and reachable by what the app says reaches them);
 * inside one it emits nothing, because the tenant's default-deny and its per-edge allows already do that.
 *
 * Some destinations are not known to the construct that needs them: the Kubernetes API server (a NetworkPolicy cannot
 * select it by pod labels; it needs the apiserver's endpoint addresses and port, a fact of the cluster) and the place
 * model weights are downloaded from (the Hugging Face Hub, an S3 bucket, a mirror or a proxy). Constructs declare
 * such an egress *need* with `needEgress` (which pods, what for); the tenant of the namespace resolves it from its
 * props into an edge (`apiServer`, `modelDownloads`), or refuses / warns at synth when it cannot. Outside a tenant a
 * need is only recorded: nothing denies egress there.
 */

/** Egress whose destination only the cluster or the tenant knows. */
export enum EgressNeedKind {
  /** The Kubernetes API server (watches, leader election): its endpoint addresses and port. */
  KUBE_API_SERVER = 'kubeApiServer',
  /** Model weights downloaded over the network (Hugging Face Hub, S3/GCS, an HTTPS mirror). */
  MODEL_DOWNLOAD = 'modelDownload',
}

/** Pods that must reach a destination the declaring construct cannot address itself. */
export interface EgressNeed {
  /** The construct that declares the need; the NetworkPolicy names derive from its path. */
  readonly scope: IConstruct;
  /** A short DNS label naming the resulting edge, e.g. `apiserver`, `model-download`. */
  readonly name: string;
  readonly kind: EgressNeedKind;
  /** One line on who needs it and why, e.g. `the endpoint picker x-epp watches Pods and InferencePools`. */
  readonly description: string;
  /** The pods (namespace and labels). */
  readonly from: TrafficPeer;
  /** What is reached, for messages and the report, e.g. `huggingface.co (HTTPS)` or `s3://models`. */
  readonly destination: string;
}

/** How a tenant resolved an egress need of one of its workloads. */
export interface ResolvedEgressNeed {
  readonly need: EgressNeed;
  /** `allowed` (an allow for exactly those pods), `egress` (a tenant-wide egress entry already opens it) or `blocked`. */
  readonly resolution: 'allowed' | 'egress' | 'blocked';
  /** Where the allow goes, e.g. `10.0.0.10/32 port 6443` (for `allowed`). */
  readonly via?: string;
}

/** A namespace that enforces default-deny and materialises edges (an AiTenant). */
export interface NamespaceFirewall {
  readonly namespace: string;
  /** Emits the NetworkPolicy for `edge` on `side` in the firewall's namespace. */
  applyEdge(edge: TrafficEdge, side: EdgeSide): void;
  /** Resolves an egress need of pods in the firewall's namespace (typically into an edge). */
  applyNeed(need: EgressNeed): void;
}

interface Registry {
  readonly edges: TrafficEdge[];
  readonly needs: EgressNeed[];
  readonly firewalls: Map<string, NamespaceFirewall>;
  readonly isolations: Isolation[];
  /** Edges, needs and isolations by the single namespace at an end, in declaration order (tenants look up theirs). */
  readonly byNamespace: Map<string, { edges: TrafficEdge[]; needs: EgressNeed[]; isolations: Isolation[] }>;
}

function inNamespace(registry: Registry, namespace: string) {
  let entry = registry.byNamespace.get(namespace);
  if (!entry) {
    entry = { edges: [], needs: [], isolations: [] };
    registry.byNamespace.set(namespace, entry);
  }
  return entry;
}

interface Isolation {
  readonly namespace?: string;
  readonly policy: ApiObject;
  active: boolean;
}

const REGISTRIES = new WeakMap<IConstruct, Registry>();

function registryOf(scope: IConstruct): Registry {
  const root = scope.node.root;
  let registry = REGISTRIES.get(root);
  if (!registry) {
    registry = { edges: [], needs: [], firewalls: new Map(), isolations: [], byNamespace: new Map() };
    REGISTRIES.set(root, registry);
  }
  return registry;
}

const IANA_SVC_NAME = /^(?=.*[a-z])[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/;

function validatePeer(scope: IConstruct, prop: string, peer: TrafficPeer): void {
  const kinds = [peer.namespace !== undefined, peer.namespaceLabels !== undefined, peer.cidr !== undefined, peer.cidrs !== undefined]
    .filter(Boolean).length;
  if (kinds > 1) throw invalidProp(scope, prop, peer, 'at most one of namespace, namespaceLabels, cidr or cidrs');
  if (isRangePeer(peer)) {
    if (peer.cidr !== undefined && !isCidr(peer.cidr)) throw invalidProp(scope, `${prop}.cidr`, peer.cidr, 'a CIDR such as "10.0.0.0/8"');
    if (peer.cidrs !== undefined) {
      if (peer.cidrs.length === 0) throw invalidProp(scope, `${prop}.cidrs`, peer.cidrs, 'at least one CIDR');
      peer.cidrs.forEach((c, i) => { if (!isCidr(c)) throw invalidProp(scope, `${prop}.cidrs[${i}]`, c, 'a CIDR such as "10.0.0.0/8"'); });
    }
    if (peer.podLabels && Object.keys(peer.podLabels).length) throw invalidProp(scope, `${prop}.podLabels`, peer.podLabels, 'no pod labels with a cidr');
    (peer.except ?? []).forEach((e, i) => {
      if (!isCidr(e)) throw invalidProp(scope, `${prop}.except[${i}]`, e, 'a CIDR');
      if (!rangesOf(peer).some((r) => cidrStrictlyContains(r, e))) {
        throw invalidProp(scope, `${prop}.except[${i}]`, e, `a range strictly inside ${rangesOf(peer).join(', ')}`);
      }
    });
  } else if (peer.except !== undefined) {
    throw invalidProp(scope, `${prop}.except`, peer.except, 'except only together with cidr');
  }
  if (peer.namespace !== undefined && !isDnsLabel(peer.namespace)) throw invalidProp(scope, `${prop}.namespace`, peer.namespace, 'a namespace name (DNS-1123 label)');
}

function validateEdge(edge: TrafficEdge): void {
  const scope = edge.scope;
  if (!isDnsLabel(edge.name, 30)) throw invalidProp(scope, 'traffic.name', edge.name, 'a DNS-1123 label of at most 30 characters');
  validatePeer(scope, 'traffic.from', edge.from);
  validatePeer(scope, 'traffic.to', edge.to);
  if (edge.allPorts) {
    if (edge.ports.length) throw new ValidationError(scope, 'traffic.ports', 'an edge with allPorts names no ports');
  } else if (!isRangePeer(edge.to) && !isRangePeer(edge.from) && edge.ports.length === 0) {
    throw new ValidationError(scope, 'traffic.ports', 'an edge between pods must name at least one port (or set allPorts)');
  }
  edge.ports.forEach((p, i) => {
    const ok = typeof p.port === 'number' ? Number.isInteger(p.port) && p.port >= 1 && p.port <= 65535 : IANA_SVC_NAME.test(p.port);
    if (!ok) throw invalidProp(scope, `traffic.ports[${i}].port`, p.port, 'a port number from 1 to 65535 or a container port name');
  });
}

/** The namespace of a peer when it is exactly one namespace. */
function singleNamespace(peer: TrafficPeer): string | undefined {
  return !isRangePeer(peer) && peer.namespaceLabels === undefined ? peer.namespace : undefined;
}

function apply(registry: Registry, edge: TrafficEdge): void {
  const fromNs = singleNamespace(edge.from);
  const toNs = singleNamespace(edge.to);
  const egress = fromNs !== undefined ? registry.firewalls.get(fromNs) : undefined;
  const ingress = toNs !== undefined ? registry.firewalls.get(toNs) : undefined;
  egress?.applyEdge(edge, 'egress');
  ingress?.applyEdge(edge, 'ingress');
}

/**
 * Declares that `edge.from` may reach `edge.to` on `edge.ports`. Tenants whose namespace is an end of the edge
 * emit the matching NetworkPolicy; the edge is also kept for the platform report.
 */
export function allowTraffic(edge: TrafficEdge): void {
  validateEdge(edge);
  const registry = registryOf(edge.scope);
  registry.edges.push(edge);
  const fromNs = singleNamespace(edge.from);
  const toNs = singleNamespace(edge.to);
  if (fromNs !== undefined) inNamespace(registry, fromNs).edges.push(edge);
  if (toNs !== undefined && toNs !== fromNs) inNamespace(registry, toNs).edges.push(edge);
  apply(registry, edge);
}

/**
 * Declares that `need.from` pods must reach a destination only the cluster or the tenant can address (the API
 * server, a model download location). The tenant of their namespace resolves it; elsewhere it is only recorded.
 */
export function needEgress(need: EgressNeed): void {
  if (!isDnsLabel(need.name, 30)) throw invalidProp(need.scope, 'egressNeed.name', need.name, 'a DNS-1123 label of at most 30 characters');
  validatePeer(need.scope, 'egressNeed.from', need.from);
  const registry = registryOf(need.scope);
  registry.needs.push(need);
  const needNs = singleNamespace(need.from);
  if (needNs !== undefined) inNamespace(registry, needNs).needs.push(need);
  const ns = singleNamespace(need.from);
  if (ns !== undefined) registry.firewalls.get(ns)?.applyNeed(need);
}

/** Every egress need declared in the app, in declaration order. */
export function egressNeeds(scope: IConstruct): readonly EgressNeed[] {
  return registryOf(scope).needs;
}

/** Every edge declared in the app, in declaration order. */
export function trafficEdges(scope: IConstruct): readonly TrafficEdge[] {
  return registryOf(scope).edges;
}

/**
 * Registers a namespace that enforces default-deny; edges declared so far that touch it are applied at once.
 * Throws when another firewall already owns the namespace.
 */
export function registerFirewall(scope: IConstruct, firewall: NamespaceFirewall): void {
  const registry = registryOf(scope);
  if (registry.firewalls.has(firewall.namespace)) {
    throw new ValidationError(scope, 'namespace', `namespace ${show(firewall.namespace)} already has a firewall`);
  }
  registry.firewalls.set(firewall.namespace, firewall);
  // Workloads declared before the tenant isolated themselves; the tenant's default-deny and allows replace that.
  const mine = inNamespace(registry, firewall.namespace);
  for (const iso of [...mine.isolations]) {
    if (iso.active && iso.namespace === firewall.namespace) {
      iso.active = false;
      iso.policy.node.scope!.node.tryRemoveChild(iso.policy.node.id);
    }
  }
  for (const edge of [...mine.edges]) {
    if (singleNamespace(edge.from) === firewall.namespace) firewall.applyEdge(edge, 'egress');
    if (singleNamespace(edge.to) === firewall.namespace) firewall.applyEdge(edge, 'ingress');
  }
  for (const need of [...mine.needs]) {
    if (singleNamespace(need.from) === firewall.namespace) firewall.applyNeed(need);
  }
}

/** True when `namespace` enforces default-deny through a registered firewall. */
export function hasFirewall(scope: IConstruct, namespace: string | undefined): boolean {
  return namespace !== undefined && registryOf(scope).firewalls.has(namespace);
}

/** Pods that isolate themselves where no firewall covers their namespace. */
export interface IngressIsolation {
  /** The construct that owns the NetworkPolicy (its id is `id`). */
  readonly scope: Construct;
  readonly id: string;
  /** The NetworkPolicy name. */
  readonly name: string;
  readonly namespace?: string;
  /** The labels selecting the pods (the policy's podSelector). */
  readonly selector: Record<string, string>;
  /** Every label the pods carry: an edge applies when its `to` labels do not contradict them. */
  readonly podLabels: Record<string, string>;
  /** Labels of the NetworkPolicy. */
  readonly labels: Record<string, string>;
  /** One line on what the pods are, for the policy's annotation. */
  readonly description: string;
}

/** A NetworkPolicy `isolateIngress` emitted; `policy` is undefined once a tenant took over the namespace. */
export interface IngressIsolationHandle {
  readonly policy: ApiObject | undefined;
}

/**
 * Isolates the pods selected by `iso.selector` where their namespace has no firewall: one NetworkPolicy
 * (`policyTypes: [Ingress]`) whose rules are the edges declared to these pods, resolved at synth so that edges
 * declared later (a route attached after the service) are included. In a firewalled namespace (an AiTenant) it
 * emits nothing, and a tenant registered later for the namespace removes the policy: the tenant's default-deny and
 * per-edge allows isolate the pods there, without a second copy.
 */
export function isolateIngress(iso: IngressIsolation): IngressIsolationHandle {
  const registry = registryOf(iso.scope);
  if (hasFirewall(iso.scope, iso.namespace)) return { policy: undefined };
  claimName(iso.scope, 'NetworkPolicy', iso.namespace, iso.name);
  const rules = (): k8s.NetworkPolicyIngressRule[] | undefined => {
    const out: k8s.NetworkPolicyIngressRule[] = [];
    const seen = new Set<string>();
    // Edges to the isolated pods have their `to` end in the namespace: the namespace's index holds them, in order.
    const candidates = iso.namespace === undefined ? registry.edges : inNamespace(registry, iso.namespace).edges;
    for (const edge of candidates) {
      if (!targets(edge.to, iso)) continue;
      for (const rule of edgePolicySpec(edge, 'ingress', iso.namespace as string).ingress ?? []) {
        const key = JSON.stringify(rule);
        if (!seen.has(key)) out.push(rule);
        seen.add(key);
      }
    }
    return out.length ? out : undefined;
  };
  const policy = new k8s.KubeNetworkPolicy(iso.scope, iso.id, {
    metadata: {
      name: iso.name,
      namespace: iso.namespace,
      labels: { ...iso.labels },
      annotations: { 'ai.cdk8s.io/isolates': iso.description },
    },
    spec: {
      podSelector: { matchLabels: { ...iso.selector } },
      policyTypes: ['Ingress'],
      ingress: Lazy.any({ produce: () => rules() }),
    },
  });
  const entry: Isolation = { namespace: iso.namespace, policy, active: true };
  registry.isolations.push(entry);
  if (entry.namespace !== undefined) inNamespace(registry, entry.namespace).isolations.push(entry);
  return { get policy() { return entry.active ? policy : undefined; } };
}

/** True when an edge's `to` end is (some of) the isolated pods. */
function targets(to: TrafficPeer, iso: IngressIsolation): boolean {
  if (isRangePeer(to) || to.namespaceLabels !== undefined) return false;
  if (to.namespace !== iso.namespace) return false;
  const labels = to.podLabels ?? {};
  if (Object.keys(labels).length === 0) return true;
  // The edge's labels may narrow (e.g. a LeaderWorkerSet leader index) but must not contradict the pods' own.
  const overlap = Object.keys(labels).filter((k) => iso.podLabels[k] !== undefined);
  return overlap.length > 0 && overlap.every((k) => iso.podLabels[k] === labels[k]);
}
