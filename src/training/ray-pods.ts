/**
 * The pods and network of a Ray cluster, shared by TrainingBackend.rayJob() and RayCluster. Internal.
 *
 * Sources (ray-project/kuberay v1.7.0, ray-operator/controllers/ray/): `common/pod.go` builds each pod from the
 * group's template, container 0 being the Ray container; `common/service.go` exposes the head container's ports.
 */
import { Size } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import * as k8s from '../imports/k8s';
import { ValidationError, invalidProp, requireInteger, show } from '../internal/errors';
import { LABEL_COMPONENT, LABEL_NAME } from '../internal/labels';
import { computeResources } from '../security/pod-spec';
import { IngressIsolationHandle, allowTraffic, isolateIngress } from '../security/tenant-network';

export const RAY_API_VERSION = 'ray.io/v1';
/** The head's ports, KubeRay's defaults under KubeRay's names (utils/constant.go); the head Service exposes them. */
export const RAY_DASHBOARD_PORT = 8265;
export const RAY_CLIENT_PORT = 10001;
const RAY_HEAD_PORTS: k8s.ContainerPort[] = [
  { name: 'gcs-server', containerPort: 6379, protocol: 'TCP' },
  { name: 'dashboard', containerPort: RAY_DASHBOARD_PORT, protocol: 'TCP' },
  { name: 'client', containerPort: RAY_CLIENT_PORT, protocol: 'TCP' },
  { name: 'metrics', containerPort: 8080, protocol: 'TCP' },
];
/**
 * The dashboard agent's port on every Ray container: KubeRay injects liveness and readiness probes on it (an HTTP GET
 * of /api/healthz, or wget from a shell for older Ray) unless the operator runs with ENABLE_PROBES_INJECTION=false
 * (ray-project/kuberay v1.7.0 ray-operator/controllers/ray/common/pod.go initLivenessAndReadinessProbe;
 * utils/constant.go DefaultDashboardAgentListenPort), so the containers declare the port the probes use.
 */
const RAY_AGENT_PORT: k8s.ContainerPort = { name: 'dashboard-agent', containerPort: 52365, protocol: 'TCP' };
/** The KubeRay operator's pod label in its Helm chart (helm-chart/kuberay-operator, `nameOverride: kuberay-operator`). */
const KUBERAY_OPERATOR_PODS = { 'app.kubernetes.io/name': 'kuberay-operator' };
/**
 * KubeRay's `app.kubernetes.io/name` on the pods it makes (utils.ApplicationName). The Service KubeRay makes for a
 * RayJob, `<rayjob>-head-svc` (the job's stable head address), selects the head pod by it: common/job.go
 * BuildHeadServiceForRayJob builds its selector from common/service.go HeadServiceLabels without the template's labels,
 * while common/pod.go labelPod lets a template label replace KubeRay's on the pod. A head template of a RayJob with
 * another value leaves that Service without endpoints (seen with the v1.6.2 operator on the simulated cluster).
 */
export const KUBERAY_APP_NAME: Readonly<Record<string, string>> = { [LABEL_NAME]: 'kuberay' };
/** Karpenter leaves nodes of pods with this annotation alone (no consolidation in the middle of a run). */
export const DO_NOT_DISRUPT = { 'karpenter.sh/do-not-disrupt': 'true' };
/** Pod fields that place a GPU worker; the CPU head drops them. */
const WORKER_PLACEMENT = ['resourceClaims', 'tolerations', 'nodeSelector', 'affinity', 'topologySpreadConstraints', 'schedulingGroup', 'workloadRef'];
/** Default CPU cores and memory of the head: GCS, dashboard and the driver. */
const HEAD_CPU = 2;
const HEAD_MEMORY = Size.gibibytes(8);
/** A Ray version as KubeRay compares it (`rayVersion`, semver without a `v`). */
const RAY_VERSION = /^\d+\.\d+(\.\d+)?$/;
/**
 * Entrypoint words that survive both shells: KubeRay puts the entrypoint into the submitter's `bash -c` line
 * (common/job.go BuildJobSubmitCommand) and Ray's job manager runs what `ray job submit` joined (list2cmdline) with
 * `sh -c`; a word with spaces is single-quoted for the first and double-quoted by the second.
 */
const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+( [A-Za-z0-9_@%+=:,./-]+)*$/;

/** A pod template as JSON (`metadata` + `spec`), as a CRD's opaque template field takes it. */
export interface PodTemplateJson {
  readonly metadata: Record<string, any>;
  readonly spec: Record<string, any>;
}

/** Head settings a user may give. */
export interface RayHeadSettings {
  readonly cpu?: number;
  readonly memory?: Size;
}

/** A CPU quantity from cores (fractions in steps of 0.001), checked under `prop`. */
export function cpuQuantity(scope: IConstruct, prop: string, cores: number): string {
  const millis = cores * 1000;
  if (!(cores > 0) || Math.abs(millis - Math.round(millis)) > 1e-6) {
    throw invalidProp(scope, prop, cores, 'a positive number of cores in steps of 0.001, e.g. 0.5 or 4');
  }
  return Number.isInteger(cores) ? String(cores) : `${Math.round(millis)}m`;
}

/** CPU and memory of the head (request = limit), checked under `<prop>Cpu`. */
export function headResources(scope: IConstruct, prop: string, head: RayHeadSettings): k8s.ResourceRequirements {
  return computeResources({ cpu: cpuQuantity(scope, `${prop}Cpu`, head.cpu ?? HEAD_CPU), memory: (head.memory ?? HEAD_MEMORY).asString() });
}

/** The Ray version KubeRay is told, checked. */
export function rayVersionOf(scope: IConstruct, prop: string, version: string | undefined): string | undefined {
  if (version !== undefined && !RAY_VERSION.test(version)) throw invalidProp(scope, prop, version, 'a Ray version such as "2.52.0"');
  return version;
}

/** The pod template of a Ray worker: the Ray container keeps no command, because KubeRay runs `ray start` in it. */
export function rayWorkerTemplate(template: PodTemplateJson): PodTemplateJson {
  const [ray, ...others] = template.spec.containers;
  const { command: _command, args: _args, ...container } = ray;
  return withAgentPort({ metadata: template.metadata, spec: { ...template.spec, containers: [container, ...others] } });
}

/** The template with the dashboard agent's port (RAY_AGENT_PORT) declared on its Ray container. */
export function withAgentPort(template: PodTemplateJson): PodTemplateJson {
  const [ray, ...others] = template.spec.containers;
  const ports = [...(ray.ports ?? []), k8s.toJson_ContainerPort(RAY_AGENT_PORT)];
  return { metadata: template.metadata, spec: { ...template.spec, containers: [{ ...ray, ports }, ...others] } };
}

/**
 * The head's pod template, from a worker's: the same image, env, volumes and security, without GPUs or the GPU
 * pool's placement, with the head's resources and ports, and the head's own labels.
 */
export function rayHeadTemplate(worker: PodTemplateJson, labels: Record<string, string>, resources: k8s.ResourceRequirements,
  annotations: Record<string, string>): PodTemplateJson {
  const spec: Record<string, any> = { ...worker.spec };
  WORKER_PLACEMENT.forEach((field) => delete spec[field]);
  const { command: _command, args: _args, ports: _ports, resources: _resources, ...container } = spec.containers[0];
  spec.containers = [{
    ...container,
    name: 'ray-head',
    ports: [...RAY_HEAD_PORTS, RAY_AGENT_PORT].map((p) => k8s.toJson_ContainerPort(p)),
    resources: k8s.toJson_ResourceRequirements(resources),
  }];
  return { metadata: { labels, annotations: Object.keys(annotations).length ? annotations : undefined }, spec };
}

/** The labels and selector of one role (head, submitter) of a job whose workers have `labels`. */
export function roleLabels(labels: Record<string, string>, selector: Record<string, string>, role: string) {
  return { labels: { ...labels, [LABEL_COMPONENT]: role }, selector: { ...selector, [LABEL_COMPONENT]: role } };
}

/** `ray start` parameters of a worker: the GPUs it has, which KubeRay cannot count from DRA claims. */
export function workerStartParams(gpusPerWorker: number): Record<string, string> {
  // KubeRay derives num-gpus only from container limits named like a GPU (common/pod.go addWellKnownAcceleratorResources).
  return gpusPerWorker > 0 ? { 'num-gpus': String(gpusPerWorker) } : {};
}

/**
 * The entrypoint command line of a RayJob from the job's command and args. Words are kept to characters that mean
 * nothing to a shell, since two shells parse the line before Python sees it.
 */
export function rayEntrypoint(scope: IConstruct, command: string[] | undefined, args: string[] | undefined): string {
  if (!command || command.length === 0) {
    throw new ValidationError(scope, 'command', 'a RayJob needs the program to run on the Ray cluster (its entrypoint), e.g. ' +
      '["python", "train.py"]; set command');
  }
  const words = [...command.map((w, i) => ({ prop: `command[${i}]`, w })), ...(args ?? []).map((w, i) => ({ prop: `args[${i}]`, w }))];
  return words.map(({ prop, w }) => {
    if (!SAFE_WORD.test(w)) {
      throw invalidProp(scope, prop, w, 'a word of letters, digits and _@%+=:,./- (single spaces between such words allowed): ' +
        'the RayJob entrypoint is parsed by the submitter\'s bash and again by the sh of Ray\'s job manager (KubeRay v1.7.0 ' +
        'common/job.go BuildJobSubmitCommand), so quotes, $, \\ and other shell characters would change the command; pass ' +
        'such values through env or a config file');
    }
    return w.includes(' ') ? `'${w}'` : w;
  }).join(' ');
}

/** Checks a replica count against KubeRay's int32 fields. */
export function requireReplicas(scope: IConstruct, prop: string, value: number, min: number): number {
  return requireInteger(scope, prop, value, min, 2 ** 31 - 1);
}

/** Who talks to whom in a Ray cluster. */
export interface RayNetwork {
  readonly name: string;
  readonly namespace?: string;
  /** Labels of every object of the cluster (for the NetworkPolicies). */
  readonly labels: Record<string, string>;
  readonly head: { readonly labels: Record<string, string>; readonly selector: Record<string, string> };
  readonly workers: Record<string, string>;
  /** The submitter pod of a RayJob in K8sJobMode. */
  readonly submitter?: Record<string, string>;
  /** Pods of the namespace (notebooks) that use the cluster through its client and dashboard ports. */
  readonly clients?: Record<string, string>;
}

/**
 * Declares the edges of a Ray cluster and isolates its head: head and workers reach each other on every port (GCS,
 * raylets, object transfer); the KubeRay operator (any namespace, its Helm chart's pod label) and the submitter
 * reach the dashboard, where KubeRay polls and submits jobs; clients reach the dashboard and the Ray client port.
 */
export function rayNetwork(scope: Construct, net: RayNetwork): IngressIsolationHandle {
  const head = { namespace: net.namespace, podLabels: net.head.selector };
  const workers = { namespace: net.namespace, podLabels: net.workers };
  const dashboard = [{ port: RAY_DASHBOARD_PORT }];
  allowTraffic({ scope, name: 'ray-head-to-workers', description: `the Ray head of ${net.name} reaches its workers`, from: head, to: workers, ports: [], allPorts: true });
  allowTraffic({ scope, name: 'ray-workers-to-head', description: `the Ray workers of ${net.name} reach their head`, from: workers, to: head, ports: [], allPorts: true });
  allowTraffic({
    scope,
    name: 'kuberay-operator',
    description: `the KubeRay operator reaches the Ray dashboard of ${net.name}`,
    from: { namespaceLabels: {}, podLabels: KUBERAY_OPERATOR_PODS },
    to: head,
    ports: dashboard,
  });
  if (net.submitter) {
    allowTraffic({ scope, name: 'ray-job-submitter', description: `the job submitter of ${net.name} reaches the Ray dashboard`, from: { namespace: net.namespace, podLabels: net.submitter }, to: head, ports: dashboard });
  }
  if (net.clients) {
    allowTraffic({
      scope,
      name: 'ray-clients',
      description: `clients ${show(net.clients)} use the Ray cluster ${net.name}`,
      from: { namespace: net.namespace, podLabels: net.clients },
      to: head,
      ports: [...dashboard, { port: RAY_CLIENT_PORT }],
    });
  }
  return isolateIngress({
    scope,
    id: 'HeadNetworkPolicy',
    name: `${net.name}-head`,
    namespace: net.namespace,
    selector: net.head.selector,
    podLabels: net.head.labels,
    labels: net.labels,
    description: `the Ray head of ${net.name}`,
  });
}
