import { IConstruct } from 'constructs';

// The edges of the traffic graph that tenants turn into NetworkPolicies (tenant-network.ts says how).

/** One end of an edge: pods in a namespace, pods in namespaces with labels, or address ranges. */
export interface TrafficPeer {
  /** The namespace of the pods (undefined: the chart's default namespace, unknown at synth; matched in any namespace). */
  readonly namespace?: string;
  /** The pods' labels; empty or undefined: every pod of the namespace(s). */
  readonly podLabels?: Record<string, string>;
  /** Instead of `namespace`: every namespace with these labels (e.g. a gateway namespace selected by label). */
  readonly namespaceLabels?: Record<string, string>;
  /** Instead of pods: an IP range (CIDR), e.g. an external model hub or artifact store. */
  readonly cidr?: string;
  /** Instead of pods: several IP ranges (one rule, one ipBlock per range), e.g. the API server's endpoints. */
  readonly cidrs?: readonly string[];
  /** Ranges to exclude; each must lie inside one of the ranges (it is added to the ipBlocks that contain it). */
  readonly except?: string[];
}

/** True when the peer is address ranges rather than pods. */
export function isRangePeer(peer: TrafficPeer): boolean {
  return peer.cidr !== undefined || peer.cidrs !== undefined;
}

/** The address ranges of a peer (empty for pods). */
export function rangesOf(peer: TrafficPeer): string[] {
  return peer.cidrs !== undefined ? [...peer.cidrs] : peer.cidr !== undefined ? [peer.cidr] : [];
}

/** A port the edge opens. A name refers to a named container port of the `to` pods. */
export interface TrafficPort {
  readonly port: number | string;
  /** @default 'TCP' */
  readonly protocol?: 'TCP' | 'UDP' | 'SCTP';
}

/** A permitted flow: `from` pods may open connections to `to` on `ports`. */
export interface TrafficEdge {
  /** The construct that declares the edge; the NetworkPolicy names derive from its path. */
  readonly scope: IConstruct;
  /** A short DNS label naming the edge for the declarer, e.g. `gateway`, `metrics`, `eval-target`. */
  readonly name: string;
  /** One line for the platform report, e.g. `inference gateway to the vLLM server`. */
  readonly description: string;
  readonly from: TrafficPeer;
  readonly to: TrafficPeer;
  /** The ports; empty only with `allPorts` or when one end is an address range. */
  readonly ports: TrafficPort[];
  /**
   * Every port: for pod-to-pod traffic whose ports are chosen at run time (NCCL, torch.distributed between the
   * workers of one gang). `ports` must then be empty.
   *
   * @default false
   */
  readonly allPorts?: boolean;
}

/** Which end of an edge a namespace is. */
export type EdgeSide = 'egress' | 'ingress';
