import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { AiTenantProps, TenantOperations } from './ai-tenant-props';
import { admissionLabels, imagePolicyErrors, podSecurityErrors } from './tenant-admission';
import { emitTenantNamespace, requireNamespaceFree, requireTenantNamespace } from './tenant-namespace';
import { TenantNetwork } from './tenant-network';
import { emitTenantQueues } from './tenant-queues';
import { TenantQuota, gpuDemandOf } from './tenant-quota';
import { emitDefaultServiceAccount, emitTenantRbac } from './tenant-rbac';
import { GpuNodePool } from '../accelerators/gpu-node-pool';
import { namespaces, recordNamespace } from '../cluster/app-registry';
import { ClusterAddon } from '../cluster/cluster-addon';
import { ClusterProfile } from '../cluster/cluster-profile';
import { ValidationError, invalidProp, requireInteger, validationMessage } from '../internal/errors';
import { requireDnsLabel, resourceName } from '../internal/names';
import { markNamespaceScope } from '../internal/namespace';
import { podSpecsBelow } from '../internal/pod-templates';
import { requireNonEmptyLabelValue } from '../internal/qualified-name';
import { checkProps, req, requireScope } from '../internal/runtime-checks';
import { ImageAdmissionPolicy } from '../security/image-admission-policy';
import { ImageSigningPolicy } from '../security/image-signing-policy';
import { ResolvedEgressNeed } from '../security/tenant-network';

// The props moved to their own file; this module keeps exporting them (index.ts and deep imports reach them here).
export * from './ai-tenant-props';

const AI_TENANT = Symbol.for('cdk8s-ai.AiTenant');

/**
 * A governed namespace for one team, which every workload created inside it lands in and is governed by.
 *
 * State the tenant once and every workload created inside it (`new InferenceService(tenant, 'llm', ...)`) lands in
 * its namespace and is governed by it:
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

  private readonly quota: TenantQuota;
  private readonly network: TenantNetwork;

  constructor(scope: Construct, id: string, props: AiTenantProps) {
    super(scope, id);
    checkProps(this, 'AiTenantProps', props, { team: req('string'), owner: req('string'), costCenter: req('string') });
    Object.defineProperty(this, AI_TENANT, { value: true });
    const profile = ClusterProfile.of(this);
    const enclosing = this.node.scopes.slice(0, -1).reverse().find((s) => AiTenant.isAiTenant(s));
    if (enclosing) {
      throw new ValidationError(this, 'scope', `a tenant cannot be created inside another tenant (${enclosing.node.path}); create it in a chart`);
    }
    const ns = requireTenantNamespace(this, props.namespace !== undefined ? requireDnsLabel(this, 'namespace', props.namespace) :
      resourceName(this), props.namespace !== undefined);
    requireNamespaceFree(this, ns);
    this.namespaceName = ns;
    this.team = requireNonEmptyLabelValue(this, 'team', props.team);
    this.owner = requireNonEmptyLabelValue(this, 'owner', props.owner);
    this.costCenter = requireNonEmptyLabelValue(this, 'costCenter', props.costCenter);
    this.queueName = props.queueName !== undefined ? requireDnsLabel(this, 'queueName', props.queueName) : ns;
    this.agentic = props.agentic ?? false;
    this.operations = validateOperations(this, props.operations ?? {});
    this.imageSigning = [...(props.imageSigning ?? [])];
    this.imageAdmission = [...(props.imageAdmission ?? [])];
    this.quota = new TenantQuota(this, ns, profile, props.gpuQuota ?? [], props.migQuota ?? []);
    this.network = new TenantNetwork(this, ns, this.agentic, props);

    markNamespaceScope(this, ns);
    recordNamespace({ scope: this, name: ns });

    this.namespace = emitTenantNamespace(this, {
      name: ns,
      kubernetesVersion: profile.kubernetesVersion.toString(),
      team: this.team,
      owner: this.owner,
      costCenter: this.costCenter,
      admissionLabels: admissionLabels(this.imageSigning, this.imageAdmission),
    });
    this.defaultServiceAccount = emitDefaultServiceAccount(this, ns);
    this.resourceQuota = this.quota.emitResourceQuota(props);
    this.limitRange = this.quota.emitLimitRange(props);
    this.defaultDeny = this.network.emitDefaultDeny();
    const rbac = emitTenantRbac(this, ns, props.groups, props.access);
    this.role = rbac.role;
    this.roleBinding = rbac.roleBinding;

    if (props.fairShare !== undefined || profile.hasAddon(ClusterAddon.KUEUE)) {
      profile._requireAddon(this, 'fairShare', ClusterAddon.KUEUE, 'fair sharing (Kueue ClusterQueue)');
      this.clusterQueueName = ns;
      const queues = emitTenantQueues(this, {
        namespace: ns,
        queueName: this.queueName,
        fairShare: props.fairShare ?? {},
        ...this.quota.cpuAndMemory(props),
        quotas: [...this.quota.quotas, ...this.quota.migQuotas],
      });
      this.clusterQueue = queues.clusterQueue;
      this.localQueue = queues.localQueue;
      this.priorityClasses = queues.priorityClasses;
    }

    this.network.connect(props);
    this.node.addValidation({ validate: () => this.synthErrors() });
  }

  /** The GPU quota keys and their hard limits (ResourceQuota `spec.hard`). */
  public get gpuQuota(): { [key: string]: number } {
    return { ...this.quota.hard };
  }

  /** The guaranteed GPUs per pool name. */
  public get guaranteedGpus(): { [pool: string]: number } {
    return Object.fromEntries(this.quota.quotas.map((q) => [q.pool.name, q.gpus]));
  }

  /** The GPU node pools the tenant has quota on. */
  public get pools(): GpuNodePool[] {
    return this.quota.quotas.map((q) => q.pool);
  }

  /**
   * The full name of one of the tenant's WorkloadPriorityClasses, e.g. `research-production`.
   *
   * @param priority The short name of the priority, as given in `priorities`.
   */
  public priorityClassName(priority: string): string {
    const name = `${this.namespaceName}-${priority}`;
    if (!this.priorityClasses.some((p) => p.name === name)) {
      throw invalidProp(this, 'priority', priority, `one of the tenant's priorities: ${this.priorityClasses.map((p) => p.name.slice(this.namespaceName.length + 1)).join(', ') || '(none: the tenant has no Kueue)'}`);
    }
    return name;
  }

  /** GPUs the workloads in the tenant's namespace hold at most, per quota key. */
  public gpuDemand(): { [key: string]: number } {
    return gpuDemandOf(this, this.namespaceName);
  }

  /** The NetworkPolicies generated from declared edges. */
  public get allowPolicies(): ApiObject[] {
    return this.network.allowPolicies;
  }

  /**
   * The egress needs of the tenant's workloads and how the tenant resolved each.
   * @internal
   */
  public _egressNeeds(): ResolvedEgressNeed[] {
    return this.network.egressNeeds;
  }

  /** Every synth-time check of the tenant, each part's in turn; cdk8s prefixes the messages with the construct path. */
  private synthErrors(): string[] {
    const errors: string[] = [];
    const fail = (prop: string, problem: string) => errors.push(validationMessage(prop, problem));
    this.quota.synthErrors(fail);
    const pods = podSpecsBelow(this);
    podSecurityErrors(fail, pods, this.agentic);
    this.network.synthErrors(fail);
    imagePolicyErrors(this, fail, pods, { namespace: this.namespaceName, imageAdmission: this.imageAdmission, imageSigning: this.imageSigning });
    return errors;
  }
}

function validateOperations(scope: IConstruct, ops: TenantOperations): TenantOperations {
  for (const prop of ['runbookUrl', 'backupPolicyUrl'] as const) {
    const url = ops[prop];
    if (url !== undefined && !/^https?:\/\/\S+$/.test(url)) throw invalidProp(scope, `operations.${prop}`, url, 'an http(s) URL');
  }
  if (ops.modelRetentionDays !== undefined) requireInteger(scope, 'operations.modelRetentionDays', ops.modelRetentionDays, 1);
  return { ...ops };
}
