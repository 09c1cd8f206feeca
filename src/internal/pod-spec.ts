import { IConstruct } from 'constructs';
import { ValidationError, requireInteger } from './errors';
import { restrictedViolations } from './pod-security';
import * as k8s from '../imports/k8s';
import { WorkloadSecurityProps } from '../security/workload-security';

export const DEFAULT_USER_ID = 1000;

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
  public serviceAccountName?: string;
  public automountServiceAccountToken = false;
  public priorityClassName?: string;
  public terminationGracePeriodSeconds?: number;
  public restartPolicy?: string;
  public subdomain?: string;
  public schedulerName?: string;
  public extra: Partial<k8s.PodSpec> = {};

  constructor(private readonly scope: IConstruct, public readonly security: ResolvedSecurity) {}

  /** Adds a container; its security context gets the restricted settings (a user's own fields win where safe). */
  public addContainer(container: k8s.Container, options: { init?: boolean } = {}): void {
    const secured: k8s.Container = {
      ...container,
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
      affinity: this.nodeRequirements.length
        ? { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: this.nodeRequirements }] } } }
        : undefined,
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
}
