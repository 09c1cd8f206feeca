/**
 * fast-check over issue 18's picker and server settings: generated services with flow control (priority bands of
 * the objectives' priorities, template bands, byte and request limits, fairness and ordering policies, eviction), a
 * feature gate, a header-selected profile set or a single profile, the data layer's injectDefaults, a vLLM or custom
 * server (with engineConfigs metric names), precise prefix-cache routing from vLLM KV events and vLLM KV-cache
 * offloading synthesize; every object and every pod
 * template (as a Pod, under Pod Security restricted) passes the real apiserver, and the invariants the picker's
 * config loader relies on hold: every plugin reference (profiles, data layer, band policies) names a declared plugin,
 * band priorities are unique, exactly one profile handler, and the offload buffer is inside the memory request.
 */
import { Size } from 'cdk8s';
import * as fc from 'fast-check';
import * as YAML from 'yaml';
import { newChart, objectsOf, validatable } from './fixtures';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { ClusterAddon } from '../../src/cluster/cluster-addon';
import { ClusterProfile } from '../../src/cluster/cluster-profile';
import { KubernetesVersion } from '../../src/cluster/kubernetes-version';
import { EndpointPickerConfig, EppScorer } from '../../src/serving/endpoint-picker-config';
import { EppFairnessPolicy, EppOrderingPolicy, EppPriorityBandLimits } from '../../src/serving/epp-flow-control';
import { EndpointPickerProfiles } from '../../src/serving/epp-profile-set';
import { InferenceService } from '../../src/serving/inference-service';
import { ModelServer } from '../../src/serving/model-server';
import { ModelSource } from '../../src/serving/model-source';
import { checkProperty } from '../harness';

const APISERVER_TIMEOUT = 600_000;

const limitsArb = fc.record({
  maxRequests: fc.option(fc.integer({ min: 1, max: 100_000 }), { nil: undefined }),
  maxBytesMi: fc.option(fc.integer({ min: 1, max: 4096 }), { nil: undefined }),
  fairness: fc.constantFrom(undefined, 'strict', 'rr'),
  ordering: fc.constantFrom(undefined, 'fcfs', 'edf'),
});
const caseArb = fc.record({
  priorities: fc.uniqueArray(fc.integer({ min: -5, max: 20 }), { minLength: 0, maxLength: 4 }),
  bandFor: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
  bands: fc.array(limitsArb, { minLength: 4, maxLength: 4 }),
  defaultBand: fc.option(limitsArb, { nil: undefined }),
  negativeBand: fc.option(limitsArb, { nil: undefined }),
  maxRequests: fc.option(fc.integer({ min: 1, max: 100_000 }), { nil: undefined }),
  maxBytesMi: fc.option(fc.integer({ min: 1, max: 65536 }), { nil: undefined }),
  eviction: fc.boolean(),
  gate: fc.constantFrom(undefined, true, false),
  profiles: fc.integer({ min: 1, max: 3 }),
  header: fc.constantFrom(undefined, 'x-profile', 'EPP-Profile'),
  injectDefaults: fc.constantFrom(undefined, true, false),
  server: fc.constantFrom('vllm', 'acme'),
  precise: fc.boolean(),
  offloadGi: fc.option(fc.integer({ min: 1, max: 64 }), { nil: undefined }),
  latest: fc.boolean(),
});
type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

function limits(l: { maxRequests?: number; maxBytesMi?: number; fairness?: string; ordering?: string }): EppPriorityBandLimits {
  return {
    maxRequests: l.maxRequests,
    maxBytes: l.maxBytesMi === undefined ? undefined : Size.mebibytes(l.maxBytesMi),
    fairness: l.fairness === 'strict' ? EppFairnessPolicy.globalStrict() : l.fairness === 'rr' ? EppFairnessPolicy.roundRobin() : undefined,
    ordering: l.ordering === 'fcfs' ? EppOrderingPolicy.firstComeFirstServed() : l.ordering === 'edf' ? EppOrderingPolicy.earliestDeadline() : undefined,
  };
}

const PROFILE_CONFIGS = [
  () => EndpointPickerConfig.of({ scorers: [EppScorer.queue(3), EppScorer.kvCacheUtilization(1)] }),
  () => EndpointPickerConfig.of({ scorers: [EppScorer.prefixCache(5, { matchLengthWeight: 0.5 }), EppScorer.queue(1)] }),
  () => EndpointPickerConfig.of({ scorers: [EppScorer.prefixCache(2, { matchLengthScaleTokens: 4096 }), EppScorer.runningRequests(1)] }),
];

function build(c: Case): any[] {
  const { chart } = newChart();
  new ClusterProfile(chart, 'Cluster', { kubernetesVersion: c.latest ? KubernetesVersion.V1_37 : KubernetesVersion.V1_34, addons: ClusterAddon.defaults() });
  const objectives = c.priorities.map((p, i) => ({ name: `objective-${i}`, priority: p }));
  const flowOn = objectives.length > 0;
  const server = c.server === 'acme'
    ? ModelServer.custom({
      name: 'acme',
      image: 'ghcr.io/acme/server:1.0',
      args: ['--model', '{model}', '--port', '{port}'],
      eppMetrics: { queuedRequests: 'acme_requests{state=waiting}', runningRequests: 'acme_requests{state=running}', kvCacheUsage: 'acme_kv_usage' },
    })
    : ModelServer.vllm({ kvOffloadingSize: c.offloadGi === undefined ? undefined : Size.gibibytes(c.offloadGi) });
  const precise = c.precise && c.server === 'vllm';
  const first = precise ? EndpointPickerConfig.of({ scorers: [EppScorer.precisePrefixCache(4), EppScorer.queue(1)] }) : undefined;
  const config = c.profiles === 1 ? first : EndpointPickerProfiles.selectedByHeader({
    header: c.header,
    profiles: PROFILE_CONFIGS.slice(0, c.profiles).map((f, i) => ({ name: ['latency', 'cache', 'spread'][i], config: i === 0 && first ? first : f() })),
  });
  new InferenceService(chart, 'llm', {
    model: ModelSource.huggingFace('Qwen/Qwen2.5-0.5B-Instruct'),
    server,
    gpus: GpuRequest.of(1),
    objectives,
    endpointPicker: {
      config,
      featureGates: c.gate === undefined ? undefined : { haPopulateNonLeaderDatastore: c.gate },
      dataLayer: c.injectDefaults === undefined ? undefined : { injectDefaults: c.injectDefaults },
      flowControl: flowOn ? {
        maxRequests: c.maxRequests,
        maxBytes: c.maxBytesMi === undefined ? undefined : Size.mebibytes(c.maxBytesMi),
        eviction: c.eviction,
        priorityBands: c.priorities.filter((_, i) => c.bandFor[i]).map((priority, i) => ({ priority, ...limits(c.bands[i]) })),
        defaultPriorityBand: c.defaultBand && limits(c.defaultBand),
        defaultNegativePriorityBand: c.negativeBand && limits(c.negativeBand),
      } : undefined,
    },
    route: { gateway: 'inference-gateway' },
  });
  const objects = objectsOf(chart);
  checkInvariants(objects, c);
  const pods = objects.filter((o) => o.kind === 'Deployment').map((d) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { labels: d.spec.template.metadata.labels, name: `${d.metadata.name}-pod`, namespace: d.metadata.namespace },
    spec: d.spec.template.spec,
  }));
  return [...validatable(objects), ...pods];
}

function checkInvariants(objects: any[], c: Case): void {
  const fail = (what: string) => { throw new Error(`invariant broken: ${what}`); };
  const config = YAML.parse(objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'llm-epp').data['epp-config.yaml']);
  // A plugin without a name is named after its type (llm-d-router v0.10.0 pkg/epp/config/loader/defaults.go applyStaticDefaults).
  const names = config.plugins.map((p: any) => p.name ?? p.type);
  if (new Set(names).size !== names.length) fail(`duplicate plugin names ${names}`);
  const fcfg = config.flowControl ?? {};
  const bands = [fcfg.defaultPriorityBand, fcfg.defaultNegativePriorityBand, ...(fcfg.priorityBands ?? [])].filter((b) => b);
  const refs = [
    ...config.schedulingProfiles.flatMap((p: any) => p.plugins.map((x: any) => x.pluginRef)),
    ...bands.flatMap((b: any) => [b.fairnessPolicyRef, b.orderingPolicyRef].filter((r) => r)),
    ...(config.dataLayer?.sources ?? []).flatMap((x: any) => [x.pluginRef, ...x.extractors.map((e: any) => e.pluginRef)]),
  ];
  const dangling = refs.filter((r) => !names.includes(r));
  if (dangling.length) fail(`references to undeclared plugins ${dangling}`);
  const priorities = (fcfg.priorityBands ?? []).map((b: any) => b.priority);
  if (new Set(priorities).size !== priorities.length) fail(`duplicate band priorities ${priorities}`);
  if (c.priorities.length === 0 && Object.keys(fcfg).some((k) => k !== 'saturationDetector')) fail('flow-control settings with flow control off');
  const handlers = config.plugins.filter((p: any) => /-profile-handler$/.test(p.type));
  if (handlers.length !== (c.profiles > 1 ? 1 : 0)) fail(`${handlers.length} profile handlers`);
  if (c.profiles > 1 && !config.schedulingProfiles.some((p: any) => p.name === handlers[0].parameters.defaultProfile)) fail('default profile missing');
  const server = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'llm').spec.template.spec.containers[0];
  const precise = c.precise && c.server === 'vllm';
  if (precise !== server.args.includes('--kv-events-config')) fail(`--kv-events-config ${precise ? 'missing' : 'unexpected'}`);
  const sources = (config.dataLayer?.sources ?? []).map((x: any) => x.pluginRef);
  if (precise !== sources.includes('endpoint-notification-source')) fail(`data layer sources ${sources}`);
  if (precise) {
    const edge = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'llm')?.spec.ingress
      .some((r: any) => r.ports.some((p: any) => p.port === 5557) && r.from.some((f: any) => f.podSelector?.matchLabels?.['app.kubernetes.io/component'] === 'endpoint-picker'));
    if (!edge) fail('no allow from the picker on the KV-events port');
  }
  if (c.server === 'vllm' && c.offloadGi !== undefined) {
    const i = server.args.indexOf('--kv-offloading-size');
    if (Number(server.args[i + 1]) !== c.offloadGi) fail(`offload flag ${server.args[i + 1]}`);
    if (server.resources.requests.memory !== `${17 + c.offloadGi}Gi`) fail(`memory ${server.resources.requests.memory} for ${c.offloadGi}Gi offload`);
  }
}

describe('fast-check: generated flow-control, profile-set and engine-config services on the real apiserver', () => {
  beforeAll(() => jest.spyOn(console, 'warn').mockImplementation(() => undefined));
  afterAll(() => jest.restoreAllMocks());
  test('150 generated services', async () => {
    const report = await checkProperty(caseArb, build, { numRuns: 150 });
    console.log(`[flow-control properties] ${JSON.stringify(report)}`);
    expect(report.numRuns).toBe(150);
    expect(report.objects).toBeGreaterThanOrEqual(150 * 8);
  }, APISERVER_TIMEOUT);
});
