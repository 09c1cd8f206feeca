/**
 * The checks and defaults of GangTrainingJob that depend on whether the backend is a JobSet underneath (JobSet,
 * Kubeflow Trainer) or follows conventions of its own (KubeRay). Internal.
 */
import { IConstruct } from 'constructs';
import { BackendTraits } from './gang-plan';
import { maxJobSetNameLength, requireJobSetName } from './jobset-names';
import { TrainingLauncher } from './training-launcher';
import { ValidationError, show } from '../internal/errors';

/** The launcher of a job that names none: torchrun, or the first launcher the backend works with. */
export function defaultLauncher(traits: BackendTraits): TrainingLauncher {
  return traits.conventions?.launchers[0] === 'raw' ? TrainingLauncher.raw() : TrainingLauncher.torchrun();
}

/** Refuses a scheduler or launcher the backend does not work with, naming the ones it does. */
export function requireBackendConventions(scope: IConstruct, backend: string, traits: BackendTraits, scheduler: string, launcher: string): void {
  const conventions = traits.conventions;
  if (!conventions) return;
  const factories = (kind: string, names: readonly string[]) => names.map((n) => `${kind}.${n}()`).join(' or ');
  if (!conventions.schedulers.includes(scheduler)) {
    throw new ValidationError(scope, 'scheduler', `TrainingBackend.${backend}() cannot run under GangScheduler.${scheduler}(): ` +
      `${conventions.schedulersReason}; use ${factories('GangScheduler', conventions.schedulers)}`);
  }
  if (!conventions.launchers.includes(launcher)) {
    throw new ValidationError(scope, 'launcher', `TrainingBackend.${backend}() cannot use TrainingLauncher.${launcher}(): ` +
      `${conventions.launchersReason}; use ${factories('TrainingLauncher', conventions.launchers)} or leave launcher unset`);
  }
}

/** The longest name a derived name may have. */
export function maxBackendNameLength(traits: BackendTraits, workers: number): number {
  return traits.conventions?.maxNameLength ?? maxJobSetNameLength(traits.replicatedJobName, workers);
}

/** Throws unless the backend's controller accepts `name` (and every name it derives from it). */
export function requireBackendName(scope: IConstruct, prop: string, name: string, traits: BackendTraits, workers: number): void {
  const conventions = traits.conventions;
  if (!conventions) {
    requireJobSetName(scope, prop, name, traits, workers);
    return;
  }
  if (name.length > conventions.maxNameLength) {
    throw new ValidationError(scope, prop, `got ${show(name)} (${name.length} characters); a ${traits.kind} name can have at ` +
      `most ${conventions.maxNameLength} characters, or its controller refuses it (${conventions.nameLimitSource})`);
  }
}
