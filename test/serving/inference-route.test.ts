import { Chart, Duration, Testing } from 'cdk8s';
import { parse as parseYaml } from 'yaml';
import { findObject, llama, loraCanary, newChart, objectsOf } from './fixtures';
import { ClusterAddon } from '../../src/cluster/cluster-addon';
import { ClusterProfile } from '../../src/cluster/cluster-profile';
import { EppFailureMode } from '../../src/serving/endpoint-picker';
import { EndpointPickerConfig, EppFilter, EppPicker, EppScorer } from '../../src/serving/endpoint-picker-config';
import { EppPluginMaturity, EppVersion } from '../../src/serving/epp-version';
import { GatewayProvider } from '../../src/serving/gateway-provider';
import { InferenceRoute } from '../../src/serving/inference-route';
import { ModelServer } from '../../src/serving/model-server';

function canary(provider?: GatewayProvider) {
  const { app, chart } = newChart();
  const stable = llama(chart, 'stable', ModelServer.vllm(), { replicas: 2 });
  const candidate = llama(chart, 'candidate', ModelServer.vllm());
  const route = new InferenceRoute(chart, 'chat', {
    gateway: 'inference-gateway', provider, backends: [{ service: stable, weight: 90 }, { service: candidate, weight: 10 }],
  });
  return { app, chart, stable, candidate, route };
}

const backendRefs = (objects: any[]) => findObject(objects, 'HTTPRoute').spec.rules[0].backendRefs.map((b: any) => [b.name, b.weight]);

describe('InferenceRoute: canary and the eval-gate hooks', () => {
  test('weighted split over two pools, each with its own picker', () => {
    const { chart, stable, candidate, route } = canary();
    const objects = objectsOf(chart);
    expect(backendRefs(objects)).toEqual([['stable', 90], ['candidate', 10]]);
    expect(objects.filter((o) => o.kind === 'InferencePool').map((o) => o.metadata.name)).toEqual(['stable', 'candidate']);
    expect(stable.routes).toEqual([route]);
    expect(route.backends.map((b) => [b.service, b.weight, b.effectiveWeight])).toEqual([[stable, 90, 90], [candidate, 10, 10]]);
  });

  test('holdBackend keeps the canary at 0 with the reason annotated; releaseBackend restores it', () => {
    const { chart, candidate, route } = canary();
    route.holdBackend(candidate, 'gsm8k eval pending');
    let objects = objectsOf(chart);
    expect(backendRefs(objects)).toEqual([['stable', 90], ['candidate', 0]]);
    expect(findObject(objects, 'HTTPRoute').metadata.annotations).toEqual({ [InferenceRoute.HELD_ANNOTATION]: 'candidate: gsm8k eval pending' });
    expect(route.backends[1]).toMatchObject({ weight: 10, effectiveWeight: 0, heldReason: 'gsm8k eval pending' });
    route.releaseBackend(candidate);
    objects = objectsOf(chart);
    expect(backendRefs(objects)).toEqual([['stable', 90], ['candidate', 10]]);
    expect(findObject(objects, 'HTTPRoute').metadata.annotations).toBeUndefined();
  });

  test('setBackendWeight steps the split; the sum is checked at synth', () => {
    const { chart, stable, candidate, route } = canary();
    route.setBackendWeight(candidate, 50);
    route.setBackendWeight(stable, 50);
    expect(backendRefs(objectsOf(chart))).toEqual([['stable', 50], ['candidate', 50]]);
  });

  test('routing by model name: one header-matched rule per model, the default rule last', () => {
    const { chart } = newChart();
    const a = llama(chart, 'a', ModelServer.vllm(), { servedModelName: 'llama' });
    const b = llama(chart, 'b', ModelServer.sglang(), { servedModelName: 'qwen' });
    new InferenceRoute(chart, 'models', {
      gateway: 'gw',
      modelNameHeader: 'X-Model',
      backends: [{ service: a }],
      models: [{ modelName: 'qwen', backends: [{ service: b }] }, { modelName: 'llama', backends: [{ service: a }] }],
    });
    const rules = findObject(objectsOf(chart), 'HTTPRoute').spec.rules;
    expect(rules.map((r: any) => [r.matches[0].headers?.[0].value, r.backendRefs[0].name])).toEqual([['qwen', 'b'], ['llama', 'a'], [undefined, 'a']]);
    expect(rules[0].matches[0].headers[0]).toEqual({ type: 'Exact', name: 'X-Model', value: 'qwen' });
  });

  test('a LoRA adapter and a rewrite alias are model names a rule may route', () => {
    const { chart } = newChart();
    const llm = loraCanary(chart);
    new InferenceRoute(chart, 'sql', { gateway: 'gw', models: [{ modelName: 'sql', backends: [{ service: llm }] }, { modelName: 'sql-v1', backends: [{ service: llm }] }] });
    expect(llm.modelNames).toEqual(['meta-llama/Llama-3.1-8B-Instruct', 'sql-v1', 'sql-v2', 'sql']);
    expect(llm.routes).toHaveLength(2);
    expect(objectsOf(chart).filter((o) => o.kind === 'InferencePool')).toHaveLength(1);
  });

  test('a route in another namespace references the pools there and gets a ReferenceGrant', () => {
    const app = Testing.app();
    const models = new Chart(app, 'models', { namespace: 'models' });
    const routes = new Chart(app, 'routes', { namespace: 'gateways' });
    const llm = llama(models, 'llama', ModelServer.vllm());
    const route = new InferenceRoute(routes, 'chat', { gateway: 'gw', backends: [{ service: llm }] });
    const objects = Testing.synth(routes);
    expect(findObject(objects, 'HTTPRoute').spec.rules[0].backendRefs[0]).toEqual({ group: 'inference.networking.k8s.io', kind: 'InferencePool', name: 'llama', namespace: 'models' });
    const grant = findObject(objects, 'ReferenceGrant');
    expect(grant.metadata.namespace).toBe('models');
    expect(grant.spec).toEqual({
      from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'gateways' }],
      to: [{ group: 'inference.networking.k8s.io', kind: 'InferencePool', name: 'llama' }],
    });
    expect(route.referenceGrants).toHaveLength(1);
  });
});

describe('gateway providers', () => {
  test('generic: HTTPRoute timeouts, hostnames, listener and path prefix', () => {
    const { chart } = newChart();
    llama(chart, 'llama', ModelServer.vllm(), {
      route: { gateway: 'gateways/gw', gatewaySection: 'https', hostnames: ['llm.example.com'], pathPrefix: '/v1', requestTimeout: Duration.minutes(5) },
    });
    const spec = findObject(objectsOf(chart), 'HTTPRoute').spec;
    expect(spec.parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'gw', namespace: 'gateways', sectionName: 'https' }]);
    expect(spec.hostnames).toEqual(['llm.example.com']);
    expect(spec.rules[0].timeouts).toEqual({ request: '300s' });
    expect(spec.rules[0].matches[0].path.value).toBe('/v1');
  });

  test('istio: a DestinationRule originates TLS to the self-signed picker; none when the picker is plaintext', () => {
    const { chart } = newChart();
    llama(chart, 'tls', ModelServer.vllm(), { route: { gateway: 'gw', provider: GatewayProvider.istio() } });
    llama(chart, 'plain', ModelServer.vllm(), { route: { gateway: 'gw', provider: GatewayProvider.istio({ eppTls: false }) } });
    const objects = objectsOf(chart);
    const rules = objects.filter((o) => o.kind === 'DestinationRule');
    expect(rules).toHaveLength(1);
    expect(rules[0]).toMatchObject({
      apiVersion: 'networking.istio.io/v1',
      metadata: { name: 'tls-epp', namespace: 'serving' },
      spec: { host: 'tls-epp.serving.svc.cluster.local', trafficPolicy: { tls: { mode: 'SIMPLE', insecureSkipVerify: true } } },
    });
    expect(findObject(objects, 'Deployment', 'plain-epp').spec.template.spec.containers[0].args).toContain('--secure-serving=false');
    expect(findObject(objects, 'Service', 'plain-epp').spec.ports[0].appProtocol).toBe('kubernetes.io/h2c');
    expect(findObject(objects, 'Service', 'tls-epp').spec.ports[0].appProtocol).toBe('http2');
  });

  test('agentgateway: plaintext picker', () => {
    const { chart } = newChart();
    llama(chart, 'llama', ModelServer.vllm(), { route: { gateway: 'gw', provider: GatewayProvider.agentgateway() } });
    expect(findObject(objectsOf(chart), 'Deployment', 'llama-epp').spec.template.spec.containers[0].args).toContain('--secure-serving=false');
  });

  test('gke: HealthCheckPolicy on the pool, timeout as GCPBackendPolicy instead of HTTPRoute timeouts', () => {
    const { chart } = newChart();
    llama(chart, 'llama', ModelServer.sglang(), { route: { gateway: 'gw', provider: GatewayProvider.gke(), requestTimeout: Duration.minutes(10) } });
    const objects = objectsOf(chart);
    expect(findObject(objects, 'HealthCheckPolicy').spec).toEqual({
      targetRef: { group: 'inference.networking.k8s.io', kind: 'InferencePool', name: 'llama' },
      default: { config: { type: 'HTTP', httpHealthCheck: { requestPath: '/health', port: 8000 } } },
    });
    expect(findObject(objects, 'GCPBackendPolicy').spec.default).toEqual({ timeoutSec: 600 });
    expect(findObject(objects, 'HTTPRoute').spec.rules[0].timeouts).toBeUndefined();
  });

  test('one pool may sit behind several routes of the same provider', () => {
    const { chart, stable } = canary(GatewayProvider.istio());
    new InferenceRoute(chart, 'direct', { gateway: 'gw', provider: GatewayProvider.istio(), backends: [{ service: stable }] });
    expect(objectsOf(chart).filter((o) => o.kind === 'DestinationRule')).toHaveLength(2);
    expect(stable.routes).toHaveLength(2);
  });
});

describe('endpoint picker', () => {
  test('highly available: leader election and exactly the lease permissions it needs', () => {
    const { chart } = newChart();
    llama(chart, 'llama', ModelServer.vllm(), {
      route: { gateway: 'gw' },
      endpointPicker: { replicas: 3, failureMode: EppFailureMode.FAIL_CLOSE, extraFlags: { 'v': '2', 'refresh-metrics-interval': '100ms' }, resources: { cpu: '4', memory: '8Gi' } },
    });
    const objects = objectsOf(chart);
    const epp = findObject(objects, 'Deployment', 'llama-epp').spec;
    expect(epp.replicas).toBe(3);
    expect(epp.template.spec.containers[0].args).toEqual(expect.arrayContaining(['--ha-enable-leader-election', '--v=2', '--refresh-metrics-interval=100ms']));
    // The memory limit is the memory the user gave; no CPU limit (the llm-d chart's); replicas spread across nodes.
    expect(epp.template.spec.containers[0].resources).toEqual({ requests: { cpu: '4', memory: '8Gi' }, limits: { memory: '8Gi' } });
    expect(epp.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution).toEqual([{
      weight: 100,
      podAffinityTerm: { labelSelector: { matchLabels: epp.selector.matchLabels }, topologyKey: 'kubernetes.io/hostname' },
    }]);
    expect(findObject(objects, 'Role').rules).toEqual(expect.arrayContaining([
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] },
      { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
    ]));
    expect(findObject(objects, 'InferencePool').spec.endpointPickerRef.failureMode).toBe('FailClose');
  });

  test('EPP v0.9.0: its image, legacy config group and probe service names', () => {
    const { chart } = newChart();
    llama(chart, 'llama', ModelServer.vllm(), { route: { gateway: 'gw' }, endpointPicker: { version: EppVersion.V0_9_0.withImage('mirror.example.com/epp:v0.9.0') } });
    const objects = objectsOf(chart);
    const c = findObject(objects, 'Deployment', 'llama-epp').spec.template.spec.containers[0];
    expect(c.image).toBe('mirror.example.com/epp:v0.9.0');
    expect(c.livenessProbe.grpc.service).toBe('inference-extension');
    expect(findObject(objects, 'ConfigMap').data['epp-config.yaml']).toContain('apiVersion: inference.networking.x-k8s.io/v1alpha1');
    expect(EppVersion.V0_9_0.hasFlag('model-server-metrics-scheme')).toBe(true);
    expect(EppVersion.V0_10_0.hasFlag('model-server-metrics-scheme')).toBe(false);
  });

  test('a typed scheduling profile renders plugins and weights in order', () => {
    const { chart } = newChart();
    llama(chart, 'llama', ModelServer.vllm(), {
      route: { gateway: 'gw' },
      endpointPicker: {
        config: EndpointPickerConfig.of({
          filters: [EppFilter.decode()],
          scorers: [
            EppScorer.prefixCache(5, { matchLengthWeight: 0.5, matchLengthScaleTokens: 4096 }), EppScorer.queue(1), EppScorer.runningRequests(2),
          ],
          picker: EppPicker.WEIGHTED_RANDOM,
        }),
      },
    });
    const yaml = findObject(objectsOf(chart), 'ConfigMap').data['epp-config.yaml'];
    const profile = parseYaml(yaml);
    expect(profile.plugins.map((p: any) => p.type)).toEqual(['decode-filter', 'prefix-cache-scorer', 'queue-scorer', 'running-requests-size-scorer',
      'weighted-random-picker', 'metrics-data-source', 'core-metrics-extractor']);
    expect(profile.plugins[1].parameters).toEqual({ matchLengthWeight: 0.5, matchLengthScaleTokens: 4096 });
    expect(profile.schedulingProfiles).toEqual([{
      name: 'default',
      plugins: [
        { pluginRef: 'decode-filter' }, { pluginRef: 'prefix-cache-scorer', weight: 5 }, { pluginRef: 'queue-scorer', weight: 1 },
        { pluginRef: 'running-requests-size-scorer', weight: 2 }, { pluginRef: 'weighted-random-picker' },
      ],
    }]);
  });

  test('objectives become InferenceObjectives on the pool', () => {
    const { chart } = newChart();
    llama(chart, 'llama', ModelServer.vllm(), { route: { gateway: 'gw' }, objectives: [{ name: 'interactive', priority: 100 }] });
    expect(findObject(objectsOf(chart), 'InferenceObjective').spec).toEqual({
      priority: 100, poolRef: { group: 'inference.networking.k8s.io', kind: 'InferencePool', name: 'llama' },
    });
  });
});

describe('issue 16: the picker as llm-d-router reads it', () => {
  const eppArgs = (objects: any[]) => findObject(objects, 'Deployment', 'llama-epp').spec.template.spec.containers[0].args as string[];
  const eppConfig = (objects: any[]) => parseYaml(findObject(objects, 'ConfigMap', 'llama-epp').data['epp-config.yaml']);

  test('2: an Alpha plugin (session-affinity-scorer, v0.10.0) turns on --allow-experimental-plugins; Beta ones do not', () => {
    expect(EppVersion.V0_10_0.pluginMaturity('session-affinity-scorer')).toBe(EppPluginMaturity.ALPHA);
    expect(EppVersion.V0_10_0.pluginMaturity('queue-scorer')).toBe(EppPluginMaturity.BETA);
    expect(EppVersion.V0_9_0.pluginMaturity('session-affinity-scorer')).toBe(EppPluginMaturity.UNGATED);
    expect(EppVersion.V0_10_0.pluginMaturity('no-such-scorer')).toBeUndefined();
    const { chart } = newChart();
    llama(chart, 'llama', ModelServer.vllm(), {
      route: { gateway: 'gw' },
      endpointPicker: { config: EndpointPickerConfig.of({ scorers: [EppScorer.prefixCache(3), EppScorer.sessionAffinity(1)] }) },
    });
    expect(eppArgs(objectsOf(chart))).toContain('--allow-experimental-plugins');
    const plain = newChart();
    llama(plain.chart, 'llama', ModelServer.vllm(), { route: { gateway: 'gw' } });
    expect(eppArgs(objectsOf(plain.chart))).not.toContain('--allow-experimental-plugins');
    // v0.9.0 has no maturity gate and no such flag: the same profile loads as is.
    const old = newChart();
    llama(old.chart, 'llama', ModelServer.vllm(), {
      route: { gateway: 'gw' },
      endpointPicker: { version: EppVersion.V0_9_0, config: EndpointPickerConfig.of({ scorers: [EppScorer.sessionAffinity(1)] }) },
    });
    expect(eppArgs(objectsOf(old.chart)).some((a) => a.includes('experimental'))).toBe(false);
  });

  test('4: each release has its own flags (v0.9.0 has no drain-timeout or allow-experimental-plugins)', () => {
    for (const f of ['drain-timeout', 'allow-experimental-plugins', 'tls-min-version', 'metrics-cert-dir', 'emit-endpoint-scores']) {
      expect([f, EppVersion.V0_9_0.hasFlag(f), EppVersion.V0_10_0.hasFlag(f)]).toEqual([f, false, true]);
    }
    expect(EppVersion.V0_9_0.hasFlag('model-server-metrics-path')).toBe(true);
    // Parsed but refused at start by both (deprecated metric flags).
    expect(EppVersion.V0_10_0.hasFlag('lora-info-metric')).toBe(false);
    expect(EppVersion.V0_9_0.hasFlag('total-queued-requests-metric')).toBe(false);
  });

  test('7: objectives switch on the flowControl feature gate, with its settings; none without objectives', () => {
    const { chart } = newChart();
    llama(chart, 'llama', ModelServer.vllm(), {
      route: { gateway: 'gw' },
      objectives: [{ name: 'interactive', priority: 10 }, { name: 'batch', priority: -1 }],
      endpointPicker: { flowControl: { maxRequests: 2000, requestTtl: Duration.seconds(30) } },
    });
    const config = eppConfig(objectsOf(chart));
    expect(config.featureGates).toEqual(['flowControl']);
    expect(config.flowControl).toEqual({ maxRequests: '2000', defaultRequestTTL: '30s' });
    const plain = newChart();
    llama(plain.chart, 'llama', ModelServer.vllm(), { route: { gateway: 'gw' } });
    expect(eppConfig(objectsOf(plain.chart)).featureGates).toBeUndefined();
    const off = newChart();
    llama(off.chart, 'llama', ModelServer.vllm(), { route: { gateway: 'gw' }, objectives: [{ name: 'a', priority: 1 }], endpointPicker: { flowControl: { enabled: false } } });
    expect(eppConfig(objectsOf(off.chart)).featureGates).toBeUndefined();
  });

  test('10: picker resources follow the llm-d chart: 8 CPU / 8Gi requested, 16Gi memory limit, no CPU limit', () => {
    const { chart } = newChart();
    llama(chart, 'llama', ModelServer.vllm(), { route: { gateway: 'gw' } });
    expect(findObject(objectsOf(chart), 'Deployment', 'llama-epp').spec.template.spec.containers[0].resources)
      .toEqual({ requests: { cpu: '8', memory: '8Gi' }, limits: { memory: '16Gi' } });
    const capped = newChart();
    llama(capped.chart, 'llama', ModelServer.vllm(), { route: { gateway: 'gw' }, endpointPicker: { resources: { cpu: '2', cpuLimit: '4' } } });
    expect(findObject(objectsOf(capped.chart), 'Deployment', 'llama-epp').spec.template.spec.containers[0].resources)
      .toEqual({ requests: { cpu: '2', memory: '8Gi' }, limits: { cpu: '4', memory: '16Gi' } });
  });

  test('11: every rule gets the llm-d chart\'s 300s request timeout unless the route sets one; GKE gets it as a policy', () => {
    const { chart } = newChart();
    llama(chart, 'llama', ModelServer.vllm(), { route: { gateway: 'gw' } });
    llama(chart, 'long', ModelServer.vllm(), { route: { gateway: 'gw', requestTimeout: Duration.minutes(20) } });
    const objects = objectsOf(chart);
    expect(findObject(objects, 'HTTPRoute', 'llama-route').spec.rules[0].timeouts).toEqual({ request: '300s' });
    expect(findObject(objects, 'HTTPRoute', 'long-route').spec.rules[0].timeouts).toEqual({ request: '1200s' });
    const gke = newChart();
    llama(gke.chart, 'llama', ModelServer.vllm(), { route: { gateway: 'gw', provider: GatewayProvider.gke() } });
    expect(findObject(objectsOf(gke.chart), 'GCPBackendPolicy').spec.default).toEqual({ timeoutSec: 300 });
  });

  test('13: a metric-free engine (TGI) opts out of the injected vLLM metrics source and uses the concurrency detector', () => {
    const { chart } = newChart();
    llama(chart, 'llama', ModelServer.tgi(), { route: { gateway: 'gw' } });
    const config = eppConfig(objectsOf(chart));
    expect(config.dataLayer).toEqual({ injectDefaults: false });
    expect(config.plugins.map((p: any) => p.type)).toEqual(['prefix-cache-scorer', 'active-request-scorer', 'concurrency-detector']);
    expect(config.flowControl).toEqual({ saturationDetector: { pluginRef: 'concurrency-detector' } });
    const vllm = newChart();
    llama(vllm.chart, 'llama', ModelServer.vllm(), { route: { gateway: 'gw' } });
    const v = eppConfig(objectsOf(vllm.chart));
    expect(v.dataLayer).toBeUndefined();
    expect(v.flowControl).toBeUndefined();
  });

  test('15: the Role grants objectives and rewrites in the legacy group with the Inference Extension add-on, llm-d.ai with llm-d-router', () => {
    const app = Testing.app();
    new ClusterProfile(app, 'Cluster', { addons: [ClusterAddon.GATEWAY_API, ClusterAddon.INFERENCE_EXTENSION] });
    const chart = new Chart(app, 'ai', { namespace: 'serving', disableResourceNameHashes: true });
    llama(chart, 'llama', ModelServer.vllm(), { route: { gateway: 'gw' } });
    const rules = findObject(Testing.synth(chart), 'Role').rules;
    expect(rules).toContainEqual({ apiGroups: ['inference.networking.x-k8s.io'], resources: ['inferenceobjectives', 'inferencemodelrewrites'], verbs: ['get', 'list', 'watch'] });
    expect(rules.some((r: any) => r.apiGroups.includes('llm-d.ai'))).toBe(false);
  });

  test('16: extraFlags take the real v0.10.0 flags (TLS, gRPC message sizes, log level); metrics auth is a prop', () => {
    const { chart } = newChart();
    llama(chart, 'llama', ModelServer.vllm(), {
      route: { gateway: 'gw' },
      endpointPicker: {
        metricsAuth: true,
        extraFlags: { 'tls-min-version': 'VersionTLS13', 'grpc-max-recv-msg-size': '10MiB', 'zap-log-level': 'debug', 'drain-timeout': '20s' },
      },
    });
    const objects = objectsOf(chart);
    const args = eppArgs(objects);
    expect(args).toEqual(expect.arrayContaining(['--metrics-endpoint-auth=true', '--tls-min-version=VersionTLS13', '--grpc-max-recv-msg-size=10MiB',
      '--zap-log-level=debug', '--drain-timeout=20s']));
    expect(findObject(objects, 'ClusterRole').rules).toEqual([
      { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
      { apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'] },
      { nonResourceURLs: ['/metrics'], verbs: ['get'] },
    ]);
    expect(findObject(objects, 'ClusterRoleBinding').subjects).toEqual([{ kind: 'ServiceAccount', name: 'llama-epp', namespace: 'serving' }]);
    const secret = findObject(objects, 'Secret', 'llama-epp-metrics-token');
    expect(secret).toMatchObject({ type: 'kubernetes.io/service-account-token', metadata: { annotations: { 'kubernetes.io/service-account.name': 'llama-epp' } } });
    expect(findObject(objects, 'ServiceMonitor', 'llama-epp').spec.endpoints[0].authorization).toEqual({ credentials: { name: 'llama-epp-metrics-token', key: 'token' } });
    const plain = newChart();
    llama(plain.chart, 'llama', ModelServer.vllm(), { route: { gateway: 'gw' } });
    expect(eppArgs(objectsOf(plain.chart))).toContain('--metrics-endpoint-auth=false');
    expect(objectsOf(plain.chart).some((o) => o.kind === 'ClusterRole')).toBe(false);
  });
});
