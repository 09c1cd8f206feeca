// The Jobs the JobSet controller creates for a gang, one per replicated job (`<jobset>-<replicatedJob>-0`): workers,
// an MPI launcher, initializers. Sent to the apiserver beside the JobSet or TrainingRuntime, they put every pod
// template through core Pod validation and Pod Security `restricted`, not only the CRD schema.
import { jobSetSpecOf } from './fixtures';
import { KubeObject } from '../harness';

export function everyJob(template: KubeObject): KubeObject[] {
  return jobSetSpecOf(template).replicatedJobs.map((rjob: any) => ({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: `${template.metadata.name}-${rjob.name}-0`, namespace: template.metadata.namespace, labels: rjob.template.metadata?.labels },
    spec: rjob.template.spec,
  }));
}
