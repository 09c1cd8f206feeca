/**
 * The worker pod of a gang job: the trainer container (command, env, resources, volumes) and the pod template a
 * backend embeds. Internal.
 */
import { Size } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { isDnsSubdomain } from './checks';
import { BackendTraits, GangPlan, LaunchPlan, SchedulerBinding } from './gang-plan';
import { GangTopology } from './gang-topology';
import { GangTrainingJobProps } from './gang-training-job-props';
import { ncclEnv } from './launchers/nccl-env';
import { TrainingMount } from './training-volume';
import { attachNics } from '../accelerators/attach';
import * as k8s from '../imports/k8s';
import { invalidProp } from '../internal/errors';
import { requireEnvName } from '../security/env-name';
import { PodSpecBuilder, computeResources } from '../security/pod-spec';
import { requireSecretEnv, secretEnvVars } from '../security/secret-reference';

export const DATASET_PATH = '/data';
export const MODEL_PATH = '/model';
const CHECKPOINTS_PATH = '/checkpoints';
const SHARED_MEMORY_PATH = '/dev/shm';
const SCRATCH_PATH = '/tmp';
/** Karpenter leaves nodes of pods with this annotation alone (no consolidation in the middle of a run). */
const DO_NOT_DISRUPT = 'karpenter.sh/do-not-disrupt';
/** Default CPU cores per GPU of a worker, and of a worker without GPUs. */
const CPU_PER_GPU = 4;
const CPU_WORKER_CORES = 2;
/** Default memory per GPU of a worker (GiB), and of a worker without GPUs. */
const MEMORY_GIB_PER_GPU = 16;
const CPU_WORKER_MEMORY_GIB = 8;

/** What the worker pod is built from. */
export interface WorkerPodInput {
  readonly props: GangTrainingJobProps;
  readonly traits: BackendTraits;
  readonly launch: LaunchPlan;
  readonly binding: SchedulerBinding;
  /** GPUs per worker (0 without GPUs). */
  readonly gpus: number;
  /** The launcher's volumes (hostfile, SSH keys) with their mounts. */
  readonly launchVolumes?: LaunchMount[];
}

/** A launcher volume and its mount, in the worker and the launcher pod. */
export interface LaunchMount {
  readonly volume: k8s.Volume;
  readonly mount: k8s.VolumeMount;
}

/** Adds the trainer container, its volumes and the pod-level settings to the builder. */
export function configureWorkerPod(scope: IConstruct, builder: PodSpecBuilder, input: WorkerPodInput): void {
  const { props, traits, launch, binding } = input;
  const volumeMounts: k8s.VolumeMount[] = [];
  const launchVolumes = input.launchVolumes ?? [];
  const launcherPaths = [...launchVolumes.map((m) => m.mount.mountPath), ...(launch.reservedMountPaths ?? [])];
  [...workerMounts(scope, props, launcherPaths), ...launchVolumes].forEach((m) => {
    builder.addVolume(m.volume);
    volumeMounts.push(m.mount);
  });
  builder.addSharedMemory(props.sharedMemorySize?.asString());
  if (!volumeMounts.some((m) => m.mountPath === SCRATCH_PATH)) builder.addScratch('tmp', SCRATCH_PATH);
  const nics = props.nicsPerWorker && attachNics(scope as Construct, builder, props.nicsPerWorker, {
    containers: [traits.containerName], prop: 'nicsPerWorker', gpus: props.gpusPerWorker, queuedByKueue: props.scheduler.name === 'kueue',
  });
  builder.addContainer({
    name: traits.containerName,
    image: props.image,
    command: launch.command,
    args: launch.args && launch.args.length ? launch.args : undefined,
    env: workerEnv(scope, props, launch, nics ? nics.env : {}),
    ports: launch.ports.length ? launch.ports : undefined,
    readinessProbe: launch.readinessProbe,
    resources: workerResources(scope, props, input.gpus),
    volumeMounts: volumeMounts.length ? volumeMounts : undefined,
  }, {
    inputs: {
      argProp: (arg) => ((props.command ?? []).includes(arg) ? 'command' : 'args'),
      commandProp: 'command',
      alternative: 'keep it in a Secret and reference it: secretEnv: { NAME: { secretName: \'<secret>\', key: \'<key>\' } } ' +
        '(or mount the Secret as a file: volumes with TrainingVolume.fromSecret(\'<secret>\'))',
    },
  });
  builder.restartPolicy = 'Never';
  builder.priorityClassName = props.priorityClassName;
  builder.serviceAccountName = props.serviceAccountName;
  builder.schedulerName = binding.schedulerName;
  builder.setSchedulingFields(binding.podFields);
}

/** The worker pod template as JSON, for a backend's CRD: the built spec, the gang's labels, no disruption. */
export function workerPodTemplate(builder: PodSpecBuilder, plan: GangPlan, binding: SchedulerBinding, topology?: GangTopology) {
  // A preferred domain (Kueue topology-aware scheduling) may be left when none has room: no required affinity then.
  if (topology && !topology.exclusive && !topology.preferred) {
    builder.addPodAffinity({ labelSelector: { matchLabels: { ...plan.podSelector } }, topologyKey: topology.nodeLabel });
  }
  return {
    metadata: { labels: { ...plan.labels, ...binding.podLabels }, annotations: { [DO_NOT_DISRUPT]: 'true', ...binding.podAnnotations } },
    spec: builder.buildJson(),
  };
}

/**
 * The dataset, model, checkpoints and other volumes with their mounts, each path checked and used once (the
 * launcher's own mounts, `launcherPaths`, included).
 */
function workerMounts(scope: IConstruct, props: GangTrainingJobProps, launcherPaths: string[] = []): LaunchMount[] {
  const entries: { prop: string; name: string; mount: TrainingMount }[] = [];
  if (props.dataset) entries.push({ prop: 'dataset', name: 'dataset', mount: { mountPath: DATASET_PATH, volume: props.dataset, readOnly: true } });
  if (props.model) entries.push({ prop: 'model', name: 'model', mount: { mountPath: MODEL_PATH, volume: props.model, readOnly: true } });
  if (props.checkpoints) entries.push({ prop: 'checkpoints', name: 'checkpoints', mount: { mountPath: CHECKPOINTS_PATH, volume: props.checkpoints } });
  (props.volumes ?? []).forEach((mount, i) => entries.push({ prop: `volumes[${i}]`, name: `volume-${i}`, mount }));
  const seen = new Map<string, string>(launcherPaths.map((p) => [p, 'the launcher\'s volume']));
  return entries.map(({ prop, name, mount }) => {
    const path = mount.mountPath;
    if (typeof path !== 'string' || !path.startsWith('/') || path.includes(':') || path.split('/').includes('..')) {
      throw invalidProp(scope, `${prop}.mountPath`, path, 'an absolute path without ":" or ".." such as "/models"');
    }
    const normalized = path.length > 1 ? path.replace(/\/+$/, '') : path;
    if (normalized === SHARED_MEMORY_PATH) throw invalidProp(scope, `${prop}.mountPath`, path, `a path other than ${SHARED_MEMORY_PATH} (every worker gets a memory-backed ${SHARED_MEMORY_PATH}; size it with sharedMemorySize)`);
    const clash = seen.get(normalized);
    if (clash) throw invalidProp(scope, `${prop}.mountPath`, path, `a path no other volume uses (${clash} is mounted there)`);
    seen.set(normalized, prop);
    if (mount.subPath !== undefined && (mount.subPath.startsWith('/') || mount.subPath.split('/').includes('..'))) {
      throw invalidProp(scope, `${prop}.subPath`, mount.subPath, 'a relative path inside the volume, without ".."');
    }
    const ref = mount.volume.referenceName;
    if (ref !== undefined && !isDnsSubdomain(ref)) {
      throw invalidProp(scope, `${prop}.volume`, ref, `a ${mount.volume.kind} name (DNS-1123 subdomain)`);
    }
    const readOnly = mount.readOnly === true || mount.volume.kind === 'configMap' || mount.volume.kind === 'secret';
    return {
      volume: mount.volume._toVolume(name, readOnly),
      mount: { name, mountPath: normalized, readOnly: readOnly || undefined, subPath: mount.subPath },
    };
  });
}

/**
 * The launcher's computed variables, then the defaults and the job's `env` over them, then `secretEnv` (each part
 * sorted by name; a Secret variable replaces a default of its name).
 */
function workerEnv(scope: IConstruct, props: GangTrainingJobProps, launch: LaunchPlan, nicEnv: Record<string, string>): k8s.EnvVar[] | undefined {
  const computed = new Set(launch.env.map((e) => e.name));
  const launcherSets = (name: string) => `no value: the launcher sets ${name} from the gang (unset it, or use TrainingLauncher.raw())`;
  const user = props.env ?? {};
  // Sorted: a map from Go or Python arrives in any order, the env list must not.
  for (const name of Object.keys(user).sort()) {
    const value = user[name];
    requireEnvName(scope, `env.${name}`, name);
    if (typeof value !== 'string') throw invalidProp(scope, `env.${name}`, value, 'a string value');
    if (computed.has(name)) throw invalidProp(scope, `env.${name}`, value, launcherSets(name));
  }
  const secrets = props.secretEnv ?? {};
  requireSecretEnv(scope, 'secretEnv', secrets);
  const plainNames = new Set(Object.keys(user));
  for (const name of Object.keys(secrets).sort()) {
    // As InferenceService: a variable set twice is refused under its `env` name.
    if (plainNames.has(name)) throw invalidProp(scope, `env.${name}`, name, 'a variable set once');
    if (computed.has(name)) throw invalidProp(scope, `secretEnv.${name}`, secrets[name], launcherSets(name));
  }
  const defaults: Record<string, string> = {
    // The default user 65532 has no home directory: caches (torch, Triton, pip) go to the /tmp volume.
    HOME: SCRATCH_PATH,
    ...launch.defaultEnv,
    ...nicDefaults(scope, launch, nicEnv),
    ...(props.dataset ? { DATASET_DIR: DATASET_PATH } : {}),
    ...(props.checkpoints ? { CHECKPOINT_DIR: CHECKPOINTS_PATH } : {}),
  };
  const merged: Record<string, string> = { ...defaults, ...user };
  for (const name of Object.keys(secrets)) delete merged[name];
  const env = [...launch.env, ...Object.keys(merged).sort().map((name) => ({ name, value: merged[name] })), ...secretEnvVars(secrets)];
  return env.length ? env : undefined;
}

/** The NICs' NCCL variables replace the launcher's defaults, never a value set on the launcher (`launcher.nccl`). */
function nicDefaults(scope: IConstruct, launch: LaunchPlan, nicEnv: Record<string, string>): Record<string, string> {
  const launcherDefaults = ncclEnv(scope);
  return Object.fromEntries(Object.entries(nicEnv)
    .filter(([name]) => launch.defaultEnv[name] === undefined || launch.defaultEnv[name] === launcherDefaults[name]));
}

/** Requests = limits (Guaranteed QoS): the given CPU and memory, else a default per GPU. */
function workerResources(scope: IConstruct, props: GangTrainingJobProps, gpus: number): k8s.ResourceRequirements {
  let cpu = gpus > 0 ? String(CPU_PER_GPU * gpus) : String(CPU_WORKER_CORES);
  if (props.cpuPerWorker !== undefined) {
    const millis = props.cpuPerWorker * 1000;
    if (!(props.cpuPerWorker > 0) || Math.abs(millis - Math.round(millis)) > 1e-6) {
      throw invalidProp(scope, 'cpuPerWorker', props.cpuPerWorker, 'a positive number of cores in steps of 0.001, e.g. 0.5 or 16');
    }
    cpu = Number.isInteger(props.cpuPerWorker) ? String(props.cpuPerWorker) : `${Math.round(millis)}m`;
  }
  const memory = props.memoryPerWorker ?? Size.gibibytes(gpus > 0 ? MEMORY_GIB_PER_GPU * gpus : CPU_WORKER_MEMORY_GIB);
  return computeResources({ cpu, memory: memory.asString() });
}
