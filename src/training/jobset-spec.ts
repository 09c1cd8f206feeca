/**
 * The JobSet spec of a gang: one replicated job whose single Indexed Job runs every worker, so the workers are
 * one failure domain (any failure restarts the whole group) and worker i has the stable DNS name
 * `<name>-<replicatedJob>-0-<i>.<name>`. Shared by the JobSet backend and the Kubeflow Trainer runtime template
 * (which is a JobSet template). Internal.
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
  /** Labels of the replicated job's Job template. */
  readonly jobLabels?: Record<string, string>;
  /** Include the lifecycle fields of a JobSet object (suspend, TTL); a runtime template leaves them out. */
  readonly lifecycle: boolean;
}

export function gangJobSetSpec(plan: GangPlan, rendering: GangRendering, options: JobSetSpecOptions): jobset.JobSetSpec {
  const rjob = plan.backend.replicatedJobName;
  const annotations = rendering.exclusiveTopology ? { [EXCLUSIVE_TOPOLOGY_ANNOTATION]: rendering.exclusiveTopology } : undefined;
  const jobMetadata = options.jobLabels || annotations ? { labels: options.jobLabels, annotations } : undefined;
  return {
    replicatedJobs: [{
      name: rjob,
      replicas: 1,
      template: {
        metadata: jobMetadata,
        spec: {
          parallelism: plan.workers,
          completions: plan.workers,
          completionMode: 'Indexed',
          backoffLimit: rendering.backoffLimit,
          activeDeadlineSeconds: rendering.activeDeadlineSeconds,
          successPolicy: rendering.leaderSuccess ? { rules: [{ succeededIndexes: '0' }] } : undefined,
          template: rendering.podTemplate,
        },
      },
    }],
    network: { enableDnsHostnames: true, publishNotReadyAddresses: true },
    coordinator: { replicatedJob: rjob, jobIndex: 0, podIndex: 0 },
    failurePolicy: { maxRestarts: rendering.maxRestarts, restartStrategy: jobset.JobSetSpecFailurePolicyRestartStrategy.BLOCKING_RECREATE },
    successPolicy: { operator: jobset.JobSetSpecSuccessPolicyOperator.ALL, targetReplicatedJobs: [rjob] },
    suspend: options.lifecycle && rendering.scheduler.suspend ? true : undefined,
    ttlSecondsAfterFinished: options.lifecycle ? rendering.ttlSecondsAfterFinished : undefined,
  };
}
