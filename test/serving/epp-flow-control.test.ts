/**
 * Issue 18: flow control that does something (priority bands, byte limits, fairness and ordering policies, eviction,
 * feature gates), a header-selected set of scheduling profiles, `engineConfigs` for a custom server, the data layer's
 * `injectDefaults`, and vLLM's native KV-cache offloading: what each renders, and every refusal with its error.
 */
import { Chart, Size } from 'cdk8s';
import { Construct } from 'constructs';
import * as YAML from 'yaml';
import { newChart, objectsOf } from './fixtures';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { ClusterAddon } from '../../src/cluster/cluster-addon';
import { ClusterProfile } from '../../src/cluster/cluster-profile';
import { EndpointPickerConfig, EppScorer } from '../../src/serving/endpoint-picker-config';
import { EppFairnessPolicy, EppOrderingPolicy } from '../../src/serving/epp-flow-control';
import { EndpointPickerProfiles } from '../../src/serving/epp-profile-set';
import { EppVersion } from '../../src/serving/epp-version';
import { InferenceService } from '../../src/serving/inference-service';
import { InferenceServiceProps } from '../../src/serving/inference-service-props';
import { ModelServer } from '../../src/serving/model-server';
import { ModelSource } from '../../src/serving/model-source';
import { badInputCatalogue } from '../harness';

const HF = ModelSource.huggingFace('Qwen/Qwen2.5-0.5B-Instruct');
const ROUTE = { gateway: 'inference-gateway' };
const OBJECTIVES = [{ name: 'interactive', priority: 10 }, { name: 'batch', priority: -1 }];

function service(scope: Construct, extra: Partial<InferenceServiceProps> = {}): InferenceService {
  new ClusterProfile(scope, 'Cluster', { addons: ClusterAddon.defaults() });
  return new InferenceService(scope, 'llm', { model: HF, gpus: GpuRequest.of(1), route: ROUTE, ...extra });
}

function pickerConfig(chart: Chart, name = 'llm'): any {
  const cm = objectsOf(chart).find((o) => o.kind === 'ConfigMap' && o.metadata.name === `${name}-epp`);
  return YAML.parse(cm.data['epp-config.yaml']);
}

function pickerArgs(chart: Chart, name = 'llm'): string[] {
  return objectsOf(chart).find((o) => o.kind === 'Deployment' && o.metadata.name === `${name}-epp`).spec.template.spec.containers[0].args;
}

function server(chart: Chart, name = 'llm'): any {
  return objectsOf(chart).find((o) => o.kind === 'Deployment' && o.metadata.name === name).spec.template.spec.containers[0];
}

const acme = (eppMetrics: any, extra: any = {}) => ModelServer.custom({ name: 'acme', image: 'ghcr.io/acme/server:1.0', args: ['--model', '{model}'], eppMetrics, ...extra });

const twoProfiles = (extra: any = {}) => EndpointPickerProfiles.selectedByHeader({
  profiles: [
    { name: 'latency', config: EndpointPickerConfig.of({ scorers: [EppScorer.queue(3), EppScorer.kvCacheUtilization(1)] }) },
    { name: 'cache', config: EndpointPickerConfig.of({ scorers: [EppScorer.prefixCache(5, { matchLengthWeight: 0.5 }), EppScorer.queue(1)] }) },
  ],
  ...extra,
});

describe('flow control', () => {
  test('priority bands, template bands, byte limit, policies and eviction render as v0.10.0 FlowControlConfig', () => {
    const { chart } = newChart();
    service(chart, {
      objectives: OBJECTIVES,
      endpointPicker: {
        flowControl: {
          maxRequests: 500,
          maxBytes: Size.gibibytes(2),
          eviction: true,
          priorityBands: [
            { priority: 10, maxRequests: 100, fairness: EppFairnessPolicy.roundRobin(), ordering: EppOrderingPolicy.earliestDeadline() },
          ],
          defaultPriorityBand: { maxBytes: Size.mebibytes(256) },
          defaultNegativePriorityBand: { maxRequests: 10 },
        },
      },
    });
    const doc = pickerConfig(chart);
    expect(doc.featureGates).toEqual(['flowControl']);
    expect(doc.flowControl).toEqual({
      maxRequests: '500',
      maxBytes: String(2 * 2 ** 30),
      defaultPriorityBand: { priority: 0, maxBytes: String(256 * 2 ** 20) },
      defaultNegativePriorityBand: { priority: 0, maxRequests: '10' },
      priorityBands: [{ priority: 10, maxRequests: '100', fairnessPolicyRef: 'round-robin-fairness-policy', orderingPolicyRef: 'edf-ordering-policy' }],
      enableEviction: true,
    });
    // The policies a band names are declared (the loader only declares the defaults, loader/defaults.go ensureFlowControlLayer).
    expect(doc.plugins).toEqual(expect.arrayContaining([{ type: 'round-robin-fairness-policy' }, { type: 'edf-ordering-policy' }]));
  });

  test('the default policies are not declared twice', () => {
    const { chart } = newChart();
    const priorityBands = [{ priority: 10, fairness: EppFairnessPolicy.globalStrict() }];
    service(chart, { objectives: OBJECTIVES, endpointPicker: { flowControl: { priorityBands } } });
    expect(pickerConfig(chart).plugins.filter((p: any) => p.type === 'global-strict-fairness-policy')).toHaveLength(1);
  });

  test('feature gates other than flowControl are written as name=value', () => {
    const { chart } = newChart();
    service(chart, { endpointPicker: { featureGates: { haPopulateNonLeaderDatastore: false } } });
    expect(pickerConfig(chart).featureGates).toEqual(['haPopulateNonLeaderDatastore=false']);
  });

  test('nothing new is written when the new props are unset', () => {
    const { chart } = newChart();
    service(chart, { objectives: OBJECTIVES });
    const doc = pickerConfig(chart);
    expect(doc.featureGates).toEqual(['flowControl']);
    expect(doc.flowControl).toBeUndefined();
    expect(doc.dataLayer).toBeUndefined();
  });
});

describe('a header-selected profile set', () => {
  test('renders one profile per entry, each with its picker, and the header-profile-handler; the picker allows Alpha plugins', () => {
    const { chart } = newChart();
    service(chart, { endpointPicker: { config: twoProfiles({ header: 'X-Routing-Profile', defaultProfile: 'cache' }) } });
    const doc = pickerConfig(chart);
    expect(doc.schedulingProfiles.map((p: any) => p.name)).toEqual(['latency', 'cache']);
    expect(doc.schedulingProfiles[1].plugins).toEqual([
      { pluginRef: 'max-score-picker' }, { pluginRef: 'prefix-cache-scorer', weight: 5 }, { pluginRef: 'queue-scorer', weight: 1 },
    ]);
    expect(doc.plugins).toContainEqual({ type: 'header-profile-handler', parameters: { headerName: 'x-routing-profile', defaultProfile: 'cache' } });
    expect(pickerArgs(chart)).toContain('--allow-experimental-plugins');
  });

  test('a scorer type with different parameters in two profiles is declared twice, under a per-profile name', () => {
    const { chart } = newChart();
    service(chart, {
      endpointPicker: {
        config: EndpointPickerProfiles.selectedByHeader({
          profiles: [
            { name: 'short', config: EndpointPickerConfig.of({ scorers: [EppScorer.prefixCache(2)] }) },
            { name: 'long', config: EndpointPickerConfig.of({ scorers: [EppScorer.prefixCache(2, { matchLengthScaleTokens: 32768 })] }) },
          ],
        }),
      },
    });
    const doc = pickerConfig(chart);
    expect(doc.plugins).toContainEqual({ name: 'long-prefix-cache-scorer', type: 'prefix-cache-scorer', parameters: { matchLengthScaleTokens: 32768 } });
    expect(doc.plugins).toContainEqual({ type: 'header-profile-handler', parameters: { headerName: 'epp-profile', defaultProfile: 'short' } });
  });
});

describe('engineConfigs and the data layer', () => {
  test('a custom server with metric names is its own engine: labelled with its name, engineConfigs in the extractor', () => {
    const { chart } = newChart();
    service(chart, { server: acme({ queuedRequests: 'acme_queue{state=waiting}', kvCacheUsage: 'acme_kv' }) });
    const doc = pickerConfig(chart);
    expect(doc.plugins).toContainEqual({
      type: 'core-metrics-extractor',
      parameters: { defaultEngine: 'acme', engineConfigs: [{ name: 'acme', queuedRequestsSpec: 'acme_queue{state=waiting}', kvUsageSpec: 'acme_kv' }] },
    });
    // The picker's default profile reads the queue and KV metrics the server now exports to it.
    expect(doc.schedulingProfiles[0].plugins.map((p: any) => p.pluginRef)).toEqual(['queue-scorer', 'kv-cache-utilization-scorer', 'prefix-cache-scorer']);
    const pods = objectsOf(chart).find((o) => o.kind === 'Deployment' && o.metadata.name === 'llm').spec.template.metadata.labels;
    expect(pods['llm-d.ai/engine-type']).toBe('acme');
  });

  test('injectDefaults: false writes the metrics source and extractor into dataLayer.sources', () => {
    const { chart } = newChart();
    service(chart, { endpointPicker: { dataLayer: { injectDefaults: false } } });
    expect(pickerConfig(chart).dataLayer).toEqual({
      injectDefaults: false, sources: [{ pluginRef: 'metrics-data-source', extractors: [{ pluginRef: 'core-metrics-extractor' }] }],
    });
  });

  test('a metric-free server keeps injectDefaults false', () => {
    const { chart } = newChart();
    service(chart, { server: ModelServer.tgi(), endpointPicker: { dataLayer: { injectDefaults: false } } });
    expect(pickerConfig(chart).dataLayer).toEqual({ injectDefaults: false });
  });
});

describe('precise prefix-cache routing from KV events', () => {
  const precise = () => EndpointPickerConfig.of({ scorers: [EppScorer.precisePrefixCache(3), EppScorer.queue(1)] });

  test('the picker gets the token producer, the precise producer fed by endpoint notifications, and the bound scorer', () => {
    const { chart } = newChart();
    service(chart, { endpointPicker: { config: precise() } });
    const doc = pickerConfig(chart);
    expect(doc.plugins).toEqual(expect.arrayContaining([
      { type: 'prefix-cache-scorer', parameters: { prefixMatchInfoProducerName: 'precise-prefix-cache-producer' } },
      { type: 'token-producer', parameters: { modelName: 'Qwen/Qwen2.5-0.5B-Instruct', vllm: { url: 'http://llm.serving.svc:8000' } } },
      {
        type: 'precise-prefix-cache-producer',
        parameters: { kvEventsConfig: { topicFilter: 'kv@', discoverPods: true, podDiscoveryConfig: { socketPort: 5557 } } },
      },
      { type: 'endpoint-notification-source' },
    ]));
    expect(doc.dataLayer).toEqual({ sources: [{ pluginRef: 'endpoint-notification-source', extractors: [{ pluginRef: 'precise-prefix-cache-producer' }] }] });
  });

  test('vLLM publishes its KV events on 5557 under kv@<pod IP>@<model>, and the picker may reach that port', () => {
    const { chart } = newChart();
    service(chart, { endpointPicker: { config: precise(), dataLayer: { injectDefaults: false } } });
    const c = server(chart);
    const i = c.args.indexOf('--kv-events-config');
    expect(JSON.parse(c.args[i + 1])).toEqual({
      enable_kv_cache_events: true, publisher: 'zmq', endpoint: 'tcp://*:5557', topic: 'kv@$(POD_IP)@Qwen/Qwen2.5-0.5B-Instruct',
    });
    expect(c.env).toContainEqual({ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } });
    expect(c.ports).toContainEqual({ name: 'kv-events', containerPort: 5557, protocol: 'TCP' });
    const policy = objectsOf(chart).find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'llm');
    expect(policy.spec.ingress).toContainEqual({
      from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/component': 'endpoint-picker', 'app.kubernetes.io/instance': 'llm' } } }],
      ports: [{ port: 5557, protocol: 'TCP' }],
    });
    // With injectDefaults false the metrics source is written next to the notification source.
    expect(pickerConfig(chart).dataLayer.sources.map((s: any) => s.pluginRef)).toEqual(['metrics-data-source', 'endpoint-notification-source']);
  });

  test('a service without the scorer publishes nothing', () => {
    const { chart } = newChart();
    service(chart);
    expect(server(chart).args).not.toContain('--kv-events-config');
    expect(JSON.stringify(pickerConfig(chart))).not.toContain('precise');
  });
});

describe('KV-cache offloading', () => {
  test('vLLM gets the native offload flags and the buffer is added to its memory request', () => {
    const { chart } = newChart();
    service(chart, { server: ModelServer.vllm({ kvOffloadingSize: Size.gibibytes(32) }) });
    const c = server(chart);
    expect(c.args.join(' ')).toContain('--kv-offloading-size 32 --kv-offloading-backend native');
    expect(c.resources.requests.memory).toBe('49Gi'); // 16Gi per GPU + 1Gi /dev/shm + 32Gi
    expect(c.resources.limits.memory).toBe('49Gi');
  });

  test('a fractional size is written in GiB as vLLM reads it', () => {
    const { chart } = newChart();
    service(chart, { server: ModelServer.vllm({ kvOffloadingSize: Size.mebibytes(512) }) });
    expect(server(chart).args.join(' ')).toContain('--kv-offloading-size 0.5 ');
  });
});

const P = '[bad-input/llm]';
const PRECISE_ONLY = () => EndpointPickerConfig.of({ scorers: [EppScorer.precisePrefixCache()] });
const inBadInput = (s: Construct, extra: Partial<InferenceServiceProps>) => {
  new ClusterProfile(s, 'Cluster', { addons: ClusterAddon.defaults() });
  return new InferenceService(s, 'llm', { model: HF, gpus: GpuRequest.of(1), route: ROUTE, ...extra });
};

beforeAll(() => {
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
});

badInputCatalogue([
  {
    name: 'band settings while flow control is off',
    error: `${P} endpointPicker.flowControl.priorityBands (endpoint_picker.flow_control.priorityBands): is set, but flow control is off`,
    build: (s) => inBadInput(s, { endpointPicker: { flowControl: { priorityBands: [{ priority: 1, maxRequests: 5 }] } } }),
  },
  {
    name: 'eviction while flow control is off',
    error: 'endpointPicker.flowControl.eviction (endpoint_picker.flow_control.eviction): is set, but flow control is off',
    build: (s) => inBadInput(s, { endpointPicker: { flowControl: { enabled: false, eviction: true } } }),
  },
  {
    name: 'two bands of one priority',
    error: /endpointPicker\.flowControl\.priorityBands\[1\]\.priority.*got 10; expected a priority no other band has/,
    build: (s) => inBadInput(s, { objectives: OBJECTIVES, endpointPicker: { flowControl: { priorityBands: [{ priority: 10 }, { priority: 10 }] } } }),
  },
  {
    name: 'a band priority that is not an integer',
    error: /endpointPicker\.flowControl\.priorityBands\[0\]\.priority.*got 1\.5/,
    build: (s) => inBadInput(s, { objectives: OBJECTIVES, endpointPicker: { flowControl: { priorityBands: [{ priority: 1.5 }] } } }),
  },
  {
    name: 'a band maxRequests of 0 (the picker reads 0 as its default)',
    error: /endpointPicker\.flowControl\.defaultNegativePriorityBand\.maxRequests.*got 0/,
    build: (s) => inBadInput(s, { objectives: OBJECTIVES, endpointPicker: { flowControl: { defaultNegativePriorityBand: { maxRequests: 0 } } } }),
  },
  {
    name: 'a fractional byte limit',
    error: /endpointPicker\.flowControl\.maxBytes.*expected a whole number of bytes/,
    build: (s) => inBadInput(s, { objectives: OBJECTIVES, endpointPicker: { flowControl: { maxBytes: Size.kibibytes(0.0001) } } }),
  },
  {
    name: 'a band byte limit given as a string',
    error: /endpointPicker\.flowControl\.priorityBands\[0\]\.maxBytes.*got "1Gi"/,
    build: (s) => inBadInput(s, { objectives: OBJECTIVES, endpointPicker: { flowControl: { priorityBands: [{ priority: 1, maxBytes: '1Gi' as any }] } } }),
  },
  {
    name: 'a fairness policy given as a string',
    error: /endpointPicker\.flowControl\.priorityBands\[0\]\.fairness/,
    build: (s) => inBadInput(s, { objectives: OBJECTIVES, endpointPicker: { flowControl: { priorityBands: [{ priority: 1, fairness: 'round-robin' as any }] } } }),
  },
  {
    name: 'the flowControl feature gate set directly',
    error: 'endpointPicker.featureGates.flowControl (endpoint_picker.feature_gates.flowControl): is set; flow control is turned on and off with endpointPicker.flowControl.enabled',
    build: (s) => inBadInput(s, { endpointPicker: { featureGates: { flowControl: true } } }),
  },
  {
    name: 'a feature gate the release does not register',
    error: /endpointPicker\.featureGates\.dataLayer.*got "dataLayer"; expected a config feature gate of the endpoint picker v0\.10\.0 .*haPopulateNonLeaderDatastore/,
    build: (s) => inBadInput(s, { endpointPicker: { featureGates: { dataLayer: true } } }),
  },
  {
    name: 'a feature gate of v0.10.0 on v0.9.0',
    error: /endpointPicker\.featureGates\.haPopulateNonLeaderDatastore.*v0\.9\.0/,
    build: (s) => inBadInput(s, { endpointPicker: { version: EppVersion.V0_9_0, featureGates: { haPopulateNonLeaderDatastore: false } } }),
  },
  {
    name: 'a profile set of one profile',
    error: /endpointPicker\.config\.profiles.*has 1 profile\(s\); a profile set needs at least two/,
    build: (s) => inBadInput(s, { endpointPicker: { config: EndpointPickerProfiles.selectedByHeader({ profiles: [{ name: 'a', config: EndpointPickerConfig.defaults() }] }) } }),
  },
  {
    name: 'two profiles of one name',
    error: /endpointPicker\.config\.profiles\[1\]\.name.*got "a"; expected a name no other profile of the set has/,
    build: (s) => inBadInput(s, {
      endpointPicker: {
        config: EndpointPickerProfiles.selectedByHeader({
          profiles: [{ name: 'a', config: EndpointPickerConfig.defaults() }, { name: 'a', config: EndpointPickerConfig.metricFree() }],
        }),
      },
    }),
  },
  {
    name: 'a profile name that is not a DNS label',
    error: /endpointPicker\.config\.profiles\[0\]\.name.*got "Fast Lane"/,
    build: (s) => inBadInput(s, { endpointPicker: { config: EndpointPickerProfiles.selectedByHeader({ profiles: [{ name: 'Fast Lane', config: EndpointPickerConfig.defaults() }, { name: 'b', config: EndpointPickerConfig.defaults() }] }) } }),
  },
  {
    name: 'a default profile not in the set',
    error: /endpointPicker\.config\.defaultProfile.*got "decode"; expected a profile of the set \(latency, cache\)/,
    build: (s) => inBadInput(s, { endpointPicker: { config: twoProfiles({ defaultProfile: 'decode' }) } }),
  },
  {
    name: 'a header that is not an HTTP header name',
    error: /endpointPicker\.config\.header.*got ":path"/,
    build: (s) => inBadInput(s, { endpointPicker: { config: twoProfiles({ header: ':path' }) } }),
  },
  {
    name: 'a disaggregated config inside a profile set',
    error: /endpointPicker\.config\.profiles\[1\]\.config.*is a disaggregated config or a profile set/,
    build: (s) => inBadInput(s, {
      endpointPicker: {
        config: EndpointPickerProfiles.selectedByHeader({
          profiles: [{ name: 'a', config: EndpointPickerConfig.defaults() }, { name: 'b', config: EndpointPickerConfig.disaggregated() }],
        }),
      },
    }),
  },
  {
    name: 'a profile whose scorer reads a metric the server does not export',
    error: /endpointPicker\.config\.profiles\[0\]\.config\.scorers.*queue-scorer reads the server's Queue metric, which TGI/,
    build: (s) => inBadInput(s, { server: ModelServer.tgi(), endpointPicker: { config: twoProfiles() } }),
  },
  {
    name: 'a profile set with experimental plugins refused',
    error: /endpointPicker\.allowExperimentalPlugins.*header-profile-handler/,
    build: (s) => inBadInput(s, { endpointPicker: { config: twoProfiles(), allowExperimentalPlugins: false } }),
  },
  {
    name: 'a profile set on a disaggregated service',
    error: /endpointPicker\.config.*is a single scheduling profile, but the service is disaggregated/,
    build: (s) => inBadInput(s, { disaggregation: { prefill: { replicas: 1 } }, endpointPicker: { config: twoProfiles() } }),
  },
  {
    name: 'a profile set as the decode profile of a disaggregated config',
    error: '[EndpointPickerConfig.disaggregated] decode: is itself a disaggregated config or a profile set',
    build: () => EndpointPickerConfig.disaggregated({ decode: twoProfiles() }),
  },
  {
    name: 'injectDefaults true for a metric-free server',
    error: /endpointPicker\.dataLayer\.injectDefaults.*got true; expected false or unset: the server exports no metrics/,
    build: (s) => inBadInput(s, { server: ModelServer.tgi(), endpointPicker: { dataLayer: { injectDefaults: true } } }),
  },
  {
    name: 'eppMetrics with eppEngineType',
    error: 'server.eppMetrics (server.epp_metrics): is set together with eppEngineType',
    build: (s) => inBadInput(s, { server: acme({ queuedRequests: 'q' }, { eppEngineType: 'vllm' }) }),
  },
  {
    name: 'eppMetrics naming no metric',
    error: 'server.eppMetrics (server.epp_metrics): names no metric',
    build: (s) => inBadInput(s, { server: acme({}) }),
  },
  {
    name: 'a metric spec that is not a Prometheus selector',
    error: /server\.eppMetrics\.kvCacheUsage.*got "acme kv"; expected a Prometheus metric name/,
    build: (s) => inBadInput(s, { server: acme({ kvCacheUsage: 'acme kv' }) }),
  },
  {
    name: 'a metric spec with a broken label matcher',
    error: /server\.eppMetrics\.queuedRequests.*got "q\{state\}"/,
    build: (s) => inBadInput(s, { server: acme({ queuedRequests: 'q{state}' }) }),
  },
  {
    name: 'eppMetrics on a server named like a built-in engine',
    error: /server\.name.*got "sglang"; expected a name other than default, vllm, sglang/,
    build: (s) => inBadInput(s, { server: ModelServer.custom({ name: 'sglang', image: 'ghcr.io/acme/s:1', args: ['{model}'], eppMetrics: { queuedRequests: 'q' } }) }),
  },
  {
    name: 'eppMetrics on a server named "default" (reserved by the picker)',
    error: /server\.name.*got "default"/,
    build: (s) => inBadInput(s, { server: ModelServer.custom({ name: 'default', image: 'ghcr.io/acme/s:1', args: ['{model}'], eppMetrics: { queuedRequests: 'q' } }) }),
  },
  {
    name: 'a scorer reading a metric eppMetrics leaves out',
    error: /kv-cache-utilization-scorer reads the server's KvCache metric, which acme/,
    build: (s) => inBadInput(s, { server: acme({ queuedRequests: 'q' }), endpointPicker: { config: EndpointPickerConfig.defaults() } }),
  },
  {
    name: 'precise prefix routing on a server that publishes no KV events',
    error: /endpointPicker\.config.*uses EppScorer\.precisePrefixCache\(\).*, but SGLang publishes no KV-cache events here/,
    build: (s) => inBadInput(s, { server: ModelServer.sglang(), endpointPicker: { config: PRECISE_ONLY() } }),
  },
  {
    name: 'precise prefix routing with vLLM prefix caching off',
    error: /uses EppScorer\.precisePrefixCache\(\).*, but vLLM publishes no KV-cache events here \(use ModelServer\.vllm\(\) with prefix caching on\)/,
    build: (s) => inBadInput(s, {
      server: ModelServer.vllm({ enablePrefixCaching: false }),
      endpointPicker: { config: EndpointPickerConfig.of({ scorers: [EppScorer.precisePrefixCache()] }) },
    }),
  },
  {
    name: 'precise prefix routing with data parallelism',
    error: /uses EppScorer\.precisePrefixCache\(\).*, but each data-parallel rank publishes on its own port/,
    build: (s) => inBadInput(s, {
      gpus: GpuRequest.of(2),
      parallelism: { tensor: 1, data: 2 },
      endpointPicker: { config: EndpointPickerConfig.of({ scorers: [EppScorer.precisePrefixCache()] }) },
    }),
  },
  {
    name: 'precise prefix routing on a disaggregated service',
    error: /uses EppScorer\.precisePrefixCache\(\).*, which is not wired for a prefill\/decode disaggregated service here/,
    build: (s) => inBadInput(s, {
      disaggregation: { prefill: { replicas: 1 } },
      endpointPicker: {
        config: EndpointPickerConfig.disaggregated({
          decode: EndpointPickerConfig.of({ scorers: [EppScorer.prefixCache(), EppScorer.precisePrefixCache()] }),
        }),
      },
    }),
  },
  {
    name: 'precise prefix routing with a served name containing "@"',
    error: /the served model name "qwen@v2" contains "@"/,
    build: (s) => inBadInput(s, { servedModelName: 'qwen@v2', endpointPicker: { config: EndpointPickerConfig.of({ scorers: [EppScorer.precisePrefixCache()] }) } }),
  },
  {
    name: 'precise and approximate prefix scorers in one profile',
    error: /endpointPicker\.config.*got "prefix-cache-scorer"; expected each plugin at most once in a profile/,
    build: (s) => inBadInput(s, {
      endpointPicker: { config: EndpointPickerConfig.of({ scorers: [EppScorer.prefixCache(), EppScorer.precisePrefixCache()] }) },
    }),
  },
  {
    name: 'priority bands on the v0.9.0 picker',
    error: /endpointPicker\.flowControl\.priorityBands.*is set with EppVersion v0\.9\.0; priority bands, byte limits and eviction are checked against the v0\.10\.0/,
    build: (s) => inBadInput(s, {
      objectives: OBJECTIVES, endpointPicker: { version: EppVersion.V0_9_0, flowControl: { priorityBands: [{ priority: 10 }] } },
    }),
  },
  {
    name: 'precise prefix routing on the v0.9.0 picker',
    error: /endpointPicker\.config.*with EppVersion v0\.9\.0; its plugins and parameters are checked against v0\.10\.0 only/,
    build: (s) => inBadInput(s, { endpointPicker: { version: EppVersion.V0_9_0, config: PRECISE_ONLY() } }),
  },
  {
    name: 'a KV offload buffer under 1Mi',
    error: /server\.kvOffloadingSize.*got "512Ki"; expected at least 1Mi/,
    build: (s) => inBadInput(s, { server: ModelServer.vllm({ kvOffloadingSize: Size.kibibytes(512) }) }),
  },
  {
    name: 'KV offloading with its flags also in extraArgs',
    error: 'server.extraArgs (server.extra_args): sets --kv-offloading-backend, which kvOffloadingSize generates',
    build: (s) => inBadInput(s, { server: ModelServer.vllm({ kvOffloadingSize: Size.gibibytes(8), extraArgs: ['--kv-offloading-backend', 'lmcache'] }) }),
  },
  {
    name: 'KV offloading on a disaggregated service',
    error: /server\.kvOffloadingSize.*is set on a disaggregated service; vLLM v0\.25\.1 would replace the NIXL connector/,
    build: (s) => inBadInput(s, { server: ModelServer.vllm({ kvOffloadingSize: Size.gibibytes(8) }), disaggregation: { prefill: { replicas: 1 } } }),
  },
  {
    name: 'a memory limit the offload buffer does not fit in',
    error: /resources\.memory.*24Gi is not above the 32Gi KV-cache offload buffer/,
    build: (s) => inBadInput(s, { server: ModelServer.vllm({ kvOffloadingSize: Size.gibibytes(32) }), resources: { memory: '24Gi' } }),
  },
], { title: 'issue 18 bad inputs' });
