import { Duration } from 'cdk8s';
import { appObjects, canary, find, weightsOf } from './fixtures';
import { fluxKustomizationCrd } from './flux-crd';
import { EvalDelivery, EvalGate, EvalSuite, EvalThreshold, FluxSourceKind, LatencyKind } from '../../src/evals';
import { ArgoCdHookPhase } from '../../src/evals/argo-cd-delivery';
import { ModelServer } from '../../src/serving/model-server';
import { ServingMetrics } from '../../src/serving/serving-metrics';
import { validateObjects } from '../harness';

/**
 * Every integration's objects, sent to the real kube-apiserver (Argo Rollouts CRDs from ../shared/crds, the Flux
 * Kustomization CRD from the Go module proxy; server-side apply dry-run, strict field validation, nothing dropped;
 * namespaces enforce Pod Security `restricted`). The eval Job's pod template is also sent as a Pod, so admission
 * checks it as the Job controller's pod would be.
 */

let validated = 0;
async function validate(objects: any[]): Promise<void> {
  const pods = objects.filter((o) => o.kind === 'Job').map((j) => podOf(j.metadata, j.spec.template));
  for (const at of objects.filter((o) => o.kind === 'AnalysisTemplate' || o.kind === 'AnalysisRun')) {
    for (const m of at.spec.metrics.filter((x: any) => x.provider.job)) pods.push(podOf({ ...at.metadata, name: `${at.metadata.name}-${m.name}` }, m.provider.job.spec.template));
  }
  const sent = [...objects, ...pods];
  const results = await validateObjects(sent);
  expect(results.length).toBeGreaterThanOrEqual(sent.length);
  validated += sent.length;
}

function podOf(meta: any, template: any): any {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { ...template.metadata, name: `${meta.name}-pod`, namespace: meta.namespace }, spec: template.spec };
}

const suite = () => EvalSuite.lmEvalHarness({ tasks: ['gsm8k', 'arc_challenge'], limit: 200, numFewshot: 5, concurrency: 8 });
const thresholds = () => [
  EvalThreshold.atLeast('gsm8k', 'exact_match,strict-match', 0.7),
  EvalThreshold.noWorseThan('arc_challenge', 'acc_norm', 0.5),
  EvalThreshold.maxLatency(4, { quantile: 0.99 }),
  EvalThreshold.maxLatency(0.5, { latency: LatencyKind.TIME_TO_FIRST_TOKEN }),
  EvalThreshold.maxErrorRate(0.01, { window: Duration.minutes(10) }),
];

beforeAll(() => {
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
});

afterAll(() => {
  // eslint-disable-next-line no-console
  console.log(`evals apiserver suite: ${validated} objects validated`);
});

describe('Argo CD', () => {
  test.each([ArgoCdHookPhase.SYNC, ArgoCdHookPhase.PRE_SYNC])('%s hook, lm-evaluation-harness, Prometheus thresholds', async (phase) => {
    const c = canary();
    const gate = new EvalGate(c.chart, 'gate', { target: c.candidate, suite: suite(), thresholds: thresholds(), delivery: EvalDelivery.argoCd({ phase }) });
    const objects = appObjects(c.app);
    expect(find(objects, 'Job', 'gate-eval').metadata.annotations['argocd.argoproj.io/hook']).toBe(phase);
    expect(gate.job).toBeDefined();
    await validate(objects);
  });

  test('custom harness with its own image, chat endpoint off, no internet', async () => {
    const c = canary({ namespace: 'team-a' });
    new EvalGate(c.chart, 'gate', {
      target: c.candidate,
      suite: EvalSuite.custom({ image: 'ghcr.io/acme/evals:1.4', command: ['python', '-m', 'acme_evals'], args: ['--out', '/results/acme'], resultsPath: '/results/acme' }),
      thresholds: [EvalThreshold.atLeast('acme_sql', 'exact_match', 0.8)],
      delivery: EvalDelivery.argoCd({ syncWave: 5 }),
      resources: { cpu: '2', memory: '8Gi' },
    });
    await validate(appObjects(c.app));
  });

  test('lm-evaluation-harness image with a dataset cache PVC and a token Secret', async () => {
    const c = canary();
    new EvalGate(c.chart, 'gate', {
      target: c.candidate,
      suite: EvalSuite.lmEvalHarness({
        tasks: ['gsm8k'],
        chat: true,
        image: 'ghcr.io/acme/lm-eval:0.4.12',
        datasetCache: 'hf-datasets',
        hfTokenSecret: { secretName: 'hf-token', key: 'token' },
        tokenizer: 'meta-llama/Llama-3.1-8B-Instruct',
        extraArgs: ['--seed', '1234'],
      }),
      thresholds: [EvalThreshold.atLeast('gsm8k', 'exact_match,flexible-extract', 0.7)],
      delivery: EvalDelivery.argoCd(),
    });
    await validate(appObjects(c.app));
  });
});

describe('Argo Rollouts', () => {
  test.each([0, 1, 2])('step %i of [10, 50, 100]', async (step) => {
    const c = canary();
    const gate = new EvalGate(c.chart, 'gate', {
      target: c.candidate, suite: suite(), thresholds: thresholds(), delivery: EvalDelivery.argoRollouts({ currentStep: step }),
    });
    const objects = appObjects(c.app);
    expect(weightsOf(objects)).toEqual([[90, 50, 0][step], [10, 50, 100][step]]);
    expect(gate.analysisTemplate).toBeDefined();
    await validate(objects);
  });

  test('SGLang candidate, results thresholds only: every step runs the suite', async () => {
    const c = canary({ server: () => ModelServer.sglang() });
    new EvalGate(c.chart, 'gate', {
      target: c.candidate,
      suite: suite(),
      thresholds: [EvalThreshold.atLeast('gsm8k', 'exact_match,strict-match', 0.6)],
      delivery: EvalDelivery.argoRollouts({
        steps: [5, 25, 60, 100], currentStep: 3, interval: Duration.seconds(30), measurements: 10, failureLimit: 2,
      }),
    });
    const objects = appObjects(c.app);
    expect(find(objects, 'AnalysisRun').spec.metrics.map((m: any) => m.name)).toEqual(['eval-suite']);
    await validate(objects);
  });

  test('custom server with its own metric names', async () => {
    const c = canary({
      server: () => ModelServer.custom({ name: 'trtllm', image: 'nvcr.io/nvidia/tensorrt-llm/release:1.0.0', command: ['trtllm-serve'], args: ['{model}', '--port', '{port}'] }),
    });
    new EvalGate(c.chart, 'gate', {
      target: c.candidate,
      suite: suite(),
      thresholds: [EvalThreshold.atLeast('gsm8k', 'exact_match', 0.5), EvalThreshold.maxErrorRate(0.02)],
      servingMetrics: ServingMetrics.custom({ server: 'trtllm', requestLatencyHistogram: 'trtllm_e2e_seconds', requestsTotal: 'trtllm_requests_total', errorMatcher: 'code=~"5.."' }),
      prometheusAddress: 'http://prometheus.observability.svc:9090',
      delivery: EvalDelivery.argoRollouts({ currentStep: 1 }),
    });
    await validate(appObjects(c.app));
  });
});

describe('Flux', () => {
  test.each([FluxSourceKind.GIT_REPOSITORY, FluxSourceKind.OCI_REPOSITORY, FluxSourceKind.BUCKET])('%s source', async (kind) => {
    const c = canary({ routeChart: true });
    const gate = new EvalGate(c.chart, 'gate', {
      target: c.candidate,
      suite: suite(),
      thresholds: thresholds(),
      delivery: EvalDelivery.flux({ source: { kind, name: 'platform', namespace: 'flux-system' }, evalPath: './deploy/evals', trafficPath: 'deploy/routes', dependsOn: ['serving'] }),
    });
    const objects = appObjects(c.app);
    expect(gate.kustomizations).toHaveLength(2);
    expect(find(objects, 'Kustomization', 'gate-traffic').spec.dependsOn).toEqual([{ name: 'gate-eval' }]);
    await validate([fluxKustomizationCrd(), ...objects]);
  });
});

describe('pipeline gate', () => {
  test('passing results: the route shifts as declared', async () => {
    const c = canary({ canaryWeight: 30 });
    new EvalGate(c.chart, 'gate', {
      target: c.candidate,
      thresholds: [EvalThreshold.atLeast('gsm8k', 'exact_match,strict-match', 0.7)],
      delivery: EvalDelivery.pipeline({ resultsFile: `${__dirname}/results/passing.json` }),
    });
    const objects = appObjects(c.app);
    expect(weightsOf(objects)).toEqual([70, 30]);
    await validate(objects);
  });

  test('no results yet: the candidate is held at weight 0', async () => {
    const c = canary({ canaryWeight: 30 });
    new EvalGate(c.chart, 'gate', { target: c.candidate, thresholds: [EvalThreshold.atLeast('gsm8k', 'exact_match', 0.7)], delivery: EvalDelivery.pipeline() });
    const objects = appObjects(c.app);
    expect(weightsOf(objects)).toEqual([70, 0]);
    await validate(objects);
  });
});
