/**
 * A GangFailurePolicy as a Job `podFailurePolicy` and JobSet `failurePolicy.rules`. Internal.
 *
 * Sources:
 * - Kubernetes `batch/v1` Job (v1.34 schema `io.k8s.api.batch.v1.PodFailurePolicy*`): rules are evaluated in order, the
 *   first match wins; `onExitCodes{containerName, operator: In, values}` (values ordered, unique, 1 to 255 items, no 0
 *   with `In`) or `onPodConditions[{type, status}]`; action `FailJob` fails the Job at once. The Job controller
 *   (kubernetes/kubernetes `pkg/controller/job/pod_failure_policy.go`, `matchPodFailurePolicy`) then sets the Job's
 *   `Failed` condition with reason `PodFailurePolicy` and the message `Container <c> for pod <ns>/<pod> failed with
 *   exit code <n> matching FailJob rule at index <i>` or `Pod <ns>/<pod> has condition <type> matching FailJob rule at
 *   index <i>`.
 * - JobSet v0.12.0 (`api/jobset/v1alpha2/jobset_types.go`, `pkg/controllers/failure_policy.go`): `failurePolicy.rules`
 *   are evaluated in order against the failed child Jobs; a rule matches when the Job's failure reason is in
 *   `onJobFailureReasons` and a pattern of `onJobFailureMessagePatterns` (RE2) matches its message; no match means
 *   `RestartJobSet`. `RestartJobSetAndIgnoreMaxRestarts` restarts without counting against `maxRestarts`. Rule names
 *   match `^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$` (`pkg/webhooks/jobset_webhook.go`).
 * So each case is a `FailJob` rule of the Job, and the JobSet rule for it matches the rule's index in the message.
 */
import { IConstruct } from 'constructs';
import { GangFailureAction, GangFailurePolicy } from './gang-failure-policy';
import { FailureRendering } from './gang-plan';
import { ValidationError, invalidProp, show } from '../internal/errors';
import { checkProps, opt } from '../internal/runtime-checks';

const POD_FAILURE_POLICY_REASON = 'PodFailurePolicy';
const DISRUPTION_TARGET = 'DisruptionTarget';

/** One case of the policy: the Job's pod failure rule and the JobSet action for it. */
interface FailureCase {
  readonly ruleName: string;
  readonly action: string;
  readonly podRule: (containerName: string) => Record<string, any>;
}

/** The rendering of `policy`, or undefined when it changes nothing (no case, other failures restart). */
export function failureRendering(scope: IConstruct, policy: GangFailurePolicy | undefined): FailureRendering | undefined {
  if (policy === undefined) return undefined;
  checkProps(scope, 'GangFailurePolicy', policy, {
    failFastExitCodes: opt('array'), restartExitCodes: opt('array'), restartOnDisruption: opt('boolean'), otherFailures: opt('string'),
  }, 'failurePolicy.');
  const failFast = exitCodes(scope, 'failurePolicy.failFastExitCodes', policy.failFastExitCodes);
  const restart = exitCodes(scope, 'failurePolicy.restartExitCodes', policy.restartExitCodes);
  const both = failFast.find((c) => restart.includes(c));
  if (both !== undefined) {
    throw new ValidationError(scope, 'failurePolicy', `exit code ${both} is both in failFastExitCodes and restartExitCodes; ` +
      'a code either fails the job or restarts the gang, so list it once');
  }
  const other = policy.otherFailures ?? GangFailureAction.RESTART;
  if (!Object.values(GangFailureAction).includes(other)) {
    throw invalidProp(scope, 'failurePolicy.otherFailures', other, `one of ${Object.values(GangFailureAction).map(show).join(', ')}`);
  }
  const cases: FailureCase[] = [];
  if (policy.restartOnDisruption ?? true) {
    cases.push({
      ruleName: 'Disruption',
      action: 'RestartJobSetAndIgnoreMaxRestarts',
      podRule: () => ({ action: 'FailJob', onPodConditions: [{ type: DISRUPTION_TARGET, status: 'True' }] }),
    });
  }
  if (restart.length) cases.push({ ruleName: 'InfrastructureExitCode', action: 'RestartJobSet', podRule: onExitCodes(restart) });
  if (failFast.length) cases.push({ ruleName: 'UserExitCode', action: 'FailJobSet', podRule: onExitCodes(failFast) });
  if (cases.length === 0 && other === GangFailureAction.RESTART) return undefined;
  const rules: Record<string, any>[] = cases.map((c, index) => ({
    name: c.ruleName,
    action: c.action,
    onJobFailureReasons: [POD_FAILURE_POLICY_REASON],
    onJobFailureMessagePatterns: [`matching FailJob rule at index ${index}$`],
  }));
  if (other === GangFailureAction.FAIL) rules.push({ name: 'OtherFailure', action: 'FailJobSet' });
  return {
    podFailurePolicy: (containerName) => (cases.length ? { rules: cases.map((c) => c.podRule(containerName)) } : undefined),
    rules,
  };
}

function onExitCodes(values: number[]): (containerName: string) => Record<string, any> {
  return (containerName) => ({ action: 'FailJob', onExitCodes: { containerName, operator: 'In', values } });
}

/** The codes sorted (the Job API wants them ordered), each an exit status from 1 to 255, each once. */
function exitCodes(scope: IConstruct, prop: string, codes: number[] | undefined): number[] {
  const list = codes ?? [];
  list.forEach((code, i) => {
    if (!Number.isInteger(code) || code < 1 || code > 255) {
      throw invalidProp(scope, `${prop}[${i}]`, code, 'an exit code from 1 to 255 (0 is success; a process killed by signal n exits with 128 + n)');
    }
    if (list.indexOf(code) !== i) throw invalidProp(scope, `${prop}[${i}]`, code, 'each exit code once');
  });
  return [...list].sort((a, b) => a - b);
}
