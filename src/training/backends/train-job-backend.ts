import { Construct } from 'constructs';
import { ClusterAddon } from '../../cluster/cluster-addon';
import { FastApiObject } from '../../imports/fast-api-object';
import { toJson_JobSetSpec } from '../../imports/jobset';
import { claimName } from '../../internal/names';
import { BackendObjects, BackendStrategy, BackendTraits, GangPlan, GangRendering } from '../gang-plan';
import { LAUNCHER_REPLICATED_JOB, gangJobSetSpec } from '../jobset-spec';

const TRAINER_GROUP = 'trainer.kubeflow.org';
const TRAINER_API_VERSION = `${TRAINER_GROUP}/v1alpha1`;
/** Kubeflow Trainer finds the trainer's pods by this Job label and the container named `node`. */
const TRAINER_ANCESTOR_LABEL = 'trainer.kubeflow.org/trainjob-ancestor-step';
const TRAINER_FRAMEWORK_LABEL = 'trainer.kubeflow.org/framework';

/** `TrainingBackend.kubeflowTrainer()`: a Kubeflow Trainer v2 TrainJob and the TrainingRuntime generated for it. */
export class TrainJobBackend implements BackendStrategy {
  public readonly name = 'kubeflowTrainer';

  public traits(): BackendTraits {
    return {
      kind: 'TrainJob',
      apiGroup: TRAINER_GROUP,
      release: 'Kubeflow Trainer v2.3 TrainingRuntime',
      addon: ClusterAddon.KUBEFLOW_TRAINER,
      containerName: 'node',
      replicatedJobName: 'node',
      podFields: ['schedulingGroup'],
      supportsTtl: false,
      injectsTorchEnv: true,
      // pkg/runtime/framework/plugins/{torch,jax,mpi} (v2.3.0) inject each policy's environment, hostfile and SSH keys.
      controllerPolicies: ['torch', 'jax', 'mpi'],
      // The MPI plugin mounts the SSH keys and hostfile into containers named `node`, the launcher's too.
      launcherContainerName: 'node',
    };
  }

  public render(scope: Construct, plan: GangPlan, rendering: GangRendering): BackendObjects {
    for (const kind of ['TrainJob', 'TrainingRuntime', 'JobSet', 'Service']) claimName(scope, kind, plan.namespace, plan.name);
    const launch = rendering.launch;
    const torch = launch.torch;
    const policy = launch.mlPolicy ?? (torch ? { torch: {} } : {});
    const framework = launch.framework ?? (torch ? 'torch' : undefined);
    // The `trainer` ancestor is where the program runs: the workers, or the MPI launcher (deepspeed_distributed.yaml).
    const launcher = rendering.launcherPodTemplate !== undefined;
    const ancestor = (step: string) => ({ [TRAINER_ANCESTOR_LABEL]: step });
    const template = gangJobSetSpec(plan, rendering, {
      lifecycle: false,
      jobLabels: launcher ? undefined : ancestor('trainer'),
      roleLabels: (rjob) => ancestor(rjob === LAUNCHER_REPLICATED_JOB ? 'trainer' : rjob),
    });
    const runtime = new FastApiObject(scope, 'TrainingRuntime', {
      apiVersion: TRAINER_API_VERSION,
      kind: 'TrainingRuntime',
      metadata: {
        name: plan.name,
        namespace: plan.namespace,
        labels: { ...plan.labels, ...(framework ? { [TRAINER_FRAMEWORK_LABEL]: framework } : {}) },
      },
      spec: {
        mlPolicy: { numNodes: plan.workers, ...policy },
        template: { spec: toJson_JobSetSpec(template) },
      },
    });
    const workload = new FastApiObject(scope, 'TrainJob', {
      apiVersion: TRAINER_API_VERSION,
      kind: 'TrainJob',
      metadata: { name: plan.name, namespace: plan.namespace, labels: { ...plan.labels, ...rendering.scheduler.jobLabels } },
      spec: {
        runtimeRef: { apiGroup: TRAINER_GROUP, kind: 'TrainingRuntime', name: plan.name },
        trainer: { numNodes: plan.workers, numProcPerNode: torch || 'mpi' in policy ? launch.procsPerNode : undefined },
        suspend: rendering.scheduler.suspend ? true : undefined,
      },
    });
    workload.node.addDependency(runtime);
    return { workload, companions: [runtime] };
  }
}
