import { App, Chart, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { ALL_ADDONS, MODEL, resultsFile } from './fixtures';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { ClusterAddon } from '../../src/cluster/cluster-addon';
import { ClusterProfile } from '../../src/cluster/cluster-profile';
import { EvalDelivery, EvalGate, EvalGateProps, EvalSuite, EvalThreshold, FluxSourceKind, LatencyKind } from '../../src/evals';
import { ArgoCdHookPhase } from '../../src/evals/argo-cd-delivery';
import { InferenceRoute } from '../../src/serving/inference-route';
import { InferenceService } from '../../src/serving/inference-service';
import { InferenceServiceProps } from '../../src/serving/inference-service-props';
import { ModelServer } from '../../src/serving/model-server';
import { ModelSource } from '../../src/serving/model-source';
import { badInputCatalogue } from '../harness';

/**
 * Every refusal of EvalGate, EvalSuite, EvalThreshold and the delivery integrations, with the error it must
 * produce (and no YAML written).
 */

const GSM8K = EvalThreshold.atLeast('gsm8k', 'exact_match,strict-match', 0.7);
const SUITE = EvalSuite.lmEvalHarness({ tasks: ['gsm8k'] });

function svc(scope: Construct, id: string, extra: Partial<InferenceServiceProps> = {}): InferenceService {
  return new InferenceService(scope, id, { model: ModelSource.huggingFace(MODEL), gpus: GpuRequest.of(1), servedModelName: MODEL, ...extra });
}

/** stable + candidate behind a 90/10 route in `routeScope` (default: the same chart). */
interface Canary {
  readonly candidate: InferenceService;
  readonly stable: InferenceService;
  readonly route: InferenceRoute;
}

function canary(scope: Construct, extra: Partial<InferenceServiceProps> = {}, routeScope?: Construct): Canary {
  const stable = svc(scope, 'stable', extra);
  const candidate = svc(scope, 'candidate', extra);
  const route = new InferenceRoute(routeScope ?? scope, 'chat', { gateway: 'inference-gateway', backends: [{ service: stable, weight: 90 }, { service: candidate, weight: 10 }] });
  return { candidate, stable, route };
}

function gate(scope: Construct, props: Partial<EvalGateProps>, extra: Partial<InferenceServiceProps> = {}): void {
  const { candidate } = canary(scope, extra);
  new EvalGate(scope, 'gate', { target: candidate, suite: SUITE, thresholds: [GSM8K], delivery: EvalDelivery.argoCd(), ...props });
}

const threshold = (t: EvalThreshold) => (s: Construct) => gate(s, { thresholds: [t] });
const suite = (x: EvalSuite) => (s: Construct) => gate(s, { suite: x });
const pipeline = (resultsFileName: string) => (s: Construct) =>
  gate(s, { suite: undefined, delivery: EvalDelivery.pipeline({ resultsFile: resultsFile(resultsFileName) }) });
const flux = (over: Partial<Parameters<typeof EvalDelivery.flux>[0]> = {}) => EvalDelivery.flux({
  source: { kind: FluxSourceKind.GIT_REPOSITORY, name: 'platform' }, evalPath: 'deploy/evals', trafficPath: 'deploy/routes', ...over,
});
/** A route chart of its own (what Flux needs). */
const routesChart = (s: Construct) => new Chart(Chart.of(s).node.scope as App, 'routes', { namespace: 'serving' });

function fullProfile(app: App): Construct {
  new ClusterProfile(app, 'Cluster', { addons: ALL_ADDONS });
  return new Chart(app, 'bad-input', { namespace: 'serving' });
}

beforeAll(() => {
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
});

badInputCatalogue([
  // --- thresholds: metric format and ranges
  { name: 'metric with two filters', error: 'thresholds[0].metric: got "exact_match,strict-match,x"; expected a metric as lm-evaluation-harness writes it', build: threshold(EvalThreshold.atLeast('gsm8k', 'exact_match,strict-match,x', 0.7)) },
  { name: 'metric with a space', error: 'thresholds[0].metric: got "exact match"', build: threshold(EvalThreshold.atLeast('gsm8k', 'exact match', 0.7)) },
  { name: 'empty metric', error: 'thresholds[0].metric: got ""', build: threshold(EvalThreshold.atLeast('gsm8k', '', 0.7)) },
  { name: 'empty filter', error: 'thresholds[0].metric: got "acc,"', build: threshold(EvalThreshold.atLeast('arc_easy', 'acc,', 0.7)) },
  { name: 'a stderr key as metric', error: 'expected a metric, not its standard error', build: threshold(EvalThreshold.atMost('gsm8k', 'exact_match_stderr,strict-match', 0.01)) },
  { name: 'task with a slash', error: 'thresholds[0].task: got "gsm/8k"', build: threshold(EvalThreshold.atLeast('gsm/8k', 'acc', 0.7)) },
  { name: 'fraction metric above 1', error: 'thresholds[0].value: got 70; expected a value from 0 to 1: exact_match is a fraction', build: threshold(EvalThreshold.atLeast('gsm8k', 'exact_match', 70)) },
  { name: 'negative accuracy', error: 'thresholds[0].value: got -0.1; expected a value from 0 to 1', build: threshold(EvalThreshold.atLeast('arc_easy', 'acc_norm', -0.1)) },
  { name: 'NaN threshold', error: 'thresholds[0].value: got NaN; expected a finite number', build: threshold(EvalThreshold.atLeast('wikitext', 'word_perplexity', NaN)) },
  { name: 'infinite threshold', error: 'thresholds[0].value: got Infinity', build: threshold(EvalThreshold.atMost('wikitext', 'word_perplexity', Infinity)) },
  { name: 'error rate above 1', error: 'thresholds[0].ratio: got 5; expected a ratio from 0 to 1', build: threshold(EvalThreshold.maxErrorRate(5)) },
  { name: 'zero latency', error: 'thresholds[0].seconds: got 0; expected a latency above 0', build: threshold(EvalThreshold.maxLatency(0)) },
  { name: 'quantile 1', error: 'thresholds[0].quantile: got 1; expected a quantile above 0 and below 1', build: threshold(EvalThreshold.maxLatency(2, { quantile: 1 })) },
  { name: 'window of 30 seconds', error: 'thresholds[0].window: got "30 seconds"; expected whole minutes from 1 to 60', build: threshold(EvalThreshold.maxErrorRate(0.1, { window: Duration.seconds(30) })) },
  { name: 'no thresholds', error: 'thresholds: is empty; give at least one EvalThreshold', build: (s) => gate(s, { thresholds: [] }) },
  { name: 'duplicate thresholds', error: 'thresholds: got "gsm8k exact_match,strict-match >= 0.7"; expected thresholds without duplicates', build: (s) => gate(s, { thresholds: [GSM8K, GSM8K] }) },

  // --- target and route
  {
    name: 'gate on a target with no route',
    error: '[bad-input/gate] target: bad-input/lonely is in no route, so there is no traffic to gate',
    build: (s) => new EvalGate(s, 'gate', { target: svc(s, 'lonely'), suite: SUITE, thresholds: [GSM8K], delivery: EvalDelivery.argoCd() }),
  },
  {
    name: 'target in two routes, none named',
    error: 'route: is missing; bad-input/candidate is a backend of 2 routes',
    build: (s) => {
      const { candidate, stable } = canary(s);
      new InferenceRoute(s, 'other', { gateway: 'inference-gateway', backends: [{ service: stable, weight: 50 }, { service: candidate, weight: 50 }] });
      new EvalGate(s, 'gate', { target: candidate, suite: SUITE, thresholds: [GSM8K], delivery: EvalDelivery.argoCd() });
    },
  },
  {
    name: 'route the target is not in',
    error: 'route: got "bad-input/solo"; expected a route bad-input/candidate is a backend of (bad-input/chat)',
    build: (s) => {
      const { candidate } = canary(s);
      const solo = new InferenceRoute(s, 'solo', { gateway: 'inference-gateway', backends: [{ service: svc(s, 'x') }] });
      new EvalGate(s, 'gate', { target: candidate, route: solo, suite: SUITE, thresholds: [GSM8K], delivery: EvalDelivery.argoCd() });
    },
  },
  { name: 'model rule the target is not in', error: 'modelName (model_name): got "qwen"; expected a model rule of bad-input/chat', build: (s) => gate(s, { modelName: 'qwen' }) },

  // --- suite
  { name: 'in-cluster delivery without a suite', error: 'suite: is missing; EvalDelivery.argoCd() (argo_cd()) runs the eval in the cluster', build: (s) => gate(s, { suite: undefined }) },
  { name: 'no tasks', error: 'suite.tasks: is empty', build: suite(EvalSuite.lmEvalHarness({ tasks: [] })) },
  { name: 'bad task name', error: 'suite.tasks[1]: got "arc challenge"', build: suite(EvalSuite.lmEvalHarness({ tasks: ['gsm8k', 'arc challenge'] })) },
  { name: 'duplicate tasks', error: 'suite.tasks: got ["gsm8k","gsm8k"]; expected task names without duplicates', build: suite(EvalSuite.lmEvalHarness({ tasks: ['gsm8k', 'gsm8k'] })) },
  { name: 'limit 0', error: 'suite.limit: got 0', build: suite(EvalSuite.lmEvalHarness({ tasks: ['gsm8k'], limit: 0 })) },
  { name: 'limit 1.5', error: 'suite.limit: got 1.5', build: suite(EvalSuite.lmEvalHarness({ tasks: ['gsm8k'], limit: 1.5 })) },
  { name: 'negative few-shot', error: 'suite.numFewshot (suite.num_fewshot): got -1; expected an integer from 0 to 100', build: suite(EvalSuite.lmEvalHarness({ tasks: ['gsm8k'], numFewshot: -1 })) },
  { name: 'concurrency 0', error: 'suite.concurrency: got 0; expected an integer from 1 to 512', build: suite(EvalSuite.lmEvalHarness({ tasks: ['gsm8k'], concurrency: 0 })) },
  { name: 'version with an image', error: 'suite.version: is set together with image', build: suite(EvalSuite.lmEvalHarness({ tasks: ['gsm8k'], image: 'ghcr.io/acme/lm-eval:1', version: '0.4.11' })) },
  { name: 'extraArgs sets an owned flag', error: 'suite.extraArgs (suite.extra_args): got ["--limit=5"]', build: suite(EvalSuite.lmEvalHarness({ tasks: ['gsm8k'], extraArgs: ['--limit=5'] })) },
  { name: 'served model name with a comma', error: 'target: got "llama,v2"; expected a served model name without "," or "="', build: (s) => gate(s, {}, { servedModelName: 'llama,v2' }) },
  { name: 'custom suite without command', error: 'suite.command: is empty', build: suite(EvalSuite.custom({ image: 'ghcr.io/acme/evals:1', command: [] })) },
  { name: 'custom results outside /results', error: 'suite.resultsPath (suite.results_path): got "/tmp/out.json"; expected /results or a path under it', build: suite(EvalSuite.custom({ image: 'ghcr.io/acme/evals:1', command: ['run'], resultsPath: '/tmp/out.json' })) },
  { name: 'custom results with ..', error: 'suite.resultsPath (suite.results_path): got "/results/../etc"', build: suite(EvalSuite.custom({ image: 'ghcr.io/acme/evals:1', command: ['run'], resultsPath: '/results/../etc' })) },
  { name: 'custom env sets EVAL_MODEL', error: 'suite.env.EVAL_MODEL: got "EVAL_MODEL"', build: suite(EvalSuite.custom({ image: 'ghcr.io/acme/evals:1', command: ['run'], env: { EVAL_MODEL: 'x' } })) },
  { name: 'bad image', error: 'suite.image: got "Not An Image"', build: suite(EvalSuite.custom({ image: 'Not An Image', command: ['run'] })) },
  { name: 'timeout of 5 minutes', error: 'timeout: got "5 minutes"; expected whole minutes from 10 minutes to 48 hours', build: (s) => gate(s, { timeout: Duration.minutes(5) }) },
  { name: 'checker image with a space', error: 'checkerImage (checker_image): got "python 3"', build: (s) => gate(s, { checkerImage: 'python 3' }) },

  // --- Prometheus thresholds
  {
    name: 'latency threshold without a PodMonitor',
    error: 'thresholds: "p95 end-to-end latency <= 2s" read the candidate\'s metrics from Prometheus, but bad-input/candidate has no PodMonitor',
    build: (s) => gate(s, { thresholds: [GSM8K, EvalThreshold.maxLatency(2)] }, { monitoring: { enabled: false } }),
  },
  {
    name: 'latency of a custom server without metric names',
    error: 'servingMetrics (serving_metrics): is missing; latency and error-rate thresholds need the metric names of "trtllm"',
    build: (s) => gate(s, { thresholds: [GSM8K, EvalThreshold.maxErrorRate(0.01)] }, {
      server: ModelServer.custom({ name: 'trtllm', image: 'nvcr.io/nvidia/tensorrt-llm/release:1.0.0', command: ['trtllm-serve'], args: ['{model}'] }),
    }),
  },
  {
    name: 'time to first token on TGI',
    error: 'expected a latency tgi exports (it has no time-to-first-token histogram)',
    build: (s) => gate(s, { thresholds: [EvalThreshold.maxLatency(1, { latency: LatencyKind.TIME_TO_FIRST_TOKEN })] }, { server: ModelServer.tgi() }),
  },
  { name: 'bad Prometheus address', error: 'prometheusAddress (prometheus_address): got "prometheus:9090"; expected an http(s) URL', build: (s) => gate(s, { thresholds: [EvalThreshold.maxErrorRate(0.1)], prometheusAddress: 'prometheus:9090' }) },
  { name: 'Prometheus address without Prometheus thresholds', error: 'prometheusAddress (prometheus_address): is set but no threshold reads Prometheus', build: (s) => gate(s, { prometheusAddress: 'http://prom:9090' }) },

  // --- Argo CD
  { name: 'Sync hook in wave 0', error: 'delivery.syncWave (delivery.sync_wave): got 0; with the Sync phase the eval must run in a wave after the candidate', build: (s) => gate(s, { delivery: EvalDelivery.argoCd({ syncWave: 0 }) }) },
  { name: 'fractional sync wave', error: 'delivery.syncWave (delivery.sync_wave): got 1.5', build: (s) => gate(s, { delivery: EvalDelivery.argoCd({ phase: ArgoCdHookPhase.PRE_SYNC, syncWave: 1.5 }) }) },

  // --- Argo Rollouts
  { name: 'canary steps not increasing', error: 'delivery.steps: got [50,10,100]; expected increasing weights', build: (s) => gate(s, { delivery: EvalDelivery.argoRollouts({ steps: [50, 10, 100] }) }) },
  { name: 'canary step above 100', error: 'delivery.steps[1]: got 150; expected an integer from 1 to 100', build: (s) => gate(s, { delivery: EvalDelivery.argoRollouts({ steps: [10, 150] }) }) },
  { name: 'current step out of range', error: 'delivery.currentStep (delivery.current_step): got 3; expected an integer from 0 to 2', build: (s) => gate(s, { delivery: EvalDelivery.argoRollouts({ currentStep: 3 }) }) },
  { name: 'failure limit not below measurements', error: 'delivery.failureLimit (delivery.failure_limit): got 3; expected an integer from 0 to 2', build: (s) => gate(s, { delivery: EvalDelivery.argoRollouts({ measurements: 3, failureLimit: 3 }) }) },
  {
    name: 'canary without a stable backend',
    error: 'delivery: a canary needs the candidate and exactly one stable backend in the route\'s default rule; bad-input/candidate/Route has 1 backend(s) there',
    build: (s) => new EvalGate(s, 'gate', {
      target: svc(s, 'candidate', { route: { gateway: 'inference-gateway' } }), suite: SUITE, thresholds: [GSM8K], delivery: EvalDelivery.argoRollouts(),
    }),
  },

  // --- Flux
  { name: 'route in the candidate\'s chart', error: 'with Flux the route is applied after the eval and the candidate before it, so put the InferenceRoute in a chart of its own', build: (s) => gate(s, { delivery: flux() }) },
  { name: 'absolute eval path', error: 'delivery.evalPath (delivery.eval_path): got "/deploy/evals"; expected a relative path', build: (s) => gate(s, { delivery: flux({ evalPath: '/deploy/evals' }) }) },
  { name: 'eval path with ..', error: 'delivery.evalPath (delivery.eval_path): got "deploy/../evals"', build: (s) => gate(s, { delivery: flux({ evalPath: 'deploy/../evals' }) }) },
  { name: 'same eval and traffic path', error: 'delivery.trafficPath (delivery.traffic_path): got "./deploy/evals"; expected a path other than evalPath', build: (s) => gate(s, { delivery: flux({ trafficPath: './deploy/evals' }) }) },
  { name: 'bad source name', error: 'delivery.source.name: got "Platform"', build: (s) => gate(s, { delivery: flux({ source: { kind: FluxSourceKind.GIT_REPOSITORY, name: 'Platform' } }) }) },
  {
    name: 'Flux source kind unknown',
    error: 'delivery.source.kind: got "HelmRepository"',
    build: (s) => {
      const { candidate } = canary(s, {}, routesChart(s));
      new EvalGate(s, 'gate', { target: candidate, suite: SUITE, thresholds: [GSM8K], delivery: flux({ source: { kind: 'HelmRepository' as FluxSourceKind, name: 'p' } }) });
    },
  },

  // --- pipeline gate
  { name: 'pipeline: failing results', error: 'thresholds: eval gate failed for bad-input/candidate', build: pipeline('failing.json') },
  { name: 'pipeline: failing results name the measured value', error: 'arc_challenge acc_norm,none >= 0.5: measured 0.4684300341296928 (0.4684300341296928 < 0.5)', build: (s) => gate(s, { suite: undefined, thresholds: [EvalThreshold.atLeast('arc_challenge', 'acc_norm', 0.5)], delivery: EvalDelivery.pipeline({ resultsFile: resultsFile('failing.json') }) }) },
  { name: 'pipeline: missing task', error: 'gsm8k exact_match,strict-match >= 0.7: task "gsm8k" is not in the results (tasks: arc_challenge)', build: pipeline('missing-task.json') },
  { name: 'pipeline: malformed file', error: /delivery\.resultsFile \(delivery\.results_file\): cannot read eval results: .*malformed\.json is not valid JSON/, build: pipeline('malformed.json') },
  { name: 'pipeline: no results object', error: 'no-results-key.json has no "results" object', build: pipeline('no-results-key.json') },
  { name: 'pipeline: missing file', error: 'nope.json does not exist', build: pipeline('nope.json') },
  { name: 'pipeline: malformed JSON string', error: 'delivery.resultsJson (delivery.results_json): cannot read eval results: resultsJson is not valid JSON', build: (s) => gate(s, { delivery: EvalDelivery.pipeline({ resultsJson: '{"results": ' }) }) },
  { name: 'pipeline: both file and JSON', error: 'delivery: both resultsFile and resultsJson are set', build: (s) => gate(s, { delivery: EvalDelivery.pipeline({ resultsFile: 'a', resultsJson: '{}' }) }) },
  { name: 'pipeline: Prometheus thresholds', error: 'a synth-time gate cannot do; use them with EvalDelivery.argoCd() (argo_cd()), argoRollouts() or flux()', build: (s) => gate(s, { thresholds: [GSM8K, EvalThreshold.maxLatency(3)], delivery: EvalDelivery.pipeline() }) },
  {
    name: 'pipeline: no results and no other backend to take the traffic',
    error: 'no eval results yet, so bad-input/candidate must get no traffic, but it is the only backend of bad-input/candidate/Route taking traffic',
    build: (s) => new EvalGate(s, 'gate', { target: svc(s, 'candidate', { route: { gateway: 'inference-gateway' } }), thresholds: [GSM8K], delivery: EvalDelivery.pipeline() }),
  },
], { scope: fullProfile, title: 'eval gate bad inputs' });

badInputCatalogue([
  { name: 'Argo Rollouts not in the cluster profile', error: 'EvalDelivery.argoRollouts() (argo_rollouts()) (AnalysisTemplate, AnalysisRun) needs Argo Rollouts (argoproj.io)', build: (s) => gate(s, { delivery: EvalDelivery.argoRollouts() }) },
  {
    name: 'Flux not in the cluster profile',
    error: 'EvalDelivery.flux() (Kustomization) needs Flux kustomize-controller',
    build: (s) => {
      const { candidate } = canary(s, {}, routesChart(s));
      new EvalGate(s, 'gate', { target: candidate, suite: SUITE, thresholds: [GSM8K], delivery: flux() });
    },
  },
], {
  title: 'eval gate add-ons',
  scope: (app) => {
    new ClusterProfile(app, 'Cluster', { addons: ClusterAddon.defaults() });
    return new Chart(app, 'bad-input', { namespace: 'serving' });
  },
});
