import { Duration, Size } from 'cdk8s';
import * as fc from 'fast-check';
import { newChart, objectsOf, SERVERS, validatable } from './fixtures';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { EndpointPickerConfig, EppScorer } from '../../src/serving/endpoint-picker-config';
import { GatewayProvider } from '../../src/serving/gateway-provider';
import { InferenceRoute } from '../../src/serving/inference-route';
import { InferenceService } from '../../src/serving/inference-service';
import { InferenceServiceProps } from '../../src/serving/inference-service-props';
import { LoraAdapter } from '../../src/serving/lora-adapter';
import { ModelCache } from '../../src/serving/model-cache';
import { ModelSignature } from '../../src/serving/model-signature';
import { ModelSource } from '../../src/serving/model-source';
import { OciModelFallback } from '../../src/serving/oci-model-fallback';
import { ServerMetric, ServingAutoscaling } from '../../src/serving/serving-autoscaling';
import { SharedModelVolume } from '../../src/serving/shared-model-volume';
import { checkProperty } from '../harness';

/**
 * Generated valid prop sets: every one must synthesize and be accepted by the real apiserver (Pod Security
 * `restricted` namespaces, strict fields, nothing dropped). Objects whose CRDs are not in ../shared/crds
 * (Istio DestinationRule, GKE policies) are left out of the apiserver check.
 */

const PROVIDERS: { [name: string]: () => GatewayProvider } = {
  generic: () => GatewayProvider.generic(),
  istio: () => GatewayProvider.istio(),
  istioPlain: () => GatewayProvider.istio({ eppTls: false }),
  agentgateway: () => GatewayProvider.agentgateway(),
  kgateway: () => GatewayProvider.kgateway(),
  envoyAiGateway: () => GatewayProvider.envoyAiGateway(),
  gke: () => GatewayProvider.gke(),
};
const ONE_POOL_PER_RULE = ['kgateway', 'envoyAiGateway'];

const serverArb = fc.constantFrom('vllm', 'sglang', 'tgi', 'custom');

const caseArb = serverArb.chain((server) => fc.record({
  server: fc.constant(server),
  namespace: fc.constantFrom('serving', 'team-a'),
  gpus: fc.constantFrom(0, 1, 2, 4, 8),
  multiNode: server === 'vllm' || server === 'sglang' ? fc.boolean() : fc.constant(false),
  pipeline: fc.constantFrom(1, 2),
  scaling: fc.constantFrom('fixed', 'hpa-metric', 'hpa-cpu'),
  replicas: fc.integer({ min: 1, max: 4 }),
  source: fc.constantFrom('hf', 'hf-token', 'pvc', 's3', 'oci', 'oci-image', 's3-shared'),
  cache: fc.constantFrom('default', 'sized', 'pvc'),
  lora: server === 'vllm' || server === 'sglang' ? fc.integer({ min: 0, max: 2 }) : fc.constant(0),
  routing: fc.constantFrom('none', 'route', 'canary', 'models'),
  provider: fc.constantFrom(...Object.keys(PROVIDERS)),
  eppReplicas: fc.integer({ min: 1, max: 3 }),
  objectives: fc.integer({ min: 0, max: 2 }),
  prefixWeight: fc.integer({ min: 1, max: 10 }),
  canaryWeight: fc.integer({ min: 0, max: 100 }),
  timeoutMinutes: fc.option(fc.integer({ min: 1, max: 30 }), { nil: undefined }),
  startupMinutes: fc.integer({ min: 1, max: 120 }),
  drainSeconds: fc.integer({ min: 0, max: 120 }),
  memoryGi: fc.option(fc.integer({ min: 16, max: 512 }), { nil: undefined }),
  monitorLabel: fc.boolean(),
  signed: fc.constantFrom('none', 'keyless', 'key-secret', 'key-configmap'),
}));

type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

const VERIFIER = 'ghcr.io/sigstore/model-transparency-cli@sha256:' + 'd'.repeat(64);

/** The signature a model must carry, or none (a Hugging Face model with a revision cannot be signed: refused). */
function signatureOf(c: Case): ModelSignature | undefined {
  if (c.source === 'hf-token') return undefined;
  switch (c.signed) {
    case 'keyless': return ModelSignature.sigstore({ identity: 'release@acme.example', issuer: 'https://accounts.google.com', verifierImage: VERIFIER });
    case 'key-secret': return ModelSignature.publicKey({ publicKeySecret: 'model-key', verifierImage: VERIFIER });
    case 'key-configmap': return ModelSignature.publicKey({ publicKeyConfigMap: 'model-key', publicKeyKey: 'signing.pub', verifierImage: VERIFIER });
    default: return undefined;
  }
}

function props(c: Case): InferenceServiceProps {
  const multi = c.multiNode && c.gpus > 0;
  const signature = signatureOf(c);
  const model = {
    'hf': ModelSource.huggingFace('meta-llama/Llama-3.1-8B-Instruct', { signature }),
    'hf-token': ModelSource.huggingFace('org/private-model', { tokenSecret: 'hf-token', revision: 'main' }),
    'pvc': ModelSource.persistentVolumeClaim('models', { path: 'llama', signature }),
    's3': ModelSource.storageUri('s3://bucket/llama', { credentialsSecret: 's3', size: Size.gibibytes(50), signature }),
    'oci': ModelSource.storageUri('oci://registry.example.com/models/llama:1', { signature }),
    // The default 1.34 profile has no image volumes: the modelcar fallback.
    'oci-image': ModelSource.ociImage('registry.example.com/models/llama:1', { fallback: OciModelFallback.MODELCAR }),
    's3-shared': ModelSource.storageUri('s3://bucket/llama', {
      credentialsSecret: 's3', signature, sharedVolume: SharedModelVolume.newClaim({ size: Size.gibibytes(50) }),
    }),
  }[c.source as string]!;
  const cache = c.cache === 'sized' ? ModelCache.emptyDir(Size.gibibytes(100)) : c.cache === 'pvc' ? ModelCache.persistentVolumeClaim('hf-cache') : undefined;
  const adapters = Array.from({ length: c.lora }, (_, i) => LoraAdapter.huggingFace(`adapter-${i}`, `org/adapter-${i}`));
  const autoscaling = c.scaling === 'hpa-metric'
    ? ServingAutoscaling.serverMetric({ minReplicas: 1, maxReplicas: c.replicas, metric: ServerMetric.QUEUE_DEPTH, target: 4 })
    : c.scaling === 'hpa-cpu' ? ServingAutoscaling.cpu({ minReplicas: 1, maxReplicas: c.replicas }) : undefined;
  const memory = c.memoryGi ? `${c.memoryGi}Gi` : undefined;
  return {
    model,
    server: SERVERS[c.server](),
    gpus: c.gpus ? GpuRequest.of(c.gpus) : undefined,
    // Multi-node: tensor parallel inside each pod, one pipeline stage per pod (2 or 3 pods per replica).
    parallelism: c.gpus ? { tensor: c.gpus, pipeline: multi ? c.pipeline + 1 : 1 } : undefined,
    multiNode: multi ? {} : undefined,
    replicas: autoscaling ? undefined : c.replicas,
    autoscaling,
    resources: c.scaling === 'hpa-cpu' || memory ? { cpu: '4', memory } : undefined,
    modelCache: cache,
    loraAdapters: adapters.length ? adapters : undefined,
    maxStartupTime: Duration.minutes(c.startupMinutes),
    drainTimeout: Duration.seconds(c.drainSeconds),
    monitoring: c.monitorLabel ? { labels: { release: 'kube-prometheus-stack' } } : undefined,
  };
}

function build(c: Case): any[] {
  const { chart } = newChart(c.namespace);
  const provider = PROVIDERS[c.provider]();
  const timeout = c.timeoutMinutes ? Duration.minutes(c.timeoutMinutes) : undefined;
  const routed = c.routing !== 'none';
  const picker = routed ? {
    replicas: c.eppReplicas,
    config: (c.server === 'tgi') ? EndpointPickerConfig.of({ scorers: [EppScorer.prefixCache(c.prefixWeight), EppScorer.sessionAffinity(1)] })
      : EndpointPickerConfig.of({ scorers: [EppScorer.prefixCache(c.prefixWeight), EppScorer.queue(2), EppScorer.kvCacheUtilization(2)] }),
  } : undefined;
  const objectives = routed ? Array.from({ length: c.objectives }, (_, i) => ({ name: `tier-${i}`, priority: 10 - i * 10 })) : undefined;
  const base = props(c);
  const main = new InferenceService(chart, 'llm', {
    ...base,
    endpointPicker: picker,
    objectives,
    route: c.routing === 'route' ? { gateway: 'gateways/inference-gateway', provider, requestTimeout: timeout } : undefined,
  });
  if (c.routing === 'canary' || c.routing === 'models') {
    const second = new InferenceService(chart, 'llm-next', { ...base, replicas: undefined, autoscaling: undefined, servedModelName: 'next' });
    if (c.routing === 'canary' && !ONE_POOL_PER_RULE.includes(c.provider)) {
      new InferenceRoute(chart, 'route', {
        gateway: 'inference-gateway',
        provider,
        requestTimeout: timeout,
        backends: [{ service: main, weight: 100 - c.canaryWeight }, { service: second, weight: c.canaryWeight }],
      });
    } else {
      new InferenceRoute(chart, 'route', {
        gateway: 'inference-gateway',
        provider,
        requestTimeout: timeout,
        backends: [{ service: main }],
        models: [{ modelName: 'next', backends: [{ service: second }] }],
      });
    }
  }
  const objects = objectsOf(chart);
  checkVerifyStep(c, objects);
  return validatable(objects);
}

/** A signed model is verified by the last init container of every server pod, after any download. */
function checkVerifyStep(c: Case, objects: any[]): void {
  const signed = signatureOf(c) !== undefined;
  const pods = objects.filter((o) => o.kind === 'Deployment').map((o) => o.spec.template.spec)
    .concat(objects.filter((o) => o.kind === 'LeaderWorkerSet').map((o) => o.spec.leaderWorkerTemplate.leaderTemplate?.spec ?? o.spec.leaderWorkerTemplate.workerTemplate.spec))
    .filter((spec) => spec.containers.some((k: any) => k.name !== 'epp' && !/epp/.test(k.image)));
  for (const spec of pods) {
    const inits = (spec.initContainers ?? []).filter((k: any) => k.restartPolicy !== 'Always').map((k: any) => k.name);
    const verifies = inits.indexOf('model-verify');
    if (signed && verifies !== inits.length - 1) throw new Error(`signed model: model-verify is not the last init step (${inits.join(', ')})`);
    if (!signed && verifies >= 0) throw new Error('an unsigned model is verified');
  }
}

beforeAll(() => {
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
});

test('200 generated InferenceService / route prop sets synthesize and pass the apiserver', async () => {
  const report = await checkProperty(caseArb, build, { numRuns: 200 });
  // eslint-disable-next-line no-console
  console.log(`serving property: ${report.numRuns} runs, ${report.objects} objects, ${report.dryRunRequests} dry-run requests, seed ${report.seed}`);
  expect(report.numRuns).toBe(200);
  expect(report.objects).toBeGreaterThan(200 * 3);
});

test('200 generated weight splits: valid ones synthesize, the rest fail with the library error naming the prop', async () => {
  const split = fc.record({ a: fc.integer({ min: -5, max: 110 }), b: fc.integer({ min: -5, max: 110 }) });
  let refused = 0;
  let accepted = 0;
  fc.assert(fc.property(split, ({ a, b }) => {
    const { chart } = newChart();
    const s1 = new InferenceService(chart, 'a', { model: ModelSource.huggingFace('o/m'), gpus: GpuRequest.of(1) });
    const s2 = new InferenceService(chart, 'b', { model: ModelSource.huggingFace('o/m'), gpus: GpuRequest.of(1) });
    const valid = a >= 0 && b >= 0 && a <= 100 && b <= 100 && a + b === 100;
    let error: Error | undefined;
    try {
      new InferenceRoute(chart, 'r', { gateway: 'gw', backends: [{ service: s1, weight: a }, { service: s2, weight: b }] });
      objectsOf(chart);
    } catch (e) {
      error = e as Error;
    }
    if (valid) {
      accepted++;
      return error === undefined;
    }
    refused++;
    return error !== undefined && /^\[ai\/r\] backends(\[\d\]\.weight)?: /.test(error.message);
  }), { numRuns: 200 });
  expect(refused + accepted).toBe(200);
  expect(refused).toBeGreaterThan(0);
});
