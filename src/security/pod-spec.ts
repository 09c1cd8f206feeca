import { IConstruct } from 'constructs';
import { ContainerInputs, checkContainerSecrets } from './container-secrets';
import { restrictedViolations } from './pod-security';
import { WorkloadSecurityProps } from './workload-security';
import * as k8s from '../imports/k8s';
import { ValidationError, requireInteger } from '../internal/errors';

/**
 * The user, group and fsGroup id pods run as by default: 65532, the `nonroot` user of distroless and Chainguard
 * images. Above 10000 (checkov CKV_K8S_40: no collision with host users, whose ids are below 10000 on every common
 * distribution) and below 65536 (images and volume plugins that assume 16-bit ids). Images that need a named user
 * (a home directory in /etc/passwd) get `HOME` and caches on writable volumes instead.
 */
export const DEFAULT_USER_ID = 65532;

/** A pinned image reference: `name@sha256:<64 hex>` (optionally with a tag before the digest). */
const DIGEST = /@sha256:[0-9a-f]{64}$/;

/** True when `image` is pinned by digest. */
export function hasDigest(image: string | undefined): boolean {
  return image !== undefined && DIGEST.test(image);
}

/**
 * The pull policy the library gives a container whose own is unset: `IfNotPresent` for an image pinned by digest
 * (the digest names exactly one image, a cached copy is that image), `Always` for a tag (tags move: the kubelet
 * re-resolves the tag on every start, so a node never runs a stale image, and the registry re-checks the pull
 * secret; checkov CKV_K8S_15).
 */
export function defaultPullPolicy(image: string | undefined): string {
  return hasDigest(image) ? 'IfNotPresent' : 'Always';
}

/** CPU and memory of a container: requests, and limits (each defaulting to its request). */
export interface ComputeResources {
  readonly cpu: string;
  readonly memory: string;
  /** @default - the CPU request */
  readonly cpuLimit?: string;
  /** @default - the memory request */
  readonly memoryLimit?: string;
  /** Other requests (e.g. `ephemeral-storage`), not limited. */
  readonly otherRequests?: { [resource: string]: string };
}

/**
 * Container resources with CPU and memory requests and limits. With the defaults (limit = request) the pod is in
 * the Guaranteed QoS class: evicted last, and eligible for exclusive cores under the static CPU manager policy.
 */
export function computeResources(r: ComputeResources): k8s.ResourceRequirements {
  const requests: { [k: string]: k8s.Quantity } = { cpu: k8s.Quantity.fromString(r.cpu), memory: k8s.Quantity.fromString(r.memory) };
  const other = r.otherRequests ?? {};
  for (const key of Object.keys(other).sort()) requests[key] = k8s.Quantity.fromString(other[key]);
  return {
    requests,
    limits: { cpu: k8s.Quantity.fromString(r.cpuLimit ?? r.cpu), memory: k8s.Quantity.fromString(r.memoryLimit ?? r.memory) },
  };
}

/** The node label every node carries with its own name: the topology key for spreading pods across nodes. */
export const HOSTNAME_TOPOLOGY_KEY = 'kubernetes.io/hostname';

/** Pod fields newer than the 1.34 PodSpec the typed imports know, which some CRD pod templates keep. */
export interface PodSchedulingFields {
  /** Kubernetes 1.35 Workload API (v1alpha1): the Workload and pod group the pod belongs to. */
  readonly workloadRef?: { readonly name: string; readonly podGroup: string };
  /** Kubernetes 1.36+ Workload API: the PodGroup the pod belongs to. */
  readonly schedulingGroup?: { readonly podGroupName: string };
}

/** Settings resolved from WorkloadSecurityProps. */
export interface ResolvedSecurity {
  readonly readOnlyRootFilesystem: boolean;
  readonly runAsUser: number;
  readonly runAsGroup: number;
  readonly fsGroup: number;
}

export function resolveSecurity(scope: IConstruct, props: WorkloadSecurityProps = {}): ResolvedSecurity {
  return {
    readOnlyRootFilesystem: props.readOnlyRootFilesystem ?? true,
    runAsUser: requireInteger(scope, 'security.runAsUser', props.runAsUser ?? DEFAULT_USER_ID, 1, 2 ** 31 - 1),
    runAsGroup: requireInteger(scope, 'security.runAsGroup', props.runAsGroup ?? DEFAULT_USER_ID, 0, 2 ** 31 - 1),
    fsGroup: requireInteger(scope, 'security.fsGroup', props.fsGroup ?? DEFAULT_USER_ID, 0, 2 ** 31 - 1),
  };
}

/** The container security context `restricted` requires, with the workload's read-only-root choice. */
export function restrictedContainerSecurity(security: ResolvedSecurity): k8s.SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    privileged: false,
    readOnlyRootFilesystem: security.readOnlyRootFilesystem,
    runAsNonRoot: true,
  };
}

/**
 * Builds a pod spec that passes Pod Security `restricted`: non-root user, RuntimeDefault seccomp, no privilege
 * escalation, all capabilities dropped, no service-account token unless asked, and writable scratch volumes where
 * the root filesystem is read-only. Constructs add containers, volumes, claims and scheduling, then `build()`,
 * which refuses to return a spec that `restricted` would reject.
 */
export class PodSpecBuilder {
  private readonly containers: k8s.Container[] = [];
  private readonly initContainers: k8s.Container[] = [];
  private readonly volumes = new Map<string, k8s.Volume>();
  private readonly resourceClaims = new Map<string, k8s.PodResourceClaim>();
  private readonly tolerations: k8s.Toleration[] = [];
  private readonly nodeRequirements: k8s.NodeSelectorRequirement[] = [];
  private readonly nodeSelector: Record<string, string> = {};
  private readonly everywhereMounts: k8s.VolumeMount[] = [];
  private readonly containerClaims: { containers?: string[]; claim: k8s.ResourceClaim }[] = [];
  private readonly extendedResources: { containers?: string[]; resource: string; quantity: number }[] = [];
  private readonly podAffinity = { required: [] as k8s.PodAffinityTerm[], preferred: [] as k8s.WeightedPodAffinityTerm[] };
  private readonly podAntiAffinity = { required: [] as k8s.PodAffinityTerm[], preferred: [] as k8s.WeightedPodAffinityTerm[] };
  private readonly topologySpread: k8s.TopologySpreadConstraint[] = [];
  private schedulingFields: PodSchedulingFields = {};
  public serviceAccountName?: string;
  public automountServiceAccountToken = false;
  public priorityClassName?: string;
  public terminationGracePeriodSeconds?: number;
  public restartPolicy?: string;
  public subdomain?: string;
  public schedulerName?: string;
  public extra: Partial<k8s.PodSpec> = {};

  constructor(private readonly scope: IConstruct, public readonly security: ResolvedSecurity) {}

  /**
   * Adds a container; its security context gets the restricted settings (a user's own fields win where safe), and
   * an unset pull policy becomes `defaultPullPolicy(image)`. A credential literal in its env, command or args is
   * refused (`inputs` names the props they came from, for the message).
   */
  public addContainer(container: k8s.Container, options: { init?: boolean; inputs?: ContainerInputs } = {}): void {
    // Every construct's env and args pass here: no credential literal reaches the YAML, whichever construct it is.
    checkContainerSecrets(this.scope, container, options.inputs);
    const secured: k8s.Container = {
      ...container,
      imagePullPolicy: container.imagePullPolicy ?? defaultPullPolicy(container.image),
      securityContext: { ...restrictedContainerSecurity(this.security), ...container.securityContext },
    };
    (options.init ? this.initContainers : this.containers).push(secured);
  }

  /** Adds a volume; the same name twice must be the same volume. */
  public addVolume(volume: k8s.Volume): void {
    const existing = this.volumes.get(volume.name);
    if (existing && JSON.stringify(existing) !== JSON.stringify(volume)) {
      throw new ValidationError(this.scope, 'volumes', `two different volumes are named "${volume.name}"; volume names must be unique in a pod`);
    }
    this.volumes.set(volume.name, volume);
  }

  /** Mounts a memory-backed emptyDir at /dev/shm in every container (NCCL and model servers need more than 64Mi). */
  public addSharedMemory(sizeLimit?: string): void {
    this.addVolume({ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: sizeLimit ? k8s.Quantity.fromString(sizeLimit) : undefined } });
    this.mountEverywhere({ name: 'dshm', mountPath: '/dev/shm' });
  }

  /** Mounts a writable emptyDir at `mountPath` in every container (for read-only root filesystems). */
  public addScratch(name: string, mountPath: string, sizeLimit?: string): void {
    this.addVolume({ name, emptyDir: { sizeLimit: sizeLimit ? k8s.Quantity.fromString(sizeLimit) : undefined } });
    this.mountEverywhere({ name, mountPath });
  }

  /** Adds a volume mount to every container added so far and to those added later. */
  public mountEverywhere(mount: k8s.VolumeMount): void {
    this.everywhereMounts.push(mount);
  }

  /**
   * Adds a pod-level resource claim (DRA) and gives it to `containers` (their `resources.claims`); by default to
   * every regular (non-init) container, added before or after this call.
   */
  public addResourceClaim(claim: k8s.PodResourceClaim, containers?: string[], request?: string): void {
    if (this.resourceClaims.has(claim.name)) {
      throw new ValidationError(this.scope, 'resourceClaims', `two resource claims are named "${claim.name}"`);
    }
    this.resourceClaims.set(claim.name, claim);
    this.containerClaims.push({ containers, claim: { name: claim.name, request } });
  }

  /**
   * Requests an extended resource (e.g. `nvidia.com/gpu`) as a limit (extended resources cannot be overcommitted,
   * so the request equals the limit) in `containers`; by default in every regular container.
   */
  public addExtendedResource(resource: string, quantity: number, containers?: string[]): void {
    this.extendedResources.push({ containers, resource, quantity });
  }

  public addToleration(toleration: k8s.Toleration): void {
    const key = JSON.stringify(toleration);
    if (!this.tolerations.some((t) => JSON.stringify(t) === key)) this.tolerations.push(toleration);
  }

  /** Requires nodes to match (ANDed with every other requirement). */
  public requireNode(requirement: k8s.NodeSelectorRequirement): void {
    const key = JSON.stringify(requirement);
    if (!this.nodeRequirements.some((r) => JSON.stringify(r) === key)) this.nodeRequirements.push(requirement);
  }

  public addNodeSelector(key: string, value: string): void {
    this.nodeSelector[key] = value;
  }

  /**
   * Places the pod near pods matching `term` (same topology domain). Required unless `preferredWeight` (1-100) is
   * given, which makes it a preference of that weight.
   */
  public addPodAffinity(term: k8s.PodAffinityTerm, preferredWeight?: number): void {
    addTerm(this.scope, this.podAffinity, term, preferredWeight);
  }

  /**
   * Keeps the pod away from pods matching `term` (another topology domain). Required unless `preferredWeight`
   * (1-100) is given, which makes it a preference of that weight.
   */
  public addPodAntiAffinity(term: k8s.PodAffinityTerm, preferredWeight?: number): void {
    addTerm(this.scope, this.podAntiAffinity, term, preferredWeight);
  }

  /** Adds a topology spread constraint. */
  public addTopologySpread(constraint: k8s.TopologySpreadConstraint): void {
    const key = JSON.stringify(constraint);
    if (!this.topologySpread.some((c) => JSON.stringify(c) === key)) this.topologySpread.push(constraint);
  }

  /**
   * Prefers to put pods with `podLabels` (the replicas of one workload) on different nodes: a node failure or drain
   * then takes one replica, not all. A preference (weight 100), so replicas still schedule when there are fewer
   * nodes than replicas.
   */
  public spreadAcrossNodes(podLabels: { [key: string]: string }): void {
    this.addPodAntiAffinity({ labelSelector: { matchLabels: { ...podLabels } }, topologyKey: HOSTNAME_TOPOLOGY_KEY }, 100);
  }

  /**
   * Sets pod fields newer than the 1.34 PodSpec (the Workload API's `workloadRef` / `schedulingGroup`). They are
   * only in `buildJson()`, for pod templates of CRDs that keep them.
   */
  public setSchedulingFields(fields: PodSchedulingFields): void {
    const unknown = Object.keys(fields).filter((k) => k !== 'workloadRef' && k !== 'schedulingGroup');
    if (unknown.length) throw new ValidationError(this.scope, 'schedulingFields', `unknown pod fields ${unknown.join(', ')}`);
    this.schedulingFields = { ...this.schedulingFields, ...fields };
  }

  public get containerNames(): string[] {
    return [...this.initContainers, ...this.containers].map((c) => c.name);
  }

  public build(): k8s.PodSpec {
    const withMounts = (c: k8s.Container): k8s.Container => {
      const mounts = [...(c.volumeMounts ?? [])];
      for (const m of this.everywhereMounts) if (!mounts.some((x) => x.mountPath === m.mountPath)) mounts.push(m);
      return { ...c, volumeMounts: mounts.length ? mounts : undefined };
    };
    const withDevices = (c: k8s.Container, init: boolean): k8s.Container => {
      const applies = (names?: string[]) => (names ? names.includes(c.name) : !init);
      const claims = [...(c.resources?.claims ?? []), ...this.containerClaims.filter((x) => applies(x.containers)).map((x) => x.claim)];
      const extended = this.extendedResources.filter((x) => applies(x.containers));
      if (claims.length === 0 && extended.length === 0) return c;
      const limits = { ...(c.resources?.limits ?? {}) };
      for (const x of extended) limits[x.resource] = k8s.Quantity.fromNumber(x.quantity);
      return {
        ...c,
        resources: { ...c.resources, claims: claims.length ? claims : undefined, limits: Object.keys(limits).length ? limits : undefined },
      };
    };
    const spec: k8s.PodSpec = {
      ...this.extra,
      automountServiceAccountToken: this.automountServiceAccountToken,
      serviceAccountName: this.serviceAccountName,
      enableServiceLinks: false,
      priorityClassName: this.priorityClassName,
      restartPolicy: this.restartPolicy,
      subdomain: this.subdomain,
      schedulerName: this.schedulerName,
      terminationGracePeriodSeconds: this.terminationGracePeriodSeconds,
      securityContext: {
        runAsNonRoot: true,
        runAsUser: this.security.runAsUser,
        runAsGroup: this.security.runAsGroup,
        fsGroup: this.security.fsGroup,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      initContainers: this.initContainers.length ? this.initContainers.map((c) => withDevices(withMounts(c), true)) : undefined,
      containers: this.containers.map((c) => withDevices(withMounts(c), false)),
      volumes: this.volumes.size ? [...this.volumes.values()] : undefined,
      resourceClaims: this.resourceClaims.size ? [...this.resourceClaims.values()] : undefined,
      tolerations: this.tolerations.length ? this.tolerations : undefined,
      nodeSelector: Object.keys(this.nodeSelector).length ? this.nodeSelector : undefined,
      affinity: this.affinity(),
      topologySpreadConstraints: this.topologySpread.length ? [...this.topologySpread] : undefined,
    };
    if (spec.containers.length === 0) throw new ValidationError(this.scope, 'containers', 'a pod needs at least one container');
    const names = this.containerNames;
    for (const target of [...this.containerClaims, ...this.extendedResources]) {
      const unknown = (target.containers ?? []).filter((n) => !names.includes(n));
      if (unknown.length) throw new ValidationError(this.scope, 'containers', `devices are given to unknown containers ${unknown.join(', ')}; the pod has ${names.join(', ')}`);
    }
    const violations = restrictedViolations(spec);
    if (violations.length) {
      throw new ValidationError(this.scope, 'security', `the pod would not pass Pod Security "restricted": ${violations.join('; ')}`);
    }
    return spec;
  }

  /**
   * The pod spec as JSON (for a CRD's pod template), with the scheduling fields newer than the 1.34 PodSpec.
   */
  public buildJson(): Record<string, any> {
    const json: Record<string, any> = { ...k8s.toJson_PodSpec(this.build()) };
    const f = this.schedulingFields;
    if (f.workloadRef) json.workloadRef = { name: f.workloadRef.name, podGroup: f.workloadRef.podGroup };
    if (f.schedulingGroup) json.schedulingGroup = { podGroupName: f.schedulingGroup.podGroupName };
    return json;
  }

  private affinity(): k8s.Affinity | undefined {
    const nodeAffinity = this.nodeRequirements.length
      ? { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [...this.nodeRequirements] }] } }
      : undefined;
    const terms = (t: { required: k8s.PodAffinityTerm[]; preferred: k8s.WeightedPodAffinityTerm[] }) => (t.required.length || t.preferred.length ? {
      requiredDuringSchedulingIgnoredDuringExecution: t.required.length ? [...t.required] : undefined,
      preferredDuringSchedulingIgnoredDuringExecution: t.preferred.length ? [...t.preferred] : undefined,
    } : undefined);
    const podAffinity = terms(this.podAffinity);
    const podAntiAffinity = terms(this.podAntiAffinity);
    return nodeAffinity || podAffinity || podAntiAffinity ? { nodeAffinity, podAffinity, podAntiAffinity } : undefined;
  }
}

function addTerm(scope: IConstruct, into: { required: k8s.PodAffinityTerm[]; preferred: k8s.WeightedPodAffinityTerm[] },
  term: k8s.PodAffinityTerm, preferredWeight: number | undefined): void {
  if (preferredWeight === undefined) {
    const key = JSON.stringify(term);
    if (!into.required.some((t) => JSON.stringify(t) === key)) into.required.push(term);
    return;
  }
  requireInteger(scope, 'affinity.weight', preferredWeight, 1, 100);
  const key = JSON.stringify({ term, preferredWeight });
  if (!into.preferred.some((t) => JSON.stringify({ term: t.podAffinityTerm, preferredWeight: t.weight }) === key)) {
    into.preferred.push({ weight: preferredWeight, podAffinityTerm: term });
  }
}
