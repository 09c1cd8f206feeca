/**
 * The pinned endpoint picker (llm-d-router v0.10.0) accepts every configuration the library renders: each engine's
 * default picker config, every built-in scorer and picker (an Alpha plugin with the experimental flag), objectives
 * with flow control. Each picker starts with the Deployment's exact args and ConfigMap, reports ready on its gRPC
 * health port and, for engines with metrics, scrapes exactly its pool's pods. And the flag matters: the same config
 * without `--allow-experimental-plugins` makes the picker refuse to start. A prefill/decode disaggregated service's
 * picker (the disagg-profile-handler, prefill and decode profiles and filters, the decider) starts the same way and
 * reads both roles' pods.
 */
import { SynthesizedApp } from './apps';
import { SimCluster } from './cluster';
import { expectPickerServes, startEpp, stopEpp, withPickerPorts } from './epp';
import { expectRunningOnPools, GITOPS_MANAGER, podsOf } from './expectations';
import { pickerCasesApp, PickerCases, pickerOf } from './picker-cases';
import { EndpointPickerConfig, EppPicker, EppScorer, ModelServer } from '../../src';

const SIM_TIMEOUT = 600_000;
const IMAGE = (name: string) => `ghcr.io/acme/${name}@sha256:${'e'.repeat(64)}`;

const CASES: PickerCases = {
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

const app = (): SynthesizedApp => pickerCasesApp('pickers', CASES);
const picker = pickerOf;

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
