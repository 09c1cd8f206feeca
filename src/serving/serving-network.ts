/**
 * The traffic edges of the serving constructs (internal): who reaches a model server and its endpoint picker, on
 * which port. Declared through src/internal/tenant-network.ts, so that a tenant turns them into its allows and a
 * service outside a tenant isolates its pods with exactly these edges (`isolateIngress`).
 */
import { IConstruct } from 'constructs';
import { GatewayProvider } from './gateway-provider';
import { monitoringStackOf } from '../cluster/stack-of';
import { TrafficPeer } from '../security/traffic-edge';

/**
 * The Prometheus pods that scrape the app's monitors: those of the PlatformObservability's stack, else of the
 * ClusterProfile's prometheus-operator add-on (a stack in its own namespace, e.g. `prometheusOperatorWith(...)`),
 * else kube-prometheus-stack's defaults.
 */
export function prometheusPeer(scope: IConstruct): TrafficPeer {
  const stack = monitoringStackOf(scope);
  return { namespace: stack.namespace, podLabels: { ...stack.prometheusPodLabels } };
}

/**
 * The gateway's data plane: every pod of the Gateway's namespace (the proxy pods' labels differ per
 * implementation). A GKE Gateway is a Google Cloud load balancer, not pods: its proxies and health checks reach the
 * pods from addresses outside the cluster's pod network, so the edge comes from any address (still only to the
 * given port).
 */
export function gatewayPeer(provider: GatewayProvider, gatewayNamespace: string | undefined): TrafficPeer {
  if (provider._traits.gkePolicies) return { cidr: '0.0.0.0/0' };
  return { namespace: gatewayNamespace };
}

/** A short description of a gateway peer for the platform report. */
export function describeGateway(provider: GatewayProvider, gatewayNamespace: string | undefined): string {
  return provider._traits.gkePolicies ? 'the GKE gateway\'s load balancer' : `the gateway pods in ${gatewayNamespace ?? 'the route\'s namespace'}`;
}
