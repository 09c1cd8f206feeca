import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { ServerEngine } from './server-engine';
import { AutoscalerKind, ServerMetric, ServingAutoscaling } from './serving-autoscaling';
import { ObjectMeta, ScaleTargetRef } from './workload-shape';
import { ClusterAddon } from '../cluster/cluster-addon';
import { ClusterProfile } from '../cluster/cluster-profile';
import { FastApiObject } from '../imports/fast-api-object';
import * as k8s from '../imports/k8s';
import { invalidProp, ValidationError } from '../internal/errors';

/** What the autoscaler of a service is built from. */
export interface AutoscalerInput {
  /** The InferenceService. */
  readonly scope: Construct;
  readonly profile: ClusterProfile;
  readonly autoscaling: ServingAutoscaling;
  readonly engine: ServerEngine;
  readonly name: string;
  readonly namespace?: string;
  /** Whether the server container's CPU request is the user's (CPU utilisation is a percentage of it). */
  readonly cpuRequested: boolean;
  /** Whether a PodMonitor scrapes the server (KEDA queries what it scrapes). */
  readonly monitored: boolean;
  readonly target: ScaleTargetRef;
  readonly meta: ObjectMeta;
}

/** The HorizontalPodAutoscaler, or the KEDA ScaledObject, scaling the service's workload. */
export function addAutoscaler(input: AutoscalerInput): ApiObject {
  const { scope, autoscaling: a, namespace, name, target, meta } = input;
  const metricName = a.metric !== undefined ? serverMetricName(scope, input.engine, a.metric) : undefined;
  if (a.kind === AutoscalerKind.KEDA) {
    input.profile._requireAddon(scope, 'autoscaling', ClusterAddon.KEDA, 'A KEDA ScaledObject');
    if (!input.monitored) {
      throw new ValidationError(scope, 'autoscaling', 'KEDA scales on the metrics the generated PodMonitor scrapes; enable monitoring (prometheus-operator)');
    }
    if (!namespace) throw new ValidationError(scope, 'autoscaling', 'KEDA\'s query needs the service\'s namespace; give the chart a namespace');
    const query = `sum(${metricName}{namespace="${namespace}",app_kubernetes_io_instance="${name}"})` +
      (a.metric === ServerMetric.KV_CACHE_USAGE ? ` / count(${metricName}{namespace="${namespace}",app_kubernetes_io_instance="${name}"})` : '');
    return new FastApiObject(scope, 'ScaledObject', {
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ScaledObject',
      metadata: meta('ScaledObject'),
      spec: {
        scaleTargetRef: target,
        minReplicaCount: a.minReplicas,
        maxReplicaCount: a.maxReplicas,
        pollingInterval: a.pollingInterval ? a.pollingInterval.toMilliseconds() / 1000 : undefined,
        triggers: [{
          type: 'prometheus',
          metadata: { serverAddress: a.prometheusAddress, query, threshold: String(a.target) },
        }],
      },
    });
  }
  if (a.kind === AutoscalerKind.CPU && !input.cpuRequested) {
    throw new ValidationError(scope, 'autoscaling', 'scales on CPU utilisation, a percentage of the CPU request, but resources.cpu is not set');
  }
  const metric: k8s.MetricSpecV2 = a.kind === AutoscalerKind.CPU
    ? { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: a.target } } }
    : {
      type: 'Pods',
      pods: { metric: { name: a.metricName ?? metricName! }, target: { type: 'AverageValue', averageValue: k8s.Quantity.fromString(a._targetQuantity()) } },
    };
  return new k8s.KubeHorizontalPodAutoscalerV2(scope, 'HorizontalPodAutoscaler', {
    metadata: meta('HorizontalPodAutoscaler'),
    spec: { scaleTargetRef: target, minReplicas: a.minReplicas, maxReplicas: a.maxReplicas, metrics: [metric] },
  });
}

function serverMetricName(scope: Construct, engine: ServerEngine, metric: ServerMetric): string {
  const m = engine.metrics;
  const name = metric === ServerMetric.QUEUE_DEPTH ? m.requestsWaiting
    : metric === ServerMetric.RUNNING_REQUESTS ? m.requestsRunning : m.kvCacheUsage;
  if (!name) throw invalidProp(scope, 'autoscaling.metric', metric, `a metric ${engine.displayName} exports`);
  return name;
}

/** What the PodDisruptionBudget of a service is built from. */
export interface DisruptionBudgetInput {
  /** The InferenceService. */
  readonly scope: Construct;
  /** The `podDisruptionBudget` prop. */
  readonly wanted?: boolean;
  /** The `maxUnavailable` prop (replicas). */
  readonly maxUnavailable?: number;
  readonly maxReplicas: number;
  readonly podsPerReplica: number;
  /** The labels selecting every pod of the workload. */
  readonly selector: { [key: string]: string };
  readonly meta: ObjectMeta;
}

/** The PodDisruptionBudget: all but `maxUnavailable` replicas stay through voluntary disruptions. */
export function addDisruptionBudget(input: DisruptionBudgetInput): ApiObject | undefined {
  const { scope } = input;
  const wanted = input.wanted ?? input.maxReplicas > 1;
  if (!wanted) {
    if (input.maxUnavailable !== undefined) throw new ValidationError(scope, 'maxUnavailable', 'is set but podDisruptionBudget is false');
    return undefined;
  }
  const maxUnavailable = (input.maxUnavailable ?? 1) * input.podsPerReplica;
  return new k8s.KubePodDisruptionBudget(scope, 'PodDisruptionBudget', {
    metadata: input.meta('PodDisruptionBudget'),
    spec: {
      selector: { matchLabels: input.selector },
      maxUnavailable: k8s.IntOrString.fromNumber(maxUnavailable),
      // A crash-looping pod must not block node drains.
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    },
  });
}
