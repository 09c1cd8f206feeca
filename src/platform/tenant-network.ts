import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import type { AiTenantProps, TenantApiServer, TenantModelDownloads } from './ai-tenant-props';
import { tenantLabels, tenantObject } from './tenant-namespace';
import { warn } from '../cluster/platform-warnings';
import * as k8s from '../imports/k8s';
import { cidrStrictlyContains, isCidr, isWholeInternet } from '../internal/cidr';
import { invalidProp, requireInteger } from '../internal/errors';
import { claimName, requireDnsLabel, resourceName } from '../internal/names';
import { requireLabels } from '../internal/qualified-name';
import { EgressNeed, EgressNeedKind, ResolvedEgressNeed, allowTraffic, registerFirewall, trafficEdges } from '../security/tenant-network';
import { edgePolicySpec } from '../security/tenant-network-policy';
import { EdgeSide, TrafficEdge, rangesOf } from '../security/traffic-edge';

/** The API server endpoints, validated. */
interface ApiServerEndpoints {
  readonly cidrs: string[];
  readonly port: number;
}

/** The model download ranges, validated. */
interface DownloadRanges {
  readonly cidrs: string[];
  readonly except: string[];
  readonly ports: number[];
}

/**
 * The tenant's network: a default-deny NetworkPolicy, the allows for the edges its constructs declare (DNS, the
 * `egress` entries, gateway to model servers, ...), and the egress needs its workloads cannot address themselves
 * (the API server, model downloads) resolved from the tenant's props for exactly the pods that need them.
 */
export class TenantNetwork {
  private readonly scope: Construct;
  private readonly namespace: string;
  private readonly agentic: boolean;
  private readonly apiServer?: ApiServerEndpoints;
  private readonly modelDownloads?: DownloadRanges;
  private readonly egressPorts: Set<number>;
  private readonly policies = new Map<string, ApiObject>();
  private readonly needs: ResolvedEgressNeed[] = [];

  /** Validates the tenant's `apiServer` and `modelDownloads`; emits nothing yet. */
  constructor(scope: Construct, namespace: string, agentic: boolean, props: AiTenantProps) {
    this.scope = scope;
    this.namespace = namespace;
    this.agentic = agentic;
    this.apiServer = this.resolveApiServer(props.apiServer);
    this.modelDownloads = this.resolveModelDownloads(props.modelDownloads);
    this.egressPorts = new Set((props.egress ?? []).flatMap((e) => e.ports ?? [443]));
  }

  /** Emits the NetworkPolicy `default-deny` (all ingress and egress of every pod). */
  public emitDefaultDeny(): ApiObject {
    return tenantObject(this.scope, this.namespace, k8s.KubeNetworkPolicy, 'DefaultDeny', 'NetworkPolicy', 'default-deny', {
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
  }

  /** Turns declared edges and needs in the namespace into allows, and declares the tenant's own: DNS and `egress`. */
  public connect(props: AiTenantProps): void {
    const ns = this.namespace;
    registerFirewall(this.scope, {
      namespace: ns,
      applyEdge: (edge, side) => this.applyEdge(edge, side),
      applyNeed: (need) => this.applyNeed(need),
    });
    const dns = props.dns ?? {};
    allowTraffic({
      scope: this.scope,
      name: 'dns',
      description: 'every pod resolves names through the cluster DNS',
      from: { namespace: ns },
      to: {
        namespace: dns.namespace !== undefined ? requireDnsLabel(this.scope, 'dns.namespace', dns.namespace) : 'kube-system',
        podLabels: requireLabels(this.scope, 'dns.podLabels', dns.podLabels ?? { 'k8s-app': 'kube-dns' }),
      },
      ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }],
    });
    (props.egress ?? []).forEach((e, i) => {
      const ports = e.ports ?? [443];
      ports.forEach((p, j) => requireInteger(this.scope, `egress[${i}].ports[${j}]`, p, 1, 65535));
      if (!isCidr(e.cidr)) throw invalidProp(this.scope, `egress[${i}].cidr`, e.cidr, 'a CIDR such as "203.0.113.0/24"');
      if (this.agentic && isWholeInternet(e.cidr)) {
        throw invalidProp(this.scope, `egress[${i}].cidr`, e.cidr, 'a specific range: an agentic tenant may only reach declared endpoints, not the whole internet');
      }
      allowTraffic({
        scope: this.scope,
        name: requireDnsLabel(this.scope, `egress[${i}].name`, e.name, 30),
        description: `egress to ${e.name} (${e.cidr})`,
        from: { namespace: ns },
        to: { cidr: e.cidr },
        ports: ports.map((port) => ({ port })),
      });
    });
  }

  /** The NetworkPolicies generated from declared edges. */
  public get allowPolicies(): ApiObject[] {
    return [...this.policies.values()];
  }

  /** The egress needs of the tenant's workloads and how the tenant resolved each. */
  public get egressNeeds(): ResolvedEgressNeed[] {
    return [...this.needs];
  }

  /**
   * Reports agentic egress to the whole internet or any namespace, and needs the tenant leaves blocked (an error
   * for the API server, a warning for downloads).
   */
  public synthErrors(fail: (prop: string, problem: string) => void): void {
    if (this.agentic) {
      for (const edge of trafficEdges(this.scope)) {
        const from = edge.from;
        if (from.namespace !== this.namespace || rangesOf(from).length || from.namespaceLabels !== undefined) continue;
        const to = edge.to;
        const ranges = rangesOf(to);
        const internet = ranges.find((r) => isWholeInternet(r));
        if (internet !== undefined || (!ranges.length && to.namespace === undefined && to.namespaceLabels === undefined)) {
          fail('agentic', `${edge.scope.node.path} declares egress "${edge.name}" to ${internet ?? 'pods in any namespace'}; an agentic tenant may only reach declared endpoints`);
        }
      }
    }
    for (const { need, resolution } of this.needs) {
      if (resolution !== 'blocked') continue;
      if (need.kind === EgressNeedKind.KUBE_API_SERVER) {
        fail('apiServer', `${need.description} through the Kubernetes API server (${need.scope.node.path}), but the tenant's ` +
          'default-deny egress blocks it; give apiServer: { cidrs: [<API server endpoint CIDRs>], port: <endpoint port, 443 or 6443> } ' +
          '(kubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes lists them)');
      } else {
        warn(this.scope, `${need.description} from ${need.destination} (${need.scope.node.path}), but the tenant's egress opens no HTTPS (443): ` +
          'the download would be blocked by the default-deny; add modelDownloads: { cidrs: [...] } (only the downloading pods get it) ' +
          'or an egress entry on port 443');
      }
    }
  }

  private applyEdge(edge: TrafficEdge, side: EdgeSide): void {
    const name = resourceName(edge.scope, [edge.name, side === 'ingress' ? 'in' : 'out']);
    if (this.policies.has(name)) return;
    claimName(edge.scope, 'NetworkPolicy', this.namespace, name);
    const namespace = this.namespace;
    const policy = new k8s.KubeNetworkPolicy(this.scope, `Allow-${name}`, {
      metadata: {
        name,
        namespace: this.namespace,
        labels: tenantLabels(this.namespace, 'NetworkPolicy'),
        annotations: { 'ai.cdk8s.io/allows': edge.description },
      },
      // Built from the edge (which the app's registry holds anyway) when the policy is written, not held: a tenant
      // has several policies per workload, each spec about 1 KB (bench/README.md).
      spec: Lazy.any({ produce: () => edgePolicySpec(edge, side, namespace) }),
    });
    this.policies.set(name, policy);
  }

  /**
   * Resolves a need of pods in the namespace: an egress allow for exactly those pods to the API server or the
   * model download ranges the tenant declares; else an `egress` entry may already open it; else it is blocked
   * (synth fails for the API server and warns for downloads).
   */
  private applyNeed(need: EgressNeed): void {
    const allow = (to: { cidrs: string[]; except?: string[] }, ports: number[], what: string) => {
      allowTraffic({
        scope: need.scope,
        name: need.name,
        description: `${need.description} ${what}`,
        from: need.from,
        to: { cidrs: to.cidrs, except: to.except?.length ? to.except : undefined },
        ports: ports.map((port) => ({ port })),
      });
      const except = to.except?.length ? ` except ${to.except.join(', ')}` : '';
      this.needs.push({ need, resolution: 'allowed', via: `${to.cidrs.join(', ')}${except} port ${ports.join(', ')}` });
    };
    if (need.kind === EgressNeedKind.KUBE_API_SERVER) {
      if (this.apiServer) allow(this.apiServer, [this.apiServer.port], 'through the Kubernetes API server');
      else this.needs.push({ need, resolution: 'blocked' });
      return;
    }
    if (this.modelDownloads) allow(this.modelDownloads, this.modelDownloads.ports, `from ${need.destination}`);
    else this.needs.push({ need, resolution: this.egressPorts.has(443) ? 'egress' : 'blocked' });
  }

  private resolveApiServer(api: TenantApiServer | undefined): ApiServerEndpoints | undefined {
    if (api === undefined) return undefined;
    const cidrs = this.requireCidrs('apiServer', api.cidrs);
    cidrs.forEach((c, i) => {
      if (isWholeInternet(c)) throw invalidProp(this.scope, `apiServer.cidrs[${i}]`, c, 'the API server endpoints (e.g. "10.0.0.10/32"), not the whole address space');
    });
    return { cidrs, port: requireInteger(this.scope, 'apiServer.port', api.port ?? 443, 1, 65535) };
  }

  private resolveModelDownloads(d: TenantModelDownloads | undefined): DownloadRanges | undefined {
    if (d === undefined) return undefined;
    const cidrs = this.requireCidrs('modelDownloads', d.cidrs);
    if (this.agentic) {
      cidrs.forEach((c, i) => {
        if (isWholeInternet(c)) {
          throw invalidProp(this.scope, `modelDownloads.cidrs[${i}]`, c, 'a specific range: an agentic tenant may only reach declared endpoints, not the whole internet');
        }
      });
    }
    const except = [...(d.excludedCidrs ?? [])];
    except.forEach((e, i) => {
      if (!isCidr(e) || !cidrs.some((c) => cidrStrictlyContains(c, e))) {
        throw invalidProp(this.scope, `modelDownloads.excludedCidrs[${i}]`, e, `a CIDR strictly inside one of ${cidrs.join(', ')}`);
      }
    });
    const ports = d.ports ?? [443];
    if (ports.length === 0) throw invalidProp(this.scope, 'modelDownloads.ports', ports, 'at least one port');
    ports.forEach((p, j) => requireInteger(this.scope, `modelDownloads.ports[${j}]`, p, 1, 65535));
    return { cidrs, except, ports: [...new Set(ports)] };
  }

  private requireCidrs(prop: string, cidrs: string[]): string[] {
    if (!cidrs || cidrs.length === 0) throw invalidProp(this.scope, `${prop}.cidrs`, cidrs, 'at least one CIDR');
    cidrs.forEach((c, i) => { if (!isCidr(c)) throw invalidProp(this.scope, `${prop}.cidrs[${i}]`, c, 'a CIDR such as "10.0.0.10/32"'); });
    if (new Set(cidrs).size !== cidrs.length) throw invalidProp(this.scope, `${prop}.cidrs`, cidrs, 'unique CIDRs');
    return [...cidrs];
  }
}
