import { EdgeSide, rangesOf, TrafficEdge, TrafficPeer } from './traffic-edge';
import * as k8s from '../imports/k8s';
import { cidrStrictlyContains } from '../internal/cidr';

/** The NetworkPolicy spec that realises one side of an edge in `namespace`. Internal. */
export function edgePolicySpec(edge: TrafficEdge, side: EdgeSide, namespace: string): k8s.NetworkPolicySpec {
  const own = side === 'egress' ? edge.from : edge.to;
  const other = side === 'egress' ? edge.to : edge.from;
  const ports = edge.ports.map((p) => ({
    port: typeof p.port === 'number' ? k8s.IntOrString.fromNumber(p.port) : k8s.IntOrString.fromString(p.port),
    protocol: p.protocol ?? 'TCP',
  }));
  const peers = peersOf(other, namespace);
  const rule = { ports: ports.length ? ports : undefined };
  return {
    podSelector: { matchLabels: nonEmpty(own.podLabels) },
    policyTypes: [side === 'egress' ? 'Egress' : 'Ingress'],
    egress: side === 'egress' ? [{ ...rule, to: peers }] : undefined,
    ingress: side === 'ingress' ? [{ ...rule, from: peers }] : undefined,
  };
}

function nonEmpty(labels?: Record<string, string>): Record<string, string> | undefined {
  return labels && Object.keys(labels).length ? { ...labels } : undefined;
}

function peersOf(peer: TrafficPeer, policyNamespace: string): k8s.NetworkPolicyPeer[] {
  const ranges = rangesOf(peer);
  if (ranges.length) {
    // Each exclusion goes to the ranges that contain it (the apiserver rejects an except outside its cidr).
    return ranges.map((cidr) => {
      const except = (peer.except ?? []).filter((e) => cidrStrictlyContains(cidr, e));
      return { ipBlock: { cidr, except: except.length ? except : undefined } };
    });
  }
  const podSelector = { matchLabels: nonEmpty(peer.podLabels) };
  if (peer.namespaceLabels !== undefined) return [{ namespaceSelector: { matchLabels: nonEmpty(peer.namespaceLabels) }, podSelector }];
  if (peer.namespace === policyNamespace) return [{ podSelector }];
  if (peer.namespace === undefined) return [{ namespaceSelector: {}, podSelector }];
  return [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': peer.namespace } }, podSelector }];
}
