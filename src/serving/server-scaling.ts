import { ApiObject, Duration, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { EppVersion } from './epp-version';
import { HOLDS_REQUESTS_WHILE_EMPTY, isIntensive, needsFlowControl, PICKER_GAUGES, poolQuery, wakeQuery } from './pool-metrics';
import { ServerEngine } from './server-engine';
import { AutoscalerKind, PoolMetric, ServerMetric, ServingAutoscaling } from './serving-autoscaling';
import { ObjectMeta, ScaleTargetRef } from './workload-shape';
import { ClusterAddon } from '../cluster/cluster-addon';
import { ClusterProfile } from '../cluster/cluster-profile';
import { declaredMonitoringStackOf } from '../cluster/stack-of';
import { FastApiObject } from '../imports/fast-api-object';
import * as k8s from '../imports/k8s';
import { invalidProp, show, validationMessage, ValidationError } from '../internal/errors';

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
  if (a.kind === AutoscalerKind.KEDA || a.kind === AutoscalerKind.KEDA_POOL) {
    input.profile._requireAddon(scope, 'autoscaling', ClusterAddon.KEDA, 'A KEDA ScaledObject');
    // The monitoring stack may be declared after the service (a PlatformObservability later in the app): resolved at synth.
    const stackAddress = () => declaredMonitoringStackOf(scope)?.prometheusAddress;
    if (a.prometheusAddress === undefined) {
      scope.node.addValidation({
        validate: () => stackAddress() !== undefined ? [] : [validationMessage('autoscaling.prometheusAddress', 'is unset and the app declares no ' +
          'monitoring stack to take it from (no PlatformObservability, and no prometheus-operator add-on in the ClusterProfile); ' +
          'set it to the URL KEDA queries, e.g. "http://prometheus-operated.monitoring.svc:9090"')],
      });
    }
    const serverAddress = a.prometheusAddress ?? Lazy.any({ produce: () => stackAddress() });
    if (!input.monitored) {
      throw new ValidationError(scope, 'autoscaling', a.kind === AutoscalerKind.KEDA_POOL
        ? 'KEDA scales on the endpoint picker\'s metrics its generated ServiceMonitor scrapes; enable monitoring (prometheus-operator)'
        : 'KEDA scales on the metrics the generated PodMonitor scrapes; enable monitoring (prometheus-operator)');
    }
    if (!namespace) throw new ValidationError(scope, 'autoscaling', 'KEDA\'s query needs the service\'s namespace; give the chart a namespace');
    // The InferencePool is named after the service (ServingPool); the picker labels its metrics with that name.
    const pool = name;
    const instance = `{namespace="${namespace}",app_kubernetes_io_instance="${name}"}`;
    const load = a.kind === AutoscalerKind.KEDA_POOL
      ? { query: poolQuery(a.poolMetric!, namespace, pool), intensive: isIntensive(a.poolMetric!) }
      : a.metric === ServerMetric.KV_CACHE_USAGE
        ? { query: `sum(${metricName}${instance}) / count(${metricName}${instance})`, intensive: true }
        : { query: `sum(${metricName}${instance})`, intensive: false };
    const trigger = (query: string, threshold: string, intensive: boolean) => ({
      type: 'prometheus',
      // An average or a ratio is the same whatever the replica count: the HPA's Value target (replicas x value /
      // threshold); a sum is shared out: AverageValue (value / threshold, KEDA's default).
      ...(intensive ? { metricType: 'Value' } : {}),
      metadata: { serverAddress, query, threshold },
    });
    // From zero, no server (and no pool average) reports load: requests waiting in the picker's flow-control queue
    // wake the service (the scale-to-zero checks make sure the picker holds them).
    const wakes = a.minReplicas === 0 && a.poolMetric !== PoolMetric.FLOW_CONTROL_QUEUE_SIZE;
    return new FastApiObject(scope, 'ScaledObject', {
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ScaledObject',
      metadata: meta('ScaledObject'),
      spec: {
        scaleTargetRef: target,
        minReplicaCount: a.minReplicas,
        maxReplicaCount: a.maxReplicas,
        pollingInterval: seconds(a.pollingInterval),
        cooldownPeriod: seconds(a.cooldownPeriod),
        triggers: [
          trigger(load.query, String(a.target), load.intensive),
          ...(wakes ? [trigger(wakeQuery(namespace, pool), '1', false)] : []),
        ],
      },
    });
  }
  if (a.kind === AutoscalerKind.EXTERNAL_POOL) return addExternalPoolAutoscaler(input);
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

/**
 * The HorizontalPodAutoscaler on the picker's pool signal from the external metrics API: the metric by name, the pool
 * by its label, the namespace added by the adapter (prometheus-adapter v0.12.0 docs/externalmetrics.md). An average
 * or a ratio is a `Value` target (desired = ceil(replicas x value / target)), a count an `AverageValue` target
 * (desired = ceil(value / target)): kubernetes v1.37.2 pkg/controller/podautoscaler/replica_calculator.go
 * GetExternalMetricReplicas and GetExternalPerPodMetricReplicas.
 */
function addExternalPoolAutoscaler(input: AutoscalerInput): ApiObject {
  const { scope, autoscaling: a, name, target, meta } = input;
  const metric = a.poolMetric!;
  const fraction = a._fractionTarget();
  if (!input.monitored) {
    throw new ValidationError(scope, 'autoscaling', 'the external metrics adapter serves the endpoint picker\'s metrics from the Prometheus its ' +
      'generated ServiceMonitor feeds; enable monitoring (prometheus-operator)');
  }
  if (a.minReplicas === 0) {
    // kubernetes v1.37.2 pkg/apis/autoscaling/validation/validation.go (MinReplicasLowerBound 0 only with the gate) and
    // pkg/controller/podautoscaler/horizontal.go (scaling from zero only with an Object or External metric).
    input.profile._requireFeature(scope, 'autoscaling.minReplicas', 'HPAScaleToZero', 'A HorizontalPodAutoscaler with minReplicas 0');
    if (fraction) {
      throw new ValidationError(scope, 'autoscaling.minReplicas', `is 0 with ${show(metric)}, a fraction: from zero the HPA reads the picker's ` +
        'flow-control queue against the target as requests per replica, which a fraction is not; scale on PoolMetric.AVERAGE_QUEUE_SIZE, ' +
        'AVERAGE_RUNNING_REQUESTS or FLOW_CONTROL_QUEUE_SIZE, or keep minReplicas at 1 or more');
    }
  }
  // The InferencePool is named after the service (ServingPool); the picker labels its metrics with that name.
  const gauge = PICKER_GAUGES[metric];
  const quantity = k8s.Quantity.fromString(fraction ? `${Math.round(a.target * 1000)}m` : String(a.target));
  const external = (metricName: string, poolLabel: string, intensive: boolean): k8s.MetricSpecV2 => ({
    type: 'External',
    external: {
      metric: { name: metricName, selector: { matchLabels: { [poolLabel]: name } } },
      target: intensive ? { type: 'Value', value: quantity } : { type: 'AverageValue', averageValue: quantity },
    },
  });
  const metrics = [external(a.metricName ?? gauge.name, gauge.poolLabel, isIntensive(metric))];
  // From zero no server reports load and the averages are stale: the requests the picker's flow control holds wake
  // the service (HPA takes the largest proposal of its metrics).
  if (a.minReplicas === 0 && metric !== PoolMetric.FLOW_CONTROL_QUEUE_SIZE) {
    const queue = PICKER_GAUGES[PoolMetric.FLOW_CONTROL_QUEUE_SIZE];
    metrics.push(external(queue.name, queue.poolLabel, false));
  }
  return new k8s.KubeHorizontalPodAutoscalerV2(scope, 'HorizontalPodAutoscaler', {
    metadata: meta('HorizontalPodAutoscaler'),
    spec: { scaleTargetRef: target, minReplicas: a.minReplicas, maxReplicas: a.maxReplicas, metrics },
  });
}

function seconds(d: Duration | undefined): number | undefined {
  return d ? d.toMilliseconds() / 1000 : undefined;
}

/** What the checks of a service's autoscaler need to know about its InferencePool. */
export interface ScalingPool {
  /** Whether the picker runs flow control. */
  readonly flowControl: boolean;
  /** The picker's release. */
  readonly version: EppVersion;
}

/**
 * The problems of a service's autoscaler that depend on its route (a route may attach after the service is built, so
 * these are checked at synth): a pool signal needs a pool, a flow-control signal the picker's flow control, and
 * scaling to zero a picker that holds requests while no replica is ready.
 */
export function scalingProblems(a: ServingAutoscaling | undefined, pool: ScalingPool | undefined): string[] {
  if (!a) return [];
  if (a._onPool && !pool) {
    return [validationMessage('autoscaling.metric', `got ${show(a.poolMetric)}, a signal of the endpoint picker, but the service is in no route, ` +
      'so there is no InferencePool or picker; add route or an InferenceRoute, or scale on a server metric (ServingAutoscaling.keda)')];
  }
  if (a.minReplicas === 0) {
    const why = 'scaling to zero needs a serving path that holds requests while a replica starts';
    if (!pool) {
      return [validationMessage('autoscaling.minReplicas', `got 0; expected at least 1 on a service in no route: ${why}, and nothing holds ` +
        'requests sent to its Service (route it through an InferenceRoute whose endpoint picker runs flow control to scale to zero)')];
    }
    if (!HOLDS_REQUESTS_WHILE_EMPTY.includes(pool.version.version)) {
      return [validationMessage('autoscaling.minReplicas', `got 0; expected at least 1 with the endpoint picker v${pool.version.version}: ${why}, ` +
        'and that release\'s flow control is not known to hold them (use EppVersion.V0_10_0)')];
    }
    if (!pool.flowControl) {
      return [validationMessage('autoscaling.minReplicas', `got 0; expected at least 1 while the endpoint picker's flow control is off: ${why}; ` +
        `without flow control the picker v${pool.version.version} answers 503 at once when the pool has no ready endpoint ` +
        '(pkg/epp/requestcontrol/director.go); set endpointPicker.flowControl.enabled so requests wait in its queue (up to requestTtl)')];
    }
  }
  if (a.poolMetric !== undefined && needsFlowControl(a.poolMetric) && pool && !pool.flowControl) {
    return [validationMessage('autoscaling.metric', `got ${show(a.poolMetric)}, which the endpoint picker records only with flow control on, ` +
      'but its flow control is off; set endpointPicker.flowControl.enabled or scale on PoolMetric.AVERAGE_QUEUE_SIZE')];
  }
  return [];
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
