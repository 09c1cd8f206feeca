import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { BackendObjects, BackendTraits, GangPlan, GangRendering } from './gang-plan';
import { gangJobSetSpec } from './jobset-spec';
import { ClusterAddon } from '../cluster/cluster-addon';
import { JobSet, toJson_JobSetSpec } from '../imports/jobset';
import { claimName } from '../internal/names';

const TRAINER_GROUP = 'trainer.kubeflow.org';
const TRAINER_API_VERSION = `${TRAINER_GROUP}/v1alpha1`;
/** Kubeflow Trainer finds the trainer's pods by this Job label and the container named `node`. */
const TRAINER_ANCESTOR_LABEL = 'trainer.kubeflow.org/trainjob-ancestor-step';
const TRAINER_FRAMEWORK_LABEL = 'trainer.kubeflow.org/framework';

/**
 * What runs the gang: the controller that creates the workers' pods, gives them stable DNS names and restarts the
 * whole group when one fails.
 *
 * ```ts
 * TrainingBackend.jobSet()             // a JobSet (jobset.x-k8s.io/v1alpha2): the default
 * TrainingBackend.kubeflowTrainer()    // a Kubeflow Trainer TrainJob with its own TrainingRuntime
 * ```
 */
export abstract class TrainingBackend {
  /**
   * A JobSet (`jobset.x-k8s.io/v1alpha2`, JobSet v0.12): one Indexed Job runs every worker; any worker failure
   * fails the Job and the JobSet restarts the whole group (after every old pod is gone, `BlockingRecreate`), up to
   * `maxRestarts` times; the JobSet's headless service gives each worker a stable DNS name for the rendezvous.
   */
  public static jobSet(): TrainingBackend {
    return new JobSetBackend();
  }

  /**
   * Kubeflow Trainer v2 (`trainer.kubeflow.org/v1alpha1`): a TrainJob and the namespaced TrainingRuntime it runs,
   * generated for this job (the runtime holds the pod template, because a TrainJob cannot add DRA claims to it).
   * The runtime is the same JobSet as `jobSet()` (whole-group restarts, stable DNS); with the torchrun launcher the
   * Trainer controller injects the torchrun environment itself and the rendezvous port is always 29500.
   */
  public static kubeflowTrainer(): TrainingBackend {
    return new TrainJobBackend();
  }

  /** The backend's name, e.g. `jobSet`. */
  public abstract readonly name: string;

  /**
   * What the backend is and what its CRD can carry.
   * @internal
   */
  public abstract _traits(): BackendTraits;

  /**
   * Emits the backend's objects.
   * @internal
   */
  public abstract _render(scope: Construct, plan: GangPlan, rendering: GangRendering): BackendObjects;
}

class JobSetBackend extends TrainingBackend {
  public readonly name = 'jobSet';

  public _traits(): BackendTraits {
    return {
      kind: 'JobSet',
      apiGroup: 'jobset.x-k8s.io',
      release: 'JobSet v0.12',
      addon: ClusterAddon.JOBSET,
      containerName: 'trainer',
      replicatedJobName: 'worker',
      podFields: ['schedulingGroup'],
      supportsTtl: true,
      injectsTorchEnv: false,
    };
  }

  public _render(scope: Construct, plan: GangPlan, rendering: GangRendering): BackendObjects {
    claimName(scope, 'JobSet', plan.namespace, plan.name);
    claimName(scope, 'Service', plan.namespace, plan.name);
    const workload = new JobSet(scope, 'JobSet', {
      metadata: { name: plan.name, namespace: plan.namespace, labels: { ...plan.labels, ...rendering.scheduler.jobLabels } },
      spec: gangJobSetSpec(plan, rendering, { lifecycle: true }),
    });
    return { workload, companions: [] };
  }
}

class TrainJobBackend extends TrainingBackend {
  public readonly name = 'kubeflowTrainer';

  public _traits(): BackendTraits {
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
    };
  }

  public _render(scope: Construct, plan: GangPlan, rendering: GangRendering): BackendObjects {
    for (const kind of ['TrainJob', 'TrainingRuntime', 'JobSet', 'Service']) claimName(scope, kind, plan.namespace, plan.name);
    const torch = rendering.launch.torch;
    const template = gangJobSetSpec(plan, rendering, { lifecycle: false, jobLabels: { [TRAINER_ANCESTOR_LABEL]: 'trainer' } });
    const runtime = new ApiObject(scope, 'TrainingRuntime', {
      apiVersion: TRAINER_API_VERSION,
      kind: 'TrainingRuntime',
      metadata: { name: plan.name, namespace: plan.namespace, labels: { ...plan.labels, ...(torch ? { [TRAINER_FRAMEWORK_LABEL]: 'torch' } : {}) } },
      spec: {
        mlPolicy: { numNodes: plan.workers, ...(torch ? { torch: {} } : {}) },
        template: { spec: toJson_JobSetSpec(template) },
      },
    });
    const workload = new ApiObject(scope, 'TrainJob', {
      apiVersion: TRAINER_API_VERSION,
      kind: 'TrainJob',
      metadata: { name: plan.name, namespace: plan.namespace, labels: { ...plan.labels, ...rendering.scheduler.jobLabels } },
      spec: {
        runtimeRef: { apiGroup: TRAINER_GROUP, kind: 'TrainingRuntime', name: plan.name },
        trainer: { numNodes: plan.workers, numProcPerNode: torch ? rendering.launch.procsPerNode : undefined },
        suspend: rendering.scheduler.suspend ? true : undefined,
      },
    });
    workload.node.addDependency(runtime);
    return { workload, companions: [runtime] };
  }
}
