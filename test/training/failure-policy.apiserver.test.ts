// GangFailurePolicy on the real kube-apiserver: the JobSet (or TrainingRuntime) keeps `failurePolicy.rules` and the
// Job template's `podFailurePolicy` (no field pruned), and the Jobs the JobSet controller creates pass the Job API's
// validation of pod failure policies. The negative controls show the apiserver checks what the library's refusals and
// its sorting of exit codes claim.
import { everyJob } from './every-job';
import { BACKENDS, Env, build, jobSetSpecOf, workloadObjects } from './fixtures';
import { GangFailureAction, GangFailurePolicy } from '../../src/training/gang-failure-policy';
import { TrainingLauncher } from '../../src/training/training-launcher';
import { KubeObject, validateObjects } from '../harness';

const POLICIES: Record<string, GangFailurePolicy> = {
  everything: { failFastExitCodes: [127, 1, 2], restartExitCodes: [143, 137], otherFailures: GangFailureAction.FAIL },
  userErrorsOnly: { failFastExitCodes: [1], restartOnDisruption: false },
  disruptionOnly: {},
  strict: { restartOnDisruption: false, otherFailures: GangFailureAction.FAIL },
  // Every exit status but 0: the Job API's 255-value limit, exactly.
  allCodes: { failFastExitCodes: Array.from({ length: 255 }, (_, i) => 255 - i) },
};

async function prove(objects: KubeObject[], env: Env): Promise<void> {
  const sent = [...objects, ...everyJob(workloadObjects(objects).template)];
  const results = await validateObjects(sent, { environment: env });
  expect(results).toHaveLength(sent.length);
}

describe('failure policies are accepted as sent', () => {
  test.each(Object.keys(POLICIES).flatMap((p) => [[p, 'jobSet'], [p, 'kubeflowTrainer']]))('%s on %s', async (policy, backend) => {
    const { objects } = build('default', { backend: BACKENDS[backend](), failurePolicy: POLICIES[policy] });
    const js = jobSetSpecOf(workloadObjects(objects).template);
    if (policy === 'allCodes') expect(js.replicatedJobs[0].template.spec.podFailurePolicy.rules[1].onExitCodes.values).toEqual(Array.from({ length: 255 }, (_, i) => i + 1));
    await prove(objects, 'default');
  });

  test('with the MPI launcher on 1.37', async () => {
    const { objects } = build('latest', {
      failurePolicy: POLICIES.everything, launcher: TrainingLauncher.mpi({ sshAuthSecret: 'mpi-ssh' }), command: ['python', 'train.py'],
    });
    await prove(objects, 'latest');
  });
});

describe('negative controls: the apiserver refuses what the library never renders', () => {
  function workerJobWith(mutate: (rules: any[]) => void): KubeObject {
    const { objects } = build('default', { failurePolicy: { failFastExitCodes: [1, 2] } });
    const job = JSON.parse(JSON.stringify(everyJob(workloadObjects(objects).template)[0]));
    mutate(job.spec.podFailurePolicy.rules);
    return job;
  }

  test('exit codes out of order (the library sorts them)', async () => {
    const job = workerJobWith((rules) => { rules[1].onExitCodes.values = [2, 1]; });
    await expect(validateObjects([job], { environment: 'default' })).rejects.toThrow(/onExitCodes\.values: Invalid value: \[2,1\]: must be ordered/);
  });

  test('exit code 0 with the In operator (the library accepts 1 to 255)', async () => {
    const job = workerJobWith((rules) => { rules[1].onExitCodes.values = [0, 1]; });
    await expect(validateObjects([job], { environment: 'default' })).rejects.toThrow(/values\[0\]: Invalid value: 0: must not be 0 for the In operator/);
  });

  test('a container name that is not in the pod (the library names the trainer or launcher container)', async () => {
    const job = workerJobWith((rules) => { rules[1].onExitCodes.containerName = 'sidecar'; });
    await expect(validateObjects([job], { environment: 'default' })).rejects.toThrow(/containerName: Invalid value: "sidecar": must be one of the container or initContainer names/);
  });

  test('a JobSet failure rule without a name (the library names every rule)', async () => {
    const { objects } = build('default', { failurePolicy: { failFastExitCodes: [1] } });
    const jobSet = JSON.parse(JSON.stringify(workloadObjects(objects).workload));
    delete jobSet.spec.failurePolicy.rules[0].name;
    await expect(validateObjects([jobSet], { environment: 'default' })).rejects.toThrow(/spec\.failurePolicy\.rules\[0\]\.name: Required value/);
  });
});
