/**
 * MPI-style hostfiles (`<host> slots=<n>`, one line per worker) for the launchers that need one (DeepSpeed, MPI),
 * written at synth from the workers' stable DNS names. Internal.
 */
import { IConstruct } from 'constructs';
import { ValidationError } from '../../internal/errors';
import { LaunchContext } from '../gang-plan';

/** A ConfigMap's data may hold at most 1 MiB (core/v1 validation, `MaxSecretSize`, applies to ConfigMaps too). */
const CONFIG_MAP_MAX_BYTES = 1024 * 1024;

/**
 * The hostfile listing every worker's stable DNS name with `slots` slots, in worker order (worker 0 first: DeepSpeed
 * and Open MPI number ranks in hostfile order). Throws when the backend gives no worker names or the file would not
 * fit in a ConfigMap.
 */
export function hostfile(scope: IConstruct, context: LaunchContext, slots: number, launcher: string): string {
  const host = context.rendezvous.workerHost;
  if (!host) {
    throw new ValidationError(scope, 'launcher', `${launcher} needs a hostfile of the workers' stable DNS names, which ` +
      `the ${context.backendRelease ?? 'backend'} does not give its pods; use TrainingBackend.jobSet() or kubeflowTrainer()`);
  }
  const lines: string[] = [];
  let bytes = 0;
  for (let i = 0; i < context.workers; i++) {
    const line = `${host(i)} slots=${slots}\n`;
    bytes += line.length;
    if (bytes > CONFIG_MAP_MAX_BYTES) {
      throw new ValidationError(scope, 'workers', `got ${context.workers}; the ${launcher} hostfile of ${context.workers} workers ` +
        `(one line per worker, e.g. ${JSON.stringify(line.trim())}) would be over the 1 MiB a ConfigMap can hold; use fewer workers ` +
        'or a shorter name');
    }
    lines.push(line);
  }
  return lines.join('');
}
