import { buildEvalJob } from './eval-job';
import { ARGOCD_HOOK, ARGOCD_HOOK_DELETE_POLICY, ARGOCD_SYNC_WAVE, DeliveryBackend, DeliveryObjects, GateContext, orderRouteAfter } from './gate-context';
import * as k8s from '../imports/k8s';
import { invalidProp, requireInteger, ValidationError } from '../internal/errors';
import { dnsLabel, claimName } from '../internal/names';

/** How long a finished eval Job (and its pod's logs) stays: a day. */
const FINISHED_EVAL_TTL_SECONDS = 86_400;

/**
 * The Argo CD sync phase the eval Job runs in.
 */
export enum ArgoCdHookPhase {
  /**
   * With the manifests, in its sync wave: the candidate (earlier waves) is applied and healthy first, then the
   * eval runs, then the route (a later wave). A failed eval fails the sync; the route is not applied.
   */
  SYNC = 'Sync',
  /**
   * Before any manifest of the sync. Only when the candidate already runs (deployed by an earlier sync or another
   * Application): the eval cannot reach a candidate this sync would create.
   */
  PRE_SYNC = 'PreSync',
}

/**
 * When Argo CD deletes the eval Job.
 */
export enum ArgoCdHookDeletePolicy {
  /**
   * Before the next sync creates it again.
   *
   * A failed Job stays for its logs until then.
   */
  BEFORE_HOOK_CREATION = 'BeforeHookCreation',
  /** Once it succeeded (a failed Job stays). */
  HOOK_SUCCEEDED = 'HookSucceeded',
  /** Once it failed. */
  HOOK_FAILED = 'HookFailed',
}

/**
 * Options of the Argo CD integration.
 */
export interface ArgoCdDeliveryOptions {
  /**
   * The sync phase of the eval Job.
   *
   * @default ArgoCdHookPhase.SYNC
   */
  readonly phase?: ArgoCdHookPhase;

  /**
   * The eval Job's sync wave (`argocd.argoproj.io/sync-wave`). The checker ConfigMap and NetworkPolicy go one wave
   * earlier, the route one wave later. With `ArgoCdHookPhase.SYNC` it must be above the candidate's wave (0 unless
   * you annotate it).
   *
   * @default 1
   */
  readonly syncWave?: number;

  /**
   * When Argo CD deletes the eval Job.
   *
   * @default ArgoCdHookDeletePolicy.BEFORE_HOOK_CREATION
   */
  readonly deletePolicy?: ArgoCdHookDeletePolicy;
}

/**
 * Argo CD: the eval Job as a sync hook between the candidate and the route. @internal
 */
export class ArgoCdGate implements DeliveryBackend {
  public readonly kind = 'argo-cd';

  constructor(private readonly options: ArgoCdDeliveryOptions) {}

  public bind(ctx: GateContext): DeliveryObjects {
    const o = this.options;
    const phase = o.phase ?? ArgoCdHookPhase.SYNC;
    if (!Object.values(ArgoCdHookPhase).includes(phase)) {
      throw invalidProp(ctx.gate, 'delivery.phase', phase, `one of ${Object.values(ArgoCdHookPhase).join(', ')}`);
    }
    const deletePolicy = o.deletePolicy ?? ArgoCdHookDeletePolicy.BEFORE_HOOK_CREATION;
    if (!Object.values(ArgoCdHookDeletePolicy).includes(deletePolicy)) {
      throw invalidProp(ctx.gate, 'delivery.deletePolicy', deletePolicy, `one of ${Object.values(ArgoCdHookDeletePolicy).join(', ')}`);
    }
    const wave = requireInteger(ctx.gate, 'delivery.syncWave', o.syncWave ?? 1, -1000, 1000);
    if (phase === ArgoCdHookPhase.SYNC && wave < 1) {
      throw new ValidationError(ctx.gate, 'delivery.syncWave', `got ${wave}; with the Sync phase the eval must run in a wave after the ` +
        'candidate (wave 0 unless annotated): use 1 or more, or ArgoCdHookPhase.PRE_SYNC when the candidate already runs');
    }
    const input = ctx.requireJob('EvalDelivery.argoCd()');
    const parts = buildEvalJob(ctx.gate, input);
    // The ConfigMap and NetworkPolicy must exist before the Job: regular objects one wave earlier, or (PreSync) hooks.
    for (const obj of [parts.configMap, parts.networkPolicy]) {
      obj.metadata.addAnnotation(ARGOCD_SYNC_WAVE, String(wave - 1));
      if (phase === ArgoCdHookPhase.PRE_SYNC) {
        obj.metadata.addAnnotation(ARGOCD_HOOK, phase);
        obj.metadata.addAnnotation(ARGOCD_HOOK_DELETE_POLICY, ArgoCdHookDeletePolicy.BEFORE_HOOK_CREATION);
      }
    }
    const jobName = dnsLabel([ctx.name, 'eval']);
    claimName(ctx.gate, 'Job', ctx.namespace, jobName);
    const job = new k8s.KubeJob(ctx.gate, 'EvalJob', {
      metadata: {
        name: jobName,
        namespace: ctx.namespace,
        labels: parts.labels,
        annotations: {
          [ARGOCD_HOOK]: phase,
          [ARGOCD_HOOK_DELETE_POLICY]: deletePolicy,
          [ARGOCD_SYNC_WAVE]: String(wave),
        },
      },
      // Argo CD deletes the previous run before the next sync (BeforeHookCreation); the TTL also removes a finished
      // run the app never syncs again, after a day to read its logs. Hooks are not part of the app's sync status.
      spec: { ...parts.jobSpec, ttlSecondsAfterFinished: FINISHED_EVAL_TTL_SECONDS },
    });
    orderRouteAfter(ctx.route, wave + 1);
    return { job, checkerConfigMap: parts.configMap, networkPolicy: parts.networkPolicy };
  }
}
