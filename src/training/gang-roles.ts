/**
 * What a gang job runs besides its workers, and the conventions its containers get from the job: the launcher's
 * files and volumes, an MPI launcher pod, the initializers, the failure policy and the checkpoint/resume variables.
 * Internal.
 *
 * The checkpoint contract: with `checkpoints` set, the trainer container gets the volume read-write at
 * `/checkpoints`, `CHECKPOINT_DIR=/checkpoints`, `RESUME_FROM_CHECKPOINT=auto` (or `never`) and
 * `JOBSET_RESTART_ATTEMPT`, the gang's restart count from the pod annotation `jobset.sigs.k8s.io/restart-attempt`
 * that JobSet v0.12.0 puts on every pod it creates (`pkg/constants/constants.go` `RestartsKey`,
 * `pkg/controllers/jobset_controller.go` `labelAndAnnotateObject`; `0` on the first attempt).
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { failureRendering } from './failure-rules';
import { BackendTraits, GangPlan, GangRendering, LaunchPlan, SchedulerBinding } from './gang-plan';
import { GangSuccessPolicy, GangTrainingJobProps } from './gang-training-job-props';
import { initializerJobs } from './initializer-jobs';
import { LaunchMount, MODEL_PATH } from './worker-pod';
import * as k8s from '../imports/k8s';
import { ValidationError, invalidProp } from '../internal/errors';
import { claimName } from '../internal/names';
import { PodSpecBuilder, ResolvedSecurity, computeResources } from '../security/pod-spec';

/** The variable holding the gang's restart count, and where it comes from. */
export const RESTART_ATTEMPT_ENV = 'JOBSET_RESTART_ATTEMPT';
const RESTART_ATTEMPT_FIELD = "metadata.annotations['jobset.sigs.k8s.io/restart-attempt']";
/** `mpirun` only starts and watches the ranks. */
const LAUNCHER_RESOURCES = { cpu: '1', memory: '2Gi' };
const SCRATCH_PATH = '/tmp';
/** Karpenter leaves nodes of pods with this annotation alone (no consolidation in the middle of a run). */
const DO_NOT_DISRUPT = 'karpenter.sh/do-not-disrupt';
/** Kueue's pod-set topology annotations (apis/kueue/v1beta2/topology_types.go, v0.19.2). */
const KUEUE_TOPOLOGY_PREFIX = 'kueue.x-k8s.io/podset-';
const UNCONSTRAINED_TOPOLOGY = 'kueue.x-k8s.io/podset-unconstrained-topology';

/** Refuses what the backend or launcher cannot do with the job's other props. */
export function requireJobRoles(scope: Construct, props: GangTrainingJobProps, traits: BackendTraits, launcher: string): void {
  if (traits.conventions) {
    for (const prop of ['failurePolicy', 'initializers'] as const) {
      const value = props[prop];
      if (value === undefined || (Array.isArray(value) && value.length === 0)) continue;
      throw new ValidationError(scope, prop, `${prop} becomes part of a JobSet (a Job pod failure policy and JobSet failure rules, ` +
        `or replicated jobs the workers depend on), but the backend runs a ${traits.kind} (${traits.release}); leave ${prop} ` +
        'unset or use TrainingBackend.jobSet() or kubeflowTrainer()');
    }
  }
  if (props.resumeFromCheckpoint !== undefined && props.checkpoints === undefined) {
    throw new ValidationError(scope, 'resumeFromCheckpoint', 'resuming needs the checkpoint volume; set checkpoints: ' +
      'TrainingVolume.fromClaim(\'<claim>\') too, or leave resumeFromCheckpoint unset');
  }
  if (launcher === 'mpi' && props.successPolicy === GangSuccessPolicy.LEADER) {
    throw new ValidationError(scope, 'successPolicy', 'with TrainingLauncher.mpi() the workers only run sshd and the job ' +
      'succeeds when mpirun on the launcher pod does; leave successPolicy unset');
  }
}

/** The launcher's plan with the job's conventions: checkpoint resume and the model directory. */
export function withJobConventions(props: GangTrainingJobProps, traits: BackendTraits, launch: LaunchPlan): LaunchPlan {
  const defaults: Record<string, string> = {};
  const computed: k8s.EnvVar[] = [];
  if (props.model) defaults.MODEL_DIR = MODEL_PATH;
  if (props.checkpoints) {
    defaults.RESUME_FROM_CHECKPOINT = props.resumeFromCheckpoint === false ? 'never' : 'auto';
    if (!traits.conventions) computed.push({ name: RESTART_ATTEMPT_ENV, valueFrom: { fieldRef: { fieldPath: RESTART_ATTEMPT_FIELD } } });
  }
  if (Object.keys(defaults).length === 0 && computed.length === 0) return launch;
  return { ...launch, env: [...launch.env, ...computed], defaultEnv: { ...launch.defaultEnv, ...defaults } };
}

/** The launcher's files (a ConfigMap `<job>-<name>`) and volumes, mounted read-only. */
export function launchVolumes(plan: GangPlan, launch: LaunchPlan): LaunchMount[] {
  const mounts: LaunchMount[] = [];
  if (launch.files) {
    const name = launch.files.name;
    mounts.push({ volume: { name, configMap: { name: `${plan.name}-${name}` } }, mount: { name, mountPath: launch.files.mountPath, readOnly: true } });
  }
  for (const v of launch.volumes ?? []) mounts.push({ volume: v.volume, mount: { name: v.volume.name, mountPath: v.mountPath, readOnly: true } });
  return mounts;
}

/** The ConfigMap of the launcher's files, when it has any. */
export function launchFilesConfigMap(scope: Construct, plan: GangPlan, launch: LaunchPlan): ApiObject | undefined {
  if (!launch.files) return undefined;
  const name = `${plan.name}-${launch.files.name}`;
  claimName(scope, 'ConfigMap', plan.namespace, name);
  return new k8s.KubeConfigMap(scope, 'LaunchFiles', {
    metadata: { name, namespace: plan.namespace, labels: plan.labels },
    data: { ...launch.files.data },
  });
}

/** What the job runs besides the workers: initializers, an MPI launcher pod, and the failure policy. */
export interface JobRolesInput {
  readonly props: GangTrainingJobProps;
  readonly plan: GangPlan;
  readonly traits: BackendTraits;
  readonly launch: LaunchPlan;
  readonly security: ResolvedSecurity;
  readonly binding: SchedulerBinding;
  /** The built worker pod's builder: the launcher pod passes the trainer container's variables on to the ranks. */
  readonly workerBuilder: PodSpecBuilder;
}

export function jobRoles(scope: Construct, input: JobRolesInput): Pick<GangRendering, 'initializers' | 'launcherPodTemplate' | 'failure'> {
  // A pod set that asks for no topology does not match a topology flavor unless every flavor of the ClusterQueue is one
  // (Kueue v0.19.2 pkg/scheduler/flavorassigner/tas_flavorassigner.go checkPodSetAndFlavorMatchForTAS): when the
  // workers ask for one, the job's other pods ask for an unconstrained placement in the same flavor.
  const tas = Object.keys(input.binding.podAnnotations ?? {}).some((k) => k.startsWith(KUEUE_TOPOLOGY_PREFIX));
  const annotations: Record<string, string> = tas ? { [UNCONSTRAINED_TOPOLOGY]: 'true' } : {};
  const initializers = initializerJobs(scope, input.props, input.plan, annotations);
  return {
    initializers: initializers.length ? initializers : undefined,
    launcherPodTemplate: launcherPodTemplate(scope, input, annotations),
    failure: failureRendering(scope, input.props.failurePolicy),
  };
}

/**
 * The MPI launcher pod: the job's image running `mpirun`, with the worker container's variables (so `-x` passes them
 * to the ranks, which sshd starts without the container's environment), the launcher's own, and its volumes.
 */
function launcherPodTemplate(scope: Construct, input: JobRolesInput, annotations: Record<string, string>) {
  const { props, plan, traits, launch } = input;
  const pod = launch.launcherPod;
  if (!pod) return undefined;
  const workerContainer = input.workerBuilder.build().containers.find((c) => c.name === traits.containerName);
  const workerEnv = workerContainer?.env ?? [];
  for (const v of pod.env) {
    if (workerEnv.some((e) => e.name === v.name)) {
      const prop = props.env && v.name in props.env ? `env.${v.name}` : `secretEnv.${v.name}`;
      throw invalidProp(scope, prop, v.name, `no value: the launcher sets ${v.name} on the launcher pod (unset it)`);
    }
  }
  const builder = new PodSpecBuilder(scope, input.security);
  const mounts = launchVolumes(plan, launch);
  mounts.forEach((m) => builder.addVolume(m.volume));
  builder.addScratch('tmp', SCRATCH_PATH);
  builder.addContainer({
    name: traits.launcherContainerName ?? 'launcher',
    image: props.image,
    command: pod.command,
    args: pod.args(workerEnv.map((e) => e.name)),
    env: [...pod.env, ...workerEnv],
    resources: computeResources(LAUNCHER_RESOURCES),
    volumeMounts: mounts.length ? mounts.map((m) => m.mount) : undefined,
  });
  builder.restartPolicy = 'Never';
  builder.priorityClassName = props.priorityClassName;
  builder.serviceAccountName = props.serviceAccountName;
  // The launcher is one of the gang's pods for the network (the ranks' daemons call back to mpirun), not for scheduling.
  return { metadata: { labels: { ...plan.labels }, annotations: { [DO_NOT_DISRUPT]: 'true', ...annotations } }, spec: builder.buildJson() };
}
