/**
 * A Kubernetes RBAC rule (a Role's `rules[]` entry).
 */
export interface TenantRbacRule {
  /** API groups ('' for the core group). */
  readonly apiGroups: string[];
  /** Resources. */
  readonly resources: string[];
  /** Verbs. */
  readonly verbs: string[];
}

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'delete', 'patch', 'update'];

const VIEW_RULES: TenantRbacRule[] = [
  { apiGroups: [''], resources: ['configmaps', 'endpoints', 'events', 'limitranges', 'persistentvolumeclaims', 'pods', 'pods/log', 'resourcequotas', 'serviceaccounts', 'services'], verbs: READ },
  { apiGroups: ['apps'], resources: ['deployments', 'replicasets', 'statefulsets'], verbs: READ },
  { apiGroups: ['batch'], resources: ['cronjobs', 'jobs'], verbs: READ },
  { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: READ },
  { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: READ },
  { apiGroups: ['resource.k8s.io'], resources: ['resourceclaims', 'resourceclaimtemplates'], verbs: READ },
  { apiGroups: ['jobset.x-k8s.io'], resources: ['jobsets'], verbs: READ },
  { apiGroups: ['leaderworkerset.x-k8s.io'], resources: ['leaderworkersets'], verbs: READ },
  { apiGroups: ['kueue.x-k8s.io'], resources: ['localqueues', 'workloads'], verbs: READ },
  { apiGroups: ['inference.networking.k8s.io'], resources: ['inferencepools'], verbs: READ },
  { apiGroups: ['gateway.networking.k8s.io'], resources: ['httproutes'], verbs: READ },
  { apiGroups: ['monitoring.coreos.com'], resources: ['podmonitors', 'prometheusrules', 'servicemonitors'], verbs: READ },
];

/**
 * What the tenant's groups may do in its namespace. Never secrets, never `pods/exec`, never the quota, limits,
 * network policies, queues or role bindings the platform team owns.
 */
export class TenantAccess {
  /** Read the tenant's workloads, pods, logs, events, queues and monitors. */
  public static readonly VIEW = new TenantAccess('view', VIEW_RULES);

  /** VIEW, plus create and delete batch Jobs and JobSets (submitting training and eval runs through Kueue). */
  public static readonly SUBMIT_JOBS = new TenantAccess('submit-jobs', [
    ...VIEW_RULES,
    { apiGroups: ['batch'], resources: ['jobs'], verbs: WRITE },
    { apiGroups: ['jobset.x-k8s.io'], resources: ['jobsets'], verbs: WRITE },
  ]);

  /** Short name, e.g. `view`. */
  public readonly name: string;
  /** The Role rules. */
  public readonly rules: TenantRbacRule[];

  private constructor(name: string, rules: TenantRbacRule[]) {
    this.name = name;
    this.rules = rules;
  }
}
