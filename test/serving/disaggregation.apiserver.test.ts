// Prefill/decode disaggregation on the real apiserver: the decode Deployment (vLLM behind the routing sidecar, a
// native sidecar), the prefill Deployment or LeaderWorkerSet (leader and worker pods), the InferencePool over both
// roles, the picker's ConfigMap and the NetworkPolicies are accepted as sent (Pod Security restricted).
import { findObject, lwsPods, newChart, objectsOf, validatable } from './fixtures';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { ClusterAddon } from '../../src/cluster/cluster-addon';
import { ClusterProfile } from '../../src/cluster/cluster-profile';
import { EndpointPickerConfig, EppScorer } from '../../src/serving/endpoint-picker-config';
import { PdDecider } from '../../src/serving/epp-pd-decider';
import { InferenceService } from '../../src/serving/inference-service';
import { ModelSource } from '../../src/serving/model-source';
import { validateObjects } from '../harness';


function deploymentPods(objects: any[]): any[] {
  return objects.filter((o) => o.kind === 'Deployment' && o.spec.template.metadata.labels['llm-d.ai/role']).map((d) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { ...d.spec.template.metadata, name: `${d.metadata.name}-pod`, namespace: d.metadata.namespace },
    spec: d.spec.template.spec,
  }));
}

test.each([
  ['single-pod prefill', {}],
  ['multi-node prefill (LeaderWorkerSet) and a custom picker config', {
    prefill: { replicas: 2, gpus: GpuRequest.of(4), parallelism: { tensor: 4, pipeline: 2 }, multiNode: {} },
    config: EndpointPickerConfig.disaggregated({
      decode: EndpointPickerConfig.of({ scorers: [EppScorer.prefixCache(3), EppScorer.kvCacheUtilization()] }),
      decider: PdDecider.always(),
    }),
  }],
])('a disaggregated service: %s', async (_, c: any) => {
  const { chart } = newChart();
  new ClusterProfile(chart, 'Cluster', { addons: ClusterAddon.defaults() });
  new InferenceService(chart, 'llm', {
    model: ModelSource.huggingFace('meta-llama/Llama-3.1-8B-Instruct'),
    gpus: GpuRequest.of(1),
    replicas: 2,
    disaggregation: { prefill: c.prefill ?? { replicas: 2 } },
    endpointPicker: c.config ? { config: c.config } : undefined,
    route: { gateway: 'inference-gateway' },
  });
  const objects = objectsOf(chart);
  findObject(objects, 'InferencePool', 'llm');
  const sent = [...validatable(objects), ...lwsPods(objects), ...deploymentPods(objects)];
  const results = await validateObjects(sent, { environment: 'default' });
  expect(results.length).toBeGreaterThanOrEqual(sent.length);
});
