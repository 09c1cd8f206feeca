/**
 * fast-check over prefill/decode disaggregation (issue 18): generated P/D services (decode and prefill sizes,
 * replicas, tensor and pipeline parallelism, a prefill that spans pods as a LeaderWorkerSet, default or custom picker
 * profiles, both deciders, a namespace or a tenant-less chart, 1.34 or 1.37) synthesize, every object and every pod
 * template (as a Pod, under Pod Security restricted) passes the real apiserver, and the invariants the picker relies
 * on hold: each role's pods carry their `llm-d.ai/role`, the pool selects both roles' serving pods only, and the
 * picker config's profiles each filter their own role.
 */
import * as fc from 'fast-check';
import * as YAML from 'yaml';
import { newChart, objectsOf, validatable } from './fixtures';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { ClusterAddon } from '../../src/cluster/cluster-addon';
import { ClusterProfile } from '../../src/cluster/cluster-profile';
import { KubernetesVersion } from '../../src/cluster/kubernetes-version';
import { EndpointPickerConfig, EppScorer } from '../../src/serving/endpoint-picker-config';
import { PdDecider } from '../../src/serving/epp-pd-decider';
import { InferenceService } from '../../src/serving/inference-service';
import { ModelSource } from '../../src/serving/model-source';
import { checkProperty } from '../harness';

const APISERVER_TIMEOUT = 600_000;
const ROLE = 'llm-d.ai/role';

const caseArb = fc.record({
  decodeGpus: fc.constantFrom(1, 2, 4),
  decodeReplicas: fc.integer({ min: 1, max: 4 }),
  prefillGpus: fc.option(fc.constantFrom(1, 2, 4, 8), { nil: undefined }),
  prefillReplicas: fc.integer({ min: 1, max: 4 }),
  prefillPipeline: fc.constantFrom(1, 2),
  prefillMultiNode: fc.boolean(),
  config: fc.constantFrom('default', 'custom'),
  decider: fc.constantFrom('default', 'prefix', 'always'),
  nonCachedTokens: fc.integer({ min: 1, max: 256 }),
  promptTokens: fc.integer({ min: 0, max: 4096 }),
  latest: fc.boolean(),
});
type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

function podsOf(objects: any[]): { role: string; labels: any; spec: any; name: string; namespace: string }[] {
  const pod = (template: any, name: string, namespace: string) => ({
    role: template.metadata.labels[ROLE], labels: template.metadata.labels, spec: template.spec, name, namespace,
  });
  const deployments = objects.filter((o) => o.kind === 'Deployment' && o.spec.template.metadata.labels[ROLE])
    .map((d) => pod(d.spec.template, d.metadata.name, d.metadata.namespace));
  const lws = objects.filter((o) => o.kind === 'LeaderWorkerSet').flatMap((l) => ['leaderTemplate', 'workerTemplate']
    .filter((t) => l.spec.leaderWorkerTemplate[t])
    .map((t) => pod(l.spec.leaderWorkerTemplate[t], `${l.metadata.name}-${t.slice(0, 6).toLowerCase()}`, l.metadata.namespace)));
  return [...deployments, ...lws];
}

function build(c: Case): any[] {
  const { chart } = newChart();
  new ClusterProfile(chart, 'Cluster', { kubernetesVersion: c.latest ? KubernetesVersion.V1_37 : KubernetesVersion.V1_34, addons: ClusterAddon.defaults() });
  const prefillGpus = c.prefillGpus ?? c.decodeGpus;
  const multi = c.prefillMultiNode && c.prefillGpus !== undefined;
  const decider = c.decider === 'prefix' ? PdDecider.prefixBased({ nonCachedTokens: c.nonCachedTokens, promptTokens: c.promptTokens })
    : c.decider === 'always' ? PdDecider.always() : undefined;
  const config = c.config === 'custom' || decider
    ? EndpointPickerConfig.disaggregated({
      decode: c.config === 'custom' ? EndpointPickerConfig.of({ scorers: [EppScorer.prefixCache(3), EppScorer.kvCacheUtilization(2)] }) : undefined,
      decider,
    })
    : undefined;
  new InferenceService(chart, 'llm', {
    model: ModelSource.huggingFace('meta-llama/Llama-3.1-8B-Instruct'),
    gpus: GpuRequest.of(c.decodeGpus),
    parallelism: { tensor: c.decodeGpus },
    replicas: c.decodeReplicas,
    disaggregation: {
      prefill: {
        replicas: c.prefillReplicas,
        gpus: c.prefillGpus === undefined ? undefined : GpuRequest.of(c.prefillGpus),
        parallelism: c.prefillGpus === undefined ? undefined : { tensor: c.prefillGpus, pipeline: multi ? c.prefillPipeline + 1 : 1 },
        multiNode: multi ? {} : undefined,
      },
    },
    endpointPicker: config ? { config } : undefined,
    route: { gateway: 'inference-gateway' },
  });
  const objects = objectsOf(chart);
  const pods = podsOf(objects);
  checkInvariants(objects, pods, prefillGpus);
  const asPods = pods.map((p) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { labels: p.labels, name: `${p.name}-pod`, namespace: p.namespace }, spec: p.spec }));
  return [...validatable(objects), ...asPods];
}

function checkInvariants(objects: any[], pods: ReturnType<typeof podsOf>, prefillGpus: number): void {
  const fail = (what: string) => { throw new Error(`invariant broken: ${what}`); };
  const roles = new Set(pods.map((p) => p.role));
  if (!roles.has('decode') || !roles.has('prefill')) fail(`roles emitted: ${[...roles].join(', ')}`);
  const pool = objects.find((o) => o.kind === 'InferencePool');
  const selector = pool.spec.selector.matchLabels;
  for (const p of pods) {
    const selected = Object.entries(selector).every(([k, v]) => p.labels[k] === v);
    const ports = p.spec.containers.flatMap((k: any) => (k.ports ?? []).map((port: any) => port.containerPort));
    const serving = pool.spec.targetPorts.some((t: any) => ports.includes(t.number));
    if (selected && !p.labels[ROLE]) fail(`the pool selects ${p.name}, which has no role`);
    if (selected !== serving && p.name.endsWith('worker')) fail(`the pool ${selected ? 'selects' : 'misses'} ${p.name}`);
  }
  const config = YAML.parse(objects.find((o) => o.kind === 'ConfigMap' && Object.keys(o.data ?? {}).some((k) => k.endsWith('.yaml'))).data['epp-config.yaml']);
  // A plugin without a name is named after its type (llm-d-router v0.10.0 pkg/epp/config/loader/defaults.go).
  const filterType = (profile: any) => profile.plugins.map((r: any) => config.plugins.find((p: any) => (p.name ?? p.type) === r.pluginRef)?.type);
  const profiles = Object.fromEntries(config.schedulingProfiles.map((p: any) => [p.name, filterType(p)]));
  if (!profiles.prefill?.includes('prefill-filter') || !profiles.decode?.includes('decode-filter')) fail(`profiles ${JSON.stringify(profiles)}`);
  const prefillClaim = objects.find((o) => o.kind === 'ResourceClaimTemplate' && o.metadata.name.endsWith('prefill-gpus'));
  const requested = prefillClaim?.spec.spec.devices.requests.reduce((n: number, r: any) => n + (r.exactly?.count ?? 0), 0);
  if (requested !== prefillGpus) fail(`prefill claims ${requested} GPUs, expected ${prefillGpus}`);
}

describe('fast-check: generated prefill/decode services on the real apiserver', () => {
  beforeAll(() => jest.spyOn(console, 'warn').mockImplementation(() => undefined));
  afterAll(() => jest.restoreAllMocks());
  test('200 generated P/D services', async () => {
    const report = await checkProperty(caseArb, build, { numRuns: 200 });
    console.log(`[disaggregation properties] ${JSON.stringify(report)}`);
    expect(report.numRuns).toBe(200);
    expect(report.objects).toBeGreaterThanOrEqual(200 * 10);
  }, APISERVER_TIMEOUT);
});
