import { Construct } from 'constructs';
import { LoraAdapter } from './lora-adapter';
import { downloadSource } from './model-mount';
import { ModelSource } from './model-source';
import { prometheusPeer } from './serving-network';
import { allowTraffic, EgressNeedKind, IngressIsolationHandle, isolateIngress, needEgress } from '../security/tenant-network';

/** What the traffic of a service's pods is declared from. */
export interface ServerTrafficInput {
  /** The InferenceService. */
  readonly scope: Construct;
  readonly name: string;
  readonly namespace?: string;
  /** The server's display name, for descriptions. */
  readonly serverName: string;
  /** Whether the pods of one replica reach each other (a multi-node group). */
  readonly groupTraffic: boolean;
  /** Whether Prometheus scrapes the pods (a PodMonitor). */
  readonly monitored: boolean;
  /** The labels selecting every pod of the workload. */
  readonly workloadSelector: { [key: string]: string };
  /** The labels selecting the API-serving pods. */
  readonly selector: { [key: string]: string };
  /** The labels of the pod templates. */
  readonly podLabels: { [key: string]: string };
  /** The labels of the NetworkPolicy. */
  readonly labels: { [key: string]: string };
  readonly model: ModelSource;
  readonly loraAdapters: LoraAdapter[];
}

/**
 * The edges into the server pods: Prometheus to the metrics port, and between the pods of a multi-node group
 * (torch.distributed and NCCL pick their ports at run time). The gateway and endpoint-picker edges are declared
 * when a route attaches the pool. Outside a tenant the pods are isolated with exactly these edges. The pods'
 * model download is declared as an egress need, which a tenant resolves from its `modelDownloads`.
 */
export function declareServerTraffic(input: ServerTrafficInput): IngressIsolationHandle {
  const { scope, name, namespace, serverName } = input;
  const pods = { namespace, podLabels: input.workloadSelector };
  if (input.groupTraffic) {
    allowTraffic({
      scope,
      name: 'group',
      description: `the pods of one ${name} group reach each other (torch.distributed, NCCL)`,
      from: pods,
      to: pods,
      ports: [],
      allPorts: true,
    });
  }
  if (input.monitored) {
    allowTraffic({
      scope,
      name: 'metrics',
      description: `Prometheus scrapes ${name} (${serverName}) on port http`,
      from: prometheusPeer(scope),
      to: { namespace, podLabels: input.selector },
      ports: [{ port: 'http' }],
    });
  }
  // Egress the service cannot address itself: where the weights come from. The tenant resolves it (modelDownloads).
  const download = downloadSource(input.model, input.loraAdapters);
  if (download) {
    needEgress({
      scope,
      name: 'model-download',
      kind: EgressNeedKind.MODEL_DOWNLOAD,
      description: `${name} (${serverName}) downloads its model weights`,
      from: pods,
      destination: download,
    });
  }
  return isolateIngress({
    scope,
    id: 'NetworkPolicy',
    name,
    namespace,
    selector: input.workloadSelector,
    podLabels: input.podLabels,
    labels: input.labels,
    description: `the ${serverName} pods of ${name}`,
  });
}
