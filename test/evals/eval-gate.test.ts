import { Chart, Yaml } from 'cdk8s';
import { appObjects, canary, find, MODEL, resultsFile, weightsOf } from './fixtures';
import { EvalDelivery, EvalGate, EvalSuite, EvalThreshold, FluxSourceKind } from '../../src/evals';
import { ArgoCdHookDeletePolicy, ArgoCdHookPhase } from '../../src/evals/argo-cd-delivery';
import { CHECKER_SCRIPT } from '../../src/evals/checker-script';
import { InferenceRoute } from '../../src/serving/inference-route';

/** What each integration emits and how it orders the traffic shift after the eval. */

const GSM8K = () => EvalThreshold.atLeast('gsm8k', 'exact_match,strict-match', 0.7);
const suite = () => EvalSuite.lmEvalHarness({ tasks: ['gsm8k'], limit: 100, concurrency: 4 });

beforeAll(() => {
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
});

describe('the eval Job', () => {
  const c = canary();
  new EvalGate(c.chart, 'gate', { target: c.candidate, suite: suite(), thresholds: [GSM8K()], delivery: EvalDelivery.argoCd() });
  const objects = appObjects(c.app);
  const job = find(objects, 'Job', 'gate-eval');
  const pod = job.spec.template.spec;

  test('no retries, a deadline, restartPolicy Never', () => {
    expect(job.spec.backoffLimit).toBe(0);
    expect(job.spec.activeDeadlineSeconds).toBe(7200);
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.automountServiceAccountToken).toBe(false);
  });

  test('waits for the candidate, runs lm-evaluation-harness against its Service, then checks', () => {
    expect(pod.initContainers.map((x: any) => x.name)).toEqual(['wait-for-target', 'eval']);
    expect(pod.containers.map((x: any) => x.name)).toEqual(['check']);
    expect(pod.initContainers[0].command).toContain('http://candidate:8000/v1/models');
    const args = pod.initContainers[1].args;
    expect(args.slice(0, 4)).toEqual(['--model', 'local-completions', '--tasks', 'gsm8k']);
    expect(args[args.indexOf('--model_args') + 1]).toBe(`model=${MODEL},base_url=http://candidate:8000/v1/completions,num_concurrent=4,max_retries=3,tokenized_requests=False`);
    expect(args).toEqual(expect.arrayContaining(['--limit', '100', '--output_path', '/results/']));
    expect(pod.containers[0].command.slice(0, 3)).toEqual(['python3', '/opt/cdk8s-ai-eval/check.py', 'check']);
  });

  test('the checker ConfigMap ships the script and the thresholds', () => {
    const cm = find(objects, 'ConfigMap', 'gate-checker');
    expect(cm.data['check.py']).toBe(CHECKER_SCRIPT);
    const spec = JSON.parse(cm.data['thresholds.json']);
    expect(spec.thresholds).toEqual([{
      comparison: 'atLeast', id: 'gsm8k exact_match,strict-match >= 0.7', key: 'exact_match,strict-match', metric: 'exact_match', source: 'results', task: 'gsm8k', value: 0.7,
    }]);
  });

  test('egress only to DNS, the candidate pods and HTTPS outside the cluster (datasets)', () => {
    const np = find(objects, 'NetworkPolicy', 'gate-eval-egress');
    expect(np.spec.policyTypes).toEqual(['Egress']);
    expect(np.spec.podSelector.matchLabels).toEqual({ 'app.kubernetes.io/component': 'eval', 'app.kubernetes.io/instance': 'gate' });
    expect(np.spec.egress.map((e: any) => e.ports.map((p: any) => `${p.protocol}/${p.port}`).join(','))).toEqual(['UDP/53,TCP/53', 'TCP/8000', 'TCP/443']);
    expect(np.spec.egress[1].to[0].podSelector.matchLabels).toEqual(c.candidate.selector);
    expect(np.spec.egress[2].to[0].ipBlock.except).toContain('10.0.0.0/8');
  });

  test('deterministic: two synths give the same bytes', () => {
    const again = canary();
    new EvalGate(again.chart, 'gate', { target: again.candidate, suite: suite(), thresholds: [GSM8K()], delivery: EvalDelivery.argoCd() });
    expect(Yaml.stringify(...appObjects(again.app))).toBe(Yaml.stringify(...objects));
  });
});

describe('Argo CD', () => {
  test('Sync hook in wave 1 between the candidate (wave 0) and the route (wave 2)', () => {
    const c = canary();
    new EvalGate(c.chart, 'gate', { target: c.candidate, suite: suite(), thresholds: [GSM8K()], delivery: EvalDelivery.argoCd() });
    const objects = appObjects(c.app);
    expect(find(objects, 'Job').metadata.annotations).toEqual({
      'argocd.argoproj.io/hook': 'Sync', 'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation', 'argocd.argoproj.io/sync-wave': '1',
    });
    expect(find(objects, 'ConfigMap', 'gate-checker').metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-wave': '0' });
    expect(find(objects, 'HTTPRoute').metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('2');
    expect(find(objects, 'Deployment', 'candidate').metadata.annotations?.['argocd.argoproj.io/sync-wave']).toBeUndefined();
    // The route keeps its declared canary weights: Argo CD applies it only after the Job succeeded.
    expect(weightsOf(objects)).toEqual([90, 10]);
  });

  test('PreSync: the ConfigMap and NetworkPolicy are hooks too; custom wave and delete policy', () => {
    const c = canary();
    new EvalGate(c.chart, 'gate', {
      target: c.candidate,
      suite: suite(),
      thresholds: [GSM8K()],
      delivery: EvalDelivery.argoCd({ phase: ArgoCdHookPhase.PRE_SYNC, syncWave: -3, deletePolicy: ArgoCdHookDeletePolicy.HOOK_SUCCEEDED }),
    });
    const objects = appObjects(c.app);
    expect(find(objects, 'Job').metadata.annotations['argocd.argoproj.io/hook-delete-policy']).toBe('HookSucceeded');
    expect(find(objects, 'NetworkPolicy', 'gate-eval-egress').metadata.annotations).toEqual({
      'argocd.argoproj.io/hook': 'PreSync', 'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation', 'argocd.argoproj.io/sync-wave': '-4',
    });
    expect(find(objects, 'HTTPRoute').metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('-2');
  });

  test('two gates on one route: the route waits for the later one', () => {
    const c = canary();
    new EvalGate(c.chart, 'gate-a', { target: c.candidate, suite: suite(), thresholds: [GSM8K()], delivery: EvalDelivery.argoCd({ syncWave: 3 }) });
    new EvalGate(c.chart, 'gate-b', { target: c.candidate, suite: suite(), thresholds: [GSM8K()], delivery: EvalDelivery.argoCd({ syncWave: 1 }) });
    expect(find(appObjects(c.app), 'HTTPRoute').metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('4');
  });
});

describe('Argo Rollouts', () => {
  const gateAt = (step: number, thresholds = [GSM8K(), EvalThreshold.maxLatency(2.5), EvalThreshold.maxErrorRate(0.01)]) => {
    const c = canary();
    const gate = new EvalGate(c.chart, 'gate', { target: c.candidate, suite: suite(), thresholds, delivery: EvalDelivery.argoRollouts({ currentStep: step }) });
    return { c, gate, objects: appObjects(c.app) };
  };

  test('the AnalysisTemplate: a Job metric for the suite, Prometheus metrics for latency and errors', () => {
    const { objects } = gateAt(0);
    const at = find(objects, 'AnalysisTemplate', 'gate');
    expect(at.spec.metrics.map((m: any) => m.name)).toEqual(['eval-suite', 'latency-p95-end-to-end', 'error-rate']);
    expect(at.spec.metrics[0].provider.job.spec.backoffLimit).toBe(0);
    const latency = at.spec.metrics[1];
    expect(latency.successCondition).toBe('len(result) > 0 && !isNaN(result[0]) && result[0] <= 2.5');
    expect(latency.provider.prometheus.query).toBe('histogram_quantile(0.95, sum by (le, app_kubernetes_io_instance) (rate(' +
      'vllm:e2e_request_latency_seconds_bucket{namespace="serving", app_kubernetes_io_instance="candidate"}[300s])))');
    expect(latency.provider.prometheus.address).toBe('http://prometheus-operated.monitoring.svc:9090');
  });

  test('step 0: the suite gates the first 10%; later steps: Prometheus on the previous weight', () => {
    const first = gateAt(0);
    const run0 = find(first.objects, 'AnalysisRun');
    expect(run0.metadata.name).toBe('gate-step-0');
    expect(run0.spec.metrics.map((m: any) => m.name)).toEqual(['eval-suite']);
    expect(weightsOf(first.objects)).toEqual([90, 10]);
    const second = gateAt(1);
    expect(find(second.objects, 'AnalysisRun').spec.metrics.map((m: any) => m.name)).toEqual(['latency-p95-end-to-end', 'error-rate']);
    expect(weightsOf(second.objects)).toEqual([50, 50]);
    expect(weightsOf(gateAt(2).objects)).toEqual([0, 100]);
    expect(find(second.objects, 'AnalysisRun').metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('1');
    expect(find(second.objects, 'HTTPRoute').metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('2');
  });

  test('later steps run the suite again when no threshold reads Prometheus', () => {
    const { objects } = gateAt(2, [GSM8K()]);
    expect(find(objects, 'AnalysisRun').spec.metrics.map((m: any) => m.name)).toEqual(['eval-suite']);
  });
});

describe('Flux', () => {
  const flux = () => EvalDelivery.flux({
    source: { kind: FluxSourceKind.GIT_REPOSITORY, name: 'platform' }, evalPath: 'deploy/evals', trafficPath: './deploy/routes/', dependsOn: ['serving'],
  });

  test('eval Kustomization waits for the Job; the traffic Kustomization dependsOn it', () => {
    const c = canary({ routeChart: true });
    const gate = new EvalGate(c.chart, 'gate', { target: c.candidate, suite: suite(), thresholds: [GSM8K()], delivery: flux() });
    const [evalK, trafficK] = gate.kustomizations.map((k) => k.toJson());
    expect(evalK.metadata).toMatchObject({ name: 'gate-eval', namespace: 'flux-system' });
    expect(evalK.spec).toMatchObject({ path: './deploy/evals', wait: true, force: true, prune: true, timeout: '7500s', dependsOn: [{ name: 'serving' }] });
    expect(trafficK.spec).toMatchObject({ path: './deploy/routes', dependsOn: [{ name: 'gate-eval' }] });
    // The eval objects and the Kustomizations are charts of their own (one output file each).
    expect(gate.evalChart!.toJson().map((o: any) => o.kind).sort()).toEqual(['ConfigMap', 'Job', 'NetworkPolicy']);
    expect(gate.fluxChart!.toJson().map((o: any) => o.kind)).toEqual(['Kustomization', 'Kustomization']);
    expect(c.chart.toJson().some((o: any) => o.kind === 'Job')).toBe(false);
    // A new candidate spec gets a new Job name (Jobs are immutable).
    expect(gate.job!.name).toMatch(/^gate-eval-[0-9a-f]{8}$/);
    const other = canary({ routeChart: true, candidate: { replicas: 1, env: { VLLM_LOGGING_LEVEL: 'DEBUG' } } });
    const gate2 = new EvalGate(other.chart, 'gate', { target: other.candidate, suite: EvalSuite.lmEvalHarness({ tasks: ['gsm8k'], limit: 50 }), thresholds: [GSM8K()], delivery: flux() });
    expect(gate2.job!.name).not.toBe(gate.job!.name);
  });
});

describe('pipeline gate', () => {
  test('passing results: outcomes recorded, route as declared', () => {
    const c = canary();
    const gate = new EvalGate(c.chart, 'gate', {
      target: c.candidate,
      thresholds: [GSM8K(), EvalThreshold.atLeast('arc_challenge', 'acc_norm', 0.5)],
      delivery: EvalDelivery.pipeline({ resultsFile: resultsFile('run') }),
    });
    expect(gate.outcomes.map((o) => o.passed)).toEqual([true, true]);
    expect(gate.resultsFile).toMatch(/results_2026-11-21T08-00-00.000001.json$/);
    expect(weightsOf(appObjects(c.app))).toEqual([90, 10]);
    // Nothing in the cluster.
    expect(appObjects(c.app).some((o) => o.kind === 'Job' || o.metadata.labels?.['app.kubernetes.io/name'] === 'eval-gate')).toBe(false);
  });

  test('failing results: synth refused, naming the threshold, task/metric and measured value', () => {
    const c = canary();
    expect(() => new EvalGate(c.chart, 'gate', { target: c.candidate, thresholds: [GSM8K()], delivery: EvalDelivery.pipeline({ resultsFile: resultsFile('failing.json') }) }))
      .toThrow('[ai/gate] thresholds: eval gate failed for ai/candidate (' + resultsFile('failing.json') + '): gsm8k exact_match,strict-match >= 0.7: ' +
        'measured 0.6110689916603488 (0.6110689916603488 < 0.7). The traffic shift in ai/chat is not synthesized');
  });

  test('results given as JSON', () => {
    const c = canary();
    const json = JSON.stringify({ results: { gsm8k: { 'exact_match,strict-match': 0.71 } }, higher_is_better: { gsm8k: { exact_match: true } } });
    const gate = new EvalGate(c.chart, 'gate', { target: c.candidate, thresholds: [GSM8K()], delivery: EvalDelivery.pipeline({ resultsJson: json }) });
    expect(gate.outcomes).toEqual([{ threshold: 'gsm8k exact_match,strict-match >= 0.7', passed: true, measured: 0.71, reason: '0.71 >= 0.7' }]);
  });

  test('no results yet: the candidate is held at 0 and the route says why', () => {
    const c = canary();
    new EvalGate(c.chart, 'gate', { target: c.candidate, thresholds: [GSM8K()], delivery: EvalDelivery.pipeline() });
    const route = find(appObjects(c.app), 'HTTPRoute');
    expect(weightsOf([route])).toEqual([90, 0]);
    expect(route.metadata.annotations[InferenceRoute.HELD_ANNOTATION]).toBe('candidate: eval gate ai/gate: no eval results yet');
  });

  test('a gate on a model rule of a route with several rules', () => {
    const c = canary();
    const chart2 = new Chart(c.app, 'other', { namespace: 'serving', disableResourceNameHashes: true });
    const route = new InferenceRoute(chart2, 'models', {
      gateway: 'inference-gateway',
      models: [{ modelName: MODEL, backends: [{ service: c.stable, weight: 80 }, { service: c.candidate, weight: 20 }] }],
    });
    new EvalGate(c.chart, 'gate', {
      target: c.candidate, route, modelName: MODEL, thresholds: [GSM8K()], delivery: EvalDelivery.pipeline(),
    });
    expect(weightsOf(chart2.toJson(), 'models')).toEqual([80, 0]);
    expect(weightsOf(c.chart.toJson())).toEqual([90, 10]);
  });
});
