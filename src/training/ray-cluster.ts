import { ApiObject, Size } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { isDnsSubdomain } from './checks';
import { BackendTraits, GangPlan, NO_BINDING, SchedulerBinding } from './gang-plan';
import { GangScheduler } from './gang-scheduler';
import { RayClusterProps } from './ray-cluster-props';
import {
  PodTemplateJson, withAgentPort, cpuQuantity, headResources, rayHeadTemplate, rayNetwork, rayVersionOf, requireReplicas, roleLabels,
  workerStartParams,
} from './ray-pods';
import { TrainingMount } from './training-volume';
import { GpuAttachment, attachGpus } from '../accelerators/attach';
import { GpuRequest } from '../accelerators/gpu-request';
import { ClusterAddon } from '../cluster/cluster-addon';
import { ClusterProfile } from '../cluster/cluster-profile';
import * as k8s from '../imports/k8s';
import { RayCluster as RayClusterObject } from '../imports/kuberay';
import { ValidationError, invalidProp, show } from '../internal/errors';
import { selectorLabels, standardLabels } from '../internal/labels';
import { claimName, requireDnsLabel, resourceName } from '../internal/names';
import { namespaceOf } from '../internal/namespace';
import { checkProps, opt, req } from '../internal/runtime-checks';
import { requireEnvName } from '../security/env-name';
import { PodSpecBuilder, computeResources, resolveSecurity, restrictedContainerSecurity } from '../security/pod-spec';
import { requireSecretEnv, secretEnvVars } from '../security/secret-reference';
import { EgressNeedKind, IngressIsolationHandle, allowTraffic, isolateIngress, needEgress } from '../security/tenant-network';

export type { RayClusterProps } from './ray-cluster-props';

/** KubeRay v1.7.0 utils/constant.go MaxRayClusterNameLength. */
const MAX_NAME = 53;
const WORKER_GROUP = 'workers';
const SCRATCH_PATH = '/tmp';
/** Default CPU cores and memory (GiB) per GPU of a worker, and of a worker without GPUs (as GangTrainingJob's). */
const CPU_PER_GPU = 4;
const CPU_WORKER_CORES = 2;
const MEMORY_GIB_PER_GPU = 16;
const CPU_WORKER_MEMORY_GIB = 8;
/** What the scheduler is told about the cluster (only Kueue, which reads none of the JobSet fields). */
const TRAITS: BackendTraits = {
  kind: 'RayCluster',
  apiGroup: 'ray.io',
  release: 'KubeRay v1.7 RayCluster',
  addon: ClusterAddon.KUBERAY,
  containerName: 'ray-worker',
  replicatedJobName: WORKER_GROUP,
  podFields: [],
  supportsTtl: false,
  injectsTorchEnv: false,
};

/**
 * A long-lived Ray cluster (KubeRay `ray.io/v1` RayCluster, KubeRay v1.7) for interactive work: notebooks and
 * `ray job submit` against a head that stays up, with one worker group of GPU workers.
 *
 * The head is a CPU pod; the workers get the GPUs (DRA claims or the extended resource, and `num-gpus` for Ray),
 * the pool's placement, and the same image, env and volumes as the head. Every pod passes Pod Security
 * `restricted`. With `minWorkers` below `maxWorkers` the Ray autoscaler sizes the worker group. Under
 * `GangScheduler.kueue()` Kueue admits the whole cluster at once and holds its quota until the cluster is deleted.
 *
 * ```ts
 * new RayCluster(chart, 'lab', {
 *   image: 'rayproject/ray:2.52.0-py312-gpu',
 *   maxWorkers: 4,
 *   gpusPerWorker: GpuRequest.of(1, { model: GpuModel.NVIDIA_L4 }),
 *   clientPodLabels: { app: 'notebook' },
 * });
 * ```
 */
export class RayCluster extends Construct {
  /** The RayCluster's name. */
  public readonly name: string;
  /** The namespace, when the chart or a tenant sets one. */
  public readonly namespace?: string;
  /** The head Service KubeRay creates: dashboard 8265, Ray client 10001, GCS 6379. */
  public readonly headServiceName: string;
  /** True when the Ray autoscaler sizes the workers (`minWorkers` below `maxWorkers`). */
  public readonly autoscaling: boolean;
  /** The RayCluster object. */
  public readonly cluster: ApiObject;
  /** The workers' ResourceClaimTemplate, when GPUs come through DRA. */
  public readonly gpuClaimTemplate?: ApiObject;
  private readonly isolations: IngressIsolationHandle[];

  constructor(scope: Construct, id: string, props: RayClusterProps) {
    super(scope, id);
    checkProps(this, 'RayClusterProps', props, {
      image: req('string', 'a Ray image reference such as "rayproject/ray:2.52.0-py312-gpu"'),
      maxWorkers: req('number'),
      minWorkers: opt('number'),
      gpusPerWorker: opt(GpuRequest, 'a GpuRequest such as GpuRequest.of(1)'),
      scheduler: opt(GangScheduler, 'GangScheduler.kueue({ queue: ... })'),
      env: opt('string-map'),
      secretEnv: opt('object'),
      volumes: opt('array'),
      clientPodLabels: opt('string-map'),
      headMemory: opt('size'),
      memoryPerWorker: opt('size'),
      sharedMemorySize: opt('size'),
    });
    const profile = ClusterProfile.of(this);
    profile._requireAddon(this, 'image', ClusterAddon.KUBERAY, 'A RayCluster (ray.io/v1)');
    if (typeof props.image !== 'string' || props.image.trim() === '' || /\s/.test(props.image)) {
      throw invalidProp(this, 'image', props.image, 'an image reference such as "rayproject/ray:2.52.0-py312-gpu"');
    }
    const maxWorkers = requireReplicas(this, 'maxWorkers', props.maxWorkers, 1);
    const minWorkers = requireReplicas(this, 'minWorkers', props.minWorkers ?? maxWorkers, 0);
    if (minWorkers > maxWorkers) throw invalidProp(this, 'minWorkers', minWorkers, `at most maxWorkers (${maxWorkers})`);
    this.autoscaling = minWorkers < maxWorkers;
    this.name = this.clusterName(props.name);
    this.namespace = namespaceOf(this);
    this.headServiceName = `${this.name}-head-svc`;
    claimName(this, 'RayCluster', this.namespace, this.name);
    claimName(this, 'Service', this.namespace, this.headServiceName);
    checkNames(this, props);

    const identity = (component: string) => ({ name: 'ray-cluster', instance: this.name, component });
    const labels = standardLabels(identity('ray-worker'));
    const workers = selectorLabels(identity('ray-worker'));
    const head = roleLabels(labels, workers, 'ray-head');
    // As GangTrainingJob: the NVIDIA container toolkit writes into the root filesystem of GPU containers.
    const readOnlyRootFilesystem = props.security?.readOnlyRootFilesystem ?? props.gpusPerWorker === undefined;
    const security = resolveSecurity(this, { ...props.security, readOnlyRootFilesystem });
    const builder = new PodSpecBuilder(this, security);
    const gpus = this.attachGpus(builder, props, maxWorkers);
    this.gpuClaimTemplate = gpus?.claimTemplate;
    const binding = this.bindScheduler(props, {
      name: this.name,
      namespace: this.namespace,
      workers: maxWorkers,
      profile,
      labels,
      podSelector: workers,
      backend: TRAITS,
      gpuRequest: props.gpusPerWorker,
      gpus,
    });

    configurePod(this, builder, props, gpus?.devicesPerPod ?? 0);
    const worker = withAgentPort({ metadata: { labels: { ...labels, ...binding.podLabels } }, spec: builder.buildJson() });
    const headTemplate = rayHeadTemplate(worker, head.labels, headResources(this, 'head', { cpu: props.headCpu, memory: props.headMemory }), {});
    if (this.autoscaling) this.letAutoscalerScale(headTemplate, props, head.selector);
    const elastic = this.autoscaling && props.scheduler !== undefined;
    if (elastic) [headTemplate, worker].forEach(gateElastic);

    this.cluster = new RayClusterObject(this, 'RayCluster', {
      metadata: {
        name: this.name,
        namespace: this.namespace,
        labels: { ...labels, ...binding.jobLabels },
        annotations: elastic ? { [ELASTIC_JOB]: 'true' } : undefined,
      },
      spec: {
        rayVersion: rayVersionOf(this, 'rayVersion', props.rayVersion),
        enableInTreeAutoscaling: this.autoscaling ? true : undefined,
        autoscalerOptions: this.autoscaling ? autoscalerOptions(security) : undefined,
        headGroupSpec: { rayStartParams: {}, template: headTemplate },
        workerGroupSpecs: [{
          groupName: WORKER_GROUP,
          replicas: minWorkers,
          minReplicas: minWorkers,
          maxReplicas: maxWorkers,
          rayStartParams: workerStartParams(gpus?.devicesPerPod ?? 0),
          template: worker,
        }],
      },
    });
    [gpus?.claimTemplate, gpus?.claim].forEach((o) => { if (o) this.cluster.node.addDependency(o); });
    this.isolations = this.isolate(labels, head, workers, props.clientPodLabels);
  }

  /** The NetworkPolicies isolating the head and the workers where the namespace has no default-deny (no AiTenant). */
  public get networkPolicies(): ApiObject[] {
    return this.isolations.map((i) => i.policy).filter((p): p is ApiObject => p !== undefined);
  }

  private clusterName(given: string | undefined): string {
    const name = given !== undefined ? requireDnsLabel(this, 'name', given, MAX_NAME) : resourceName(this, [], MAX_NAME);
    // KubeRay v1.7.0 utils/validation.go ValidateRayClusterMetadata: a DNS-1035 label of at most 53 characters.
    if (!/^[a-z]/.test(name)) {
      throw new ValidationError(this, 'name', `got ${show(name)}; KubeRay requires a RayCluster name that starts with a letter ` +
        '(DNS-1035); set name or give the construct an id that starts with a letter');
    }
    return name;
  }

  private attachGpus(builder: PodSpecBuilder, props: RayClusterProps, maxWorkers: number): GpuAttachment | undefined {
    if (props.nodePool !== undefined && props.gpusPerWorker === undefined) {
      throw new ValidationError(this, 'nodePool', 'a GpuNodePool places GPU workers; set gpusPerWorker too, or leave nodePool unset');
    }
    if (!props.gpusPerWorker) return undefined;
    return attachGpus(this, builder, props.gpusPerWorker, {
      pods: maxWorkers, containers: ['ray-worker'], pool: props.nodePool, prop: 'gpusPerWorker', queuedByKueue: props.scheduler?.name === 'kueue',
    });
  }

  /** Kueue only: it admits the head and the workers as one workload (kueue pkg/controller/jobs/raycluster). */
  private bindScheduler(props: RayClusterProps, plan: GangPlan): SchedulerBinding {
    const scheduler = props.scheduler;
    if (!scheduler) return NO_BINDING;
    if (scheduler.name !== 'kueue') {
      throw new ValidationError(this, 'scheduler', `a RayCluster cannot run under GangScheduler.${scheduler.name}(): KubeRay makes ` +
        'its own PodGroup or Workload for coscheduling and the Workload API (operator flag --batch-scheduler); use GangScheduler.kueue() or leave scheduler unset');
    }
    if (this.autoscaling && props.nodePool?.topologyLevels.length) {
      throw new ValidationError(this, 'minWorkers', `got ${props.minWorkers} with maxWorkers ${props.maxWorkers} on the pool ` +
        `${props.nodePool.name}, which has topologyLevels; Kueue v0.19 scales an elastic job on a topology flavor only with its ` +
        'alpha gate ElasticJobsViaWorkloadSlicesWithTAS (pkg/features/kube_features.go); set minWorkers equal to maxWorkers or ' +
        'use a pool without topologyLevels');
    }
    return scheduler._bind(this, plan);
  }

  /**
   * The autoscaler in the head scales the workers through the API server: it needs a token (KubeRay gives the
   * head a service account with the permission when none is set, raycluster_controller.go
   * reconcileAutoscalerServiceAccount) and, in a tenant, egress to the API server.
   */
  private letAutoscalerScale(head: PodTemplateJson, props: RayClusterProps, selector: Record<string, string>): void {
    head.spec.automountServiceAccountToken = true;
    needEgress({
      scope: this,
      name: 'ray-autoscaler',
      kind: EgressNeedKind.KUBE_API_SERVER,
      description: `the Ray autoscaler in the head of ${this.name} scales its workers`,
      from: { namespace: this.namespace, podLabels: selector },
      destination: 'the Kubernetes API server',
    });
    if (props.serviceAccountName === undefined) delete head.spec.serviceAccountName;
  }

  private isolate(labels: Record<string, string>, head: ReturnType<typeof roleLabels>, workers: Record<string, string>,
    clients: Record<string, string> | undefined): IngressIsolationHandle[] {
    const peers = { namespace: this.namespace, podLabels: workers };
    allowTraffic({ scope: this, name: 'ray-worker-peers', description: `the Ray workers of ${this.name} reach each other`, from: peers, to: peers, ports: [], allPorts: true });
    const headPolicy = rayNetwork(this, { name: this.name, namespace: this.namespace, labels, head, workers, clients });
    const workerPolicy = isolateIngress({
      scope: this,
      id: 'WorkerNetworkPolicy',
      name: `${this.name}-workers`,
      namespace: this.namespace,
      selector: workers,
      podLabels: labels,
      labels,
      description: `the Ray workers of ${this.name}`,
    });
    return [headPolicy, workerPolicy];
  }
}

/** The autoscaler sidecar KubeRay adds to the head, made to pass Pod Security `restricted` (it has no security context of its own). */
function autoscalerOptions(security: ReturnType<typeof resolveSecurity>) {
  return {
    securityContext: k8s.toJson_SecurityContext(restrictedContainerSecurity(security)),
    env: [{ name: 'HOME', value: SCRATCH_PATH }],
    volumeMounts: [{ name: 'tmp', mountPath: SCRATCH_PATH }],
  };
}

/** Names of the pod-level settings, checked. */
function checkNames(scope: IConstruct, props: RayClusterProps): void {
  if (props.priorityClassName !== undefined && !isDnsSubdomain(props.priorityClassName)) {
    throw invalidProp(scope, 'priorityClassName', props.priorityClassName, 'a PriorityClass name (DNS-1123 subdomain)');
  }
  if (props.serviceAccountName !== undefined && !isDnsSubdomain(props.serviceAccountName)) {
    throw invalidProp(scope, 'serviceAccountName', props.serviceAccountName, 'a ServiceAccount name (DNS-1123 subdomain)');
  }
}

/** The Ray container (no command: KubeRay runs `ray start` in it), its volumes and the pod settings. */
function configurePod(scope: IConstruct, builder: PodSpecBuilder, props: RayClusterProps, gpus: number): void {
  const mounts = volumeMounts(scope, props.volumes ?? []);
  mounts.forEach((m) => builder.addVolume(m.volume));
  builder.addSharedMemory(props.sharedMemorySize?.asString());
  if (!mounts.some((m) => m.mount.mountPath === SCRATCH_PATH)) builder.addScratch('tmp', SCRATCH_PATH);
  const cpu = props.cpuPerWorker !== undefined ? cpuQuantity(scope, 'cpuPerWorker', props.cpuPerWorker)
    : String(gpus > 0 ? CPU_PER_GPU * gpus : CPU_WORKER_CORES);
  const memory = props.memoryPerWorker ?? Size.gibibytes(gpus > 0 ? MEMORY_GIB_PER_GPU * gpus : CPU_WORKER_MEMORY_GIB);
  builder.addContainer({
    name: 'ray-worker',
    image: props.image,
    env: rayEnv(scope, props),
    resources: computeResources({ cpu, memory: memory.asString() }),
    volumeMounts: mounts.length ? mounts.map((m) => m.mount) : undefined,
  }, { inputs: { alternative: 'reference it from a Secret: secretEnv: { NAME: { secretName: \'<secret>\', key: \'<key>\' } }' } });
  builder.priorityClassName = props.priorityClassName;
  builder.serviceAccountName = props.serviceAccountName;
}

/** `HOME` on the writable /tmp (the default user has no home directory), then `env`, then `secretEnv`. */
function rayEnv(scope: IConstruct, props: RayClusterProps): k8s.EnvVar[] {
  const env = props.env ?? {};
  for (const name of Object.keys(env).sort()) requireEnvName(scope, `env.${name}`, name);
  requireSecretEnv(scope, 'secretEnv', props.secretEnv);
  const secrets = props.secretEnv ?? {};
  for (const name of Object.keys(secrets).sort()) if (name in env) throw invalidProp(scope, `env.${name}`, name, 'a variable set once');
  const merged: Record<string, string> = { HOME: SCRATCH_PATH, ...env };
  for (const name of Object.keys(secrets)) delete merged[name];
  return [...Object.keys(merged).sort().map((name) => ({ name, value: merged[name] })), ...secretEnvVars(secrets)];
}

/** The volumes and their mounts, each path absolute, unique and not /dev/shm. */
function volumeMounts(scope: IConstruct, volumes: TrainingMount[]): { volume: k8s.Volume; mount: k8s.VolumeMount }[] {
  const seen = new Map<string, string>();
  return volumes.map((m, i) => {
    const prop = `volumes[${i}]`;
    const path = m.mountPath;
    if (typeof path !== 'string' || !path.startsWith('/') || path.includes(':') || path.split('/').includes('..')) {
      throw invalidProp(scope, `${prop}.mountPath`, path, 'an absolute path without ":" or ".." such as "/models"');
    }
    const normalized = path.length > 1 ? path.replace(/\/+$/, '') : path;
    if (normalized === '/dev/shm') throw invalidProp(scope, `${prop}.mountPath`, path, 'a path other than /dev/shm (size it with sharedMemorySize)');
    const clash = seen.get(normalized);
    if (clash) throw invalidProp(scope, `${prop}.mountPath`, path, `a path no other volume uses (${clash} is mounted there)`);
    seen.set(normalized, prop);
    if (m.subPath !== undefined && (m.subPath.startsWith('/') || m.subPath.split('/').includes('..'))) {
      throw invalidProp(scope, `${prop}.subPath`, m.subPath, 'a relative path inside the volume, without ".."');
    }
    const ref = m.volume.referenceName;
    if (ref !== undefined && !isDnsSubdomain(ref)) throw invalidProp(scope, `${prop}.volume`, ref, `a ${m.volume.kind} name (DNS-1123 subdomain)`);
    const readOnly = m.readOnly === true || m.volume.kind === 'configMap' || m.volume.kind === 'secret';
    return {
      volume: m.volume._toVolume(`volume-${i}`, readOnly),
      mount: { name: `volume-${i}`, mountPath: normalized, readOnly: readOnly || undefined, subPath: m.subPath },
    };
  });
}

/**
 * Kueue admits an autoscaled RayCluster as an elastic job: each scale-up is a workload slice admitted against the quota
 * before its pods are ungated (ElasticJobsViaWorkloadSlices, beta and on by default since Kueue v0.18,
 * pkg/features/kube_features.go). Kueue's webhook requires the annotation and gates every pod template with the gate of
 * the same name (pkg/controller/jobs/raycluster/raycluster_webhook.go Default and validateElasticJob, v0.19.2); we write
 * the gates ourselves so the object stored is the object applied.
 */
const ELASTIC_JOB = 'kueue.x-k8s.io/elastic-job';

function gateElastic(template: PodTemplateJson): void {
  template.spec.schedulingGates = [...(template.spec.schedulingGates ?? []), { name: ELASTIC_JOB }];
}
