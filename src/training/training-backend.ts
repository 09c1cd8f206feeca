import { Construct } from 'constructs';
import { JobSetBackend } from './backends/jobset-backend';
import { RayJobBackend, RayJobOptions } from './backends/ray-job-backend';
import { TrainJobBackend } from './backends/train-job-backend';
import { BackendObjects, BackendStrategy, BackendTraits, GangPlan, GangRendering } from './gang-plan';
import { checkProps, opt } from '../internal/runtime-checks';

export { RaySubmissionMode } from './backends/ray-job-backend';
export type { RayJobOptions } from './backends/ray-job-backend';

/**
 * What runs the gang: the controller that creates the workers' pods, gives them stable DNS names and restarts the
 * whole group when one fails.
 *
 * ```ts
 * TrainingBackend.jobSet()             // a JobSet (jobset.x-k8s.io/v1alpha2): the default
 * TrainingBackend.kubeflowTrainer()    // a Kubeflow Trainer TrainJob with its own TrainingRuntime
 * TrainingBackend.rayJob()             // a KubeRay RayJob with a RayCluster of its own, gang-admitted by Kueue
 * ```
 */
export abstract class TrainingBackend {
  /**
   * A JobSet (`jobset.x-k8s.io/v1alpha2`, JobSet v0.12): one Indexed Job runs every worker; any worker failure
   * fails the Job and the JobSet restarts the whole group (after every old pod is gone, `BlockingRecreate`), up to
   * `maxRestarts` times; the JobSet's headless service gives each worker a stable DNS name for the rendezvous.
   */
  public static jobSet(): TrainingBackend {
    return new ChosenBackend(new JobSetBackend());
  }

  /**
   * Kubeflow Trainer v2 (`trainer.kubeflow.org/v1alpha1`): a TrainJob and the namespaced TrainingRuntime it runs,
   * generated for this job (the runtime holds the pod template, because a TrainJob cannot add DRA claims to it).
   * The runtime is the same JobSet as `jobSet()` (whole-group restarts, stable DNS); with the torchrun launcher the
   * Trainer controller injects the torchrun environment itself and the rendezvous port is always 29500.
   */
  public static kubeflowTrainer(): TrainingBackend {
    return new ChosenBackend(new TrainJobBackend());
  }

  /**
   * A KubeRay RayJob (`ray.io/v1`, KubeRay v1.7) with a RayCluster of its own, admitted as one gang by Kueue.
   *
   * The RayCluster, a CPU head and one worker group of `workers` pods (min = max = replicas, no autoscaling), is
   * created for the job and deleted when it ends (`shutdownAfterJobFinishes`; `ttlAfterFinished` delays that,
   * default none). The job's `command` and `args` are the entrypoint KubeRay submits to the head
   * (`['python', 'train.py']`); the program starts its workers itself (Ray Train), so the launcher is
   * `TrainingLauncher.raw()`.
   *
   * The gang comes from Kueue's RayJob integration: Kueue admits the head, the workers and the submitter as one
   * workload against the queue's quota, so only `GangScheduler.kueue()` is accepted. Workers get the GPUs (DRA
   * claims or the extended resource, `num-gpus` set for Ray), the pool's placement and the job's env and volumes;
   * the head gets the same image, env and volumes without GPUs. `maxRestarts` becomes the RayJob's `backoffLimit`
   * (each retry a new RayCluster) and `maxRuntime` its `activeDeadlineSeconds`.
   *
   * Once Kueue admits the job it writes its labels and annotation into every pod template, and the RayJob CRD keeps
   * `rayClusterSpec.workerGroupSpecs` as one atomic list, so Kueue then owns the whole worker group: a server-side
   * re-apply of the same RayJob without force conflicts there (a forced one replaces the whole list). Submit
   * RayJobs once (a pipeline) or let the GitOps tool skip that field of admitted jobs.
   */
  public static rayJob(options: RayJobOptions = {}): TrainingBackend {
    checkProps('TrainingBackend.rayJob()', 'RayJobOptions', options, {
      headCpu: opt('number'), headMemory: opt('size'), rayVersion: opt('string'), submissionMode: opt('string'),
    }, 'options.');
    return new ChosenBackend(new RayJobBackend(options ?? {}));
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

/** What every factory returns: the backend it chose, each a class of its own in backends/. */
class ChosenBackend extends TrainingBackend {
  public readonly name: string;

  constructor(private readonly backend: BackendStrategy) {
    super();
    this.name = backend.name;
  }

  public _traits(): BackendTraits {
    return this.backend.traits();
  }

  public _render(scope: Construct, plan: GangPlan, rendering: GangRendering): BackendObjects {
    return this.backend.render(scope, plan, rendering);
  }
}
// Errors name what the caller passed by its public type ("got a TrainingBackend"), not by this private class.
Object.defineProperty(ChosenBackend, 'name', { value: 'TrainingBackend' });
