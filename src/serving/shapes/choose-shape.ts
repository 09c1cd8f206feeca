import { DeploymentShape } from './deployment-shape';
import { LeaderWorkerSetShape } from './leader-worker-set-shape';
import { ResolvedParallelism } from '../parallelism';
import { MultiNodeProps } from '../parallelism-props';
import { WorkloadShape } from '../workload-shape';

/**
 * The one place a service's workload shape is picked: a LeaderWorkerSet group when a replica's parallelism needs more
 * than one pod, else a Deployment. A new shape is a new file under `shapes/` and a branch here.
 */
export function chooseWorkloadShape(parallelism: ResolvedParallelism, multiNode: MultiNodeProps | undefined): WorkloadShape {
  if (parallelism.nodes > 1) return new LeaderWorkerSetShape(parallelism, multiNode ?? {});
  return new DeploymentShape(parallelism, multiNode);
}
