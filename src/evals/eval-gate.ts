import { ApiObject, Chart, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { EvalDelivery } from './eval-delivery';
import { EvalJobInput, PromThreshold } from './eval-job';
import { EvalSuite } from './eval-suite';
import { EvalThreshold, LatencyKind, ThresholdSpec } from './eval-threshold';
import { DeliveryObjects, GateContext } from './gate-context';
import { registerGate } from './gate-registry';
import { monitoringStackOf } from '../cluster/stack-of';
import { invalidProp, show, ValidationError } from '../internal/errors';
import { resourceName } from '../internal/names';
import { namespaceOf } from '../internal/namespace';
import { eq, selector } from '../internal/promql';
import { checkProps, opt, req, requireKind } from '../internal/runtime-checks';
import type { TenantDns } from '../security/tenant-dns';
import { InferenceRoute } from '../serving/inference-route';
import { InferenceService } from '../serving/inference-service';
import { ServingMetrics } from '../serving/serving-metrics';
import { ServingResources } from '../serving/serving-props';
import { validateResources } from '../serving/serving-validation';

/**
 * Props of an EvalGate.
 */
export interface EvalGateProps {
  /**
   * The candidate: the new model version, a backend of an InferenceRoute.
   */
  readonly target: InferenceService;

  /**
   * How the traffic shift is held back until the eval passed.
   */
  readonly delivery: EvalDelivery;

  /**
   * The pass/fail rules, all of which must pass.
   */
  readonly thresholds: EvalThreshold[];

  /**
   * The evaluation run against the candidate. Required except with `EvalDelivery.pipeline()`, where your pipeline
   * ran it.
   *
   * @default - none
   */
  readonly suite?: EvalSuite;

  /**
   * The route whose traffic shift is gated.
   *
   * @default - the target's only route
   */
  readonly route?: InferenceRoute;

  /**
   * The model rule of the route the candidate is gated in.
   *
   * @default - the only rule the target is a backend of
   */
  readonly modelName?: string;

  /**
   * How long the eval Job may run in all (waiting for the candidate, the suite, the check): its
   * `activeDeadlineSeconds`. Whole minutes from 10 minutes to 48 hours.
   *
   * @default Duration.hours(2)
   */
  readonly timeout?: Duration;

  /**
   * CPU and memory of the eval container.
   *
   * @default { cpu: '1', memory: '4Gi' }
   */
  readonly resources?: ServingResources;

  /**
   * The image that runs the threshold checker (Python 3.8+).
   *
   * @default 'docker.io/library/python:3.12-slim'
   */
  readonly checkerImage?: string;

  /**
   * The Prometheus HTTP API latency and error-rate thresholds are read from.
   *
   * @default - `http://prometheus-operated.<monitoring namespace>.svc:9090`
   */
  readonly prometheusAddress?: string;

  /**
   * The candidate server's metric names, for latency and error-rate thresholds.
   *
   * @default - from the target's server (vLLM, SGLang, TGI); required for a custom server
   */
  readonly servingMetrics?: ServingMetrics;

  /**
   * Where the cluster DNS runs (the eval pod's egress allows it).
   *
   * @default - kube-system pods labelled k8s-app=kube-dns
   */
  readonly dns?: TenantDns;
}

/**
 * The outcome of one threshold at synth (pipeline gate).
 */
export interface EvalOutcome {
  /** The threshold, e.g. `gsm8k exact_match,strict-match >= 0.7`. */
  readonly threshold: string;
  /** Whether it passed. */
  readonly passed: boolean;
  /**
   * The measured value.
   *
   * @default - none (the task or metric is missing, or the value is not a number)
   */
  readonly measured?: number;
  /** Why, e.g. `0.74 >= 0.7`. */
  readonly reason: string;
}

/**
 * Puts an evaluation between a new model version and real traffic: until the eval passes, the candidate gets no
 * traffic (or only its canary share). The eval is a Job (restricted pod, no retries, a deadline, egress only to the
 * candidate, DNS, Prometheus and what the suite needs) that waits for the candidate, runs the suite against its
 * OpenAI-compatible Service, and exits non-zero when a threshold fails, through a checker script shipped in a
 * ConfigMap. The same rules run at synth for the pipeline gate.
 *
 * ```ts
 * new EvalGate(chart, 'gate', {
 *   target: candidate,
 *   suite: EvalSuite.lmEvalHarness({ tasks: ['gsm8k'], limit: 250 }),
 *   thresholds: [EvalThreshold.atLeast('gsm8k', 'exact_match,strict-match', 0.7), EvalThreshold.maxLatency(2.5)],
 *   delivery: EvalDelivery.argoCd(),
 * });
 * ```
 */
export class EvalGate extends Construct {
  /** The base resource name of the gate's objects. */
  public readonly name: string;
  /** The namespace of the eval objects (the target's). */
  public readonly namespace?: string;
  /** The gated route. */
  public readonly route: InferenceRoute;
  /** The integration, e.g. `argo-cd`. */
  public readonly deliveryKind: string;
  /** The eval Job (Argo CD, Flux). */
  public readonly job?: ApiObject;
  /** The ConfigMap with the checker script and the thresholds. */
  public readonly checkerConfigMap?: ApiObject;
  /** The eval pod's egress NetworkPolicy. */
  public readonly networkPolicy?: ApiObject;
  /** The AnalysisTemplate (Argo Rollouts). */
  public readonly analysisTemplate?: ApiObject;
  /** The AnalysisRun of the current canary step (Argo Rollouts). */
  public readonly analysisRun?: ApiObject;
  /** The Flux Kustomizations: the eval, then the traffic shift. */
  public readonly kustomizations: ApiObject[];
  /** The chart holding the eval objects (Flux): commit its file at `evalPath`. */
  public readonly evalChart?: Chart;
  /** The chart holding the Kustomizations (Flux). */
  public readonly fluxChart?: Chart;
  /** Threshold outcomes checked at synth (pipeline gate with results). */
  public readonly outcomes: EvalOutcome[];
  /** The results file the pipeline gate read. */
  public readonly resultsFile?: string;

  constructor(scope: Construct, id: string, props: EvalGateProps) {
    super(scope, id);
    checkProps(this, 'EvalGateProps', props, {
      target: req('construct', 'an InferenceService'),
      delivery: req(EvalDelivery, 'an EvalDelivery such as EvalDelivery.argoCd()'),
      thresholds: req('array', 'a list of EvalThreshold such as [EvalThreshold.atLeast(\'gsm8k\', \'exact_match\', 0.7)]'),
      suite: opt(EvalSuite, 'an EvalSuite such as EvalSuite.lmEvalHarness({ tasks: [\'gsm8k\'] })'),
    });
    (props.thresholds ?? []).forEach((t, i) => requireKind(this, `thresholds[${i}]`, t, req(EvalThreshold, 'an EvalThreshold such as EvalThreshold.atLeast(...)')));
    if (!props.target || !InferenceService.isInferenceService(props.target)) {
      throw invalidProp(this, 'target', String(props.target), 'an InferenceService');
    }
    const target = props.target;
    this.name = resourceName(this, [], 40);
    this.namespace = namespaceOf(target);
    this.route = this.resolveRoute(target, props.route);
    const modelName = this.resolveRule(target, props.modelName);
    registerGate(this, this.route, target, modelName,
      this.route.backends.filter((b) => b.modelName === modelName).every((b) => b.service === target));

    if (!props.thresholds?.length) throw new ValidationError(this, 'thresholds', 'is empty; give at least one EvalThreshold');
    const specs: ThresholdSpec[] = props.thresholds.map((t, i) => t._spec(this, `thresholds[${i}]`));
    const dup = specs.find((s, i) => specs.findIndex((x) => x.id === s.id) !== i);
    if (dup) throw invalidProp(this, 'thresholds', dup.id, 'thresholds without duplicates');
    const prom = specs.filter((s) => s.source === 'prometheus');
    const timeoutSeconds = this.timeoutSeconds(props.timeout);
    validateResources(this, 'resources', props.resources);
    if (props.checkerImage !== undefined && (!props.checkerImage || /\s/.test(props.checkerImage))) {
      throw invalidProp(this, 'checkerImage', props.checkerImage, 'a container image reference');
    }
    if (!props.delivery || typeof (props.delivery as any)._backend?.bind !== 'function') {
      throw invalidProp(this, 'delivery', props.delivery, 'an EvalDelivery (EvalDelivery.argoCd(), argoRollouts(), flux() or pipeline())');
    }

    // Prometheus: the candidate's series carry namespace and app_kubernetes_io_instance (its PodMonitor).
    // The Prometheus that scrapes the candidate: the platform's stack, else the ClusterProfile's add-on's, else defaults.
    const stack = monitoringStackOf(this);
    let prometheusAddress: string | undefined;
    let prometheus: EvalJobInput['prometheus'];
    let promForJob: PromThreshold[] = [];
    let promForAnalysis: PromThreshold[] = [];
    if (prom.length && props.delivery.kind !== 'pipeline') {
      if (!target.podMonitor) {
        throw new ValidationError(this, 'thresholds', `${prom.map((p) => show(p.id)).join(', ')} read the candidate's metrics from Prometheus, ` +
          `but ${target.node.path} has no PodMonitor; enable its monitoring (prometheus-operator)`);
      }
      prometheusAddress = props.prometheusAddress ?? `http://prometheus-operated.${stack.namespace}.svc:9090`;
      const url = this.prometheusUrl(prometheusAddress);
      prometheus = { namespace: stack.namespace, podLabels: stack.prometheusPodLabels, port: url.port };
      const metrics = props.servingMetrics ?? this.defaultMetrics(target);
      const sel = selector(target.namespace ? eq('namespace', target.namespace) : undefined, eq('app_kubernetes_io_instance', target.name));
      const render = (s: ThresholdSpec, window: string): PromThreshold => ({ ...s, query: this.query(s, metrics, sel, window) });
      promForJob = prom.map((s) => render(s, '$WINDOW'));
      promForAnalysis = prom.map((s) => render(s, `${s.windowSeconds}s`));
    } else if (props.prometheusAddress !== undefined) {
      throw new ValidationError(this, 'prometheusAddress', 'is set but no threshold reads Prometheus');
    }

    const jobInput: EvalJobInput | undefined = props.suite ? {
      gate: this,
      name: this.name,
      namespace: this.namespace,
      target,
      suite: props.suite,
      thresholds: specs,
      promThresholds: promForJob,
      prometheusAddress,
      prometheus,
      timeoutSeconds,
      checkerImage: props.checkerImage,
      resources: props.resources,
      dns: props.dns,
    } : undefined;
    const ctx: GateContext = {
      gate: this,
      name: this.name,
      namespace: this.namespace,
      target,
      route: this.route,
      modelName,
      thresholds: specs,
      promForJob,
      promForAnalysis,
      prometheusAddress,
      jobInput,
      timeoutSeconds,
      requireJob: (delivery: string) => {
        if (!jobInput) throw new ValidationError(this, 'suite', `is missing; ${delivery} runs the eval in the cluster, so give a suite (EvalSuite.lmEvalHarness() or custom())`);
        return jobInput;
      },
    };
    this.deliveryKind = props.delivery.kind;
    const out: DeliveryObjects = props.delivery._backend.bind(ctx);
    this.job = out.job;
    this.checkerConfigMap = out.checkerConfigMap;
    this.networkPolicy = out.networkPolicy;
    this.analysisTemplate = out.analysisTemplate;
    this.analysisRun = out.analysisRun;
    this.kustomizations = out.kustomizations ?? [];
    this.evalChart = out.evalChart;
    this.fluxChart = out.fluxChart;
    this.resultsFile = out.resultsFile;
    this.outcomes = (out.outcomes ?? []).map((o) => ({
      threshold: o.id, passed: o.passed, measured: o.measured ?? undefined, reason: o.reason,
    }));
  }

  private resolveRoute(target: InferenceService, route: InferenceRoute | undefined): InferenceRoute {
    const routes = target.routes;
    if (route) {
      if (!routes.includes(route)) {
        throw invalidProp(this, 'route', route.node.path, `a route ${target.node.path} is a backend of` +
          (routes.length ? ` (${routes.map((r) => r.node.path).join(', ')})` : ' (it is in none)'));
      }
      return route;
    }
    if (routes.length === 0) {
      throw new ValidationError(this, 'target', `${target.node.path} is in no route, so there is no traffic to gate; give it a route ` +
        '(the route prop, or an InferenceRoute with the stable version and the candidate as backends), created before the gate');
    }
    if (routes.length > 1) {
      throw new ValidationError(this, 'route', `is missing; ${target.node.path} is a backend of ${routes.length} routes ` +
        `(${routes.map((r) => r.node.path).join(', ')}); name the one to gate`);
    }
    return routes[0];
  }

  private resolveRule(target: InferenceService, modelName: string | undefined): string | undefined {
    const rules = [...new Set(this.route.backends.filter((b) => b.service === target).map((b) => b.modelName))];
    const show2 = (m: string | undefined) => (m === undefined ? 'the default rule' : show(m));
    if (modelName !== undefined) {
      if (!rules.includes(modelName)) {
        throw invalidProp(this, 'modelName', modelName, `a model rule of ${this.route.node.path} that ${target.node.path} is a backend of ` +
          `(${rules.map(show2).join(', ')})`);
      }
      return modelName;
    }
    if (rules.length > 1) {
      throw new ValidationError(this, 'modelName', `is missing; ${target.node.path} is a backend of ${rules.length} rules of ` +
        `${this.route.node.path} (${rules.map(show2).join(', ')}); name the model rule to gate`);
    }
    return rules[0];
  }

  private timeoutSeconds(timeout: Duration | undefined): number {
    const s = (timeout ?? Duration.hours(2)).toMilliseconds() / 1000;
    if (!Number.isInteger(s / 60) || s < 600 || s > 48 * 3600) {
      throw invalidProp(this, 'timeout', timeout?.toHumanString(), 'whole minutes from 10 minutes to 48 hours');
    }
    return s;
  }

  private prometheusUrl(address: string): { port: number } {
    const m = /^(https?):\/\/([a-z0-9]([-a-z0-9.]*[a-z0-9])?)(:(\d{1,5}))?(\/[^\s?#]*)?$/.exec(address);
    const port = m ? Number(m[5] ?? (m[1] === 'https' ? 443 : 80)) : NaN;
    if (!m || !(port >= 1 && port <= 65535)) {
      throw invalidProp(this, 'prometheusAddress', address, 'an http(s) URL of the Prometheus API, e.g. "http://prometheus-operated.monitoring.svc:9090"');
    }
    return { port };
  }

  private defaultMetrics(target: InferenceService): ServingMetrics {
    switch (target.server.name) {
      case 'vllm': return ServingMetrics.vllm();
      case 'sglang': return ServingMetrics.sglang();
      case 'tgi': return ServingMetrics.tgi();
      default:
        throw new ValidationError(this, 'servingMetrics', 'is missing; latency and error-rate thresholds need the metric names of ' +
          `${show(target.server.name)}, a server this library does not know: give ServingMetrics.custom(...)`);
    }
  }

  private query(s: ThresholdSpec, metrics: ServingMetrics, sel: string, window: string): string {
    const by = 'app_kubernetes_io_instance';
    if (s.signal === 'errorRate') return metrics._errorRate(sel, window, by);
    const histogram = s.latency === LatencyKind.TIME_TO_FIRST_TOKEN ? metrics.timeToFirstTokenHistogram
      : s.latency === LatencyKind.INTER_TOKEN ? metrics.interTokenLatencyHistogram : metrics.requestLatencyHistogram;
    if (!histogram) {
      throw invalidProp(this, 'thresholds', s.id, `a latency ${metrics.server} exports (it has no ${s.latency} histogram)`);
    }
    return `histogram_quantile(${s.quantile}, sum by (le, ${by}) (rate(${histogram}_bucket{${sel}}[${window}])))`;
  }
}
