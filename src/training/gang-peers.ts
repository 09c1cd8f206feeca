/**
 * The network edge of a gang job: its workers reach each other on every port. Internal.
 */
import { Construct } from 'constructs';
import { GangPlan } from './gang-plan';
import { IngressIsolationHandle, allowTraffic, isolateIngress } from '../security/tenant-network';

/**
 * The workers reach each other on every port (torch.distributed, NCCL): one edge a tenant turns into its allows;
 * outside a tenant the workers isolate themselves with it.
 */
export function allowGangPeers(scope: Construct, plan: GangPlan): IngressIsolationHandle {
  const workers = { namespace: plan.namespace, podLabels: plan.podSelector };
  allowTraffic({
    scope,
    name: 'peers',
    description: `the workers of ${plan.name} reach each other (torch.distributed, NCCL)`,
    from: workers,
    to: workers,
    ports: [],
    allPorts: true,
  });
  return isolateIngress({
    scope,
    id: 'NetworkPolicy',
    name: `${plan.name}-peers`,
    namespace: plan.namespace,
    selector: plan.podSelector,
    podLabels: plan.labels,
    labels: plan.labels,
    description: `the workers of ${plan.name}`,
  });
}
