/**
 * The JobSet spec of a gang: one replicated job whose single Indexed Job runs every worker, so the workers are
 * one failure domain (any failure restarts the whole group) and worker i has the stable DNS name
 * `<name>-<replicatedJob>-0-<i>.<name>`; before it the initializers, after it an MPI launcher. Shared by the JobSet
 * backend and the Kubeflow Trainer runtime template (which is a JobSet template). Internal.
 *
 * JobSet v0.12.0 (`api/jobset/v1alpha2/jobset_types.go`, `pkg/webhooks/jobset_webhook.go`,
 * `pkg/controllers/depends_on.go`): a replicated job is created only once the ones in its `dependsOn` reached their
 * status (`Complete`: all its Jobs succeeded; `Ready`: all ready, failed or succeeded); the first replicated job cannot
 * depend on any, and a dependency must come earlier in the list.
 */
import { GangPlan, GangRendering } from './gang-plan';
import * as jobset from '../imports/jobset';

/** JobSet's annotation for exclusive placement: one Job per domain of this node label. */
export const EXCLUSIVE_TOPOLOGY_ANNOTATION = 'alpha.jobset.sigs.k8s.io/exclusive-topology';
/** The downward-API field that holds an Indexed Job pod's index. */
export const COMPLETION_INDEX_FIELD = "metadata.annotations['batch.kubernetes.io/job-completion-index']";

/** Worker `index`'s hostname (`<jobset>-<replicatedJob>-<jobIndex>-<podIndex>`), a DNS label. */
export function workerHostname(name: string, replicatedJob: string, index: number): string {
  return `${name}-${replicatedJob}-0-${index}`;
}

/** The leader's (worker 0) stable DNS name through the JobSet's headless service (subdomain = JobSet name). */
export function leaderHost(name: string, replicatedJob: string): string {
  return `${workerHostname(name, replicatedJob, 0)}.${name}`;
}

export interface JobSetSpecOptions {
  /** Labels of the workers' Job template. */
  readonly jobLabels?: Record<string, string>;
  /** Labels of the Job template of another replicated job (initializer, launcher), by its name. */
  readonly roleLabels?: (replicatedJob: string) => Record<string, string> | undefined;
  /** Include the lifecycle fields of a JobSet object (suspend, TTL); a runtime template leaves them out. */
  readonly lifecycle: boolean;
}

/** The replicated job of an MPI launcher pod. */
export const LAUNCHER_REPLICATED_JOB = 'launcher';

/**
 * The gang's JobSet spec: the initializers (each Complete before the workers start, JobSet `dependsOn`), the workers'
 * Indexed Job, and an MPI launcher (started when the workers are Ready; the job succeeds when it does).
 */
export function gangJobSetSpec(plan: GangPlan, rendering: GangRendering, options: JobSetSpecOptions): jobset.JobSetSpec {
  const rjob = plan.backend.replicatedJobName;
  const annotations = rendering.exclusiveTopology ? { [EXCLUSIVE_TOPOLOGY_ANNOTATION]: rendering.exclusiveTopology } : undefined;
  const jobMetadata = options.jobLabels || annotations ? { labels: options.jobLabels, annotations } : undefined;
  const initializers = rendering.initializers ?? [];
  const launcher = rendering.launcherPodTemplate;
  const failure = rendering.failure;
  type PodFailurePolicy = jobset.JobSetSpecReplicatedJobsTemplateSpecPodFailurePolicy;
  const podFailurePolicy = (container: string) => failure?.podFailurePolicy(container) as PodFailurePolicy | undefined;
  const roleMetadata = (name: string) => {
    const labels = options.roleLabels?.(name);
    return labels ? { labels } : undefined;
  };
  const workers: jobset.JobSetSpecReplicatedJobs = {
    name: rjob,
    replicas: 1,
    dependsOn: initializers.length
      ? initializers.map((i) => ({ name: i.name, status: jobset.JobSetSpecReplicatedJobsDependsOnStatus.COMPLETE }))
      : undefined,
    template: {
      metadata: jobMetadata,
      spec: {
        parallelism: plan.workers,
        completions: plan.workers,
        completionMode: 'Indexed',
        backoffLimit: rendering.backoffLimit,
        activeDeadlineSeconds: rendering.activeDeadlineSeconds,
        podFailurePolicy: podFailurePolicy(plan.backend.containerName),
        successPolicy: rendering.leaderSuccess ? { rules: [{ succeededIndexes: '0' }] } : undefined,
        template: rendering.podTemplate,
      },
    },
  };
  const launcherJobs: jobset.JobSetSpecReplicatedJobs[] = launcher ? [{
    name: LAUNCHER_REPLICATED_JOB,
    replicas: 1,
    dependsOn: [{ name: rjob, status: jobset.JobSetSpecReplicatedJobsDependsOnStatus.READY }],
    template: {
      metadata: roleMetadata(LAUNCHER_REPLICATED_JOB),
      spec: {
        parallelism: 1,
        completions: 1,
        backoffLimit: rendering.backoffLimit,
        activeDeadlineSeconds: rendering.activeDeadlineSeconds,
        podFailurePolicy: podFailurePolicy(plan.backend.launcherContainerName ?? LAUNCHER_REPLICATED_JOB),
        template: launcher,
      },
    },
  }] : [];
  const initializerJobs: jobset.JobSetSpecReplicatedJobs[] = initializers.map((i) => ({
    name: i.name,
    replicas: 1,
    template: {
      metadata: roleMetadata(i.name),
      spec: { parallelism: 1, completions: 1, backoffLimit: i.backoffLimit, template: i.podTemplate },
    },
  }));
  const rules = failure?.rules.length ? failure.rules as jobset.JobSetSpecFailurePolicyRules[] : undefined;
  return {
    replicatedJobs: [...initializerJobs, workers, ...launcherJobs],
    network: { enableDnsHostnames: true, publishNotReadyAddresses: true },
    coordinator: { replicatedJob: rjob, jobIndex: 0, podIndex: 0 },
    failurePolicy: { maxRestarts: rendering.maxRestarts, restartStrategy: jobset.JobSetSpecFailurePolicyRestartStrategy.BLOCKING_RECREATE, rules },
    successPolicy: { operator: jobset.JobSetSpecSuccessPolicyOperator.ALL, targetReplicatedJobs: [launcher ? LAUNCHER_REPLICATED_JOB : rjob] },
    suspend: options.lifecycle && rendering.scheduler.suspend ? true : undefined,
    ttlSecondsAfterFinished: options.lifecycle ? rendering.ttlSecondsAfterFinished : undefined,
  };
}
