/**
 * What a failed worker does to the whole gang.
 */
export enum GangFailureAction {
  /**
   * The whole gang restarts (counted against `maxRestarts`).
   */
  RESTART = 'Restart',

  /**
   * The job fails at once, without restarting the gang.
   */
  FAIL = 'Fail',
}

/**
 * How the gang reacts to a failed worker, by the exit code of its training program and by the reason the pod went
 * away: a user error fails the job at once, an infrastructure error restarts the whole gang.
 *
 * ```ts
 * failurePolicy: {
 *   failFastExitCodes: [1, 2],  // an uncaught Python exception, bad arguments: a restart would fail the same way
 *   restartExitCodes: [137],    // killed (SIGKILL): restart the gang, at most maxRestarts times
 * }
 * ```
 *
 * It becomes the `podFailurePolicy` of the workers' Job (each case a `FailJob` rule, so one worker's failure ends the
 * attempt at once instead of leaving its peers hanging in a collective) and the JobSet's `failurePolicy.rules`, which
 * match those rules by the Job's failure reason (`PodFailurePolicy`) and message.
 */
export interface GangFailurePolicy {
  /**
   * Exit codes of the training program that mean a bug or bad input (1 to 255): the job fails at once, without
   * restarting the gang.
   *
   * @default - none
   */
  readonly failFastExitCodes?: number[];

  /**
   * Exit codes of the training program that mean the infrastructure failed (1 to 255, e.g. 137 for a kill): the whole
   * gang restarts, counted against `maxRestarts`.
   *
   * @default - none
   */
  readonly restartExitCodes?: number[];

  /**
   * Restart the whole gang without counting against `maxRestarts` when a worker is disrupted: preempted, evicted
   * by a node drain, or its node is lost (the pod condition `DisruptionTarget`).
   *
   * @default true
   */
  readonly restartOnDisruption?: boolean;

  /**
   * What any other failure does: another exit code, `backoffLimit` exhausted, `maxRuntime` exceeded, a failed
   * initializer.
   *
   * @default GangFailureAction.RESTART
   */
  readonly otherFailures?: GangFailureAction;
}
