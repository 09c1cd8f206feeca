// The public props of an AiTenant and the value types they take.
import type { TenantAccess } from './tenant-access';
import type { GpuNodePool } from '../accelerators/gpu-node-pool';
import type { ImageAdmissionPolicy } from '../security/image-admission-policy';
import type { ImageSigningPolicy } from '../security/image-signing-policy';
import type { TenantDns } from '../security/tenant-dns';

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
 * A tenant's share of a pool's MIG instances of one profile.
 */
export interface TenantMigQuota {
  /**
   * The pool, whose `migProfiles` must list `profile`.
   */
  readonly pool: GpuNodePool;

  /**
   * The MIG profile, e.g. `1g.10gb`.
   */
  readonly profile: string;

  /**
   * MIG instances of the profile guaranteed to the tenant (its Kueue nominal quota). The guaranteed instances of all
   * tenants must fit the pool (every GPU of the pool partitioned into the profile).
   */
  readonly instances: number;

  /**
   * Instances the tenant may borrow on top of `instances` while other tenants of its cohort leave theirs idle.
   *
   * @default - the rest of the pool's instances of the profile
   */
  readonly borrowingLimit?: number;

  /**
   * Guaranteed instances other tenants may borrow while this tenant leaves them idle.
   *
   * @default - the guaranteed instances the tenant's workloads outside Kueue do not hold; all of `instances` when it
   * runs none there
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
   * The short name of the priority.
   *
   * The WorkloadPriorityClass is named `<namespace>-<name>`.
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
   * Identity-provider groups of the team.
   *
   * They get `access` in the namespace through a RoleBinding.
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
   * The tenant's share of pools' MIG instances, counted per profile: each profile of a pool's `migProfiles` is a
   * DeviceClass of its own, which the ResourceQuota and the Kueue ClusterQueue count devices of.
   *
   * @default - no MIG instances: workloads in the tenant that ask for MIG instances are refused
   */
  readonly migQuota?: TenantMigQuota[];

  /**
   * CPU the tenant's pods may request in total (ResourceQuota `requests.cpu`, Kueue nominal quota).
   *
   * @default - 8 plus 16 per GPU or MIG instance the tenant may hold (guaranteed + borrowable)
   */
  readonly cpu?: string;

  /**
   * Memory the tenant's pods may request in total (ResourceQuota `requests.memory`, Kueue nominal quota).
   *
   * @default - 32Gi plus 128Gi per GPU or MIG instance the tenant may hold
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
