import { Duration } from 'cdk8s';
import { invalidProp, requireInteger, requireOneOf } from '../internal/errors';
import { checkProps, opt, req, requireKind } from '../internal/runtime-checks';

const INT32_MAX = 2 ** 31 - 1;

/**
 * The time a requeued workload is ordered by in its queue.
 */
export enum KueueRequeuingTimestamp {
  /** When it was evicted (Kueue's default): it goes to the back of the queue. */
  EVICTION = 'Eviction',
  /** When it was created: it keeps its place. */
  CREATION = 'Creation',
}

/**
 * How Kueue requeues a workload whose pods were not all ready in time (Kueue Configuration
 * `waitForPodsReady.requeuingStrategy`).
 */
export interface KueueRequeuingStrategy {
  /**
   * The time a requeued workload is ordered by.
   *
   * @default KueueRequeuingTimestamp.EVICTION
   */
  readonly timestamp?: KueueRequeuingTimestamp;

  /**
   * How many times a workload is requeued before Kueue deactivates it.
   *
   * @default - no limit: requeued again and again
   */
  readonly backoffLimitCount?: number;

  /**
   * The base of the exponential backoff between requeues (whole seconds).
   *
   * @default Duration.seconds(60)
   */
  readonly backoffBase?: Duration;

  /**
   * The longest backoff between requeues (whole seconds).
   *
   * @default Duration.hours(1)
   */
  readonly backoffMax?: Duration;
}

/**
 * Kueue's all-or-nothing start (Kueue Configuration `waitForPodsReady`): an admitted workload whose pods are not all
 * ready within the timeout is evicted and requeued, so a gang that cannot start whole gives its quota back.
 */
export interface KueueWaitForPodsReady {
  /**
   * How long an admitted workload has until all its pods are ready (whole seconds).
   *
   * @default Duration.minutes(30)
   */
  readonly timeout?: Duration;

  /**
   * Admit nothing else from the ClusterQueue until the admitted workload's pods are ready, so two gangs never hold
   * half of the nodes each.
   *
   * @default false
   */
  readonly blockAdmission?: boolean;

  /**
   * How long a running workload may have a pod not ready (a pod replaced after a failure) before it is evicted and
   * requeued, in whole seconds.
   *
   * Zero turns the check off.
   *
   * @default - the timeout
   */
  readonly recoveryTimeout?: Duration;

  /**
   * How the evicted workload is requeued.
   *
   * @default - requeued by eviction time, with backoff from 60 s to 1 h, without limit
   */
  readonly requeuingStrategy?: KueueRequeuingStrategy;
}

/**
 * What the cluster's Kueue Configuration (`config.kueue.x-k8s.io/v1beta2`, the Helm chart's
 * `managerConfig.controllerManagerConfigYaml`) declares, as far as this library checks and reports it.
 */
export interface KueueConfiguration {
  /**
   * The all-or-nothing start of admitted workloads.
   *
   * @default - not declared: the PlatformReport lists it as not checked
   */
  readonly waitForPodsReady?: KueueWaitForPodsReady;
}

/** Whole seconds of a Duration within [min, INT32_MAX], else a ValidationError naming `prop`. */
function seconds(factory: string, prop: string, duration: Duration, min: number): number {
  const s = duration.toSeconds({ integral: false });
  if (!Number.isInteger(s) || s < min || s > INT32_MAX) throw invalidProp(factory, prop, `${s}s`, `a whole number of seconds >= ${min}`);
  return s;
}

/** A Go duration as Kueue reads it (metav1.Duration), in the largest whole unit. */
function goDuration(s: number): string {
  if (s > 0 && s % 3600 === 0) return `${s / 3600}h`;
  if (s > 0 && s % 60 === 0) return `${s / 60}m`;
  return `${s}s`;
}

/**
 * Checks a declared Kueue Configuration against Kueue v0.19's own validation (pkg/config/validation.go
 * validateWaitForPodsReady) and returns the Configuration fields to apply, e.g. `{ waitForPodsReady: { timeout: '10m' } }`.
 * Internal.
 */
export function kueueConfigurationFields(factory: string, config: KueueConfiguration): Record<string, unknown> {
  requireKind(factory, 'configuration', config, req('object', 'a KueueConfiguration such as { waitForPodsReady: { timeout: Duration.minutes(10) } }'));
  checkProps(factory, 'KueueConfiguration', config, { waitForPodsReady: opt('object') }, 'configuration.');
  const wait = config.waitForPodsReady;
  if (wait === undefined) return {};
  const prefix = 'configuration.waitForPodsReady.';
  checkProps(factory, 'KueueWaitForPodsReady', wait, {
    timeout: opt('duration'), blockAdmission: opt('boolean'), recoveryTimeout: opt('duration'), requeuingStrategy: opt('object'),
  }, prefix);
  const out: Record<string, unknown> = {
    timeout: goDuration(seconds(factory, `${prefix}timeout`, wait.timeout ?? Duration.minutes(30), 1)),
  };
  if (wait.blockAdmission !== undefined) out.blockAdmission = wait.blockAdmission;
  if (wait.recoveryTimeout !== undefined) out.recoveryTimeout = goDuration(seconds(factory, `${prefix}recoveryTimeout`, wait.recoveryTimeout, 0));
  const r = wait.requeuingStrategy;
  if (r !== undefined) {
    const rp = `${prefix}requeuingStrategy.`;
    checkProps(factory, 'KueueRequeuingStrategy', r, {
      timestamp: opt('string'), backoffLimitCount: opt('number'), backoffBase: opt('duration'), backoffMax: opt('duration'),
    }, rp);
    const strategy: Record<string, unknown> = {};
    if (r.timestamp !== undefined) strategy.timestamp = requireOneOf(factory, `${rp}timestamp`, r.timestamp, Object.values(KueueRequeuingTimestamp));
    if (r.backoffLimitCount !== undefined) strategy.backoffLimitCount = requireInteger(factory, `${rp}backoffLimitCount`, r.backoffLimitCount, 0, INT32_MAX);
    if (r.backoffBase !== undefined) strategy.backoffBaseSeconds = seconds(factory, `${rp}backoffBase`, r.backoffBase, 0);
    if (r.backoffMax !== undefined) strategy.backoffMaxSeconds = seconds(factory, `${rp}backoffMax`, r.backoffMax, 0);
    out.requeuingStrategy = strategy;
  }
  return { waitForPodsReady: out };
}
