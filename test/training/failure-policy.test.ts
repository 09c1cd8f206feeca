// GangFailurePolicy: the workers' Job `podFailurePolicy` and the JobSet `failurePolicy.rules` it becomes, and a model
// of the two controllers (the Job controller's FailJob message, JobSet's first-matching rule) showing that each exit
// code and disruption leads to the action the policy names. The shapes go to the real apiserver in
// failure-policy.apiserver.test.ts.
import { BACKENDS, build, jobSetSpecOf, workloadObjects } from './fixtures';
import { GangFailureAction, GangFailurePolicy } from '../../src/training/gang-failure-policy';
import { TrainingLauncher } from '../../src/training/training-launcher';

function rendered(policy: GangFailurePolicy | undefined, backend = 'jobSet', extra = {}) {
  const { objects } = build('default', { backend: BACKENDS[backend](), failurePolicy: policy, ...extra });
  const js = jobSetSpecOf(workloadObjects(objects).template);
  const workers = js.replicatedJobs.find((r: any) => r.name === (backend === 'jobSet' ? 'worker' : 'node'));
  return { js, rules: js.failurePolicy.rules, podFailurePolicy: workers.template.spec.podFailurePolicy };
}

/**
 * What happens to the gang when a worker fails: the Job controller's first matching pod failure rule (FailJob sets
 * reason PodFailurePolicy and the message of kubernetes pkg/controller/job/pod_failure_policy.go), else the failure
 * counts (backoffLimit 0: reason BackoffLimitExceeded); then JobSet's first rule matching reason and message
 * (pkg/controllers/failure_policy.go), else RestartJobSet.
 */
function outcome(js: any, podFailurePolicy: any, failure: { exitCode?: number; condition?: string }): string {
  let reason = 'BackoffLimitExceeded';
  let message = 'Job has reached the specified backoff limit';
  const podRules: any[] = podFailurePolicy?.rules ?? [];
  const index = podRules.findIndex((r) => (r.onExitCodes && failure.exitCode !== undefined && r.onExitCodes.values.includes(failure.exitCode))
    || (r.onPodConditions && r.onPodConditions.some((c: any) => c.type === failure.condition && c.status === 'True')));
  if (index >= 0 && podRules[index].action === 'FailJob') {
    reason = 'PodFailurePolicy';
    message = failure.condition
      ? `Pod training/finetune-worker-0-1-abcde has condition ${failure.condition} matching FailJob rule at index ${index}`
      : `Container trainer for pod training/finetune-worker-0-1-abcde failed with exit code ${failure.exitCode} matching FailJob rule at index ${index}`;
  }
  const rule = (js.failurePolicy.rules ?? []).find((r: any) => (!r.onJobFailureReasons?.length || r.onJobFailureReasons.includes(reason))
    && (!r.onJobFailureMessagePatterns?.length || r.onJobFailureMessagePatterns.some((p: string) => new RegExp(p).test(message))));
  return rule?.action ?? 'RestartJobSet';
}

describe('exit codes and disruptions become Job pod failure rules and JobSet rules that match them by index', () => {
  test('the whole policy: disruption, infrastructure codes, user codes, in that order, codes sorted', () => {
    const { rules, podFailurePolicy } = rendered({ failFastExitCodes: [2, 1, 127], restartExitCodes: [143, 137] });
    expect(podFailurePolicy).toEqual({
      rules: [
        { action: 'FailJob', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
        { action: 'FailJob', onExitCodes: { containerName: 'trainer', operator: 'In', values: [137, 143] } },
        { action: 'FailJob', onExitCodes: { containerName: 'trainer', operator: 'In', values: [1, 2, 127] } },
      ],
    });
    expect(rules).toEqual([
      { name: 'Disruption', action: 'RestartJobSetAndIgnoreMaxRestarts', onJobFailureReasons: ['PodFailurePolicy'], onJobFailureMessagePatterns: ['matching FailJob rule at index 0$'] },
      { name: 'InfrastructureExitCode', action: 'RestartJobSet', onJobFailureReasons: ['PodFailurePolicy'], onJobFailureMessagePatterns: ['matching FailJob rule at index 1$'] },
      { name: 'UserExitCode', action: 'FailJobSet', onJobFailureReasons: ['PodFailurePolicy'], onJobFailureMessagePatterns: ['matching FailJob rule at index 2$'] },
    ]);
  });

  test('each failure leads to the action the policy names', () => {
    const { js, podFailurePolicy } = rendered({ failFastExitCodes: [1, 2], restartExitCodes: [137] });
    expect(outcome(js, podFailurePolicy, { exitCode: 1 })).toBe('FailJobSet');
    expect(outcome(js, podFailurePolicy, { exitCode: 2 })).toBe('FailJobSet');
    expect(outcome(js, podFailurePolicy, { exitCode: 137 })).toBe('RestartJobSet');
    expect(outcome(js, podFailurePolicy, { condition: 'DisruptionTarget' })).toBe('RestartJobSetAndIgnoreMaxRestarts');
    expect(outcome(js, podFailurePolicy, { exitCode: 3 })).toBe('RestartJobSet');
    const strict = rendered({ restartExitCodes: [137], otherFailures: GangFailureAction.FAIL });
    expect(outcome(strict.js, strict.podFailurePolicy, { exitCode: 3 })).toBe('FailJobSet');
    expect(outcome(strict.js, strict.podFailurePolicy, { exitCode: 137 })).toBe('RestartJobSet');
    expect(outcome(strict.js, strict.podFailurePolicy, { condition: 'DisruptionTarget' })).toBe('RestartJobSetAndIgnoreMaxRestarts');
  });

  test('the indexes follow the rules present: without disruption handling the user codes are rule 0', () => {
    const { rules, podFailurePolicy, js } = rendered({ failFastExitCodes: [1], restartOnDisruption: false });
    expect(podFailurePolicy.rules).toHaveLength(1);
    expect(rules).toEqual([{ name: 'UserExitCode', action: 'FailJobSet', onJobFailureReasons: ['PodFailurePolicy'], onJobFailureMessagePatterns: ['matching FailJob rule at index 0$'] }]);
    expect(outcome(js, podFailurePolicy, { exitCode: 1 })).toBe('FailJobSet');
    // Index 10 of a longer list must not match the pattern of rule 1.
    expect(new RegExp('matching FailJob rule at index 1$').test('matching FailJob rule at index 10')).toBe(false);
  });

  test('only other failures failing: one JobSet rule, no pod failure policy', () => {
    const { rules, podFailurePolicy } = rendered({ restartOnDisruption: false, otherFailures: GangFailureAction.FAIL });
    expect(rules).toEqual([{ name: 'OtherFailure', action: 'FailJobSet' }]);
    expect(podFailurePolicy).toBeUndefined();
  });

  test('an empty policy still restarts disrupted gangs without counting; a policy that changes nothing renders nothing', () => {
    expect(rendered({}).rules.map((r: any) => r.name)).toEqual(['Disruption']);
    const none = rendered({ restartOnDisruption: false });
    expect(none.js.failurePolicy).toEqual({ maxRestarts: 3, restartStrategy: 'BlockingRecreate' });
    expect(none.podFailurePolicy).toBeUndefined();
    expect(rendered(undefined).js.failurePolicy).toEqual(none.js.failurePolicy);
  });

  test('Kubeflow Trainer carries both in its runtime\'s JobSet template, for the node container', () => {
    const { rules, podFailurePolicy } = rendered({ failFastExitCodes: [1] }, 'kubeflowTrainer');
    expect(rules.map((r: any) => r.name)).toEqual(['Disruption', 'UserExitCode']);
    expect(podFailurePolicy.rules[1].onExitCodes.containerName).toBe('node');
  });

  test('with MPI the launcher Job gets the rules too, for the mpirun container whose exit status is the ranks\'', () => {
    const { js } = rendered({ failFastExitCodes: [1] }, 'jobSet', { launcher: TrainingLauncher.mpi({ sshAuthSecret: 'mpi-ssh' }), command: ['python', 'train.py'] });
    const launcher = js.replicatedJobs.find((r: any) => r.name === 'launcher');
    expect(launcher.template.spec.podFailurePolicy.rules[1]).toEqual({ action: 'FailJob', onExitCodes: { containerName: 'launcher', operator: 'In', values: [1] } });
  });
});
