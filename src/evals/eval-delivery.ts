import { ArgoCdDeliveryOptions, ArgoCdGate } from './argo-cd-delivery';
import { ArgoRolloutsDeliveryOptions, ArgoRolloutsGate } from './argo-rollouts-delivery';
import { FluxDeliveryOptions, FluxGate } from './flux-delivery';
import { DeliveryBackend } from './gate-context';
import { PipelineGate, PipelineGateOptions } from './pipeline-delivery';

/**
 * How an EvalGate holds the traffic shift back until the eval passed: wherever your delivery runs.
 *
 * ```ts
 * EvalDelivery.argoCd()                                     // eval Job as a sync hook; the route in a later wave
 * EvalDelivery.argoRollouts({ steps: [10, 50, 100], currentStep: 1 })  // AnalysisTemplate + a gated weight step
 * EvalDelivery.flux({ source: { kind: FluxSourceKind.GIT_REPOSITORY, name: 'platform' },
 *   evalPath: './deploy/evals', trafficPath: './deploy/routes' })      // Kustomization dependsOn
 * EvalDelivery.pipeline({ resultsFile: 'out/evals' })      // checked at synth; a failure stops `cdk8s synth`
 * ```
 */
export class EvalDelivery {
  /**
   * Argo CD: the eval Job as a Sync (or PreSync) hook after the candidate's wave and before the route's.
   *
   * A failed eval fails the sync and the route is not applied.
   */
  public static argoCd(options: ArgoCdDeliveryOptions = {}): EvalDelivery {
    return new EvalDelivery(new ArgoCdGate(options));
  }

  /**
   * Argo Rollouts: an AnalysisTemplate (Job metric for the suite, Prometheus metrics for latency and error rate)
   * and canary weight steps across the two InferencePools of the route, the current step gated by an AnalysisRun
   * (an Argo CD Sync hook ordered before the route).
   */
  public static argoRollouts(options: ArgoRolloutsDeliveryOptions = {}): EvalDelivery {
    return new EvalDelivery(new ArgoRolloutsGate(options));
  }

  /**
   * Flux: the eval Job in a Kustomization that waits for it, and the route in a Kustomization that `dependsOn` it.
   */
  public static flux(options: FluxDeliveryOptions): EvalDelivery {
    return new EvalDelivery(new FluxGate(options));
  }

  /**
   * A synth-time gate on results your pipeline produced: refuses to synthesize the traffic shift when a threshold
   * fails.
   *
   * It holds the candidate at weight 0 while there are no results.
   */
  public static pipeline(options: PipelineGateOptions = {}): EvalDelivery {
    return new EvalDelivery(new PipelineGate(options));
  }

  /** The integration: `argo-cd`, `argo-rollouts`, `flux` or `pipeline`. */
  public readonly kind: string;

  /** @internal */
  public readonly _backend: DeliveryBackend;

  private constructor(backend: DeliveryBackend) {
    this._backend = backend;
    this.kind = backend.kind;
  }
}
