import { Duration, Size, SizeRoundingBehavior } from 'cdk8s';
import { Construct } from 'constructs';
import { ScorerInput } from './endpoint-picker-config';
import { CustomEngine } from './engines/custom';
import { kvEventsPublishing } from './epp-kv-events';
import { InferenceServiceProps } from './inference-service-props';
import { ModelCache } from './model-cache';
import { MODEL_CACHE_PATH, mountModel } from './model-mount';
import { ResolvedParallelism } from './parallelism';
import { DisaggregationRole, LaunchContext, LaunchRole, LaunchSpec, ServerEngine, unsizedCacheRequestBytes } from './server-engine';
import { ServingResources } from './serving-props';
import { serverTracing } from './serving-tracing';
import { bytesQuantity, quantityValue, renderResources, requireSeconds } from './serving-validation';
import { SERVER_CONTAINER, WorkloadShape } from './workload-shape';
import * as k8s from '../imports/k8s';
import { invalidProp, ValidationError } from '../internal/errors';
import { ContainerInputs } from '../security/container-secrets';
import { PodSpecBuilder } from '../security/pod-spec';
import { secretEnvVars } from '../security/secret-reference';

/** Env names the construct sets itself. */
const OWNED_ENV = ['HOME', 'HF_HOME', 'HF_TOKEN_PATH', 'HF_TOKEN', 'HUGGING_FACE_HUB_TOKEN'];
/** Default CPU of the server container: cores per GPU, and the floor (also the CPU of a server without GPUs). */
const CPU_PER_GPU = 4;
const MIN_CPU = 2;
/** Default memory of the server container per GPU (GiB), and of a server without GPUs; plus the shared memory. */
const MEMORY_GIB_PER_GPU = 16;
const CPU_SERVER_MEMORY_GIB = 8;
const STARTUP_PERIOD_SECONDS = 10;

/** What the server pod is built from. */
export interface ServerPodInput {
  /** The InferenceService (errors name its props). */
  readonly scope: Construct;
  /** The pod's builder, with the GPUs already attached. */
  readonly builder: PodSpecBuilder;
  readonly props: InferenceServiceProps;
  readonly engine: ServerEngine;
  readonly servedModelName: string;
  readonly parallelism: ResolvedParallelism;
  readonly shape: WorkloadShape;
  readonly maxReplicas: number;
  /** The labels selecting every pod of the workload. */
  readonly workloadSelector: { [key: string]: string };
  /** The pod's role in a prefill/decode disaggregated service. */
  readonly disaggregation?: ServerPodDisaggregation;
}

/** What a prefill or decode pod adds to the server pod. */
export interface ServerPodDisaggregation {
  readonly role: DisaggregationRole;
  /**
   * A container in front of the server (the decode pods' routing sidecar, a native sidecar): it takes the serving
   * port, named `http`, and the server listens on `serverPort`, named `model-server`.
   */
  readonly sidecar?: k8s.Container;
  readonly serverPort?: number;
}

/** The name of the server container's port behind a routing sidecar (the sidecar's port is `http`). */
export const BEHIND_SIDECAR_PORT_NAME = 'model-server';

/** The API-serving pod, and the server's command line in any pod of a replica. */
export interface ServerPod {
  readonly spec: k8s.PodSpec;
  readonly launch: (role: LaunchRole) => LaunchSpec;
}

/**
 * The model-server pod: the model mount, scratch and shared-memory volumes, the server container (command line,
 * env, resources, probes, drain), built by the restricted pod-spec builder.
 */
export function buildServerPod(input: ServerPodInput): ServerPod {
  const { scope, builder, props, engine, parallelism } = input;
  const mount = mountModel(scope, builder, engine, props.model, props.modelCache ?? ModelCache.emptyDir(), props.loraAdapters ?? [],
    props.resources?.ephemeralStorage === undefined);
  builder.addScratch('tmp', '/tmp');
  const shm = props.sharedMemory ?? (parallelism.devicesPerPod > 1 ? Size.gibibytes(8) : Size.gibibytes(1));
  builder.addSharedMemory(shm.asString());
  const drain = requireSeconds(scope, 'drainTimeout', props.drainTimeout ?? Duration.seconds(30), 0, 3600);
  const gracePeriodSeconds = drain + 100;
  builder.terminationGracePeriodSeconds = gracePeriodSeconds;
  const tracing = serverTracing(scope, engine, input.servedModelName, input.workloadSelector);
  const pd = input.disaggregation;
  const port = pd?.sidecar ? pd.serverPort! : engine.port;
  const portName = pd?.sidecar ? BEHIND_SIDECAR_PORT_NAME : 'http';
  // Precise prefix-cache routing: the picker subscribes to the servers' KV events (epp-kv-events.ts).
  const kvEvents = props.endpointPicker?.config?._inputs().includes(ScorerInput.KV_EVENTS) ? kvEventsPublishing(input.servedModelName) : undefined;
  const context = (role: LaunchRole): LaunchContext => ({
    model: mount.model,
    servedModelName: input.servedModelName,
    revision: mount.revision,
    port,
    tensor: parallelism.tensor,
    pipeline: parallelism.pipeline,
    data: parallelism.data,
    nodes: parallelism.nodes,
    role,
    cacheDir: `${MODEL_CACHE_PATH}/hub`,
    adapters: mount.adapters,
    maxLoraRank: props.maxLoraRank,
    maxLoras: props.maxLoras,
    gracePeriodSeconds,
    preStopSeconds: drain,
    traceEndpoint: tracing?.tracesEndpoint,
    disaggregation: pd?.role,
    kvEvents,
    expert: parallelism.expert && {
      allToAll: parallelism.expert.allToAll,
      loadBalancing: parallelism.expert.loadBalancing,
      redundantExperts: parallelism.expert.redundantExperts,
      startupSeconds: startupSeconds(scope, props.maxStartupTime),
      nicEnv: parallelism.expert.nicEnv ?? {},
      userEnvNames: [...Object.keys(props.env ?? {}), ...Object.keys(props.secretEnv ?? {})],
    },
  });
  const launch = (role: LaunchRole) => engine.launch(context(role));
  const serving = launch(input.shape.servingRole);
  // HOME on the /tmp scratch volume: the default user 65532 has no home directory, and servers write caches
  // (torch compile, Triton kernels) under it.
  const env = [...mount.env, { name: 'HOME', value: '/tmp' }, ...serving.env, ...(tracing?.env ?? []), ...userEnv(scope, props)];
  checkEnvUnique(scope, env);
  if (input.shape.spreadsReplicas && input.maxReplicas > 1) builder.spreadAcrossNodes(input.workloadSelector);
  const cache = props.modelCache ?? ModelCache.emptyDir();
  const ephemeralBytes = mount.ephemeralBytes + unsizedCacheRequestBytes(engine, props.model, cache);
  if (pd?.sidecar) builder.addContainer(pd.sidecar, { init: true });
  builder.addContainer({
    name: SERVER_CONTAINER,
    image: engine.image,
    command: serving.command.length ? serving.command : undefined,
    args: serving.args,
    ports: [
      { name: portName, containerPort: port, protocol: 'TCP' },
      ...(kvEvents ? [{ name: 'kv-events', containerPort: kvEvents.port, protocol: 'TCP' }] : []),
    ],
    env,
    resources: serverResources(props.resources, ephemeralBytes, mount.ephemeralLimitBytes, shm, parallelism.devicesPerPod,
      engine.hostMemoryBytes ?? 0),
    volumeMounts: mount.mounts,
    ...probes(scope, engine, props.maxStartupTime, portName),
    lifecycle: drain > 0 ? { preStop: { sleep: { seconds: drain } } } : undefined,
  }, { inputs: containerInputs(engine, props) });
  const spec = builder.build();
  checkSharedMemoryFits(scope, props.resources, shm, engine.hostMemoryBytes ?? 0);
  return { spec, launch };
}

function checkSharedMemoryFits(scope: Construct, resources: ServingResources | undefined, shm: Size, hostBytes: number): void {
  const memory = resources?.memory;
  if (!memory) return;
  if (hostBytes > 0 && quantityValue(memory) <= shm.toKibibytes({ rounding: SizeRoundingBehavior.NONE }) * 1024 + hostBytes) {
    throw new ValidationError(scope, 'resources.memory', `${memory} is not above the ${bytesQuantity(hostBytes)} KV-cache offload buffer ` +
      `(server.kvOffloadingSize) plus the ${shm.asString()} /dev/shm, both pinned in the container's memory: raise memory or lower them`);
  }
  if (quantityValue(memory) <= shm.toKibibytes({ rounding: SizeRoundingBehavior.NONE }) * 1024) {
    throw new ValidationError(scope, 'resources.memory', `${memory} is not above the ${shm.asString()} /dev/shm (sharedMemory), which counts ` +
      'against the memory limit: the server would be OOM-killed; raise memory or lower sharedMemory');
  }
}

/**
 * The server container's resources. With every download and cache volume sized, the ephemeral-storage limit is
 * their sum plus headroom (the same limit the download steps carry: see `ModelMount.ephemeralLimitBytes`), unless
 * the user set the ephemeral-storage request.
 */
function serverResources(resources: ServingResources | undefined, ephemeralBytes: number, ephemeralLimitBytes: number | undefined,
  shm: Size, gpus: number, hostBytes: number): k8s.ResourceRequirements {
  const shmBytes = shm.toKibibytes({ rounding: SizeRoundingBehavior.NONE }) * 1024;
  const baseGib = gpus > 0 ? MEMORY_GIB_PER_GPU * gpus : CPU_SERVER_MEMORY_GIB;
  const rendered = renderResources(resources, {
    cpu: String(Math.max(MIN_CPU, CPU_PER_GPU * gpus)),
    memory: bytesQuantity(baseGib * 2 ** 30 + shmBytes + hostBytes),
    ephemeralStorage: ephemeralBytes > 0 ? bytesQuantity(ephemeralBytes) : undefined,
  })!;
  if (ephemeralLimitBytes === undefined || resources?.ephemeralStorage !== undefined) return rendered;
  return { ...rendered, limits: { ...rendered.limits, 'ephemeral-storage': k8s.Quantity.fromString(bytesQuantity(ephemeralLimitBytes)) } };
}

/** The startup probe's budget in seconds (maxStartupTime). */
function startupSeconds(scope: Construct, maxStartupTime: Duration | undefined): number {
  return requireSeconds(scope, 'maxStartupTime', maxStartupTime ?? Duration.minutes(30), 60, 24 * 3600);
}

function probes(scope: Construct, e: ServerEngine, maxStartupTime: Duration | undefined,
  portName: string): Pick<k8s.Container, 'startupProbe' | 'livenessProbe' | 'readinessProbe'> {
  const startup = startupSeconds(scope, maxStartupTime);
  const http = (path: string) => ({ path, port: k8s.IntOrString.fromString(portName) });
  return {
    // Large models take minutes to download and load: a startup budget, not an initial delay.
    startupProbe: {
      httpGet: http(e.healthPath),
      periodSeconds: STARTUP_PERIOD_SECONDS,
      timeoutSeconds: 5,
      failureThreshold: Math.ceil(startup / STARTUP_PERIOD_SECONDS),
    },
    livenessProbe: { httpGet: http(e.healthPath), periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
    // Readiness timing is the engine's (vLLM's follows KServe's 1 s x 2, see engines/vllm.ts).
    readinessProbe: { httpGet: http(e.readinessPath), ...e.readinessProbe },
  };
}

function userEnv(scope: Construct, props: InferenceServiceProps): k8s.EnvVar[] {
  const plain = { ...(props.env ?? {}) };
  for (const name of Object.keys(plain).sort()) {
    if (name === 'HF_TOKEN' || name === 'HUGGING_FACE_HUB_TOKEN') {
      throw new ValidationError(scope, `env.${name}`, 'a token must not be a literal in the YAML: name its Secret in the model source ' +
        '(tokenSecret) or in secretEnv');
    }
  }
  return [...Object.keys(plain).sort().map((name) => ({ name, value: plain[name] })), ...secretEnvVars(props.secretEnv)];
}

/** The props the server container's env and args come from, and how the service takes a credential. */
function containerInputs(engine: ServerEngine, props: InferenceServiceProps): ContainerInputs {
  const custom = engine instanceof CustomEngine;
  const userEnvNames = props.env ?? {};
  return {
    envProp: (name) => (name in userEnvNames || !(name in engine.extraEnv) ? `env.${name}` : `server.env.${name}`),
    argProp: (arg) => (engine.extraArgs.includes(arg) ? (custom ? 'server.args' : 'server.extraArgs') : 'model'),
    commandProp: 'server.command',
    alternative: 'keep it in a Secret and reference it: secretEnv: { NAME: { secretName: \'<secret>\', key: \'<key>\' } } ' +
      '(or mount the Secret as a file)',
  };
}

function checkEnvUnique(scope: Construct, env: k8s.EnvVar[]): void {
  const names = env.map((e) => e.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) {
    const owned = OWNED_ENV.includes(dup) ? ' (the construct sets it: HOME and HF_HOME for the cache, HF_TOKEN from tokenSecret)' : '';
    throw invalidProp(scope, `env.${dup}`, dup, `a variable set once${owned}`);
  }
}
