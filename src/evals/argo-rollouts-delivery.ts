import { Duration } from 'cdk8s';
import { buildEvalJob, PromThreshold } from './eval-job';
import { ARGOCD_HOOK, ARGOCD_HOOK_DELETE_POLICY, ARGOCD_SYNC_WAVE, DeliveryBackend, DeliveryObjects, GateContext, orderRouteAfter, ruleBackends } from './gate-context';
import { ClusterAddon } from '../cluster/cluster-addon';
import { ClusterProfile } from '../cluster/cluster-profile';
import { FastApiObject } from '../imports/fast-api-object';
import * as k8s from '../imports/k8s';
import { invalidProp, requireInteger, ValidationError, show } from '../internal/errors';
import { claimName, dnsLabel } from '../internal/names';

const ANALYSIS_API = 'argoproj.io/v1alpha1';
const SUITE_METRIC = 'eval-suite';

/**
 * Options of the Argo Rollouts integration.
 */
export interface ArgoRolloutsDeliveryOptions {
  /**
   * The candidate's traffic percentage at each canary step, increasing, ending at most at 100. The route's other
   * backend (the stable version) gets the rest.
   *
   * @default [10, 50, 100]
   */
  readonly steps?: number[];

  /**
   * The step this synth moves the route to (an index into `steps`), e.g. from your pipeline's
   * `Number(process.env.CANARY_STEP ?? 0)`. Its AnalysisRun must pass before the route is applied.
   *
   * @default 0
   */
  readonly currentStep?: number;

  /**
   * Time between Prometheus measurements of a step's analysis (whole seconds from 10 to 3600).
   *
   * @default Duration.minutes(1)
   */
  readonly interval?: Duration;

  /**
   * Prometheus measurements per step.
   *
   * @default 5
   */
  readonly measurements?: number;

  /**
   * Failed measurements a Prometheus metric tolerates before the analysis fails.
   *
   * @default 0
   */
  readonly failureLimit?: number;

  /**
   * The Argo CD sync wave of the step's AnalysisRun (a Sync hook).
   *
   * The route goes one wave later.
   *
   * @default 1
   */
  readonly syncWave?: number;
}

/**
 * Argo Rollouts: an AnalysisTemplate (Job metric for the suite, Prometheus metrics for latency and error rate)
 * and, for the current canary step, an AnalysisRun ordered before the route's weight change.
 *
 * Argo Rollouts' Gateway API plugin and Flagger shift only Service backends, not InferencePools, so the steps are
 * HTTPRoute weights written here. Step 0 is gated by the suite (the candidate has no traffic yet); each later step
 * by the Prometheus thresholds measured on the traffic of the previous step (the suite again when there are none).
 * The AnalysisRun is an Argo CD Sync hook, so Argo CD applies the route only after it succeeded (AnalysisRun
 * health: Successful is Healthy, Failed and Error are Degraded). @internal
 */
export class ArgoRolloutsGate implements DeliveryBackend {
  public readonly kind = 'argo-rollouts';

  constructor(private readonly options: ArgoRolloutsDeliveryOptions) {}

  public bind(ctx: GateContext): DeliveryObjects {
    const { gate } = ctx;
    const o = this.options;
    ClusterProfile.of(gate)._requireAddon(gate, 'delivery', ClusterAddon.ARGO_ROLLOUTS, 'EvalDelivery.argoRollouts() (AnalysisTemplate, AnalysisRun)');
    const steps = o.steps ?? [10, 50, 100];
    if (steps.length === 0 || steps.length > 20) throw invalidProp(gate, 'delivery.steps', steps, '1 to 20 canary weights');
    steps.forEach((w, i) => requireInteger(gate, `delivery.steps[${i}]`, w, 1, 100));
    if (steps.some((w, i) => i > 0 && w <= steps[i - 1])) throw invalidProp(gate, 'delivery.steps', steps, 'increasing weights, e.g. [10, 50, 100]');
    const current = requireInteger(gate, 'delivery.currentStep', o.currentStep ?? 0, 0, steps.length - 1);
    const intervalSeconds = (o.interval ?? Duration.minutes(1)).toMilliseconds() / 1000;
    if (!Number.isInteger(intervalSeconds) || intervalSeconds < 10 || intervalSeconds > 3600) {
      throw invalidProp(gate, 'delivery.interval', o.interval?.toHumanString(), 'whole seconds from 10 to 3600');
    }
    const count = requireInteger(gate, 'delivery.measurements', o.measurements ?? 5, 1, 100);
    const failureLimit = requireInteger(gate, 'delivery.failureLimit', o.failureLimit ?? 0, 0, count - 1);
    const wave = requireInteger(gate, 'delivery.syncWave', o.syncWave ?? 1, 1, 1000);

    // The canary: exactly the candidate and one stable backend in the gated rule.
    const backends = ruleBackends(ctx);
    const others = backends.filter((b) => b.service !== ctx.target);
    if (others.length !== 1) {
      throw new ValidationError(gate, 'delivery', 'a canary needs the candidate and exactly one stable backend in the route\'s ' +
        `${ctx.modelName ? `rule for ${show(ctx.modelName)}` : 'default rule'}; ${ctx.route.node.path} has ${backends.length} backend(s) there`);
    }
    const weight = steps[current];
    ctx.route.setBackendWeight(ctx.target, weight, ctx.modelName);
    ctx.route.setBackendWeight(others[0].service, 100 - weight, ctx.modelName);

    const input = ctx.requireJob('EvalDelivery.argoRollouts()');
    const parts = buildEvalJob(gate, input);
    const jobMetric = {
      name: SUITE_METRIC,
      provider: { job: { metadata: { labels: parts.labels }, spec: k8s.toJson_JobSpec(parts.jobSpec) } },
    };
    const promMetrics = ctx.promForAnalysis.map((t) => promMetric(t, ctx.prometheusAddress!, intervalSeconds, count, failureLimit));

    claimName(gate, 'AnalysisTemplate', ctx.namespace, ctx.name);
    const analysisTemplate = new FastApiObject(gate, 'AnalysisTemplate', {
      apiVersion: ANALYSIS_API,
      kind: 'AnalysisTemplate',
      metadata: { name: ctx.name, namespace: ctx.namespace, labels: parts.labels },
      spec: { metrics: [jobMetric, ...promMetrics] },
    });

    const stepMetrics = current === 0 || promMetrics.length === 0 ? [jobMetric] : promMetrics;
    const runName = dnsLabel([ctx.name, 'step', String(current)]);
    claimName(gate, 'AnalysisRun', ctx.namespace, runName);
    const analysisRun = new FastApiObject(gate, 'AnalysisRun', {
      apiVersion: ANALYSIS_API,
      kind: 'AnalysisRun',
      metadata: {
        name: runName,
        namespace: ctx.namespace,
        labels: { ...parts.labels, 'evals.cdk8s-ai.dev/canary-step': String(current) },
        annotations: {
          [ARGOCD_HOOK]: 'Sync',
          [ARGOCD_HOOK_DELETE_POLICY]: 'BeforeHookCreation',
          [ARGOCD_SYNC_WAVE]: String(wave),
          'evals.cdk8s-ai.dev/canary-weight': `${weight}`,
        },
      },
      spec: { metrics: stepMetrics },
    });
    for (const obj of [parts.configMap, parts.networkPolicy]) obj.metadata.addAnnotation(ARGOCD_SYNC_WAVE, String(wave - 1));
    orderRouteAfter(ctx.route, wave + 1);
    return { analysisTemplate, analysisRun, checkerConfigMap: parts.configMap, networkPolicy: parts.networkPolicy };
  }
}

function promMetric(t: PromThreshold, address: string, interval: number, count: number, failureLimit: number): Record<string, any> {
  const name = t.signal === 'errorRate' ? 'error-rate' : dnsLabel([`latency-p${Math.round(t.quantile! * 1000) / 10}`, t.latency!]);
  return {
    name,
    interval: `${interval}s`,
    count,
    failureLimit,
    successCondition: `len(result) > 0 && !isNaN(result[0]) && result[0] <= ${t.value}`,
    provider: { prometheus: { address, query: t.query } },
  };
}
