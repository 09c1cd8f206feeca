import { ApiObject, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { InferenceServiceProps } from './inference-service-props';
import { ModelServer } from './model-server';
import { addAutoscaler, addDisruptionBudget } from './server-scaling';
import { declareServerTraffic } from './server-traffic';
import { recordServingMetrics } from './serving-metrics-registry';
import { podMonitor } from './serving-monitors';
import { ServingMonitoringOptions } from './serving-props';
import { requireSeconds } from './serving-validation';
import { ObjectMeta, WorkloadShape } from './workload-shape';
import { ClusterAddon } from '../cluster/cluster-addon';
import { ClusterProfile } from '../cluster/cluster-profile';
import * as k8s from '../imports/k8s';
import { ValidationError } from '../internal/errors';
import { requireLabels } from '../internal/qualified-name';
import { IngressIsolationHandle } from '../security/tenant-network';

/** What the objects around the workload are built from. */
export interface ServerObjectsInput {
  /** The InferenceService. */
  readonly scope: Construct;
  readonly props: InferenceServiceProps;
  readonly profile: ClusterProfile;
  readonly server: ModelServer;
  readonly shape: WorkloadShape;
  readonly name: string;
  readonly namespace?: string;
  readonly maxReplicas: number;
  /** The labels of the service's objects. */
  readonly labels: { [key: string]: string };
  /** The labels of the pod templates. */
  readonly podLabels: { [key: string]: string };
  /** The labels selecting every pod of the workload. */
  readonly workloadSelector: { [key: string]: string };
  /** The labels selecting the API-serving pods. */
  readonly selector: { [key: string]: string };
  /** The labels selecting the pods the PodMonitor scrapes (both roles of a disaggregated service). */
  readonly monitorSelector?: { [key: string]: string };
  readonly meta: ObjectMeta;
  /** The workload object's name (what an autoscaler scales). */
  readonly workloadName: string;
}

/** The objects around the workload. */
export interface ServerObjects {
  readonly service: ApiObject;
  readonly podDisruptionBudget?: ApiObject;
  readonly monitoring?: ResolvedMonitoring;
  readonly podMonitor?: ApiObject;
  readonly autoscaler?: ApiObject;
  readonly isolation: IngressIsolationHandle;
}

/**
 * The objects around the model-server workload: its ClusterIP Service, PodDisruptionBudget, PodMonitor, autoscaler,
 * the metric names the platform's rules follow, and the network edges into the pods.
 */
export function addServerObjects(input: ServerObjectsInput): ServerObjects {
  const { scope, props, profile, shape, name, namespace, meta } = input;
  const engine = input.server._engine;
  const service = new k8s.KubeService(scope, 'Service', {
    metadata: meta('Service'),
    spec: {
      type: 'ClusterIP',
      selector: input.selector,
      ports: [{ name: 'http', port: engine.port, targetPort: k8s.IntOrString.fromString('http'), protocol: 'TCP', appProtocol: 'http' }],
    },
  });
  const podDisruptionBudget = addDisruptionBudget({
    scope,
    wanted: props.podDisruptionBudget,
    maxUnavailable: props.maxUnavailable,
    maxReplicas: input.maxReplicas,
    podsPerReplica: shape.podsPerReplica,
    selector: input.workloadSelector,
    meta,
  });
  const monitoring = resolveMonitoring(scope, profile, props.monitoring);
  const monitor = monitoring && podMonitor({
    scope,
    id: 'PodMonitor',
    name,
    namespace,
    labels: { ...input.labels, ...monitoring.labels },
    selector: input.monitorSelector ?? input.selector,
    port: 'http',
    path: engine.metricsPath,
    interval: monitoring.interval,
    podTargetLabels: ['app.kubernetes.io/instance'],
  });
  const autoscaler = props.autoscaling && addAutoscaler({
    scope,
    profile,
    autoscaling: props.autoscaling,
    engine,
    name,
    namespace,
    cpuRequested: !!props.resources?.cpu,
    monitored: monitor !== undefined,
    target: shape.scaleTargetRef(input.workloadName),
    meta,
  });
  // The platform's recording rules and dashboard follow the servers actually deployed (their metric names).
  if (input.server.metrics) recordServingMetrics(scope, input.server.metrics);
  const isolation = declareServerTraffic({
    scope,
    name,
    namespace,
    serverName: engine.displayName,
    groupTraffic: shape.groupTraffic,
    monitored: monitor !== undefined,
    workloadSelector: input.workloadSelector,
    selector: input.selector,
    podLabels: input.podLabels,
    labels: input.labels,
    model: props.model,
    loraAdapters: props.loraAdapters ?? [],
  });
  return { service, podDisruptionBudget, monitoring, podMonitor: monitor, autoscaler, isolation };
}

/** The monitors of a service, as resolved from its `monitoring` prop and the ClusterProfile. */
export interface ResolvedMonitoring {
  readonly labels: { [key: string]: string };
  readonly interval?: Duration;
}

/** Whether the service's pods are monitored, and the monitors' labels and interval; undefined when not. */
export function resolveMonitoring(scope: Construct, profile: ClusterProfile,
  options: ServingMonitoringOptions | undefined): ResolvedMonitoring | undefined {
  const m = options ?? {};
  const enabled = m.enabled ?? profile.hasAddon(ClusterAddon.PROMETHEUS_OPERATOR);
  if (!enabled) {
    if (m.labels || m.interval) throw new ValidationError(scope, 'monitoring', 'labels or interval are set but monitoring is off');
    return undefined;
  }
  profile._requireAddon(scope, 'monitoring', ClusterAddon.PROMETHEUS_OPERATOR, 'A PodMonitor');
  const monitorLabels = requireLabels(scope, 'monitoring.labels', m.labels ?? {});
  if (m.interval) requireSeconds(scope, 'monitoring.interval', m.interval, 1, 3600);
  return { labels: monitorLabels, interval: m.interval };
}
