import { Chart, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { ClusterAddon } from '../../src/cluster/cluster-addon';
import { ClusterProfile } from '../../src/cluster/cluster-profile';
import { EppVersion } from '../../src/serving/epp-version';
import { InferenceService } from '../../src/serving/inference-service';
import { InferenceServiceProps } from '../../src/serving/inference-service-props';
import { ModelSource } from '../../src/serving/model-source';
import { KedaPoolAutoscalingOptions, PoolMetric, ServerMetric, ServingAutoscaling } from '../../src/serving/serving-autoscaling';
import { badInputCatalogue } from '../harness';

/**
 * Every refusal of autoscaling on the endpoint picker's pool signals and of scaling to zero, with the error it must
 * produce (the server-metric and CPU refusals are in bad-inputs.test.ts).
 */

const HF = ModelSource.huggingFace('meta-llama/Llama-3.1-8B-Instruct');
const PROM = 'http://prometheus-operated.monitoring.svc:9090';
const ROUTE = { gateway: 'inference-gateway' };
const FLOW_CONTROL = { flowControl: { enabled: true } };
const ADDONS = [
  ClusterAddon.GATEWAY_API, ClusterAddon.INFERENCE_EXTENSION, ClusterAddon.LLM_D_ROUTER, ClusterAddon.PROMETHEUS_OPERATOR, ClusterAddon.KEDA,
];

function pool(options: Partial<KedaPoolAutoscalingOptions> = {}): ServingAutoscaling {
  return ServingAutoscaling.kedaPool({
    minReplicas: 1, maxReplicas: 4, metric: PoolMetric.AVERAGE_QUEUE_SIZE, target: 5, prometheusAddress: PROM, ...options,
  });
}

function svc(scope: Construct, extra: Partial<InferenceServiceProps> = {}, addons = ADDONS): InferenceService {
  new ClusterProfile(scope, 'Cluster', { addons });
  return new InferenceService(scope, 'llm', { model: HF, gpus: GpuRequest.of(1), ...extra });
}

const P = '[bad-input/llm]';

beforeAll(() => {
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
});

badInputCatalogue([
  // --- pool signals need a pool, its picker's metrics and, for the flow-control ones, flow control
  {
    name: 'a pool signal on an unrouted service',
    error: `${P} autoscaling.metric: got "AverageQueueSize", a signal of the endpoint picker, but the service is in no route`,
    build: (s) => svc(s, { autoscaling: pool() }),
  },
  {
    name: 'a flow-control signal with flow control off',
    error: 'autoscaling.metric: got "FlowControlQueueSize", which the endpoint picker records only with flow control on, but its flow control is off',
    build: (s) => svc(s, { route: ROUTE, autoscaling: pool({ metric: PoolMetric.FLOW_CONTROL_QUEUE_SIZE }) }),
  },
  {
    name: 'flow-control saturation with flow control turned off despite objectives',
    error: 'autoscaling.metric: got "FlowControlSaturation", which the endpoint picker records only with flow control on',
    build: (s) => svc(s, {
      route: ROUTE,
      objectives: [{ name: 'batch', priority: -1 }],
      endpointPicker: { flowControl: { enabled: false } },
      autoscaling: pool({ metric: PoolMetric.FLOW_CONTROL_SATURATION, target: 0.9 }),
    }),
  },
  {
    name: 'a pool signal without monitoring (no ServiceMonitor on the picker)',
    error: `${P} autoscaling: KEDA scales on the endpoint picker's metrics its generated ServiceMonitor scrapes`,
    build: (s) => svc(s, { route: ROUTE, monitoring: { enabled: false }, autoscaling: pool() }),
  },
  {
    name: 'a pool signal without the KEDA add-on',
    error: 'A KEDA ScaledObject needs KEDA (keda.sh)',
    build: (s) => svc(s, { route: ROUTE, autoscaling: pool() }, ADDONS.filter((a) => a !== ClusterAddon.KEDA)),
  },
  {
    name: 'not a PoolMetric (a ServerMetric value)',
    error: 'autoscaling.metric: got "QueueDepth"; expected one of "AverageQueueSize", "AverageKvCacheUtilization"',
    build: (s) => svc(s, { route: ROUTE, autoscaling: pool({ metric: ServerMetric.QUEUE_DEPTH as unknown as PoolMetric }) }),
  },

  // --- targets
  {
    name: 'KV-cache utilisation target in percent',
    error: 'autoscaling.target: got 80; expected a fraction above 0 and at most 1 for KV-cache usage',
    build: (s) => svc(s, { route: ROUTE, autoscaling: pool({ metric: PoolMetric.AVERAGE_KV_CACHE_UTILIZATION, target: 80 }) }),
  },
  {
    name: 'flow-control saturation target above the set point',
    error: 'autoscaling.target: got 1.5; expected a fraction above 0 and at most 1 for flow-control saturation (at 1 the picker starts holding requests)',
    build: (s) => svc(s, {
      route: ROUTE, endpointPicker: FLOW_CONTROL, autoscaling: pool({ metric: PoolMetric.FLOW_CONTROL_SATURATION, target: 1.5 }),
    }),
  },
  {
    name: 'fractional queue-size target',
    error: 'autoscaling.target: got 2.5; expected an integer from 1 to 100000',
    build: (s) => svc(s, { route: ROUTE, autoscaling: pool({ target: 2.5 }) }),
  },
  {
    name: 'a Prometheus address without a scheme',
    error: 'autoscaling.prometheusAddress (autoscaling.prometheus_address): got "prometheus:9090"; expected an http:// or https:// URL',
    build: (s) => svc(s, { route: ROUTE, autoscaling: pool({ prometheusAddress: 'prometheus:9090' }) }),
  },
  {
    name: 'a cooldown without scaling to zero',
    error: 'autoscaling.cooldownPeriod (autoscaling.cooldown_period): is set, but minReplicas is 1: KEDA waits it out only before scaling to zero',
    build: (s) => svc(s, { route: ROUTE, autoscaling: pool({ cooldownPeriod: Duration.minutes(10) }) }),
  },
  {
    name: 'a cooldown of a fraction of a second',
    error: 'autoscaling.cooldownPeriod (autoscaling.cooldown_period): got 0.5s; expected a whole number of seconds, at least 1',
    build: (s) => svc(s, { route: ROUTE, endpointPicker: FLOW_CONTROL, autoscaling: pool({ minReplicas: 0, cooldownPeriod: Duration.millis(500) }) }),
  },

  // --- scaling to zero: only where the serving path holds requests while a replica starts
  {
    name: 'scale to zero on an unrouted service (server metric)',
    error: `${P} autoscaling.minReplicas (autoscaling.min_replicas): got 0; expected at least 1 on a service in no route: scaling to zero needs a serving path that holds requests while a replica starts`,
    build: (s) => svc(s, {
      autoscaling: ServingAutoscaling.keda({ minReplicas: 0, maxReplicas: 2, metric: ServerMetric.QUEUE_DEPTH, target: 5, prometheusAddress: PROM }),
    }),
  },
  {
    name: 'scale to zero behind a picker without flow control',
    error: 'autoscaling.minReplicas (autoscaling.min_replicas): got 0; expected at least 1 while the endpoint picker\'s flow control is off: ' +
      'scaling to zero needs a serving path that holds requests while a replica starts; without flow control the picker v0.10.0 answers 503 at once',
    build: (s) => svc(s, { route: ROUTE, autoscaling: pool({ minReplicas: 0 }) }),
  },
  {
    name: 'scale to zero behind a v0.9.0 picker',
    error: 'autoscaling.minReplicas (autoscaling.min_replicas): got 0; expected at least 1 with the endpoint picker v0.9.0',
    build: (s) => svc(s, { route: ROUTE, endpointPicker: { version: EppVersion.V0_9_0, ...FLOW_CONTROL }, autoscaling: pool({ minReplicas: 0 }) }),
  },
  {
    name: 'scale to zero through the HorizontalPodAutoscaler',
    error: 'autoscaling.minReplicas (autoscaling.min_replicas): got 0; expected an integer from 1 to 1000',
    build: (s) => svc(s, {
      route: ROUTE, autoscaling: ServingAutoscaling.serverMetric({ minReplicas: 0, maxReplicas: 2, metric: ServerMetric.QUEUE_DEPTH, target: 5 }),
    }),
  },
], { scope: (app) => new Chart(app, 'bad-input', { namespace: 'serving' }) });
