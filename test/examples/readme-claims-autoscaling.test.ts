/**
 * The README's autoscaling claims: the snippet synthesizes a ScaledObject on the picker's pool signal that scales to
 * zero behind flow control, and the refusals it states.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Chart, Duration } from 'cdk8s';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { ClusterAddon } from '../../src/cluster/cluster-addon';
import { ClusterProfile } from '../../src/cluster/cluster-profile';
import { InferenceService } from '../../src/serving/inference-service';
import { InferenceServiceProps } from '../../src/serving/inference-service-props';
import { ModelSource } from '../../src/serving/model-source';
import { PoolMetric, ServingAutoscaling } from '../../src/serving/serving-autoscaling';

const README = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
const SECTION = README.slice(README.indexOf('#### Autoscaling on the endpoint picker\'s signals, and to zero'), README.indexOf('#### Prefill/decode disaggregation'));

function build(extra: Partial<InferenceServiceProps> = {}): any[] {
  const app = new App();
  const chart = new Chart(app, 'readme', { namespace: 'serving', disableResourceNameHashes: true });
  new ClusterProfile(chart, 'Cluster', { addons: [...ClusterAddon.defaults(), ClusterAddon.KEDA] });
  new InferenceService(chart, 'llama-elastic', {
    model: ModelSource.huggingFace('meta-llama/Llama-3.1-8B-Instruct'),
    gpus: GpuRequest.of(1),
    route: { gateway: 'gateways/inference-gateway' },
    endpointPicker: { flowControl: { enabled: true, requestTtl: Duration.minutes(10) } },
    autoscaling: ServingAutoscaling.kedaPool({
      minReplicas: 0,
      maxReplicas: 8,
      metric: PoolMetric.AVERAGE_QUEUE_SIZE,
      target: 5,
      prometheusAddress: 'http://prometheus-operated.monitoring.svc:9090',
    }),
    ...extra,
  });
  app.synth();
  return chart.toJson();
}

test('the README\'s elastic service scales on the picker\'s pool signal and wakes from zero on its flow-control queue', () => {
  expect(SECTION).toContain('endpointPicker: { flowControl: { enabled: true, requestTtl: Duration.minutes(10) } },');
  expect(SECTION).toContain('autoscaling: ServingAutoscaling.kedaPool({ minReplicas: 0, maxReplicas: 8, metric: PoolMetric.AVERAGE_QUEUE_SIZE, target: 5,');
  const scaled = build().find((o: any) => o.kind === 'ScaledObject');
  expect(scaled.spec.minReplicaCount).toBe(0);
  const queries = scaled.spec.triggers.map((t: any) => t.metadata.query);
  expect(queries[0]).toContain('llm_d_epp_average_queue_size{namespace="serving",name="llama-elastic"}');
  expect(queries[0]).toContain('llm_d_epp_ready_endpoints');
  expect(queries[1]).toBe('clamp_max(sum(llm_d_epp_flow_control_queue_size{namespace="serving",inference_pool="llama-elastic"}), 1)');
  for (const name of ['llm_d_epp_average_queue_size', '_flow_control_queue_size', '_flow_control_pool_saturation']) expect(SECTION).toContain(name);
});

test('scaling to zero is refused without flow control and on an unrouted service, as the README says', () => {
  expect(SECTION).toContain('refused on an unrouted service and behind a picker without flow control');
  expect(() => build({ endpointPicker: {} })).toThrow(/without flow control the picker v0\.10\.0 answers 503 at once/);
  expect(() => build({ route: undefined, endpointPicker: undefined })).toThrow(/but the service is in no route/);
});
