import { ApiObject, Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { TenantAccess } from './tenant-access';
import { requireTenantNamespace } from './tenant-namespace';
import { PoolQuotaKeys, demandKey, poolQuotaKeys } from './tenant-quota';
import { GpuNodePool } from '../accelerators/gpu-node-pool';
import { gpuDemandsIn, namespaceFact, namespaces, recordLocalQueue, recordNamespace } from '../cluster/app-registry';
import { ClusterAddon } from '../cluster/cluster-addon';
import { ClusterProfile } from '../cluster/cluster-profile';
import { warn } from '../cluster/platform-warnings';
import * as k8s from '../imports/k8s';
import * as kueue from '../imports/kueue';
import { cidrStrictlyContains, isCidr, isWholeInternet } from '../internal/cidr';
import { clusterScoped } from '../internal/cluster-scoped';
import { ValidationError, invalidProp, requireInteger, show, validationMessage } from '../internal/errors';
import { standardLabels } from '../internal/labels';
import { claimName, requireDnsLabel, resourceName } from '../internal/names';
import { markNamespaceScope } from '../internal/namespace';
import { FoundPodSpec, imagesOf, podSpecsBelow } from '../internal/pod-templates';
import { requireLabels, requireNonEmptyLabelValue } from '../internal/qualified-name';
import { checkProps, req, requireScope } from '../internal/runtime-checks';
import { requireSameApp } from '../internal/same-app';
import { ImageAdmissionPolicy, AdmissionAction } from '../security/image-admission-policy';
import { ImageSigningPolicy } from '../security/image-signing-policy';
import { restrictedViolations } from '../security/pod-security';
import { TenantDns } from '../security/tenant-dns';
import { EgressNeed, EgressNeedKind, ResolvedEgressNeed, allowTraffic, registerFirewall, trafficEdges } from '../security/tenant-network';
import { edgePolicySpec } from '../security/tenant-network-policy';
import { EdgeSide, TrafficEdge, rangesOf } from '../security/traffic-edge';

const AI_TENANT = Symbol.for('cdk8s-ai.AiTenant');
/** Namespace labels with the tenant's ownership (plain keys, usable by Kubecost/OpenCost aggregation). */
const TENANT_TEAM_LABEL = 'team';
const TENANT_OWNER_LABEL = 'owner';
const TENANT_COST_CENTER_LABEL = 'cost-center';
const DEFAULT_COHORT = 'cdk8s-ai';
const CPU_FLAVOR = 'cdk8s-ai-default';

/**
 * A share of a GPU node pool for a tenant.
 */
export interface TenantGpuQuota {
  /**
   * The pool the GPUs come from.
   */
  readonly pool: GpuNodePool;

  /**
   * GPUs guaranteed to the tenant (its Kueue nominal quota). The guaranteed GPUs of all tenants of a pool must fit
   * the pool's capacity.
   */
  readonly gpus: number;

  /**
   * GPUs the tenant may borrow on top of `gpus` while other tenants of its cohort leave theirs idle. The tenant's
   * ResourceQuota is `gpus + borrowingLimit`, so it also caps workloads Kueue does not manage.
   *
   * @default - the rest of the pool (pool capacity minus `gpus`)
   */
  readonly borrowingLimit?: number;

  /**
   * Guaranteed GPUs other tenants may borrow while this tenant leaves them idle.
   *
   * @default - the guaranteed GPUs the tenant's workloads outside Kueue (model servers) do not hold on the pool; all
   * of `gpus` when it runs none there
   */
  readonly lendingLimit?: number;
}

/**
 * How Kueue preempts workloads to give a tenant its guaranteed quota back.
 */
export enum ReclaimPolicy {
  /** Never preempt other tenants' workloads. */
  NEVER = 'Never',
  /** Preempt lower-priority workloads of other tenants that borrow. */
  LOWER_PRIORITY = 'LowerPriority',
  /** Preempt any workload of other tenants that borrows. */
  ANY = 'Any',
}

/**
 * A Kueue WorkloadPriorityClass of the tenant.
 */
export interface TenantPriority {
  /**
   * The short name; the class is named `<namespace>-<name>`.
   */
  readonly name: string;

  /**
   * The priority (higher wins).
   */
  readonly value: number;

  /**
   * What the class is for.
   *
   * @default - none
   */
  readonly description?: string;
}

/**
 * Fair sharing of GPU pools between tenants (Kueue).
 */
export interface TenantFairShare {
  /**
   * The Kueue cohort: tenants in the same cohort lend and borrow idle quota.
   *
   * @default 'cdk8s-ai'
   */
  readonly cohort?: string;

  /**
   * The fair-sharing weight (share = usage above nominal / weight). Only effective when Kueue's Configuration
   * enables fair sharing.
   *
   * @default - Kueue's default (1)
   */
  readonly weight?: number;

  /**
   * How the tenant gets its guaranteed quota back from borrowers.
   *
   * @default ReclaimPolicy.ANY
   */
  readonly reclaimWithinCohort?: ReclaimPolicy;

  /**
   * Whether a higher-priority workload of the tenant preempts its own lower-priority workloads.
   *
   * @default true
   */
  readonly preemptLowerPriority?: boolean;

  /**
   * The tenant's WorkloadPriorityClasses.
   *
   * @default - `production` (1000) and `batch` (100)
   */
  readonly priorities?: TenantPriority[];
}

/**
 * An external endpoint the tenant's pods may reach (a model hub, an artifact store).
 */
export interface TenantEgress {
  /**
   * A short DNS label naming the endpoint, e.g. `hf-hub`.
   */
  readonly name: string;

  /**
   * The endpoint's address range.
   */
  readonly cidr: string;

  /**
   * The ports.
   *
   * @default [443]
   */
  readonly ports?: number[];
}

/**
 * How pods reach the Kubernetes API server. A NetworkPolicy cannot select the API server by pod labels, and most
 * CNIs apply policy after the `kubernetes` Service address is translated to an API server endpoint, so the rule
 * names the endpoints themselves: `kubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes`
 * lists their addresses and port.
 */
export interface TenantApiServer {
  /**
   * The API server endpoint addresses as CIDRs, e.g. `['10.0.0.10/32', '10.0.0.11/32']` or the control-plane
   * subnet (not the `kubernetes` Service's ClusterIP).
   */
  readonly cidrs: string[];

  /**
   * The endpoint port (the EndpointSlice's port, not the Service's): 443 on EKS, GKE and AKS, 6443 on kubeadm,
   * k3s and kind clusters.
   *
   * @default 443
   */
  readonly port?: number;
}

/**
 * Where the tenant's workloads download model weights from (the Hugging Face Hub, an S3 or GCS bucket, an HTTPS
 * mirror, or the HTTPS proxy they go through). Only the pods that download get this egress.
 */
export interface TenantModelDownloads {
  /**
   * The address ranges, e.g. a mirror's or proxy's range, or `['0.0.0.0/0', '::/0']` with `excludedCidrs` for the
   * internet (the Hugging Face Hub and cloud storage publish no stable ranges). An agentic tenant must name
   * specific ranges.
   */
  readonly cidrs: string[];

  /**
   * Ranges inside `cidrs` to leave out, e.g. the private ranges `10.0.0.0/8`, `172.16.0.0/12`, `192.168.0.0/16`
   * when `cidrs` is the internet.
   *
   * @default - none
   */
  readonly excludedCidrs?: string[];

  /**
   * The ports.
   *
   * @default [443]
   */
  readonly ports?: number[];
}

/**
 * Operational facts the readiness checklist asks for.
 */
export interface TenantOperations {
  /**
   * The tenant's incident runbook.
   *
   * @default - none (the readiness item "runbooks" fails)
   */
  readonly runbookUrl?: string;

  /**
   * Where the backup policy of the tenant's checkpoints and model caches is written down.
   *
   * @default - none (the readiness item "backups" fails)
   */
  readonly backupPolicyUrl?: string;

  /**
   * How many days model artifacts and eval results are kept.
   *
   * @default - none (the readiness item "model artifact retention" fails)
   */
  readonly modelRetentionDays?: number;
}

/**
 * Props for an AiTenant.
 */
export interface AiTenantProps {
  /**
   * The namespace name.
   *
   * @default - derived from the construct path
   */
  readonly namespace?: string;

  /**
   * The owning team (namespace label `team`).
   */
  readonly team: string;

  /**
   * Who answers for the tenant, e.g. a user or on-call handle (namespace label `owner`).
   */
  readonly owner: string;

  /**
   * The cost center the tenant's spend is booked to (namespace label `cost-center`).
   */
  readonly costCenter: string;

  /**
   * Identity-provider groups of the team; they get `access` in the namespace through a RoleBinding.
   *
   * @default - no RoleBinding
   */
  readonly groups?: string[];

  /**
   * What the groups may do.
   *
   * @default TenantAccess.VIEW
   */
  readonly access?: TenantAccess;

  /**
   * The tenant's share of GPU node pools. Quota keys come from the pool's GPU model and the cluster profile.
   *
   * @default - no GPUs: workloads in the tenant that ask for GPUs are refused
   */
  readonly gpuQuota?: TenantGpuQuota[];

  /**
   * CPU the tenant's pods may request in total (ResourceQuota `requests.cpu`, Kueue nominal quota).
   *
   * @default - 8 plus 16 per GPU the tenant may hold (guaranteed + borrowable)
   */
  readonly cpu?: string;

  /**
   * Memory the tenant's pods may request in total (ResourceQuota `requests.memory`, Kueue nominal quota).
   *
   * @default - 32Gi plus 128Gi per GPU the tenant may hold
   */
  readonly memory?: string;

  /**
   * The most pods the namespace holds.
   *
   * @default 200
   */
  readonly maxPods?: number;

  /**
   * The CPU request of containers that set none (LimitRange `defaultRequest`).
   *
   * @default '250m'
   */
  readonly defaultCpuRequest?: string;

  /**
   * The memory request of containers that set none (LimitRange `defaultRequest`).
   *
   * @default '512Mi'
   */
  readonly defaultMemoryRequest?: string;

  /**
   * Fair sharing through Kueue (needs the Kueue add-on in the cluster profile).
   *
   * @default - Kueue defaults of this library when the profile has Kueue: cohort `cdk8s-ai`, reclaim ANY
   */
  readonly fairShare?: TenantFairShare;

  /**
   * The name of the tenant's Kueue LocalQueue (workloads label `kueue.x-k8s.io/queue-name: <name>`).
   *
   * @default - the namespace name
   */
  readonly queueName?: string;

  /**
   * The cluster DNS the default-deny policy lets pods reach.
   *
   * @default - kube-system pods labelled k8s-app=kube-dns
   */
  readonly dns?: TenantDns;

  /**
   * External endpoints every pod of the tenant may reach. For model weights prefer `modelDownloads`, which opens the
   * egress for the downloading pods only.
   *
   * @default - none
   */
  readonly egress?: TenantEgress[];

  /**
   * How the tenant's pods reach the Kubernetes API server. Workloads that talk to it (the endpoint picker of a routed
   * InferenceService watches Pods and InferencePools) get an egress allow to these endpoints, and only they do.
   *
   * @default - none: synth fails when a workload in the tenant needs the API server, naming this prop
   */
  readonly apiServer?: TenantApiServer;

  /**
   * Where the tenant's workloads download model weights from. Pods that download (a model server fetching a Hugging
   * Face model or LoRA adapter, an init step fetching a `storageUri`) get an egress allow to these ranges, and only
   * they do.
   *
   * @default - none: downloads are allowed only where an `egress` entry opens port 443; otherwise synth warns,
   * naming the service and this prop
   */
  readonly modelDownloads?: TenantModelDownloads;

  /**
   * Signed-image policies: the namespace opts into sigstore policy-controller admission.
   *
   * @default - no opt-in
   */
  readonly imageSigning?: ImageSigningPolicy[];

  /**
   * Digest/registry admission policies that govern the namespace.
   *
   * @default - none
   */
  readonly imageAdmission?: ImageAdmissionPolicy[];

  /**
   * An agentic tenant (agents that may run untrusted code): every pod must have no service-account token, and
   * egress may only go to declared endpoints (no 0.0.0.0/0, no any-namespace peers).
   *
   * @default false
   */
  readonly agentic?: boolean;

  /**
   * Runbook, backup and retention facts for the readiness checklist.
   *
   * @default - none
   */
  readonly operations?: TenantOperations;
}

/** A validated gpuQuota entry with its defaults applied. */
interface ResolvedQuota {
  /** The pool. */
  readonly pool: GpuNodePool;
  /** Guaranteed GPUs (Kueue nominal quota). */
  readonly gpus: number;
  /** GPUs the tenant may borrow on top. */
  readonly borrowingLimit: number;
  /**
   * Guaranteed GPUs others may borrow.
   * @default - all of `gpus` (no Kueue lendingLimit)
   */
  readonly lendingLimit?: number;
  /** The quota keys the pool's GPUs are counted against. */
  readonly keys: PoolQuotaKeys;
}

const QUOTA_BY_POOL = new WeakMap<IConstruct, Map<GpuNodePool, { tenant: AiTenant; gpus: number }[]>>();

/**
 * A governed namespace for one team: state the tenant once and every workload created inside it
 * (`new InferenceService(tenant, 'llm', ...)`) lands in its namespace and is governed by it:
 *
 * - Namespace with Pod Security `restricted` enforced (pinned to the target minor), owner/team/cost-center labels;
 * - ResourceQuota on GPUs (keys derived from the pool's GPU model: DRA device-class counts or the device-plugin
 *   `requests.` key), CPU, memory and object counts; LimitRange with CPU/memory default requests and a GPU max
 *   (device plugin only: never a GPU default);
 * - default-deny NetworkPolicy plus the allows its own constructs declare (DNS, gateway to model servers, eval
 *   jobs to their targets, Prometheus to metrics ports, traces to the collector);
 * - least-privilege RBAC for the team's groups; the default ServiceAccount without a token;
 * - Kueue: a ClusterQueue (selecting only this namespace) with nominal quota per pool flavor, borrowing and
 *   lending limits and preemption, a LocalQueue and WorkloadPriorityClasses.
 *
 * Egress the tenant's workloads need but cannot address themselves is resolved from the tenant's props: the
 * Kubernetes API server (`apiServer`; the endpoint picker of a routed InferenceService watches Pods and
 * InferencePools) and model downloads (`modelDownloads`; servers fetching Hugging Face models, init steps fetching a
 * `storageUri`), each allowed for exactly the pods that need it.
 *
 * At synth it checks that its workloads' GPU requests fit its quota, that the quotas of all tenants fit the pools,
 * that every pod passes `restricted`, that a workload needing the API server has `apiServer` to reach it (and warns
 * when a model download has no egress), and (agentic tenants) that no pod mounts a token.
 */
export class AiTenant extends Construct {
  /**
   * True when `x` is an AiTenant.
   */
  public static isAiTenant(x: any): x is AiTenant {
    return x !== null && typeof x === 'object' && AI_TENANT in x;
  }

  /**
   * Every AiTenant of the app of `scope`, in creation order.
   */
  public static allOf(scope: IConstruct): AiTenant[] {
    requireScope('AiTenant.allOf', scope);
    return namespaces(scope).map((n) => n.scope).filter((s): s is AiTenant => AiTenant.isAiTenant(s));
  }

  /** The namespace name. */
  public readonly namespaceName: string;
  /** The Kueue LocalQueue name (also recorded for queue checks). */
  public readonly queueName: string;
  /** The Kueue ClusterQueue name, when Kueue is used. */
  public readonly clusterQueueName?: string;
  /** The team. */
  public readonly team: string;
  /** The owner. */
  public readonly owner: string;
  /** The cost center. */
  public readonly costCenter: string;
  /** Whether the tenant is agentic. */
  public readonly agentic: boolean;
  /** Operational facts. */
  public readonly operations: TenantOperations;
  /** The image signing policies the namespace opts into. */
  public readonly imageSigning: ImageSigningPolicy[];
  /** The image admission policies governing the namespace. */
  public readonly imageAdmission: ImageAdmissionPolicy[];

  /** The Namespace. */
  public readonly namespace: ApiObject;
  /** The ResourceQuota. */
  public readonly resourceQuota: ApiObject;
  /** The LimitRange. */
  public readonly limitRange: ApiObject;
  /** The default-deny NetworkPolicy. */
  public readonly defaultDeny: ApiObject;
  /** The namespace's `default` ServiceAccount, without token automount. */
  public readonly defaultServiceAccount: ApiObject;
  /** The Role, when groups are given. */
  public readonly role?: ApiObject;
  /** The RoleBinding, when groups are given. */
  public readonly roleBinding?: ApiObject;
  /** The Kueue ClusterQueue, when Kueue is used. */
  public readonly clusterQueue?: ApiObject;
  /** The Kueue LocalQueue, when Kueue is used. */
  public readonly localQueue?: ApiObject;
  /** The Kueue WorkloadPriorityClasses, when Kueue is used. */
  public readonly priorityClasses: ApiObject[] = [];

  private readonly quotas: ResolvedQuota[];
  private readonly hard: Record<string, number> = {};
  private readonly policies = new Map<string, ApiObject>();
  private readonly profile: ClusterProfile;
  private readonly apiServer?: { cidrs: string[]; port: number };
  private readonly modelDownloads?: { cidrs: string[]; except: string[]; ports: number[] };
  private readonly egressPorts: Set<number>;
  private readonly needs: ResolvedEgressNeed[] = [];

  constructor(scope: Construct, id: string, props: AiTenantProps) {
    super(scope, id);
    checkProps(this, 'AiTenantProps', props, { team: req('string'), owner: req('string'), costCenter: req('string') });
    Object.defineProperty(this, AI_TENANT, { value: true });
    this.profile = ClusterProfile.of(this);
    const enclosing = this.node.scopes.slice(0, -1).reverse().find((s) => AiTenant.isAiTenant(s));
    if (enclosing) {
      throw new ValidationError(this, 'scope', `a tenant cannot be created inside another tenant (${enclosing.node.path}); create it in a chart`);
    }
    this.namespaceName = requireTenantNamespace(this, props.namespace !== undefined ? requireDnsLabel(this, 'namespace', props.namespace) :
      resourceName(this), props.namespace !== undefined);
    this.checkNamespaceFree();
    this.team = requireNonEmptyLabelValue(this, 'team', props.team);
    this.owner = requireNonEmptyLabelValue(this, 'owner', props.owner);
    this.costCenter = requireNonEmptyLabelValue(this, 'costCenter', props.costCenter);
    this.queueName = props.queueName !== undefined ? requireDnsLabel(this, 'queueName', props.queueName) : this.namespaceName;
    this.agentic = props.agentic ?? false;
    this.operations = validateOperations(this, props.operations ?? {});
    this.imageSigning = [...(props.imageSigning ?? [])];
    this.imageAdmission = [...(props.imageAdmission ?? [])];
    this.quotas = this.resolveQuotas(props.gpuQuota ?? []);
    this.apiServer = this.resolveApiServer(props.apiServer);
    this.modelDownloads = this.resolveModelDownloads(props.modelDownloads);
    this.egressPorts = new Set((props.egress ?? []).flatMap((e) => e.ports ?? [443]));

    markNamespaceScope(this, this.namespaceName);
    recordNamespace({ scope: this, name: this.namespaceName });
    const ns = this.namespaceName;

    this.namespace = this.emitNamespace();
    this.defaultServiceAccount = this.object(k8s.KubeServiceAccount, 'DefaultServiceAccount', 'ServiceAccount', 'default', {
      automountServiceAccountToken: false,
    });
    this.resourceQuota = this.emitResourceQuota(props);
    this.limitRange = this.emitLimitRange(props);
    this.defaultDeny = this.object(k8s.KubeNetworkPolicy, 'DefaultDeny', 'NetworkPolicy', 'default-deny', {
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
    if (props.groups?.length) {
      const access = props.access ?? TenantAccess.VIEW;
      const roleName = `tenant-${access.name}`;
      this.role = this.object(k8s.KubeRole, 'Role', 'Role', roleName, { rules: access.rules.map((r) => ({ ...r })) });
      props.groups.forEach((g, i) => { if (!/^\S+$/.test(g)) throw invalidProp(this, `groups[${i}]`, g, 'a group name without spaces'); });
      this.roleBinding = this.object(k8s.KubeRoleBinding, 'RoleBinding', 'RoleBinding', roleName, {
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: roleName },
        subjects: [...new Set(props.groups)].map((name) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name })),
      });
      this.roleBinding.node.addDependency(this.role);
    }

    const useKueue = props.fairShare !== undefined || this.profile.hasAddon(ClusterAddon.KUEUE);
    if (useKueue) {
      this.profile._requireAddon(this, 'fairShare', ClusterAddon.KUEUE, 'fair sharing (Kueue ClusterQueue)');
      this.clusterQueueName = ns;
      const queues = this.emitKueue(props);
      this.clusterQueue = queues.clusterQueue;
      this.localQueue = queues.localQueue;
      recordLocalQueue({ scope: this, namespace: ns, name: this.queueName });
    }

    registerFirewall(this, {
      namespace: ns,
      applyEdge: (edge, side) => this.applyEdge(edge, side),
      applyNeed: (need) => this.applyNeed(need),
    });
    const dns = props.dns ?? {};
    allowTraffic({
      scope: this,
      name: 'dns',
      description: 'every pod resolves names through the cluster DNS',
      from: { namespace: ns },
      to: {
        namespace: dns.namespace !== undefined ? requireDnsLabel(this, 'dns.namespace', dns.namespace) : 'kube-system',
        podLabels: requireLabels(this, 'dns.podLabels', dns.podLabels ?? { 'k8s-app': 'kube-dns' }),
      },
      ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }],
    });
    (props.egress ?? []).forEach((e, i) => {
      const ports = e.ports ?? [443];
      ports.forEach((p, j) => requireInteger(this, `egress[${i}].ports[${j}]`, p, 1, 65535));
      if (!isCidr(e.cidr)) throw invalidProp(this, `egress[${i}].cidr`, e.cidr, 'a CIDR such as "203.0.113.0/24"');
      if (this.agentic && isWholeInternet(e.cidr)) {
        throw invalidProp(this, `egress[${i}].cidr`, e.cidr, 'a specific range: an agentic tenant may only reach declared endpoints, not the whole internet');
      }
      allowTraffic({
        scope: this,
        name: requireDnsLabel(this, `egress[${i}].name`, e.name, 30),
        description: `egress to ${e.name} (${e.cidr})`,
        from: { namespace: ns },
        to: { cidr: e.cidr },
        ports: ports.map((port) => ({ port })),
      });
    });

    this.node.addValidation({ validate: () => this.synthErrors() });
  }

  /** The GPU quota keys and their hard limits (ResourceQuota `spec.hard`). */
  public get gpuQuota(): { [key: string]: number } {
    return { ...this.hard };
  }

  /** The guaranteed GPUs per pool name. */
  public get guaranteedGpus(): { [pool: string]: number } {
    return Object.fromEntries(this.quotas.map((q) => [q.pool.name, q.gpus]));
  }

  /** The GPU node pools the tenant has quota on. */
  public get pools(): GpuNodePool[] {
    return this.quotas.map((q) => q.pool);
  }

  /** The full name of one of the tenant's WorkloadPriorityClasses, e.g. `research-production`. */
  public priorityClassName(priority: string): string {
    const name = `${this.namespaceName}-${priority}`;
    if (!this.priorityClasses.some((p) => p.name === name)) {
      throw invalidProp(this, 'priority', priority, `one of the tenant's priorities: ${this.priorityClasses.map((p) => p.name.slice(this.namespaceName.length + 1)).join(', ') || '(none: the tenant has no Kueue)'}`);
    }
    return name;
  }

  /** GPUs the workloads in the tenant's namespace hold at most, per quota key. */
  public gpuDemand(): { [key: string]: number } {
    const demand: Record<string, number> = {};
    for (const d of gpuDemandsIn(this, this.namespaceName)) {
      const key = demandKey(d);
      if (key) demand[key] = (demand[key] ?? 0) + d.devicesPerPod * d.pods;
    }
    return demand;
  }

  private checkNamespaceFree() {
    const existing = namespaceFact(this, this.namespaceName);
    if (existing) {
      throw new ValidationError(this, 'namespace', `got ${show(this.namespaceName)}; the tenant ${existing.scope.node.path} already owns ` +
        'that namespace (tenants must not overlap); give one of them another namespace');
    }
  }

  private object(objectClass: any, id: string, kind: string, name: string, body: Record<string, any>): ApiObject {
    claimName(this, kind, this.namespaceName, name);
    return new objectClass(this, id, {
      metadata: { name, namespace: this.namespaceName, labels: this.labels(kind) },
      ...body,
    });
  }

  private labels(kind: string): Record<string, string> {
    return standardLabels({ name: 'ai-tenant', instance: this.namespaceName, component: kind.toLowerCase() });
  }

  private emitNamespace(): ApiObject {
    const version = `v${this.profile.kubernetesVersion.toString()}`;
    const labels: Record<string, string> = {
      ...this.labels('Namespace'),
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/enforce-version': version,
      'pod-security.kubernetes.io/audit': 'restricted',
      'pod-security.kubernetes.io/audit-version': version,
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/warn-version': version,
      [TENANT_TEAM_LABEL]: this.team,
      [TENANT_OWNER_LABEL]: this.owner,
      [TENANT_COST_CENTER_LABEL]: this.costCenter,
    };
    if (this.imageSigning.length) labels[ImageSigningPolicy.NAMESPACE_LABEL] = 'true';
    for (const p of this.imageAdmission) labels[p.namespaceLabel] = 'true';
    claimName(this, 'Namespace', undefined, this.namespaceName);
    return clusterScoped(new k8s.KubeNamespace(this, 'Namespace', { metadata: { name: this.namespaceName, labels } }));
  }

  private resolveQuotas(entries: TenantGpuQuota[]): ResolvedQuota[] {
    const seen = new Set<GpuNodePool>();
    return entries.map((e, i) => {
      const prop = `gpuQuota[${i}]`;
      if (!GpuNodePool.isGpuNodePool(e.pool)) throw invalidProp(this, `${prop}.pool`, String(e.pool), 'a GpuNodePool');
      if (seen.has(e.pool)) throw invalidProp(this, `${prop}.pool`, e.pool.name, 'each pool at most once');
      requireSameApp(this, `${prop}.pool`, e.pool, 'the GpuNodePool');
      seen.add(e.pool);
      const capacity = e.pool.gpuCapacity;
      const gpus = requireInteger(this, `${prop}.gpus`, e.gpus, 0, capacity);
      const borrowingLimit = requireInteger(this, `${prop}.borrowingLimit`, e.borrowingLimit ?? capacity - gpus, 0, capacity - gpus);
      const lendingLimit = e.lendingLimit === undefined ? undefined : requireInteger(this, `${prop}.lendingLimit`, e.lendingLimit, 0, gpus);
      const keys = poolQuotaKeys(this.node.path, `${prop}.pool`, e.pool, this.profile);
      for (const key of [keys.primary, ...keys.extra]) this.hard[key] = (this.hard[key] ?? 0) + gpus + borrowingLimit;
      const byPool = QUOTA_BY_POOL.get(this.node.root) ?? new Map();
      QUOTA_BY_POOL.set(this.node.root, byPool);
      byPool.set(e.pool, [...(byPool.get(e.pool) ?? []), { tenant: this, gpus }]);
      return { pool: e.pool, gpus, borrowingLimit, lendingLimit, keys };
    });
  }

  /**
   * Kueue cannot see pods it does not admit (model servers are Deployments and LeaderWorkerSets outside Kueue), so it
   * would lend the guaranteed GPUs they hold to other tenants, whose admitted gangs then wait for GPUs that never free
   * up. By default the tenant lends only the guaranteed GPUs its unqueued workloads on the pool leave free.
   */
  private defaultLendingLimit(q: ResolvedQuota): string | undefined {
    const held = gpuDemandsIn(this, this.namespaceName)
      .filter((d) => !d.queuedByKueue && d.pool === q.pool.name)
      .reduce((sum, d) => sum + d.devicesPerPod * d.pods, 0);
    return held === 0 ? undefined : String(Math.max(0, q.gpus - held));
  }

  private maxGpus(): number {
    return this.quotas.reduce((sum, q) => sum + q.gpus + q.borrowingLimit, 0);
  }

  private computeQuota(props: AiTenantProps): { cpu: string; memory: string } {
    const cpu = props.cpu ?? String(8 + 16 * this.maxGpus());
    const memory = props.memory ?? `${32 + 128 * this.maxGpus()}Gi`;
    requireQuantity(this, 'cpu', cpu);
    requireQuantity(this, 'memory', memory);
    return { cpu, memory };
  }

  private emitResourceQuota(props: AiTenantProps): ApiObject {
    const { cpu, memory } = this.computeQuota(props);
    const hard: Record<string, k8s.Quantity> = {
      'requests.cpu': k8s.Quantity.fromString(cpu),
      'requests.memory': k8s.Quantity.fromString(memory),
      'pods': k8s.Quantity.fromNumber(requireInteger(this, 'maxPods', props.maxPods ?? 200, 1)),
      'services': k8s.Quantity.fromNumber(50),
      'configmaps': k8s.Quantity.fromNumber(200),
      'secrets': k8s.Quantity.fromNumber(200),
      'persistentvolumeclaims': k8s.Quantity.fromNumber(50),
      'services.loadbalancers': k8s.Quantity.fromNumber(0),
      'services.nodeports': k8s.Quantity.fromNumber(0),
    };
    if (this.profile.usesDra) hard['count/resourceclaims.resource.k8s.io'] = k8s.Quantity.fromNumber(500);
    for (const [key, value] of Object.entries(this.hard).sort(([a], [b]) => a.localeCompare(b))) hard[key] = k8s.Quantity.fromNumber(value);
    return this.object(k8s.KubeResourceQuota, 'ResourceQuota', 'ResourceQuota', 'tenant-quota', { spec: { hard } });
  }

  private emitLimitRange(props: AiTenantProps): ApiObject {
    const cpu = props.defaultCpuRequest ?? '250m';
    const memory = props.defaultMemoryRequest ?? '512Mi';
    requireQuantity(this, 'defaultCpuRequest', cpu);
    requireQuantity(this, 'defaultMemoryRequest', memory);
    const gpuMax: Record<string, k8s.Quantity> = {};
    for (const q of this.quotas) {
      if (!q.keys.extendedResource) continue;
      const perPod = Math.max(q.pool.gpusPerNode, gpuMax[q.keys.extendedResource] ? Number(gpuMax[q.keys.extendedResource].value) : 0);
      gpuMax[q.keys.extendedResource] = k8s.Quantity.fromNumber(perPod);
    }
    const hasGpuMax = Object.keys(gpuMax).length > 0;
    const limits: k8s.LimitRangeItem[] = [{
      type: 'Container',
      defaultRequest: { cpu: k8s.Quantity.fromString(cpu), memory: k8s.Quantity.fromString(memory) },
      max: hasGpuMax ? gpuMax : undefined,
    }];
    if (hasGpuMax) limits.push({ type: 'Pod', max: gpuMax });
    return this.object(k8s.KubeLimitRange, 'LimitRange', 'LimitRange', 'tenant-limits', { spec: { limits } });
  }

  private emitKueue(props: AiTenantProps): { clusterQueue: ApiObject; localQueue: ApiObject } {
    const fair = props.fairShare ?? {};
    const ns = this.namespaceName;
    const cohort = fair.cohort !== undefined ? requireDnsLabel(this, 'fairShare.cohort', fair.cohort) : DEFAULT_COHORT;
    if (fair.weight !== undefined && !(Number.isFinite(fair.weight) && fair.weight >= 0)) throw invalidProp(this, 'fairShare.weight', fair.weight, 'a number >= 0');
    const { cpu, memory } = this.computeQuota(props);
    sharedResourceFlavor(this, CPU_FLAVOR, undefined);
    const gpuResources = [...new Set(this.quotas.map((q) => q.keys.kueueResource))].sort();
    const resourceGroups: any[] = [{
      coveredResources: ['cpu', 'memory'],
      flavors: [{
        name: CPU_FLAVOR,
        resources: [
          { name: 'cpu', nominalQuota: cpu, borrowingLimit: '0' },
          { name: 'memory', nominalQuota: memory, borrowingLimit: '0' },
        ],
      }],
    }];
    if (this.quotas.length) {
      resourceGroups.push({
        coveredResources: gpuResources,
        flavors: this.quotas.map((q) => ({
          name: sharedResourceFlavor(this, q.pool.name, q.pool),
          resources: gpuResources.map((r) => r === q.keys.kueueResource
            ? {
              name: r,
              nominalQuota: String(q.gpus),
              borrowingLimit: String(q.borrowingLimit),
              lendingLimit: q.lendingLimit === undefined
                ? Lazy.any({ produce: () => this.defaultLendingLimit(q) })
                : String(q.lendingLimit),
            }
            : { name: r, nominalQuota: '0', borrowingLimit: '0' }),
        })),
      });
    }
    claimName(this, 'ClusterQueue', undefined, ns);
    const clusterQueue = clusterScoped(new ApiObject(this, 'ClusterQueue', {
      apiVersion: 'kueue.x-k8s.io/v1beta2',
      kind: 'ClusterQueue',
      metadata: { name: ns, labels: this.labels('ClusterQueue') },
      spec: {
        cohortName: cohort,
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } },
        queueingStrategy: 'BestEffortFIFO',
        resourceGroups,
        preemption: {
          reclaimWithinCohort: fair.reclaimWithinCohort ?? ReclaimPolicy.ANY,
          withinClusterQueue: (fair.preemptLowerPriority ?? true) ? 'LowerPriority' : 'Never',
        },
        fairSharing: fair.weight !== undefined ? { weight: String(fair.weight) } : undefined,
      },
    }));
    claimName(this, 'LocalQueue', ns, this.queueName);
    const localQueue = new kueue.LocalQueueV1Beta2(this, 'LocalQueue', {
      metadata: { name: this.queueName, namespace: ns, labels: this.labels('LocalQueue') },
      spec: { clusterQueue: ns },
    });
    localQueue.node.addDependency(clusterQueue);
    const priorities = fair.priorities ?? [{ name: 'production', value: 1000, description: 'serving and deadline-bound training' }, { name: 'batch', value: 100, description: 'preemptible batch work' }];
    priorities.forEach((p, i) => {
      const name = `${ns}-${requireDnsLabel(this, `fairShare.priorities[${i}].name`, p.name, 63 - ns.length - 1)}`;
      requireInteger(this, `fairShare.priorities[${i}].value`, p.value, -2147483648, 1000000000);
      claimName(this, 'WorkloadPriorityClass', undefined, name);
      this.priorityClasses.push(clusterScoped(new kueue.WorkloadPriorityClassV1Beta2(this, `Priority-${p.name}`, {
        metadata: { name, labels: this.labels('WorkloadPriorityClass') },
        value: p.value,
        description: p.description ?? `${p.name} workloads of tenant ${ns}`,
      })));
    });
    return { clusterQueue, localQueue };
  }

  private applyEdge(edge: TrafficEdge, side: EdgeSide): void {
    const name = resourceName(edge.scope, [edge.name, side === 'ingress' ? 'in' : 'out']);
    if (this.policies.has(name)) return;
    claimName(edge.scope, 'NetworkPolicy', this.namespaceName, name);
    const policy = new k8s.KubeNetworkPolicy(this, `Allow-${name}`, {
      metadata: {
        name,
        namespace: this.namespaceName,
        labels: this.labels('NetworkPolicy'),
        annotations: { 'ai.cdk8s.io/allows': edge.description },
      },
      spec: edgePolicySpec(edge, side, this.namespaceName),
    });
    this.policies.set(name, policy);
  }

  /** The NetworkPolicies generated from declared edges. */
  public get allowPolicies(): ApiObject[] {
    return [...this.policies.values()];
  }

  /**
   * The egress needs of the tenant's workloads and how the tenant resolved each.
   * @internal
   */
  public _egressNeeds(): ResolvedEgressNeed[] {
    return [...this.needs];
  }

  /**
   * Resolves a need of pods in the namespace: an egress allow for exactly those pods to the API server or the
   * model download ranges the tenant declares; else an `egress` entry may already open it; else it is blocked
   * (synth fails for the API server and warns for downloads).
   */
  private applyNeed(need: EgressNeed): void {
    const allow = (to: { cidrs: string[]; except?: string[] }, ports: number[], what: string) => {
      allowTraffic({
        scope: need.scope,
        name: need.name,
        description: `${need.description} ${what}`,
        from: need.from,
        to: { cidrs: to.cidrs, except: to.except?.length ? to.except : undefined },
        ports: ports.map((port) => ({ port })),
      });
      const except = to.except?.length ? ` except ${to.except.join(', ')}` : '';
      this.needs.push({ need, resolution: 'allowed', via: `${to.cidrs.join(', ')}${except} port ${ports.join(', ')}` });
    };
    if (need.kind === EgressNeedKind.KUBE_API_SERVER) {
      if (this.apiServer) allow(this.apiServer, [this.apiServer.port], 'through the Kubernetes API server');
      else this.needs.push({ need, resolution: 'blocked' });
      return;
    }
    if (this.modelDownloads) allow(this.modelDownloads, this.modelDownloads.ports, `from ${need.destination}`);
    else this.needs.push({ need, resolution: this.egressPorts.has(443) ? 'egress' : 'blocked' });
  }

  private resolveApiServer(api: TenantApiServer | undefined): { cidrs: string[]; port: number } | undefined {
    if (api === undefined) return undefined;
    const cidrs = this.requireCidrs('apiServer', api.cidrs);
    cidrs.forEach((c, i) => {
      if (isWholeInternet(c)) throw invalidProp(this, `apiServer.cidrs[${i}]`, c, 'the API server endpoints (e.g. "10.0.0.10/32"), not the whole address space');
    });
    return { cidrs, port: requireInteger(this, 'apiServer.port', api.port ?? 443, 1, 65535) };
  }

  private resolveModelDownloads(d: TenantModelDownloads | undefined): { cidrs: string[]; except: string[]; ports: number[] } | undefined {
    if (d === undefined) return undefined;
    const cidrs = this.requireCidrs('modelDownloads', d.cidrs);
    if (this.agentic) {
      cidrs.forEach((c, i) => {
        if (isWholeInternet(c)) {
          throw invalidProp(this, `modelDownloads.cidrs[${i}]`, c, 'a specific range: an agentic tenant may only reach declared endpoints, not the whole internet');
        }
      });
    }
    const except = [...(d.excludedCidrs ?? [])];
    except.forEach((e, i) => {
      if (!isCidr(e) || !cidrs.some((c) => cidrStrictlyContains(c, e))) {
        throw invalidProp(this, `modelDownloads.excludedCidrs[${i}]`, e, `a CIDR strictly inside one of ${cidrs.join(', ')}`);
      }
    });
    const ports = d.ports ?? [443];
    if (ports.length === 0) throw invalidProp(this, 'modelDownloads.ports', ports, 'at least one port');
    ports.forEach((p, j) => requireInteger(this, `modelDownloads.ports[${j}]`, p, 1, 65535));
    return { cidrs, except, ports: [...new Set(ports)] };
  }

  private requireCidrs(prop: string, cidrs: string[]): string[] {
    if (!cidrs || cidrs.length === 0) throw invalidProp(this, `${prop}.cidrs`, cidrs, 'at least one CIDR');
    cidrs.forEach((c, i) => { if (!isCidr(c)) throw invalidProp(this, `${prop}.cidrs[${i}]`, c, 'a CIDR such as "10.0.0.10/32"'); });
    if (new Set(cidrs).size !== cidrs.length) throw invalidProp(this, `${prop}.cidrs`, cidrs, 'unique CIDRs');
    return [...cidrs];
  }

  private synthErrors(): string[] {
    const errors: string[] = [];
    // cdk8s prefixes validation messages with the construct path
    const fail = (prop: string, problem: string) => errors.push(validationMessage(prop, problem));
    const demand = this.gpuDemand();
    for (const [key, want] of Object.entries(demand).sort(([a], [b]) => a.localeCompare(b))) {
      const have = this.hard[key];
      const who = gpuDemandsIn(this, this.namespaceName).filter((d) => demandKey(d) === key)
        .map((d) => `${d.scope.node.path} (${d.devicesPerPod * d.pods})`).join(', ');
      if (have === undefined) {
        fail('gpuQuota', `the workloads ${who} ask for ${want} GPUs counted as ${key}, but the tenant has no quota for it; ` +
          `add a gpuQuota entry for the pool they run on (quota keys: ${Object.keys(this.hard).sort().join(', ') || 'none'})`);
      } else if (want > have) {
        fail('gpuQuota', `quota overcommit: the workloads ${who} hold up to ${want} GPUs (${key}) but the tenant's quota is ${have} ` +
          '(gpus + borrowingLimit); raise the quota or shrink the workloads');
      }
    }
    const byPool = QUOTA_BY_POOL.get(this.node.root) ?? new Map();
    for (const q of this.quotas) {
      const shares: { tenant: AiTenant; gpus: number }[] = byPool.get(q.pool) ?? [];
      const total = shares.reduce((s, x) => s + x.gpus, 0);
      if (total > q.pool.gpuCapacity && shares[0].tenant === this) {
        fail('gpuQuota', `quota overcommit: the tenants' guaranteed GPUs on pool ${q.pool.name} add up to ${total} ` +
          `(${shares.map((s) => `${s.tenant.namespaceName}: ${s.gpus}`).join(', ')}) but the pool holds ${q.pool.gpuCapacity}; lower a tenant's gpus or grow the pool`);
      }
    }
    const pods = podSpecsBelow(this);
    for (const p of pods) {
      const violations = restrictedViolations(p.spec);
      if (violations.length) fail('security', `${describe(p)} would be rejected by the namespace's Pod Security "restricted": ${violations.join('; ')}`);
      if (this.agentic && p.spec.automountServiceAccountToken !== false) {
        fail('agentic', `${describe(p)} mounts a service-account token; an agentic tenant's pods must set automountServiceAccountToken: false`);
      }
    }
    if (this.agentic) {
      for (const edge of trafficEdges(this)) {
        const from = edge.from;
        if (from.namespace !== this.namespaceName || rangesOf(from).length || from.namespaceLabels !== undefined) continue;
        const to = edge.to;
        const ranges = rangesOf(to);
        const internet = ranges.find((r) => isWholeInternet(r));
        if (internet !== undefined || (!ranges.length && to.namespace === undefined && to.namespaceLabels === undefined)) {
          fail('agentic', `${edge.scope.node.path} declares egress "${edge.name}" to ${internet ?? 'pods in any namespace'}; an agentic tenant may only reach declared endpoints`);
        }
      }
    }
    for (const { need, resolution } of this.needs) {
      if (resolution !== 'blocked') continue;
      if (need.kind === EgressNeedKind.KUBE_API_SERVER) {
        fail('apiServer', `${need.description} through the Kubernetes API server (${need.scope.node.path}), but the tenant's ` +
          'default-deny egress blocks it; give apiServer: { cidrs: [<API server endpoint CIDRs>], port: <endpoint port, 443 or 6443> } ' +
          '(kubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes lists them)');
      } else {
        warn(this, `${need.description} from ${need.destination} (${need.scope.node.path}), but the tenant's egress opens no HTTPS (443): ` +
          'the download would be blocked by the default-deny; add modelDownloads: { cidrs: [...] } (only the downloading pods get it) ' +
          'or an egress entry on port 443');
      }
    }
    for (const policy of this.imageAdmission) {
      for (const p of pods) {
        for (const image of imagesOf(p.spec)) {
          const problems = policy.violations(image);
          if (!problems.length) continue;
          const text = `image ${show(image)} of ${describe(p)} breaks the admission policy ${policy.name}: ${problems.join(', ')}`;
          if (policy.action === AdmissionAction.DENY) fail('imageAdmission', `${text}; the apiserver would reject it`);
          else warn(this, text);
        }
      }
    }
    if (this.imageSigning.length) {
      const all = ImageSigningPolicy.allOf(this);
      for (const p of pods) {
        for (const image of imagesOf(p.spec)) {
          if (!all.some((policy) => policy.matches(image))) {
            warn(this, `image ${show(image)} of ${describe(p)} matches no ClusterImagePolicy glob; in the opted-in namespace ` +
              `${this.namespaceName} the policy-controller denies it (no-match-policy: deny)`);
          }
        }
      }
    }
    return errors;
  }
}

function describe(p: FoundPodSpec): string {
  const json = p.object.toJson();
  return `${json.kind} ${json.metadata?.name} (${p.path})`;
}

const QUANTITY = /^[+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;

function requireQuantity(scope: IConstruct, prop: string, value: string): void {
  if (!QUANTITY.test(value)) throw invalidProp(scope, prop, value, 'a Kubernetes quantity such as "500m", "16" or "64Gi"');
}

function validateOperations(scope: IConstruct, ops: TenantOperations): TenantOperations {
  for (const prop of ['runbookUrl', 'backupPolicyUrl'] as const) {
    const url = ops[prop];
    if (url !== undefined && !/^https?:\/\/\S+$/.test(url)) throw invalidProp(scope, `operations.${prop}`, url, 'an http(s) URL');
  }
  if (ops.modelRetentionDays !== undefined) requireInteger(scope, 'operations.modelRetentionDays', ops.modelRetentionDays, 1);
  return { ...ops };
}

const FLAVORS = new WeakMap<IConstruct, Map<string, ApiObject>>();

/** One Kueue ResourceFlavor per name per app, created by the first tenant that needs it. */
function sharedResourceFlavor(tenant: AiTenant, name: string, pool: GpuNodePool | undefined): string {
  const all = FLAVORS.get(tenant.node.root) ?? new Map<string, ApiObject>();
  FLAVORS.set(tenant.node.root, all);
  if (all.has(name)) return name;
  claimName(tenant, 'ResourceFlavor', undefined, name);
  const spec = pool
    ? {
      nodeLabels: { ...pool.nodeLabels },
      // Exactly the tolerations GpuNodePool places pods with: Kueue adds a flavor's tolerations to an admitted job's pod
      // template only when it lacks an equal one (pkg/podset/podset.go Merge, v0.19.2), so our own jobs stay as applied
      // and a GitOps re-sync owns the whole (atomic) tolerations list without a conflict with Kueue.
      tolerations: pool.taints.map((t) => ({ key: t.key, operator: 'Exists', effect: t.effect })),
    }
    : {};
  all.set(name, clusterScoped(new kueue.ResourceFlavorV1Beta2(tenant, `Flavor-${name}`, {
    metadata: { name, labels: standardLabels({ name: 'ai-tenant', instance: name, component: 'resourceflavor' }) },
    spec,
  })));
  return name;
}
