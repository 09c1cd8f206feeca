/**
 * The README's claims about the KEDA Prometheus address default and the HorizontalPodAutoscaler on external metrics
 * (issue 18): the snippet synthesizes what the text says, the refusals it states happen, and the example platform
 * leaves the address out.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Chart, Duration } from 'cdk8s';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { ClusterAddon } from '../../src/cluster/cluster-addon';
import { ClusterProfile } from '../../src/cluster/cluster-profile';
import { KubernetesVersion } from '../../src/cluster/kubernetes-version';
import { InferenceService } from '../../src/serving/inference-service';
import { ModelSource } from '../../src/serving/model-source';
import { PoolMetric, ServingAutoscaling } from '../../src/serving/serving-autoscaling';

const ROOT = path.join(__dirname, '..', '..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const SECTION = README.slice(README.indexOf('#### Autoscaling on the endpoint picker\'s signals, and to zero'), README.indexOf('#### Prefill/decode disaggregation'));
const EXAMPLE = fs.readFileSync(path.join(ROOT, 'examples', 'main.ts'), 'utf8');

function build(autoscaling: ServingAutoscaling, version = KubernetesVersion.V1_34, flowControl = false): any[] {
  const app = new App();
  const chart = new Chart(app, 'readme', { namespace: 'serving', disableResourceNameHashes: true });
  new ClusterProfile(chart, 'Cluster', { kubernetesVersion: version, addons: [...ClusterAddon.defaults(), ClusterAddon.KEDA] });
  new InferenceService(chart, 'llama', {
    model: ModelSource.huggingFace('meta-llama/Llama-3.1-8B-Instruct'),
    gpus: GpuRequest.of(1),
    route: { gateway: 'gateways/inference-gateway' },
    endpointPicker: flowControl ? { flowControl: { enabled: true, requestTtl: Duration.minutes(10) } } : undefined,
    autoscaling,
  });
  app.synth();
  return chart.toJson();
}

test('left out, the KEDA address is prometheus-operated in the stack\'s namespace, and the example platform leaves it out', () => {
  expect(SECTION).toContain('at `http://prometheus-operated.<its namespace>.svc:9090`');
  expect(SECTION).toContain('The example platform leaves it out.');
  const scaled = build(ServingAutoscaling.kedaPool({ minReplicas: 1, maxReplicas: 8, metric: PoolMetric.AVERAGE_QUEUE_SIZE, target: 5 }))
    .find((o) => o.kind === 'ScaledObject');
  expect(scaled.spec.triggers[0].metadata.serverAddress).toBe('http://prometheus-operated.monitoring.svc:9090');
  const stable = EXAMPLE.slice(EXAMPLE.indexOf('const stable = new InferenceService'), EXAMPLE.indexOf('const canary = new InferenceService'));
  expect(stable).toContain('ServingAutoscaling.kedaPool({');
  expect(stable).not.toContain('prometheusAddress');
});

test('the README\'s HPA snippet gives an External metric named like the picker\'s gauge, selected by the pool', () => {
  const line = 'autoscaling: ServingAutoscaling.externalPoolMetric({ minReplicas: 1, maxReplicas: 8, metric: PoolMetric.AVERAGE_QUEUE_SIZE, target: 5 }),';
  expect(SECTION).toContain(line);
  const hpa = build(ServingAutoscaling.externalPoolMetric({ minReplicas: 1, maxReplicas: 8, metric: PoolMetric.AVERAGE_QUEUE_SIZE, target: 5 }))
    .find((o) => o.kind === 'HorizontalPodAutoscaler');
  expect(hpa.spec.metrics).toEqual([{
    type: 'External',
    external: { metric: { name: 'llm_d_epp_average_queue_size', selector: { matchLabels: { name: 'llama' } } }, target: { type: 'Value', value: '5' } },
  }]);
  expect(SECTION).toContain('Averages and ratios are `Value` targets, counts `AverageValue`.');
  // The sketched adapter rules name the gauges and labels the HPA asks for.
  expect(SECTION).toContain('llm_d_epp_ready_endpoints{<<.LabelMatchers>>} > 0) by (name)');
  expect(SECTION).toContain('sum(<<.Series>>{<<.LabelMatchers>>}) by (inference_pool)');
});

test('an HPA scales to zero only with HPAScaleToZero (on from 1.37), never on a fraction signal, waking on the flow-control queue', () => {
  expect(SECTION).toContain('`minReplicas: 0` is refused at synth without it, and on a fraction signal');
  const zero = (metric: PoolMetric, target: number) => ServingAutoscaling.externalPoolMetric({ minReplicas: 0, maxReplicas: 8, metric, target });
  expect(() => build(zero(PoolMetric.AVERAGE_QUEUE_SIZE, 5), KubernetesVersion.V1_36, true)).toThrow(/needs the feature gate HPAScaleToZero/);
  expect(() => build(zero(PoolMetric.AVERAGE_KV_CACHE_UTILIZATION, 0.8), KubernetesVersion.V1_37, true)).toThrow(/a fraction/);
  expect(() => build(zero(PoolMetric.AVERAGE_QUEUE_SIZE, 5), KubernetesVersion.V1_37, false)).toThrow(/flow control is off/);
  const hpa = build(zero(PoolMetric.AVERAGE_QUEUE_SIZE, 5), KubernetesVersion.V1_37, true).find((o) => o.kind === 'HorizontalPodAutoscaler');
  expect(hpa.spec.metrics.map((m: any) => m.external.metric.name)).toEqual(['llm_d_epp_average_queue_size', 'llm_d_epp_flow_control_queue_size']);
});
