/**
 * The pinned endpoint picker (llm-d-router v0.10.0) accepts every configuration the library renders: each engine's
 * default picker config, every built-in scorer and picker (an Alpha plugin with the experimental flag), objectives
 * with flow control. Each picker starts with the Deployment's exact args and ConfigMap, reports ready on its gRPC
 * health port and, for engines with metrics, scrapes exactly its pool's pods. And the flag matters: the same config
 * without `--allow-experimental-plugins` makes the picker refuse to start. A prefill/decode disaggregated service's
 * picker (the disagg-profile-handler, prefill and decode profiles and filters, the decider) starts the same way and
 * reads both roles' pods.
 */
import { App, Chart } from 'cdk8s';
import { synthesize, SynthesizedApp } from './apps';
import { SimCluster } from './cluster';
import { expectPickerServes, startEpp, stopEpp, withPickerPorts } from './epp';
import { expectRunningOnPools, GITOPS_MANAGER, podsOf } from './expectations';
import {
  ClusterAddon, ClusterProfile, EndpointPickerConfig, EppPicker, EppScorer, GpuModel, GpuNodePool, GpuRequest,
  InferenceService, InferenceServiceProps, KubernetesVersion, ModelServer, ModelSource,
} from '../../src';
import { KubeObject } from '../harness/objects';

const SIM_TIMEOUT = 600_000;
const IMAGE = (name: string) => `ghcr.io/acme/${name}@sha256:${'e'.repeat(64)}`;

type Extra = Partial<InferenceServiceProps>;

const CASES: Record<string, Extra> = {
  vllm: { server: ModelServer.vllm({ image: IMAGE('vllm') }) },
  sglang: { server: ModelServer.sglang({ image: IMAGE('sglang') }) },
  tgi: { server: ModelServer.tgi({ image: IMAGE('tgi') }) },
  scorers: {
    server: ModelServer.vllm({ image: IMAGE('vllm') }),
    endpointPicker: {
      config: EndpointPickerConfig.of({
        scorers: [EppScorer.queue(), EppScorer.kvCacheUtilization(), EppScorer.prefixCache(),
          EppScorer.activeRequest(), EppScorer.runningRequests(), EppScorer.sessionAffinity()],
        picker: EppPicker.WEIGHTED_RANDOM,
      }),
    },
  },
  objectives: {
    server: ModelServer.vllm({ image: IMAGE('vllm') }),
    objectives: [{ name: 'interactive', priority: 10 }, { name: 'batch', priority: -1 }],
  },
  pd: {
    server: ModelServer.vllm({ image: IMAGE('vllm') }),
    disaggregation: { prefill: { replicas: 2 }, routingSidecarImage: IMAGE('disagg-sidecar') },
  },
};

function app(): SynthesizedApp {
  const a = new App();
  new ClusterProfile(a, 'Cluster', { kubernetesVersion: KubernetesVersion.V1_34, addons: ClusterAddon.defaults() });
  const chart = new Chart(a, 'pickers', { namespace: 'pickers', disableResourceNameHashes: true });
  const pool = new GpuNodePool(chart, 'pool', { name: 'l4', gpu: GpuModel.NVIDIA_L4, gpusPerNode: 8, maxNodes: 2 });
  for (const [name, extra] of Object.entries(CASES)) {
    new InferenceService(chart, name, {
      model: ModelSource.huggingFace('Qwen/Qwen2.5-0.5B-Instruct'),
      gpus: GpuRequest.of(1, { model: GpuModel.NVIDIA_L4 }),
      nodePool: pool,
      replicas: 2,
      route: { gateway: 'gateways/inference-gateway' },
      ...extra,
    });
  }
  return synthesize(a);
}

function picker(out: SynthesizedApp, name: string): { deployment: KubeObject; pool: KubeObject; servers: KubeObject[] } {
  const deployment = out.objects.find((o) => o.kind === 'Deployment' && o.metadata.name === `${name}-epp`)!;
  const pool = out.objects.find((o) => o.kind === 'InferencePool' && o.metadata.name === name)!;
  // A disaggregated service's pool has its decode (the service's own) and prefill pods.
  const servers = out.objects.filter((o) => o.kind === 'Deployment' && [name, `${name}-prefill`].includes(String(o.metadata.name)));
  return { deployment, pool, servers };
}

describe('the endpoint picker accepts every configuration we render', () => {
  let cluster: SimCluster;
  let out: SynthesizedApp;

  beforeAll(async () => {
    out = app();
    cluster = await SimCluster.start({ pools: out.pools });
    await cluster.api.createNamespace('pickers');
    await cluster.api.applyAll(out.objects, GITOPS_MANAGER);
    await expectRunningOnPools(cluster, out.objects, 180_000);
  }, SIM_TIMEOUT);

  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  test.each(Object.keys(CASES))('%s: the picker starts, is ready and reads its pool', async (name) => {
    const { deployment, pool, servers } = picker(out, name);
    const podIps = (await podsOf(cluster, servers)).map((p) => p.status.podIP).sort();
    expect(podIps).toHaveLength(name === 'pd' ? 4 : 2);
    await expectPickerServes(cluster, deployment, out.objects, { pool, podIps, metricFree: name === 'tgi' });
  }, SIM_TIMEOUT);

  test('without --allow-experimental-plugins the Alpha session-affinity scorer stops the picker', async () => {
    const { deployment } = picker(out, 'scorers');
    const args: string[] = (deployment.spec as any).template.spec.containers[0].args;
    expect(args).toContain('--allow-experimental-plugins');
    const stripped = JSON.parse(JSON.stringify(deployment));
    const c = stripped.spec.template.spec.containers[0];
    c.args = args.filter((a) => a !== '--allow-experimental-plugins');
    const { code, log } = await withPickerPorts(async () => {
      const run = await startEpp(cluster, stripped, out.objects);
      let timer: NodeJS.Timeout | undefined;
      const exited = await Promise.race([run.process.exited, new Promise<string>((r) => {
        timer = setTimeout(() => r('still running'), 60_000);
      })]);
      clearTimeout(timer);
      return { code: exited, log: await stopEpp(run) };
    });
    expect(code).toMatch(/exit code [1-9]/);
    expect(log).toMatch(/experimental|alpha/i);
  }, SIM_TIMEOUT);
});
