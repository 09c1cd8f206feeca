/**
 * The HorizontalPodAutoscaler on external metrics (ServingAutoscaling.externalPoolMetric) with the real HPA controller
 * of kube-controller-manager 1.37 on the simulated cluster.
 *
 * What this proves: the apiserver accepts both autoscalers (minReplicas 0 only because HPAScaleToZero is on in 1.37);
 * the controller resolves our scaleTargetRef through the Deployment's scale subresource (AbleToScale
 * SucceededGetScale) and asks the external metrics API for our metric name and pool selector (ScalingActive False,
 * FailedGetExternalMetric, naming both: no metrics adapter runs here). What it does not prove: that an adapter serves
 * the metric under that name, or any scaling decision (kubernetes v1.37.2 pkg/controller/podautoscaler/horizontal.go
 * sets those reasons).
 */
import { Chart } from 'cdk8s';
import { profiledApp, synthesize, SynthesizedApp } from './apps';
import { SimCluster } from './cluster';
import { expectRunningOnPools, GITOPS_MANAGER } from './expectations';
import {
  GpuModel, GpuNodePool, GpuRequest, InferenceService, KubernetesVersion, ModelServer, ModelSource, PoolMetric, ServingAutoscaling,
} from '../../src';

const SIM_TIMEOUT = 600_000;
const VLLM = 'ghcr.io/acme/vllm@sha256:' + 'e'.repeat(64);
const NS = 'hpa';

function hpaApp(): SynthesizedApp {
  const app = profiledApp(KubernetesVersion.V1_37);
  const chart = new Chart(app, NS, { disableResourceNameHashes: true, namespace: NS });
  const pool = new GpuNodePool(chart, 'pool', { name: 'hpa', gpu: GpuModel.NVIDIA_H100_80_GB, gpusPerNode: 8, maxNodes: 1 });
  const common = {
    model: ModelSource.huggingFace('Qwen/Qwen2.5-0.5B-Instruct'),
    server: ModelServer.vllm({ image: VLLM }),
    gpus: GpuRequest.of(1, { model: GpuModel.NVIDIA_H100_80_GB }),
    nodePool: pool,
    route: { gateway: 'gw' },
  };
  new InferenceService(chart, 'steady', {
    ...common,
    autoscaling: ServingAutoscaling.externalPoolMetric({ minReplicas: 1, maxReplicas: 4, metric: PoolMetric.AVERAGE_QUEUE_SIZE, target: 5 }),
  });
  new InferenceService(chart, 'elastic', {
    ...common,
    endpointPicker: { flowControl: { enabled: true } },
    autoscaling: ServingAutoscaling.externalPoolMetric({ minReplicas: 0, maxReplicas: 4, metric: PoolMetric.AVERAGE_RUNNING_REQUESTS, target: 8 }),
  });
  return synthesize(app);
}

function condition(hpa: any, type: string): any {
  return (hpa?.status?.conditions ?? []).find((c: any) => c.type === type);
}

describe('HorizontalPodAutoscalers on external metrics with the real HPA controller', () => {
  let cluster: SimCluster;
  let out: SynthesizedApp;

  beforeAll(async () => {
    out = hpaApp();
    cluster = await SimCluster.start({ environment: 'latest', pools: out.pools });
    await cluster.api.createNamespace(NS);
    await cluster.api.applyAll(out.objects, GITOPS_MANAGER);
  }, SIM_TIMEOUT);

  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  test('each HPA reads its Deployment\'s scale and asks the external metrics API for its metric and pool', async () => {
    await expectRunningOnPools(cluster, out.objects, 180_000);
    const hpas = out.objects.filter((o) => o.kind === 'HorizontalPodAutoscaler');
    expect(hpas.map((h) => [h.metadata.name, (h.spec as any).minReplicas])).toEqual([['steady', 1], ['elastic', 0]]);
    for (const want of hpas) {
      const name = String(want.metadata.name);
      const metrics = (want.spec as any).metrics.map((m: any) => m.external.metric.name);
      let hpa: any;
      await cluster.waitFor(`HPA ${name} evaluated`, async () => {
        hpa = await cluster.api.get('autoscaling/v2', 'HorizontalPodAutoscaler', name, NS);
        return condition(hpa, 'ScalingActive') !== undefined || `conditions ${JSON.stringify(hpa?.status?.conditions)}`;
      }, 120_000);
      console.log(`HPA ${name}: ${JSON.stringify(hpa.status.conditions.map((c: any) => [c.type, c.status, c.reason, c.message]))}`);
      expect(condition(hpa, 'AbleToScale')).toMatchObject({ status: 'True', reason: 'SucceededGetScale' });
      const active = condition(hpa, 'ScalingActive');
      expect(active).toMatchObject({ status: 'False', reason: 'FailedGetExternalMetric' });
      // The controller asked for the first metric by name with the pool as its selector.
      expect(active.message).toContain(metrics[0]);
      expect(active.message).toContain(`MatchLabels:map[string]string{name: ${name},}`);
      // Nothing scaled: the Deployment keeps the apiserver's default of 1 replica.
      const deployment = await cluster.api.get('apps/v1', 'Deployment', name, NS);
      expect(deployment.spec.replicas).toBe(1);
    }
  }, SIM_TIMEOUT);
});
