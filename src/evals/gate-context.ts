import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { EvalJobInput, PromThreshold } from './eval-job';
import { ThresholdSpec } from './eval-threshold';
import { ThresholdOutcome } from './results';
import { IInferenceService, InferenceRoute } from '../serving/inference-route';
import { InferenceService } from '../serving/inference-service';

/** Annotations Argo CD reads. @internal */
export const ARGOCD_HOOK = 'argocd.argoproj.io/hook';
/** @internal */
export const ARGOCD_HOOK_DELETE_POLICY = 'argocd.argoproj.io/hook-delete-policy';
/** @internal */
export const ARGOCD_SYNC_WAVE = 'argocd.argoproj.io/sync-wave';

/** What a delivery backend gets from the gate. @internal */
export interface GateContext {
  /** The EvalGate (errors, name claims, parent of generated objects). */
  readonly gate: Construct;
  /** Base resource name of the gate's objects (at most 40 characters). */
  readonly name: string;
  readonly namespace?: string;
  readonly target: InferenceService;
  readonly route: InferenceRoute;
  /** The model rule of the route the candidate is gated in; undefined: the default rule. */
  readonly modelName?: string;
  /** Every threshold, checked. */
  readonly thresholds: ThresholdSpec[];
  /** Prometheus thresholds with queries over `$WINDOW` (for the in-Job checker). */
  readonly promForJob: PromThreshold[];
  /** Prometheus thresholds with queries over each threshold's own window (for canary analysis). */
  readonly promForAnalysis: PromThreshold[];
  readonly prometheusAddress?: string;
  /** The Job's input, when the gate has a suite (in-cluster deliveries need one). */
  readonly jobInput?: EvalJobInput;
  readonly timeoutSeconds: number;
  /** Throws unless the gate has a suite; returns the Job's input. */
  requireJob(delivery: string): EvalJobInput;
}

/** What a delivery backend produced. @internal */
export interface DeliveryObjects {
  readonly job?: ApiObject;
  readonly checkerConfigMap?: ApiObject;
  readonly networkPolicy?: ApiObject;
  readonly analysisTemplate?: ApiObject;
  readonly analysisRun?: ApiObject;
  readonly kustomizations?: ApiObject[];
  readonly evalChart?: Chart;
  readonly fluxChart?: Chart;
  readonly outcomes?: ThresholdOutcome[];
  /** The results file the pipeline gate read. */
  readonly resultsFile?: string;
}

/** One delivery integration. @internal */
export interface DeliveryBackend {
  /** e.g. `argo-cd`. */
  readonly kind: string;
  bind(ctx: GateContext): DeliveryObjects;
}

/** The route backends of the gated rule. @internal */
export function ruleBackends(ctx: GateContext): { service: IInferenceService; weight: number }[] {
  return ctx.route.backends.filter((b) => b.modelName === ctx.modelName).map((b) => ({ service: b.service, weight: b.weight }));
}

/**
 * Sets the Argo CD sync wave of the route's HTTPRoute to at least `wave` (several gates on one route: the highest
 * wins). Its ReferenceGrants stay in the default wave: they only allow, and must exist first.
 * @internal
 */
export function orderRouteAfter(route: InferenceRoute, wave: number): void {
  const current = ROUTE_WAVES.get(route);
  if (current !== undefined && current >= wave) return;
  ROUTE_WAVES.set(route, wave);
  route.httpRoute.metadata.addAnnotation(ARGOCD_SYNC_WAVE, String(wave));
}

const ROUTE_WAVES = new WeakMap<InferenceRoute, number>();
